"""The IMPD quality draft: every CTD heading in order, both layouts, P.5 for every class,
located errors for the manufacturing part of the model, and the new sections in the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.core.errors import UserError
from dossier.drafts.blocks import Document, Missing, Section, Table, missing_in
from dossier.drafts.compose import compose
from dossier.drafts.outline import UnitContext, find_outline, load_outline
from dossier.model.project_io import LoadedProject, load_project

from .conftest import EXAMPLES, HAVE_OFFICE, ROOT, pdf_text
from .test_truthful_potency import copy as _copy

office = pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are not installed")

HEADINGS = [
    *["S.1", "S.1.1", "S.1.2", "S.1.3"],
    *["S.2", "S.2.1", "S.2.2", "S.2.3", "S.2.4", "S.2.5", "S.2.6"],
    *["S.3", "S.3.1", "S.3.2"],
    *["S.4", "S.4.1", "S.4.2", "S.4.3", "S.4.4", "S.4.5"],
    *["S.5", "S.6", "S.7"],
    *["P.1", "P.2", "P.2.1", "P.2.2", "P.2.3", "P.2.4", "P.2.5", "P.2.6"],
    *["P.3", "P.3.1", "P.3.2", "P.3.3", "P.3.4", "P.3.5", "P.4"],
    *["P.5", "P.5.1", "P.5.2", "P.5.3", "P.5.4", "P.5.5", "P.5.6"],
    *["P.6", "P.7", "P.8", "A.1", "A.2", "A.3"],
]
"""The CTD Module 3 headings of the IMPD quality, in order (regulatory brief §3.3)."""

COMBINED = {
    "S.2.1": "P.3.1",
    "S.2.2": "P.3.3",
    "S.2.4": "P.3.4",
    "S.2.5": "P.3.5",
    "S.2.6": "P.2.3",
    "S.3.2": "P.5.5",
    "S.4.1": "P.5.1",
    "S.4.2": "P.5.2",
    "S.4.3": "P.5.3",
    "S.4.4": "P.5.4",
    "S.4.5": "P.5.6",
    "S.5": "P.6",
    "S.6": "P.7",
    "S.7": "P.8",
}


def _document(loaded: LoadedProject) -> Document:
    from dossier.analysis.project import compute_project

    ctx = UnitContext(loaded.project, compute_project(loaded))
    return compose(load_outline(find_outline("impd-quality")), ctx)


def _numbered(document: Document, prefix: str) -> list[Section]:
    """The CTD sections (explicitly numbered), prefix removed from their number."""
    found = []
    for section in document.walk():
        if section.number is not None:
            assert section.number.startswith(prefix)
            found.append(section)
    return found


def _edit(folder: Path, old: str, new: str) -> int:
    """Replace the first line holding ``old``; its 1-based line number."""
    path = folder / "dossier.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if old in line)
    lines[row] = lines[row].replace(old, new)
    path.write_text("".join(lines), "utf-8")
    return row + 1


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {name: _document(load_project(ROOT / "examples" / name)) for name in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_heading_in_ctd_order(documents: dict[str, Document], example: str) -> None:
    document = documents[example]
    prefix = "2.1." if example == "car-t-nl" else ""
    numbers = [s.number.removeprefix(prefix) for s in _numbered(document, prefix) if s.number]
    assert numbers == HEADINGS


def test_car_t_declares_the_combined_layout(documents: dict[str, Document]) -> None:
    """Each substance section is presented in its product section: product number with the
    substance number in brackets; the substance heading points there."""
    sections = {s.number: s for s in _numbered(documents["car-t-nl"], "2.1.")}
    for s_number, p_number in COMBINED.items():
        product = sections[f"2.1.{p_number}"]
        assert product.title.endswith(f"(2.1.{s_number})"), product.title
        substance = sections[f"2.1.{s_number}"]
        (para,) = substance.blocks
        assert not substance.children
        assert "Presented together with the finished product" in para.parts[0].text  # type: ignore[union-attr]
    # the potency specification and the release specification are both in P.5.1
    keys = {b.key for b in sections["2.1.P.5.1"].blocks if isinstance(b, Table)}
    assert keys == {"tab-spec", "tab-release-spec"}


def test_separate_layout_is_the_default_for_a_cell_product(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "car-t-nl")
    _edit(folder, "combined_s_p: true", "combined_s_p: false")
    sections = {s.number: s for s in _numbered(_document(load_project(folder)), "2.1.")}
    assert sections["2.1.P.5.1"].title == "Specification"
    assert sections["2.1.S.4.1"].title == "Specification: potency"
    # the substance keeps its content, and the product heading names where it is
    assert {b.key for b in sections["2.1.S.4.1"].blocks if isinstance(b, Table)} == {"tab-spec"}
    assert "section" not in sections["2.1.P.5.2"].title
    (para,) = sections["2.1.P.5.2"].blocks
    assert para.parts[0].text == "The analytical procedures are described in "  # type: ignore[union-attr]


def test_the_aav_has_a_release_specification_in_p51(documents: dict[str, Document]) -> None:
    sections = {s.number: s for s in _numbered(documents["aav-systemic"], "")}
    (table,) = [b for b in sections["P.5.1"].blocks if isinstance(b, Table)]
    assert table.key == "tab-release-spec"
    rows = {row[0]: row for row in table.rows}
    assert rows["rcAAV"][2] == "< 1 rcAAV per 1e8 vg"
    assert rows["Empty and partial capsids"][2] == "≤ 15 % empty capsids"
    potency = [row for name, row in rows.items() if str(name).startswith("Potency: ")]
    assert potency
    assert potency[0][2] == "70–143 % relative potency (provisional)"


def test_impurity_levels_are_the_range_of_the_batches(documents: dict[str, Document]) -> None:
    """CAR-T residual cytokines: < 5, < 5 and 7.2 pg/mL in three batches (project file);
    each batch's level follows the range."""
    tables = {t.key: t for t in documents["car-t-nl"].tables()}
    rows = {row[0]: row for row in tables["tab-impurities-process"].rows}
    assert (
        rows["Residual IL-7 and IL-15"][2]
        == "< 5 to 7.2 pg/mL (B-ENG-01: < 5; B-CLIN-01: < 5; B-CLIN-02: 7.2)"
    )
    assert rows["Residual anti-CD3/CD28 nanomatrix"][2] == "—"
    aav = {t.key: t for t in documents["aav-systemic"].tables()}
    empty = {row[0]: row for row in aav["tab-impurities-product"].rows}
    assert (
        empty["Empty and partial capsids"][2] == "8 to 11 % of capsids (B-TOX-01: 11; B-GMP-01: 8)"
    )


