"""The briefing document takes the shape of the agency asked: EMA's template order and
title block, or the CBG structure of regulatory-brief.md section 7.4; both carry the
synopsis of the planned trial, and at the confirmatory stage the clinical results to
date instead of first-in-human headings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from dossier.core.errors import UserError
from dossier.model.project_io import load_project
from tests.drafts.conftest import HAVE_OFFICE, build, pdf_text
from tests.drafts.test_briefing_annexes import briefing
from tests.drafts.test_truthful_potency import copy

LUMEN_1 = {
    "id": "LUMEN-1",
    "title": "LUMEN-1 (EU CT 2027-500000-00-00), phase 1/2 trial of LUM-CD19",
    "phase": "1/2",
    "status": "completed",
    "data_cutoff": "2029-03-31",
    "dose_levels": [
        {"dose": {"value": 1.0e5, "unit": "CAR+ T cells/kg"}, "patients": 3, "dlts": 0},
        {"dose": {"value": 3.0e5, "unit": "CAR+ T cells/kg"}, "patients": 3, "dlts": 0},
        {"dose": {"value": 1.0e6, "unit": "CAR+ T cells/kg"}, "patients": 6, "dlts": 1},
        {"dose": {"value": 2.0e6, "unit": "CAR+ T cells/kg"}, "patients": 12, "dlts": 1},
    ],
    "patients_with_sae": 7,
    "safety": "CRS of grade 3 or more in 3 of 24 patients; two DLTs (grade 4 ICANS).",
    "efficacy": "Complete response at month 3 in 11 of 24 patients.",
}


LUMEN_2 = {
    "title": "LUMEN-2: LUM-CD19 against standard of care in second-relapse LBCL",
    "phase": "3",
    "design": "Randomised, open-label, multicentre trial of LUM-CD19 against the "
    "investigator's choice of standard therapy, stratified by earlier CAR-T therapy.",
    "population": {
        "description": "Adults with relapsed or refractory large B-cell lymphoma.",
        "inclusion": ["Relapse after at least two lines of therapy."],
        "exclusion": ["Active central nervous system lymphoma."],
    },
    "cohorts": [
        {"cohort": "LUM-CD19", "dose": {"value": 2.0e6, "unit": "CAR+ T cells/kg"}, "patients": 90}
    ],
    "primary_endpoints": ["Progression-free survival by independent review."],
    "follow_up": {"value": 5, "unit": "years"},
    "long_term_follow_up": "Fifteen years after infusion under the long-term protocol.",
}


def ema_confirmatory(data: dict[str, Any]) -> None:
    """The CAR-T example asking EMA for advice before a confirmatory trial."""
    data["stage"] = "confirmatory"
    data["product"]["pharmacotherapeutic_group"] = "Antineoplastic agents (L01XL)"
    sa = data["scientific_advice"]
    sa["agency"] = "EMA"
    sa["procedure"] = "SA"
    sa["rpi"] = "RPI-0000-0000"
    del sa["case_number"]
    for cbg_only in ("timeslot_requested", "documents_sent"):  # the CBG's planning dates
        sa.pop(cbg_only, None)
    sa["annexes"] = [a for a in sa["annexes"] if a["content"] != "dose_rationale"]
    for q in sa["questions"]:
        if q["domain"] == "regulatory":
            q["ema_group"] = "A"
            q["ema_group_reason"] = "the presentation of the quality part of the dossier"
    data["clinical_trial"] = LUMEN_2
    data["clinical_experience"] = {
        "trials": [LUMEN_1],
        "conclusions": "The confirmatory trial doses 2 × 10⁶ CAR+ T cells/kg.",
    }


def _headings(text: str, level: int | None = None) -> list[tuple[str, str]]:
    """(number, title) of every heading of a composed draft's text (of one level)."""
    hashes = "#+" if level is None else "#" * level
    return re.findall(rf"^{hashes} (\S+)\s+(.+)$", text, re.M)


def _top(text: str) -> list[str]:
    """The titles of the top-level sections, in order."""
    return [t for _, t in _headings(text, 1)]


