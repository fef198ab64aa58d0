"""Read a YAML project file into plain Python data with a source map, safely.

The file is decoded strictly as UTF-8, parsed into *events* by libyaml (through
ruamel.yaml's C parser, which is fast and never recurses), and the events are
assembled here with an explicit stack. That makes every limit cheap to enforce as
the input streams in: nesting depth, node count after alias expansion, scalar
length and integer size. Nothing is ever constructed from a YAML tag, duplicate keys
are errors, and every node's line and column is kept for diagnostics.

Codes (``Y`` = YAML):

======== ==================================================================
DOS-Y001 the file cannot be read (missing, no permission, or a folder, device or pipe)
DOS-Y002 the file is larger than the limit
DOS-Y003 the file is not valid UTF-8 (position of the first bad byte)
DOS-Y004 binary content, NUL, control characters or U+FFFE/U+FFFF (also as a quoted escape)
DOS-Y005 YAML syntax error
DOS-Y006 a tab used for indentation
DOS-Y007 the file is empty
DOS-Y008 the root is not a mapping
DOS-Y009 more than one YAML document in the file
DOS-Y010 a key appears twice in the same mapping
DOS-Y011 nesting deeper than the limit
DOS-Y012 too many nodes after alias expansion (e.g. an alias bomb)
DOS-Y013 a YAML tag that is not supported (e.g. ``!!python/object``)
DOS-Y014 a merge key (``<<``), which is not supported
DOS-Y015 a number or text value beyond the size limits
DOS-Y016 a mapping key that is not plain text
DOS-Y017 a UTF-16/UTF-32 file (save it as UTF-8)
======== ==================================================================
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.core.diagnostics import Diagnostic, Location, PathPart, Severity
from dossier.core.errors import UserError
from dossier.load.files import NotRegularFileError, TooLargeError, read_limited

__all__ = ["Limits", "SourceDoc", "load_yaml", "load_yaml_text"]


@dataclass(frozen=True)
class Limits:
    """Limits that keep a hostile or broken file from exhausting time or memory."""

    max_bytes: int = 5_000_000
    max_depth: int = 64
    max_nodes: int = 500_000
    max_alias_expansion: int = 10_000
    max_scalar_chars: int = 1_000_000
    max_int_digits: int = 100


@dataclass
class SourceDoc:
    """A parsed YAML document: plain data plus the position of every node."""

    path: Path
    display_path: str
    data: Any
    _values: dict[tuple[PathPart, ...], tuple[int, int]] = field(default_factory=dict, repr=False)
    _keys: dict[tuple[PathPart, ...], tuple[int, int]] = field(default_factory=dict, repr=False)

    def _loc(self, pos: tuple[int, int], path: tuple[PathPart, ...]) -> Location:
        return Location(self.display_path, pos[0], pos[1], path)

    def has_value(self, path: tuple[PathPart, ...]) -> bool:
        """Whether the document writes a value at ``path``."""
        return tuple(path) in self._values

    def locate(self, path: tuple[PathPart, ...]) -> Location:
        """Position of the value at ``path``, or of its nearest existing ancestor."""
        probe = tuple(path)
        while probe:
            pos = self._values.get(probe)
            if pos is not None:
                return self._loc(pos, tuple(path))
            probe = probe[:-1]
        return self._loc(self._values.get((), (1, 1)), tuple(path))

    def locate_key(self, path: tuple[PathPart, ...]) -> Location:
        """Position of the key of the mapping entry at ``path`` (else of its value)."""
        pos = self._keys.get(tuple(path))
        if pos is not None:
            return self._loc(pos, tuple(path))
        return self.locate(path)

    def keys_at(self, path: tuple[PathPart, ...]) -> list[str]:
        """The keys of the mapping at ``path`` (empty if it is not a mapping)."""
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return []
        return list(node) if isinstance(node, dict) else []


def _diag(
    code: str, message: str, file: str, line: int, col: int, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        location=Location(file, max(line, 1), max(col, 1)),
        hint=hint,
    )


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _decode(raw: bytes, file: str) -> str:
    """Strict UTF-8 with clear errors for other encodings and binary content."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise UserError(
            _diag(
                "DOS-Y017",
                "the file is UTF-16 or UTF-32 encoded",
                file,
                1,
                1,
                "save it as UTF-8 (in most editors: 'Save with encoding' > UTF-8)",
            )
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless: accept it
    nul = raw.find(b"\x00")
    if nul >= 0:
        prefix = raw[:nul].decode("utf-8", errors="replace")
        line, col = _line_col(prefix, len(prefix))
        kind = "binary data (this does not look like a text file)" if nul < 512 else "a NUL byte"
        raise UserError(_diag("DOS-Y004", f"the file contains {kind}", file, line, col))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(prefix, len(prefix))
        raise UserError(
            _diag(
                "DOS-Y003",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                file,
                line,
                col,
                "save the file as UTF-8; it may have been written as Latin-1 or Windows-1252",
            )
        ) from None
    bad = _RAW_CONTROL.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        raise UserError(
            _diag(
                "DOS-Y004",
                f"the file contains the control character U+{ord(bad.group()):04X}",
                file,
                line,
                col,
            )
        )
    return text


