"""The Jinja environment every Word template is rendered in.

Templates are data that anybody on a team can edit in Word, so they are rendered in a
sandbox (no access to Python internals), with autoescaping (``&`` and ``<`` in the data
stay text instead of breaking the XML) and ``StrictUndefined`` (a misspelt field fails
instead of rendering blank). A ``None`` that reaches a template is an error: a blank lot
number in a dossier is worse than a failed build.

The sandbox is also bounded (the limits are in :mod:`dossier.word.guard`): a template
that includes another, turns escaping off or defines a macro that calls itself is refused
before it runs; while it runs, every loop iteration and call is counted against one
budget with a time limit, and an operator, method or filter that would make a string or
list beyond its size limit is refused before it allocates anything.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from dossier.core import jinja_code
from dossier.core.jinja_code import CodeStore
from dossier.word.guard import (
    MAX_CALLS_AND_ITERATIONS,
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_SECONDS,
    MAX_STRING,
    Refusal,
    TemplateNodes,
    source_refusals,
)

__all__ = [
    "BRACES",
    "NoneInDocumentError",
    "TemplateBudgetError",
    "TemplateRefusedError",
    "keep_compiled",
    "make_environment",
]

BRACES = {"{": "\ue000", "}": "\ue001"}
"""Stand-ins (private-use characters) for braces in printed values while the output is
checked for leftover template syntax; the engine puts the braces back afterwards."""
_HIDE = str.maketrans(BRACES)


class NoneInDocumentError(ValueError):
    """A template printed a value that is ``None``."""


class TemplateBudgetError(RuntimeError):
    """A template went beyond its budget while it was rendered (``DOS-T031``)."""


class TemplateRefusedError(ValueError):
    """A template source holds a construct the build refuses (see :mod:`dossier.word.guard`)."""

    def __init__(self, refusal: Refusal) -> None:
        where = f" (line {refusal.line} of the part's template source)" if refusal.line else ""
        super().__init__(refusal.message + where)
        self.code = refusal.code


_WIDTH = re.compile(r"%[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?[a-zA-Z%]")
_FORMAT_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")
_PADDING_METHODS = {"ljust", "rjust", "center", "zfill"}


def _finalize(value: Any) -> Any:
    if value is None:
        raise NoneInDocumentError("a value printed by the template is empty (None)")
    if type(value) is str:  # data, not markup: its braces are not template syntax
        return value.translate(_HIDE)
    return value


class _DataSandbox(SandboxedEnvironment):
    """The sandbox, reading the keys of plain dicts first.

    View models reach templates as plain dicts, so ``row.value`` is a key; Jinja's default
    order (attribute first, then key) raises and catches an AttributeError for every
    field printed, in every cell of a long table.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.spent = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.globals.pop("lipsum", None)  # text of any length, made up
        self.filters.pop("random", None)  # a draft is the same for the same inputs
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _checked_filter(self.filters[name], check)
        self.filters["dossier_budget"] = self.budgeted

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        """As Jinja's, with the code of a template part compiled once and kept between
        builds (:mod:`dossier.core.jinja_code`): docxtpl compiles every part of a
        template on every render. A part the guard refuses is never compiled, so never
        kept."""
        if not isinstance(source, str) or template_class is not None:
            return super().from_string(source, globals, template_class)
        return jinja_code.template(self, _code_store(), source, globals)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    # -- the budget

    def spend(self) -> None:
        """Count one loop iteration or call; stop beyond the budget or the time limit."""
        self.spent += 1
        if self.spent > MAX_CALLS_AND_ITERATIONS:
            raise TemplateBudgetError(
                f"the template ran more than {MAX_CALLS_AND_ITERATIONS:,} loop iterations and calls"
            )
        if not self.spent & 0x3FF and time.monotonic() > self.deadline:
            raise TemplateBudgetError(f"the template ran longer than {MAX_SECONDS:g} s")

    def budgeted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """The items of a loop, each counted (every ``for`` of a template goes through here)."""
        for item in iterable:
            self.spend()
            yield item

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        """Refuse what the guard refuses, and count every loop, before compiling."""
        found = TemplateNodes(source)  # one walk for the refusals and the loops
        refusals = source_refusals(found)
        if refusals:
            raise TemplateRefusedError(refusals[0])
        for loop in list(found.find_all(nodes.For)):
            loop.iter = nodes.Filter(
                loop.iter, "dossier_budget", [], [], None, None, lineno=loop.lineno
            )
        return super()._generate(source, name, filename, defer_init)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.spend()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        elif (
            operator == "+"
            and isinstance(left, (str, list, tuple))
            and isinstance(right, (str, list, tuple))
        ):
            _check_size(len(left) + len(right), left)
        return super().call_binop(context, operator, left, right)