def test_empty_headings_are_placeholders_naming_their_path(
    documents: dict[str, Document],
) -> None:
    paths = {m.path for _, m in missing_in(documents["ipsc-local"])}
    for path in (
        "quality.stability",
        "quality.facilities",
        "quality.container_closure",
        "quality.starting_materials.donors.tests",
        "quality.development.compatibility",
        "quality.manufacture.sites",
    ):
        assert path in paths, path
    # the stability placeholder cites the guideline without a section number; the AAV
    # has a drug-product study (P.8) but none of its active substance (S.7)
    stability = [
        m for _, m in missing_in(documents["aav-systemic"]) if m.path == "quality.stability"
    ]
    assert len(stability) == 1
    assert stability[0].label.startswith("stability of the active substance")
    assert all(isinstance(m, Missing) and "(EMA/CAT/22473/2025)" in m.label for m in stability)


def test_donor_testing_and_legal_basis(documents: dict[str, Document]) -> None:
    tables = {t.key: t for t in documents["car-t-nl"].tables()}
    tests = [row[0] for row in tables["tab-donor-tests"].rows]
    assert tests[0] == "HIV-1/2 antibody and HIV-1 NAT"
    section = next(s for s in documents["car-t-nl"].walk() if s.key == "sec-s23")
    text = "".join(getattr(p, "text", "") for b in section.blocks for p in getattr(b, "parts", []))
    assert "Directive 2004/23/EC and Directive 2006/17/EC" in text


@pytest.mark.parametrize(
    ("old", "new", "code", "path", "words"),
    [
        (
            "kind: starting_material, function: Source of T cells",
            "kind: starting_material, novel: true, function: Source of T cells",
            "DOS-M",
            ("quality", "materials", 0),
            "only an excipient can be novel",
        ),
        (
            "inputs: [LV-CD19]",
            "inputs: [LV-CD91]",
            "DOS-X002",
            ("quality", "manufacture", "steps", 3, "inputs", 0),
            "unknown material or bank 'LV-CD91'",
        ),
        (
            "origin: autologous",
            "origin: allogeneic",
            "DOS-X010",
            ("quality", "starting_materials", "donors", "origin"),
            "the donors are allogeneic but product.cell_origin is 'autologous'",
        ),
        (
            "{batch: B-CLIN-02, value: 7.2}",
            "{batch: B-CLIN-09, value: 7.2}",
            "DOS-X002",
            ("quality", "impurities", 1, "results", 2, "batch"),
            "unknown batch 'B-CLIN-09'",
        ),
        (
            "unit: pg/mL",
            "limit: none",
            "DOS-M",
            ("quality", "impurities", 1),
            "results need a 'unit'",
        ),
        (
            "name: Residual anti-CD3/CD28 nanomatrix",
            "name: Residual anti-CD3/CD28 nanomatrix\n      unit: ng/mL",
            "DOS-M",
            ("quality", "impurities", 0),
            "a 'unit' without results would not be shown",
        ),
        (
            "combined_s_p: true",
            "combined_s_p: true\n    documents: [impd-quality-potency]",
            "DOS-M",
            ("project", "output", "documents"),
            "'impd-quality-potency' is now called 'impd-quality'",
        ),
    ],
)
def test_located_errors_of_the_manufacturing_model(
    tmp_path: Path, old: str, new: str, code: str, path: tuple[object, ...], words: str
) -> None:
    folder = _copy(tmp_path, "car-t-nl")
    text = (folder / "dossier.yaml").read_text("utf-8")
    if old == "origin: autologous":  # the donors' origin, not the product's cell_origin
        old = "      origin: autologous"
        new = "      origin: allogeneic"
    assert old in text
    line = _edit(folder, old, new)
    with pytest.raises(UserError) as info:
        load_project(folder)
    found = [d for d in info.value.diagnostics if words in d.message]
    assert found, [d.message for d in info.value.diagnostics]
    (error,) = found
    assert error.code.startswith(code)
    assert error.location.path[: len(path)] == path
    line += new.count("\n")  # an added line: the error is on it
    if path[:2] == ("quality", "impurities") and len(path) == 3:
        # a check of the whole impurity is located at its first line
        lines = (folder / "dossier.yaml").read_text("utf-8").splitlines()
        first = f"id: {('IMP-NANO', 'IMP-CYT')[int(str(path[2]))]}"
        line = next(i for i, text in enumerate(lines, start=1) if first in text)
    assert error.location.line == line


