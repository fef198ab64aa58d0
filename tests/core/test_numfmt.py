"""Numbers as the documents print them."""

from __future__ import annotations

import pytest

from dossier.core.numfmt import number, p_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4e7, "4.00 × 10⁷"),
        (2e8, "2.00 × 10⁸"),
        (5470.0, "5470"),
        (123456.0, "1.23 × 10⁵"),
        (0.000123, "1.23 × 10⁻⁴"),
        (99999.0, "99999"),
        (9.996e5, "1.00 × 10⁶"),
        (2.0, "2.00"),
    ],
)
def test_numbers_have_significant_figures_and_unicode_powers(value: float, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.38, "p = 0.38"),
        (0.0499, "p = 0.0499"),  # never rounded onto a 0.05 limit
        (0.0012, "p = 0.0012"),
        (0.000999, "p < 0.001"),
        (7.83e-30, "p < 0.001"),
        (float("nan"), "p not computed"),
    ],
)
def test_p_values(p: float, text: str) -> None:
    assert p_text(p) == text
