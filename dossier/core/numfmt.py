"""Numbers as documents print them: significant figures, Unicode powers of ten, p-values.

One formatter for every stage that writes a number into text a reader sees (the
analysis stage's reasons and calculation steps, and the drafts), so that one table
never mixes ``4e+07`` with ``4.00 × 10⁷``.
"""

from __future__ import annotations

import math

__all__ = ["P_FLOOR", "given", "number", "p_text", "printed", "sig"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

P_FLOOR = 0.001
"""p-values below this are printed as "p < 0.001": more digits say nothing a reader uses."""


def sig(value: float, digits: int = 3) -> str:
    """``value`` rounded to ``digits`` significant figures, without scientific notation."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - exponent, 0)
    return f"{round(value, decimals):.{decimals}f}"


def number(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant figures; powers of ten outside 0.001–100,000."""
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be shown in a document")
    if value != 0 and not (1e-3 <= abs(value) < 1e5):
        exponent = math.floor(math.log10(abs(value)))
        mantissa = value / 10**exponent
        if round(mantissa, digits - 1) >= 10:
            mantissa /= 10
            exponent += 1
        return f"{mantissa:.{digits - 1}f} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    return sig(value, digits)


def p_text(p: float) -> str:
    """ "p = 0.38", "p = 0.0012", "p < 0.001"; a non-finite p as "p not computed"."""
    if not math.isfinite(p):
        return "p not computed"
    if p < P_FLOOR:
        return f"p < {P_FLOOR:g}"
    # three significant figures: a p of 0.0499 must not read as 0.05 beside a 0.05 limit
    return f"p = {p:.3g}"


def given(value: float) -> str:
    """A number as the user wrote it (limits, doses): no padding zeros, powers of ten if large."""
    if value != 0 and not (1e-3 <= abs(value) < 1e5):
        return number(value, 3)
    return f"{value:g}"


def printed(value: object) -> object:
    """What a template prints for a value: a finite float as :func:`given` writes it (a
    message says "2.00 × 10¹² vg/kg", never "2e+12"), anything else unchanged."""
    if isinstance(value, float) and math.isfinite(value):
        return given(value)
    return value
