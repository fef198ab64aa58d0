"""Batch trend (out-of-trend signal) against base R's lm.

Expected values: tests/reference/r/trend.R, output tests/reference/r/trend.out
(R 4.2.2, Debian 12). Tolerance: relative 1e-8 on slope, standard error, t and p.
"""

from __future__ import annotations

import pytest

from dossier.compute.trend import batch_trend

REL = 1e-8


def test_falling_potency_is_a_trend_matching_r_lm() -> None:
    result = batch_trend([0, 41, 88, 130, 176, 220], [104, 101, 97, 96, 92, 90])
    # trend.out: falling slope -0.06338793553 se 0.003755694587 intercept 103.5865163
    #            t -16.87781955 p 7.224199965e-05
    assert result.testable
    assert result.slope_per_day == pytest.approx(-0.06338793553, rel=REL)
    assert result.slope_se == pytest.approx(0.003755694587, rel=REL)
    assert result.intercept == pytest.approx(103.5865163, rel=REL)
    assert result.t == pytest.approx(-16.87781955, rel=REL)
    assert result.p == pytest.approx(7.224199965e-05, rel=1e-6)
    assert result.df == 4
    assert result.flagged
    assert result.text("%").startswith("trend: slope -23.2 % per year")


def test_scatter_without_slope_is_not_flagged() -> None:
    result = batch_trend([0, 30, 61, 95, 120], [98, 104, 95, 103, 99])
    # trend.out: flat slope 0.004421170108 se 0.04420044773 t 0.1000254598 p 0.9266337573
    assert result.slope_per_day == pytest.approx(0.004421170108, rel=REL)
    assert result.slope_se == pytest.approx(0.04420044773, rel=REL)
    assert result.p == pytest.approx(0.9266337573, rel=1e-6)
    assert not result.flagged
    assert result.text("%").startswith("no significant trend")


@pytest.mark.parametrize(
    ("days", "values"),
    [([], []), ([0, 10], [100, 90]), ([5, 5, 5], [100, 90, 80]), ([0, 1, float("nan")], [1, 2, 3])],
)
def test_too_few_batches_or_one_date_is_not_testable(
    days: list[float], values: list[float]
) -> None:
    result = batch_trend(days, values)
    assert not result.testable
    assert not result.flagged
    assert "no trend test" in result.text("%")


def test_an_exact_line_is_a_trend() -> None:
    assert batch_trend([0, 10, 20], [100, 95, 90]).flagged
    assert not batch_trend([0, 10, 20], [100, 100, 100]).flagged
