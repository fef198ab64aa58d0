"""The examples' narrative against their data: frozen copies and the fixed examples.

tests/data/narrative holds the three examples (project files and data) as they were
before their free text was corrected. Their known wrong sentences must be reported,
each at the YAML path of its text and with the claim it makes; the examples as they
are now must raise none.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest

import dossier
from dossier.analysis.narrative import CODES, find_contradictions
from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject
from dossier.model.project_io import LoadedProject, load_project

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "tests" / "data" / "narrative"
EXAMPLES = ROOT / "examples"


@functools.cache
def _computed(folder: Path) -> tuple[LoadedProject, ComputedProject]:
    loaded = load_project(folder)
    return loaded, compute_project(loaded, send=False)


def _found(example: str) -> dict[tuple[str | int, ...], list[str]]:
    _, computed = _computed(FROZEN / example)
    out: dict[tuple[str | int, ...], list[str]] = {}
    for c in computed.contradictions:
        out.setdefault(c.path, []).append(c.claim)
    return out


def test_frozen_car_t_gonads_below_lloq_while_an_ovary_is_quantifiable() -> None:
    assert _found("car-t-nl") == {
        ("nonclinical", "overview"): ["‘gonadal biodistribution below LLOQ (at day 56)’"],
        ("nonclinical", "studies", 3, "key_findings"): [
            "‘below LLOQ in testis and ovary (by day 56)’"
        ],
        ("risk_profile", "cells", 5, "evidence", 0, "summary"): ["‘Gonads below LLOQ (at day 56)’"],
        ("risk_profile", "cells", 5, "assessment"): ["‘no vector in gonads’"],
    }
    _, computed = _computed(FROZEN / "car-t-nl")
    for c in computed.contradictions:
        assert c.kind == "tissue"
        assert c.severity == "error"
        assert "ovary: 1 of 3 animals quantifiable at day 56 (group G3 high" in c.evidence
    # the named day 56 is the time compared: the testis, quantifiable at day 28 only,
    # is evidence only where the sentence names no time point
    by_path = {c.path: c for c in computed.contradictions}
    assert "testis" not in by_path[("nonclinical", "studies", 3, "key_findings")].evidence
    assert "testis: 2 of 3" in by_path[("risk_profile", "cells", 5, "assessment")].evidence


def test_frozen_ipsc_human_dna_said_to_stay_at_the_injection_site() -> None:
    path = ("nonclinical", "studies", 1, "key_findings")
    assert _found("ipsc-local") == {path: ["‘confined to the injection site (at week 52)’"]}
    _, computed = _computed(FROZEN / "ipsc-local")
    [c] = computed.contradictions
    # the contralateral striatum is the exception the sentence names
    assert "contralateral striatum" not in c.evidence
    for tissue in ("cerebellum", "spinal cord", "liver", "lung", "spleen", "ovary", "testis"):
        assert f"{tissue}: " in c.evidence
    assert "cerebellum: 6 of 6 animals quantifiable at week 52" in c.evidence
    assert "testis: 1 of 3 animals quantifiable at week 52" in c.evidence


def test_frozen_aav_nhp_ovary_far_above_the_lloq_is_not_near_it() -> None:
    # the frozen text says 'low and declining levels in gonads', which no check reads as
    # a claim; the NHP data with the sentence of the report ('at or near LLOQ') fire
    assert _found("aav-systemic") == {}
    loaded, computed = _computed(FROZEN / "aav-systemic")
    project = loaded.project.model_copy(deep=True)
    assert project.nonclinical is not None
    study = project.nonclinical.studies[1]
    study.key_findings = (
        "Ovary vector levels at week 26 were at or near LLOQ in the low-dose group."
    )
    [c] = find_contradictions(project, computed)
    assert c.path == ("nonclinical", "studies", 1, "key_findings")
    assert c.claim == "‘Ovary vector levels at week 26 were at or near LLOQ’"
    assert "ovary at a mean of 312 copies/µg at week 26 (group G2 2e13 vg/kg), 6×" in c.evidence


def test_a_contradiction_is_a_located_diagnostic_at_its_sentence() -> None:
    loaded, computed = _computed(FROZEN / "car-t-nl")
    found = [d for d in computed.diagnostics if d.code == CODES["tissue"]]
    assert len(found) == 4
    first = next(
        d for d in found if d.location.path == ("nonclinical", "studies", 3, "key_findings")
    )
    assert first.severity == "error"
    assert first.hint
    assert first.location.line == loaded.locate(first.location.path).line
    assert first.message.startswith("nonclinical.studies[3].key_findings says ‘below LLOQ")
    assert "CAR-T cells distributed to blood" in first.message
    rule_data = computed.rule_data()["contradictions"]
    assert [c["path_text"] for c in rule_data][:2] == [
        "nonclinical.overview",
        "nonclinical.studies[3].key_findings",
    ]


def test_validate_deep_reports_the_contradictions() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "validate", "--deep", str(FROZEN / "ipsc-local")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DOS-A101" in result.stdout + result.stderr


@pytest.mark.parametrize("example", ["aav-systemic", "car-t-nl", "ipsc-local"])
def test_the_fixed_examples_raise_none(example: str) -> None:
    _, computed = _computed(EXAMPLES / example)
    assert computed.contradictions == []
    assert not [d for d in computed.diagnostics if d.code in CODES.values()]


@pytest.mark.parametrize("example", ["car-t-nl", "ipsc-local"])
def test_check_fails_on_the_frozen_contradictions(example: str) -> None:
    # `dossier check` (and so the readiness report) no longer says 0 errors
    report = dossier.check(FROZEN / example)
    assert "DOS-A101" in {d.code for d in report.diagnostics if d.severity == "error"}
    assert report.failed()
