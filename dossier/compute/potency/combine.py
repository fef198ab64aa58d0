"""Combining independent assay results (Ph. Eur. 5.3, section 6) and run statistics.

Every estimate R enters on the log scale, M = ln R. Its intra-assay variance follows from
its confidence limits L, U and the Student t of its own residual degrees of freedom,
var(M) = ((ln U - ln L) / (2 t))², and its weight is W = 1 / var(M) (section 6.2.1).

- **weighted** (6.2.3): M̄ = ΣWM / ΣW with standard error √(1 / ΣW); the limits use t on
  the summed residual degrees of freedom of the assays.
- **semi-weighted** (6.2.4): the inter-assay variance
  s²_M = Σ(M - M̃)² / (n - 1) - Σ(1 / W) / n (M̃ the unweighted mean) is added to every
  assay's variance, W' = 1 / (1 / W + s²_M) replaces W, and t has n - 1 degrees of freedom.
  A negative s²_M (estimates closer together than their own limits suggest) is taken as 0,
  since a variance cannot be negative.
- **unweighted** (6.3): the mean of M with standard error √(Σ(M - M̃)² / (n (n - 1))) and
  t on n - 1 degrees of freedom.

Homogeneity (6.2.2): χ² = ΣW(M - M̄)² on n - 1 degrees of freedom.

The conditions of section 6.2 are checked and reported one by one: (1) the assays are
independent (the user's declaration), (2) C = 1 / (1 - g) < 1.1 in every assay whose g is
known, (3) at least 6 residual degrees of freedom per assay (more than 15 preferred),
(4) the estimates are homogeneous. A condition that cannot be checked (independence not
declared, g not given) is reported as unknown and does not change the method.

``auto`` follows the chapter: when condition 1, 2 or 3 fails, section 6.2 says the weighted
method cannot be applied and points to section 6.3; the weights come from confidence limits
that are themselves unreliable with few degrees of freedom or a large C, so the
semi-weighted method (built on the same weights) is not used either: **unweighted**. When
only homogeneity fails, section 6.2.2 points to 6.2.4: **semi-weighted**. Otherwise
**weighted**.

Also the geometric mean and geometric coefficient of variation (GCV = exp(s) - 1, s the SD
of the ln values) of replicate runs, with a t-based confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dossier.compute.memo import memoized
from dossier.compute.potency.combine_types import (
    MAX_C,
    METHOD_CHOICES,
    MIN_DF,
    PREFERRED_DF,
    AssayWeight,
    Combination,
    Condition,
    Estimate,
    Heterogeneity,
    Method,
    MethodChoice,
    Precondition,
)

__all__ = [
    "METHOD_CHOICES",
    "AssayWeight",
    "Combination",
    "Combined",
    "Condition",
    "Estimate",
    "GeometricSummary",
    "Heterogeneity",
    "Method",
    "MethodChoice",
    "Precondition",
    "combine",
    "combine_estimates",
    "geometric_summary",
]

_LOG_MAX = math.log(1.7e308)


def _t(df: float, confidence: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + confidence / 2))


def _exp(x: float) -> float | None:
    """exp(x), or None when it is not a finite float."""
    return math.exp(x) if x < _LOG_MAX else None


def _name(e: Estimate, i: int) -> str:
    return e.label or f"assay {i + 1}"


def _check(estimates: Sequence[Estimate], confidence: float, alpha: float) -> None:
    if not estimates:
        raise ValueError("nothing to combine")
    if not (0 < confidence < 1 and 0 < alpha < 1):
        raise ValueError("confidence and alpha must lie between 0 and 1")
    for i, e in enumerate(estimates):
        values = (e.value, e.lower, e.upper, e.df)
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"{_name(e, i)}: estimate, limits and df must be positive")
        if not e.lower <= e.value <= e.upper or e.lower == e.upper:
            raise ValueError(f"{_name(e, i)}: the limits must enclose the estimate")
        if not 0 < e.confidence < 1:
            raise ValueError(f"{_name(e, i)}: confidence must lie between 0 and 1")
        if e.g is not None and not 0 <= e.g < 1:
            raise ValueError(f"{_name(e, i)}: g must lie in [0, 1)")


def _independence(declared: bool | None) -> Precondition:
    if declared is None:
        text = "not declared; the weighted methods assume independent assays"
    else:
        text = "declared independent" if declared else "declared not independent"
    return Precondition(Condition.INDEPENDENT, declared, text)


def _c_condition(estimates: Sequence[Estimate]) -> Precondition:
    known = [(_name(e, i), 1 / (1 - e.g)) for i, e in enumerate(estimates) if e.g is not None]
    high = [f"{name}: C = {c:.3g}" for name, c in known if c >= MAX_C]
    if high:
        return Precondition(Condition.C_CLOSE_TO_1, False, ", ".join(high))
    if not known:
        return Precondition(Condition.C_CLOSE_TO_1, None, "g not given")
    worst = max(c for _, c in known)
    if len(known) < len(estimates):
        text = f"C < 1.1 where g is given (largest {worst:.3g}); g not given for "
        text += f"{len(estimates) - len(known)} of {len(estimates)} assays"
        return Precondition(Condition.C_CLOSE_TO_1, None, text)
    return Precondition(
        Condition.C_CLOSE_TO_1, True, f"C < 1.1 in every assay (largest {worst:.3g})"
    )


def _df_condition(estimates: Sequence[Estimate]) -> Precondition:
    few = [f"{_name(e, i)}: {e.df:g} df" for i, e in enumerate(estimates) if e.df < MIN_DF]
    if few:
        return Precondition(Condition.RESIDUAL_DF, False, ", ".join(few))
    low = [f"{_name(e, i)}: {e.df:g}" for i, e in enumerate(estimates) if e.df <= PREFERRED_DF]
    text = f"every assay has at least {MIN_DF} residual df"
    if low:
        text += f"; more than {PREFERRED_DF} preferred: " + ", ".join(low)
    return Precondition(Condition.RESIDUAL_DF, True, text)


def _homogeneity(
    logs: list[float], weights: list[float], alpha: float
) -> tuple[Heterogeneity, Precondition]:
    n = len(logs)
    if n < 2:
        text = "one assay: nothing to test"
        return Heterogeneity(None, 0, None), Precondition(Condition.HOMOGENEITY, None, text)
    from scipy.special import chdtrc

    mean = sum(w * m for w, m in zip(weights, logs, strict=True)) / sum(weights)
    chi2 = sum(w * (m - mean) ** 2 for w, m in zip(weights, logs, strict=True))
    p = float(chdtrc(n - 1, chi2))
    met = p >= alpha
    text = f"χ² = {chi2:.4g} on {n - 1} df, p = {p:.3g} {'≥' if met else '<'} {alpha:g}"
    return Heterogeneity(chi2, n - 1, p), Precondition(Condition.HOMOGENEITY, met, text)


def _listed(conditions: Sequence[Precondition]) -> str:
    return "; ".join(f"{p.name.label} ({p.detail})" for p in conditions)


def _choose(requested: MethodChoice, conditions: Sequence[Precondition]) -> tuple[Method, str]:
    unmet = [p for p in conditions if p.met is False]
    if requested != "auto":
        reason = f"{requested} combination as requested"
        if requested != "weighted":  # these do not assume homogeneous estimates
            unmet = [p for p in unmet if p.name is not Condition.HOMOGENEITY]
        if unmet:
            reason += "; not met: " + _listed(unmet)
        return Method(requested), reason
    blocking = [p for p in unmet if p.name is not Condition.HOMOGENEITY]
    if blocking:
        reason = (
            f"not met: {_listed(blocking)}; the weighted combination (Ph. Eur. 5.3, 6.2) "
            "cannot be applied: unweighted combination (6.3)"
        )
        return Method.UNWEIGHTED, reason
    homogeneity = next(p for p in conditions if p.name is Condition.HOMOGENEITY)
    if homogeneity.met is False:
        reason = (
            f"heterogeneous estimates ({homogeneity.detail}): semi-weighted combination "
            "with the inter-assay variance (Ph. Eur. 5.3, 6.2.4)"
        )
        return Method.SEMI_WEIGHTED, reason
    reason = (
        f"conditions of Ph. Eur. 5.3, 6.2 met, homogeneous estimates ({homogeneity.detail}): "
        "weighted combination (6.2.3)"
    )
    unknown = [p for p in conditions if p.met is None]
    if unknown:
        reason += "; not verified: " + _listed(unknown)
    return Method.WEIGHTED, reason


def combine(
    estimates: Sequence[Estimate],
    *,
    method: MethodChoice = "auto",
    independent: bool | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> Combination:
    """Combine independent assay results per Ph. Eur. 5.3 section 6 (see the module text).

    ``method`` is ``auto`` or the method to use; ``independent`` is the user's declaration
    (None: not declared); ``alpha`` is the level of the homogeneity test. Raises
    ValueError for inconsistent estimates (non-positive values, limits that do not enclose
    the estimate, g outside [0, 1)).
    """
    if method not in METHOD_CHOICES:
        raise ValueError(f"unknown method {method!r} (one of {', '.join(METHOD_CHOICES)})")
    _check(estimates, confidence, alpha)
    n = len(estimates)
    logs = [math.log(e.value) for e in estimates]
    variances = []
    for i, e in enumerate(estimates):
        variance = ((math.log(e.upper) - math.log(e.lower)) / (2 * _t(e.df, e.confidence))) ** 2
        if not variance > 0:
            raise ValueError(f"{_name(e, i)}: the limits must differ")
        variances.append(variance)
    weights = [1 / v for v in variances]
    heterogeneity, homogeneous = _homogeneity(logs, weights, alpha)
    conditions = (
        _independence(independent),
        _c_condition(estimates),
        _df_condition(estimates),
        homogeneous,
    )
    between: float | None = None
    se: float | None = None
    t_df: int | None = None
    if n == 1:
        only = estimates[0]
        chosen, reason = Method.SINGLE, "one assay: nothing to combine"
        used, mean = [1.0], logs[0]
        lower: float | None = only.lower
        upper: float | None = only.upper
    else:
        chosen, reason = _choose(method, conditions)
        mean_u = sum(logs) / n
        spread = sum((m - mean_u) ** 2 for m in logs)
        if chosen is Method.UNWEIGHTED:
            used, mean, t_df = [1.0] * n, mean_u, n - 1
            se = math.sqrt(spread / (n * (n - 1)))
        else:
            if chosen is Method.SEMI_WEIGHTED:
                between = max(spread / (n - 1) - sum(variances) / n, 0.0)
                used, t_df = [1 / (v + between) for v in variances], n - 1
                if between == 0:
                    reason += "; the inter-assay variance estimate is not positive: taken as 0"
            else:
                used, t_df = weights, sum(e.df for e in estimates)
            mean = sum(w * m for w, m in zip(used, logs, strict=True)) / sum(used)
            se = math.sqrt(1 / sum(used))
        half = _t(t_df, confidence) * se
        lower, upper = _exp(mean - half), _exp(mean + half)
    total = sum(used)
    assays = tuple(
        AssayWeight(_name(e, i), logs[i], variances[i], weights[i], used[i], used[i] / total)
        for i, e in enumerate(estimates)
    )
    return Combination(
        estimate=estimates[0].value if n == 1 else math.exp(mean),
        ci_lower=lower,
        ci_upper=upper,
        method=chosen,
        requested=method,
        reason=reason,
        heterogeneity=heterogeneity,
        preconditions=conditions,
        n=n,
        assays=assays,
        log_estimate=mean,
        standard_error=se,
        t_df=t_df,
        between_variance=between,
        confidence=confidence,
    )


@dataclass(frozen=True, slots=True)
class Combined:
    """The combined estimate in the shape the project analysis reads (see :func:`combine`)."""

    value: float
    lower: float
    upper: float
    n: int
    chi2: float | None
    chi2_df: int
    chi2_p: float | None
    heterogeneous: bool
    method: str
    result: Combination


@memoized
def combine_estimates(
    estimates: Sequence[Estimate],
    *,
    alpha: float = 0.05,
    confidence: float = 0.95,
    method: MethodChoice = "auto",
    independent: bool | None = None,
) -> Combined:
    """:func:`combine`, with ``method`` a one-line description and limits always numbers."""
    result = combine(
        estimates, method=method, independent=independent, alpha=alpha, confidence=confidence
    )
    h = result.heterogeneity
    return Combined(
        value=result.estimate,
        lower=0.0 if result.ci_lower is None else result.ci_lower,
        upper=math.inf if result.ci_upper is None else result.ci_upper,
        n=result.n,
        chi2=h.chi2,
        chi2_df=h.df,
        chi2_p=h.p,
        heterogeneous=result.precondition(Condition.HOMOGENEITY).met is False,
        method=result.description,
        result=result,
    )


@dataclass(frozen=True, slots=True)
class GeometricSummary:
    """Geometric mean, GCV and a confidence interval of positive values."""

    n: int
    geometric_mean: float
    gcv_percent: float | None
    lower: float | None
    upper: float | None


@memoized
def geometric_summary(values: Sequence[float], confidence: float = 0.95) -> GeometricSummary:
    """Geometric mean, GCV = exp(sd of ln) - 1 (in %), and a t-interval on the log scale."""
    if not values or any(v <= 0 for v in values):
        raise ValueError("geometric statistics need positive values")
    logs = [math.log(v) for v in values]
    n = len(logs)
    mean = sum(logs) / n
    if n < 2:
        return GeometricSummary(n, math.exp(mean), None, None, None)
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
    half = _t(n - 1, confidence) * sd / math.sqrt(n)
    return GeometricSummary(
        n, math.exp(mean), (math.exp(sd) - 1) * 100, math.exp(mean - half), math.exp(mean + half)
    )
