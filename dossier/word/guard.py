"""What a Word template may do, checked before and while it is rendered.

A template is a file anybody on a team can edit, so it is treated as untrusted input with
a budget. The same checks serve the build (the first problem stops it) and
``dossier templates check`` (every problem is listed), so that the check passes exactly the
templates the build accepts.

Before rendering, the package (the .docx zip) is checked: its parts are read only up to
size limits (a small file can unpack to gigabytes), and a relationship to an external
target other than a hyperlink (a remote attached template, a linked image or object,
which Word fetches when the draft is opened) is refused. The Jinja source of each part
is checked for constructs that Word templates never need: another template
(``include``, ``import``, ``extends``), escaping turned off (``|safe``, ``autoescape
false``: markup in the data would enter the XML and ``<`` and ``&`` would be lost), macros
that call themselves, and constant expressions beyond the budget. While rendering, the
sandbox of :mod:`dossier.word.env` counts loop iterations and calls, bounds the size of
every string and list an operator or method makes, and stops at a time limit.

Codes (``T`` = templates):

======== ==========================================================================
DOS-T030 a template includes, imports or extends another template
DOS-T031 a template goes beyond its budget (string or list size, iterations and calls, time)
DOS-T032 a template macro calls itself (also through other macros), or recursion runs too deep
DOS-T033 a template turns autoescaping off (the safe filter, autoescape false)
DOS-T034 a template part (or the whole template) unpacks beyond its size limit
DOS-T035 a template has an external relationship other than a hyperlink
======== ==========================================================================
"""

from __future__ import annotations

import math
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import nodes

__all__ = [
    "MAX_CALLS_AND_ITERATIONS",
    "MAX_ITEMS",
    "MAX_PART",
    "MAX_SECONDS",
    "MAX_STRING",
    "MAX_UNPACKED",
    "Refusal",
    "TemplateNodes",
    "package_refusals",
    "source_refusals",
]

MAX_STRING = 1_000_000
"""Characters of a string made by an operator, a method or a filter in a template."""
MAX_ITEMS = 100_000
"""Items of a list made by an operator or a filter (also the largest ``range``)."""
MAX_CALLS_AND_ITERATIONS = 2_000_000
"""Loop iterations and calls of one rendering, together."""
MAX_INT_BITS = 4096
"""Bits of an integer made by ``**``."""
MAX_SECONDS = 15.0
"""Time one template may take to render."""
MAX_PART = 25_000_000
"""Unpacked bytes of one XML part of a template (its body, a header, the styles)."""
MAX_UNPACKED = 100_000_000
"""Unpacked bytes of all the parts of a template, images included."""

