"""`dossier check --explain RULE`: the rule, what it reads, and why it fired or not."""

from __future__ import annotations

import json

from .conftest import EXAMPLE, ROOT, Invoke

IPSC = ROOT / "examples" / "ipsc-local"


def test_explain_a_rule_that_fires_names_the_item_and_the_reason(invoke: Invoke) -> None:
    result = invoke("check", IPSC, "--explain", "fih-015")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("FIH-015  A start dose below the expected pharmacological dose")
    for label in ("severity:", "confidence:", "citation:", "scope:", "reads:", "fires on:"):
        assert f"  {label}" in out, label
    assert "§7.3 Starting dose for patients" in out
    assert "fih_dose.start_dose_justification" in out  # a field it reads
    assert "fih_dose.inputs[0] (D-MED): FIRES at " in out
    assert "fih_dose.inputs[1] (D-NOAEL): left out" in out
    assert out.rstrip().endswith("FIH-015 fired 1 time(s).")


def test_explain_says_why_a_rule_does_not_apply(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE, "--explain", "POT-011")
    assert result.exit_code == 0, result.output
    assert "stage is confirmatory (project: exploratory_fih): no" in result.stdout
    assert "POT-011 does not apply to this project." in result.stdout


def test_explain_a_satisfied_rule_and_its_helpers(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE, "--explain", "NCL-005")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "studies():  reads nonclinical.studies[*].study_type" in out
    assert "the project: satisfied (the requirement holds)" in out
    assert "NCL-005 stays quiet." in out


def test_explain_in_json_and_without_a_project(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE, "--explain", "POT-024", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["id"] == "POT-024"
    assert doc["confidence"] in {"known", "verified", "uncertain"}
    assert "quality.potency.assays[*].clinical_correlation" in doc["reads"]
    fired = [i for i in doc["project"]["items"] if i["outcome"] == "finding"]
    assert [i["item"] for i in fired] == ["quality.potency.assays[2] (A-CAR)"]
    assert doc["project"]["fired"] == 1
    bare = invoke("check", "--explain", "POT-024")
    assert bare.exit_code == 0, bare.output
    assert "quiet on:" in bare.stdout
    assert "stays quiet" not in bare.stdout


def test_explain_an_unknown_rule_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("check", "--explain", "POT-99")
    assert result.exit_code == 2
    assert "no rule 'POT-99'" in result.stderr
