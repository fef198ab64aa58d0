"""The 4PL fitter on simulated assays: no exception, and no worse than the best fit.

Each simulated run goes through :func:`analyse_4pl`, which makes three fits (the
constrained fit of standard and test, and each preparation on its own); every fit is
recorded and checked against an independent reference minimum of the residual sum of
squares (RSS).

How the reference is computed (``_reference_rss``): for a given slope B and log-EC50s C
the model is linear in the asymptotes, so A and D are solved by ordinary least squares
(y regressed on the logistic term and a constant), which leaves the RSS a function of B
and the C's alone (variable projection). That function is evaluated on a dense grid: 40
slopes, |B| × span from 0.05 to 300 on a log scale, by 31 values of each preparation's C,
from half a span below the lowest dose to half a span above the highest (B > 0 suffices:
B and -B give the same curves with the asymptotes swapped). From the best grid point it
is refined by BFGS (``scipy.optimize.minimize``, the exact gradient of the projected RSS,
at most 100 iterations); the reference is the smaller of the RSS at the best grid point
(recomputed from the residuals) and after refinement.

Criterion: a fit's RSS must be at most the reference × (1 + 1e-6), or the fit declared
not converged, in which case the analysis must be invalid and say so. On the realistic
designs (``test_realistic_assays...``: 1,000 runs of standard and test, 8 doses × 2 or 3
replicates; typical, steep, one asymptote not reached, noisy; rising and falling; a
tenth with a blank) at most 1 % of the runs may have a fit declared not converged; on
the hostile designs (100 runs: shallow curves, EC50 beyond the doses, very noisy, 4 doses)
and the hard designs (``_simulate_hard``: steep curves, one asymptote outside the doses,
very noisy, decreasing, flat; 5 to 10 doses, 1 to 3 replicates, responses up to 1000;
40 runs in the quick test, 1,000 in the slow one, about two minutes on one core) there
is no such limit: each fit must reach the reference or say that it did not converge.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from dossier.compute.potency import logistic
from dossier.compute.potency.types import DoseResponseData, Observation

RUNS = 1000
HOSTILE_RUNS = 100
RELATIVE_EXCESS = 1e-6
KINDS = ("typical", "steep", "asymptote outside", "noisy")
HOSTILE = ("shallow", "EC50 beyond the doses", "very noisy", "four doses")
HARD = ("steep", "asymptote outside", "noisy", "decreasing", "flat")
HARD_RUNS_QUICK = 40
HARD_RUNS = 1000


def _simulate(rng: np.random.Generator, kind: str) -> DoseResponseData:
    """Standard and test, 8 doses (2-, 2.5- or 3-fold) × 2 or 3 replicates."""
    ratio = float(rng.choice([2.0, 2.5, 3.0]))
    replicates = int(rng.choice([2, 3]))
    doses = 0.1 * ratio ** np.arange(4 if kind == "four doses" else 8)
    x = np.log(doses)
    span = float(x[-1] - x[0])
    if rng.random() < 0.1:
        doses[0] = 0.0  # a blank in place of the lowest dose
    low, high = rng.uniform(0, 20), rng.uniform(80, 150)
    a, d = (high, low) if rng.random() < 0.5 else (low, high)  # decreasing or increasing
    # |B| × span: 6 or more takes the curve from 5 % to 95 % of its way within the doses;
    # steep: 15 to 30, that way over one to three of the seven dose intervals. Steeper, the
    # curve is a step between two doses whose slope the data do not determine (declared
    # not converged): such designs are in the hard set below, not among the realistic
    steepness = {"steep": rng.uniform(15, 30), "shallow": rng.uniform(1, 5)}.get(
        kind, rng.uniform(6, 14)
    )
    b = steepness / span
    centre = float(x.mean())
    if kind == "asymptote outside":
        # one plateau not reached: at the dose at that end the curve has gone only 60 to
        # 90 % of the way from its mid-point to the asymptote
        reach = rng.uniform(0.6, 0.9)
        inside = math.log((1 + reach) / (1 - reach)) / b  # from the EC50 to that dose
        top = rng.random() < 0.5
        c_std = (float(x[-1]) - inside) if top else (float(x[0]) + inside)
    elif kind == "EC50 beyond the doses":
        c_std = centre + rng.choice([-1, 1]) * rng.uniform(0.5, 0.8) * span
    else:
        c_std = centre + rng.uniform(-0.15, 0.15) * span
    sd = (high - low) * {
        "noisy": rng.uniform(0.06, 0.12),
        "very noisy": rng.uniform(0.15, 0.3),
    }.get(kind, rng.uniform(0.02, 0.05))
    observations = []
    for prep, shift, slope in (
        ("S", 0.0, b),
        (
            "T",
            math.log(rng.uniform(0.6, 1.6)),
            b * (rng.uniform(0.7, 1.4) if rng.random() < 0.2 else 1),
        ),
    ):
        for dose in doses:
            logistic_term = (
                1.0 if dose == 0 else 1 / (1 + math.exp(slope * (math.log(dose) - c_std - shift)))
            )
            for _ in range(replicates):
                response = d + (a - d) * logistic_term + rng.normal(0, sd)
                observations.append(
                    Observation(prep, float(dose), float(response), len(observations) + 2)
                )
    return DoseResponseData(tuple(observations), "<simulated>")


def _simulate_hard(rng: np.random.Generator, kind: str) -> DoseResponseData:
    """Standard and test, 5 to 10 doses (2- to 4-fold) x 1 to 3 replicates.

    steep: |B| x span 30 to 300 (a step between two doses at the top); asymptote
    outside: the EC50 0.3 to 0.8 span from the centre, so that one plateau lies beyond
    the doses; noisy: SD 10 to 35 % of the response range; decreasing: the curve falls
    with the dose; flat: no dose-response at all (SD 2 to 20 % of a notional range).
    The test preparation's potency is 1/3 to 3; a tenth of the runs have a blank.
    """
    ratio = float(rng.choice([2.0, 2.5, 3.0, 4.0]))
    replicates = int(rng.choice([1, 2, 3]))
    doses = 0.1 * ratio ** np.arange(int(rng.choice([5, 6, 8, 10])))
    x = np.log(doses)
    span = float(x[-1] - x[0])
    if rng.random() < 0.1:
        doses[0] = 0.0
    low, high = rng.uniform(-20, 20), rng.uniform(60, 1000)
    a, d = (high, low) if kind == "decreasing" or rng.random() < 0.5 else (low, high)
    if kind == "flat":
        a = d = rng.uniform(low, high)
    b = (rng.uniform(30, 300) if kind == "steep" else rng.uniform(2, 20)) / span
    centre = float(x.mean())
    if kind == "asymptote outside":
        c_std = centre + rng.choice([-1, 1]) * span * rng.uniform(0.3, 0.8)
    else:
        c_std = centre + rng.uniform(-0.3, 0.3) * span
    sd = (high - low) * {
        "noisy": rng.uniform(0.1, 0.35),
        "flat": rng.uniform(0.02, 0.2),
    }.get(kind, rng.uniform(0.01, 0.06))
    observations = []
    for prep, shift in (("S", 0.0), ("T", math.log(rng.uniform(1 / 3, 3)))):
        for dose in doses:
            z = min(700.0, b * (math.log(dose) - c_std - shift)) if dose > 0 else -math.inf
            for _ in range(replicates):
                response = d + (a - d) / (1 + math.exp(z)) + rng.normal(0, sd)
                observations.append(
                    Observation(prep, float(dose), float(response), len(observations) + 2)
                )
    return DoseResponseData(tuple(observations), "<simulated>")


def _grid_rss(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    slopes: np.ndarray,
    cs: np.ndarray,
) -> np.ndarray:
    """Profiled RSS on the grid slopes × cs × ... × cs (one cs axis per group).

    The asymptotes come from regressing y on the logistic term f; the sums that
    regression needs (of f, f² and f y) are sums over the groups, each depending on
    the slope and that group's C only, so they are formed per group and added by
    broadcasting.
    """
    finite = np.isfinite(x)
    shape = (slopes.size,) + (cs.size,) * n_groups
    sums = [np.zeros(shape) for _ in range(3)]
    for g in range(n_groups):
        mask = groups == g
        xg, yg, fin = x[mask], y[mask], finite[mask]
        z = slopes[:, None, None] * (np.where(fin, xg, 0.0)[None, None, :] - cs[None, :, None])
        f = np.where(fin, expit(-z), 1.0)  # zero dose: the curve is at A (B > 0)
        where = [1] * (n_groups + 1)
        where[0], where[g + 1] = slopes.size, cs.size
        for k, part in enumerate((f.sum(axis=2), (f * f).sum(axis=2), f @ yg)):
            sums[k] += part.reshape(where)
    sf, sff, sfy = sums
    n = y.size
    syy = float(((y - y.mean()) ** 2).sum())
    sxy = sfy - sf * y.mean()
    sxx = sff - sf * sf / n
    with np.errstate(divide="ignore", invalid="ignore"):
        rss = syy - np.where(sxx > 1e-12 * n, sxy * sxy / sxx, 0.0)
    return np.maximum(rss, 0.0)


def _reference_rss(x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int) -> float:
    finite = np.isfinite(x)
    span = float(np.ptp(x[finite]))
    slopes = np.geomspace(0.05, 300, 40) / span
    cs = np.linspace(x[finite].min() - span / 2, x[finite].max() + span / 2, 31)
    rss = _grid_rss(x, y, groups, n_groups, slopes, cs)
    best = np.unravel_index(int(np.argmin(rss)), rss.shape)
    start = np.array([slopes[best[0]], *cs[list(best[1:])]])
    xs = np.where(finite, x, 0.0)
    one_hot = (groups[:, None] == np.arange(n_groups)[None, :]).astype(float)
    n, ym = y.size, float(y.mean())

    def parts(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residuals and their derivatives in B and the C's, the asymptotes at their
        optimum for this B and these C's."""
        centred = np.where(finite, xs - one_hot @ v[1:], 0.0)
        f = np.where(finite, expit(-v[0] * centred), 1.0)
        fm = f.sum() / n
        sxx = float(f @ f) - n * fm * fm
        slope = (float(f @ y) - n * fm * ym) / sxx if sxx > 1e-12 * n else 0.0
        d = ym - slope * fm  # y = D + (A - D) f
        df_dz = slope * f * (f - 1.0)
        jac = np.column_stack([df_dz * centred, (-v[0] * df_dz)[:, None] * one_hot])
        return d + slope * f - y, jac

    def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
        """Profiled RSS and its gradient (by variable projection, the gradient of the
        full RSS with the asymptotes held at their optimum)."""
        r, jac = parts(v)
        return float(r @ r), 2 * r @ jac

    # BFGS starts from the Gauss-Newton curvature at the grid point rather than from
    # the identity (B and the C's have very different scales)
    _, jac = parts(start)
    curvature = 2 * jac.T @ jac
    curvature += 1e-6 * np.diag(np.diag(curvature)) + 1e-12 * np.eye(start.size)
    options: dict[str, Any] = {"gtol": 1e-8 * float(rss[best]), "maxiter": 100}
    inverse = np.linalg.inv(curvature)
    if np.all(np.linalg.eigvalsh((inverse + inverse.T) / 2) > 0):
        options["hess_inv0"] = (inverse + inverse.T) / 2
    refined = minimize(objective, start, jac=True, method="BFGS", options=options)
    # the grid's sums lose digits to cancellation: the RSS at its best point is
    # computed again from the residuals
    return min(objective(start)[0], float(refined.fun))


