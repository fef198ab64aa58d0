"""Fieller's theorem: confidence limits for a ratio of two estimates.

For m = a / b with variances v11 = Var(a), v22 = Var(b), covariance v12 and the
two-sided Student t quantile t, let g = t² v22 / b². When g >= 1 the denominator is not
significantly different from zero and no finite limits exist (the assay is invalid).
Otherwise the limits are

    [ m - g v12/v22 ± (t/|b|) sqrt(v11 - 2 m v12 + m² v22 - g (v11 - v12²/v22)) ] / (1 - g)

(Ph. Eur. 5.3, section 3.2.5; Finney, *Statistical Method in Biological Assay*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["FiellerResult", "fieller"]


@dataclass(frozen=True, slots=True)
class FiellerResult:
    """The ratio, its limits (None when they do not exist) and g."""

    ratio: float
    lower: float | None
    upper: float | None
    g: float

    @property
    def bounded(self) -> bool:
        """True when finite limits exist (g < 1)."""
        return self.lower is not None


def fieller(a: float, b: float, v11: float, v22: float, v12: float, t: float) -> FiellerResult:
    """Confidence limits of a/b by Fieller's theorem (see the module docstring)."""
    if b == 0 or not math.isfinite(b):
        return FiellerResult(math.nan, None, None, math.inf)
    m = a / b
    g = t * t * v22 / (b * b)
    if g >= 1 or v22 <= 0:
        return FiellerResult(m, None, None, g)
    radicand = v11 - 2 * m * v12 + m * m * v22 - g * (v11 - v12 * v12 / v22)
    radicand = max(radicand, 0.0)
    centre = m - g * v12 / v22
    half = (t / abs(b)) * math.sqrt(radicand)
    lower = (centre - half) / (1 - g)
    upper = (centre + half) / (1 - g)
    return FiellerResult(m, lower, upper, g)
