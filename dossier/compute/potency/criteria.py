"""Declared validity and system-suitability criteria, judged on one analysed run.

A project (``validity_criteria`` and ``system_suitability`` of an assay) or
``dossier assay potency`` declares what a run must meet; each declaration is a
:class:`Criterion`, and :func:`evaluate` judges every one on the run's
:class:`~dossier.compute.potency.types.PotencyAnalysis` and its data. The result is one
:class:`Outcome` per criterion (and per test preparation where the criterion compares a
preparation with the standard): the value, the limits, met, not met or not assessed, and
the reason in words. The model's own tests that no criterion names are listed too, as
the model applies them. :func:`judge` turns the outcomes into the run's verdict.

Significance (Ph. Eur. 5.3): the model's F-test at the declared alpha; the regression
must be significant (p < alpha), non-parallelism, non-linearity and intersection must
not be (p ≥ alpha).

Equivalence: two one-sided tests at the declared alpha, i.e. the (1 − 2 alpha)
confidence interval (90 % at the default 5 %) inside the margins, both ends inclusive.

- Parallel-line model: the separate-slopes fit (the design factors, one intercept and one
  slope per preparation on ln dose, ordinary least squares; the residual variance of that
  fit on its n − rank degrees of freedom). The slope ratio b_T / b_S has Fieller limits
  (with the covariance of the two slopes), the slope difference b_T − b_S Student t limits.
- Four- and five-parameter logistic: each preparation's own fit (``PotencyAnalysis.curves``). The
  slope ratio B_T / B_S has Fieller limits (independent fits: no covariance), the slope
  difference and the differences of the lower and upper asymptotes (test minus standard)
  t limits from the sum of the two variances, t on the smaller residual df of the two
  fits. The lower asymptote is the smaller of the standard's two (A at zero dose, D at
  infinite dose), so that the margins read the same for rising and falling curves.

Limits: R² of the fitted model (1 − residual SS / total SS, design factors counted as
fitted); ``ci_width_ratio``, the upper over the lower confidence limit of each relative
potency; ``ec50``, the EC50 of every preparation (4PL and 5PL: the dose of the half-way
response, dose units, constrained fit).

System suitability given as numbers: ``reference_ec50`` (the standard's EC50 in the
constrained 4PL or 5PL fit, dose units), ``asymptote_ratio`` (the standard's own fit: upper
over lower asymptote) and ``control_potency`` (the relative potency of a named control
preparation of the run, on the reportable scale: times the reference's assigned potency);
``ci_width_ratio`` may be given as system suitability too.
System suitability given in words only is listed as not assessed; it decides nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from dossier.compute.memo import memoized
from dossier.compute.potency._prepare import transform_responses
from dossier.compute.potency.fieller import fieller
from dossier.compute.potency.fourpl_fit import mid_response_shift

if TYPE_CHECKING:  # pragma: no cover
    from dossier.compute.potency.types import (
        CurveFit,
        DoseResponseData,
        PotencyAnalysis,
        TestResult,
    )

__all__ = [
    "EQUIVALENCE",
    "LIMITS",
    "SIGNIFICANCE",
    "SIMILARITY",
    "SUITABILITY",
    "Criterion",
    "Judgement",
    "Outcome",
    "evaluate",
    "judge",
    "similarity_by_equivalence",
]

Method = Literal["significance", "equivalence", "limit", "described"]
Kind = Literal["significance", "equivalence", "limit", "system suitability", "model", "described"]

SIGNIFICANCE = frozenset({"regression", "non_parallelism", "non_linearity", "intersection"})
"""Criteria judged by the model's F-test."""
EQUIVALENCE = frozenset(
    {
        "slope_ratio",
        "slope_difference",
        "asymptote_difference",
        "lower_asymptote_difference",
        "upper_asymptote_difference",
    }
)
"""Criteria judged by a confidence interval inside margins."""
SIMILARITY = EQUIVALENCE
"""The equivalence criteria are all about the similarity of test and standard."""
LIMITS = frozenset({"r_squared", "ci_width_ratio", "ec50"})
"""Criteria judged as a value within limits."""
SUITABILITY = frozenset({"reference_ec50", "asymptote_ratio", "control_potency", "ci_width_ratio"})
"""System-suitability measures computed from a run."""
LOGISTIC = frozenset({"4pl", "5pl"})
"""The models with asymptotes, a slope factor and an EC50 (each preparation's own fit)."""

