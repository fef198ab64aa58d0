"""Five-parameter (asymmetric) logistic relative potency against independent fits with R's nls.

Expected values: tests/reference/r/fivepl.R (base R nls, same parameterisation, Wald
limits on the log scale, each preparation's own fit started from the constrained fit),
output tests/reference/r/fivepl.out, R 4.2.2 (``Rscript tests/reference/r/fivepl.R``).
nls stops at a relative offset of 1e-6, which leaves the estimates good to about 1e-6
relative; weakly determined ones (an own fit's lower asymptote near zero) differ between
two nls runs from different starts in the fifth digit. Tolerances: relative potency and
its limits, the EC50, the sums of squares and the F statistics to 1e-5 relative; the
parameters of the constrained fit to 1e-5 relative.

Data: tests/data/fivepl/asymmetric.csv (simulated; see its README) and the drc dataset
spinach (GPL-2), curves 4 and 5 and curves 1 and 5, in tests/data/drc.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

import dossier
from dossier.compute.potency import models as potency_models
from dossier.compute.potency.criteria import Criterion, evaluate
from dossier.compute.potency.io import read_dose_response
from dossier.compute.potency.logistic import analyse_5pl
from dossier.compute.potency.types import DoseResponseData, Observation
from dossier.core.errors import DataFileError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _asymmetric() -> DoseResponseData:
    return read_dose_response(DATA / "fivepl" / "asymmetric.csv")


def _spinach(curves: tuple[str, ...]) -> DoseResponseData:
    with (DATA / "drc" / "spinach.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["CURVE"] in curves]
    obs = tuple(
        Observation("curve" + r["CURVE"], float(r["DOSE"]), float(r["SLOPE"]), i)
        for i, r in enumerate(rows, start=2)
    )
    return DoseResponseData(obs, "spinach.csv")


def _rss(analysis_variance: float | None, df: int | None) -> float:
    assert analysis_variance is not None
    assert df is not None
    return analysis_variance * df


def test_asymmetric_simulated_set_matches_r_nls() -> None:
    analysis = analyse_5pl(_asymmetric(), "S")
    assert analysis.model == "5pl"
    assert analysis.valid, analysis.reasons
    # fivepl.out: A 4.025412219 B 1.0097858 D 104.9767706 E 0.4390436828 C1 -0.3162922396
    #             rss 229.053789 df 66
    expected = {"A": 4.025412219, "B": 1.0097858, "D": 104.9767706, "E": 0.4390436828}
    for name, value in expected.items():
        assert analysis.parameters[name] == pytest.approx(value, rel=1e-5), name
    assert analysis.parameters["C[S]"] == pytest.approx(-0.3162922396, rel=1e-5)
    assert analysis.residual_df == 66
    assert _rss(analysis.residual_variance, analysis.residual_df) == pytest.approx(
        229.053789, rel=1e-8
    )
    # fivepl.out: T RP 1.506101769 lower 1.384634162 upper 1.638225171
    (result,) = analysis.results
    assert result.relative_potency == pytest.approx(1.506101769, rel=1e-5)
    assert result.ci_lower == pytest.approx(1.384634162, rel=1e-5)
    assert result.ci_upper == pytest.approx(1.638225171, rel=1e-5)
    # fivepl.out: similarity F 0.4398826248 df 4 62 p 0.7792949333
    similarity = analysis.tests["non_parallelism"]
    assert (similarity.df_num, similarity.df_den) == (4, 62)
    assert pytest.approx(0.4398826248, rel=1e-5) == similarity.F
    assert similarity.p == pytest.approx(0.7792949333, rel=1e-5)
    # fivepl.out: regression S F 3135.627857, T F 3140.874916, df 4 62
    for prep, f in (("S", 3135.627857), ("T", 3140.874916)):
        test = analysis.tests[f"regression[{prep}]"]
        assert (test.df_num, test.df_den) == (4, 62)
        assert pytest.approx(f, rel=1e-5) == test.F
        assert test.passed
    # fivepl.out: own S ... rss 124.9918651, own T ... rss 97.74087468
    own = {c.preparation: c for c in analysis.curves}
    assert own["S"].names == ("A", "B", "D", "E", "C")
    assert own["S"].estimate("E") == pytest.approx(0.4624500831, rel=1e-4)
    assert own["T"].estimate("E") == pytest.approx(0.4278169817, rel=1e-4)


def test_the_ec50_of_the_5pl_is_the_half_way_dose() -> None:
    data = _asymmetric()
    analysis = analyse_5pl(data, "S")
    # fivepl.out: EC50 S 2.768903099 (exp(C + log(2^(1/E) - 1) / B), not exp(C) = 0.729)
    (outcome,) = evaluate(
        [Criterion("reference_ec50", "limit", 2.0, 3.0, suitability=True)], analysis, data
    )[:1]
    assert outcome.value == pytest.approx(2.768903099, rel=1e-5)
    assert outcome.met is True
    narrow = evaluate([Criterion("ec50", "limit", 0.5, 1.0)], analysis, data)
    assert [o.met for o in narrow if o.criterion == "ec50"] == [False, False]


@pytest.mark.parametrize(
    ("curves", "fit", "estimates"),
    [
        # fivepl.out, spinach curves 4 and 5: A 1.988316835 B 1.820441455 D 0.007103493842
        # E 0.7556402909 C1 -1.668915212 rss 0.8528145992 df 36; similarity F 15.6979039
        # df 4 32; curve5 RP 1.387041787 lower 1.067645714 upper 1.801988145
        (
            ("4", "5"),
            (1.988316835, 1.820441455, 0.7556402909, -1.668915212, 0.8528145992),
            (15.6979039, 1.387041787, 1.067645714, 1.801988145),
        ),
        # fivepl.out, spinach curves 1 and 5: A 1.86164094 B 1.091022276 D 0.1381564397
        # E 1.029401131 C1 0.4835729263 rss 1.027477024 df 36; similarity F 23.18263241
        # df 4 32; curve5 RP 9.497156257 lower 6.297370867 upper 14.32279897
        (
            ("1", "5"),
            (1.86164094, 1.091022276, 1.029401131, 0.4835729263, 1.027477024),
            (23.18263241, 9.497156257, 6.297370867, 14.32279897),
        ),
    ],
)
def test_spinach_curves_match_r_nls_and_are_not_similar(
    curves: tuple[str, str],
    fit: tuple[float, float, float, float, float],
    estimates: tuple[float, float, float, float],
) -> None:
    a, b, e, c_std, rss = fit
    f, rp, lower, upper = estimates
    standard = "curve" + curves[0]
    analysis = analyse_5pl(_spinach(curves), standard)
    params = analysis.parameters
    assert params["A"] == pytest.approx(a, rel=1e-5)
    assert params["B"] == pytest.approx(b, rel=1e-5)
    assert params["E"] == pytest.approx(e, rel=1e-5)
    assert params[f"C[{standard}]"] == pytest.approx(c_std, rel=1e-5)
    assert analysis.residual_df == 36
    assert _rss(analysis.residual_variance, analysis.residual_df) == pytest.approx(rss, rel=1e-8)
    similarity = analysis.tests["non_parallelism"]
    assert (similarity.df_num, similarity.df_den) == (4, 32)
    assert pytest.approx(f, rel=1e-5) == similarity.F
    (result,) = analysis.results
    assert result.relative_potency == pytest.approx(rp, rel=1e-5)
    assert result.ci_lower == pytest.approx(lower, rel=1e-5)
    assert result.ci_upper == pytest.approx(upper, rel=1e-5)
    assert analysis.valid is False
    assert any("non-similarity" in r for r in analysis.reasons)


def _curves(
    standard: tuple[float, ...],
    test: tuple[float, ...],
    *,
    doses: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
    replicates: int = 3,
    sd: float = 1.0,
    seed: int = 1,
) -> DoseResponseData:
    """Standard and test from 5PL curves (A, B, D, E, C on ln dose) with normal noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    obs = []
    for prep, (a, b, d, e, c) in (("S", standard), ("T", test)):
        for dose in doses:
            for _ in range(replicates):
                mean = d + (a - d) / (1 + math.exp(b * (math.log(dose) - c))) ** e
                obs.append(Observation(prep, dose, mean + float(rng.normal(0, sd)), len(obs) + 2))
    return DoseResponseData(tuple(obs), "curves.csv", {"preparation": 1, "dose": 2})