_RAW_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_ESCAPED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters a quoted value may spell as an escape (``"\\x01"``, ``"\\uFFFE"``) but that
no XML document, hence no Word draft, can hold: refused where they are written."""
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?")
_CORE = "tag:yaml.org,2002:"


class _Builder:
    """Assembles libyaml events into plain data, enforcing the limits."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.values: dict[tuple[PathPart, ...], tuple[int, int]] = {}
        self.keys: dict[tuple[PathPart, ...], tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.alias_nodes = 0

    def error(self, code: str, message: str, mark: Any, hint: str | None = None) -> UserError:
        return UserError(_diag(code, message, self.file, mark.line + 1, mark.column + 1, hint))

    def scalar(self, event: Any) -> Any:
        value: str = event.value
        if len(value) > self.limits.max_scalar_chars:
            raise self.error(
                "DOS-Y015",
                f"a text value is {len(value):,} characters long "
                f"(limit {self.limits.max_scalar_chars:,})",
                event.start_mark,
            )
        control = _ESCAPED_CONTROL.search(value)
        if control is not None:
            raise self.error(
                "DOS-Y004",
                f"the value contains the character U+{ord(control.group()):04X}, which no "
                "Word document can hold",
                event.start_mark,
                "remove the escape sequence from the quoted value",
            )
        tag = event.tag
        plain = event.style in (None, "") and event.implicit[0]
        if tag is not None and not event.implicit[0] and not event.implicit[1]:
            return self._tagged(value, tag, event)
        if not plain:
            return value
        return self._resolve_plain(value, event)

    def _resolve_plain(self, value: str, event: Any) -> Any:
        if _NULL.match(value):
            return None
        if value in _BOOL:
            return _BOOL[value]
        if _INT.match(value):
            digits = len(value.lstrip("+-"))
            if digits > self.limits.max_int_digits:
                raise self.error(
                    "DOS-Y015",
                    f"an integer with {digits:,} digits (limit {self.limits.max_int_digits})",
                    event.start_mark,
                    "write large numbers in scientific notation, e.g. 1.0e14",
                )
            return int(value)
        if _INT_OCT.match(value) and len(value) <= self.limits.max_int_digits:
            return int(value[2:], 8)
        if _INT_HEX.match(value) and len(value) <= self.limits.max_int_digits:
            return int(value[2:], 16)
        if _FLOAT.match(value) and len(value) <= 400:
            return float(value)
        if _INF.match(value):
            return float("-inf") if value.startswith("-") else float("inf")
        if _NAN.match(value):
            return float("nan")
        if _DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value  # not a real date: keep the text, the model will say why
        if _DATETIME.match(value):
            try:
                return dt.datetime.fromisoformat(value.replace("t", "T"))
            except ValueError:
                return value
        return value

    def _tagged(self, value: str, tag: str, event: Any) -> Any:
        if tag in {"!", f"{_CORE}str"}:
            return value
        if tag in {f"{_CORE}int", f"{_CORE}float", f"{_CORE}bool", f"{_CORE}null"}:
            resolved = self._resolve_plain(value, event)
            return resolved
        if tag == f"{_CORE}timestamp" and _DATE.match(value):
            return self._resolve_plain(value, event)
        raise self.error(
            "DOS-Y013",
            f"the YAML tag '{tag}' is not supported",
            event.start_mark,
            "remove the tag; dossier reads plain YAML values only",
        )

    def count(self, n: int, mark: Any) -> None:
        self.nodes += n
        if self.nodes > self.limits.max_nodes:
            raise self.error(
                "DOS-Y012",
                f"the document expands to more than {self.limits.max_nodes:,} values",
                mark,
                "aliases (*name) that repeat large anchors multiply the size of the document",
            )


def _size(value: Any) -> int:
    """Number of nodes in a value (aliases expand, so count what pydantic will see)."""
    total = 1
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            total += len(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            total += len(node)
            stack.extend(node)
    return total


def _assemble(events: Any, file: str, limits: Limits) -> tuple[Any, _Builder]:
    """Turn the event stream into data; returns (root, builder with the source map)."""
    from ruamel.yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    b = _Builder(file, limits)
    # stack entries: [container, path, pending key (mapping) or None, key mark, anchor]
    stack: list[list[Any]] = []
    root: Any = None
    have_root = False
    documents = 0

    def attach(value: Any, mark: Any) -> None:
        nonlocal root, have_root
        if not stack:
            if have_root:
                raise b.error("DOS-Y009", "the file holds more than one YAML document", mark)
            root, have_root = value, True
            b.values[()] = (mark.line + 1, mark.column + 1)
            return
        top = stack[-1]
        container, path = top[0], top[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            b.values[child] = (mark.line + 1, mark.column + 1)
            return
        if top[2] is None:  # this value is a key
            if not isinstance(value, _Key):
                raise b.error(
                    "DOS-Y016",
                    "a mapping key must be plain text",
                    mark,
                    "write the key as a word, e.g. 'name:'",
                )
            key = value.text
            if key == "<<":
                raise b.error(
                    "DOS-Y014",
                    "merge keys ('<<') are not supported",
                    mark,
                    "write the keys out in full; anchors and aliases are allowed",
                )
            if key in container:
                first = b.keys.get((*path, key), (0, 0))
                raise b.error(
                    "DOS-Y010",
                    f"the key '{key}' appears twice in this mapping "
                    f"(first at line {first[0]}, column {first[1]})",
                    mark,
                    "remove or rename one of them; dossier never keeps the last one silently",
                )
            top[2] = key
            top[3] = mark
            return
        key = top[2]
        container[key] = value
        b.keys[(*path, key)] = (top[3].line + 1, top[3].column + 1)
        b.values[(*path, key)] = (mark.line + 1, mark.column + 1)
        top[2] = None

    def expecting_key() -> bool:
        return bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][2] is None

    def current_path() -> tuple[PathPart, ...]:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top[0], list):
            return (*top[1], len(top[0]))
        return (*top[1], top[2])

    for event in events:
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise b.error(
                    "DOS-Y009",
                    "the file holds more than one YAML document ('---')",
                    event.start_mark,
                    "keep one project per file",
                )
        elif isinstance(event, ScalarEvent):
            b.count(1, event.start_mark)
            if expecting_key():
                if event.tag is not None and not (event.implicit[0] or event.implicit[1]):
                    b._tagged(event.value, event.tag, event)
                attach(_Key(event.value), event.start_mark)
                continue
            value = b.scalar(event)
            if event.anchor:
                b.anchors[event.anchor] = (value, 1)
            attach(value, event.start_mark)
        elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            b.count(1, event.start_mark)
            if expecting_key():
                raise b.error("DOS-Y016", "a mapping key must be plain text", event.start_mark)
            if (
                event.tag is not None
                and event.tag
                not in {
                    f"{_CORE}map",
                    f"{_CORE}seq",
                }
                and not getattr(event, "implicit", True)
            ):
                raise b.error(
                    "DOS-Y013", f"the YAML tag '{event.tag}' is not supported", event.start_mark
                )
            if len(stack) >= limits.max_depth:
                raise b.error(
                    "DOS-Y011",
                    f"the data are nested more than {limits.max_depth} levels deep",
                    event.start_mark,
                )
            container: Any = {} if isinstance(event, MappingStartEvent) else []
            path = current_path()
            attach(container, event.start_mark)
            stack.append([container, path, None, None, event.anchor])
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            done = stack.pop()
            if done[4]:
                b.anchors[done[4]] = (done[0], _size(done[0]))
        elif isinstance(event, AliasEvent):
            if expecting_key():
                raise b.error("DOS-Y016", "an alias cannot be a mapping key", event.start_mark)
            anchor = b.anchors.get(event.anchor)
            if anchor is None:
                raise b.error(
                    "DOS-Y005", f"the alias '*{event.anchor}' has no anchor", event.start_mark
                )
            b.alias_nodes += anchor[1]
            if b.alias_nodes > limits.max_alias_expansion:
                raise b.error(
                    "DOS-Y012",
                    f"aliases expand to more than {limits.max_alias_expansion:,} values",
                    event.start_mark,
                    "this looks like an alias bomb; write the data out instead",
                )
            b.count(anchor[1], event.start_mark)
            attach(anchor[0], event.start_mark)
    if not have_root:
        raise UserError(
            _diag(
                "DOS-Y007",
                "the file is empty",
                file,
                1,
                1,
                "start from a valid project: dossier init DIR",
            )
        )
    return root, b


@dataclass(frozen=True, slots=True)
class _Key:
    text: str


def _syntax_error(exc: Any, text: str, file: str) -> UserError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or "'\\t'" in str(
        problem
    ):
        return UserError(
            _diag(
                "DOS-Y006",
                "a tab is used for indentation; YAML allows spaces only",
                file,
                line,
                col,
                "replace the tabs at the start of this line with spaces",
            )
        )
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    hint = None
    if "end of the stream" in str(problem) or "quote" in str(context or ""):
        hint = "check for a quote that is opened but not closed"
    elif "mapping values are not allowed" in str(problem):
        hint = "a value containing ': ' must be quoted"
    return UserError(_diag("DOS-Y005", message, file, line, col, hint))


def load_yaml_text(
    text: str | bytes, display_path: str = "<string>", *, limits: Limits | None = None
) -> SourceDoc:
    """Parse YAML text (or bytes) into a :class:`SourceDoc`; raise :class:`UserError`."""
    limits = limits or Limits()
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > limits.max_bytes:
        raise UserError(
            _diag(
                "DOS-Y002",
                f"the file is {len(raw):,} bytes (limit {limits.max_bytes:,})",
                display_path,
                1,
                1,
            )
        )
    decoded = _decode(raw, display_path)
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe")
    try:
        root, builder = _assemble(yaml.parse(decoded), display_path, limits)
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, decoded, display_path) from None
    except YAMLError as exc:
        raise UserError(
            _diag("DOS-Y005", f"YAML syntax error: {exc}", display_path, 1, 1)
        ) from None
    except RecursionError:  # pragma: no cover - the parser does not recurse
        raise UserError(
            _diag("DOS-Y011", "the data are nested too deeply", display_path, 1, 1)
        ) from None
    if not isinstance(root, dict):
        kind = "a list" if isinstance(root, list) else "a single value"
        if root is None:
            raise UserError(
                _diag(
                    "DOS-Y007",
                    "the file holds no data",
                    display_path,
                    1,
                    1,
                    "start from a valid project: dossier init DIR",
                )
            )
        raise UserError(
            _diag(
                "DOS-Y008",
                f"the file holds {kind}; a project file must be a mapping of keys",
                display_path,
                1,
                1,
                "the file starts with keys such as 'schema_version:' and 'project:'",
            )
        )
    return SourceDoc(
        path=Path(display_path),
        display_path=display_path,
        data=root,
        _values=builder.values,
        _keys=builder.keys,
    )


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def load_yaml(path: Path | str, *, limits: Limits | None = None) -> SourceDoc:
    """Read and parse a YAML file; raise :class:`UserError` with located diagnostics."""
    limits = limits or Limits()
    file = Path(path)
    shown = _display(file)
    try:
        raw = read_limited(file, limits.max_bytes)
    except TooLargeError as exc:
        raise UserError(_diag("DOS-Y002", str(exc), shown, 1, 1)) from None
    except NotRegularFileError as exc:
        raise UserError(
            _diag(
                "DOS-Y001",
                f"cannot read the file: it is {exc.kind}, not a regular file",
                shown,
                1,
                1,
                "give the path of a YAML file saved on disk",
            )
        ) from None
    except OSError as exc:
        raise UserError(
            _diag("DOS-Y001", f"cannot read the file: {exc.strerror or exc}", shown, 1, 1)
        ) from None
    doc = load_yaml_text(raw, shown, limits=limits)
    doc.path = file.resolve()
    return doc
