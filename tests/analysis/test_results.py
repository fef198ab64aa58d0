"""The typed results: verdicts decided from typed fields, words derived from them."""

from __future__ import annotations

import marshal
import pickle
from pathlib import Path

import pytest

from dossier.analysis.results import (
    BatchComputed,
    CharacteristicResult,
    CriterionResult,
    FihComputed,
    RangeCoverage,
    RunResult,
    ValidationResult,
    ValidityCheck,
    Verdict,
)
from dossier.analysis.verdicts import limits_text, within
from dossier.compute.potency.types import (
    DoseResponseData,
    PotencyAnalysis,
    PreparationResult,
    TestResult,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_verdict_is_met_not_met_or_not_assessed() -> None:
    assert Verdict.of(True) is Verdict.MET
    assert Verdict.of(False) is Verdict.NOT_MET
    assert Verdict.of(None) is Verdict.NOT_ASSESSED
    assert [v.met for v in Verdict] == [True, False, None]
    # inclusive limits; no value or no limit decides nothing
    assert within(80, 80, 125) is Verdict.MET
    assert within(125, 80, 125) is Verdict.MET
    assert within(125.01, 80, 125) is Verdict.NOT_MET
    assert within(15, None, 15) is Verdict.MET
    assert within(0.94, 0.95, None) is Verdict.NOT_MET
    assert within(None, 80, 125) is Verdict.NOT_ASSESSED
    assert within(100, None, None) is Verdict.NOT_ASSESSED
    assert limits_text(80, 125, "%") == "80–125 %"
    assert limits_text(None, 15, "%") == "≤ 15 %"
    assert limits_text(0.95, None) == "≥ 0.95"
    assert limits_text(None, None) == "—"


def _criterion(name: str, value: float | None, lower: float | None, upper: float | None, **kw):  # type: ignore[no-untyped-def]
    return CriterionResult(
        name, "linearity", value, lower, upper, within(value, lower, upper), **kw
    )


def test_criterion_words_come_from_the_typed_fields() -> None:
    slope = _criterion("slope", 1.5, 0.8, 1.25)
    assert slope.met is False
    assert slope.criterion == "slope 0.8–1.25"
    assert slope.reason == "slope 1.5 outside 0.8–1.25"
    assert slope.text == "linearity: slope 1.5 outside 0.8–1.25"
    r2 = _criterion("R²", 0.9, 0.95, None, digits=".4f")
    assert r2.text == "linearity: R² 0.9000 below 0.95"
    assert _criterion("R²", 0.99, 0.95, None, digits=".4f").reason == "R² 0.9900 at or above 0.95"
    cv = CriterionResult(
        "repeatability", "precision", 4.0123, None, 15, Verdict.MET, unit="%", statistic="GCV"
    )
    assert cv.criterion == "repeatability ≤ 15 %"
    assert cv.shown == "4.01 %"
    assert cv.reason == "repeatability GCV 4.01 % at or below 15 %"
    missing = CriterionResult(
        "mean recovery", "accuracy", None, 80, 125, Verdict.NOT_ASSESSED, unit="%", note="no data"
    )
    assert missing.met is None
    assert missing.reason == "mean recovery not assessed (no data)"
    data = cv.rule_data()
    assert data["met"] is True
    assert data["verdict"] == "met"
    assert marshal.loads(marshal.dumps(data)) == data


def test_a_characteristic_is_not_met_when_any_criterion_is_not() -> None:
    met = _criterion("slope", 1.0, 0.8, 1.25)
    failed = _criterion("R²", 0.9, 0.95, None, digits=".4f")
    assert CharacteristicResult("linearity", "s", (met,)).verdict is Verdict.MET
    assert CharacteristicResult("linearity", "s", (met, failed)).verdict is Verdict.NOT_MET
    assert CharacteristicResult("linearity", "s").verdict is Verdict.NOT_ASSESSED
    broken = CharacteristicResult(
        "precision",
        "",
        (CriterionResult("repeatability", "precision", None, None, 15, Verdict.NOT_ASSESSED),),
        error="unbalanced design",
    )
    assert broken.verdict is Verdict.NOT_ASSESSED
    assert broken.text == "not computed: unbalanced design"
    validation = ValidationResult(
        (CharacteristicResult("linearity", "s", (met, failed)), broken),
        RangeCoverage(40, 200, 40, 240, "%", Verdict.NOT_MET),
    )
    # the range has its own verdict (and its own rule), not among the failures
    assert validation.failures == (
        "linearity: R² 0.9000 below 0.95",
        "precision: unbalanced design",
    )
    assert validation.range is not None
    assert validation.range.text == "40–200 % covered; required 40–240 %"
    assert validation.range.rule_data() == {
        "covers": False,
        "text": "40–200 %",
        "required_text": "40–240 %",
    }


def test_the_characteristics_shown_are_those_with_every_criterion_met() -> None:
    met = _criterion("slope", 1.0, 0.8, 1.25)
    failed = _criterion("repeatability", 18.0, None, 15)
    validation = ValidationResult(
        (
            CharacteristicResult("linearity", "s", (met,)),
            CharacteristicResult("precision", "s", (met, failed)),
            CharacteristicResult("accuracy", "s"),  # no criterion declared: nothing shown
        ),
        RangeCoverage(40, 250, 40, 240, "%", Verdict.MET),
    )
    assert validation.shown == ("linearity", "range")
    uncovered = ValidationResult((), RangeCoverage(40, 200, 40, 240, "%", Verdict.NOT_MET))
    assert uncovered.shown == ()


def test_batch_verdict_words_and_rule_data() -> None:
    batch = BatchComputed(
        "B1",
        230.0,
        210.0,
        250.0,
        "% relative potency",
        ("R1",),
        "one run",
        within(230.0, 50, 200),
        lower=50,
        upper=200,
        limits_unit="% relative potency",
    )
    assert batch.passes is False
    assert batch.out_of_specification
    assert batch.text == "230 % relative potency against 50 to 200 % relative potency"
    assert batch.reason == (
        "230 % relative potency outside the release limits 50 to 200 % relative potency"
    )
    open_ended = BatchComputed(
        "B2", 1650, None, None, "pg/mL", (), "entered", Verdict.MET, lower=500, limits_unit="pg/mL"
    )
    assert open_ended.text == "1650 pg/mL against ≥ 500 pg/mL"
    unjudged = BatchComputed(
        "B3", 46, None, None, "pmol", (), "entered", Verdict.NOT_ASSESSED, note="report only"
    )
    assert unjudged.passes is None
    assert unjudged.text == "46 pmol"
    assert unjudged.reason == "report only"
    data = batch.rule_data()
    assert data["passes"] is False
    assert data["out_of_specification"] is True
    assert marshal.loads(marshal.dumps(data)) == data
    # the figure workers receive batch results by pickling
    assert pickle.loads(pickle.dumps(batch)) == batch


def _test(name: str, p: float | None, passed: bool, criterion: str = "p ≥ 0.05") -> TestResult:
    return TestResult(name, None if p is None else 2.0, 1, 20, p, passed, criterion)


def test_run_validity_carries_its_tests_and_reasons() -> None:
    analysis = PotencyAnalysis(
        model="parallel-line",
        standard="S",
        design="completely-randomised",
        transform="none",
        valid=False,
        tests={
            "regression": _test("regression", 0.001, True, "p < 0.05"),
            "non_parallelism": _test("non_parallelism", 0.01, False),
            "non_linearity": _test("non_linearity", None, False, "not testable"),
        },
        results=(
            PreparationResult(
                "T", 1.0, 1.0, 0.9, 1.1, False, reasons=("no confidence limits (g = 1.2 ≥ 1)",)
            ),
        ),
        reasons=("significant non-parallelism (F = 2, p = 0.01)",),
    )
    run = RunResult.of("R1", analysis, DoseResponseData(()))
    assert not run.valid
    verdicts = {c.test: c.verdict for c in run.checks}
    assert verdicts == {
        "regression": Verdict.MET,
        "non_parallelism": Verdict.NOT_MET,
        "non_linearity": Verdict.NOT_ASSESSED,
    }
    assert [c.test for c in run.failed_checks] == ["non_parallelism"]
    assert run.failed_checks[0].text == (
        "non-parallelism: F = 2.00 (1, 20), p = 0.01; p ≥ 0.05: not met"
    )
    assert [r.text for r in run.reasons] == [
        "significant non-parallelism (F = 2, p = 0.01)",
        "T: no confidence limits (g = 1.2 ≥ 1)",
    ]
    assert run.text == (
        "invalid: significant non-parallelism (F = 2, p = 0.01); "
        "T: no confidence limits (g = 1.2 ≥ 1)"
    )
    data = run.rule_data()
    assert data["valid"] is False
    assert data["reasons"][0].startswith("significant non-parallelism")
    assert marshal.loads(marshal.dumps(data)) == data
    check = ValidityCheck.of(_test("regression", 0.2, False, "p < 0.05"))
    assert check.verdict is Verdict.NOT_MET


def test_the_start_dose_verdicts_are_fields_of_the_derivation() -> None:
    from dossier.analysis.project import compute_project
    from dossier.model.project_io import load_project

    result = compute_project(load_project(EXAMPLES / "car-t-nl"), send=False)
    fih = result.fih
    assert isinstance(fih, FihComputed)
    assert fih.start_within_limit is Verdict.MET
    assert fih.start_at_or_below_most_conservative is Verdict.MET
    view = result.rule_data()
    assert view["fih"]["start_within_limit"] is True
    # the rule view is plain data: it survives marshal unchanged
    assert marshal.loads(marshal.dumps(view)) == view
    none = FihComputed(unit="cells/kg", start=1e6)
    assert none.start_within_limit is Verdict.NOT_ASSESSED
    assert none.rule_data()["start_within_limit"] is None


@pytest.mark.parametrize("example", ["car-t-nl", "aav-systemic", "ipsc-local"])
def test_every_run_and_batch_of_an_example_is_typed(example: str) -> None:
    from dossier.analysis.project import compute_project
    from dossier.model.project_io import load_project

    loaded = load_project(EXAMPLES / example)
    result = compute_project(loaded, send=False)
    for assay in loaded.project.quality.potency.assays if loaded.project.quality.potency else []:
        computed = result.assays[assay.id]
        assert set(computed.runs) == {r.id for r in assay.runs}
        for run in computed.runs.values():
            assert run is None or run.valid == run.analysis.valid
        for batch in computed.batches.values():
            assert batch.passes is batch.verdict.met