def test_a_flat_test_preparation_invalidates_the_assay() -> None:
    analysis = analyse_5pl(_curves((10, 1.5, 90, 0.5, 0), (50, 1.5, 50, 0.5, 0)), "S")
    assert analysis.tests["regression[S]"].passed
    assert not analysis.tests["regression[T]"].passed
    assert analysis.results[0].valid is False
    assert analysis.valid is False


def test_the_standards_ec50_outside_its_doses_invalidates_the_assay() -> None:
    # E = 0.4 moves the half-way dose 1.4 ln units above C: C at 3 puts the standard's
    # EC50 at ln 4.4 (dose 80), above its highest dose (30); the test's lies inside
    data = _curves((10, 1.2, 90, 0.4, 3.0), (10, 1.2, 90, 0.4, 0.0), sd=0.5)
    analysis = analyse_5pl(data, "S")
    assert analysis.valid is False
    assert any("EC50 of the standard 'S'" in r for r in analysis.reasons), analysis.reasons


def test_an_untestable_similarity_is_not_assessed_and_not_valid() -> None:
    # five doses, one response each: each preparation's own 5PL fit has no residual df
    data = _curves(
        (10, 1.5, 90, 0.7, 0.0),
        (10, 1.5, 90, 0.7, 0.3),
        doses=(0.1, 0.3, 1.0, 3.0, 10.0),
        replicates=1,
    )
    analysis = analyse_5pl(data, "S")
    similarity = analysis.tests["non_parallelism"]
    assert (similarity.p, similarity.passed) == (None, False)
    assert similarity.criterion.startswith("not assessed")
    assert analysis.valid is False


