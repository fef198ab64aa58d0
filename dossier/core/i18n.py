"""Messages in the reader's language: English source strings, Dutch from a catalogue.

English is the source language: every message is written in English in the code, the
outlines, the Dutch-route data and the rule catalogue. ``dossier/locale/nl/LC_MESSAGES/
dossier.po`` holds the Dutch translations (see :mod:`dossier.locale.catalogue` for
extraction and the ``--check`` run in CI).

The language is set for the duration of one document (:func:`language`); everything that
writes that document's text asks :func:`gettext` (imported as ``_``) for the message in the
active language. In English, :func:`gettext` returns its argument and no catalogue is read,
so a build without Dutch documents never loads one.

``N_`` marks a string for extraction without translating it where it is defined (module
constants); it is translated with ``_`` where it is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

__all__ = [
    "LANGUAGES",
    "N_",
    "TRANSLATED_DOCUMENTS",
    "Language",
    "Phrase",
    "active_language",
    "catalogue",
    "format_date",
    "gettext",
    "language",
    "translator",
]

Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")
DOMAIN = "dossier"

TRANSLATED_DOCUMENTS = ("ctr-map", "gmo-era", "readiness")
"""The documents written in the project's language (``project.document.language``): the
ones read by Dutch assessors. The IMPD and the briefing document are always English."""

_active: ContextVar[Language] = ContextVar("dossier_language", default="en")


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is printed."""
    return message


def active_language() -> Language:
    """The language of the document being written."""
    return _active.get()


@contextmanager
def language(code: Language) -> Iterator[None]:
    """Write the text made inside the block in ``code``."""
    token = _active.set(code)
    try:
        yield
    finally:
        _active.reset(token)


@cache
def catalogue(code: Language) -> dict[str, str]:
    """The translations of one language (msgid -> msgstr), read from its ``.po`` file.

    Untranslated and fuzzy entries are left out, so that a message without a reviewed
    translation stays visibly English (and the catalogue check names it)."""
    if code == "en":
        return {}
    from babel.messages.pofile import read_po

    po = resources.files("dossier.locale").joinpath(code, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as handle:
        messages = read_po(handle, locale=code)
    return {
        str(m.id): str(m.string)
        for m in messages
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
        if not m.fuzzy
    }


def translator(code: Language) -> Callable[[str], str]:
    """A function translating a message into ``code`` (the message itself when the
    catalogue lacks it)."""
    if code == "en":
        return lambda message: message
    table = catalogue(code)
    return lambda message: table.get(message, message)


def gettext(message: str) -> str:
    """``message`` in the active language."""
    code = _active.get()
    if code == "en":
        return message
    return catalogue(code).get(message, message)


@dataclass(frozen=True)
class Phrase:
    """A message kept as its English template and values, put into words when printed.

    A typed result computed once (a verdict's reasons, how a date was reached) says what
    it means in a phrase; the document that prints it chooses the language. A value that
    is a :class:`Phrase` itself is translated too; other values are printed as given."""

    template: str
    values: tuple[tuple[str, str | Phrase], ...] = ()

    def text(self) -> str:
        """The phrase in the language of the document being written."""
        values = {k: v.text() if isinstance(v, Phrase) else v for k, v in self.values}
        return gettext(self.template).format(**values) if values else gettext(self.template)

    def __str__(self) -> str:
        return self.text()


def format_date(value: dt.date) -> str:
    """A date as the reader of the active language writes it: "15 October 2026" in
    English, "15 oktober 2026" in Dutch (Babel's CLDR month names)."""
    code = _active.get()
    if code == "en":
        return f"{value.day} {value:%B %Y}"
    from babel.dates import format_date as babel_date

    return str(babel_date(value, "d MMMM y", locale=code))
