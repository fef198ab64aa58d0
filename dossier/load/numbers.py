"""The one reader of numbers written in data files: strict, and explicit about conventions.

A number is ASCII digits with an optional sign, at most one decimal separator and an
optional exponent (``-1.5e-3``). Anything Python's ``float()`` would also take but a
person would not mean as a plain value is refused: underscores (``1_000``), digits of
other scripts (``١٢٣``), ``nan`` and ``inf``.

Whether ``1,200`` means one point two or twelve hundred depends on the convention of the
file, so the convention is declared, never guessed: ``decimal`` is ``point`` (default) or
``comma``, ``thousands`` is ``none`` (default), ``comma``, ``point`` or ``space``. A
value that only makes sense under another convention is an error that says which
convention would read it, and as what.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

__all__ = [
    "DEFAULT",
    "DecimalSeparator",
    "NumberError",
    "NumberFormat",
    "ThousandsSeparator",
    "parse_number",
]

DecimalSeparator = Literal["point", "comma"]
ThousandsSeparator = Literal["none", "comma", "point", "space"]

DECIMALS: tuple[DecimalSeparator, ...] = get_args(DecimalSeparator)
THOUSANDS: tuple[ThousandsSeparator, ...] = get_args(ThousandsSeparator)

_CHAR = {"point": ".", "comma": ",", "space": " "}
# spaces that spreadsheets write between groups of digits (no-break, narrow no-break, thin)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
_NOT_A_NUMBER = {"nan", "+nan", "-nan"}
_INFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


class NumberError(ValueError):
    """A value that is not read as a number, with the reason and the diagnostic code.

    ``code`` is ``DOS-D004`` (not a number) or ``DOS-D009`` (a number whose meaning
    depends on a convention that was not declared)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """The number convention of a data file."""

    decimal: DecimalSeparator = "point"
    thousands: ThousandsSeparator = "none"

    def __post_init__(self) -> None:
        if self.decimal not in DECIMALS:
            raise ValueError(f"decimal must be one of {', '.join(DECIMALS)}, not {self.decimal!r}")
        if self.thousands not in THOUSANDS:
            raise ValueError(
                f"thousands must be one of {', '.join(THOUSANDS)}, not {self.thousands!r}"
            )
        if self.decimal == self.thousands:
            raise ValueError(
                f"the decimal and the thousands separator cannot both be a {self.decimal}"
            )

    def describe(self) -> str:
        """``decimal: comma, thousands: point``."""
        return f"decimal: {self.decimal}, thousands: {self.thousands}"


DEFAULT = NumberFormat()

_ALL_FORMATS = tuple(
    NumberFormat(d, t)
    for d in DECIMALS
    for t in THOUSANDS
    if d != t and (d, t) != ("point", "none")
)

_HINT = (
    "declare the file's number convention next to its reference in the project file "
    "('decimal: point|comma', 'thousands: none|comma|point|space'), or on the command "
    "line with --decimal and --thousands"
)


@cache
def _pattern(fmt: NumberFormat) -> re.Pattern[str]:
    dec = re.escape(_CHAR[fmt.decimal])
    if fmt.thousands == "none":
        whole = r"[0-9]+"
    else:
        sep = re.escape(_CHAR[fmt.thousands])
        whole = rf"(?:[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)"
    mantissa = rf"(?:{whole}(?:{dec}[0-9]*)?|{dec}[0-9]+)"
    return re.compile(rf"[+-]?{mantissa}(?:[eE][+-]?[0-9]+)?")


def _convert(text: str, fmt: NumberFormat) -> float | None:
    """The value of ``text`` under ``fmt``, or None when it is not written that way."""
    if _pattern(fmt).fullmatch(text) is None:
        return None
    plain = text
    if fmt.thousands != "none":
        plain = plain.replace(_CHAR[fmt.thousands], "")
    if fmt.decimal == "comma":
        plain = plain.replace(",", ".")
    return float(plain)


def _non_ascii(text: str) -> NumberError:
    char = next(c for c in text if not c.isascii())
    name = unicodedata.name(char, "a character")
    where = f"'{char}' (U+{ord(char):04X} {name})"
    if unicodedata.category(char) == "Nd":
        return NumberError(
            "DOS-D004",
            f"'{text}' is written with digits other than 0-9: {where}",
            "write numbers with the ASCII digits 0-9",
        )
    if char in "\u2212\u2012\u2013\u2014\ufe63\uff0d":
        return NumberError(
            "DOS-D004",
            f"'{text}' has {where} where the minus sign '-' is expected",
            "type the minus sign as '-' (hyphen-minus)",
        )
    return NumberError("DOS-D004", f"'{text}' is not a number: it contains {where}")


def _reading(value: float) -> str:
    return f"{value:.15g}"


def parse_number(text: str, fmt: NumberFormat = DEFAULT) -> float:
    """The finite number written in ``text`` under the file's convention ``fmt``.

    Raises :class:`NumberError` saying why a value is not read, including which declared
    convention would read it when that is the reason."""
    value = text.strip().translate(_SPACES)
    if not value.isascii():
        raise _non_ascii(value)
    lowered = value.lower()
    if lowered in _NOT_A_NUMBER:
        raise NumberError(
            "DOS-D004",
            f"'{value}' (not a number) is not a value",
            "leave the cell empty, or remove the row, when there is no value",
        )
    if lowered in _INFINITE:
        raise NumberError(
            "DOS-D004",
            f"'{value}' (infinity) is not a value",
            "write the measured value, or leave the cell empty",
        )
    if "_" in value:
        raise NumberError(
            "DOS-D004",
            f"'{value}' contains '_': digits are not grouped with underscores",
            "write the number without '_'",
        )
    number = _convert(value, fmt)
    if number is not None:
        if not math.isfinite(number):
            raise NumberError(
                "DOS-D004", f"'{value}' is too large to be represented (beyond ±1.8e308)"
            )
        return number
    readings: dict[float, list[NumberFormat]] = {}
    for other in (DEFAULT, *_ALL_FORMATS):
        if other == fmt:
            continue
        alternative = _convert(value, other)
        if alternative is not None and math.isfinite(alternative):
            readings.setdefault(alternative, []).append(other)
    if not readings:
        raise NumberError("DOS-D004", f"'{value}' is not a number")
    if len(readings) == 1:
        ((reading, formats),) = readings.items()
        raise NumberError(
            "DOS-D009",
            f"'{value}' is not written in the file's number convention ({fmt.describe()}); "
            f"with {_change(fmt, formats)} it reads as {_reading(reading)}",
            _HINT,
        )
    options = "; ".join(
        f"{_change(fmt, formats)} reads it as {_reading(reading)}"
        for reading, formats in readings.items()
    )
    raise NumberError(
        "DOS-D009",
        f"'{value}' is ambiguous: declare the file's number convention ({options})",
        _HINT,
    )


def _change(declared: NumberFormat, formats: list[NumberFormat]) -> str:
    """The smallest change of the declared convention that reads a value: 'decimal: comma'."""
    best = min(
        formats,
        key=lambda f: (f.decimal != declared.decimal) + (f.thousands != declared.thousands),
    )
    parts = []
    if best.decimal != declared.decimal:
        parts.append(f"decimal: {best.decimal}")
    if best.thousands != declared.thousands:
        parts.append(f"thousands: {best.thousands}")
    return ", ".join(parts)