def _check_runs(
    monkeypatch: pytest.MonkeyPatch,
    kinds: tuple[str, ...],
    runs: int,
    seed: int,
    simulate: Any = _simulate,
) -> tuple[int, float]:
    """Analyse ``runs`` simulated assays; check every fit against the reference.

    Returns the number of runs with a fit declared not converged and the largest
    relative excess of a converged fit's RSS over the reference.
    """
    recorded: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, Any]] = []
    fit_4pl = logistic.fit_4pl

    def recording(
        x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int, start: Any = None
    ) -> Any:
        fit = fit_4pl(x, y, groups, n_groups, start=start)
        recorded.append((x, y, groups, n_groups, fit))
        return fit

    monkeypatch.setattr(logistic, "fit_4pl", recording)
    # every analysis computed, none taken from the results cache
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    rng = np.random.default_rng(seed)
    not_converged = 0
    worst = -math.inf
    for run in range(runs):
        recorded.clear()
        kind = kinds[run % len(kinds)]
        analysis = logistic.analyse_4pl(simulate(rng, kind), "S")
        assert len(recorded) == 3
        if not all(fit.converged for *_, fit in recorded):
            not_converged += 1
            assert not analysis.valid
            assert any("did not converge" in reason for reason in analysis.reasons)
        for x, y, groups, n_groups, fit in recorded:
            if not fit.converged:
                continue
            reference = _reference_rss(x, y, groups, n_groups)
            excess = (fit.rss - reference) / reference
            worst = max(worst, excess)
            assert excess <= RELATIVE_EXCESS, (run, kind, n_groups, fit.rss, reference)
    monkeypatch.undo()
    return not_converged, worst


