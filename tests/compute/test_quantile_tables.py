"""The t, F and chi-squared values the statistics use, against published tables.

Table values: the percentage points printed in standard statistical tables (as in the
NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7), to the decimals shown
here; tolerance half a unit of the last decimal. Tails for one degree of freedom are
checked against the closed form of the Cauchy distribution,
P(|T| > t) = (2 / pi) atan(1 / t), to relative 1e-12 far out into the tail."""

from __future__ import annotations

import math

import pytest
from scipy import special

from dossier.compute.trend import batch_trend
from dossier.compute.validation_stats import accuracy


@pytest.mark.parametrize(
    ("q", "df", "table"),
    [
        (0.975, 1, 12.7062),
        (0.975, 2, 4.3027),
        (0.975, 10, 2.2281),
        (0.975, 30, 2.0423),
        (0.95, 10, 1.8125),
        (0.995, 1, 63.6567),
        (0.9995, 1, 636.6192),
    ],
)
def test_t_quantiles_match_the_table(q: float, df: int, table: float) -> None:
    assert float(special.stdtrit(df, q)) == pytest.approx(table, abs=5e-5)


@pytest.mark.parametrize(
    ("upper", "df_num", "df_den", "table"),
    [
        (0.05, 1, 1, 161.448),
        (0.05, 1, 10, 4.965),
        (0.05, 2, 10, 4.103),
        (0.05, 3, 60, 2.758),
        (0.01, 2, 10, 7.559),
        (0.01, 1, 1, 4052.181),
    ],
)
def test_f_upper_points_match_the_table(
    upper: float, df_num: int, df_den: int, table: float
) -> None:
    point = float(special.fdtri(df_num, df_den, 1 - upper))
    assert point == pytest.approx(table, abs=5e-4)
    # the tail probability the analyses report, at that point
    assert float(special.fdtrc(df_num, df_den, point)) == pytest.approx(upper, rel=1e-10)


@pytest.mark.parametrize(
    ("upper", "df", "table"),
    [(0.05, 1, 3.841), (0.05, 10, 18.307), (0.01, 10, 23.209), (0.001, 1, 10.828)],
)
def test_chi2_upper_points_match_the_table(upper: float, df: int, table: float) -> None:
    assert float(special.chdtri(df, upper)) == pytest.approx(table, abs=5e-4)


@pytest.mark.parametrize("f", [1.0, 1e4, 1e12, 1e40])
def test_f_tail_with_one_and_one_df_is_right_far_out(f: float) -> None:
    # F(1, 1) is the square of a Cauchy variable
    exact = 2 / math.pi * math.atan(1 / math.sqrt(f))
    assert float(special.fdtrc(1, 1, f)) == pytest.approx(exact, rel=1e-12)


def test_trend_p_with_one_df_is_the_cauchy_tail() -> None:
    # three batches, almost on a line: t is large and p tiny
    result = batch_trend([0, 100, 200], [100.0, 90.0, 80.0 + 1e-6])
    assert result.df == 1
    assert result.t is not None
    assert abs(result.t) > 1e6
    exact = 2 / math.pi * math.atan(1 / abs(result.t))
    assert result.p == pytest.approx(exact, rel=1e-12)
    assert result.p < 1e-6


def test_recovery_limits_of_two_values_use_t_with_one_df() -> None:
    result = accuracy([100.0, 100.0], [98.0, 102.0]).overall
    half = 12.7062 * math.sqrt(8.0) / math.sqrt(2.0)  # sd of 98 and 102 is sqrt(8)
    assert result.ci_lower == pytest.approx(100.0 - half, abs=1e-3)
    assert result.ci_upper == pytest.approx(100.0 + half, abs=1e-3)
