"""The malformed-input corpus: each case is the file's bytes and the expected diagnostic.

Kept as data (name -> bytes, code, line, column) so that the loader test and the
command-line test walk the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass

VALID_HEAD = b'schema_version: "1.0"\nproject:\n  id: p\n'


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    code: str
    line: int
    column: int


def _deep(levels: int) -> bytes:
    return b"a: " + b"[" * levels + b"]" * levels + b"\n"


def _alias_bomb() -> bytes:
    lines = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = b"a"
    for name in (b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i"):
        refs = b",".join([b"*" + prev] * 9)
        lines.append(name + b": &" + name + b" [" + refs + b"]")
        prev = name
    return b"\n".join(lines) + b"\n"


CASES: list[Case] = [
    Case("empty", b"", "DOS-Y007", 1, 1),
    Case("only-comments", b"# nothing here\n", "DOS-Y007", 1, 1),
    Case("list-root", b"- a\n- b\n", "DOS-Y008", 1, 1),
    Case("scalar-root", b"just text\n", "DOS-Y008", 1, 1),
    Case("tabs", b"project:\n\tid: p\n", "DOS-Y006", 2, 1),
    Case("duplicate-keys", b"project:\n  id: a\n  id: b\n", "DOS-Y010", 3, 3),
    # sizes: a=10, b=91, c=820, d=7381 values: the first *d on line 5 passes 10,000
    Case("alias-bomb", _alias_bomb(), "DOS-Y012", 5, 8),
    Case("deep-nesting", _deep(20_000), "DOS-Y011", 1, 67),
    # "  title: caf" is 12 characters: the bad byte is in column 13
    Case("invalid-utf8", VALID_HEAD + b"  title: caf\xe9\n", "DOS-Y003", 4, 13),
    # the first NUL follows two line breaks of the PNG signature
    Case("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "DOS-Y004", 3, 1),
    Case("utf16", "a: b\n".encode("utf-16"), "DOS-Y017", 1, 1),
    Case("nul-char", VALID_HEAD + b"  title: a\x00b\n", "DOS-Y004", 4, 11),
    Case("control-char", VALID_HEAD + b"  title: a\x07b\n", "DOS-Y004", 4, 11),
    Case("unclosed-quote", VALID_HEAD + b'  title: "never closed\n', "DOS-Y005", 5, 1),
    Case("huge-integer", VALID_HEAD + b"  n: " + b"9" * 5000 + b"\n", "DOS-Y015", 4, 6),
    Case("python-tag", b"a: !!python/object:os.system ls\n", "DOS-Y013", 1, 4),
    Case("two-documents", b"a: 1\n---\nb: 2\n", "DOS-Y009", 2, 1),
    Case("complex-key", b"? [a, b]\n: c\n", "DOS-Y016", 1, 3),
    Case("merge-key", b"base: &b {x: 1}\nother:\n  <<: *b\n", "DOS-Y014", 3, 3),
]

# A UTF-8 byte-order mark is accepted (editors on Windows write it).
BOM_OK = b"\xef\xbb\xbf" + VALID_HEAD
