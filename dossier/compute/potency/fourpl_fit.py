"""Least-squares fitting of the four-parameter logistic curve (shared by the 4PL analysis).

    y = D + (A - D) / (1 + exp(B (x - C_g))),   x = ln(dose),  one C per group

The solver is ``scipy.optimize.least_squares`` (MINPACK's Levenberg-Marquardt with the
analytic Jacobian). The first fit starts from values read off the data; further starts
are tried only when that fit is doubtful, and the fit never raises: a failure comes back
as a :class:`Fit` that is not converged, with the reason in its message.

Starting values (:func:`starting_values`): the asymptotes from the smallest and largest
mean response of a dose (the one at the low doses becomes A, so that B > 0 whatever the
direction of the curve), each group's C where its mean responses cross the mid-response
(the dose nearest it when they never cross), and B from a regression of the logit of the
scaled responses on ln(dose) with one intercept per group.

A fit is *doubtful* when it did not converge, when a parameter reaches a plausibility
limit (a slope so steep that the curve is a step between two doses, |B| × span > 60; an
asymptote more than five response ranges beyond the responses), or when a group's EC50
lies outside its doses, or when a point of the coarse grid below fits nearly as well
(its sum of squares within 25 % of the fit's: it may lie in a deeper valley). Further
starts then come from that grid over the slope and each group's C, with the asymptotes
solved by linear least squares at each grid point (variable projection), one from each
valley of the grid's profile over the slope first. Of all the fits the one with the
smallest residual sum of squares is kept (a converged one if it is as good to 1e-9
relative).

A converged fit is still reported as not converged when the sum of squares has no
finite minimum (an asymptote runs off beyond the limit above), or when it is singular
(column-scaled Jacobian with a condition number above 1e12) with its EC50 outside the
doses or its slope beyond the steepness limit (a step between two doses, whose slope
any larger value fits as well): then the data do not determine the curve.

Convergence is judged on three things: the solver's status (a tolerance met, not the
evaluation limit), the gradient (the cosine between the residual vector and each column
of the Jacobian below 1e-6, MINPACK's scale-free measure; not asked of an exact fit) and
the objective (finite, and no larger than at the start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dossier.compute.potency.fourpl_starts import MAX_STEEPNESS, grid_starts, starting_values

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Fit", "fit_4pl"]

TOLERANCE = 1e-12
"""ftol, xtol and gtol of the solver: the residual sum of squares to about 1e-12."""
MAX_COSINE = 1e-6
"""Largest cosine between the residuals and a Jacobian column accepted at a minimum."""
RUNAWAY = "an asymptote lies far beyond the responses (the data do not determine it)"
OUTSIDE = "an EC50 lies outside the doses"
STEP = "the slope is at its plausibility limit (a step between two doses)"
MAX_CONDITION = 1e12
"""Condition number of the column-scaled Jacobian beyond which a fit is singular."""
EXACT = 1e-20
"""A sum of squares below this fraction of the responses' own is an exact fit (rounding
error only, where the gradient test means nothing)."""
RIVAL = 0.25
"""A grid point away from a fit whose sum of squares is within this fraction of the fit's
is a rival start (it may lie in a deeper valley)."""
SAME_VALLEY_SLOPE = 2.0
"""Slopes within this factor of a fit's count as the fit's own valley (with its C's)."""
ASYMPTOTE_RANGES = 5.0
"""How many response ranges beyond the responses an asymptote may lie before it is doubtful."""


@dataclass(frozen=True, slots=True)
class Fit:
    """A least-squares fit: parameters (A, B, D, C per group), covariance s² (JᵀJ)⁻¹,
    residual sum of squares, residual degrees of freedom, convergence and a message."""

    params: np.ndarray
    cov: np.ndarray
    rss: float
    df: int
    converged: bool
    message: str


class _Model:
    """Residuals and Jacobian of the 4PL for one data set (zero doses handled exactly)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int) -> None:
        import numpy as np

        self.y = y
        self.finite = np.isfinite(x)
        self.all_finite = bool(self.finite.all())
        self.x0 = np.where(self.finite, x, 0.0)
        self.one_hot = (groups[:, None] == np.arange(n_groups)[None, :]).astype(float)

    def _terms(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The logistic term 1 / (1 + exp(z)) and x - C (zero at zero dose)."""
        import numpy as np
        from scipy.special import expit

        centred = self.x0 - self.one_hot @ p[3:]
        z = p[1] * centred
        if not self.all_finite:
            # zero dose: x = -inf, the curve is at A for B > 0 and at D for B < 0
            edge = -math.inf * math.copysign(1.0, p[1]) if p[1] != 0 else 0.0
            z = np.where(self.finite, z, edge)
            centred = np.where(self.finite, centred, 0.0)
        return expit(-z), centred

    def residuals(self, p: np.ndarray) -> np.ndarray:
        frac, _ = self._terms(p)
        resid: np.ndarray = p[2] + (p[0] - p[2]) * frac - self.y
        return resid

    def jacobian(self, p: np.ndarray) -> np.ndarray:
        import numpy as np

        frac, centred = self._terms(p)
        dfrac = (p[0] - p[2]) * frac * (frac - 1.0)  # (A - D) d frac / d z
        jac = np.empty((self.y.size, p.size))
        jac[:, 0] = frac
        jac[:, 1] = dfrac * centred
        jac[:, 2] = 1.0 - frac
        jac[:, 3:] = (-p[1] * dfrac)[:, None] * self.one_hot
        return jac


def _solve(model: _Model, p0: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, str]:
    """One least-squares run from p0: parameters, residuals, converged, message."""
    import numpy as np
    from scipy.optimize import least_squares

    try:
        with np.errstate(all="ignore"):
            start_resid = model.residuals(p0)
            start_cost = float(start_resid @ start_resid)
            if not math.isfinite(start_cost):
                return p0, start_resid, False, "the residuals are not finite at the start"
            method = "lm" if model.y.size >= p0.size else "trf"
            result = least_squares(
                model.residuals,
                p0,
                jac=model.jacobian,
                method=method,
                x_scale="jac",
                ftol=TOLERANCE,
                xtol=TOLERANCE,
                gtol=TOLERANCE,
            )
            params, resid, jac = result.x, result.fun, result.jac
            cost = float(resid @ resid)
            if not (math.isfinite(cost) and np.all(np.isfinite(params))):
                return p0, start_resid, False, "the fit left the finite numbers"
            if result.status <= 0:
                return params, resid, False, _sentence(result.message)
            if cost > start_cost:
                return params, resid, False, "the sum of squares rose above its starting value"
            spread = float(((model.y - model.y.mean()) ** 2).sum())
            if cost > EXACT * spread:
                norms = np.sqrt((jac * jac).sum(axis=0))
                cosine = np.abs(jac.T @ resid) / np.where(norms > 0, norms, 1.0) / math.sqrt(cost)
                worst = float(cosine.max())
                if not worst <= MAX_COSINE:
                    return params, resid, False, f"the gradient is not zero (cosine {worst:.2g})"
            return params, resid, True, _sentence(result.message)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return p0, np.full(model.y.size, math.nan), False, f"the solver failed: {exc}"


def _sentence(message: object) -> str:
    """The solver's message as a clause: lower-case start, no full stop."""
    text = str(message).strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _doubts(params: np.ndarray, x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> list[str]:
    """Why a converged fit might not be the best one (empty when there is no doubt)."""
    import numpy as np

    finite = np.isfinite(x)
    span = float(np.ptp(x[finite])) if finite.sum() > 1 else 1.0
    doubts = []
    if abs(params[1]) * span > MAX_STEEPNESS:
        doubts.append(STEP)
    low, high = float(y.min()), float(y.max())
    reach = ASYMPTOTE_RANGES * max(high - low, 1e-300)
    if not all(low - reach <= v <= high + reach for v in (params[0], params[2])):
        doubts.append(RUNAWAY)
    for g, c in enumerate(params[3:]):
        xs = x[(groups == g) & finite]
        if xs.size and not (xs.min() <= c <= xs.max()):
            doubts.append(OUTSIDE)
            break
    return doubts


def fit_4pl(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None = None,
) -> Fit:
    """Constrained 4PL: shared A, B, D; one C per group (groups are 0..n_groups-1).

    ``start`` (A, B, D, C per group) replaces the data-driven starting values of the
    first fit, e.g. the constrained fit as the start of each preparation's own fit.
    Never raises: a fit that fails is returned with ``converged`` False and the reason.
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    size = 3 + n_groups
    df = x.size - size
    nan = np.full(size, math.nan)
    if not (np.all(np.isfinite(y)) and not np.any(np.isnan(x)) and np.any(np.isfinite(x))):
        message = "the doses and responses are not all finite numbers"
        return Fit(nan, np.full((size, size), math.nan), math.nan, df, False, message)
    try:
        with np.errstate(all="ignore"):
            model = _Model(x, y, groups, n_groups)
            best = _search(model, x, y, groups, n_groups, start)
            return _verdict(model, best, x, groups, df)
    except (ValueError, ArithmeticError, IndexError, np.linalg.LinAlgError) as exc:
        return Fit(nan, np.full((size, size), math.nan), math.nan, df, False, str(exc))


def _verdict(model: _Model, best: _Attempt, x: np.ndarray, groups: np.ndarray, df: int) -> Fit:
    """The chosen attempt as a :class:`Fit`, not converged where the data determine no
    curve, with what they leave undetermined in the message."""
    import numpy as np

    params, resid, converged, message = best
    doubts = _doubts(params, x, model.y, groups) if np.all(np.isfinite(params)) else []
    if converged and RUNAWAY in doubts:
        # the solver stopped on a sum of squares that still falls as the asymptote runs
        # off: the data determine no finite fit
        converged = False
        message = "no finite minimum of the sum of squares"
    elif converged and STEP in doubts and _singular(model, params):
        # so steep a curve that it is a step between two doses: its slope is any large value
        converged = False
        message = "the slope is not determined (the curve is a step between two doses)"
    elif converged and OUTSIDE in doubts and _singular(model, params):
        # a curve beyond the doses that a whole family of others fits as well
        converged = False
        message = "the fit is singular (its parameters are not determined by the data)"
    if not converged:
        message = "; ".join([message, *doubts])
    rss = float(resid @ resid)
    return Fit(params, _covariance(model, params, rss, df), rss, df, converged, message)


_Attempt = tuple["np.ndarray", "np.ndarray", bool, str]


def _search(
    model: _Model,
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None,
) -> _Attempt:
    """The first fit, and the further starts when it is doubtful."""
    import numpy as np

    given = start is not None and bool(np.all(np.isfinite(start)))
    p0 = np.array(start, dtype=float) if given else starting_values(x, y, groups, n_groups)
    best = _solve(model, p0)
    grid = grid_starts(x, y, groups, n_groups)
    # a point of the coarse grid that fits better makes the fit doubtful; one that fits
    # nearly as well (within RIVAL) does when it lies in another valley of the sum of
    # squares, whose floor may be lower than the fit's. Near the fit it is the fit's own
    # valley seen from the grid, as it is in most well-designed assays.
    fit_rss = float(best[1] @ best[1])
    rival = any(
        value < fit_rss * (1 - 1e-9)
        or (value < fit_rss * (1 + RIVAL) and _elsewhere(point, best[0], x))
        for value, point in grid
    )
    if best[2] and not rival and not _doubts(best[0], x, y, groups):
        return best
    data_start = starting_values(x, y, groups, n_groups) if given else p0
    starts = ([data_start] if given else []) + [point for _, point in grid]
    return _choose([best, *(_solve(model, p) for p in starts)])


def _elsewhere(point: np.ndarray, params: np.ndarray, x: np.ndarray) -> bool:
    """Whether a grid point lies away from a fit: its slope more than a factor
    SAME_VALLEY_SLOPE from the fit's (the grid's slopes are 1.44-fold apart), or a group's
    C more than a sixth of the ln-dose span from the fit's (two steps of the grid's C)."""
    import numpy as np

    finite = np.isfinite(x)
    span = float(np.ptp(x[finite])) if finite.sum() > 1 else 1.0
    fitted = abs(float(params[1]))
    if not (fitted > 0 and math.isfinite(fitted)):
        return True
    ratio = abs(float(point[1])) / fitted
    if not 1 / SAME_VALLEY_SLOPE <= ratio <= SAME_VALLEY_SLOPE:
        return True
    return bool(np.any(np.abs(point[3:] - params[3:]) > max(span, 1e-12) / 6))


def _choose(attempts: list[_Attempt]) -> _Attempt:
    """The attempt with the smallest sum of squares, preferring a converged one that is
    as good to 1e-9 relative. When the smallest lies where no fit converged (an
    asymptote running off, say), a converged attempt elsewhere is only a local minimum
    and the result is not converged."""
    rss = [float(a[1] @ a[1]) for a in attempts]
    finite = [i for i, value in enumerate(rss) if math.isfinite(value)]
    if not finite:
        return attempts[0]
    lowest = min(rss[i] for i in finite)
    good = [i for i in finite if attempts[i][2] and rss[i] <= lowest * (1 + 1e-9)]
    if good:
        return attempts[min(good, key=lambda i: rss[i])]
    best = attempts[min(finite, key=lambda i: rss[i])]
    local = [rss[i] for i in finite if attempts[i][2]]
    if local:
        note = f"a converged fit (sum of squares {min(local):.6g}) is only a local minimum"
        return best[0], best[1], best[2], f"{best[3]}; {note}"
    return best


def _singular(model: _Model, params: np.ndarray) -> bool:
    """Whether the Jacobian at the solution, each column scaled to unit length, has a
    condition number beyond :data:`MAX_CONDITION` (some direction leaves the fit alike)."""
    import numpy as np

    with np.errstate(all="ignore"):
        jac = model.jacobian(params)
        norms = np.sqrt((jac * jac).sum(axis=0))
        if not np.all(np.isfinite(jac)) or not np.all(norms > 0):
            return True
        return not float(np.linalg.cond(jac / norms)) <= MAX_CONDITION


def _covariance(model: _Model, params: np.ndarray, rss: float, df: int) -> np.ndarray:
    """s² (JᵀJ)⁻¹ at the solution; NaN where it cannot be computed."""
    import numpy as np

    size = params.size
    with np.errstate(all="ignore"):
        try:
            jac = model.jacobian(params)
            cov = np.linalg.inv(jac.T @ jac) * (rss / df if df > 0 else math.nan)
        except (np.linalg.LinAlgError, ValueError):
            return np.full((size, size), math.nan)
    return cov
