"""Formatting of numbers, quantities and dates for the drafts (never in templates).

Numbers get a fixed number of significant figures; large and small numbers are written
with a Unicode power of ten (``2.0 × 10⁶``), as regulatory texts do. No function here
returns "None" or "nan": a missing value is the caller's :class:`Missing` placeholder.
"""

from __future__ import annotations

import datetime as dt

from dossier.core.i18n import format_date
from dossier.core.i18n import gettext as _
from dossier.core.numfmt import given, number, sig
from dossier.drafts.blocks import Missing

__all__ = [
    "count_word",
    "date",
    "given",
    "join_items",
    "join_words",
    "number",
    "or_missing",
    "plural",
    "quantity",
    "range_text",
    "sig",
]


def quantity(value: float, unit: str, digits: int = 3) -> str:
    """A number with its unit; "%" is written without a space."""
    text = number(value, digits)
    return f"{text} %" if unit == "%" else f"{text} {unit}"


def range_text(lower: float | None, upper: float | None, unit: str) -> str:
    """ "50–200 %", "≥ 500 pg/mL", "≤ 5 copies" (limits as written in the project file)."""
    suffix = f" {unit}" if unit else ""
    if lower is not None and upper is not None:
        return f"{given(lower)}–{given(upper)}{suffix}"
    if lower is not None:
        return f"≥ {given(lower)}{suffix}"
    if upper is not None:
        return f"≤ {given(upper)}{suffix}"
    return "report result"


def date(value: dt.date) -> str:
    """Dates as "15 October 2026" (unambiguous in every EU country), "15 oktober 2026" in
    a document written in Dutch."""
    return format_date(value)


_NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def count_word(n: int) -> str:
    """A count in words up to twelve ("three"), in digits above ("14")."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def plural(n: int, singular: str, many: str | None = None) -> str:
    """The noun for ``n`` things: "procedure", "procedures" (or the irregular ``many``)."""
    return singular if n == 1 else (many or singular + "s")


def join_words(items: list[str], last: str | None = None) -> str:
    """ "A", "A and B", "A, B and C" (a comma before ``last`` only when an item has one);
    ``last`` defaults to "and" in the language of the document."""
    if len(items) <= 1:
        return "".join(items)
    if last is None:
        last = _("and")
    head = ", ".join(items[:-1])
    comma = "," if any("," in i for i in items) else ""
    return f"{head}{comma} {last} {items[-1]}"


def join_items(items: list[str]) -> str:
    """Items of a list in one sentence: "A; B" for phrases, "A. B." for items that are
    sentences themselves (never "A.; B.")."""
    items = [i.strip() for i in items if i.strip()]
    if any(i.endswith((".", "!", "?")) for i in items):
        sentences = [i[0].upper() + i[1:] for i in items]
        return " ".join(i if i.endswith((".", "!", "?")) else i + "." for i in sentences)
    return "; ".join(items)


def or_missing(value: str | None, path: str, label: str) -> str | Missing:
    """The text, or a placeholder naming the YAML path that would fill it."""
    if value is None or not str(value).strip():
        return Missing(path, label)
    return str(value)
