"""The briefing document generates the annexes it declares, and its questions point to
them by number, naming what they cite instead of the project file's ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.project import compute_project
from dossier.drafts.annexes import add_annexes
from dossier.drafts.compose import compose
from dossier.drafts.outline import UnitContext, find_outline, load_outline
from dossier.drafts.text import to_text
from dossier.model.project_io import load_project
from tests.drafts.test_truthful_potency import copy

EXAMPLES = ("car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema")


def briefing(folder: Path) -> str:
    """The briefing document as composed by a build, annexes included, as plain text."""
    loaded = load_project(folder)
    computed = compute_project(loaded, send=False)
    outline = load_outline(find_outline("briefing"))
    document = compose(outline, UnitContext(loaded.project, computed))
    add_annexes(document, loaded.project, computed, [], set(outline.rule_sections))
    return to_text(document)


def _questions(text: str) -> str:
    start = text.index("Questions and applicant's positions\n")
    return text[start : text.index("\n# ", start + 1)]


def _heading_number(text: str, title: str) -> str:
    # CBG numbers chapters 1, 2.1 ...; the EMA layout I, V.1 ... (roman chapters)
    match = re.search(rf"^#+ ((?:\d+|[IVX]+)(?:\.\d+)*)\s+{re.escape(title)}$", text, re.M)
    assert match, f"no heading {title!r}"
    return match.group(1)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_declared_annex_is_generated(tmp_path: Path, example: str) -> None:
    folder = copy(tmp_path, example)
    project = load_project(folder).project
    assert project.scientific_advice is not None
    text = briefing(folder)
    for annex in project.scientific_advice.annexes:
        _heading_number(text, annex.title)
    if example == "car-t-nl":  # the example that declares every kind but a file
        assert len(project.scientific_advice.annexes) == 5
    # the examples without declared annexes get no annex chapter (EMA calls it 'Annexes')
    chapter = "Annexes to the request" if project.scientific_advice.agency == "CBG" else "Annexes"
    has_chapter = re.search(rf"^# \S+ {chapter}$", text, re.M) is not None
    assert has_chapter is bool(project.scientific_advice.annexes)


def test_the_questions_point_to_the_annexes_by_number(tmp_path: Path) -> None:
    text = briefing(copy(tmp_path, "car-t-nl"))
    dose = _heading_number(text, "First-in-human dose rationale")
    risk = _heading_number(text, "Risk profile")
    potency = _heading_number(text, "Potency assays and qualification")
    questions = _questions(text)
    assert f"first-in-human dose rationale (section {dose})" in questions
    assert f"risk: Tumour formation by insertional oncogenesis (section {risk})" in questions
    assert (
        f"potency assay Relative potency by CD19-specific cytotoxicity (section {potency})"
        in questions
    )
    # studies are named with their report number and point to the table that lists them
    assert re.search(r"study Toxicity, persistence .* \(NC-REP-004\), Table \d+", questions)
    # the generated annexes hold the content of the IMPD sections they repeat
    annex = text[text.index(f"{dose} First-in-human dose rationale") :]
    assert annex.split("\n# ")[0].count("Table") >= 1
    assert "The request has seven questions:" in text


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_project_file_id_in_the_supporting_data(tmp_path: Path, example: str) -> None:
    folder = copy(tmp_path, example)
    project = load_project(folder).project
    ids = {a.id for a in project.quality.potency.assays} if project.quality.potency else set()
    ids |= {s.id for s in project.nonclinical.studies} if project.nonclinical else set()
    ids |= {r.id for r in project.risk_profile.risks} if project.risk_profile else set()
    ids |= {m.id for m in project.quality.analytical_methods}
    assert project.scientific_advice is not None
    ids |= {a.id for a in project.scientific_advice.annexes}
    supporting = [
        line
        for line in _questions(briefing(folder)).splitlines()
        if line.startswith("Supporting data and guidance:")
    ]
    assert supporting
    for line in supporting:
        # ids as words: not "R2" of "ICH Q2(R2)"
        words = set(re.findall(r"(?<![\w(])[A-Za-z][\w.\-]*\w", line))
        assert not words & ids, line


def test_without_declared_annexes_the_dose_rationale_is_found_in_the_impd(
    tmp_path: Path,
) -> None:
    def no_annexes(data: dict[str, Any]) -> None:
        data["scientific_advice"]["annexes"] = []

    text = briefing(copy(tmp_path, "car-t-nl", no_annexes))
    assert "Annexes to the request" not in text
    assert "first-in-human dose rationale in the IMPD, safety and efficacy part" in text
    assert "(section" not in _questions(text).split("Supporting data and guidance:")[-1]
