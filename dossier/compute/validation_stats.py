"""ICH Q2(R2) validation statistics from raw validation data.

- *Accuracy*: recovery (measured / nominal × 100 %) per level and overall: mean, SD,
  95 % confidence interval, relative bias. On the log scale (relative potency) the
  recoveries are summarised geometrically.
- *Precision*: repeatability and intermediate precision from a nested design (factors
  outermost first, e.g. day, analyst; replicates within). Balanced data: variance
  components by the analysis-of-variance (expected mean squares) method, negative
  estimates set to zero. Unbalanced data: REML (statsmodels MixedLM; up to two nested
  factors). Reported as SD and CV %, or GCV % (exp(sd) - 1) on the log scale.
- *Linearity / response*: least-squares slope and intercept with standard errors, slope
  confidence interval, R², residual SD and residuals (log-log for relative potency).
- *Range*: the reportable range against the specification; for potency ICH Q2(R2)
  Table 2 asks for the lowest specification − 20 % to the highest + 20 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "AccuracyResult",
    "LevelRecovery",
    "LinearityResult",
    "PrecisionResult",
    "RangeResult",
    "accuracy",
    "linearity",
    "precision",
    "reportable_range",
]


@dataclass(frozen=True, slots=True)
class LevelRecovery:
    """Recovery at one level (or overall)."""

    level: str
    n: int
    mean_recovery_percent: float
    sd: float | None
    ci_lower: float | None
    ci_upper: float | None

    @property
    def relative_bias_percent(self) -> float:
        """Mean recovery minus 100 %."""
        return self.mean_recovery_percent - 100.0


@dataclass(frozen=True, slots=True)
class AccuracyResult:
    """Accuracy per level and overall."""

    overall: LevelRecovery
    levels: tuple[LevelRecovery, ...]
    log_scale: bool
    method: str


def _summary(
    level: str, recoveries: Sequence[float], log_scale: bool, confidence: float
) -> LevelRecovery:
    from scipy.special import stdtrit

    n = len(recoveries)
    values = [math.log(r / 100.0) for r in recoveries] if log_scale else list(recoveries)
    mean = sum(values) / n
    if n < 2:
        centre = 100.0 * math.exp(mean) if log_scale else mean
        return LevelRecovery(level, n, centre, None, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stdtrit(n - 1, 0.5 + confidence / 2)) * sd / math.sqrt(n)
    if log_scale:
        return LevelRecovery(
            level,
            n,
            100 * math.exp(mean),
            (math.exp(sd) - 1) * 100,
            100 * math.exp(mean - half),
            100 * math.exp(mean + half),
        )
    return LevelRecovery(level, n, mean, sd, mean - half, mean + half)


def accuracy(
    nominal: Sequence[float],
    measured: Sequence[float],
    levels: Sequence[str] | None = None,
    *,
    log_scale: bool = False,
    confidence: float = 0.95,
) -> AccuracyResult:
    """Recovery statistics; ``levels`` groups the results (default: by nominal value)."""
    if len(nominal) != len(measured) or not nominal:
        raise ValueError("accuracy needs pairs of nominal and measured values")
    if any(n <= 0 for n in nominal) or (log_scale and any(m <= 0 for m in measured)):
        raise ValueError("nominal values (and measured values on the log scale) must be positive")
    recoveries = [100.0 * m / n for n, m in zip(nominal, measured, strict=True)]
    keys = list(levels) if levels is not None else [f"{n:g}" for n in nominal]
    grouped: dict[str, list[float]] = {}
    for key, rec in zip(keys, recoveries, strict=True):
        grouped.setdefault(key, []).append(rec)
    return AccuracyResult(
        overall=_summary("overall", recoveries, log_scale, confidence),
        levels=tuple(_summary(k, v, log_scale, confidence) for k, v in grouped.items()),
        log_scale=log_scale,
        method=(
            "recovery = measured / nominal × 100 %; "
            + (
                "geometric mean and t-interval on the log scale"
                if log_scale
                else "mean, SD and t-interval"
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class LinearityResult:
    """Least-squares straight line of measured against nominal values."""

    n: int
    slope: float
    intercept: float
    r_squared: float
    residual_sd: float
    slope_se: float
    intercept_se: float
    slope_ci_lower: float
    slope_ci_upper: float
    residuals: tuple[float, ...]
    log_scale: bool


def linearity(
    nominal: Sequence[float],
    measured: Sequence[float],
    *,
    log_scale: bool = False,
    confidence: float = 0.95,
) -> LinearityResult:
    """Slope, intercept, R², residual SD and standard errors (log-log when asked)."""
    import numpy as np
    from scipy.special import stdtrit

    x = np.asarray(nominal, dtype=float)
    y = np.asarray(measured, dtype=float)
    if x.size < 3 or x.size != y.size:
        raise ValueError("linearity needs at least three pairs of values")
    if log_scale:
        if np.any(x <= 0) or np.any(y <= 0):
            raise ValueError("the log scale needs positive values")
        x, y = np.log(x), np.log(y)
    if np.ptp(x) == 0:
        raise ValueError("all nominal values are equal: no line can be fitted")
    n = x.size
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = float(ym - slope * xm)
    resid = y - (intercept + slope * x)
    rss = float((resid**2).sum())
    tss = float(((y - ym) ** 2).sum())
    s2 = rss / (n - 2)
    slope_se = math.sqrt(s2 / sxx)
    intercept_se = math.sqrt(s2 * (1 / n + xm**2 / sxx))
    t = float(stdtrit(n - 2, 0.5 + confidence / 2))
    return LinearityResult(
        n=n,
        slope=slope,
        intercept=intercept,
        r_squared=1 - rss / tss if tss > 0 else 1.0,
        residual_sd=math.sqrt(s2),
        slope_se=slope_se,
        intercept_se=intercept_se,
        slope_ci_lower=slope - t * slope_se,
        slope_ci_upper=slope + t * slope_se,
        residuals=tuple(float(r) for r in resid),
        log_scale=log_scale,
    )


@dataclass(frozen=True, slots=True)
class PrecisionResult:
    """Variance components and the precision they give."""

    n: int
    mean: float
    components: dict[str, float]
    repeatability_sd: float
    repeatability_cv_percent: float
    intermediate_sd: float
    intermediate_cv_percent: float
    log_scale: bool
    method: str
    anova: tuple[dict[str, float | int | str], ...] = field(default_factory=tuple)


def _cv(sd: float, mean: float, log_scale: bool) -> float:
    return (math.exp(sd) - 1) * 100 if log_scale else 100 * sd / abs(mean)


def precision(
    groups: Sequence[Sequence[str]],
    values: Sequence[float],
    factors: Sequence[str],
    *,
    log_scale: bool = False,
) -> PrecisionResult:
    """Variance components of a nested design.

    ``groups[i]`` holds the factor levels of value ``i`` (outermost factor first).
    """
    import numpy as np

    if not factors:
        raise ValueError("precision needs at least one factor (e.g. day)")
    y = np.asarray(values, dtype=float)
    if log_scale:
        if np.any(y <= 0):
            raise ValueError("the log scale needs positive values")
        y = np.log(y)
    n = y.size
    k = len(factors)
    level_keys = [[tuple(g[: i + 1]) for g in groups] for i in range(k)]
    counts: list[dict[tuple[str, ...], int]] = [{} for _ in range(k)]
    for i in range(k):
        for key in level_keys[i]:
            counts[i][key] = counts[i].get(key, 0) + 1
    # nested and balanced: every group of a level holds the same number of observations
    balanced = all(len(set(c.values())) == 1 for c in counts)
    if n - len(counts[-1]) <= 0:
        raise ValueError(
            "no replicates within the innermost factor: repeatability cannot be estimated"
        )
    mean_all = float(y.mean())
    if balanced:
        components, anova = _anova_components(y, level_keys, counts, factors)
        method = "variance components by analysis of variance (balanced nested design)"
    else:
        components = _reml_components(y, groups, factors)
        anova = ()
        method = "variance components by REML (statsmodels MixedLM; unbalanced design)"
    rep_sd = math.sqrt(components["residual"])
    inter_sd = math.sqrt(sum(components.values()))
    centre = math.exp(mean_all) if log_scale else mean_all
    return PrecisionResult(
        n=n,
        mean=centre,
        components=components,
        repeatability_sd=rep_sd,
        repeatability_cv_percent=_cv(rep_sd, mean_all, log_scale),
        intermediate_sd=inter_sd,
        intermediate_cv_percent=_cv(inter_sd, mean_all, log_scale),
        log_scale=log_scale,
        method=method + ("; on the natural-log scale (GCV)" if log_scale else ""),
        anova=anova,
    )


def _anova_components(
    y: object,
    level_keys: list[list[tuple[str, ...]]],
    counts: list[dict[tuple[str, ...], int]],
    factors: Sequence[str],
) -> tuple[dict[str, float], tuple[dict[str, float | int | str], ...]]:
    import numpy as np

    values = np.asarray(y, dtype=float)
    n = values.size
    k = len(level_keys)
    means: list[dict[tuple[str, ...], float]] = []
    for i in range(k):
        sums: dict[tuple[str, ...], float] = {}
        for key, v in zip(level_keys[i], values, strict=True):
            sums[key] = sums.get(key, 0.0) + float(v)
        means.append({key: sums[key] / counts[i][key] for key in sums})
    grand = float(values.mean())
    ss, df = [], []
    for i in range(k):
        parent = [grand] * n if i == 0 else [means[i - 1][key[:-1]] for key in level_keys[i]]
        own = [means[i][key] for key in level_keys[i]]
        ss.append(float(sum((a - b) ** 2 for a, b in zip(own, parent, strict=True))))
        df.append(len(counts[i]) - (1 if i == 0 else len(counts[i - 1])))
    inner = [means[k - 1][key] for key in level_keys[k - 1]]
    ss_e = float(sum((float(v) - m) ** 2 for v, m in zip(values, inner, strict=True)))
    df_e = n - len(counts[k - 1])
    ms = [s / d if d > 0 else math.nan for s, d in zip(ss, df, strict=True)]
    ms_e = ss_e / df_e
    per_group = [next(iter(counts[i].values())) for i in range(k)]  # observations per group
    components: dict[str, float] = {"residual": ms_e}
    below = ms_e
    for i in reversed(range(k)):
        estimate = (ms[i] - below) / per_group[i] if df[i] > 0 else 0.0
        components[factors[i]] = max(estimate, 0.0)
        below = ms[i] if df[i] > 0 else below
    rows: list[dict[str, float | int | str]] = [
        {"source": factors[i], "df": df[i], "ss": ss[i], "ms": ms[i]} for i in range(k)
    ]
    rows.append({"source": "residual", "df": df_e, "ss": ss_e, "ms": ms_e})
    anova = tuple(rows)
    return {name: components[name] for name in [*factors, "residual"]}, anova


def _reml_components(
    y: object, groups: Sequence[Sequence[str]], factors: Sequence[str]
) -> dict[str, float]:
    import warnings

    import numpy as np
    import pandas as pd
    from statsmodels.regression.mixed_linear_model import MixedLM

    if len(factors) > 2:
        raise ValueError("unbalanced designs are supported with at most two nested factors")
    frame = pd.DataFrame({f: [g[i] for g in groups] for i, f in enumerate(factors)})
    frame["y"] = np.asarray(y, dtype=float)
    outer = factors[0]
    vc = {}
    if len(factors) == 2:
        frame["inner"] = frame[factors[0]].astype(str) + "/" + frame[factors[1]].astype(str)
        vc = {factors[1]: "0 + C(inner)"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixedLM.from_formula(
            "y ~ 1", data=frame, groups=outer, re_formula="1", vc_formula=vc or None
        )
        fit = model.fit(reml=True, method=["lbfgs", "powell"])
    components = {outer: float(fit.cov_re.iloc[0, 0])}
    if len(factors) == 2:
        components[factors[1]] = float(fit.vcomp[0])
    components["residual"] = float(fit.scale)
    return components


@dataclass(frozen=True, slots=True)
class RangeResult:
    """The reportable range shown by the validation data against the required range."""

    lower: float
    upper: float
    required_lower: float | None
    required_upper: float | None
    covers: bool | None
    unit: str

    def text(self) -> str:
        """ "50–200 %"."""
        return f"{self.lower:g}–{self.upper:g} {self.unit}".strip()

    def required_text(self) -> str:
        """The range required by ICH Q2(R2) for potency."""
        if self.required_lower is None or self.required_upper is None:
            return "not derivable from the specification"
        return f"{self.required_lower:g}–{self.required_upper:g} {self.unit}".strip()


def reportable_range(
    levels: Sequence[float], spec_lower: float | None, spec_upper: float | None, unit: str
) -> RangeResult:
    """Covered range against specification − 20 % / + 20 % (ICH Q2(R2) Table 2, potency)."""
    low, high = min(levels), max(levels)
    req_low = spec_lower * 0.8 if spec_lower is not None else None
    req_high = spec_upper * 1.2 if spec_upper is not None else None
    covers: bool | None = None
    if req_low is not None or req_high is not None:
        covers = (req_low is None or low <= req_low * (1 + 1e-12)) and (
            req_high is None or high >= req_high * (1 - 1e-12)
        )
    return RangeResult(low, high, req_low, req_high, covers, unit)
