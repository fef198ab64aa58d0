"""The plain-Python distribution functions against scipy.special (the reference)."""

from __future__ import annotations

import math
import random

import pytest
from scipy import special

from dossier.compute.distributions import chi2_sf, f_sf, norm_ppf, t_ppf


def _close(value: float, expected: float, rel: float) -> bool:
    return math.isclose(value, expected, rel_tol=rel, abs_tol=1e-280)


def test_random_grid_agrees_with_scipy() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        q = rng.choice([rng.random(), 10 ** rng.uniform(-12, -1), 1 - 10 ** rng.uniform(-12, -1)])
        df = rng.choice([rng.uniform(0.3, 5), rng.uniform(1, 100), float(rng.randint(1, 30000))])
        x = 10 ** rng.uniform(-4, 3)
        d1 = rng.choice([float(rng.randint(1, 50)), rng.uniform(0.5, 20)])
        d2 = rng.choice([float(rng.randint(1, 20000)), rng.uniform(0.5, 50)])
        assert _close(t_ppf(q, df), float(special.stdtrit(df, q)), 1e-9), (q, df)
        assert math.isclose(norm_ppf(q), float(special.ndtri(q)), rel_tol=1e-12, abs_tol=1e-14)
        assert _close(f_sf(x, d1, d2), float(special.fdtrc(d1, d2, x)), 1e-10), (x, d1, d2)
        assert _close(chi2_sf(x, df), float(special.chdtrc(df, x)), 1e-10), (x, df)


@pytest.mark.parametrize(
    ("q", "df", "expected"),
    [
        (0.975, 1.0, 12.706204736174698),
        (0.975, 2.0, 4.302652729749464),
        (0.95, 10.0, 1.8124611228107335),
    ],
)
def test_familiar_t_quantiles(q: float, df: float, expected: float) -> None:
    assert t_ppf(q, df) == pytest.approx(expected, rel=1e-12)
    assert t_ppf(1 - q, df) == pytest.approx(-expected, rel=1e-12)


def test_edges() -> None:
    assert t_ppf(0.5, 3.0) == 0.0
    assert t_ppf(1.0, 3.0) == math.inf
    assert math.isnan(t_ppf(0.5, 0.0))
    assert t_ppf(0.975, math.inf) == pytest.approx(1.959963984540054, rel=1e-12)
    assert norm_ppf(0.0) == -math.inf
    assert f_sf(0.0, 2, 3) == 1.0
    assert chi2_sf(-1.0, 2) == 1.0
    assert math.isnan(f_sf(1.0, 0, 3))
