"""ICH Q2(R2) validation statistics from raw validation data.

- *Accuracy*: recovery (measured / nominal × 100 %) per level and overall: mean, SD,
  t confidence interval, relative bias. On the log scale (relative potency) the
  recoveries are summarised geometrically: SD of ln(recovery) and GCV %.
- *Precision*: repeatability and intermediate precision from a nested design (factors
  outermost first, e.g. day, analyst; replicates within). Balanced data: variance
  components by the analysis-of-variance (expected mean squares) method, negative
  estimates set to zero. Unbalanced data: REML (restricted maximum likelihood, profiled
  on the variance ratios as R lme4 does; up to two nested factors). Reported as SD and
  CV %, or GCV % (exp(sd) - 1) on the log scale, each with a 95 % confidence interval:
  chi-square for repeatability (pooled within-group mean square, n − groups df) and
  Satterthwaite for intermediate precision (the linear combination of the nested ANOVA
  mean squares that estimates the sum of the components, coefficients from the expected
  mean squares; Henderson's method I when unbalanced).
- *Linearity / response*: least-squares slope and intercept with standard errors, slope
  confidence interval, R², residual SD and residuals (log-log for relative potency).
- *Range*: the reportable range against the specification; for potency ICH Q2(R2)
  Table 2 asks for the lowest specification − 20 % to the highest + 20 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dossier.compute.memo import memoized

__all__ = [
    "AccuracyResult",
    "LevelRecovery",
    "LinearityResult",
    "PrecisionInterval",
    "PrecisionResult",
    "RangeResult",
    "accuracy",
    "linearity",
    "precision",
    "reportable_range",
]


@dataclass(frozen=True, slots=True)
class LevelRecovery:
    """Recovery at one level (or overall).

    ``sd`` is the SD on the scale analysed: of the recoveries in percentage points, or on
    the log scale of ln(recovery); ``gcv_percent`` (log scale only) is exp(sd) − 1 in %.
    ``ci_lower``/``ci_upper`` are the t-interval of the (geometric) mean recovery, in %.
    """

    level: str
    n: int
    mean_recovery_percent: float
    sd: float | None
    ci_lower: float | None
    ci_upper: float | None
    gcv_percent: float | None = None

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
            sd,
            100 * math.exp(mean - half),
            100 * math.exp(mean + half),
            gcv_percent=(math.exp(sd) - 1) * 100,
        )
    return LevelRecovery(level, n, mean, sd, mean - half, mean + half)


@memoized
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


@memoized
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
class PrecisionInterval:
    """A two-sided confidence interval of a precision SD and the CV % it gives.

    ``estimate_sd`` is the SD the interval is built on (for repeatability the pooled
    within-group SD; for intermediate precision the square root of the ANOVA linear
    combination of mean squares), ``df`` its (Satterthwaite) degrees of freedom.
    ``cv_lower_percent``/``cv_upper_percent`` are CV % (GCV % on the log scale).
    """

    confidence: float
    estimate_sd: float
    df: float
    sd_lower: float
    sd_upper: float
    cv_lower_percent: float
    cv_upper_percent: float
    method: str


@dataclass(frozen=True, slots=True)
class PrecisionResult:
    """Variance components and the precision they give.

    On the log scale the SDs are of ln(value) and the CV % fields hold GCV %.
    ``repeatability_ci``/``intermediate_ci`` are None when no interval can be computed
    (``interval_note`` says why).
    """

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
    repeatability_ci: PrecisionInterval | None = None
    intermediate_ci: PrecisionInterval | None = None
    interval_note: str = ""


def _cv(sd: float, mean: float, log_scale: bool) -> float:
    return (math.exp(sd) - 1) * 100 if log_scale else 100 * sd / abs(mean)


@memoized
def precision(
    groups: Sequence[Sequence[str]],
    values: Sequence[float],
    factors: Sequence[str],
    *,
    log_scale: bool = False,
    confidence: float = 0.95,
) -> PrecisionResult:
    """Variance components of a nested design, with confidence intervals.

    ``groups[i]`` holds the factor levels of value ``i`` (outermost factor first).
    """
    import numpy as np

    if not factors:
        raise ValueError("precision needs at least one factor (e.g. day)")
    if len(groups) != len(values):
        raise ValueError("precision needs one set of factor levels per value")
    y = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("precision needs finite values")
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
    if not log_scale and mean_all == 0:
        raise ValueError("the mean of the values is zero: a CV cannot be computed")
    anova = _nested_anova(y, level_keys, counts, factors)
    if balanced:
        components = _anova_components(anova, counts, factors)
        method = "variance components by analysis of variance (balanced nested design)"
    else:
        components = _reml_components(y, groups, factors)
        method = (
            "variance components by REML (restricted maximum likelihood profiled on the "
            "variance ratios, as R lme4; unbalanced design)"
        )
    rep_sd = math.sqrt(components["residual"])
    inter_sd = math.sqrt(sum(components.values()))
    rep_ci, inter_ci, note = _intervals(anova, counts, n, mean_all, log_scale, confidence)
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
        repeatability_ci=rep_ci,
        intermediate_ci=inter_ci,
        interval_note=note,
    )


def _nested_anova(
    y: object,
    level_keys: list[list[tuple[str, ...]]],
    counts: list[dict[tuple[str, ...], int]],
    factors: Sequence[str],
) -> tuple[dict[str, float | int | str], ...]:
    """The sequential (nested) analysis of variance: one row per factor and the residual."""
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
    rows: list[dict[str, float | int | str]] = []
    for i in range(k):
        parent = [grand] * n if i == 0 else [means[i - 1][key[:-1]] for key in level_keys[i]]
        own = [means[i][key] for key in level_keys[i]]
        ss = float(sum((a - b) ** 2 for a, b in zip(own, parent, strict=True)))
        df = len(counts[i]) - (1 if i == 0 else len(counts[i - 1]))
        rows.append({"source": factors[i], "df": df, "ss": ss, "ms": ss / df if df else math.nan})
    inner = [means[k - 1][key] for key in level_keys[k - 1]]
    ss_e = float(sum((float(v) - m) ** 2 for v, m in zip(values, inner, strict=True)))
    df_e = n - len(counts[k - 1])
    rows.append({"source": "residual", "df": df_e, "ss": ss_e, "ms": ss_e / df_e})
    return tuple(rows)


def _anova_components(
    anova: tuple[dict[str, float | int | str], ...],
    counts: list[dict[tuple[str, ...], int]],
    factors: Sequence[str],
) -> dict[str, float]:
    """Balanced design: each component from the difference of successive mean squares
    over the observations per group; a negative estimate is set to zero."""
    k = len(factors)
    ms = [float(row["ms"]) for row in anova]
    df = [int(row["df"]) for row in anova]
    per_group = [next(iter(counts[i].values())) for i in range(k)]  # observations per group
    components: dict[str, float] = {"residual": ms[k]}
    below = ms[k]
    for i in reversed(range(k)):
        estimate = (ms[i] - below) / per_group[i] if df[i] > 0 else 0.0
        components[factors[i]] = max(estimate, 0.0)
        below = ms[i] if df[i] > 0 else below
    return {name: components[name] for name in [*factors, "residual"]}


def _expected_mean_squares(counts: list[dict[tuple[str, ...], int]], n: int) -> list[list[float]]:
    """Coefficients of the variance components (factors outermost first, then the
    residual) in the expected mean square of each row of the nested ANOVA.

    With Q_i = Σ over the groups g of level i of n_g · mean_g² (level 0: the grand mean;
    level k + 1: the single observations), E[Q_i] holds σ²_l times T(i, l) =
    Σ_g Σ_(h of level l within g) n_h² / n_g when l is level i or deeper, and n otherwise;
    the sum of squares of row i is Q_i − Q_(i−1) (Henderson's method I; for balanced
    data the classical coefficients).
    """
    k = len(counts)
    sizes: list[dict[tuple[str, ...], int]] = [{(): n}, *counts]

    def t(i: int, level: int) -> float:
        if level == k + 1:  # the residual: each observation its own group
            return float(len(sizes[i])) if i <= k else float(n)
        if level < i:
            return float(n)
        total = 0.0
        for key, n_g in sizes[i].items():
            inside = sum(m * m for h, m in sizes[level].items() if h[: len(key)] == key)
            total += inside / n_g
        return total

    table: list[list[float]] = []
    for i in range(1, k + 2):
        df = (len(sizes[i]) if i <= k else n) - len(sizes[i - 1])
        table.append([(t(i, lv) - t(i - 1, lv)) / df if df else 0.0 for lv in range(1, k + 2)])
    return table


def _intervals(
    anova: tuple[dict[str, float | int | str], ...],
    counts: list[dict[tuple[str, ...], int]],
    n: int,
    mean: float,
    log_scale: bool,
    confidence: float,
) -> tuple[PrecisionInterval | None, PrecisionInterval | None, str]:
    """Chi-square interval of the repeatability SD; Satterthwaite interval of the
    intermediate-precision SD."""
    import numpy as np
    from scipy.special import chdtri

    def interval(variance: float, df: float, method: str) -> PrecisionInterval:
        tail = (1 - confidence) / 2
        sd_lower = math.sqrt(df * variance / float(chdtri(df, tail)))
        sd_upper = math.sqrt(df * variance / float(chdtri(df, 1 - tail)))
        return PrecisionInterval(
            confidence,
            math.sqrt(variance),
            df,
            sd_lower,
            sd_upper,
            _cv(sd_lower, mean, log_scale),
            _cv(sd_upper, mean, log_scale),
            method,
        )

    ms = np.array([float(row["ms"]) for row in anova])
    df = np.array([float(row["df"]) for row in anova])
    repeatability = interval(
        float(ms[-1]),
        float(df[-1]),
        "chi-square interval on the pooled within-group mean square",
    )
    # the components estimable from these data: the factors with degrees of freedom
    keep = [i for i in range(len(anova)) if df[i] > 0]
    ems = np.array(_expected_mean_squares(counts, n))[np.ix_(keep, keep)]
    # weights w with w · MS = sum of the components: solve EMSᵀ w = 1
    weights = np.linalg.solve(ems.T, np.ones(len(keep)))
    parts = weights * ms[keep]
    total = float(parts.sum())
    if not total > 0:
        return (
            repeatability,
            None,
            ("the ANOVA estimate of the intermediate-precision variance is not positive"),
        )
    nu = total**2 / float((parts**2 / df[keep]).sum())
    balanced = all(len(set(c.values())) == 1 for c in counts)
    method = "Satterthwaite interval on the ANOVA linear combination of mean squares" + (
        "" if balanced else " (Henderson's method I)"
    )
    note = ""
    if np.any(weights < 0):
        note = "some mean squares enter the intermediate precision with a negative weight"
    return repeatability, interval(total, nu, method), note


def _reml_components(
    y: object, groups: Sequence[Sequence[str]], factors: Sequence[str]
) -> dict[str, float]:
    """REML variance components of one factor, or two nested factors, with replicates.

    The restricted likelihood is profiled on the residual variance and written in closed
    form for nested random intercepts; it is minimised over θ = sqrt(component /
    residual) ≥ 0, the parametrisation of lme4, from several starts (a component not
    estimable from the design, such as one outer level, is fixed at zero).
    """
    import numpy as np
    from scipy.optimize import minimize

    if len(factors) > 2:
        raise ValueError("unbalanced designs are supported with at most two nested factors")
    values = np.asarray(y, dtype=float)
    centred = values - values.mean()
    spread = float(np.sqrt((centred**2).mean()))
    if not spread > 0:
        raise ValueError("the values do not vary: no variance components")
    z = centred / spread
    n = int(z.size)
    two = len(factors) == 2
    inner: dict[tuple[str, ...], int] = {}
    outer: dict[str, int] = {}
    cell_of = []
    for g in groups:
        key = tuple(g[: len(factors)])
        cell_of.append(inner.setdefault(key, len(inner)))
        if two:
            outer.setdefault(g[0], len(outer))
    cell = np.array(cell_of)
    m = np.bincount(cell).astype(float)
    s = np.bincount(cell, weights=z)
    q = np.bincount(cell, weights=z * z)
    within = float((q - s * s / m).sum())
    if not within > 1e-24 * n:
        raise ValueError("the replicates do not vary: repeatability is zero")
    owner = np.array([outer[key[0]] for key in inner]) if two else np.zeros(len(m), int)
    n_outer = int(owner.max()) + 1
    free_inner = len(m) > (n_outer if two else 1)
    free_outer = two and n_outer > 1

    def terms(theta: object) -> tuple[float, float, float]:
        t_in, t_out = np.asarray(theta, dtype=float)
        g_in, g_out = t_in * t_in, t_out * t_out
        d = 1 + g_in * m
        a = np.bincount(owner, weights=m / d, minlength=n_outer)
        b = np.bincount(owner, weights=s / d, minlength=n_outer)
        c = float((q - g_in * s * s / d).sum())
        e = 1 + g_out * a
        xtx = float((a / e).sum())
        xty = float((b / e).sum())
        r2 = c - g_out * float((b * b / e).sum()) - xty * xty / xtx
        logdet = float(np.log(d).sum() + np.log(e).sum())
        return logdet, xtx, r2

    def deviance(theta: object) -> float:
        logdet, xtx, r2 = terms(theta)
        if not r2 > 0:
            return math.inf
        return logdet + math.log(xtx) + (n - 1) * math.log(r2)

    bound_in = (0.0, None) if free_inner else (0.0, 0.0)
    bound_out = (0.0, None) if free_outer else (0.0, 0.0)
    best = None
    for start in ((0.5, 0.5), (1.0, 1.0), (0.1, 2.0), (2.0, 0.1), (3.0, 3.0)):
        x0 = [start[0] if free_inner else 0.0, start[1] if free_outer else 0.0]
        fit = minimize(
            deviance,
            x0,
            method="L-BFGS-B",
            bounds=[bound_in, bound_out],
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
        )
        if np.isfinite(fit.fun) and (best is None or fit.fun < best.fun):
            best = fit
    if best is None:
        raise ValueError("the REML fit of the variance components failed")
    theta = np.asarray(best.x, dtype=float)
    _, _, r2 = terms(theta)
    residual = r2 / (n - 1) * spread * spread
    name_in = factors[-1]
    components = {name_in: float(theta[0] ** 2 * residual)}
    if two:
        components = {factors[0]: float(theta[1] ** 2 * residual), **components}
    components["residual"] = float(residual)
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


@memoized
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