QUANTITY = {
    "regression": "regression",
    "non_parallelism": "non-parallelism",
    "non_linearity": "non-linearity",
    "intersection": "intersection",
    "slope_ratio": "slope ratio",
    "slope_difference": "slope difference",
    "asymptote_difference": "asymptote differences",
    "lower_asymptote_difference": "lower-asymptote difference",
    "upper_asymptote_difference": "upper-asymptote difference",
    "r_squared": "R²",
    "ci_width_ratio": "ratio of the confidence limits",
    "ec50": "EC50",
    "reference_ec50": "reference EC50",
    "asymptote_ratio": "ratio of the reference asymptotes",
    "control_potency": "control potency",
}
"""Each quantity in words."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """A declared criterion: what is judged, how, and its limits.

    ``method`` is ``significance`` (``alpha``), ``equivalence`` (margins ``lower`` and/or
    ``upper`` for the 1 − 2 alpha confidence interval), ``limit`` (``lower`` and/or
    ``upper`` for the value) or ``described`` (limits in words only: listed, not judged).
    ``preparation`` names the control of ``control_potency``; ``label`` is the
    criterion as the project words it; ``suitability`` marks a system-suitability limit.
    """

    name: str
    method: Method
    lower: float | None = None
    upper: float | None = None
    alpha: float = 0.05
    preparation: str | None = None
    label: str = ""
    suitability: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """One criterion judged on one run (and one test preparation where it compares one).

    ``value`` is the p value of a significance test and the estimate otherwise; ``ci``
    the confidence interval of an equivalence test at ``confidence``; ``met`` True, False
    or None (not assessed), ``reason`` why in words. ``decides`` is False for what is
    reported without deciding validity (the F-test of non-parallelism when similarity is
    judged by equivalence, system suitability given in words).
    """

    criterion: str
    kind: Kind
    quantity: str
    preparation: str | None
    value: float | None
    lower: float | None
    upper: float | None
    met: bool | None
    reason: str
    decides: bool = True
    ci: tuple[float, float] | None = None
    confidence: float | None = None
    statistic: float | None = None
    df: tuple[int | None, int | None] = (None, None)
    limit: str = ""
    model_verdict: bool | None = None
    """For a significance test: the model's own verdict (it already decided the run)."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """The run's verdict after the criteria: valid, and the reasons of the run and of
    each test preparation that the criteria add to those of the analysis."""

    valid: bool
    reasons: tuple[str, ...] = ()
    preparation_reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)


def similarity_by_equivalence(criteria: Sequence[Criterion]) -> bool:
    """True when similarity is declared by equivalence margins and not by the F-test."""
    return any(c.name in SIMILARITY and c.method == "equivalence" for c in criteria) and not any(
        c.name == "non_parallelism" and c.method == "significance" for c in criteria
    )


def _g(value: float) -> str:
    return f"{value:.4g}"


def percent(confidence: float) -> str:
    """0.9 → "90 %"."""
    return f"{confidence * 100:.4g} %"


def limits_words(lower: float | None, upper: float | None) -> str:
    """Inclusive limits in words: "0.8 to 1.25", "≤ 2", "≥ 0.95"."""
    if lower is not None and upper is not None:
        return f"{lower:g} to {upper:g}"
    if upper is not None:
        return f"≤ {upper:g}"
    if lower is not None:
        return f"≥ {lower:g}"
    return "—"


def _within(value: float, lower: float | None, upper: float | None) -> bool:
    return (lower is None or value >= lower) and (upper is None or value <= upper)


def _significance(c: Criterion, test: TestResult, preparation: str | None, kind: Kind) -> Outcome:
    regression = c.name == "regression"
    quantity = QUANTITY.get(c.name, c.name.replace("_", " "))
    outcome = Outcome(
        c.name,
        kind,
        quantity,
        preparation,
        test.p,
        None,
        None,
        None,
        "",
        statistic=test.F,
        df=(test.df_num, test.df_den),
        limit=f"p {'<' if regression else '≥'} {c.alpha:g}",
        model_verdict=test.passed if test.p is not None else None,
    )
    if test.p is None:
        why = test.criterion.removeprefix("not assessed: ")
        why = "the design cannot test it" if why == "not testable" else why
        return replace(outcome, reason=f"{quantity} not tested: {why}")
    met = test.p < c.alpha if regression else test.p >= c.alpha
    relation = "<" if test.p < c.alpha else "≥"
    return replace(outcome, met=met, reason=f"{quantity} p = {test.p:.3g} {relation} {c.alpha:g}")


def _split(name: str) -> tuple[str, str | None]:
    """ "non_parallelism[T]" → ("non_parallelism", "T"); "regression" → ("regression", None)."""
    base, bracket, rest = name.partition("[")
    return base, (rest[:-1] if bracket and rest.endswith("]") else None)


def _tests(analysis: PotencyAnalysis) -> list[tuple[str, str | None, TestResult]]:
    """The model's tests as (criterion, preparation, test), the run's before the
    preparations' (built-in equivalence tests of the 4PL API left out)."""
    out: list[tuple[str, str | None, TestResult]] = []
    for name, t in analysis.tests.items():
        base, prep = _split(name)
        if not base.startswith("equivalence"):
            out.append((base, prep, t))
    for r in analysis.results:
        for t in r.tests:
            base, _ = _split(t.name)
            if not base.startswith("equivalence"):
                out.append((base, r.preparation, t))
    return out