_HYPERLINK = "/relationships/hyperlink"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a template is refused: the code, the message and the line of its part."""

    code: str
    message: str
    line: int | None = None


# ---------------------------------------------------------------- the package


def package_refusals(template: Path) -> list[Refusal]:
    """Size and external-relationship problems of a .docx template (an unreadable zip is
    left to the caller, which reports it as not a Word template)."""
    try:
        with zipfile.ZipFile(template) as archive:
            infos = archive.infolist()
            out = list(_size_refusals(infos))
            if out:
                return out
            for info in infos:
                if info.filename.endswith(".rels"):
                    out.extend(_external(info.filename, archive.read(info)))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []
    return out


def _size_refusals(infos: list[zipfile.ZipInfo]) -> Iterator[Refusal]:
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_PART:
            yield Refusal(
                "DOS-T034",
                f"{info.filename} unpacks to {info.file_size:,} bytes (limit {MAX_PART:,} "
                "for one part)",
            )
    if total > MAX_UNPACKED:
        yield Refusal(
            "DOS-T034",
            f"the template unpacks to {total:,} bytes (limit {MAX_UNPACKED:,})",
        )


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"""\b(Type|Target|TargetMode)\s*=\s*["']([^"']*)["']""")


def _external(part: str, xml: bytes) -> Iterator[Refusal]:
    for element in _RELATIONSHIP.findall(xml):
        attributes = {
            k.decode(): v.decode("utf-8", "replace") for k, v in _ATTRIBUTE.findall(element)
        }
        if attributes.get("TargetMode", "").lower() != "external":
            continue
        kind = attributes.get("Type", "")
        if kind.endswith(_HYPERLINK):
            continue
        yield Refusal(
            "DOS-T035",
            f"{part}: an external {kind.rsplit('/', 1)[-1] or 'relationship'} to "
            f"'{attributes.get('Target', '')[:120]}'; Word would fetch it when the draft is "
            "opened",
        )


# ---------------------------------------------------------------- the Jinja source


class TemplateNodes:
    """Every node of a parsed template, walked once, found by type in document order.

    Jinja's ``find_all`` walks the whole tree for each question; a template part is asked
    about nine kinds of node before it is compiled, and the build compiles every part of
    every draft, so the walk is done once and the questions read the list."""

    def __init__(self, tree: nodes.Template) -> None:
        self.all = list(tree.find_all(nodes.Node))

    def find_all(self, types: type[Any] | tuple[type[Any], ...]) -> Iterator[Any]:
        """The nodes of ``types`` (subclasses included), in document order."""
        return (node for node in self.all if isinstance(node, types))


def source_refusals(tree: nodes.Template | TemplateNodes) -> list[Refusal]:
    """Every construct of a parsed template source (or of its nodes, walked once) that the
    build refuses."""
    found = tree if isinstance(tree, TemplateNodes) else TemplateNodes(tree)
    out: list[Refusal] = []
    for node in found.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        word = {
            nodes.Include: "include",
            nodes.Import: "import",
            nodes.FromImport: "from ... import",
            nodes.Extends: "extends",
        }[type(node)]
        out.append(
            Refusal(
                "DOS-T030",
                f"'{{% {word} %}}' reaches another template; a Word template is one file",
                node.lineno,
            )
        )
    for filt in found.find_all(nodes.Filter):
        if filt.name == "safe":
            out.append(_unescaped("'|safe'", filt.lineno))
    for modifier in found.find_all((nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)):
        for option in modifier.options:
            if option.key == "autoescape" and not (
                isinstance(option.value, nodes.Const) and option.value.value is True
            ):
                out.append(_unescaped("'autoescape false'", modifier.lineno))
    out.extend(_recursive_macros(found))
    out.extend(_constant_excess(found))
    return out


def _unescaped(what: str, line: int) -> Refusal:
    return Refusal(
        "DOS-T033",
        f"{what} turns autoescaping off: markup in the data would enter the document and "
        "'<' and '&' would be lost",
        line,
    )


def _called_names(body: list[nodes.Node]) -> set[str]:
    names: set[str] = set()
    for node in body:
        for call in node.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name):
                names.add(call.node.name)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
            names.add(node.node.name)
    return names


def _recursive_macros(found: TemplateNodes) -> Iterator[Refusal]:
    macros = {m.name: m for m in found.find_all(nodes.Macro)}
    calls = {name: _called_names(m.body) & macros.keys() for name, m in macros.items()}
    for name, macro in macros.items():
        seen: set[str] = set()
        todo = list(calls[name])
        while todo:
            current = todo.pop()
            if current == name:
                yield Refusal(
                    "DOS-T032",
                    f"the macro '{name}' calls itself"
                    + ("" if name in calls[name] else " through other macros")
                    + "; templates may not recurse",
                    macro.lineno,
                )
                break
            if current not in seen:
                seen.add(current)
                todo.extend(calls.get(current, ()))


def _const(node: nodes.Node) -> object:
    if not isinstance(node, nodes.Expr):
        return None
    try:
        return node.as_const()
    except Exception:  # not a constant (Impossible), or it fails to evaluate
        return None


def _range_size(node: nodes.Node) -> int | None:
    """The number of items of ``range(...)`` with constant arguments."""
    if not (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)):
        return None
    if node.node.name != "range" or node.kwargs or node.dyn_args or node.dyn_kwargs:
        return None
    values = [_const(a) for a in node.args]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if not numbers or len(numbers) != len(values) or len(numbers) > 3:
        return None
    try:
        return len(range(*numbers))
    except OverflowError:  # more numbers than an index can count
        return sys.maxsize
    except (ValueError, TypeError):
        return None


def _product_size(node: nodes.BinExpr) -> int | None:
    """The length of ``'a' * 9`` or ``[1] * 9`` with constant operands."""
    left, right = _const(node.left), _const(node.right)
    if isinstance(left, int) and isinstance(right, (str, list, tuple)):
        left, right = right, left
    if isinstance(left, (str, list, tuple)) and isinstance(right, int):
        return len(left) * max(right, 0)
    return None


def _constant_excess(found: TemplateNodes) -> Iterator[Refusal]:
    for mul in found.find_all(nodes.Mul):
        size = _product_size(mul)
        if size is not None and size > MAX_STRING:
            yield Refusal(
                "DOS-T031",
                f"the expression makes {size:,} characters or items (limit {MAX_STRING:,})",
                mul.lineno,
            )
    for power in found.find_all(nodes.Pow):
        base = _const(power.left)
        exponent = _nested_exponent(power.right)
        if (
            isinstance(base, int)
            and abs(base) > 1
            and exponent is not None
            and exponent * math.log2(abs(base)) > MAX_INT_BITS
        ):
            yield Refusal(
                "DOS-T031", f"the power makes a number beyond {MAX_INT_BITS} bits", power.lineno
            )
    for call in found.find_all(nodes.Call):
        size = _range_size(call)
        if size is not None and size > MAX_ITEMS:
            yield Refusal(
                "DOS-T031", f"range of {size:,} numbers (limit {MAX_ITEMS:,})", call.lineno
            )
    for node in found.find_all((nodes.Call, nodes.Filter, nodes.Mod)):
        width = _constant_width(node)
        if width > MAX_STRING:
            yield Refusal(
                "DOS-T031",
                f"the expression pads or repeats to {width:,} characters or items "
                f"(limit {MAX_STRING:,})",
                node.lineno,
            )
    for loop in found.find_all(nodes.For):
        total = _loop_iterations(loop)
        if total > MAX_CALLS_AND_ITERATIONS:
            yield Refusal(
                "DOS-T031",
                f"nested loops run {total:,} times (limit {MAX_CALLS_AND_ITERATIONS:,})",
                loop.lineno,
            )
            break


_SIZED_FILTERS = frozenset({"center", "indent", "batch", "slice"})
_SIZED_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")


def _constant_width(node: nodes.Node) -> int:
    """The largest constant width, padding or count an expression asks a string or
    list to grow to: ``x | center(9)``, ``x.ljust(9)``, ``'%9s' % x``, ``'{:9}'.format(x)``."""
    numbers: list[int] = []
    if isinstance(node, nodes.Filter) and node.name in _SIZED_FILTERS:
        numbers = [v for v in map(_const, node.args[:1]) if isinstance(v, int)]
    elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        receiver = _const(node.node.node)
        if node.node.attr in _SIZED_METHODS:
            numbers = [v for v in map(_const, node.args) if isinstance(v, int)]
        elif node.node.attr in {"format", "format_map"} and isinstance(receiver, str):
            numbers = [int(d) for spec in _BRACE_SPEC.findall(receiver) for d in _digits(spec)]
    elif isinstance(node, nodes.Mod):
        text = _const(node.left)
        if isinstance(text, str):
            numbers = [int(d) for pair in _PERCENT_WIDTH.findall(text) for d in pair if d]
    return max((n for n in numbers if not isinstance(n, bool)), default=0)


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def _nested_exponent(node: nodes.Node) -> float | None:
    """The value of a constant exponent, ``10 ** 10`` included, without computing it."""
    value = _const(node) if not isinstance(node, nodes.Pow) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(node, nodes.Pow):
        base, exponent = _const(node.left), _nested_exponent(node.right)
        if isinstance(base, (int, float)) and exponent is not None and base > 0:
            try:
                return float(float(base) ** min(exponent, 1e3))
            except OverflowError:
                return math.inf
    return None


def _loop_iterations(loop: nodes.For) -> int:
    """Iterations of a loop over a constant range times those of its innermost nested
    constant loops (1 when the loop's size is not constant)."""
    size = _range_size(loop.iter) or 1
    inner = [
        _loop_iterations(child)
        for node in loop.body
        for child in ([node] if isinstance(node, nodes.For) else node.find_all(nodes.For))
    ]
    return size * max(inner, default=1)
