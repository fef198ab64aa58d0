"""The strict number reader: a value is read under the declared convention or refused."""

from __future__ import annotations

import pytest

from dossier.load.numbers import NumberError, NumberFormat, parse_number

POINT = NumberFormat()
COMMA = NumberFormat(decimal="comma")


@pytest.mark.parametrize(
    ("text", "fmt", "value"),
    [
        ("12", POINT, 12.0),
        ("-1.5", POINT, -1.5),
        ("+0.25", POINT, 0.25),
        (".5", POINT, 0.5),
        ("1.5e-3", POINT, 0.0015),
        ("2E6", POINT, 2e6),
        (" 7 ", POINT, 7.0),
        ("1,5", COMMA, 1.5),
        ("-0,125", COMMA, -0.125),
        ("1,200", NumberFormat(thousands="comma"), 1200.0),
        ("1,200,000.5", NumberFormat(thousands="comma"), 1200000.5),
        ("1200", NumberFormat(thousands="comma"), 1200.0),
        ("1.200,5", NumberFormat(decimal="comma", thousands="point"), 1200.5),
        ("1 200,5", NumberFormat(decimal="comma", thousands="space"), 1200.5),
        ("1\u00a0200", NumberFormat(thousands="space"), 1200.0),
        ("1\u202f200", NumberFormat(thousands="space"), 1200.0),
    ],
)
def test_numbers_under_their_convention(text: str, fmt: NumberFormat, value: float) -> None:
    assert parse_number(text, fmt) == value


def _refused(text: str, fmt: NumberFormat = POINT) -> NumberError:
    with pytest.raises(NumberError) as info:
        parse_number(text, fmt)
    return info.value


def test_a_thousands_comma_is_ambiguous_unless_declared() -> None:
    error = _refused("1,200")
    assert error.code == "DOS-D009"
    assert error.message.startswith("'1,200' is ambiguous: declare the file's number convention")
    # both readings are named, so the user sees what is at stake
    assert "thousands: comma reads it as 1200" in error.message
    assert "decimal: comma reads it as 1.2" in error.message
    assert error.hint is not None
    assert "decimal" in error.hint
    assert "thousands" in error.hint


@pytest.mark.parametrize(
    ("text", "fmt", "suggestion"),
    [
        ("10,5", POINT, "with decimal: comma it reads as 10.5"),
        ("1.5", COMMA, "with decimal: point it reads as 1.5"),
        ("1 200", POINT, "with thousands: space it reads as 1200"),
        ("1.200,5", POINT, "with decimal: comma, thousands: point it reads as 1200.5"),
        ("1,200,000", POINT, "with thousands: comma it reads as 1200000"),
    ],
)
def test_another_convention_is_named_not_guessed(
    text: str, fmt: NumberFormat, suggestion: str
) -> None:
    error = _refused(text, fmt)
    assert error.code == "DOS-D009"
    assert suggestion in error.message


def test_a_declared_thousands_separator_needs_groups_of_three() -> None:
    error = _refused("1,20", NumberFormat(thousands="comma"))
    assert error.code == "DOS-D009"
    assert "decimal: comma" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1_000", "'_'"),
        ("١٢٣", "U+0661 ARABIC-INDIC DIGIT ONE"),
        ("१२", "digits other than 0-9"),
        ("１２", "digits other than 0-9"),
        ("nan", "not a number"),
        ("NaN", "not a number"),
        ("inf", "infinity"),
        ("-Infinity", "infinity"),
        ("1e999", "too large"),
        ("\u22125", "minus sign"),
        ("abc", "not a number"),
        ("0x10", "not a number"),
        ("1.2.3", "not a number"),
        ("", "not a number"),
    ],
)
def test_what_float_would_take_is_refused(text: str, words: str) -> None:
    error = _refused(text)
    assert error.code == "DOS-D004"
    assert words in error.message


def test_a_convention_cannot_use_one_character_twice() -> None:
    with pytest.raises(ValueError, match="cannot both be"):
        NumberFormat(decimal="comma", thousands="comma")
    with pytest.raises(ValueError, match="must be one of"):
        NumberFormat(thousands="apostrophe")  # type: ignore[arg-type]