def test_ema_order_and_title_block(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl", ema_confirmatory))
    numbered = [(n, t) for n, t in _headings(text, 1) if not re.fullmatch(r"A\d", n)]
    assert numbered == [
        ("I", "Summary"),
        ("II", "Questions and applicant's positions"),
        ("III", "Background information"),
        ("IV", "References"),
        ("V", "Annexes"),
    ]
    block = text[text.index("Title block of the request") :]
    block = block[: block.index("\n\n")]
    for row in (
        "Active substance | [TO DO: INN or working name of the active substance — product.inn]",
        "Pharmaco-therapeutic group | Antineoplastic agents (L01XL)",
        "Intended indication | Relapsed or refractory large B-cell lymphoma after at least two "
        "lines of therapy",
        "Applicant | Leiden Example University Medical Centre",
        "Procedure | EMA scientific advice (SA), with a discussion meeting",
        "Research product identifier | RPI-0000-0000",
    ):
        assert row in block
    assert "Case number" not in block


def test_ema_question_groups(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl", ema_confirmatory))
    questions = text[text.index("# II Questions") : text.index("# III Background")]
    # Q1, Q2 quality, Q7 regulatory placed with A; Q3, Q4 non-clinical; Q5, Q6 clinical
    assert _headings(questions, 2) == [("A", "Quality"), ("B", "Non-clinical"), ("C", "Clinical")]
    assert ("A.3", "Question 3") in _headings(questions, 3)
    quality = questions[questions.index("## A Quality") : questions.index("## B Non-clinical")]
    assert "Question 3 (Q7)" in quality
    assert "A regulatory question, placed with group A: the presentation of the quality" in quality
    assert "Regulatory and procedural" not in text
    assert "3 in group A (quality), 2 in group B (non-clinical) and 2 in group C (clinical)" in text


def test_ema_regulatory_question_without_group_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        ema_confirmatory(data)
        for q in data["scientific_advice"]["questions"]:
            q.pop("ema_group", None)
            q.pop("ema_group_reason", None)

    with pytest.raises(UserError) as caught:
        load_project(copy(tmp_path, "car-t-nl", edit))
    found = [d for d in caught.value.diagnostics if "regulatory question" in d.message]
    assert len(found) == 1
    assert found[0].location.path == ("scientific_advice", "questions", 6, "domain")
    assert (found[0].location.line or 0) > 0


def test_cbg_shape(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl"))
    assert _top(text)[:8] == [
        "Title page",
        "Scope of the request",
        "Background information",
        "Questions and applicant's positions",
        "Meeting attendees",
        "References (available on request)",
        "Annexes to the request",
        "Annex: open points",
    ]
    # three weeks before the meeting of 10 December 2026
    assert (
        "Briefing document and attendees due | 19 November 2026 (21 days before the meeting)"
        in text
    )
    assert "Case number | CBG-SA-2026-0000" in text
    assert "Regulatory and procedural questions" in text


def test_trial_synopsis(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl"))
    synopsis = text[text.index("Synopsis of the planned trial\n") :]
    for part in (
        "Open-label, single-arm, single-centre phase 1/2 trial",
        "Population: Adults with relapsed or refractory large B-cell lymphoma.",
        "Active central nervous system lymphoma.",
        "DL3 | 1.00 × 10⁶ CAR+ T cells/kg | 3 | 3.33-fold",
        # 1e6 / 3e5 = 3.33: the largest step of 1e5, 3e5, 1e6, 2e6
        "Maximum fold increase between consecutive cohorts: 3.33-fold (DL2 to DL3).",
        "Maximum planned dose (dose rationale): 2.00 × 10⁶ CAR+ T cells/kg.",
        "Staggering: sentinel dosing; 28 days between patients.",
        "Stopping rules: Any grade 5 event related to LUM-CD19.",
        "Dose-escalation decisions: A safety review committee",
        "Primary endpoints: Dose-limiting toxicities within 28 days of infusion.",
        "Follow-up in the trial: 24 months. Long-term follow-up: Fifteen years",
    ):
        assert part in synopsis


def test_confirmatory_synopsis_asks_for_no_staggering(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl", ema_confirmatory))
    synopsis = text[text.index("Synopsis of the planned trial\n") : text.index("# IV References")]
    assert (
        "LUMEN-2: LUM-CD19 against standard of care in second-relapse LBCL (phase 3)." in synopsis
    )
    assert "LUM-CD19 | 2.00 × 10⁶ CAR+ T cells/kg | 90 | —" in synopsis
    assert "Primary endpoints: Progression-free survival by independent review." in synopsis
    assert "Follow-up in the trial: 5 years." in synopsis
    for early in ("Staggering", "sentinel", "Stopping rules", "Dose-escalation", "fold increase"):
        assert early not in synopsis


def test_fold_increase_in_units_that_cannot_be_compared(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        cohorts = data["clinical_trial"]["cohorts"]
        cohorts[1]["dose"] = {"value": 2.1e7, "unit": "CAR+ T cells"}
        cohorts[2]["dose"] = {"value": 1.0e0, "unit": "1e6 CAR+ T cells/kg"}

    text = briefing(copy(tmp_path, "car-t-nl", edit))
    synopsis = text[text.index("Synopsis of the planned trial\n") :]
    assert "DL2 | 2.10 × 10⁷ CAR+ T cells | 3 | not comparable" in synopsis
    # '1e6 CAR+ T cells/kg' counts in millions: 1 of them is 1e6, twice DL4's 2e6 / 1e6
    assert "DL4 | 2.00 × 10⁶ CAR+ T cells/kg | 6 | 2-fold" in synopsis
    assert "Maximum fold increase between consecutive cohorts: 2-fold (DL3 to DL4)." in synopsis
    assert (
        "DL1 → DL2: not compared (CAR+ T cells/kg and CAR+ T cells cannot be compared); "
        "DL2 → DL3: not compared" in synopsis
    )


def test_confirmatory_has_results_and_no_first_in_human_headings(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl", ema_confirmatory))
    titles = [t for _, t in _headings(text)]
    assert "Clinical results to date" in titles
    fih_only = re.compile(r"first[- ]in[- ]human|starting dose|start dose|sentinel", re.I)
    assert [t for t in titles if fih_only.search(t)] == []
    results = text[text.index("Clinical results to date\n") :]
    assert "24 patients dosed at 4 dose levels" in results
    # DLTs per level 0, 0, 1, 1
    assert (
        "Safety: 2 dose-limiting toxicities; 7 patients with a serious adverse event. CRS"
        in results
    )
    assert "LUMEN-1 | 2.00 × 10⁶ CAR+ T cells/kg | 12 | 1" in results
    assert "Complete response at month 3 in 11 of 24 patients." in results


def test_first_in_human_has_no_results_section(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl"))
    assert "Clinical results to date" not in [t for _, t in _headings(text)]


def test_confirmatory_without_results_shows_the_placeholder(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        ema_confirmatory(data)
        del data["clinical_experience"]

    text = briefing(copy(tmp_path, "car-t-nl", edit))
    results = text[text.index("Clinical results to date\n") :]
    assert "[TO DO: clinical results to date" in results
    assert "— clinical_experience]" in results


def test_dose_rationale_annex_is_questioned_at_the_confirmatory_stage(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["stage"] = "confirmatory"

    loaded = load_project(copy(tmp_path, "car-t-nl", edit))
    found = [d for d in loaded.diagnostics if "first-in-human dose rationale" in d.message]
    assert [d.location.path for d in found] == [("scientific_advice", "annexes", 3, "content")]
    assert [d.severity.value for d in found] == ["warning"]


@pytest.mark.parametrize(
    ("old", "value", "new"),
    [
        ("escalation", [{"cohort": "DL1", "dose": {"value": 1, "unit": "cells"}}], "cohorts"),
        ("staggering", {"sentinel": True}, "staggering"),
        ("stopping_rules", ["Any death."], "stopping_rules"),
        ("population", "Adults.", "population.description"),
    ],
)
def test_moved_fih_dose_fields_are_refused_with_their_new_place(
    tmp_path: Path, old: str, value: Any, new: str
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["fih_dose"][old] = value

    with pytest.raises(UserError) as caught:
        load_project(copy(tmp_path, "car-t-nl", edit))
    (diag,) = caught.value.diagnostics
    assert diag.message == f"'fih_dose.{old}' has moved to 'clinical_trial.{new}'"
    assert diag.location.path == ("fih_dose", old)
    assert diag.location.file.endswith("dossier.yaml")
    assert (diag.location.line or 0) > 600


@pytest.mark.office
@pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are needed")
def test_pdf_of_the_ema_briefing(tmp_path: Path) -> None:
    folder = copy(tmp_path, "car-t-nl", ema_confirmatory)
    shutil.rmtree(folder / "out", ignore_errors=True)
    result = build(folder, "--pdf", "--only", "briefing")
    assert result.returncode == 0, result.stdout + result.stderr
    # lines wrap where the page ends them: compare with single spaces
    text = " ".join(pdf_text(folder / "out" / "briefing-document.pdf", layout=False).split())
    for part in (
        "I Summary",
        "Antineoplastic agents (L01XL)",
        "II Questions and applicant's positions",
        "III Background information",
        "Synopsis of the planned trial",
        "LUMEN-2: LUM-CD19 against standard of care in second-relapse LBCL (phase 3).",
        "Clinical results to date",
        "24 patients dosed at 4 dose levels.",
        "IV References",
        "V Annexes",
    ):
        assert part in text
    assert text.index("II Questions") < text.index("III Background") < text.index("IV References")
