"""ICH Q2(R2) statistics against NIST certified values and independent R computations.

- Linearity: NIST StRD Norris (certified values quoted below; met to 10 significant digits).
- Precision, one factor: NIST StRD SiRstv (certified ANOVA and residual SD).
- Precision, nested: tests/reference/r/precision.R (aov expected mean squares; lme4 REML),
  output precision.out, R 4.2.2 with lme4 1.1-31. REML optimisers stop at slightly
  different points: agreement to relative 2e-4.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dossier.compute.validation_stats import accuracy, linearity, precision, reportable_range

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
    # precision.out: REML day 0.01010231397 analyst 0.001522161592 residual 0.001299048905
    assert result.components["day"] == pytest.approx(0.01010231397, rel=2e-4)
    assert result.components["analyst"] == pytest.approx(0.001522161592, rel=2e-4)
    assert result.components["residual"] == pytest.approx(0.001299048905, rel=2e-4)


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
