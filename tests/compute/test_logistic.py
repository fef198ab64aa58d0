"""Four-parameter logistic relative potency against independent fits with R's nls.

Expected values: tests/reference/r/fourpl_drc.R (base R nls, same parameterisation,
Wald limits on the log scale), output tests/reference/r/fourpl_drc.out, R 4.2.2.
Tolerance: 4 significant figures (relative 1e-4) on estimates and limits; the F
statistic to relative 1e-6. Data: drc datasets S.alba and spinach (GPL-2).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from dossier.compute.potency.logistic import Margins, analyse_4pl
from dossier.compute.potency.types import DoseResponseData, Observation
from dossier.core.errors import DataFileError

DRC = Path(__file__).resolve().parents[1] / "data" / "drc"


def _s_alba() -> DoseResponseData:
    with (DRC / "S_alba.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    obs = tuple(
        Observation(r["Herbicide"], float(r["Dose"]), float(r["DryMatter"]), i)
        for i, r in enumerate(rows, start=2)
    )
    return DoseResponseData(obs, "S_alba.csv")


def _spinach(curves: tuple[str, ...]) -> DoseResponseData:
    with (DRC / "spinach.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["CURVE"] in curves]
    obs = tuple(
        Observation("curve" + r["CURVE"], float(r["DOSE"]), float(r["SLOPE"]), i)
        for i, r in enumerate(rows, start=2)
    )
    return DoseResponseData(obs, "spinach.csv")


def test_s_alba_relative_potency_matches_r_nls() -> None:
    analysis = analyse_4pl(_s_alba(), "Glyphosate")
    (bentazone,) = analysis.results
    # fourpl_drc.out: Bentazone RP 2.350737961 lower 1.938614694 upper 2.850473061
    assert bentazone.relative_potency == pytest.approx(2.350737961, rel=1e-4)
    assert bentazone.ci_lower == pytest.approx(1.938614694, rel=1e-4)
    assert bentazone.ci_upper == pytest.approx(2.850473061, rel=1e-4)
    # fourpl_drc.out: A 3.824865047 B 3.864159475 D 0.7536594836
    assert analysis.parameters["A"] == pytest.approx(3.824865047, rel=1e-4)
    assert analysis.parameters["B"] == pytest.approx(3.864159475, rel=1e-4)
    assert analysis.parameters["D"] == pytest.approx(0.7536594836, rel=1e-4)
    # fourpl_drc.out: similarity F 2.747127529 df 3 60 p 0.05065651719
    sim = analysis.tests["non_parallelism"]
    assert (sim.df_num, sim.df_den) == (3, 60)
    assert pytest.approx(2.747127529, rel=1e-6) == sim.F
    assert sim.p == pytest.approx(0.05065651719, rel=1e-5)
    assert analysis.valid  # p just above 0.05: similar at the 5 % level


def test_spinach_curves_are_not_similar_and_the_assay_is_invalid() -> None:
    analysis = analyse_4pl(_spinach(("1", "2")), "curve1")
    # fourpl_drc.out: similarity F 115.7645614 df 3 34; curve2 RP 9.949811224
    assert pytest.approx(115.7645614, rel=1e-6) == analysis.tests["non_parallelism"].F
    assert analysis.results[0].relative_potency == pytest.approx(9.949811224, rel=1e-4)
    assert analysis.valid is False
    assert any("non-similarity" in r for r in analysis.reasons)
    assert analysis.results[0].valid is False


def test_equivalence_similarity_uses_the_margins() -> None:
    wide = analyse_4pl(
        _s_alba(),
        "Glyphosate",
        similarity="equivalence",
        margins=Margins(slope=(-50, 50), lower_asymptote=(-50, 50), upper_asymptote=(-50, 50)),
    )
    assert wide.tests["equivalence"].passed
    narrow = analyse_4pl(
        _s_alba(),
        "Glyphosate",
        similarity="equivalence",
        margins=Margins(slope=(-0.01, 0.01)),
    )
    assert narrow.valid is False
    assert any("equivalence_slope[Bentazone]" in r for r in narrow.reasons)


def test_flat_and_too_short_data() -> None:
    data = _s_alba()
    flat = DoseResponseData(
        tuple(Observation(o.preparation, o.dose, 1.0, o.row) for o in data.observations),
        data.source,
    )
    analysis = analyse_4pl(flat, "Glyphosate")
    assert analysis.valid is False
    assert "flat" in analysis.reasons[0]
    short = DoseResponseData(
        tuple(o for o in data.observations if o.dose in (0.0, 10.0, 20.0)), data.source
    )
    with pytest.raises(DataFileError, match="at least 4 needed"):
        analyse_4pl(short, "Glyphosate")


def _curves(
    standard: tuple[float, float, float, float],
    test: tuple[float, float, float, float],
    *,
    doses: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
    replicates: int = 3,
    sd: float = 1.0,
    seed: int = 1,
) -> DoseResponseData:
    """Standard and test from 4PL curves (A, B, D, C on ln dose) with normal noise."""
    import math

    import numpy as np

    rng = np.random.default_rng(seed)
    obs = []
    for prep, (a, b, d, c) in (("S", standard), ("T", test)):
        for dose in doses:
            for _ in range(replicates):
                mean = d + (a - d) / (1 + math.exp(b * (math.log(dose) - c)))
                obs.append(Observation(prep, dose, mean + float(rng.normal(0, sd)), len(obs) + 2))
    return DoseResponseData(tuple(obs), "curves.csv", {"preparation": 1, "dose": 2})


def test_two_flat_lines_at_different_levels_are_no_dose_response() -> None:
    # each preparation flat, at 20 and at 80: against a grand mean this is a "response"
    analysis = analyse_4pl(_curves((20, 1, 20, 0), (80, 1, 80, 0)), "S")
    assert analysis.valid is False
    for prep in ("S", "T"):
        test = analysis.tests[f"regression[{prep}]"]
        assert test.passed is False
    (result,) = analysis.results
    assert result.valid is False


def test_a_flat_test_preparation_invalidates_the_assay() -> None:
    analysis = analyse_4pl(_curves((10, 1.5, 90, 0), (50, 1.5, 50, 0)), "S")
    assert analysis.tests["regression[S]"].passed
    assert not analysis.tests["regression[T]"].passed
    (result,) = analysis.results
    assert result.valid is False
    assert analysis.valid is False
    assert analysis.reasons


def test_a_valid_assay_passes_each_preparations_regression() -> None:
    analysis = analyse_4pl(_curves((10, 1.5, 90, 0.2), (10, 1.5, 90, 0.6)), "S")
    assert analysis.valid, analysis.reasons
    assert analysis.tests["regression[S]"].p < 1e-10
    assert analysis.tests["regression[T]"].p < 1e-10
    assert analysis.results[0].relative_potency == pytest.approx(math.exp(-0.4), rel=0.1)


def test_the_standards_ec50_outside_its_doses_invalidates_the_assay() -> None:
    # the standard's mid-point far above its highest dose, the test's inside
    data = _curves((10, 1.2, 90, 4.5), (10, 1.2, 90, 1.0), sd=0.5)
    analysis = analyse_4pl(data, "S")
    assert analysis.valid is False
    assert any("EC50 of the standard 'S'" in r for r in analysis.reasons), analysis.reasons


def test_an_untestable_similarity_is_not_assessed_and_not_valid() -> None:
    # four doses, one response each: each preparation's own 4PL fit has no residual df
    data = _curves(
        (10, 1.5, 90, 0.0), (10, 1.5, 90, 0.3), doses=(0.1, 0.5, 2.0, 10.0), replicates=1
    )
    analysis = analyse_4pl(data, "S")
    similarity = analysis.tests["non_parallelism"]
    assert (similarity.p, similarity.passed) == (None, False)
    assert similarity.criterion.startswith("not assessed")
    assert analysis.valid is False


def test_zero_residual_variance_is_judged_on_the_responses_scale() -> None:
    # noise-free curves around 1e6: round-off leaves a residual sum of squares that is
    # not exactly 0 but zero for data of this scale
    data = _curves((1e6 + 10, 1.5, 1e6 + 90, 0.2), (1e6 + 10, 1.5, 1e6 + 90, 0.5), sd=0.0)
    analysis = analyse_4pl(data, "S")
    assert analysis.valid is False
    assert any("residual variance is zero" in r for r in analysis.reasons), analysis.reasons
    (result,) = analysis.results
    assert (result.ci_lower, result.ci_upper) == (None, None)
    assert result.relative_potency == pytest.approx(math.exp(-0.3), rel=1e-6)


@pytest.mark.parametrize(("column", "field"), [("block", "block"), ("row", "latin_row")])
def test_design_factors_are_refused_with_a_located_error(column: str, field: str) -> None:
    plain = _curves((10, 1.5, 90, 0.2), (10, 1.5, 90, 0.5))
    extra = {"block": None, "latin_row": None, "latin_column": None}
    if field == "latin_row":
        extra["latin_column"] = "1"
    observations = tuple(
        Observation(o.preparation, o.dose, o.response, o.row, **{**extra, field: "1"})
        for o in plain.observations
    )
    data = DoseResponseData(observations, "run.csv", {**plain.columns, column: 4})
    with pytest.raises(DataFileError, match="does not fit") as caught:
        analyse_4pl(data, "S")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.location.line, diagnostic.location.column) == (1, 4)
