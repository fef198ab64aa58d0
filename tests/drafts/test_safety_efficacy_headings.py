"""The IMPD safety and efficacy draft: IMPD numbering, the conventional sub-headings and
the 'not conducted' statements that answer them."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dossier.core.errors import UserError
from dossier.model.nonclinical import SUBHEADING_STUDY_TYPES, StudyType, SubheadingKind
from dossier.model.project_io import load_project, validate

from .conftest import HAVE_OFFICE, ROOT, build, pdf_text

office = pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are not installed")

# The part of the outline every example shares, in reading order (FIH stage).
PHARMACOLOGY = [
    "2.2 Non-clinical pharmacology and toxicology",
    "2.2.1 Pharmacology",
    "2.2.1.1 Primary pharmacodynamics",
    "2.2.1.2 Secondary pharmacodynamics",
    "2.2.1.3 Safety pharmacology",
    "2.2.1.4 Pharmacodynamic drug interactions",
    "2.2.2 Pharmacokinetics: biodistribution, persistence and shedding",
    "2.2.2.1 Biodistribution",
    "2.2.2.2 Persistence and expression kinetics",
    "2.2.2.3 Shedding",
    "2.2.3 Toxicology",
    "2.2.3.1 Single-dose toxicity",
    "2.2.3.2 Repeat-dose toxicity",
    "2.2.3.3 Genotoxicity",
    "2.2.3.4 Tumorigenicity and carcinogenicity",
    "2.2.3.5 Reproductive and developmental toxicity",
    "2.2.3.6 Local tolerance",
    "2.2.3.7 Other toxicity studies",
]
INTEGRATED = [
    "2.2.4 Integrated non-clinical assessment",
    "2.2.4.1 Mechanism of action, evidence, dose, route and cell origin",
    "2.2.4.2 Relevance of the models and GLP status",
    "2.2.4.3 Risk profile",
    "2.2.4.4 First-in-human dose",
    "2.3 Previous clinical trial and human experience",
    "2.4 Overall risk and benefit assessment",
]
# the "other" sub-headings each example gets: immunogenicity always, integration for an
# integrating vector, germline transmission for a gene-modified product
OTHER = {
    "car-t-nl": [
        "2.2.3.7.1 Immunogenicity and immunotoxicity",
        "2.2.3.7.2 Integration site analysis and insertional mutagenesis",
        "2.2.3.7.3 Germline transmission",
    ],
    "aav-systemic": [
        "2.2.3.7.1 Immunogenicity and immunotoxicity",
        "2.2.3.7.2 Germline transmission",
    ],
    "ipsc-local": ["2.2.3.7.1 Immunogenicity and immunotoxicity"],
}
# where each study is described in full (its main type's sub-heading)
STUDIES = {
    "car-t-nl": {
        "S-PD-VITRO": "2.2.1.1.1",
        "S-POC-NSG": "2.2.1.1.2",
        "S-OFFTARGET": "2.2.1.2.1",
        "S-TOX-NSG": "2.2.3.1.1",
        "S-TUMOR-RISK": "2.2.3.4.1",
        "S-ISA": "2.2.3.7.2.1",
    },
    "aav-systemic": {
        "S-POC-ENU2": "2.2.1.1.1",
        "S-TOX-NHP": "2.2.3.1.1",
        "S-NHP-PILOT": "2.2.3.1.2",
    },
    "ipsc-local": {
        "S-POC-RAT": "2.2.1.1.1",
        "S-TUMOR-NOG": "2.2.3.4.1",
        "S-SOFTAGAR": "2.2.3.4.2",
        "S-IMMUNO": "2.2.3.7.1.1",
    },
}


def _copy(tmp_path: Path, example: str) -> tuple[Path, Any, YAML]:
    folder = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML()
    return folder, yaml.load((folder / "dossier.yaml").read_text("utf-8")), yaml


def _save(folder: Path, data: Any, yaml: YAML) -> None:
    with (folder / "dossier.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


def _draft(folder: Path) -> str:
    from dossier.analysis.project import compute_project
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text

    loaded = load_project(folder)
    computed = compute_project(loaded, send=False)
    outline = load_outline(find_outline("impd-nonclinical"))
    return to_text(compose(outline, UnitContext(loaded.project, computed)))


def _headings(text: str) -> list[str]:
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def _section(text: str, heading: str) -> str:
    """The text under one heading, up to the next heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("#").strip() == heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start + 1 : end]).strip()


