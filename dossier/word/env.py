"""The Jinja environment every Word template is rendered in.

Templates are data that anybody on a team can edit in Word, so they are rendered in a
sandbox (no access to Python internals), with autoescaping (``&`` and ``<`` in the data
stay text instead of breaking the XML) and ``StrictUndefined`` (a misspelt field fails
instead of rendering blank). A ``None`` that reaches a template is an error: a blank lot
number in a dossier is worse than a failed build.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["BRACES", "NoneInDocumentError", "make_environment"]

BRACES = {"{": "\ue000", "}": "\ue001"}
"""Stand-ins (private-use characters) for braces in printed values while the output is
checked for leftover template syntax; the engine puts the braces back afterwards."""
_HIDE = str.maketrans(BRACES)


class NoneInDocumentError(ValueError):
    """A template printed a value that is ``None``."""


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

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


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