@dataclass(frozen=True, slots=True)
class _Slopes:
    """The separate-slopes fit of a parallel-line run: slopes by preparation, their
    covariance (row/column per preparation) and the residual degrees of freedom."""

    slope: dict[str, float]
    cov: dict[tuple[str, str], float]
    df: int


def separate_slopes(analysis: PotencyAnalysis, data: DoseResponseData) -> _Slopes:
    """Least squares of the response on the design factors, one intercept and one slope
    (on ln dose) per preparation."""
    import numpy as np

    from dossier.compute.potency.parallel_line import _dummies

    obs = data.observations
    y = transform_responses([o.response for o in obs], analysis.transform, data)
    x = np.log(np.array([o.dose for o in obs], dtype=float))
    preps = [analysis.standard, *[p for p in data.preparations if p != analysis.standard]]
    n = len(obs)
    columns = [np.ones((n, 1))]
    if data.design == "randomised-block":
        columns.append(_dummies([str(o.block) for o in obs]))
    elif data.design == "latin-square":
        columns.append(_dummies([str(o.latin_row) for o in obs]))
        columns.append(_dummies([str(o.latin_column) for o in obs]))
    member = np.array([[o.preparation == p for p in preps] for o in obs], dtype=float)
    columns.append(member[:, 1:])
    columns.append(member * x[:, None])
    matrix = np.hstack(columns)
    coef, _, rank, _ = np.linalg.lstsq(matrix, y, rcond=None)
    resid = y - matrix @ coef
    df = n - int(rank)
    s2 = float(resid @ resid) / df if df > 0 else math.nan
    cov = s2 * np.linalg.pinv(matrix.T @ matrix)
    first = matrix.shape[1] - len(preps)
    slope = {p: float(coef[first + i]) for i, p in enumerate(preps)}
    covariance = {
        (p, q): float(cov[first + i, first + j])
        for i, p in enumerate(preps)
        for j, q in enumerate(preps)
    }
    return _Slopes(slope, covariance, df)


def _t(df: int, alpha: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, 1 - alpha)) if df > 0 else math.nan


def _equivalence_outcome(
    c: Criterion,
    name: str,
    preparation: str,
    estimate: float | None,
    interval: tuple[float | None, float | None] | None,
    missing: str = "",
) -> Outcome:
    confidence = 1 - 2 * c.alpha
    quantity = QUANTITY[name]
    outcome = Outcome(
        c.name,
        "equivalence",
        quantity,
        preparation,
        estimate if estimate is not None and math.isfinite(estimate) else None,
        c.lower,
        c.upper,
        False,
        "",
        confidence=confidence,
        limit=f"{percent(confidence)} CI within {limits_words(c.lower, c.upper)}",
    )
    low, high = interval if interval is not None else (None, None)
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        why = missing or "its confidence interval is unbounded"
        return replace(outcome, reason=f"{quantity} of {preparation}: {why}")
    met = _within(low, c.lower, c.upper) and _within(high, c.lower, c.upper)
    relation = "within" if met else "not within"
    shown = "—" if outcome.value is None else _g(outcome.value)
    reason = (
        f"{quantity} of {preparation} {shown}, {percent(confidence)} CI "
        f"{_g(low)} to {_g(high)}, {relation} {limits_words(c.lower, c.upper)}"
    )
    return replace(outcome, met=met, reason=reason, ci=(low, high))


