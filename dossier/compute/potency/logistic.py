"""Four-parameter logistic (4PL) relative-potency assays (Ph. Eur. 5.3, section 3.4).

    y = D + (A - D) / (1 + exp(B (x - C))),   x = ln(dose)

A is the response at zero dose (for B > 0), D the response at infinite dose, B the slope
factor and C = ln(EC50). Zero doses are allowed: their expected response is the
corresponding asymptote. Under similarity the preparations share A, B and D and differ
only in C, so ln(relative potency) = C_S - C_T.

- *Constrained* fit: shared A, B, D; one C per preparation (least squares).
- *Unconstrained* fit: all four parameters per preparation.
- Similarity: F-test of the extra sum of squares (significance), or, configurable,
  equivalence margins on the differences of slope and asymptotes between each test and
  the standard (the 90 % confidence interval of each difference inside its margins).
- Limits of the relative potency: log-scale delta method (Wald) on C_S - C_T from the
  constrained fit, with Student t on the constrained model's residual degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from dossier.compute.potency._prepare import check_data, transform_responses
from dossier.compute.potency.types import (
    DoseResponseData,
    PotencyAnalysis,
    PreparationResult,
    TestResult,
    Transform,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Margins", "analyse_4pl", "fit_4pl"]


@dataclass(frozen=True, slots=True)
class Margins:
    """Equivalence margins (test minus standard) for similarity by equivalence."""

    slope: tuple[float, float] = (-0.5, 0.5)
    lower_asymptote: tuple[float, float] = (-10.0, 10.0)
    upper_asymptote: tuple[float, float] = (-10.0, 10.0)


@dataclass(frozen=True, slots=True)
class Fit:
    """A least-squares fit: parameters, covariance (s² (JᵀJ)⁻¹), RSS and df."""

    params: np.ndarray
    cov: np.ndarray
    rss: float
    df: int
    converged: bool
    message: str


def _curve(
    params_abd: tuple[float, float, float], c: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Model values and the logistic term, with x = -inf (zero dose) handled exactly."""
    import numpy as np

    a, b, d = params_abd
    with np.errstate(over="ignore", invalid="ignore"):
        z = b * (x - c)
        z = np.where(np.isneginf(x), -np.inf * np.sign(b) if b != 0 else 0.0, z)
        e = np.exp(np.clip(z, -700, 700))
        frac = 1.0 / (1.0 + e)
    return d + (a - d) * frac, frac


