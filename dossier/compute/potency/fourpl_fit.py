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
(its sum of squares within 25 % of the fit's, and away from it: it may lie in a deeper
valley; every slope of the grid is asked). Further starts then come from that grid over
the slope and each group's C, with the asymptotes solved by linear least squares at each
grid point (variable projection): the first three (one from each valley of the grid's
profile over the slope first) and every rival. Of all the fits the one with the smallest
residual sum of squares is kept (a converged one if it is as good to 1e-9 relative).
When that one is a step between two doses, the groups' steps are also tried at each
dose and between doses (:func:`step_starts`): no local search moves a step across a dose.

A run stops where a point the solver accepts has run off (an asymptote 50 response
ranges beyond the responses, a slope ten times the steepness limit): it is not
converged, with the sum of squares it reached, and costs no further evaluations.

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

from dossier.compute.potency.fourpl_starts import (
    MAX_STEEPNESS,
    grid_starts,
    starting_values,
    step_starts,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Fit", "fit_4pl", "fit_5pl", "mid_response_shift"]

TOLERANCE = 1e-12
"""ftol, xtol and gtol of the solver: the residual sum of squares to about 1e-12."""
MAX_COSINE = 1e-6
"""Largest cosine between the residuals and a Jacobian column accepted at a minimum."""
RUNAWAY = "an asymptote lies far beyond the responses (the data do not determine it)"
OUTSIDE = "an EC50 lies outside the doses"
STEP = "the slope is at its plausibility limit (a step between two doses)"
SKEWED = "the asymmetry is at its plausibility limit"
MAX_CONDITION = 1e12
"""Condition number of the column-scaled Jacobian beyond which a fit is singular."""
EXACT = 1e-20
"""A sum of squares below this fraction of the responses' own is an exact fit (rounding
error only, where the gradient test means nothing)."""
RIVAL = 0.25
"""A grid point away from a fit whose sum of squares is within this fraction of the fit's
is a rival start (it may lie in a deeper valley)."""
GRID_STARTS = 3
"""The grid's first points (its valleys first, best first) that a doubtful fit is
started from again, besides every rival."""
SAME_VALLEY_SLOPE = 2.0
"""Slopes within this factor of a fit's count as the fit's own valley (with its C's)."""
ASYMPTOTE_RANGES = 5.0
"""How many response ranges beyond the responses an asymptote may lie before it is doubtful."""
RUNOFF_RANGES = 50.0
"""How many response ranges beyond the responses an asymptote may run before a run stops."""
RUNOFF_STEEPNESS = 10.0
"""How many times the steepness limit a slope may reach before a run stops."""
MAX_ASYMMETRY = 100.0
"""5PL: an asymmetry E beyond this factor of 1 (above it or below its inverse) is
doubtful; the curve is then near a limit form (Gompertz-like), which E does not describe."""
RUNOFF_ASYMMETRY = 1e4
"""5PL: an asymmetry E beyond this factor of 1 stops a run."""
ASYMMETRY_STARTS = (1.0, 0.5, 2.0, 0.25, 4.0)
"""5PL: the asymmetries E the fit starts from, each with the 4PL fit's asymptotes, slope
and EC50s."""


@dataclass(frozen=True, slots=True)
class Fit:
    """A least-squares fit: parameters (A, B, D, C per group; the 5PL's A, B, D, E, C per
    group), covariance s² (JᵀJ)⁻¹, residual sum of squares, residual degrees of freedom,
    convergence and a message."""

    params: np.ndarray
    cov: np.ndarray
    rss: float
    df: int
    converged: bool
    message: str


_Terms = tuple["np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray | None"]


class _RunOff(Exception):
    """An accepted step of the solver went beyond the run-off limits (see :class:`_Model`)."""

    def __init__(self, params: np.ndarray, what: str) -> None:
        super().__init__(what)
        self.params = params
        self.what = what


def mid_response_shift(slope: float, asymmetry: float) -> float:
    """ln(EC50) - C of a 5PL curve: where (1 + exp(B (x - C)))^-E is one half, x - C =
    ln(2^(1/E) - 1) / B (0 for the 4PL, E = 1)."""
    if asymmetry == 1.0:
        return 0.0
    return math.log(math.expm1(math.log(2.0) / asymmetry)) / slope


class _Model:
    """Residuals and Jacobian of the 4PL (or, ``asymmetric``, the 5PL) for one data set
    (zero doses handled exactly).

    The 5PL's curve term is g = (1 + exp(z))^-E = exp(-E softplus(z)), z = B (x - C); the
    4PL's is its E = 1 case, 1 / (1 + exp(z)).

    The solver asks for the Jacobian at each point it accepts; one that lies beyond the
    run-off limits (an asymptote :data:`RUNOFF_RANGES` response ranges beyond the
    responses, a slope :data:`RUNOFF_STEEPNESS` times the steepness limit, an asymmetry
    beyond :data:`RUNOFF_ASYMMETRY`) stops the run there: the sum of squares still falls
    as the curve runs off, which makes no fit.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        groups: np.ndarray,
        n_groups: int,
        asymmetric: bool = False,
    ) -> None:
        import numpy as np
        from scipy.special import expit

        self.shared = 4 if asymmetric else 3
        """The number of shared parameters, before the C's: A, B, D (and E)."""

        self.y = y
        self.finite = np.isfinite(x)
        self.all_finite = bool(self.finite.all())
        self.x0 = np.where(self.finite, x, 0.0)
        self.one_hot = (groups[:, None] == np.arange(n_groups)[None, :]).astype(float)
        self._expit = expit
        self._where = np.where
        self._cached: tuple[np.ndarray, _Terms] | None = None
        self.starting = False
        """True until the solver asks for its first Jacobian (at the starting point)."""
        span = float(np.ptp(self.x0[self.finite])) if self.finite.sum() > 1 else 1.0
        self.max_slope = RUNOFF_STEEPNESS * MAX_STEEPNESS / (span if span > 0 else 1.0)
        low, high = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
        reach = RUNOFF_RANGES * max(high - low, 1e-300)
        self.bounds = (low - reach, high + reach)

    def _terms(self, p: np.ndarray) -> _Terms:
        """The curve term g, x - C (zero at zero dose), z and, for the 5PL, softplus(z);
        kept for the Jacobian at the point whose residuals were asked last."""
        cached = self._cached
        if cached is not None and (cached[0] == p).all():
            return cached[1]
        centred = self.x0 - self.one_hot @ p[self.shared :]
        z = p[1] * centred
        if not self.all_finite:
            # zero dose: x = -inf, the curve is at A for B > 0 and at D for B < 0
            edge = -math.inf * math.copysign(1.0, p[1]) if p[1] != 0 else 0.0
            z = self._where(self.finite, z, edge)
            centred = self._where(self.finite, centred, 0.0)
        if self.shared == 3:
            terms: _Terms = (self._expit(-z), centred, z, None)
        else:
            import numpy as np

            soft = np.logaddexp(0.0, z)
            terms = (np.exp(-p[3] * soft), centred, z, soft)
        self._cached = (p.copy(), terms)
        return terms

    def residuals(self, p: np.ndarray) -> np.ndarray:
        frac = self._terms(p)[0]
        resid: np.ndarray = p[2] + (p[0] - p[2]) * frac - self.y
        return resid

    def accepted(self, p: np.ndarray) -> np.ndarray:
        """The Jacobian at a point the solver accepted, unless the point has run off
        (the first, at the starting point, is taken as it is)."""
        low, high = self.bounds
        if self.starting:
            self.starting = False
            return self.jacobian(p)
        if not (low <= p[0] <= high and low <= p[2] <= high):
            raise _RunOff(p.copy(), "an asymptote ran off beyond the responses")
        if abs(p[1]) > self.max_slope:
            raise _RunOff(p.copy(), "the slope ran off (the curve became a step)")
        if self.shared == 4 and not 1 / RUNOFF_ASYMMETRY <= p[3] <= RUNOFF_ASYMMETRY:
            raise _RunOff(p.copy(), "the asymmetry ran off")
        return self.jacobian(p)

    def jacobian(self, p: np.ndarray) -> np.ndarray:
        import numpy as np

        frac, centred, z, soft = self._terms(p)
        if soft is None:
            dfrac = (p[0] - p[2]) * frac * (frac - 1.0)  # (A - D) d frac / d z
        else:
            dfrac = -(p[0] - p[2]) * p[3] * frac * self._expit(z)
        jac = np.empty((self.y.size, p.size))
        jac[:, 0] = frac
        jac[:, 1] = dfrac * centred
        jac[:, 2] = 1.0 - frac
        if soft is not None:
            # d g / d E = -softplus(z) g, which is 0 where g is (z = +inf at a zero dose)
            jac[:, 3] = -(p[0] - p[2]) * np.where(frac > 0, soft * frac, 0.0)
        jac[:, self.shared :] = (-p[1] * dfrac)[:, None] * self.one_hot
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
            model.starting = True
            result = least_squares(
                model.residuals,
                p0,
                jac=model.accepted,
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
    except _RunOff as stop:
        with np.errstate(all="ignore"):
            return stop.params, model.residuals(stop.params), False, stop.what
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return p0, np.full(model.y.size, math.nan), False, f"the solver failed: {exc}"


def _sentence(message: object) -> str:
    """The solver's message as a clause: lower-case start, no full stop."""
    text = str(message).strip().rstrip(".")
    return text[:1].lower() + text[1:]


def log_ec50s(params: np.ndarray, shared: int = 3) -> np.ndarray:
    """ln(EC50) of each group: its C, shifted for a 5PL (``shared`` 4: A, B, D, E)."""
    cs: np.ndarray = params[shared:]
    if shared == 3:
        return cs
    with_e = float(params[3])
    if not (math.isfinite(with_e) and with_e > 0 and params[1] != 0):
        return cs
    return cs + mid_response_shift(float(params[1]), with_e)


def _doubts(
    params: np.ndarray, x: np.ndarray, y: np.ndarray, groups: np.ndarray, shared: int = 3
) -> list[str]:
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
    if shared == 4 and not 1 / MAX_ASYMMETRY <= params[3] <= MAX_ASYMMETRY:
        doubts.append(SKEWED)
    for g, c in enumerate(log_ec50s(params, shared)):
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
    return _fit(x, y, groups, n_groups, start, asymmetric=False)


def fit_5pl(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None = None,
) -> Fit:
    """Constrained 5PL, y = D + (A - D) / (1 + exp(B (x - C_g)))^E: shared A, B, D, E;
    one C per group. Parameters in the order A, B, D, E, C per group.

    The fit starts from the 4PL fit of the same data (found as :func:`fit_4pl` finds
    it, further starts included) at each asymmetry of :data:`ASYMMETRY_STARTS`, the C's
    moved so that each EC50 stays where the 4PL put it, and from ``start`` when given;
    the best is kept as for the 4PL. Never raises.
    """
    return _fit(x, y, groups, n_groups, start, asymmetric=True)


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None,
    *,
    asymmetric: bool,
) -> Fit:
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    size = (4 if asymmetric else 3) + n_groups
    df = x.size - size
    nan = np.full(size, math.nan)
    if not (np.all(np.isfinite(y)) and not np.any(np.isnan(x)) and np.any(np.isfinite(x))):
        message = "the doses and responses are not all finite numbers"
        return Fit(nan, np.full((size, size), math.nan), math.nan, df, False, message)
    try:
        with np.errstate(all="ignore"):
            model = _Model(x, y, groups, n_groups, asymmetric)
            if asymmetric:
                best = _search_asymmetric(model, x, y, groups, n_groups, start)
            else:
                best = _search(model, x, y, groups, n_groups, start)
            return _verdict(model, best, x, groups, df)
    except (ValueError, ArithmeticError, IndexError, np.linalg.LinAlgError) as exc:
        return Fit(nan, np.full((size, size), math.nan), math.nan, df, False, str(exc))


def _verdict(model: _Model, best: _Attempt, x: np.ndarray, groups: np.ndarray, df: int) -> Fit:
    """The chosen attempt as a :class:`Fit`, not converged where the data determine no
    curve, with what they leave undetermined in the message."""
    import numpy as np

    params, resid, converged, message = best
    finite = bool(np.all(np.isfinite(params)))
    doubts = _doubts(params, x, model.y, groups, model.shared) if finite else []
    if converged and RUNAWAY in doubts:
        # the solver stopped on a sum of squares that still falls as the asymptote runs
        # off: the data determine no finite fit
        converged = False
        message = "no finite minimum of the sum of squares"
    elif converged and SKEWED in doubts:
        # a curve at the limit of its asymmetry: the data determine no finite E
        converged = False
        message = "the asymmetry is not determined (the curve is near a limit form)"
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
    # valley seen from the grid, as it is in most well-designed assays. Every slope of
    # the grid is asked: the valley of a step between two doses (flat or noisy data)
    # may be the deepest and yet not among the grid's best few points.
    fit_rss = float(best[1] @ best[1])
    finite = np.isfinite(x)
    span = max(float(np.ptp(x[finite])) if finite.sum() > 1 else 1.0, 1e-12)
    rivals = [
        k
        for k, (value, point) in enumerate(grid)
        if value < fit_rss * (1 - 1e-9)
        or (value < fit_rss * (1 + RIVAL) and _elsewhere(point, best[0], span))
    ]
    if best[2] and not rivals and not _doubts(best[0], x, y, groups):
        return best
    data_start = starting_values(x, y, groups, n_groups) if given else p0
    chosen = sorted(set(range(min(GRID_STARTS, len(grid)))) | set(rivals))
    starts = ([data_start] if given else []) + [grid[k][1] for k in chosen]
    best = _choose([best, *(_solve(model, p) for p in starts)])
    if best[2] and STEP in _doubts(best[0], x, y, groups):
        # a step between two doses: other doses for the groups' steps, which the grid
        # sees too coarsely and no local search reaches from this one
        fit_rss = float(best[1] @ best[1])
        steps = step_starts(x, y, groups, n_groups, float(best[0][1]))
        better = [point for value, point in steps if value < fit_rss * (1 - 1e-9)]
        if better:
            best = _choose([best, *(_solve(model, p) for p in better[:GRID_STARTS])])
    return best


def _search_asymmetric(
    model: _Model,
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    start: np.ndarray | None,
) -> _Attempt:
    """The 5PL's fits: from ``start`` and from the 4PL fit at each starting asymmetry."""
    import numpy as np

    starts = [np.array(start, dtype=float)] if start is not None else []
    four = _search(_Model(x, y, groups, n_groups), x, y, groups, n_groups, None)[0]
    if np.all(np.isfinite(four)) and four[1] != 0:
        for asymmetry in ASYMMETRY_STARTS:
            shift = mid_response_shift(float(four[1]), asymmetry)
            starts.append(np.array([*four[:3], asymmetry, *(four[3:] - shift)], dtype=float))
    starts = [p for p in starts if np.all(np.isfinite(p))]
    if not starts:
        nan = np.full(4 + n_groups, math.nan)
        return nan, np.full(y.size, math.nan), False, "no start for the fit"
    return _choose([_solve(model, p) for p in starts])


def _elsewhere(point: np.ndarray, params: np.ndarray, span: float) -> bool:
    """Whether a grid point lies away from a fit: its slope more than a factor
    SAME_VALLEY_SLOPE from the fit's (the grid's slopes are 1.44-fold apart), or a group's
    C more than a sixth of the ln-dose ``span`` from the fit's (two steps of the grid's C)."""
    fitted = abs(float(params[1]))
    if not (fitted > 0 and math.isfinite(fitted)):
        return True
    ratio = abs(float(point[1])) / fitted
    if not 1 / SAME_VALLEY_SLOPE <= ratio <= SAME_VALLEY_SLOPE:
        return True
    return bool((abs(point[3:] - params[3:]) > span / 6).any())


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
