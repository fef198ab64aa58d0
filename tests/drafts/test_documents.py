"""The drafts of every example: valid OOXML, readable in LibreOffice, right numbers and text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator

from .conftest import EXAMPLES, HAVE_OFFICE, ROOT, pdf_text

DOCS = [
    "impd-quality.docx",
    "impd-nonclinical.docx",
    "briefing-document.docx",
    "readiness-report.docx",
]
office = pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are not installed")


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_draft_passes_the_ooxml_validator(built: dict[str, Path], example: str) -> None:
    validator = OpenXmlValidator()
    for name in DOCS:
        result = validator.validate(str(built[example] / name))
        assert result.is_valid, [str(e) for e in result.errors][:5]
        assert len(result.errors) == 0


@office
@pytest.mark.office
@pytest.mark.parametrize("example", EXAMPLES)
def test_pdf_text_has_structure_and_no_template_leftovers(
    built: dict[str, Path], example: str
) -> None:
    for name in DOCS:
        text = pdf_text(built[example] / name.replace(".docx", ".pdf"))
        assert re.search(r"Page 1 of \d+", text), name
        assert "Table of contents" in text
        assert "updated when the document is opened" not in text, "table of contents not filled"
        assert "Table 1:" in text
        assert re.search(r"version [0-9.]+ · draft", text)  # the examples are drafts
        for bad in ("{{", "{%", "None", "nan ", "Error! Reference"):
            assert bad not in text, (name, bad)


@office
@pytest.mark.office
def test_car_t_potency_numbers_equal_the_computed_statistics(built: dict[str, Path]) -> None:
    from dossier.analysis.project import compute_project
    from dossier.drafts.fmt import number, quantity
    from dossier.model.project_io import load_project

    loaded = load_project(ROOT / "examples" / "car-t-nl")
    computed = compute_project(loaded)
    text = " ".join(pdf_text(built["car-t-nl"] / "impd-quality.pdf", layout=False).split())
    cytox = computed.assays["A-CYTOX"]
    for batch in ("B-TOX-01", "B-CLIN-01", "B-CLIN-02"):
        result = cytox.batches[batch]
        assert result.value is not None
        assert result.ci_lower is not None
        assert result.ci_upper is not None
        # four significant figures, as the drafts report computed potencies
        assert quantity(result.value, "% relative potency", 4) in text, batch
        assert f"{number(result.ci_lower, 4)}–{number(result.ci_upper, 4)}" in text, batch
    # every potency assay and every batch of the project appears
    for assay in loaded.project.quality.potency.assays:  # type: ignore[union-attr]
        assert assay.name in text
    for batch in loaded.project.quality.batches:
        assert batch.id in text


@office
@pytest.mark.office
def test_car_t_nonclinical_and_briefing_cover_every_study_and_question(
    built: dict[str, Path],
) -> None:
    from dossier.model.project_io import load_project

    project = load_project(ROOT / "examples" / "car-t-nl").project
    nonclinical = " ".join(
        pdf_text(built["car-t-nl"] / "impd-nonclinical.pdf", layout=False).split()
    )
    briefing = " ".join(pdf_text(built["car-t-nl"] / "briefing-document.pdf", layout=False).split())
    for study in project.nonclinical.studies:  # type: ignore[union-attr]
        assert study.id in nonclinical
    for question in project.scientific_advice.questions:  # type: ignore[union-attr]
        assert f"({question.id})" in briefing
        assert " ".join(question.position.split())[:80] in briefing
    # the dose rationale table shows the scaled safety limit: 2e8 / 10 = 2.00 × 10⁷
    assert "2.00 × 10⁷ CAR+ T cells/kg" in nonclinical
    assert "Meeting attendees" in briefing


@office
@pytest.mark.office
def test_cross_references_resolve_to_the_numbered_tables(built: dict[str, Path]) -> None:
    text = " ".join(pdf_text(built["car-t-nl"] / "impd-quality.pdf", layout=False).split())
    pointer = re.search(r"they read out are shown in Table (\d+)\.", text)
    assert pointer
    number = pointer.group(1)
    assert f"Table {number}: Mechanism-of-action steps covered by the potency assays" in text


def test_placeholders_are_highlighted_and_listed_in_the_to_do_annex(tmp_path: Path) -> None:
    import shutil

    from ruamel.yaml import YAML

    from .conftest import build

    folder = tmp_path / "ipsc"
    shutil.copytree(ROOT / "examples" / "ipsc-local", folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML()
    data = yaml.load((folder / "dossier.yaml").read_text("utf-8"))
    del data["nonclinical"]["overview"]
    with (folder / "dossier.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    assert build(folder, "--only", "impd-nonclinical").returncode == 0
    from docx import Document

    document = Document(str(folder / "out" / "impd-nonclinical.docx"))
    texts = [p.text for p in document.paragraphs]
    assert any(
        "[TO DO: overview of the non-clinical programme — nonclinical.overview]" in t for t in texts
    )
    highlighted = [
        r for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None
    ]
    assert highlighted
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "nonclinical.overview" in cells


@office
@pytest.mark.office
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_shows_each_computed_result_study_and_question(
    built: dict[str, Path], example: str
) -> None:
    """What a reader looks for, in every example's PDFs, with the numbers as computed."""
    from dossier.analysis.project import compute_project
    from dossier.drafts.fmt import number
    from dossier.model.project_io import load_project

    loaded = load_project(ROOT / "examples" / example)
    project = loaded.project
    computed = compute_project(loaded)

    def text_of(name: str) -> str:
        return " ".join(pdf_text(built[example] / name, layout=False).split())

    potency = text_of("impd-quality.pdf")
    checked = 0
    for assay in project.quality.potency.assays if project.quality.potency else []:
        assert assay.name in potency
        for batch_id, result in computed.assays[assay.id].batches.items():
            assert batch_id in potency
            if result.value is not None and result.ci_lower is not None:
                assert result.ci_upper is not None
                assert f"{number(result.ci_lower, 4)}–{number(result.ci_upper, 4)}" in potency
                checked += 1
    nonclinical = text_of("impd-nonclinical.pdf")
    for study in project.nonclinical.studies if project.nonclinical else []:
        assert study.id in nonclinical
    briefing = text_of("briefing-document.pdf")
    for question in project.scientific_advice.questions if project.scientific_advice else []:
        assert f"({question.id})" in briefing
        assert " ".join(question.position.split())[:80] in briefing
    assert checked > 0 or example != "car-t-nl"
