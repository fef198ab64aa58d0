"""Layout an assessor accepts, measured in the built drafts and in the PDFs LibreOffice
makes of them: captions stay with their figures, axes carry units."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from .conftest import EXAMPLES, HAVE_OFFICE, ROOT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DRAFTS = ("impd-quality", "impd-nonclinical", "briefing-document")


def _body(docx: Path) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read("word/document.xml"))


def _keep_next(p: etree._Element) -> bool | None:
    node = p.find(f"{W}pPr/{W}keepNext")
    if node is None:
        return None
    return node.get(f"{W}val") not in ("0", "false")


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_figure_keeps_with_its_caption_and_the_caption_ends_it(
    built: dict[str, Path], example: str
) -> None:
    figures = 0
    for name in DRAFTS:
        body = _body(built[example] / f"{name}.docx")
        paragraphs = list(body.iter(f"{W}p"))
        for i, p in enumerate(paragraphs):
            if p.find(f".//{W}drawing") is None:
                continue
            figures += 1
            caption = paragraphs[i + 1]
            assert _keep_next(p) is True, f"{name}: figure paragraph {i} lacks keepNext"
            style = caption.find(f"{W}pPr/{W}pStyle")
            assert style is not None
            assert style.get(f"{W}val") == "Caption"
            assert _keep_next(caption) is False, f"{name}: caption {i + 1} binds what follows"
    assert figures > 0


def _image_pages(pdf: Path) -> list[int]:
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    # the draft watermark is a drawing, not an image; every image is a figure
    return [int(line.split()[0]) for line in listing if line.split()[2] == "image"]


def _caption_pages(pdf: Path) -> list[int]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for number, page in enumerate(text.split("\f"), start=1):
        # captions, not the entries of the lists of contents, tables and figures: their
        # pages are the ones with dot leaders
        if re.search(r"\.{4,}\s*\d+\s*$", page, re.M):
            continue
        pages += [number for line in page.splitlines() if re.match(r"\s*Figure \d+: ", line)]
    return pages


@pytest.mark.skipif(not HAVE_OFFICE, reason="needs LibreOffice and poppler")
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_caption_is_on_the_page_of_its_figure(built: dict[str, Path], example: str) -> None:
    for name in DRAFTS:
        pdf = built[example] / f"{name}.pdf"
        images, captions = _image_pages(pdf), _caption_pages(pdf)
        assert images == captions, f"{example} {name}: figures on {images}, captions {captions}"


def _grid_widths(docx: Path, first_header: str) -> list[int]:
    body = _body(docx)
    for tbl in body.iter(f"{W}tbl"):
        header = "".join(tbl.find(f"{W}tr").itertext())
        if header.startswith(first_header):
            return [int(c.get(f"{W}w")) for c in tbl.find(f"{W}tblGrid")]
    raise AssertionError(f"no table starting with {first_header!r}")


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_column_of_short_phrases_is_not_one_word_wide(
    built: dict[str, Path], example: str
) -> None:
    # the studies tables' last column holds 'NOAEL 2.00 × 10⁸ CAR+ T cells/kg'; at 12 % of
    # the table (19 mm, about eight characters a line) it wrapped word by word into six
    # lines. At 15 % (24 mm) a line holds about eleven characters: three lines
    widths = _grid_widths(built[example] / "impd-nonclinical.docx", "Study (report)")
    assert widths[-1] / sum(widths) >= 0.15


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_list_is_joined_with_a_full_stop_and_a_semicolon(
    built: dict[str, Path], example: str
) -> None:
    for name in (*DRAFTS, "readiness-report"):
        text = "".join(_body(built[example] / f"{name}.docx").itertext())
        assert ".;" not in text, name


def test_list_items_that_are_sentences_stay_sentences() -> None:
    from dossier.drafts.fmt import join_items

    assert join_items(["Any grade 5 event.", "Two grade 4 events."]) == (
        "Any grade 5 event. Two grade 4 events."
    )
    assert join_items(["accuracy: five levels.", "linearity: log scale"]) == (
        "Accuracy: five levels. Linearity: log scale."
    )
    assert join_items(["blood", "liver", " "]) == "blood; liver"


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_rule_code_in_a_draft_for_the_regulator(built: dict[str, Path], example: str) -> None:
    from dossier.rules.check import builtin_rules

    codes = {rule.id for rule in builtin_rules()}
    for name in DRAFTS:
        text = "".join(_body(built[example] / f"{name}.docx").itertext())
        assert not set(re.findall(r"[A-Z]{2,4}-\d{3}", text)) & codes, name


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_computer_notation_in_a_draft(built: dict[str, Path], example: str) -> None:
    # one number format in every table: 4.00 × 10⁷, never 4e+07 beside it
    for name in (*DRAFTS, "readiness-report"):
        text = "".join(_body(built[example] / f"{name}.docx").itertext())
        assert not re.findall(r"\d(?:\.\d+)?e[+-]\d+", text), name


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_risk_matrix_holds_no_ids_that_break_at_hyphens(
    built: dict[str, Path], example: str
) -> None:
    # a cell of the seven-column matrix reads "yes (medium uncertainty)"; the evidence
    # (study ids, assay and procedure names) is named in the paragraphs below it
    from dossier.model.project_io import load_project

    project = load_project(ROOT / "examples" / example).project
    ids = {m.id for m in project.quality.analytical_methods}
    ids |= {a.id for a in project.quality.potency.assays} if project.quality.potency else set()
    ids |= {s.id for s in project.nonclinical.studies} if project.nonclinical else set()
    body = _body(built[example] / "impd-nonclinical.docx")
    for tbl in body.iter(f"{W}tbl"):
        rows = tbl.findall(f"{W}tr")
        if not "".join(rows[0].itertext()).startswith("Risk factor"):
            continue
        cells = ["".join(c.itertext()) for r in rows[1:] for c in r.findall(f"{W}tc")[1:]]
        pattern = r"—|(yes|unknown) \((low|medium|high) uncertainty\)"
        assert all(re.fullmatch(pattern, c) for c in cells), cells
        assert not {w for c in cells for w in c.split()} & ids
        break
    else:
        raise AssertionError("no risk matrix")