@pytest.mark.slow
def test_realistic_assays_reach_the_reference_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    not_converged, worst = _check_runs(monkeypatch, KINDS, RUNS, seed=20261213)
    print(f"{RUNS} runs: {not_converged} with a fit not converged; largest excess {worst:.3g}")
    assert not_converged <= RUNS // 100


def test_hostile_assays_never_raise_and_reach_the_reference_or_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    not_converged, worst = _check_runs(monkeypatch, HOSTILE, HOSTILE_RUNS, seed=20261214)
    print(f"{HOSTILE_RUNS} hostile runs: {not_converged} not converged; largest excess {worst:.3g}")


def _exact(x: np.ndarray, a: float, b: float, d: float, c: float) -> np.ndarray:
    return d + (a - d) / (1 + np.exp(b * (x - c)))


def test_noise_free_data_give_the_generating_parameters() -> None:
    x = np.log(np.repeat(0.1 * 2.0 ** np.arange(8), 2))
    xs = np.concatenate([x, x])
    groups = np.repeat([0, 1], x.size)
    y = np.concatenate([_exact(x, 90, -1.5, 10, 0.3), _exact(x, 90, -1.5, 10, 1.0)])
    fit = logistic.fit_4pl(xs, y, groups, 2)
    assert fit.converged, fit.message
    # B > 0 with A the response at low doses: (90, -1.5, 10) is (10, 1.5, 90)
    assert fit.params == pytest.approx([10, 1.5, 90, 0.3, 1.0], rel=1e-8)
    assert fit.rss < 1e-20


