"""Shelf life from stability data by ICH Q1E (Appendix B): poolability and confidence limits.

For one quantitative attribute studied on one or more batches:

1. Three least-squares models of the result on time are fitted: separate intercepts and
   slopes per batch (the full ANCOVA model), a common slope with separate intercepts,
   and one line for all batches.
2. Poolability is tested as Q1E describes, at a significance level of 0.25: first the
   equality of slopes (F test of the common-slope model against the full model); when
   the slopes are poolable, the equality of intercepts (F test of the single line against
   the common-slope model, with the common-slope model's residual variance, since the
   full model has already been set aside). The model is the single line when both are
   poolable, the common slope when only the slopes are, separate lines otherwise.
3. The shelf life estimate is the earliest time at which the one-sided 95 % confidence
   limit of the mean response of the chosen model meets an acceptance limit: the lower
   confidence limit against the lower acceptance limit, the upper one against the upper
   limit (both when both are given: Q1E's two one-sided limits), over every batch's line
   when the lines are not pooled (the worst batch decides). The residual variance and
   degrees of freedom are those of the chosen model (for separate lines, the full
   ANCOVA model's, pooled over batches).

Nothing here decides how far beyond the data a shelf life may go: that is the
analysis's (:mod:`dossier.analysis.stability`), which passes the horizon to search.
A fit that cannot be made returns a typed reason, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from dossier.compute.memo import memoized

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "ALPHA_POOLING",
    "CONFIDENCE",
    "Crossing",
    "FitLine",
    "Model",
    "Q1EFit",
    "Reason",
    "fit_q1e",
]

ALPHA_POOLING = 0.25
"""Significance level of the poolability tests (ICH Q1E, Appendix B.2)."""
CONFIDENCE = 0.95
"""One-sided confidence level of the limit that must stay within the criterion."""

Model = Literal["pooled", "common_slope", "separate", "single_batch"]
Reason = Literal["no_data", "too_few_points", "one_time_point", "zero_variance"]
Side = Literal["lower", "upper"]


@dataclass(frozen=True, slots=True)
class FitLine:
    """A fitted line with the variances that give its confidence limit at any time.

    ``batch`` is ``None`` for the line of all batches pooled. The variance of the fitted
    mean at time t is ``var_intercept + 2 t cov + t² var_slope``.
    """

    batch: str | None
    intercept: float
    slope: float
    var_intercept: float
    cov: float
    var_slope: float

    def mean(self, t: float) -> float:
        """The fitted mean at time ``t``."""
        return self.intercept + self.slope * t

    def half_width(self, t: float, quantile: float) -> float:
        """``quantile`` times the standard error of the fitted mean at ``t``."""
        var = self.var_intercept + 2.0 * t * self.cov + t * t * self.var_slope
        return quantile * math.sqrt(max(var, 0.0))


@dataclass(frozen=True, slots=True)
class Crossing:
    """Where a one-sided confidence limit meets an acceptance limit."""

    time: float
    side: Side
    batch: str | None


@dataclass(frozen=True, slots=True)
class Q1EFit:
    """The Q1E analysis of one attribute; ``reason`` says why it could not be made.

    ``p_slopes`` / ``p_intercepts`` are ``None`` when the test was not made (one batch;
    intercepts when the slopes are not poolable). ``crossing`` is ``None`` when no
    confidence limit meets a limit up to ``horizon``.
    """

    n: int
    batches: tuple[str, ...]
    reason: Reason | None = None
    detail: str = ""
    model: Model | None = None
    f_slopes: float | None = None
    df_slopes: tuple[int, int] | None = None
    p_slopes: float | None = None
    f_intercepts: float | None = None
    df_intercepts: tuple[int, int] | None = None
    p_intercepts: float | None = None
    lines: tuple[FitLine, ...] = ()
    df_residual: int | None = None
    sigma: float | None = None
    quantile: float | None = None
    crossing: Crossing | None = None
    horizon: float | None = None
    longest_time: float | None = None

    @property
    def analysed(self) -> bool:
        """True when a model was fitted and the limits searched."""
        return self.reason is None

    def limit(self, line: FitLine, t: float, side: Side) -> float:
        """The one-sided confidence limit of ``line`` at ``t`` (lower or upper)."""
        assert self.quantile is not None
        half = line.half_width(t, self.quantile)
        return line.mean(t) - half if side == "lower" else line.mean(t) + half


@dataclass(frozen=True, slots=True)
class _Ls:
    """One least-squares fit: coefficients, their covariance over sigma², RSS, df."""

    beta: np.ndarray
    xtx_inv: np.ndarray
    rss: float
    df: int


def _ls(design: np.ndarray, y: np.ndarray) -> _Ls:
    import numpy as np

    xtx_inv = np.linalg.inv(design.T @ design)
    beta = xtx_inv @ design.T @ y
    resid = y - design @ beta
    return _Ls(beta, xtx_inv, float(resid @ resid), int(design.shape[0] - design.shape[1]))


def _f_test(reduced: _Ls, full: _Ls) -> tuple[float, tuple[int, int], float]:
    from scipy import special

    df1 = reduced.df - full.df
    f = ((reduced.rss - full.rss) / df1) / (full.rss / full.df)
    return float(f), (df1, full.df), float(special.fdtrc(df1, full.df, f))


@memoized
def fit_q1e(
    times: Sequence[float],
    values: Sequence[float],
    batches: Sequence[str],
    lower: float | None,
    upper: float | None,
    horizon: float,
) -> Q1EFit:
    """The Q1E analysis of results ``values`` at ``times`` of ``batches`` (parallel lists).

    ``lower`` / ``upper``: the acceptance limits (at least one); ``horizon``: the latest
    time at which a crossing is searched for. Each batch needs three results at two or
    more time points, so that its own line leaves a residual degree of freedom.
    """
    import numpy as np

    order = list(dict.fromkeys(batches))
    n = len(values)
    base = Q1EFit(n=n, batches=tuple(order))
    if n == 0:
        return _with(base, "no_data", "no results")
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    longest = float(t.max())
    for batch in order:
        mine = t[[b == batch for b in batches]]
        if len(mine) < 3:
            return _with(base, "too_few_points", f"batch {batch} has {len(mine)} result(s)")
        if len(set(mine.tolist())) < 2:
            return _with(base, "one_time_point", f"batch {batch} is tested at one time point")
    k = len(order)
    member = np.array([[1.0 if b == batch else 0.0 for batch in order] for b in batches])
    one = np.ones((n, 1))
    pooled = _ls(np.hstack([one, t[:, None]]), y)
    zero = (1e-12 * max(1.0, float(np.abs(y).max()))) ** 2 * n
    if k == 1:
        if pooled.rss <= zero:
            return _with(base, "zero_variance", "the results lie exactly on a line")
        return _limits(base, "single_batch", pooled, [None], lower, upper, horizon, longest)
    common = _ls(np.hstack([member, t[:, None]]), y)
    full = _ls(np.hstack([member, member * t[:, None]]), y)
    if full.df < 1:
        return _with(base, "too_few_points", "no residual degree of freedom")
    if full.rss <= zero:
        return _with(base, "zero_variance", "every batch's results lie exactly on its line")
    slopes = _f_test(common, full)
    if slopes[2] < ALPHA_POOLING:
        found = _limits(base, "separate", full, list(order), lower, upper, horizon, longest)
        return replace(found, f_slopes=slopes[0], df_slopes=slopes[1], p_slopes=slopes[2])
    intercepts = _f_test(pooled, common)
    if intercepts[2] < ALPHA_POOLING:
        found = _limits(base, "common_slope", common, list(order), lower, upper, horizon, longest)
    else:
        found = _limits(base, "pooled", pooled, [None], lower, upper, horizon, longest)
    return replace(
        found,
        f_slopes=slopes[0],
        df_slopes=slopes[1],
        p_slopes=slopes[2],
        f_intercepts=intercepts[0],
        df_intercepts=intercepts[1],
        p_intercepts=intercepts[2],
    )


def _with(base: Q1EFit, reason: Reason, detail: str) -> Q1EFit:
    return Q1EFit(n=base.n, batches=base.batches, reason=reason, detail=detail)


def _lines(model: Model, fit: _Ls, names: list[str | None]) -> list[FitLine]:
    """The line of each batch (or the pooled line) with its coefficient covariance."""
    sigma2 = fit.rss / fit.df
    cov = fit.xtx_inv * sigma2
    k = len(names)
    lines = []
    for i, name in enumerate(names):
        if model in {"pooled", "single_batch"}:
            a, b = 0, 1
        elif model == "common_slope":
            a, b = i, k
        else:
            a, b = i, k + i
        lines.append(
            FitLine(
                name,
                float(fit.beta[a]),
                float(fit.beta[b]),
                float(cov[a, a]),
                float(cov[a, b]),
                float(cov[b, b]),
            )
        )
    return lines


def _limits(
    base: Q1EFit,
    model: Model,
    fit: _Ls,
    names: list[str | None],
    lower: float | None,
    upper: float | None,
    horizon: float,
    longest: float,
) -> Q1EFit:
    from scipy import special

    lines = _lines(model, fit, names)
    quantile = float(special.stdtrit(fit.df, CONFIDENCE))
    result = Q1EFit(
        n=base.n,
        batches=base.batches,
        model=model,
        lines=tuple(lines),
        df_residual=fit.df,
        sigma=math.sqrt(fit.rss / fit.df),
        quantile=quantile,
        horizon=horizon,
        longest_time=longest,
    )
    found: list[Crossing] = []
    sides: list[tuple[Side, float]] = []
    if lower is not None:
        sides.append(("lower", lower))
    if upper is not None:
        sides.append(("upper", upper))
    for line in lines:
        for side, limit in sides:
            when = _first_crossing(result, line, side, limit, horizon)
            if when is not None:
                found.append(Crossing(when, side, line.batch))
    crossing = min(found, key=lambda c: c.time) if found else None
    return replace(result, crossing=crossing)


def _first_crossing(
    fit: Q1EFit, line: FitLine, side: Side, limit: float, horizon: float
) -> float | None:
    """The earliest time in [0, horizon] where the confidence limit meets ``limit``.

    The limit is searched on a fine grid for the first sign change and refined there by
    Brent's method; a limit already outside at time 0 crosses at 0.
    """
    import numpy as np
    from scipy.optimize import brentq

    def gap(t: float) -> float:
        # positive while the confidence limit is within the acceptance limit
        value = fit.limit(line, t, side)
        return value - limit if side == "lower" else limit - value

    if gap(0.0) <= 0:
        return 0.0
    grid = np.linspace(0.0, horizon, 2001)
    previous = 0.0
    for point in grid[1:]:
        here = float(point)
        if gap(here) <= 0:
            return float(brentq(gap, previous, here, xtol=1e-12, rtol=1e-12))
        previous = here
    return None