def _not_assessed(c: Criterion, quantity: str, why: str, preparation: str | None = None) -> Outcome:
    kinds: dict[str, Kind] = {"significance": "significance", "equivalence": "equivalence"}
    kind = kinds.get(c.method, "system suitability" if c.suitability else "limit")
    return Outcome(
        c.name,
        kind,
        quantity,
        preparation,
        None,
        c.lower,
        c.upper,
        None,
        f"{quantity} not assessed: {why}",
        limit=limits_words(c.lower, c.upper),
    )


def _parallel_equivalence(
    c: Criterion, analysis: PotencyAnalysis, data: DoseResponseData
) -> list[Outcome]:
    fit = separate_slopes(analysis, data)
    if fit.df <= 0:
        return [_not_assessed(c, QUANTITY[c.name], "no residual degrees of freedom")]
    t = _t(fit.df, c.alpha)
    std = analysis.standard
    out = []
    for r in analysis.results:
        p = r.preparation
        b_s, b_t = fit.slope[std], fit.slope[p]
        v_s, v_t, v_st = fit.cov[(std, std)], fit.cov[(p, p)], fit.cov[(p, std)]
        if c.name == "slope_ratio":
            fl = fieller(b_t, b_s, v_t, v_s, v_st, t)
            missing = f"its confidence interval is unbounded (g = {fl.g:.3g} ≥ 1)"
            out.append(_equivalence_outcome(c, c.name, p, fl.ratio, (fl.lower, fl.upper), missing))
        else:
            diff = b_t - b_s
            half = t * math.sqrt(max(v_t + v_s - 2 * v_st, 0.0))
            out.append(_equivalence_outcome(c, c.name, p, diff, (diff - half, diff + half)))
    return out


def _curves(analysis: PotencyAnalysis) -> dict[str, CurveFit]:
    return {curve.preparation: curve for curve in analysis.curves}


def _logistic_equivalence(c: Criterion, analysis: PotencyAnalysis) -> list[Outcome]:
    curves = _curves(analysis)
    std = curves.get(analysis.standard)
    if std is None:
        return [_not_assessed(c, QUANTITY.get(c.name, c.name), "the analysis has no own fits")]
    names = {
        "asymptote_difference": ["lower_asymptote_difference", "upper_asymptote_difference"],
    }.get(c.name, [c.name])
    # the lower asymptote is the smaller of the standard's two
    low, high = ("A", "D") if std.estimate("A") <= std.estimate("D") else ("D", "A")
    out = []
    for r in analysis.results:
        test = curves.get(r.preparation)
        for name in names:
            if test is None or not (std.converged and test.converged):
                which = analysis.standard if not std.converged else r.preparation
                why = f"the own fit of '{which}' did not converge"
                out.append(_equivalence_outcome(c, name, r.preparation, None, None, why))
                continue
            df = min(std.df, test.df)
            t = _t(df, c.alpha)
            if name == "slope_ratio":
                b_t, b_s = test.estimate("B"), std.estimate("B")
                fl = fieller(b_t, b_s, test.variance("B"), std.variance("B"), 0.0, t)
                missing = f"its confidence interval is unbounded (g = {fl.g:.3g} ≥ 1)"
                interval = (fl.lower, fl.upper)
                out.append(
                    _equivalence_outcome(c, name, r.preparation, fl.ratio, interval, missing)
                )
                continue
            param = {"slope_difference": "B", "lower_asymptote_difference": low}.get(name, high)
            diff = test.estimate(param) - std.estimate(param)
            variance = test.variance(param) + std.variance(param)
            if not (math.isfinite(variance) and variance >= 0):
                why = "the variance of the difference cannot be estimated"
                out.append(_equivalence_outcome(c, name, r.preparation, diff, None, why))
                continue
            half = t * math.sqrt(variance)
            out.append(
                _equivalence_outcome(c, name, r.preparation, diff, (diff - half, diff + half))
            )
    return out


