"""Combining independent potency estimates (Ph. Eur. 5.3, section 6) and run statistics.

Each estimate enters on the log scale with its weight w = 1/Var(ln R), where the
variance is recovered from the estimate's confidence limits and the Student t quantile
of its own degrees of freedom: Var = ((ln U - ln L) / (2 t))². Homogeneity is tested
with chi² = Σ w (ln R - ln R̄)² on n - 1 degrees of freedom; when the estimates are
heterogeneous (p < alpha) a between-assay variance component is added to every
estimate's variance (semi-weighted combination). The combined limits use the normal
quantile with the total weight.

Also the geometric mean and geometric coefficient of variation (GCV = exp(s) - 1, s
the SD of ln values) of replicate runs, with a t-based confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Combined", "Estimate", "GeometricSummary", "combine_estimates", "geometric_summary"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """One independent estimate with its confidence limits and residual df."""

    value: float
    lower: float
    upper: float
    df: int
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class Combined:
    """The combined estimate, its limits, and the homogeneity test."""

    value: float
    lower: float
    upper: float
    n: int
    chi2: float | None
    chi2_df: int
    chi2_p: float | None
    heterogeneous: bool
    method: str


def combine_estimates(
    estimates: Sequence[Estimate], *, alpha: float = 0.05, confidence: float = 0.95
) -> Combined:
    """Weighted combination on the log scale; semi-weighted when heterogeneous."""
    from dossier.compute.distributions import chi2_sf, norm_ppf, t_ppf

    if not estimates:
        raise ValueError("nothing to combine")
    logs = []
    variances = []
    for e in estimates:
        if not (e.lower > 0 and e.upper > 0 and e.value > 0 and e.df > 0):
            raise ValueError("estimates must be positive with positive limits and df")
        t = t_ppf(0.5 + e.confidence / 2, e.df)
        variances.append(((math.log(e.upper) - math.log(e.lower)) / (2 * t)) ** 2)
        logs.append(math.log(e.value))
    z = norm_ppf(0.5 + confidence / 2)
    if len(estimates) == 1:
        e = estimates[0]
        return Combined(e.value, e.lower, e.upper, 1, None, 0, None, False, "single estimate")
    weights = [1 / v for v in variances]
    mean = sum(w * m for w, m in zip(weights, logs, strict=True)) / sum(weights)
    chi2 = sum(w * (m - mean) ** 2 for w, m in zip(weights, logs, strict=True))
    df = len(estimates) - 1
    p = chi2_sf(chi2, df)
    heterogeneous = p < alpha
    method = "weighted mean of ln potencies (weights 1/variance), homogeneity chi²"
    if heterogeneous:
        # between-assay variance by the method of moments, added to each variance
        sw = sum(weights)
        sw2 = sum(w * w for w in weights)
        between = max((chi2 - df) / (sw - sw2 / sw), 0.0)
        weights = [1 / (v + between) for v in variances]
        mean = sum(w * m for w, m in zip(weights, logs, strict=True)) / sum(weights)
        method = "semi-weighted mean of ln potencies (heterogeneous estimates)"
    half = z / math.sqrt(sum(weights))
    return Combined(
        value=math.exp(mean),
        lower=math.exp(mean - half),
        upper=math.exp(mean + half),
        n=len(estimates),
        chi2=chi2,
        chi2_df=df,
        chi2_p=p,
        heterogeneous=heterogeneous,
        method=method,
    )


@dataclass(frozen=True, slots=True)
class GeometricSummary:
    """Geometric mean, GCV and a confidence interval of positive values."""

    n: int
    geometric_mean: float
    gcv_percent: float | None
    lower: float | None
    upper: float | None


def geometric_summary(values: Sequence[float], confidence: float = 0.95) -> GeometricSummary:
    """Geometric mean, GCV = exp(sd of ln) - 1 (in %), and a t-interval on the log scale."""
    from dossier.compute.distributions import t_ppf

    if not values or any(v <= 0 for v in values):
        raise ValueError("geometric statistics need positive values")
    logs = [math.log(v) for v in values]
    n = len(logs)
    mean = sum(logs) / n
    if n < 2:
        return GeometricSummary(n, math.exp(mean), None, None, None)
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
    t = t_ppf(0.5 + confidence / 2, n - 1)
    half = t * sd / math.sqrt(n)
    return GeometricSummary(
        n, math.exp(mean), (math.exp(sd) - 1) * 100, math.exp(mean - half), math.exp(mean + half)
    )
