"""The sample document type: every structure feature, checked in the PDF LibreOffice makes.

Needs LibreOffice and poppler (CI installs both); skipped elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dossier.drafts.compose import compose
from dossier.drafts.outline import UnitContext, load_outline
from dossier.model.project_io import load_project
from dossier.package.outputs import convert_to_pdf
from dossier.word.writer import write_docx
from tests.word import sample_units

ROOT = Path(__file__).resolve().parents[2]
OUTLINE = Path(__file__).parent / "sample" / "sections" / "sample.yaml"
HAVE_OFFICE = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
pytestmark = pytest.mark.office


def _build(tmp: Path, status: str) -> Path:
    loaded = load_project(ROOT / "examples" / "car-t-nl" / "dossier.yaml")
    project = loaded.project.model_copy(deep=True)
    project.project.document.status = status  # type: ignore[misc]
    document = compose(load_outline(OUTLINE), UnitContext(project))
    document.properties["build"] = "sample build"
    out = tmp / status / "sample.docx"
    out.parent.mkdir(parents=True)
    out.write_bytes(write_docx(document, project.project.document.date))
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sample")
    return {status: _build(tmp, status) for status in ("draft", "final")}


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_units_are_registered_like_an_add_on() -> None:
    assert sample_units.intro.__module__ == "tests.word.sample_units"
    outline = load_outline(OUTLINE)
    assert [s.id for s in outline.sections] == ["sec-intro", "sec-data", "sec-never"]


def test_the_sample_passes_the_ooxml_validator(sample: dict[str, Path]) -> None:
    from openxml_audit import OpenXmlValidator

    validator = OpenXmlValidator()
    for path in sample.values():
        result = validator.validate(str(path))
        assert result.is_valid, [str(e) for e in result.errors][:5]


@pytest.mark.skipif(not HAVE_OFFICE, reason="needs LibreOffice and poppler")
def test_the_pdf_shows_every_structure_feature(sample: dict[str, Path]) -> None:
    pdf = convert_to_pdf([sample["draft"]], sample["draft"].parent)[0]
    text = _text(pdf)
    pages = text.split("\f")
    # numbered headings at three levels, from the template's multilevel list
    for heading in (
        "1 Introduction",
        "1.1 Scope of the sample",
        "1.1.1 Detail at the third level",
        "2 Data",
    ):
        assert re.search(r"^\s*" + re.escape(heading).replace(r"\ ", r"\s+"), text, re.M), heading
    # the section for allogeneic products does not apply to an autologous CAR-T
    assert "allogeneic products only" not in text
    # a filled table of contents and lists of tables and figures, with page numbers
    assert re.search(r"Introduction\s*\.{3,}\s*\d+", text)
    assert re.search(r"Table 1: Sample measurements\s*\.{3,}\s*\d+", text)
    assert re.search(r"Figure 1: Sample figure\s*\.{3,}\s*\d+", text)
    assert "No table of contents entries" not in text
    # captions and resolved cross-references
    assert "refers to Table 1, to Figure 1 and to section 1.1.1." in " ".join(text.split())
    assert "Error! Reference source not found" not in text
    # the long table continues on a second page with its header row repeated
    header_pages = [i for i, p in enumerate(pages) if re.search(r"Run\s+Result \(%\)\s+Verdict", p)]
    assert len(header_pages) >= 2
    # footnote from data, page numbering, cover, header properties, placeholder
    assert "Footnote from data: 5 & 6 < 7." in text
    assert re.search(r"Page 1 of \d+", text)
    assert "LUM-CD19 CAR-T cells · Rendering sample · version 0.4 · draft" in text
    assert "[TO DO: a text the project lacks — sample.text]" in text
    assert "{{" not in text
    assert "{%" not in text


def _grey_pixels(pdf: Path) -> int:
    """Light-grey pixels on the cover page (the watermark is drawn, not text)."""
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    page = next(pdf.parent.glob(pdf.stem + "-*.png"))
    with Image.open(page) as image:
        rgb = image.convert("RGB").tobytes()
    pixels = zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True)
    return sum(1 for r, g, b in pixels if 200 <= r == g == b < 250)


@pytest.mark.skipif(not HAVE_OFFICE, reason="needs LibreOffice and poppler")
def test_the_watermark_is_drawn_while_draft_only(sample: dict[str, Path]) -> None:
    draft = convert_to_pdf([sample["draft"]], sample["draft"].parent)[0]
    final = convert_to_pdf([sample["final"]], sample["final"].parent)[0]
    assert "version 0.4 · final" in _text(final)
    # measured at 40 dpi: 8,522 grey pixels with the watermark, 470 (anti-aliased text) without
    assert _grey_pixels(draft) > 3000
    assert _grey_pixels(final) < 1500