def test_the_old_document_id_names_the_new_one() -> None:
    with pytest.raises(UserError) as info:
        find_outline("impd-quality-potency")
    (error,) = info.value.diagnostics
    assert error.code == "DOS-T011"
    assert "now called 'impd-quality'" in error.message


@office
@pytest.mark.office
def test_pdf_text_of_the_new_sections(built: dict[str, Path]) -> None:
    """What an assessor reads in the new sections of the CAR-T and AAV drafts."""
    cart = " ".join(pdf_text(built["car-t-nl"] / "impd-quality.pdf", layout=False).split())
    for expected in (
        "2.1.S.1.1 Nomenclature",
        "2.1.S.2.3 Control of materials",
        "Donation: autologous.",
        "Directive 2004/23/EC and Directive 2006/17/EC",
        "HIV-1/2 antibody and HIV-1 NAT",
        "LV-CD19 lentiviral vector lot LV-2025-02",
        "Starting and raw materials",
        "2.1.P.3.1 Manufacturer(s) (2.1.S.2.1)",
        "Manufacturer's licence (fabrikantenvergunning)",
        "2.1.P.3.3 Description of manufacturing process and process controls (2.1.S.2.2)",
        "Process flow of the active substance",
        "Lentiviral transduction",
        "Process flow of the finished product",
        "2.1.P.3.4 Controls of critical steps and intermediates (2.1.S.2.4)",
        "APS-2025-01",
        "2.1.P.5.5 Characterisation of impurities (2.1.S.3.2)",
        "< 5 to 7.2 pg/mL",
        "2.1.P.5.1 Specification (2.1.S.4.1)",
        "Release specification of the finished product",
        "2.1.P.7 Container closure system (2.1.S.6)",
        "ethylene-vinyl acetate cryobag",
        "2.1.P.4 Control of excipients",
        "Human albumin 20 %",
        "2.1.P.8 Stability (2.1.S.7)",
        "Study ST-DP-LN2: drug product",
        "The proposed 24 months is not supported by this attribute.",
        "2.1.A.1 Facilities and equipment",
        "2.1.A.2 Adventitious agents safety evaluation",
        "Safety tests of the release specification",
        "2.1.A.3 Novel excipients",
        "The three excipients declared (quality.materials) are not marked novel.",
    ):
        assert expected in cart, expected
    aav = " ".join(pdf_text(built["aav-systemic"] / "impd-quality.pdf", layout=False).split())
    for expected in (
        "P.5.1 Specification",
        "Release specification of the finished product",
        "HEK293 suspension working cell bank",
        "Triple transfection in the 200 L bioreactor",
        "8 to 11 % of capsids",
        "S.7 Stability",
        "P.8 Stability",
    ):
        assert expected in aav, expected


def test_a_user_outline_under_the_old_name_is_refused(tmp_path: Path) -> None:
    """An outline or template folder named after the old id would be skipped silently."""
    from dossier.build import build_project

    templates = tmp_path / "house"
    (templates / "sections").mkdir(parents=True)
    outline = templates / "sections" / "impd-quality-potency.yaml"
    outline.write_text("document: impd-quality-potency\n", "utf-8")
    with pytest.raises(UserError) as info:
        build_project(
            ROOT / "examples" / "aav-systemic", out_dir=tmp_path / "out", templates=[templates]
        )
    (error,) = info.value.diagnostics
    assert error.code == "DOS-T011"
    assert error.location.file == str(outline)
    assert "now called 'impd-quality'" in error.message
    assert not (tmp_path / "out").exists()
