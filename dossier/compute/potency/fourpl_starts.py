"""Starting values of the 4PL fits: read off the data, and from a coarse profile grid.

The first fit of :mod:`dossier.compute.potency.fourpl_fit` starts from
:func:`starting_values`; :func:`grid_starts` gives the further starts (and tells whether
some point of the grid fits better than a fit found).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["MAX_STEEPNESS", "grid_starts", "starting_values", "step_starts"]

MAX_STEEPNESS = 60.0
"""|B| × (ln-dose span) beyond which the curve is a step between two adjacent doses."""


def _cell_means(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per group: its dose levels (ascending, zero dose as -inf) and their mean responses."""
    import numpy as np

    cells = []
    for g in range(n_groups):
        mask = groups == g
        levels, inverse = np.unique(x[mask], return_inverse=True)
        means = np.bincount(inverse, weights=y[mask]) / np.bincount(inverse)
        cells.append((levels, means))
    return cells


def starting_values(x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Data-driven starting values (A, B, D, C per group); see the module docstring."""
    import numpy as np

    cells = _cell_means(x, y, groups, n_groups)
    all_means = np.concatenate([m for _, m in cells])
    low, high = float(all_means.min()), float(all_means.max())
    # direction: do the mean responses rise with the dose within the groups?
    rise = 0.0
    for _, means in cells:
        if means.size > 1:
            rank = np.arange(means.size) - (means.size - 1) / 2
            rise += float(rank @ (means - means.mean()))
    a0, d0 = (low, high) if rise >= 0 else (high, low)
    margin = 0.05 * (high - low)
    a0, d0 = (a0 - margin, d0 + margin) if a0 < d0 else (a0 + margin, d0 - margin)
    mid = (a0 + d0) / 2
    finite_x = x[np.isfinite(x)]
    span = float(np.ptp(finite_x)) if finite_x.size > 1 else 1.0
    span = span if span > 0 else 1.0
    cs = []
    for levels, means in cells:
        keep = np.isfinite(levels)
        lv, mv = levels[keep], means[keep]
        if lv.size == 0:
            cs.append(float(np.median(finite_x)) if finite_x.size else 0.0)
            continue
        side = np.sign(mv - mid)
        crossing = np.flatnonzero(side[:-1] * side[1:] < 0)
        if crossing.size:
            i = int(crossing[0])
            w = (mid - mv[i]) / (mv[i + 1] - mv[i])
            cs.append(float(lv[i] + w * (lv[i + 1] - lv[i])))
        else:
            cs.append(float(lv[np.argmin(np.abs(mv - mid))]))
    b0 = _logit_slope(x, y, groups, n_groups, a0, d0)
    if not (math.isfinite(b0) and b0 > 0):
        b0 = 4.0 / span
    b0 = min(b0, 0.5 * MAX_STEEPNESS / span)
    return np.array([a0, b0, d0, *cs], dtype=float)


def _logit_slope(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int, a0: float, d0: float
) -> float:
    """Common slope of logit((y - D) / (A - D)) on ln(dose), one intercept per group.

    With frac = (y - D) / (A - D) the model reads ln((1 - frac) / frac) = B (x - C_g).
    Each point is weighted by frac (1 - frac): responses near an asymptote say little.
    """
    import numpy as np

    finite = np.isfinite(x)
    if a0 == d0 or finite.sum() < 2:
        return math.nan
    frac = np.clip((y[finite] - d0) / (a0 - d0), 0.02, 0.98)
    logit = np.log((1.0 - frac) / frac)
    weight = np.sqrt(frac * (1.0 - frac))
    g = groups[finite]
    design = np.column_stack([x[finite], (g[:, None] == np.arange(n_groups)[None, :])])
    design = design[:, np.concatenate([[True], design[:, 1:].any(axis=0)])]
    coef, *_ = np.linalg.lstsq(design * weight[:, None], logit * weight, rcond=None)
    return float(coef[0])


def _profile(
    sums: tuple[np.ndarray, np.ndarray, np.ndarray],
    n: float | np.ndarray,
    sy: float | np.ndarray,
    syy: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RSS, A - D and D of the regression y = D + (A - D) f, from the sums of f, f² and
    f y (any array shape); the asymptotes are the linear part of the model."""
    import numpy as np

    sf, sff, sfy = sums
    var_f = sff - sf * sf / n
    cov_fy = sfy - sf * sy / n
    with np.errstate(divide="ignore", invalid="ignore"):
        s = cov_fy / var_f
        rss = (syy - sy * sy / n) - s * cov_fy
        d = (sy - s * sf) / n
    return np.where(np.isfinite(rss), rss, np.inf), s, d


FULL_GRID_GROUPS = 3
"""Up to this many groups every combination of the groups' C's is tried at each slope."""


def _joint_pick(per_group: np.ndarray, n: float, sy: float, syy: float) -> np.ndarray:
    """Each slope's best combination of the groups' C's over the whole grid (groups,
    slopes), from the per-group sums (3, groups, slopes, cs) added by broadcasting."""
    import numpy as np

    _, n_groups, n_slopes, n_cs = per_group.shape
    total = np.zeros((3, n_slopes) + (n_cs,) * n_groups)
    for g in range(n_groups):
        where = [3, n_slopes] + [1] * n_groups
        where[2 + g] = n_cs
        total += per_group[:, g].reshape(where)
    rss = _profile((total[0], total[1], total[2]), n, sy, syy)[0].reshape(n_slopes, -1)
    best = np.argmin(rss, axis=1)
    return np.array(np.unravel_index(best, (n_cs,) * n_groups))


def grid_starts(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int, keep: int | None = None
) -> list[tuple[float, np.ndarray]]:
    """Starts from a coarse grid over B and each group's C, the asymptotes solved by
    linear least squares at each point (variable projection).

    16 slopes, |B| × span from 0.5 to twice the steepness limit on a log scale, and 25
    C's from half a span below the lowest dose to half a span above the highest. For
    each slope the C's are the best combination of the grid's (see :func:`_best_cs`).
    Each slope gives a start, with the sum of squares at its grid point: first the
    slopes where the profile over the slope has a local minimum (each a valley of its
    own), then the others, each part best first; ``keep`` limits them to the first few.
    """
    import numpy as np

    finite = np.isfinite(x)
    span = float(np.ptp(x[finite])) if finite.sum() > 1 else 1.0
    span = span if span > 0 else 1.0
    slopes = 0.5 * (4.0 * MAX_STEEPNESS) ** (np.arange(16) / 15) / span
    cs = x[finite].min() - span / 2 + 2 * span * np.arange(25) / 24
    rss, starts = _best_cs(x, y, groups, n_groups, slopes, cs)
    # the slopes where the profile has a local minimum (distinct valleys) first, best first
    lower_left = np.concatenate([[True], rss[1:] <= rss[:-1]])
    lower_right = np.concatenate([rss[:-1] <= rss[1:], [True]])
    valleys = lower_left & lower_right
    order = np.lexsort((rss, ~valleys))[:keep].tolist()
    values = rss.tolist()
    return [(values[k], starts[k]) for k in order if math.isfinite(values[k])]


def step_starts(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int, slope: float
) -> list[tuple[float, np.ndarray]]:
    """Starts for a curve that is a step between two doses, at its slope and at twice
    and half of it: each group's C at each dose, one, two and three slope-widths
    (1/|B|) either side of it, and half-way between adjacent doses. A step's C moves
    from one dose interval to another only across a dose, where the sum of squares of
    a steep curve has a ridge that no local search crosses. Best first."""
    import numpy as np

    finite = np.isfinite(x)
    levels = np.unique(x[finite])
    width = 1.0 / abs(slope)
    offsets = width * np.arange(-3, 4)
    cs = np.concatenate(
        [(levels[:, None] + offsets[None, :]).ravel(), levels[:-1] + np.diff(levels) / 2]
    )
    slopes = abs(slope) * np.array([0.5, 1.0, 2.0])
    rss, starts = _best_cs(x, y, groups, n_groups, slopes, np.unique(cs))
    order = np.argsort(rss, kind="stable")
    return [(float(rss[k]), starts[k]) for k in order if math.isfinite(float(rss[k]))]


def _best_cs(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    slopes: np.ndarray,
    cs: np.ndarray,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """For each slope, the best combination of the groups' C's among ``cs``, its sum of
    squares and the start (A, B, D, C per group) with the asymptotes solved.

    Up to :data:`FULL_GRID_GROUPS` groups every combination is tried; for more, the C's
    are chosen one group at a time (each group's best alone, then two sweeps with the
    others held), which costs a sum per group, slope and C rather than one per
    combination of C's.
    """
    import numpy as np

    finite = np.isfinite(x)
    mean = float(y.mean())
    y = y - mean  # centred, so that the sums lose fewer digits to cancellation
    n, sy, syy = y.size, float(y.sum()), float(y @ y)
    one_hot = (groups[:, None] == np.arange(n_groups)[None, :]).astype(float)
    xs = np.where(finite, x, -math.inf)
    # zero dose (x = -inf) gives f = 1: the curve is at A (B > 0)
    with np.errstate(over="ignore"):
        frac = 1.0 / (1.0 + np.exp(slopes[:, None, None] * (xs[None, None, :] - cs[None, :, None])))
    # sums of f, f² and f y per group: shape (3, groups, slopes, cs)
    per_group = np.stack([frac @ one_hot, (frac * frac) @ one_hot, (frac * y) @ one_hot])
    per_group = per_group.transpose(0, 3, 1, 2)
    counts, sums_y, sums_yy = one_hot.sum(axis=0), y @ one_hot, (y * y) @ one_hot
    alone, _, _ = _profile(
        (per_group[0], per_group[1], per_group[2]),
        counts[:, None, None],
        sums_y[:, None, None],
        sums_yy[:, None, None],
    )
    pick = np.argmin(alone, axis=2)  # (groups, slopes): each group's best C alone
    rows = np.arange(slopes.size)
    if 1 < n_groups <= FULL_GRID_GROUPS:
        pick = _joint_pick(per_group, n, sy, syy)
    for _ in range(2 if n_groups > FULL_GRID_GROUPS else 0):
        for g in range(n_groups):
            chosen = per_group[:, np.arange(n_groups)[:, None], rows[None, :], pick]
            held = chosen.sum(axis=1) - chosen[:, g]  # (3, slopes)
            total = held[:, :, None] + per_group[:, g]
            pick[g] = np.argmin(_profile((total[0], total[1], total[2]), n, sy, syy)[0], axis=1)
    chosen = per_group[:, np.arange(n_groups)[:, None], rows[None, :], pick].sum(axis=1)
    rss, s, d = _profile((chosen[0], chosen[1], chosen[2]), n, sy, syy)
    low = d + mean
    table = np.column_stack([low + s, slopes, low, cs[pick].T])  # one start per row
    return rss, list(table)
