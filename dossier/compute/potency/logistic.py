"""Four-parameter logistic (4PL) relative-potency assays (Ph. Eur. 5.3, section 3.4), and
the five-parameter (asymmetric) logistic (5PL) that extends it.

    4PL:  y = D + (A - D) / (1 + exp(B (x - C))),        x = ln(dose)
    5PL:  y = D + (A - D) / (1 + exp(B (x - C)))^E,      E > 0

A is the response at zero dose (for B > 0), D the response at infinite dose, B the slope
factor and C = ln(EC50) for the 4PL; the 5PL's E makes the curve asymmetric (E = 1 is
the 4PL) and its EC50, where the response is half-way, is C + ln(2^(1/E) - 1) / B.
Zero doses are allowed: their expected response is the corresponding asymptote. Under
similarity the preparations share A, B and D (and E) and differ only in C, so the curves
are shifted along ln(dose) and ln(relative potency) = C_S - C_T.

- *Constrained* fit: shared A, B, D (and E); one C per preparation (least squares).
- *Unconstrained* fit: all four (five) parameters per preparation.
- Similarity: F-test of the extra sum of squares (significance), or, configurable,
  equivalence margins on the differences of slope and asymptotes between each test and
  the standard (the 90 % confidence interval of each difference inside its margins).
- Limits of the relative potency: log-scale delta method (Wald) on C_S - C_T from the
  constrained fit, with Student t on the constrained model's residual degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from dossier.compute.memo import memoized
from dossier.compute.potency._prepare import (
    check_data,
    refuse_design_factors,
    residual_is_zero,
    transform_responses,
)
from dossier.compute.potency.fourpl_fit import Fit, fit_4pl, fit_5pl, log_ec50s
from dossier.compute.potency.types import (
    CurveFit,
    DoseResponseData,
    PotencyAnalysis,
    PreparationResult,
    TestResult,
    Transform,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Fit", "Margins", "analyse_4pl", "analyse_5pl", "fit_4pl", "fit_5pl"]

NOT_ASSESSED = "not assessed"
"""The criterion of a test that the design or the fits cannot give (never passed)."""


@dataclass(frozen=True, slots=True)
class Margins:
    """Equivalence margins (test minus standard) for similarity by equivalence."""

    slope: tuple[float, float] = (-0.5, 0.5)
    lower_asymptote: tuple[float, float] = (-10.0, 10.0)
    upper_asymptote: tuple[float, float] = (-10.0, 10.0)


def _f_similarity(constrained: Fit, separate: list[Fit], alpha: float, y: np.ndarray) -> TestResult:
    """F-test of the constrained fit against the preparations' own fits; "not assessed"
    (no p value, not passed) when the design or the fits cannot give it."""
    from scipy.special import fdtrc

    rss_u = sum(f.rss for f in separate)
    df_u = sum(f.df for f in separate)
    df_num = constrained.df - df_u
    fitted = constrained.converged and all(f.converged for f in separate)
    why = (
        "a fit did not converge"
        if not fitted
        else "no residual degrees of freedom in the preparations' own fits"
        if df_u <= 0 or df_num <= 0
        else "the residual variance is zero for the responses' scale"
        if residual_is_zero(rss_u, y)
        else None
    )
    if why is not None:
        return TestResult(
            "non_parallelism", None, df_num, df_u, None, False, f"{NOT_ASSESSED}: {why}"
        )
    f = ((constrained.rss - rss_u) / df_num) / (rss_u / df_u)
    f = max(f, 0.0)
    p = float(fdtrc(df_num, df_u, f))
    return TestResult("non_parallelism", float(f), df_num, df_u, p, p >= alpha, f"p ≥ {alpha:g}")


def _equivalence(std: Fit, test: Fit, margins: Margins, prep: str) -> list[TestResult]:
    """90 % CI of test-minus-standard differences within the margins (TOST at 5 %)."""
    from scipy.special import stdtrit

    out = []
    df = min(std.df, test.df)
    t = float(stdtrit(df, 0.95)) if df > 0 else math.nan
    for index, name, (lo, hi) in (
        (1, "slope", margins.slope),
        (0, "lower_asymptote", margins.lower_asymptote),
        (2, "upper_asymptote", margins.upper_asymptote),
    ):
        diff = float(test.params[index] - std.params[index])
        se = math.sqrt(max(float(std.cov[index, index] + test.cov[index, index]), 0.0))
        low, high = diff - t * se, diff + t * se
        passed = math.isfinite(low) and lo <= low and high <= hi
        out.append(
            TestResult(
                f"equivalence_{name}[{prep}]",
                None,
                None,
                df,
                None,
                passed,
                f"90 % CI [{low:.4g}, {high:.4g}] within [{lo:g}, {hi:g}]",
            )
        )
    return out


@memoized
def analyse_4pl(
    data: DoseResponseData,
    standard: str,
    *,
    assumed: dict[str, float] | None = None,
    transform: Transform = "none",
    alpha: float = 0.05,
    similarity: Literal["f-test", "equivalence"] = "f-test",
    margins: Margins | None = None,
    confidence: float = 0.95,
) -> PotencyAnalysis:
    """Relative potency of each test preparation by a constrained 4PL fit."""
    return _analyse(
        data, standard, assumed, transform, alpha, similarity, margins, confidence, False
    )


@memoized
def analyse_5pl(
    data: DoseResponseData,
    standard: str,
    *,
    assumed: dict[str, float] | None = None,
    transform: Transform = "none",
    alpha: float = 0.05,
    similarity: Literal["f-test", "equivalence"] = "f-test",
    margins: Margins | None = None,
    confidence: float = 0.95,
) -> PotencyAnalysis:
    """Relative potency of each test preparation by a constrained 5PL fit (shared A, B,
    D, E; one C per preparation), judged as the 4PL is."""
    return _analyse(
        data, standard, assumed, transform, alpha, similarity, margins, confidence, True
    )


def _analyse(
    data: DoseResponseData,
    standard: str,
    assumed: dict[str, float] | None,
    transform: Transform,
    alpha: float,
    similarity: Literal["f-test", "equivalence"],
    margins: Margins | None,
    confidence: float,
    asymmetric: bool,
) -> PotencyAnalysis:
    import numpy as np
    from scipy.special import stdtrit

    shared = 4 if asymmetric else 3  # A, B, D (and E) before the C's
    name = "five-parameter logistic" if asymmetric else "four-parameter logistic"
    # read at each call, so that the fit may be replaced (the tests record the fits)
    fit_curve = fit_5pl if asymmetric else fit_4pl
    obs = check_data(data, standard, log_dose=False, min_doses=shared + 1)
    refuse_design_factors(data, name)
    y = transform_responses([o.response for o in obs], transform, data)
    preps = [standard, *[p for p in data.preparations if p != standard]]
    with np.errstate(divide="ignore"):
        x = np.log(np.array([o.dose for o in obs]))
    groups = np.array([preps.index(o.preparation) for o in obs])
    reasons: list[str] = []
    if not float(np.ptp(y)) > 1e-12 * float(np.max(np.abs(y))):
        reasons.append("the responses are all equal (flat curve)")
        return _invalid(data, standard, transform, preps, reasons, len(obs), asymmetric)
    constrained = fit_curve(x, y, groups, len(preps))
    # each preparation's own fit starts from the constrained fit (its A, B, D (E) and C)
    separate = [
        fit_curve(
            x[groups == g],
            y[groups == g],
            np.zeros(int((groups == g).sum()), dtype=int),
            1,
            start=constrained.params[[*range(shared), shared + g]]
            if constrained.converged
            else None,
        )
        for g in range(len(preps))
    ]
    if not constrained.converged or not np.all(np.isfinite(constrained.params)):
        reasons.append(f"the constrained fit did not converge ({constrained.message})")
    for prep, fit in zip(preps, separate, strict=True):
        if not fit.converged:
            reasons.append(
                f"the fit of preparation '{prep}' on its own did not converge ({fit.message}), "
                "so similarity cannot be judged"
            )
    a, b, d = (float(v) for v in constrained.params[:3])
    if abs(a - d) < 1e-9 * max(1.0, abs(a) + abs(d)) or abs(b) < 1e-9:
        reasons.append("degenerate curve: no dose-response (asymptotes equal or zero slope)")
    tests: dict[str, TestResult] = {}
    # a dose-response of each preparation: its own curve against a flat line at its mean
    regressions = _regression_tests(x, y, groups, preps, separate, alpha, shared)
    for prep, test in zip(preps, regressions, strict=True):
        tests[test.name] = test
        # (a test not assessed because the fit did not converge is said with the fit)
        if prep == standard and not test.passed and separate[0].converged:
            reasons.append(
                f"no significant dose-response of the standard '{prep}' (p = {test.p:.3g})"
                if test.p is not None
                else f"dose-response of the standard '{prep}': {test.criterion}"
            )
    tests["non_parallelism"] = _f_similarity(constrained, separate, alpha, y)
    zero_variance = constrained.converged and residual_is_zero(constrained.rss, y)
    if zero_variance:
        reasons.append(
            "the residual variance is zero for the responses' scale (identical replicates or "
            "an exact fit): no test or confidence limits"
        )
    ec50s = log_ec50s(constrained.params, shared)  # ln(EC50) per preparation
    c_std = float(ec50s[0])
    std_doses = x[(groups == 0) & np.isfinite(x)]
    if constrained.converged and not (std_doses.min() <= c_std <= std_doses.max()):
        reasons.append(f"the EC50 of the standard '{standard}' lies outside its doses")
    equivalence: list[TestResult] = []
    # equivalence without margins here: the caller judges similarity by its own criteria
    # (dossier.compute.potency.criteria reads the preparations' own fits, ``curves``)
    if similarity == "equivalence" and margins is not None:
        for g, prep in enumerate(preps[1:], start=1):
            equivalence.extend(_equivalence(separate[0], separate[g], margins, prep))
        failed = [t for t in equivalence if not t.passed]
        if failed:
            reasons.append(
                "similarity not shown by equivalence: "
                + "; ".join(f"{t.name} {t.criterion}" for t in failed)
            )
        tests["equivalence"] = TestResult(
            "equivalence", None, None, None, None, not failed, "all differences within margins"
        )
    elif similarity == "f-test":
        t = tests["non_parallelism"]
        if t.p is not None and not t.passed:
            reasons.append(f"significant non-similarity (F = {t.F:.3g}, p = {t.p:.3g})")
        elif t.p is None and constrained.converged and all(f.converged for f in separate):
            # a fit that did not converge already says that similarity cannot be judged
            reasons.append(f"similarity {t.criterion}")
    t_crit = (
        float(stdtrit(constrained.df, 0.5 + confidence / 2)) if constrained.df > 0 else math.nan
    )
    results = []
    for g, prep in enumerate(preps[1:], start=1):
        i_s, i_t = shared, shared + g
        log_rp = float(constrained.params[i_s]) - float(constrained.params[i_t])
        with np.errstate(all="ignore"):
            cov = constrained.cov
            var = float(cov[i_s, i_s] + cov[i_t, i_t] - 2 * cov[i_s, i_t])
        prep_reasons = []
        own = x[(groups == g) & np.isfinite(x)]
        if not (own.min() <= float(ec50s[g]) <= own.max()):
            prep_reasons.append("the EC50 of this preparation lies outside its doses")
        regression = tests[f"regression[{prep}]"]
        if not regression.passed:
            prep_reasons.append(
                f"no significant dose-response (p = {regression.p:.3g})"
                if regression.p is not None
                else f"dose-response {regression.criterion}"
            )
        lo = hi = None
        if zero_variance:
            pass  # said once for the assay
        elif not math.isfinite(var) or var < 0:
            prep_reasons.append("the standard error of the log potency ratio cannot be estimated")
        else:
            half = t_crit * math.sqrt(var)
            if _representable(log_rp - half) and _representable(log_rp + half):
                lo, hi = log_rp - half, log_rp + half
            else:
                prep_reasons.append(
                    "the limits of the potency are beyond any number (ill-defined fit)"
                )
        assumed_potency = (assumed or {}).get(prep, 1.0)
        rp = math.exp(log_rp) if _representable(log_rp) else None
        results.append(
            PreparationResult(
                preparation=prep,
                relative_potency=rp,
                potency=rp * assumed_potency if rp is not None else None,
                ci_lower=math.exp(lo) * assumed_potency if lo is not None else None,
                ci_upper=math.exp(hi) * assumed_potency if hi is not None else None,
                valid=not reasons and not prep_reasons,
                assumed_potency=assumed_potency,
                log_potency_ratio=log_rp,
                log_ci=(lo, hi) if lo is not None and hi is not None else None,
                ci_method=(
                    f"log-scale delta method (Wald), t with {constrained.df} df, {confidence:.0%}"
                ),
                reasons=tuple(prep_reasons),
                tests=tuple(t for t in equivalence if t.name.endswith(f"[{prep}]")),
            )
        )
    # the assay is valid only when every preparation it was run for is
    invalid = [r.preparation for r in results if not r.valid]
    if invalid and not reasons:
        reasons.append(
            "no valid estimate for the test preparation(s) " + ", ".join(f"'{p}'" for p in invalid)
        )
    return PotencyAnalysis(
        model="5pl" if asymmetric else "4pl",
        standard=standard,
        design=data.design,
        transform=transform,
        valid=not reasons,
        tests=tests,
        results=tuple(results),
        reasons=tuple(reasons),
        residual_df=constrained.df,
        residual_variance=constrained.rss / constrained.df if constrained.df > 0 else None,
        parameters={
            "A": a,
            "B": b,
            "D": d,
            **({"E": float(constrained.params[3])} if asymmetric else {}),
            **{f"C[{p}]": float(constrained.params[shared + i]) for i, p in enumerate(preps)},
        },
        method=(
            f"{name} on ln(dose); constrained least-squares fit (shared asymptotes and "
            + ("slope, shared asymmetry" if asymmetric else "slope")
            + "); similarity by "
            + (
                "equivalence margins"
                if similarity == "equivalence"
                else "F-test of constrained vs unconstrained fits"
            )
        ),
        source=data.source,
        rows_used=len(obs),
        curves=tuple(
            CurveFit(
                prep,
                ("A", "B", "D", "E", "C") if asymmetric else ("A", "B", "D", "C"),
                tuple(float(v) for v in fit.params),
                tuple(tuple(float(v) for v in row) for row in fit.cov),
                fit.df,
                fit.converged,
            )
            for prep, fit in zip(preps, separate, strict=True)
        ),
    )


def _representable(log_value: float) -> bool:
    """Whether exp(log_value) is a finite, non-zero float."""
    return math.isfinite(log_value) and abs(log_value) < 700.0


def _regression_tests(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    preps: list[str],
    separate: list[Fit],
    alpha: float,
    shared: int = 3,
) -> list[TestResult]:
    """Has each preparation a dose-response? Its own fit against a flat line at its mean
    (3 df for the 4PL, 4 for the 5PL: ``shared``), over the residual mean square of all
    the preparations' own fits.

    Not assessed when the preparation's own fit did not converge or the fits leave no
    residual degrees of freedom; with a residual variance that is zero for the responses'
    scale, a preparation whose own fit explains its responses passes."""
    from scipy.special import fdtrc

    rss_u = sum(f.rss for f in separate)
    df_u = sum(f.df for f in separate)
    exact = df_u > 0 and all(f.converged for f in separate) and residual_is_zero(rss_u, y)
    out = []
    for g, (prep, fit) in enumerate(zip(preps, separate, strict=True)):
        name = f"regression[{prep}]"
        own = y[groups == g]
        rss0 = float(((own - own.mean()) ** 2).sum())
        if exact:
            shown = not residual_is_zero(rss0, own)
            criterion = "exact fit" + ("" if shown else " of a flat line (no dose-response)")
            out.append(TestResult(name, None, shared, df_u, None, shown, criterion))
        elif not fit.converged or df_u <= 0:
            why = "its own fit did not converge" if not fit.converged else "no residual df"
            out.append(TestResult(name, None, shared, df_u, None, False, f"{NOT_ASSESSED}: {why}"))
        else:
            f = max((rss0 - fit.rss) / shared / (rss_u / df_u), 0.0)
            p = float(fdtrc(shared, df_u, f))
            out.append(TestResult(name, f, shared, df_u, p, p < alpha, f"p < {alpha:g}"))
    return out


def _invalid(
    data: DoseResponseData,
    standard: str,
    transform: Transform,
    preps: list[str],
    reasons: list[str],
    rows: int,
    asymmetric: bool = False,
) -> PotencyAnalysis:
    results = tuple(
        PreparationResult(p, None, None, None, None, False, reasons=tuple(reasons))
        for p in preps[1:]
    )
    return PotencyAnalysis(
        model="5pl" if asymmetric else "4pl",
        standard=standard,
        design=data.design,
        transform=transform,
        valid=False,
        tests={},
        results=results,
        reasons=tuple(reasons),
        source=data.source,
        rows_used=rows,
    )
