"""Trend of batch results across batches (out-of-trend signal).

The reportable results of an assay's batches, in order of manufacture, are regressed on
the manufacture date (days since the first batch) by ordinary least squares. The slope
is tested against zero with a two-sided t-test on n - 2 degrees of freedom; a trend is
flagged when p < alpha (default 0.05). With fewer than three batches, or when every batch
was made on the same day, no trend can be tested and none is flagged.

Pure Python: a handful of values does not need numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dossier.compute.memo import memoized

__all__ = ["TrendResult", "batch_trend"]


@dataclass(frozen=True, slots=True)
class TrendResult:
    """Least-squares trend of results over time; ``testable`` is False below 3 batches."""

    n: int
    testable: bool
    slope_per_day: float | None = None
    slope_se: float | None = None
    intercept: float | None = None
    t: float | None = None
    df: int | None = None
    p: float | None = None
    alpha: float = 0.05
    flagged: bool = False
    method: str = (
        "least-squares regression of the batch results on the manufacture date; "
        "two-sided t-test of the slope"
    )

    def text(self, unit: str) -> str:
        """One line for a document or a report."""
        if not self.testable or self.slope_per_day is None or self.p is None:
            return f"no trend test ({self.n} batch(es) with results on distinct dates; 3 needed)"
        per_year = self.slope_per_day * 365.25
        verdict = "trend" if self.flagged else "no significant trend"
        return (
            f"{verdict}: slope {per_year:+.3g} {unit} per year (p = {self.p:.3g}, {self.n} batches)"
        )


@memoized
def batch_trend(days: Sequence[float], values: Sequence[float], alpha: float = 0.05) -> TrendResult:
    """Trend of ``values`` over ``days`` (e.g. days since the first manufacture)."""
    from scipy.special import stdtr

    if len(days) != len(values):
        raise ValueError("days and values must have the same length")
    pairs = [(float(d), float(v)) for d, v in zip(days, values, strict=True)]
    pairs = [(d, v) for d, v in pairs if math.isfinite(d) and math.isfinite(v)]
    n = len(pairs)
    if n < 3:
        return TrendResult(n, False, alpha=alpha)
    mx = sum(d for d, _ in pairs) / n
    my = sum(v for _, v in pairs) / n
    sxx = sum((d - mx) ** 2 for d, _ in pairs)
    if sxx <= 0:
        return TrendResult(n, False, alpha=alpha)
    sxy = sum((d - mx) * (v - my) for d, v in pairs)
    slope = sxy / sxx
    intercept = my - slope * mx
    df = n - 2
    rss = sum((v - intercept - slope * d) ** 2 for d, v in pairs)
    se = math.sqrt(rss / df / sxx)
    if se == 0:
        # a perfect line: any non-zero slope is a trend
        p = 0.0 if slope != 0 else 1.0
        t = math.copysign(math.inf, slope) if slope != 0 else 0.0
    else:
        t = slope / se
        p = float(2.0 * stdtr(df, -abs(t)))
    return TrendResult(n, True, slope, se, intercept, t, df, p, alpha, p < alpha)
