"""ICH Q2(R2) statistics against NIST certified values and independent R computations.

- Linearity: NIST StRD Norris (certified values quoted below; met to 10 significant digits).
- Precision, one factor: NIST StRD SiRstv (certified ANOVA and residual SD).
- Precision, nested: tests/reference/r/precision.R (aov expected mean squares; lme4 REML),
  output precision.out, R 4.2.2 with lme4 1.1-31. REML optimisers stop at slightly
  different points: agreement to relative 2e-4.
- Unbalanced designs and precision confidence intervals: tests/reference/r/precision_ci.R,
  output precision_ci.out (R 4.2.2, lme4 1.1-31 with bobyqa to rhoend 1e-12; chi-square
  and Satterthwaite intervals from aov mean squares and qchisq). The chi-square and
  Satterthwaite formulas are also written out below on the NIST certified mean squares.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2

from dossier.compute.validation_stats import (
    PrecisionInterval,
    accuracy,
    linearity,
    precision,
    reportable_range,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_norris_linear_regression_meets_nist_certified_values() -> None:
    rows = _rows(DATA / "nist" / "norris.csv")
    fit = linearity([float(r["nominal"]) for r in rows], [float(r["measured"]) for r in rows])
    # NIST StRD Norris certified values
    assert fit.slope == pytest.approx(1.00211681802045, rel=1e-10)
    assert fit.intercept == pytest.approx(-0.262323073774029, rel=1e-10)
    assert fit.slope_se == pytest.approx(0.429796848199937e-03, rel=1e-10)
    assert fit.intercept_se == pytest.approx(0.232818234301152, rel=1e-10)
    assert fit.residual_sd == pytest.approx(0.884796396144373, rel=1e-10)
    assert fit.r_squared == pytest.approx(0.999993745883712, rel=1e-12)


def test_sirstv_one_factor_precision_meets_nist_certified_values() -> None:
    rows = _rows(DATA / "nist" / "sirstv.csv")
    result = precision(
        [[r["instrument"]] for r in rows], [float(r["value"]) for r in rows], ["instrument"]
    )
    between, within = result.anova
    # NIST StRD SiRstv certified: between 4 df, SS 5.11462616E-02, MS 1.27865654E-02;
    # within 20 df, SS 2.16636560E-01, MS 1.08318280E-02; residual SD 1.04076068334656E-01
    assert (between["df"], within["df"]) == (4, 20)
    assert between["ss"] == pytest.approx(5.11462616e-02, rel=1e-9)
    assert between["ms"] == pytest.approx(1.27865654e-02, rel=1e-9)
    assert within["ss"] == pytest.approx(2.16636560e-01, rel=1e-9)
    assert result.repeatability_sd == pytest.approx(1.04076068334656e-01, rel=1e-10)
    assert result.method.startswith("variance components by analysis of variance")


def test_nested_balanced_precision_matches_r_anova_and_reml() -> None:
    rows = _rows(DATA / "validation" / "precision_nested.csv")
    result = precision(
        [[r["day"], r["analyst"]] for r in rows],
        [float(r["value"]) for r in rows],
        ["day", "analyst"],
        log_scale=True,
    )
    # precision.out: ANOVA day 0.0108366275 analyst 0.001975424327 residual 0.001542359548
    assert result.components["day"] == pytest.approx(0.0108366275, rel=1e-8)
    assert result.components["analyst"] == pytest.approx(0.001975424327, rel=1e-8)
    assert result.components["residual"] == pytest.approx(0.001542359548, rel=1e-8)
    # balanced: REML gives the same (precision.out REML line), to optimiser tolerance
    assert result.components["day"] == pytest.approx(0.0108366117, rel=2e-4)
    assert result.log_scale
    assert result.repeatability_cv_percent == pytest.approx(
        (2.718281828459045 ** (0.001542359548**0.5) - 1) * 100, rel=1e-8
    )


def test_nested_unbalanced_precision_uses_reml_like_lme4() -> None:
    rows = _rows(DATA / "validation" / "precision_unbalanced.csv")
    result = precision(
        [[r["day"], r["analyst"]] for r in rows],
        [float(r["value"]) for r in rows],
        ["day", "analyst"],
        log_scale=True,
    )
    assert "REML" in result.method
    # precision.out (lme4 defaults): REML day 0.01010231397 analyst 0.001522161592
    # residual 0.001299048905; precision_ci.out (bobyqa, rhoend 1e-12): "unbalanced-two-factor
    # REML da 0.00152216308039 day 0.0101022155772 Residual 0.00129905080685"
    assert result.components["day"] == pytest.approx(0.0101022155772, rel=1e-6)
    assert result.components["analyst"] == pytest.approx(0.00152216308039, rel=1e-6)
    assert result.components["residual"] == pytest.approx(0.00129905080685, rel=1e-7)
    assert result.components["day"] == pytest.approx(0.01010231397, rel=2e-4)


def test_accuracy_recovery_per_level_and_overall() -> None:
    # hand-checkable: recoveries 90, 110 at level A and 100, 100 at level B
    result = accuracy([100, 100, 50, 50], [90, 110, 50, 50], levels=["A", "A", "B", "B"])
    assert result.overall.mean_recovery_percent == pytest.approx(100.0)
    assert result.overall.relative_bias_percent == pytest.approx(0.0)
    a, b = result.levels
    assert (a.level, a.mean_recovery_percent, a.sd) == (
        "A",
        pytest.approx(100.0),
        pytest.approx(14.142135623730951),
    )
    # 95 % CI for n = 2: mean ± t(0.975, 1) · sd / sqrt(2) = 100 ± 12.7062 · 10
    assert a.ci_lower == pytest.approx(100 - 127.06204736174703, rel=1e-9)
    assert b.sd == pytest.approx(0.0)


def test_reportable_range_against_potency_specification() -> None:
    # specification 50-200 %: ICH Q2(R2) Table 2 asks for 40-240 %
    narrow = reportable_range([50, 71, 100, 141, 200], 50, 200, "%")
    assert (narrow.required_lower, narrow.required_upper, narrow.covers) == (40.0, 240.0, False)
    wide = reportable_range([40, 100, 240], 50, 200, "%")
    assert wide.covers is True


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="at least three"):
        linearity([1, 2], [1, 2])
    with pytest.raises(ValueError, match="no replicates"):
        precision([["d1"], ["d2"]], [1.0, 2.0], ["day"])
    flat = [["d1"], ["d1"], ["d2"], ["d2"], ["d2"]]
    with pytest.raises(ValueError, match="do not vary"):
        precision(flat, [5.0] * 5, ["day"])
    with pytest.raises(ValueError, match="replicates do not vary"):
        precision(flat, [5.0, 5.0, 6.0, 6.0, 6.0], ["day"])
    with pytest.raises(ValueError, match="mean of the values is zero"):
        precision(flat, [-1.0, 1.0, -2.0, 1.0, 1.0], ["day"])
    three = [
        ["d1", "a", "x"],
        ["d1", "a", "x"],
        ["d2", "a", "x"],
        ["d2", "a", "x"],
        ["d2", "a", "x"],
    ]
    with pytest.raises(ValueError, match="at most two"):
        precision(three, [1.0, 2.0, 3.0, 4.0, 6.0], ["day", "analyst", "plate"])


def _sirstv_without(row: int) -> tuple[list[list[str]], list[float]]:
    """SiRstv without its ``row``-th data row (1-based, as R's ``sirstv[-row, ]``)."""
    rows = _rows(DATA / "nist" / "sirstv.csv")
    del rows[row - 1]
    return [[r["instrument"]] for r in rows], [float(r["value"]) for r in rows]


def _reml_deviance(
    groups: Sequence[Sequence[str]], y: Sequence[float], ratios: list[float]
) -> float:
    """The profiled REML deviance (constants dropped) of random intercepts for each
    factor, with dense matrices: log|H| + log(1ᵀH⁻¹1) + (n − 1) log(rᵀH⁻¹r),
    H = I + Σ ratio_k Z_k Z_kᵀ."""
    values = np.asarray(y, dtype=float)
    n = values.size
    h = np.eye(n)
    for k, ratio in enumerate(ratios):
        keys = [tuple(g[: k + 1]) for g in groups]
        z = np.array([[key == level for level in sorted(set(keys))] for key in keys], float)
        h += ratio * z @ z.T
    hi = np.linalg.inv(h)
    ones = np.ones(n)
    xtx = ones @ hi @ ones
    resid = values - (ones @ hi @ values) / xtx
    return float(np.linalg.slogdet(h)[1] + math.log(xtx) + (n - 1) * math.log(resid @ hi @ resid))


def test_one_factor_with_one_value_removed_gives_lme4_reml() -> None:
    # statsmodels' L-BFGS fit stopped with "Singular matrix" on this data set
    groups, values = _sirstv_without(2)
    result = precision(groups, values, ["instrument"])
    assert "REML" in result.method
    # precision_ci.out: "sirstv-without-row-2 REML g 0.00111067274863 Residual 0.0105381077005".
    # The restricted likelihood is flat here: lme4 stops 1.2e-6 (relative) from the
    # optimum, so the agreement is to 2e-6 and the deviance is no worse than lme4's.
    lme4 = {"instrument": 0.00111067274863, "residual": 0.0105381077005}
    assert result.components["instrument"] == pytest.approx(lme4["instrument"], rel=2e-6)
    assert result.components["residual"] == pytest.approx(lme4["residual"], rel=2e-7)
    ours = _reml_deviance(
        groups, values, [result.components["instrument"] / result.components["residual"]]
    )
    theirs = _reml_deviance(groups, values, [lme4["instrument"] / lme4["residual"]])
    assert ours <= theirs + 1e-12


def test_one_factor_reml_on_the_boundary_and_on_the_log_scale() -> None:
    # precision_ci.out: "sirstv-without-row-1 REML g 0 Residual 0.0110328486775" (singular)
    result = precision(*_sirstv_without(1), ["instrument"])
    assert result.components["instrument"] == 0.0
    assert result.components["residual"] == pytest.approx(0.0110328486775, rel=1e-9)
    assert result.intermediate_sd == pytest.approx(math.sqrt(0.0110328486775), rel=1e-9)
    # precision_ci.out: "nested-by-day-without-last-row REML day 0.0104782969982
    # Residual 0.00222703730408"
    rows = _rows(DATA / "validation" / "precision_nested.csv")[:-1]
    by_day = precision(
        [[r["day"]] for r in rows], [float(r["value"]) for r in rows], ["day"], log_scale=True
    )
    assert by_day.components["day"] == pytest.approx(0.0104782969982, rel=1e-7)
    assert by_day.components["residual"] == pytest.approx(0.00222703730408, rel=1e-7)


def _chi_square_sd(variance: float, df: float) -> tuple[float, float]:
    """sqrt(df s² / χ²(0.975, df)), sqrt(df s² / χ²(0.025, df))."""
    return (
        math.sqrt(df * variance / chi2.ppf(0.975, df)),
        math.sqrt(df * variance / chi2.ppf(0.025, df)),
    )


def test_precision_intervals_on_nist_sirstv_follow_chi_square_and_satterthwaite() -> None:
    rows = _rows(DATA / "nist" / "sirstv.csv")
    result = precision(
        [[r["instrument"]] for r in rows], [float(r["value"]) for r in rows], ["instrument"]
    )
    rep, inter = result.repeatability_ci, result.intermediate_ci
    assert rep is not None
    assert inter is not None
    # the formulas on the NIST certified mean squares: within MS 1.08318280E-02 (20 df),
    # between MS 1.27865654E-02 (4 df); 5 replicates per instrument
    ms_w, ms_b = 1.08318280e-02, 1.27865654e-02
    assert (rep.df, rep.confidence) == (20, 0.95)
    assert (rep.sd_lower, rep.sd_upper) == pytest.approx(_chi_square_sd(ms_w, 20), rel=1e-8)
    parts = [ms_b / 5, ms_w * 4 / 5]
    nu = sum(parts) ** 2 / (parts[0] ** 2 / 4 + parts[1] ** 2 / 20)
    assert inter.df == pytest.approx(nu, rel=1e-8)
    assert (inter.sd_lower, inter.sd_upper) == pytest.approx(
        _chi_square_sd(sum(parts), nu), rel=1e-8
    )
    # precision_ci.out: "sirstv repeatability ... 95% CI 0.0796243470784 0.15029307492";
    # "sirstv intermediate sd 0.105937601823 df 23.3697533959 95% CI 0.0824801472323
    # 0.148138965493"
    assert (rep.sd_lower, rep.sd_upper) == pytest.approx(
        (0.0796243470784, 0.15029307492), rel=1e-10
    )
    assert inter.estimate_sd == pytest.approx(0.105937601823, rel=1e-10)
    assert inter.df == pytest.approx(23.3697533959, rel=1e-10)
    assert (inter.sd_lower, inter.sd_upper) == pytest.approx(
        (0.0824801472323, 0.148138965493), rel=1e-10
    )
    assert rep.cv_upper_percent == pytest.approx(100 * 0.15029307492 / result.mean, rel=1e-10)


def test_precision_intervals_on_the_nested_data_sets_match_r() -> None:
    def run(name: str) -> tuple[PrecisionInterval | None, PrecisionInterval | None]:
        rows = _rows(DATA / "validation" / name)
        result = precision(
            [[r["day"], r["analyst"]] for r in rows],
            [float(r["value"]) for r in rows],
            ["day", "analyst"],
            log_scale=True,
        )
        return result.repeatability_ci, result.intermediate_ci

    rep, inter = run("precision_nested.csv")
    assert rep is not None
    assert inter is not None
    # precision_ci.out: "nested repeatability sd 0.0392728856638 df 16 95% CI 0.0292492606489
    # 0.0597705415974"; "nested intermediate sd 0.119809896809 df 4.19593453697 95% CI
    # 0.0724290478949 0.331858087512"
    assert rep.df == 16
    assert (rep.sd_lower, rep.sd_upper) == pytest.approx(
        (0.0292492606489, 0.0597705415974), rel=1e-10
    )
    assert inter.estimate_sd == pytest.approx(0.119809896809, rel=1e-10)
    assert inter.df == pytest.approx(4.19593453697, rel=1e-10)
    assert (inter.sd_lower, inter.sd_upper) == pytest.approx(
        (0.0724290478949, 0.331858087512), rel=1e-10
    )
    # on the log scale the CV limits are GCV: exp(sd) − 1
    assert inter.cv_upper_percent == pytest.approx(100 * math.expm1(0.331858087512), rel=1e-10)
    rep, inter = run("precision_unbalanced.csv")
    assert rep is not None
    assert inter is not None
    # precision_ci.out, Henderson's method I coefficients k1 2.85 k2 2.89565217391
    # k3 5.73913043478: "unbalanced-two-factor intermediate sd 0.113038373926
    # df 4.06359907229 95% CI 0.0679265310112 0.320849634807"
    assert rep.df == 15
    assert (rep.sd_lower, rep.sd_upper) == pytest.approx(
        (0.0266190185957, 0.0557706112335), rel=1e-10
    )
    assert inter.df == pytest.approx(4.06359907229, rel=1e-10)
    assert (inter.sd_lower, inter.sd_upper) == pytest.approx(
        (0.0679265310112, 0.320849634807), rel=1e-10
    )
    assert "Henderson" in inter.method


def test_unbalanced_one_factor_interval_matches_r() -> None:
    result = precision(*_sirstv_without(2), ["instrument"])
    inter = result.intermediate_ci
    assert inter is not None
    # precision_ci.out: "sirstv-without-row-2 intermediate sd 0.10792010611 df 21.0674350333
    # 95% CI 0.0830587195376 0.154120853709"
    assert inter.estimate_sd == pytest.approx(0.10792010611, rel=1e-10)
    assert inter.df == pytest.approx(21.0674350333, rel=1e-10)
    assert (inter.sd_lower, inter.sd_upper) == pytest.approx(
        (0.0830587195376, 0.154120853709), rel=1e-10
    )


def test_log_scale_accuracy_names_its_spread() -> None:
    # recoveries 90 % and 110 %: SD of ln(recovery) = |ln 1.1 − ln 0.9| / sqrt(2)
    result = accuracy([100, 100], [90, 110], log_scale=True)
    sd_ln = abs(math.log(1.1) - math.log(0.9)) / math.sqrt(2)
    assert result.overall.sd == pytest.approx(sd_ln, rel=1e-12)
    assert result.overall.gcv_percent == pytest.approx(100 * math.expm1(sd_ln), rel=1e-12)
    assert accuracy([100, 100], [90, 110]).overall.gcv_percent is None