@pytest.mark.parametrize("example", sorted(STUDIES))
def test_headings_follow_the_impd_numbering_in_order(example: str) -> None:
    headings = _headings(_draft(ROOT / "examples" / example))
    studies = {h.split(" ")[1].rstrip(":"): h.split(" ")[0] for h in headings if " S-" in h}
    assert studies == STUDIES[example]
    outline = [h for h in headings if " S-" not in h]
    assert outline == PHARMACOLOGY + OTHER[example] + INTEGRATED
    # the study sits under its sub-heading, which comes first
    for study, number in STUDIES[example].items():
        parent = number.rsplit(".", 1)[0]
        at = [h.split(" ")[0] for h in headings]
        assert at.index(parent) < at.index(number), study


def test_later_stages_keep_the_numbers_with_their_own_headings(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    data["stage"] = "confirmatory"
    _save(folder, data, yaml)
    headings = _headings(_draft(folder))
    assert "2.2.4.4 Dose rationale" in headings
    assert "2.3 Clinical experience to date" in headings
    assert "2.4 Overall risk and benefit assessment" in headings
    assert not [h for h in headings if "First-in-human dose" in h]


def test_a_sub_heading_shows_studies_a_statement_or_a_placeholder(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    statements = data["nonclinical"]["not_conducted"]
    genotox = next(s for s in statements if s["study_type"] == "genotoxicity")
    statements.remove(genotox)
    _save(folder, data, yaml)
    text = _draft(folder)
    # studies: the tumorigenicity sub-heading holds both studies of that type
    headings = _headings(text)
    assert headings[headings.index("2.2.3.4 Tumorigenicity and carcinogenicity") + 1] == (
        "2.2.3.4.1 S-TUMOR-NOG: 52-week tumorigenicity, ectopic tissue and biodistribution "
        "study in NOG rats"
    )
    # an integrated study is pointed to from each further type it covers
    assert _section(text, "2.2.3.6 Local tolerance").startswith(
        "S-TUMOR-NOG (section 2.2.3.4.1) also covers local tolerance"
    )
    # a statement: shown as given, after "Not conducted: "
    shedding = next(s for s in statements if s["study_type"] == "shedding")
    justification = " ".join(shedding["justification"].split())
    assert _section(text, "2.2.2.3 Shedding") == f"Not conducted: {justification}"
    # neither: a placeholder naming the path, the study type and what is expected
    genotoxicity = _section(text, "2.2.3.3 Genotoxicity")
    assert genotoxicity.startswith("[TO DO: genotoxicity: the assessor expects the standard")
    assert "(study_type: genotoxicity) — nonclinical.not_conducted]" in genotoxicity


def test_an_expected_other_sub_heading_without_answer_is_a_placeholder(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "car-t-nl")
    statements = data["nonclinical"]["not_conducted"]
    statements[:] = [s for s in statements if s["study_type"] != "germline_transmission"]
    _save(folder, data, yaml)
    text = _draft(folder)
    assert "[TO DO: germline transmission: the assessor expects" in _section(
        text, "2.2.3.7.3 Germline transmission"
    )


def test_an_unexpected_other_sub_heading_appears_when_answered(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    data["nonclinical"]["not_conducted"].append(
        {"study_type": "off_target_editing", "justification": "No genome editing is used."}
    )
    _save(folder, data, yaml)
    text = _draft(folder)
    assert _section(text, "2.2.3.7.2 Off-target genome editing") == (
        "Not conducted: No genome editing is used."
    )


def test_a_study_of_type_other_goes_to_other_studies(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    softagar = next(s for s in data["nonclinical"]["studies"] if s["id"] == "S-SOFTAGAR")
    softagar["study_type"] = "other"
    _save(folder, data, yaml)
    headings = _headings(_draft(folder))
    at = headings.index("2.2.3.7.2 Other studies")
    assert headings[at + 1] == (
        "2.2.3.7.2.1 S-SOFTAGAR: Soft-agar colony formation and growth in suspension"
    )
    assert headings[at + 2] == "2.2.4 Integrated non-clinical assessment"


def test_in_vitro_studies_have_no_clinical_route() -> None:
    text = _section(
        _draft(ROOT / "examples" / "ipsc-local"), "2.2.4.2 Relevance of the models and GLP status"
    )
    relevance = text.split("GLP status of the studies")[0]
    rows = {
        line.split(" | ")[0]: line
        for line in relevance.splitlines()
        if line.count(" | ") == 3 and "Clinical route" not in line
    }
    # the relevance table: in vitro rows say not applicable, the in vivo ones yes
    assert rows["S-SOFTAGAR"].endswith("| not applicable (in vitro)")
    assert rows["S-IMMUNO"].endswith("| not applicable (in vitro)")
    assert rows["S-TUMOR-NOG"].endswith("| yes")


def test_a_declared_clinical_route_of_an_in_vitro_study_is_refused(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    index = next(i for i, s in enumerate(data["nonclinical"]["studies"]) if s["id"] == "S-IMMUNO")
    data["nonclinical"]["studies"][index]["clinical_route"] = True
    _save(folder, data, yaml)
    with pytest.raises(UserError) as raised:
        load_project(folder)
    (error,) = raised.value.diagnostics
    assert "in vitro study has no route of administration" in error.message
    assert error.location.path[:3] == ("nonclinical", "studies", index)
    assert error.location.line is not None


def _errors(folder: Path) -> list[Any]:
    return [d for d in validate(folder) if d.severity.value == "error"]


def _last_line(folder: Path, needle: str) -> int:
    lines = (folder / "dossier.yaml").read_text("utf-8").splitlines()
    return max(i for i, line in enumerate(lines) if needle in line) + 1


def _line_of(folder: Path, needle: str, after: str) -> int:
    lines = (folder / "dossier.yaml").read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_an_unknown_study_type_in_not_conducted_is_a_located_error(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    data["nonclinical"]["not_conducted"][0]["study_type"] = "carcinogenicity"
    _save(folder, data, yaml)
    (error,) = _errors(folder)
    assert error.location.path == ("nonclinical", "not_conducted", 0, "study_type")
    assert error.location.line == _line_of(folder, "carcinogenicity", "not_conducted:")
    assert error.code == "DOS-M004"
    assert "'carcinogenicity' is not allowed here" in error.message


def test_a_repeated_statement_is_a_located_error(tmp_path: Path) -> None:
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    statements = data["nonclinical"]["not_conducted"]
    statements.append({"study_type": "shedding", "justification": "Again."})
    _save(folder, data, yaml)
    (error,) = _errors(folder)
    assert error.code == "DOS-X020"
    last = len(statements) - 1
    assert error.location.path == ("nonclinical", "not_conducted", last, "study_type")
    assert error.location.line == _last_line(folder, "study_type: shedding")


def test_a_statement_contradicting_a_study_is_a_located_error(tmp_path: Path) -> None:
    """An error, not a warning: the draft would show the study and, beside it, that none
    was conducted. A type covered only through ``also_covers`` counts too."""
    folder, data, yaml = _copy(tmp_path, "ipsc-local")
    statements = data["nonclinical"]["not_conducted"]
    statements.append({"study_type": "local_tolerance", "justification": "Not needed."})
    _save(folder, data, yaml)
    (error,) = _errors(folder)
    assert error.code == "DOS-X021"
    assert "S-TUMOR-NOG" in error.message
    last = len(statements) - 1
    assert error.location.path == ("nonclinical", "not_conducted", last, "study_type")
    assert error.location.line is not None


def test_every_study_type_has_one_sub_heading_and_every_kind_a_heading() -> None:
    from dossier.drafts.nonclinical import SUBHEADINGS

    placed = [t for types in SUBHEADING_STUDY_TYPES.values() for t in types]
    assert sorted(placed) == sorted(set(typing.get_args(StudyType)) - {"other"})
    kinds = [h.kind for part in SUBHEADINGS.values() for h in part]
    assert sorted(kinds) == sorted(typing.get_args(SubheadingKind))


def test_the_examples_answer_every_expected_sub_heading() -> None:
    for example in STUDIES:
        text = _draft(ROOT / "examples" / example)
        assert "nonclinical.not_conducted]" not in text, example


@office
@pytest.mark.office
def test_the_pdf_shows_the_sub_headings_and_statements(tmp_path: Path) -> None:
    folder, data, _ = _copy(tmp_path, "ipsc-local")
    result = build(folder, "--only", "impd-nonclinical", "--pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(pdf_text(folder / "out" / "impd-nonclinical.pdf", layout=False).split())
    assert "IMPD safety and efficacy" in text
    for heading in (
        "2.2.1.2 Secondary pharmacodynamics",
        "2.2.2.3 Shedding",
        "2.2.3.3 Genotoxicity",
        "2.2.3.5 Reproductive and developmental toxicity",
        "2.2.3.7.1 Immunogenicity and immunotoxicity",
        "2.3 Previous clinical trial and human experience",
        "2.4 Overall risk and benefit assessment",
    ):
        assert heading in text, heading
    genotox = next(
        s for s in data["nonclinical"]["not_conducted"] if s["study_type"] == "genotoxicity"
    )
    assert "Not conducted: " + " ".join(genotox["justification"].split())[:60] in text
    assert "not applicable (in vitro)" in text