def _limit_outcome(
    c: Criterion, name: str, value: float | None, why: str, preparation: str | None = None
) -> Outcome:
    quantity = QUANTITY[name]
    if value is None or not math.isfinite(value):
        return _not_assessed(c, quantity, why, preparation)
    met = _within(value, c.lower, c.upper)
    of = f" of {preparation}" if preparation else ""
    relation = "within" if met else "outside"
    return Outcome(
        c.name,
        "system suitability" if c.suitability else "limit",
        quantity,
        preparation,
        value,
        c.lower,
        c.upper,
        met,
        f"{quantity}{of} {_g(value)} {relation} {limits_words(c.lower, c.upper)}",
        limit=limits_words(c.lower, c.upper),
    )


def r_squared(analysis: PotencyAnalysis, data: DoseResponseData) -> float | None:
    """R² of the fitted model: 1 − residual SS / total SS (None when undefined)."""
    import numpy as np

    if analysis.anova:
        rows = {str(row["source"]): float(row["ss"] or 0.0) for row in analysis.anova}
        total = rows.get("Total", 0.0)
        # the lines the model fits: design factors, preparations, regression
        unfitted = {"Non-parallelism", "Non-linearity", "Intersection", "Treatments"}
        unfitted |= {"Residual error", "Total"}
        explained = sum(v for k, v in rows.items() if k not in unfitted)
        return explained / total if total > 0 else None
    if analysis.residual_variance is None or not analysis.residual_df:
        return None
    y = transform_responses([o.response for o in data.observations], analysis.transform, data)
    total = float(((y - np.mean(y)) ** 2).sum())
    rss = analysis.residual_variance * analysis.residual_df
    return 1 - rss / total if total > 0 and math.isfinite(rss) else None


def _ec50(analysis: PotencyAnalysis, preparation: str) -> float | None:
    """The dose of the half-way response: exp(C) for the 4PL, shifted for the 5PL."""
    params = analysis.parameters
    c = params.get(f"C[{preparation}]")
    if c is None:
        return None
    e, b = params.get("E"), params.get("B", math.nan)
    if e is not None:
        if not (math.isfinite(e) and e > 0 and math.isfinite(b) and b != 0):
            return None
        c += mid_response_shift(b, e)
    if not (math.isfinite(c) and abs(c) < 700):
        return None
    return math.exp(c)


def _limit(
    c: Criterion, analysis: PotencyAnalysis, data: DoseResponseData, scale: float
) -> list[Outcome]:
    logistic = analysis.model in LOGISTIC
    if c.name == "r_squared":
        return [_limit_outcome(c, c.name, r_squared(analysis, data), "no residual error")]
    if c.name == "ci_width_ratio":
        out = []
        for r in analysis.results:
            ratio = (
                r.ci_upper / r.ci_lower
                if r.ci_lower is not None and r.ci_upper is not None and r.ci_lower > 0
                else None
            )
            out.append(
                _limit_outcome(
                    c, c.name, ratio, "no confidence limits were computed", r.preparation
                )
            )
        return out
    if c.name in {"ec50", "reference_ec50"}:
        if not logistic:
            return [_not_assessed(c, QUANTITY[c.name], f"the {analysis.model} model has no EC50")]
        preps = [analysis.standard]
        if c.name == "ec50":
            preps += [r.preparation for r in analysis.results]
        return [
            _limit_outcome(c, c.name, _ec50(analysis, p), "the fit gives no EC50", p) for p in preps
        ]
    if c.name == "asymptote_ratio":
        std = _curves(analysis).get(analysis.standard)
        if std is None or not std.converged:
            why = "the standard's own fit is missing or did not converge"
            return [_not_assessed(c, QUANTITY[c.name], why)]
        low, high = sorted((std.estimate("A"), std.estimate("D")))
        if low <= 0:
            why = f"the lower asymptote ({_g(low)}) is not positive"
            return [_not_assessed(c, QUANTITY[c.name], why)]
        return [_limit_outcome(c, c.name, high / low, "")]
    if c.name == "control_potency":
        prep = next((r for r in analysis.results if r.preparation == c.preparation), None)
        if prep is None:
            why = f"the run has no preparation '{c.preparation}'"
            return [_not_assessed(c, QUANTITY[c.name], why)]
        value = prep.relative_potency * scale if prep.relative_potency is not None else None
        return [_limit_outcome(c, c.name, value, "no relative potency", c.preparation)]
    return [_not_assessed(c, c.name.replace("_", " "), "dossier does not compute it")]


