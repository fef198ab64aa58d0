"""ICH Q1E shelf-life analysis against base R.

Expected values: tests/reference/r/stability_q1e.R (lm, anova of nested models,
predict(..., interval = "confidence", level = 0.90), uniroot), output
tests/reference/r/stability_q1e.out (R 4.2.2, Debian 12). The data sets are written in
both files, except the AAV example's titre, which both read from its data file.
Tolerances: relative 1e-8 on F, sigma and coefficients, 1e-6 on p-values, absolute 1e-6
on the crossing time (both sides refine a bracket to 1e-12).
"""

from __future__ import annotations

import pytest

from dossier.compute.stability import fit_q1e

TIMES = [0.0, 3.0, 6.0, 9.0, 12.0, 18.0]
REL = 1e-8


def _data(values: dict[str, list[float]]) -> tuple[list[float], list[float], list[str]]:
    times, results, batches = [], [], []
    for batch, series in values.items():
        times += TIMES
        results += series
        batches += [batch] * len(series)
    return times, results, batches


POOLED = {
    "A": [100.0, 98.9, 97.0, 95.1, 94.1, 90.9],
    "B": [99.6, 99.2, 96.8, 95.3, 94.6, 91.8],
    "C": [100.1, 97.7, 97.3, 96.6, 93.3, 91.4],
}
NEAR_POOLED = {
    "A": [100.0, 98.9, 97.0, 95.1, 94.1, 90.9],
    "B": [100.1, 100.0, 96.8, 95.3, 95.1, 92.3],
    "C": [100.1, 97.7, 97.3, 96.6, 93.3, 91.4],
}
SEPARATE = {
    "A": [97.5, 97.4, 96.3, 97.0, 95.6, 95.6],
    "B": [100.1, 99.1, 96.5, 97.3, 97.0, 95.6],
    "C": [99.8, 97.9, 94.8, 92.3, 91.0, 84.2],
}
INCREASING = {
    "A": [1.0, 1.5, 1.6, 2.1, 2.5, 3.2],
    "B": [1.5, 2.0, 2.5, 2.5, 3.1, 3.8],
    "C": [0.5, 1.2, 1.4, 1.5, 2.0, 2.8],
}
FLAT = {
    "A": [97.9, 98.4, 98.0, 98.4, 98.9, 97.6],
    "B": [97.1, 96.7, 97.1, 96.3, 96.7, 96.9],
}


def test_pooled_batches_match_r() -> None:
    fit = fit_q1e(*_data(POOLED), lower=90, upper=None, horizon=36)
    # stability_q1e.out: pooled: F_slopes 0.6911501577 p_slopes 0.5198796833
    #   F_intercepts 0.2507493238 p_intercepts 0.7816386838 df 16 sigma 0.5167924194
    #   crossing 19.69946906; coef (Intercept) 99.93952381, time -0.4806349206
    assert fit.model == "pooled"
    assert fit.f_slopes == pytest.approx(0.6911501577, rel=REL)
    assert fit.p_slopes == pytest.approx(0.5198796833, rel=1e-6)
    assert fit.f_intercepts == pytest.approx(0.2507493238, rel=REL)
    assert fit.p_intercepts == pytest.approx(0.7816386838, rel=1e-6)
    assert fit.df_residual == 16
    assert fit.sigma == pytest.approx(0.5167924194, rel=REL)
    (line,) = fit.lines
    assert line.batch is None
    assert line.intercept == pytest.approx(99.93952381, rel=REL)
    assert line.slope == pytest.approx(-0.4806349206, rel=REL)
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(19.69946906, abs=1e-6)
    assert fit.crossing.side == "lower"


def test_intercepts_just_below_alpha_keep_a_common_slope_like_r() -> None:
    fit = fit_q1e(*_data(NEAR_POOLED), lower=90, upper=None, horizon=36)
    # stability_q1e.out: near_pooled: model common_slope p_slopes 0.6731075444
    #   F_intercepts 1.567845363 p_intercepts 0.2429880654 df 14 sigma 0.6433296324
    #   crossing 19.03278597 batch A; coef time -0.4822222222
    assert fit.model == "common_slope"
    assert fit.p_slopes == pytest.approx(0.6731075444, rel=1e-6)
    assert fit.f_intercepts == pytest.approx(1.567845363, rel=REL)
    assert fit.p_intercepts == pytest.approx(0.2429880654, rel=1e-6)
    assert fit.df_residual == 14
    assert fit.sigma == pytest.approx(0.6433296324, rel=REL)
    assert [line.slope for line in fit.lines] == [pytest.approx(-0.4822222222, rel=REL)] * 3
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(19.03278597, abs=1e-6)
    assert fit.crossing.batch == "A"


def test_separate_slopes_take_the_worst_batch_like_r() -> None:
    fit = fit_q1e(*_data(SEPARATE), lower=85, upper=None, horizon=36)
    # stability_q1e.out: separate: F_slopes 67.14996145 p_slopes 3.045249586e-07
    #   df 12 sigma 0.7029190836 crossing 16.69976328 batch C side lower
    #   coef batchC 100.16, batchC:time -0.8533333333, batchA:time -0.1152380952
    assert fit.model == "separate"
    assert fit.f_slopes == pytest.approx(67.14996145, rel=REL)
    assert fit.p_slopes == pytest.approx(3.045249586e-07, rel=1e-6)
    assert fit.p_intercepts is None
    assert fit.df_residual == 12
    assert fit.sigma == pytest.approx(0.7029190836, rel=REL)
    by_batch = {line.batch: line for line in fit.lines}
    assert by_batch["C"].intercept == pytest.approx(100.16, rel=REL)
    assert by_batch["C"].slope == pytest.approx(-0.8533333333, rel=REL)
    assert by_batch["A"].slope == pytest.approx(-0.1152380952, rel=REL)
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(16.69976328, abs=1e-6)
    assert fit.crossing.batch == "C"