def _starting_values(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    import numpy as np

    finite = np.isfinite(x)
    order = np.argsort(np.where(finite, x, -1e300))
    lo = y[order[: max(2, len(y) // 6)]].mean()
    hi = y[order[-max(2, len(y) // 6) :]].mean()
    mid = (lo + hi) / 2
    xs = x[finite]
    ys = y[finite]
    c0 = float(xs[np.argmin(np.abs(ys - mid))]) if xs.size else 0.0
    span = float(xs.max() - xs.min()) if xs.size > 1 else 1.0
    b0 = 4.0 / span if span > 0 else 1.0
    # with A = response at low dose and D at high dose, B > 0 whatever the direction
    return float(lo), b0, c0, float(hi)


def fit_4pl(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None = None,
) -> Fit:
    """Constrained 4PL: shared A, B, D; one C per group (groups are 0..n_groups-1).

    ``start`` (A, B, D, C per group) replaces the data-driven starting values, e.g. the
    constrained fit as the start of each preparation's own fit.
    """
    import numpy as np

    if start is not None and np.all(np.isfinite(start)):
        p0 = np.array(start, dtype=float)
    else:
        a0, b0, c0, d0 = _starting_values(x, y)
        cs = []
        for g in range(n_groups):
            mask = groups == g
            _, _, cg, _ = _starting_values(x[mask], y[mask])
            cs.append(cg if math.isfinite(cg) else c0)
        p0 = np.array([a0, b0, d0, *cs], dtype=float)
    finite = np.isfinite(x)
    all_finite = bool(finite.all())
    x0 = np.where(finite, x, 0.0)
    one_hot = (groups[:, None] == np.arange(n_groups)[None, :]).astype(float)

    def residuals_jacobian(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b, d = p[0], p[1], p[2]
        centred = x0 - one_hot @ p[3:]
        z = b * centred
        if not all_finite:
            # zero dose: x = -inf, so z = -inf * sign(b) and the curve is at its asymptote
            z = np.where(finite, z, -np.inf * np.sign(b) if b != 0 else 0.0)
            centred = np.where(finite, centred, 0.0)
        frac = 1.0 / (1.0 + np.exp(z))
        resid = d + (a - d) * frac - y
        dfrac = (a - d) * frac * (frac - 1.0)  # (A - D) d frac / d z
        jac = np.empty((x.size, p.size))
        jac[:, 0] = frac
        jac[:, 1] = dfrac * centred
        jac[:, 2] = 1.0 - frac
        jac[:, 3:] = (dfrac * -b if all_finite else np.where(finite, dfrac * -b, 0.0))[
            :, None
        ] * one_hot
        return resid, jac

    with np.errstate(over="ignore", invalid="ignore"):
        params, resid, jac, converged, message = _levenberg_marquardt(residuals_jacobian, p0)
    rss = float(resid @ resid)
    df = x.size - p0.size
    try:
        cov = np.linalg.inv(jac.T @ jac) * (rss / df if df > 0 else math.nan)
    except np.linalg.LinAlgError:
        cov = np.full((p0.size, p0.size), math.nan)
    return Fit(params, cov, rss, df, converged, message)


DAMPING = 1e-5


def _levenberg_marquardt(
    residuals_jacobian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    p0: np.ndarray,
    *,
    max_evaluations: int = 2000,
    ftol: float = 1e-12,
    xtol: float = 1e-12,
    gtol: float = 1e-15,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, str]:
    """Least squares by Levenberg-Marquardt with Marquardt's scaling (MINPACK criteria).

    The damping follows Nielsen's update; the scale of each parameter is the largest
    column norm of the Jacobian seen so far, as in MINPACK's ``lmder``. Small problems
    (a few parameters) run in a fraction of the time of ``scipy.optimize``, whose import
    alone costs 0.4 s. Returns parameters, residuals, Jacobian, success and a message.
    """
    import numpy as np

    p = p0.copy()
    resid, jac = residuals_jacobian(p)
    cost = float(resid @ resid)
    if not math.isfinite(cost):
        return p, resid, jac, False, "the residuals are not finite at the starting values"
    hess = jac.T @ jac
    grad = jac.T @ resid
    diagonal = np.arange(p.size) * (p.size + 1)
    scale = hess.flat[diagonal].copy()
    scale[scale <= 0.0] = 1.0
    root_scale = np.sqrt(scale)
    damping = DAMPING * float(scale.max())
    nu = 2.0
    for _ in range(max_evaluations - 1):
        if cost == 0.0 or float(np.abs(grad).max()) <= gtol * max(1.0, cost):
            return p, resid, jac, True, "the gradient is zero at the solution"
        damped = hess.copy()
        damped.flat[diagonal] += damping * scale
        try:
            step = np.linalg.solve(damped, -grad)
        except np.linalg.LinAlgError:
            damping *= nu
            nu *= 2.0
            continue
        if float(root_scale @ np.abs(step)) <= xtol * (float(root_scale @ np.abs(p)) + xtol):
            return p, resid, jac, True, "the relative change of the parameters is below xtol"
        trial = p + step
        new_resid, new_jac = residuals_jacobian(trial)
        new_cost = float(new_resid @ new_resid)
        predicted = float(step @ (damping * scale * step - grad))
        if math.isfinite(new_cost) and predicted > 0.0 and new_cost < cost:
            rho = (cost - new_cost) / predicted
            reduction, predicted_reduction = (cost - new_cost) / cost, predicted / cost
            p, resid, jac, cost = trial, new_resid, new_jac, new_cost
            hess = jac.T @ jac
            grad = jac.T @ resid
            scale = np.maximum(scale, hess.flat[diagonal])
            root_scale = np.sqrt(scale)
            damping *= max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
            nu = 2.0
            if reduction <= ftol and predicted_reduction <= ftol:
                message = "the relative reduction of the sum of squares is below ftol"
                return p, resid, jac, True, message
        else:
            damping *= nu
            nu *= 2.0
    return p, resid, jac, False, f"no convergence within {max_evaluations} evaluations"


def _f_similarity(constrained: Fit, separate: list[Fit], alpha: float) -> TestResult:
    from dossier.compute.distributions import f_sf

    rss_u = sum(f.rss for f in separate)
    df_u = sum(f.df for f in separate)
    df_num = constrained.df - df_u
    if df_u <= 0 or df_num <= 0 or rss_u <= 0:
        return TestResult("non_parallelism", None, df_num, df_u, None, False, "not testable")
    f = ((constrained.rss - rss_u) / df_num) / (rss_u / df_u)
    f = max(f, 0.0)
    p = f_sf(f, df_num, df_u)
    return TestResult("non_parallelism", float(f), df_num, df_u, p, p >= alpha, f"p ≥ {alpha:g}")


def _equivalence(std: Fit, test: Fit, margins: Margins, prep: str) -> list[TestResult]:
    """90 % CI of test-minus-standard differences within the margins (TOST at 5 %)."""
    from dossier.compute.distributions import t_ppf

    out = []
    df = min(std.df, test.df)
    t = t_ppf(0.95, df) if df > 0 else math.nan
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
    import numpy as np

    from dossier.compute.distributions import t_ppf

    obs = check_data(data, standard, log_dose=False, min_doses=4)
    y = transform_responses([o.response for o in obs], transform, data)
    preps = [standard, *[p for p in data.preparations if p != standard]]
    with np.errstate(divide="ignore"):
        x = np.log(np.array([o.dose for o in obs]))
    groups = np.array([preps.index(o.preparation) for o in obs])
    reasons: list[str] = []
    if float(np.ptp(y)) == 0.0:
        reasons.append("the responses are all equal (flat curve)")
        return _invalid(data, standard, transform, preps, reasons, len(obs))
    constrained = fit_4pl(x, y, groups, len(preps))
    # each preparation's own fit starts from the constrained fit (its A, B, D and C)
    separate = [
        fit_4pl(
            x[groups == g],
            y[groups == g],
            np.zeros(int((groups == g).sum()), dtype=int),
            1,
            start=constrained.params[[0, 1, 2, 3 + g]] if constrained.converged else None,
        )
        for g in range(len(preps))
    ]
    if not constrained.converged or not np.all(np.isfinite(constrained.params)):
        reasons.append(f"the constrained fit did not converge ({constrained.message})")
    a, b, d = (float(v) for v in constrained.params[:3])
    if abs(a - d) < 1e-9 * max(1.0, abs(a) + abs(d)) or abs(b) < 1e-9:
        reasons.append("degenerate curve: no dose-response (asymptotes equal or zero slope)")
    tests: dict[str, TestResult] = {"non_parallelism": _f_similarity(constrained, separate, alpha)}
    regression = _regression_test(x, y, constrained, alpha)
    tests["regression"] = regression
    if not regression.passed and regression.p is not None:
        reasons.append(f"no significant dose-response (p = {regression.p:.3g})")
    equivalence: list[TestResult] = []
    if similarity == "equivalence":
        for g, prep in enumerate(preps[1:], start=1):
            equivalence.extend(_equivalence(separate[0], separate[g], margins or Margins(), prep))
        failed = [t for t in equivalence if not t.passed]
        if failed:
            reasons.append(
                "similarity not shown by equivalence: "
                + "; ".join(f"{t.name} {t.criterion}" for t in failed)
            )
        tests["equivalence"] = TestResult(
            "equivalence", None, None, None, None, not failed, "all differences within margins"
        )
    elif not tests["non_parallelism"].passed and tests["non_parallelism"].p is not None:
        t = tests["non_parallelism"]
        reasons.append(f"significant non-similarity (F = {t.F:.3g}, p = {t.p:.3g})")
    x_finite = x[np.isfinite(x)]
    t_crit = t_ppf(0.5 + confidence / 2, constrained.df) if constrained.df > 0 else math.nan
    results = []
    for g, prep in enumerate(preps[1:], start=1):
        c_s, c_t = float(constrained.params[3]), float(constrained.params[3 + g])
        log_rp = c_s - c_t
        var = float(
            constrained.cov[3, 3] + constrained.cov[3 + g, 3 + g] - 2 * constrained.cov[3, 3 + g]
        )
        prep_reasons = []
        if not (x_finite.min() <= c_t <= x_finite.max()):
            prep_reasons.append("the EC50 of this preparation lies outside the dose range")
        if not math.isfinite(var) or var < 0:
            prep_reasons.append("the standard error of the log potency ratio cannot be estimated")
            lo = hi = None
        else:
            half = t_crit * math.sqrt(var)
            lo, hi = log_rp - half, log_rp + half
        assumed_potency = (assumed or {}).get(prep, 1.0)
        rp = math.exp(log_rp) if math.isfinite(log_rp) else None
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
    return PotencyAnalysis(
        model="4pl",
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
            **{f"C[{p}]": float(constrained.params[3 + i]) for i, p in enumerate(preps)},
        },
        method=(
            "four-parameter logistic on ln(dose); constrained least-squares fit (shared "
            "asymptotes and slope); similarity by "
            + (
                "equivalence margins"
                if similarity == "equivalence"
                else "F-test of constrained vs unconstrained fits"
            )
        ),
        source=data.source,
        rows_used=len(obs),
    )


def _regression_test(x: np.ndarray, y: np.ndarray, fit: Fit, alpha: float) -> TestResult:
    """Is there a dose-response at all? The constrained model against a mean per preparation."""
    from dossier.compute.distributions import f_sf

    n = y.size
    rss0 = float(((y - y.mean()) ** 2).sum())
    df_num = (n - 1) - fit.df
    if fit.df <= 0 or fit.rss <= 0 or df_num <= 0:
        return TestResult(
            "regression", None, df_num, fit.df, None, fit.rss <= 0 < rss0, "not testable"
        )
    f = ((rss0 - fit.rss) / df_num) / (fit.rss / fit.df)
    p = f_sf(max(f, 0.0), df_num, fit.df)
    return TestResult("regression", float(f), df_num, fit.df, p, p < alpha, f"p < {alpha:g}")


def _invalid(
    data: DoseResponseData,
    standard: str,
    transform: Transform,
    preps: list[str],
    reasons: list[str],
    rows: int,
) -> PotencyAnalysis:
    results = tuple(
        PreparationResult(p, None, None, None, None, False, reasons=tuple(reasons))
        for p in preps[1:]
    )
    return PotencyAnalysis(
        model="4pl",
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