def _too_large(size: int, sample: object) -> TemplateBudgetError:
    limit, what = (MAX_STRING, "characters") if isinstance(sample, str) else (MAX_ITEMS, "items")
    return TemplateBudgetError(f"the template makes {size:,} {what} (limit {limit:,})")


def _check_size(size: int, sample: object) -> None:
    limit = MAX_STRING if isinstance(sample, str) else MAX_ITEMS
    if size > limit:
        raise _too_large(size, sample)


def _check_repeat(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, (str, list, tuple)):
        left, right = right, left
    if isinstance(left, (str, list, tuple)) and isinstance(right, int):
        _check_size(len(left) * max(right, 0), left)


def _check_power(left: Any, right: Any) -> None:
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and abs(left) > 1
        and right > 0
        and right * math.log2(abs(left)) > MAX_INT_BITS
    ):
        raise TemplateBudgetError(f"the template makes a number beyond {MAX_INT_BITS} bits")


def _check_width(width: int) -> None:
    if width > MAX_STRING:
        raise TemplateBudgetError(
            f"the template pads a value to {width:,} characters (limit {MAX_STRING:,})"
        )


def _check_percent(text: str, values: Any) -> None:
    stars = [v for v in (values if isinstance(values, tuple) else (values,)) if isinstance(v, int)]
    for width, precision in _WIDTH.findall(text):
        for part in (width, precision):
            if part.isdigit():
                _check_width(int(part))
    for value in stars:
        _check_width(abs(value))


def _check_str_method(
    text: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    values = [*args, *kwargs.values()]
    if method in _PADDING_METHODS or method == "expandtabs":
        for value in values:
            if isinstance(value, int):
                _check_width(value * (text.count("\t") + 1 if method == "expandtabs" else 1))
    elif method in {"format", "format_map"}:
        for spec in _FORMAT_SPEC.findall(text):
            for width in re.findall(r"\d+", spec):
                _check_width(int(width))
    elif method == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        _check_replace(text, args[0], args[1])
    elif method == "join" and args and isinstance(args[0], (list, tuple)):
        items = args[0]
        _check_size(sum(len(str(i)) for i in items) + len(text) * len(items), text)


def _check_replace(text: str, old: str, new: str) -> None:
    count = text.count(old) if old else len(text) + 1
    _check_size(len(text) + count * max(len(new) - len(old), 0), text)


def _check_center(value: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    if isinstance(width, int):
        _check_width(width)


def _check_indent(value: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    lines = str(value).count("\n") + 1
    size = width if isinstance(width, int) else len(str(width))
    _check_width(lines * size)


def _check_batch(value: Any, count: Any = 1, *_: Any, **__: Any) -> None:
    if isinstance(count, int) and count > MAX_ITEMS:
        raise _too_large(count, [])


def _check_format(value: Any, *args: Any, **__: Any) -> None:
    if isinstance(value, str):
        _check_percent(value, args)


def _check_replace_filter(value: Any, old: Any = "", new: Any = "", *_: Any, **__: Any) -> None:
    if isinstance(old, str) and isinstance(new, str):
        _check_replace(str(value), old, new)


def _check_join(value: Any, d: Any = "", *_: Any, **__: Any) -> None:
    if isinstance(value, (list, tuple)):
        _check_size(sum(len(str(i)) for i in value) + len(str(d)) * len(value), "")


_FILTER_CHECKS = {
    "center": _check_center,
    "indent": _check_indent,
    "batch": _check_batch,
    "slice": _check_batch,
    "format": _check_format,
    "replace": _check_replace_filter,
    "join": _check_join,
}
"""Filters that could make a string or list of any size, and the check run before each."""


def _checked_filter(function: Any, check: Any) -> Any:
    """``function`` with ``check`` run on its arguments first (Jinja's pass-through
    markers of the original, such as the eval context, are kept)."""
    import functools

    from jinja2.utils import _PassArg

    passed = _PassArg.from_obj(function)

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(*(args[1:] if passed is not None else args), **kwargs)
        return function(*args, **kwargs)

    return checked


@functools.cache
def _code_store() -> CodeStore:
    """The compiled code of template parts, kept between builds for this environment
    (made from this module and the guard: a change to either is a new store)."""
    here = Path(__file__).resolve().parent
    return CodeStore("templates", [here / "env.py", here / "guard.py"])


def keep_compiled() -> None:
    """Keep the code compiled for template parts in this process for the next build."""
    _code_store().save()


def make_environment() -> SandboxedEnvironment:
    """A sandboxed, autoescaping, strict environment (docxtpl renders with it)."""
    env = _DataSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=False,
    )
    # templates only loop and print: no filters that reach the file system or the clock
    return env