def test_increasing_attribute_meets_its_upper_limit_like_r() -> None:
    fit = fit_q1e(*_data(INCREASING), lower=None, upper=5, horizon=36)
    # stability_q1e.out: increasing: model common_slope F_slopes 0.09298357859
    #   p_slopes 0.9118585119 F_intercepts 93.47217361 p_intercepts 7.96830034e-09
    #   df 14 sigma 0.1272640763 crossing 26.59905995 batch B side upper
    assert fit.model == "common_slope"
    assert fit.f_slopes == pytest.approx(0.09298357859, rel=REL)
    assert fit.p_slopes == pytest.approx(0.9118585119, rel=1e-6)
    assert fit.f_intercepts == pytest.approx(93.47217361, rel=REL)
    assert fit.p_intercepts == pytest.approx(7.96830034e-09, rel=1e-6)
    assert fit.sigma == pytest.approx(0.1272640763, rel=REL)
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(26.59905995, abs=1e-6)
    assert (fit.crossing.batch, fit.crossing.side) == ("B", "upper")


def test_no_crossing_within_the_horizon_like_r() -> None:
    fit = fit_q1e(*_data(FLAT), lower=90, upper=None, horizon=18)
    # stability_q1e.out: flat: model common_slope p_intercepts 0.0002123600617 df 9
    #   sigma 0.4067681372 crossing NA
    assert fit.analysed
    assert fit.model == "common_slope"
    assert fit.p_intercepts == pytest.approx(0.0002123600617, rel=1e-6)
    assert fit.df_residual == 9
    assert fit.sigma == pytest.approx(0.4067681372, rel=REL)
    assert fit.crossing is None


def test_two_limits_use_both_one_sided_limits_like_r() -> None:
    fit = fit_q1e(*_data(FLAT), lower=95, upper=100, horizon=60)
    # stability_q1e.out: two_sided: crossing 47.32726744 batch B side lower
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(47.32726744, abs=1e-6)
    assert (fit.crossing.batch, fit.crossing.side) == ("B", "lower")


def test_one_batch_is_its_own_line_like_r() -> None:
    times, values, _ = _data({"C": SEPARATE["C"]})
    fit = fit_q1e(times, values, ["C"] * 6, lower=85, upper=None, horizon=36)
    # stability_q1e.out: single_batch: df 4 sigma 0.6774953874 crossing 16.55114295
    #   slope -0.8533333333 intercept 100.16
    assert fit.model == "single_batch"
    assert fit.p_slopes is None
    assert fit.df_residual == 4
    assert fit.sigma == pytest.approx(0.6774953874, rel=REL)
    assert fit.lines[0].slope == pytest.approx(-0.8533333333, rel=REL)
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(16.55114295, abs=1e-6)


def test_limit_already_outside_at_time_zero_crosses_at_zero() -> None:
    fit = fit_q1e(*_data(FLAT), lower=98.5, upper=None, horizon=18)
    assert fit.crossing is not None
    assert fit.crossing.time == 0.0


@pytest.mark.parametrize(
    ("times", "values", "batches", "reason"),
    [
        ([], [], [], "no_data"),
        ([0, 3], [100, 99], ["A", "A"], "too_few_points"),
        ([0, 3, 6, 0, 3], [100, 99, 98, 100, 99], ["A", "A", "A", "B", "B"], "too_few_points"),
        ([3, 3, 3], [100, 99, 98], ["A"] * 3, "one_time_point"),
        ([0, 3, 6], [100, 99, 98], ["A"] * 3, "zero_variance"),
        ([0, 3, 6, 0, 3, 6], [100, 99, 98, 90, 89, 88], ["A"] * 3 + ["B"] * 3, "zero_variance"),
    ],
)
def test_data_that_cannot_be_analysed_give_a_typed_reason(
    times: list[float], values: list[float], batches: list[str], reason: str
) -> None:
    fit = fit_q1e(times, values, batches, lower=90, upper=None, horizon=12)
    assert not fit.analysed
    assert fit.reason == reason
    assert fit.detail


def test_the_aav_example_titre_matches_r() -> None:
    import csv
    from pathlib import Path

    file = Path(__file__).resolve().parents[2] / "examples/aav-systemic/data/stability"
    with (file / "titre_minus70.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fit = fit_q1e(
        [float(r["time"]) for r in rows],
        [float(r["value"]) for r in rows],
        [r["batch"] for r in rows],
        lower=1.6e13,
        upper=2.4e13,
        horizon=24,
    )
    # stability_q1e.out: aav_titre: F_slopes 11.0364161 p_slopes 0.003787716915 df 9
    #   sigma 1.962283251e+11 crossing 21.69428453
    assert fit.model == "separate"
    assert fit.f_slopes == pytest.approx(11.0364161, rel=REL)
    assert fit.p_slopes == pytest.approx(0.003787716915, rel=1e-6)
    assert fit.df_residual == 9
    assert fit.sigma == pytest.approx(1.962283251e11, rel=REL)
    assert fit.crossing is not None
    assert fit.crossing.time == pytest.approx(21.69428453, abs=1e-6)
    assert (fit.crossing.batch, fit.crossing.side) == ("B-RES-01", "lower")
