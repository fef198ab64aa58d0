"""`dossier assay potency --similarity … --criteria`: declared criteria on one run.

Expected values of the Ph. Eur. 5.1.3 slope ratio: tests/reference/r/pla_equivalence.out
(R lm() of the separate-slopes model, Fieller limits at 90 %): 0.9690091663, 90 % CI
0.8952302117 to 1.048661906.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ROOT, invoke

DATA = ROOT / "tests" / "data"
PLA = ("--model", "parallel-line", "--standard", "S")


def _json(*args: str | Path) -> dict:  # type: ignore[type-arg]
    result = invoke("assay", "potency", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return doc


def test_equivalence_on_the_slope_ratio_in_json(turbidimetric_csv: Path) -> None:
    doc = _json(turbidimetric_csv, *PLA, "--similarity", "equivalence", "--slope-ratio", "0.8,1.25")
    (ratio,) = [c for c in doc["criteria"] if c["name"] == "slope_ratio"]
    assert ratio["value"] == pytest.approx(0.9690091663, rel=1e-8)
    assert ratio["ci"] == pytest.approx([0.8952302117, 1.048661906], rel=1e-8)
    assert ratio["limits"] == [0.8, 1.25]
    assert ratio["met"] is True
    assert doc["valid"] is True
    # the F-test is still shown, but similarity was judged by the margins
    assert "non_parallelism" in doc["tests"]


def test_margins_the_run_fails_make_it_invalid(turbidimetric_csv: Path) -> None:
    doc = _json(
        turbidimetric_csv, *PLA, "--similarity", "equivalence", "--slope-ratio", "0.95,1.05"
    )
    (ratio,) = [c for c in doc["criteria"] if c["name"] == "slope_ratio"]
    assert ratio["met"] is False
    assert doc["valid"] is False
    assert doc["results"][0]["valid"] is False
    assert any("slope ratio of T" in r for r in doc["results"][0]["reasons"])


def test_a_ci_width_limit_fails_the_run_in_text(turbidimetric_csv: Path) -> None:
    result = invoke("assay", "potency", turbidimetric_csv, *PLA, "--ci-width-ratio", "1.01")
    assert result.exit_code == 0, result.output
    assert "FAIL  ratio of the confidence limits of T" in result.stdout
    assert "verdict: INVALID assay" in result.stdout


def test_a_criteria_file(turbidimetric_csv: Path, tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "validity_criteria:\n"
        "  - {criterion: slope_difference, method: equivalence, lower: -20, upper: 20}\n"
        "  - {criterion: r_squared, method: limit, lower: 0.9}\n"
        "system_suitability:\n"
        "  - {parameter: CI ratio, limits: ≤ 1.5, measure: ci_width_ratio, upper: 1.5}\n",
        "utf-8",
    )
    doc = _json(turbidimetric_csv, *PLA, "--criteria", criteria)
    names = [c["name"] for c in doc["criteria"]]
    assert names == ["slope_difference", "r_squared", "ci_width_ratio"]
    assert all(c["met"] is True for c in doc["criteria"])
    # R's separate-slopes fit: difference 3.502150917, 90 % CI -5.282804005 to 12.28710584
    assert doc["criteria"][0]["ci"] == pytest.approx([-5.282804005, 12.28710584], rel=1e-8)


def test_a_bad_criteria_file_is_a_located_error(turbidimetric_csv: Path, tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("validity_criteria:\n  - {criterion: r_squared, method: limit}\n", "utf-8")
    result = invoke("assay", "potency", turbidimetric_csv, *PLA, "--criteria", criteria)
    assert result.exit_code == 1
    assert "criteria.yaml:2:" in result.stderr + result.stdout
    assert "DOS-S106" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--similarity", "equivalence"),
        ("--asymptote-difference", "-5,5"),
        ("--slope-ratio", "1.2,0.8"),
        ("--slope-ratio", "0.8"),
    ],
)
def test_usage_errors(turbidimetric_csv: Path, args: tuple[str, ...]) -> None:
    result = invoke("assay", "potency", turbidimetric_csv, *PLA, *args)
    assert result.exit_code == 2, result.output