def test_a_fit_whose_asymmetry_runs_off_is_not_converged_and_the_run_invalid() -> None:
    # S. alba (drc): the constrained 5PL's sum of squares keeps falling as E grows
    # without bound (the curve tends to a Gompertz-like limit): no finite fit
    with (DATA / "drc" / "S_alba.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    data = DoseResponseData(
        tuple(
            Observation(r["Herbicide"], float(r["Dose"]), float(r["DryMatter"]), i)
            for i, r in enumerate(rows, start=2)
        ),
        "S_alba.csv",
    )
    analysis = analyse_5pl(data, "Glyphosate")
    assert analysis.valid is False
    assert any("did not converge" in r for r in analysis.reasons), analysis.reasons


def test_four_doses_are_too_few_for_five_parameters() -> None:
    data = _curves((10, 1.5, 90, 0.7, 0.0), (10, 1.5, 90, 0.7, 0.3), doses=(0.1, 1.0, 3.0, 10.0))
    with pytest.raises(DataFileError, match="at least 5 needed"):
        analyse_5pl(data, "S")


def test_the_registry_names_the_5pl() -> None:
    model = potency_models.by_name("five_parameter_logistic")
    assert model is not None
    assert model.cli_name == "5pl"
    assert model.function() is analyse_5pl


def test_a_project_declaring_the_5pl_has_its_runs_analysed(tmp_path: Path) -> None:
    folder = tmp_path / "car-t-nl"
    shutil.copytree(ROOT / "examples" / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    project = folder / "dossier.yaml"
    text = project.read_text(encoding="utf-8")
    old = "statistical_model: four_parameter_logistic"
    assert old in text
    project.write_text(
        text.replace(old, "statistical_model: five_parameter_logistic"), encoding="utf-8"
    )
    computed = dossier.compute(folder).computed
    assert not [d for d in computed.diagnostics if d.code == "DOS-A010"]
    runs = computed.assays["A-CYTOX"].runs
    assert runs
    for run in runs.values():
        assert run is not None
        assert run.analysis.model == "5pl"
        assert "E" in run.analysis.parameters