@pytest.mark.parametrize(
    ("doses", "scale"),
    [
        (1e-150 * 1e40 ** np.arange(8), 1.0),  # doses over 280 decades
        (0.1 * 2.0 ** np.arange(8), 1e150),  # responses near the float limit
        (0.1 * 2.0 ** np.arange(8), 1e-150),
        (np.array([0, 0, 0, 0, 1, 2, 4, 8.0]), 1.0),  # half the doses blanks
    ],
)
def test_extreme_numbers_never_raise(doses: np.ndarray, scale: float) -> None:
    rng = np.random.default_rng(5)
    observations = []
    for prep in ("S", "T"):
        for dose in doses:
            for _ in range(2):
                response = scale * (50 + 40 * math.tanh(math.log(dose)) if dose > 0 else 10)
                response += scale * rng.normal(0, 2)
                observations.append(Observation(prep, float(dose), response, 2))
    analysis = logistic.analyse_4pl(DoseResponseData(tuple(observations)), "S")
    assert analysis.valid or analysis.reasons


def test_a_fit_that_cannot_start_is_not_converged_and_says_why() -> None:
    x = np.log(0.1 * 2.0 ** np.arange(8))
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, math.inf])
    fit = logistic.fit_4pl(x, y, np.zeros(8, dtype=int), 1)
    assert not fit.converged
    assert fit.message


def _check_hard(monkeypatch: pytest.MonkeyPatch, runs: int, seed: int) -> None:
    not_converged, worst = _check_runs(monkeypatch, HARD, runs, seed, _simulate_hard)
    print(f"{runs} hard runs: {not_converged} not converged; largest excess {worst:.3g}")


def test_hard_assays_reach_the_reference_minimum_or_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _check_hard(monkeypatch, HARD_RUNS_QUICK, seed=20261215)


@pytest.mark.slow
def test_1000_hard_assays_reach_the_reference_minimum_or_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _check_hard(monkeypatch, HARD_RUNS, seed=20261216)