def _described(c: Criterion) -> Outcome:
    label = c.label or c.name.replace("_", " ")
    return Outcome(
        c.name,
        "described",
        label,
        None,
        None,
        None,
        None,
        None,
        "limits given in words only: not computed",
        decides=False,
    )


@memoized
def evaluate(
    criteria: Sequence[Criterion],
    analysis: PotencyAnalysis,
    data: DoseResponseData,
    *,
    scale: float = 1.0,
) -> tuple[Outcome, ...]:
    """Every criterion judged on the run, then the model's tests that none names.

    ``scale`` turns a relative potency into the reportable scale (the reference's
    assigned potency, e.g. 100 for 100 %) for ``control_potency``.
    """
    declared = {c.name: c for c in criteria if c.method == "significance"}
    by_equivalence = similarity_by_equivalence(criteria)
    out: list[Outcome] = []
    tests = _tests(analysis)
    for c in criteria:
        if c.method == "described":
            out.append(_described(c))
        elif c.method == "significance":
            found = [(p, t) for name, p, t in tests if name == c.name]
            if not found:
                why = f"the {analysis.model} analysis has no {c.name.replace('_', ' ')} test"
                out.append(_not_assessed(c, QUANTITY.get(c.name, c.name), why))
            out += [_significance(c, t, p, "significance") for p, t in found]
        elif c.method == "equivalence":
            if analysis.model == "parallel-line" and c.name in {"slope_ratio", "slope_difference"}:
                out += _parallel_equivalence(c, analysis, data)
            elif analysis.model in LOGISTIC:
                out += _logistic_equivalence(c, analysis)
            else:
                why = f"it is not defined for the {analysis.model} model"
                out.append(_not_assessed(c, QUANTITY.get(c.name, c.name), why))
        else:
            out += _limit(c, analysis, data, scale)
    for name, prep, test in tests:
        if name in declared:
            continue
        model = Criterion(name, "significance", alpha=_alpha_of(test))
        outcome = _significance(model, test, prep, "model")
        if by_equivalence and name == "non_parallelism":
            outcome = _reported(outcome)
        out.append(outcome)
    return tuple(out)


def _alpha_of(test: TestResult) -> float:
    """The significance level the model applied ("p ≥ 0.05" → 0.05; default 0.05)."""
    head, _, tail = test.criterion.rpartition(" ")
    try:
        return float(tail) if head.startswith("p ") else 0.05
    except ValueError:
        return 0.05


def _reported(outcome: Outcome) -> Outcome:
    """The F-test of non-parallelism when similarity is judged by equivalence."""
    return replace(
        outcome,
        decides=False,
        limit="reported; similarity judged by equivalence",
    )


def judge(analysis: PotencyAnalysis, outcomes: Sequence[Outcome]) -> Judgement:
    """The run's verdict: the analysis's, and every deciding criterion met.

    A criterion about the standard or the whole run that is not met, or that could not
    be assessed, makes the run invalid; one about a test preparation makes that
    preparation's estimate invalid, and the run invalid when no test preparation is
    left. A significance test the model already judged adds nothing when the declared
    alpha gives the same verdict (its reason is the model's).
    """
    run: list[str] = []
    by_prep: dict[str, list[str]] = {}
    for o in outcomes:
        if not o.decides or o.kind in {"model", "described"} or o.met is True:
            continue
        if o.kind == "significance" and (o.met is None or o.model_verdict is False):
            continue  # the model's verdict and reason stand
        if o.preparation is None or o.preparation == analysis.standard:
            run.append(o.reason)
        else:
            by_prep.setdefault(o.preparation, []).append(o.reason)
    preps = [r.preparation for r in analysis.results]
    if analysis.valid and not run and preps and all(p in by_prep for p in preps):
        run.append("no test preparation meets the declared criteria")
    return Judgement(
        valid=analysis.valid and not run,
        reasons=tuple(run),
        preparation_reasons={p: tuple(v) for p, v in by_prep.items()},
    )
