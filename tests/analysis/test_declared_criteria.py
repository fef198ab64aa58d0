"""Every declared validity and system-suitability criterion is judged on every run.

The projects are copies of the examples with their criteria tightened so that every run
fails them; what is checked is that the runs are invalid, that the batches computed from
them do not pass, and that ``dossier check`` reports the runs (POT-029, and POT-018 for
runs that feed a reported result). The values that make the runs fail come from the
example data: the car-t runs have upper-asymptote differences of -1.5 to -3.9 % lysis with
90 % limits about ± 4 % around them, ratios of the 95 % limits of 1.14 to 1.17 and
reference EC50s of 2.1 to 2.4 (E:T ratio); margins of ± 0.5, a ratio of at most 1.01 and an
EC50 range of 5 to 10 lie outside every one of them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import dossier
from dossier.analysis.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[2]
CAR_T = ROOT / "examples" / "car-t-nl"
AAV = ROOT / "examples" / "aav-systemic"

UPPER_MARGINS = """          - criterion: upper_asymptote_difference
            method: equivalence
            lower: -15
            upper: 15"""
REFERENCE_EC50 = """            measure: reference_ec50
            lower: 1.2
            upper: 3.8"""
CI_RATIO = """            measure: ci_width_ratio
            upper: 2.0"""


def _copy(tmp_path: Path, example: Path, old: str, new: str) -> Path:
    folder = tmp_path / example.name
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("out"))
    project = folder / "dossier.yaml"
    text = project.read_text(encoding="utf-8")
    assert old in text, "the example no longer declares the criterion this test tightens"
    project.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _assert_every_run_fails(folder: Path, failing: str) -> None:
    computed = dossier.compute(folder).computed
    assay = computed.assays["A-CYTOX"]
    assert assay.runs
    assert all(run is not None for run in assay.runs.values())
    for run in assay.runs.values():
        assert run is not None
        assert not run.valid, run.text
        failed = [c for c in run.failed_checks if c.test == failing]
        assert failed, [c.text for c in run.checks]
        assert all(c.verdict is Verdict.NOT_MET for c in failed)
    for batch in assay.batches.values():
        if not batch.entered:
            assert batch.value is None
            assert batch.passes is not True
    checked = dossier.check(folder)
    codes = {(f.code, f.message.split("'")[1]) for f in checked.findings if f.code == "POT-029"}
    assert codes == {("POT-029", run_id) for run_id in assay.runs}
    reported = {f.message.split("'")[1] for f in checked.findings if f.code == "POT-018"}
    assert reported == set(assay.reported_runs)


def test_the_example_meets_its_declared_criteria() -> None:
    computed = dossier.compute(CAR_T).computed
    for run in computed.assays["A-CYTOX"].runs.values():
        assert run is not None
        assert run.valid
        kinds = {c.kind for c in run.checks}
        assert {"significance", "equivalence", "system suitability"} <= kinds
        assert not run.failed_checks
        assert not run.unassessed_checks
    checked = dossier.check(CAR_T)
    assert not [f for f in checked.findings if f.code in {"POT-029", "POT-030"}]


def test_asymptote_margins_that_every_run_fails_make_every_run_invalid(tmp_path: Path) -> None:
    tight = UPPER_MARGINS.replace("-15", "-0.5").replace("upper: 15", "upper: 0.5")
    folder = _copy(tmp_path, CAR_T, UPPER_MARGINS, tight)
    _assert_every_run_fails(folder, "upper_asymptote_difference")


def test_both_asymptotes_are_judged_under_asymptote_difference(tmp_path: Path) -> None:
    both = UPPER_MARGINS.replace("upper_asymptote_difference", "asymptote_difference")
    both = both.replace("-15", "-0.5").replace("upper: 15", "upper: 0.5")
    folder = _copy(tmp_path, CAR_T, UPPER_MARGINS, both)
    computed = dossier.compute(folder).computed
    for run in computed.assays["A-CYTOX"].runs.values():
        assert run is not None
        assert not run.valid
        quantities = {c.quantity for c in run.checks if c.test == "asymptote_difference"}
        assert quantities == {"lower-asymptote difference", "upper-asymptote difference"}


def test_a_ci_width_limit_that_every_run_fails_makes_every_run_invalid(tmp_path: Path) -> None:
    folder = _copy(tmp_path, CAR_T, CI_RATIO, CI_RATIO.replace("2.0", "1.01"))
    _assert_every_run_fails(folder, "ci_width_ratio")


def test_a_ci_width_validity_criterion_is_judged_like_the_suitability_limit(
    tmp_path: Path,
) -> None:
    criterion = "          - {criterion: ci_width_ratio, method: limit, upper: 1.01}\n"
    criterion += UPPER_MARGINS
    folder = _copy(tmp_path, CAR_T, UPPER_MARGINS, criterion)
    _assert_every_run_fails(folder, "ci_width_ratio")


def test_a_computed_system_suitability_limit_fails_a_run(tmp_path: Path) -> None:
    folder = _copy(
        tmp_path, CAR_T, REFERENCE_EC50, REFERENCE_EC50.replace("1.2", "5").replace("3.8", "10")
    )
    _assert_every_run_fails(folder, "reference_ec50")


def test_an_r_squared_limit_is_judged(tmp_path: Path) -> None:
    strict = "          - {criterion: r_squared, method: limit, lower: 0.9999}\n"
    strict += UPPER_MARGINS
    folder = _copy(tmp_path, CAR_T, UPPER_MARGINS, strict)
    _assert_every_run_fails(folder, "r_squared")


def test_a_control_that_is_not_in_the_run_is_not_assessed_and_the_run_invalid(
    tmp_path: Path,
) -> None:
    control = (
        REFERENCE_EC50
        + "\n          - {parameter: Control batch, limits: 70 to 140 %, "
        + "measure: control_potency, preparation: CTRL, lower: 70, upper: 140}"
    )
    folder = _copy(tmp_path, CAR_T, REFERENCE_EC50, control)
    computed = dossier.compute(folder).computed
    for run in computed.assays["A-CYTOX"].runs.values():
        assert run is not None
        assert not run.valid
        (check,) = run.unassessed_checks
        assert check.test == "control_potency"
        assert "no preparation 'CTRL'" in check.reason
    findings = {f.code for f in dossier.check(folder).findings}
    assert "POT-030" in findings


def test_parallel_line_slope_equivalence_replaces_the_f_test(tmp_path: Path) -> None:
    old = "          - {criterion: non_parallelism, method: significance, alpha: 0.05}"
    new = "          - {criterion: slope_ratio, method: equivalence, lower: 0.99, upper: 1.01}"
    folder = _copy(tmp_path, AAV, old, new)
    computed = dossier.compute(folder).computed
    for run in computed.assays["A-ENZ"].runs.values():
        assert run is not None
        assert not run.valid
        f_tests = [c for c in run.checks if c.test == "non_parallelism"]
        assert f_tests
        assert not any(c.decides for c in f_tests)
        (ratio,) = [c for c in run.checks if c.test == "slope_ratio"]
        assert ratio.verdict is Verdict.NOT_MET
        assert ratio.ci is not None
    batch = computed.assays["A-ENZ"].batches["B-GMP-01"]
    assert batch.value is None
    assert batch.passes is not True


@pytest.mark.parametrize(
    ("criterion", "model_words"),
    [
        (
            "{criterion: asymptote_difference, method: equivalence, lower: -5, upper: 5}",
            "parallel_line",
        ),
        ("{criterion: ec50, method: limit, lower: 1, upper: 2}", "parallel_line"),
        ("{criterion: intersection, method: significance}", "parallel_line"),
    ],
)
def test_a_criterion_the_model_cannot_judge_is_refused_with_its_location(
    tmp_path: Path, criterion: str, model_words: str
) -> None:
    old = "          - {criterion: non_linearity, method: significance, alpha: 0.05}"
    folder = _copy(tmp_path, AAV, old, old + "\n          - " + criterion)
    report = dossier.validate(folder)
    (error,) = [d for d in report.diagnostics if d.code == "DOS-X012"]
    assert model_words in error.message
    assert error.location.line > 0
    assert error.location.path[-3:] == ("validity_criteria", 3, "criterion")


def test_a_criterion_with_the_wrong_method_is_refused(tmp_path: Path) -> None:
    old = "          - {criterion: non_linearity, method: significance, alpha: 0.05}"
    new = old + "\n          - {criterion: r_squared, lower: 0.9}"
    report = dossier.validate(_copy(tmp_path, AAV, old, new))
    assert not report.valid
    assert any("set method: limit" in d.message for d in report.diagnostics)


def test_a_suitability_measure_the_model_cannot_compute_is_refused(tmp_path: Path) -> None:
    old = "measure: ci_width_ratio, upper: 1.6}"
    new = "measure: reference_ec50, lower: 1, upper: 2}"
    report = dossier.validate(_copy(tmp_path, AAV, old, new))
    (error,) = [d for d in report.diagnostics if d.code == "DOS-X012"]
    assert error.location.path[-3:] == ("system_suitability", 0, "measure")
