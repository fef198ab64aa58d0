"""The same project at first-in-human and at the confirmatory stage: what changes.

At the confirmatory stage release potency assays must be validated per ICH Q2(R2) (an
error that a profile can re-grade, its stage wording unread), potency limits must rest on
clinical batches, the clinical experience with the product is expected, and the
first-in-human dose rules and headings no longer apply: the non-clinical draft has a
dose rationale and the clinical experience to date instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.project import compute_project
from dossier.drafts.compose import compose
from dossier.drafts.outline import UnitContext, find_outline, load_outline
from dossier.drafts.text import to_text
from dossier.model.project_io import LoadedProject, load_project
from dossier.rules.check import CheckResult, builtin_rules, check_project
from dossier.rules.schema import Profile

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("exploratory_fih", "confirmatory")


@pytest.fixture(scope="module")
def car_t(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[LoadedProject, Any]]:
    """The CAR-T example at both stages (the project file edited on disk)."""
    out = {}
    for stage in STAGES:
        folder = tmp_path_factory.mktemp(stage) / "car-t-nl"
        shutil.copytree(
            ROOT / "examples" / "car-t-nl", folder, ignore=shutil.ignore_patterns("out")
        )
        text = (folder / "dossier.yaml").read_text("utf-8")
        assert "\nstage: exploratory_fih\n" in text
        (folder / "dossier.yaml").write_text(
            text.replace("\nstage: exploratory_fih\n", f"\nstage: {stage}\n"), "utf-8"
        )
        loaded = load_project(folder)
        out[stage] = (loaded, compute_project(loaded, send=False))
    return out


def _check(pair: tuple[LoadedProject, Any], profile: Profile | None = None) -> CheckResult:
    loaded, computed = pair
    return check_project(loaded, computed.rule_data(), profile=profile)


def _keys(result: CheckResult) -> set[tuple[str, tuple[Any, ...]]]:
    return {(f.code, tuple(f.location.path)) for f in result.findings}


def test_the_two_stages_differ_in_at_least_ten_findings(car_t: dict[str, Any]) -> None:
    fih, confirmatory = (_check(car_t[s]) for s in STAGES)
    changed = _keys(fih) ^ _keys(confirmatory)
    assert len(changed) >= 10, sorted(changed)
    by_rule: dict[str, list[Any]] = {}
    for f in confirmatory.findings:
        by_rule.setdefault(f.code, []).append(f)
    # three qualified release assays: errors, resting on wording nobody has read
    assert len(by_rule["POT-011"]) == 3
    assert {f.severity for f in by_rule["POT-011"]} == {"error"}
    assert {f.confidence for f in by_rule["POT-011"]} == {"uncertain"}
    assert "ICH Q2(R2)" in by_rule["POT-011"][0].citation.document
    # provisional limits from engineering batches, and A-CAR's limit from the bag size
    assert len(by_rule["POT-040"]) == 4
    # what the earlier trials showed is not summarised (only related products are)
    assert len(by_rule["FIH-016"]) == 1
    assert "POT-011" not in {f.code for f in fih.findings}
    assert confirmatory.failed()  # the errors fail the check
    assert not fih.failed()


def test_first_in_human_rules_do_not_apply_at_the_confirmatory_stage(car_t: dict[str, Any]) -> None:
    fih, confirmatory = (_check(car_t[s]) for s in STAGES)
    dose_rules = {r.id for r in builtin_rules() if r.section == "First-in-human dose"}
    assert dose_rules <= {r.id for r in fih.applied} | {"FIH-016"}
    assert not dose_rules & {r.id for r in confirmatory.applied}
    assert "NCL-028" not in {r.id for r in confirmatory.applied}
    assert "FIH-016" not in {r.id for r in fih.applied}
    assert {"POT-011", "POT-040", "QUA-011", "FIH-016"} <= {r.id for r in confirmatory.applied}


def test_a_profile_regrades_the_validation_error(car_t: dict[str, Any]) -> None:
    profile = Profile(profile="p", version="1", severity={"POT-011": "warning"})
    found = [f for f in _check(car_t["confirmatory"], profile).findings if f.code == "POT-011"]
    assert len(found) == 3
    assert {f.severity for f in found} == {"warning"}
    dropped = Profile(profile="p", version="1", disable_confidence=["uncertain"])
    codes = {f.code for f in _check(car_t["confirmatory"], dropped).findings}
    assert not codes & {"POT-011", "POT-040"}


def test_the_non_clinical_draft_changes_its_headings(car_t: dict[str, Any]) -> None:
    outline = load_outline(find_outline("impd-nonclinical"))
    text = {}
    for stage in STAGES:
        loaded, computed = car_t[stage]
        text[stage] = to_text(compose(outline, UnitContext(loaded.project, computed)))
    headings = {
        s: {line.lstrip("#").strip() for line in t.splitlines() if line.startswith("#")}
        for s, t in text.items()
    }

    def has(stage: str, title: str) -> bool:
        return any(h.endswith(title) for h in headings[stage])

    assert has("exploratory_fih", "First-in-human dose")
    assert has("exploratory_fih", "Previous clinical trial and human experience")
    assert not has("exploratory_fih", "Clinical experience to date")
    assert not has("exploratory_fih", "Dose rationale")
    assert not has("confirmatory", "First-in-human dose")
    assert not has("confirmatory", "Previous clinical trial and human experience")
    assert has("confirmatory", "Clinical experience to date")
    assert has("confirmatory", "Dose rationale")
