"""Slope-ratio assay against base R (tests/reference/r/slope_ratio.R, .out; R 4.2.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.compute.potency.io import read_dose_response
from dossier.compute.potency.slope_ratio import analyse_slope_ratio

DATA = Path(__file__).resolve().parents[1] / "data" / "slope_ratio" / "assay.csv"


def test_ratio_limits_and_anova_match_r() -> None:
    analysis = analyse_slope_ratio(read_dose_response(DATA), "S")
    (t,) = analysis.results
    # slope_ratio.out: T ratio 0.7951670688 lower 0.7568055315 upper 0.8344404679
    assert (t.relative_potency, t.ci_lower, t.ci_upper) == pytest.approx(
        (0.7951670688, 0.7568055315, 0.8344404679), rel=1e-7
    )
    rows = {r["source"]: r for r in analysis.anova}
    # regression = xS + xT rows of the R table; intersection = iT; non-linearity = cell
    assert rows["Regression"]["ss"] == pytest.approx(193.24313364 + 279.51435720, rel=1e-8)
    assert rows["Intersection"]["ss"] == pytest.approx(0.00000122, abs=1e-8)
    assert rows["Non-linearity"]["ss"] == pytest.approx(0.01488889, rel=1e-6)
    assert rows["Residual error"]["df"] == 14
    assert analysis.valid


def test_lines_that_do_not_meet_at_zero_fail_the_intersection_test() -> None:
    from dataclasses import replace

    from dossier.compute.potency.types import DoseResponseData

    data = read_dose_response(DATA)
    shifted = DoseResponseData(
        tuple(
            replace(o, response=o.response + 3.0) if o.preparation == "T" else o
            for o in data.observations
        ),
        data.source,
    )
    analysis = analyse_slope_ratio(shifted, "S")
    assert analysis.valid is False
    assert analysis.tests["intersection"].passed is False
    assert any("intersection" in r for r in analysis.reasons)
