"""Model-level validation: consistency rules and cross-references, without files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML

from dossier.model.crossref import check_references
from dossier.model.project import Project
from dossier.starters import starter_text


@pytest.fixture
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(starter_text("car-t"))
    return loaded


def _errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    return [(tuple(e["loc"]), e["type"], e["msg"]) for e in info.value.errors()]


def test_starter_is_valid(data: dict[str, Any]) -> None:
    project = Project.model_validate(data)
    assert project.product.atmp_class == "GTMP"
    assert check_references(project) == []


def test_unknown_keys_are_errors_not_ignored(data: dict[str, Any]) -> None:
    data["product"]["colour"] = "blue"
    assert (("product", "colour"), "extra_forbidden", "Extra inputs are not permitted") in _errors(
        data
    )


def test_a_dose_without_unit_is_an_error(data: dict[str, Any]) -> None:
    data["nonclinical"] = {
        "studies": [
            {
                "id": "S1",
                "title": "t",
                "study_type": "single_dose_toxicity",
                "objective": "o",
                "status": "completed",
                "species": "mouse",
                "model_type": "immunodeficient",
                "model_relevance": "r",
                "glp": {"status": "GLP"},
                "test_item": {"representativeness": "clinical_process"},
                "route": "intravenous",
                "dose_levels": [{"value": 1e6}],
                "key_findings": "none",
            }
        ]
    }
    errs = _errors(data)
    assert any(loc[-1] == "unit" and kind == "missing" for loc, kind, _ in errs)


def test_gtmp_needs_a_vector_or_editing(data: dict[str, Any]) -> None:
    del data["product"]["vector"]
    assert any("needs a 'vector'" in msg for _, _, msg in _errors(data))


def test_acceptance_limits_in_order(data: dict[str, Any]) -> None:
    crit = data["quality"]["potency"]["assays"][0]["acceptance_criteria"][0]
    crit.update({"report_only": False, "lower": 10, "upper": 5})
    assert any("lower (10.0) is above upper (5.0)" in msg for _, _, msg in _errors(data))


def test_completed_study_needs_findings(data: dict[str, Any]) -> None:
    study = {
        "id": "S1",
        "title": "t",
        "study_type": "primary_pd_in_vitro",
        "objective": "o",
        "status": "completed",
        "species": "human cells",
        "model_type": "in_vitro",
        "model_relevance": "r",
        "glp": {"status": "exploratory"},
        "test_item": {"representativeness": "clinical_process"},
        "route": "in vitro",
    }
    data["nonclinical"] = {"studies": [study]}
    assert any("needs 'key_findings'" in msg for _, _, msg in _errors(data))


def test_duplicate_ids_and_dangling_references(data: dict[str, Any]) -> None:
    bad = copy.deepcopy(data)
    bad["quality"]["batches"].append(copy.deepcopy(bad["quality"]["batches"][0]))
    bad["quality"]["potency"]["assays"][0]["moa_steps"] = ["MOA-NOPE"]
    problems = check_references(Project.model_validate(bad))
    by_code = {(p.code, p.path) for p in problems}
    assert ("DOS-X001", ("quality", "batches", 1, "id")) in by_code
    assert ("DOS-X002", ("quality", "potency", "assays", 0, "moa_steps", 0)) in by_code


def test_reference_of_the_wrong_kind(data: dict[str, Any]) -> None:
    data["quality"]["potency"]["assays"][0]["moa_steps"] = ["B-ENG-01"]
    problems = check_references(Project.model_validate(data))
    assert [(p.code, p.message) for p in problems] == [
        ("DOS-X003", "'B-ENG-01' is a batch, but a moa step is expected here")
    ]


def test_a_fih_input_in_another_kind_of_unit_is_a_located_warning(tmp_path: Path) -> None:
    import shutil

    from dossier.model.project_io import load_project

    example = Path(__file__).resolve().parents[2] / "examples" / "aav-systemic"
    folder = tmp_path / "aav"
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("out"))
    project_file = folder / "dossier.yaml"
    lines = project_file.read_text("utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if "id: D-NOAEL" in line)
    lines[row] = lines[row].replace("unit: vg/kg}", "unit: mg}")
    project_file.write_text("".join(lines), "utf-8")
    warnings = [d for d in load_project(folder).diagnostics if d.code == "DOS-X011"]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.location.line == row + 1
    assert w.location.path == ("fih_dose", "inputs", 1, "dose", "unit")
    assert "mg" in w.message
    assert "vg/kg" in w.message


def test_the_examples_have_no_dose_unit_warnings() -> None:
    from dossier.model.project_io import load_project

    examples = Path(__file__).resolve().parents[2] / "examples"
    for name in ("car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema"):
        assert not [d for d in load_project(examples / name).diagnostics if d.code == "DOS-X011"]


def test_a_language_without_drafts_is_refused_not_ignored(tmp_path: Path) -> None:
    """``language: nl`` is accepted; a language with no drafts ('de') is a located error."""
    import shutil

    from dossier.core.errors import UserError
    from dossier.model.project_io import load_project

    example = Path(__file__).resolve().parents[2] / "examples" / "car-t-nl"
    folder = tmp_path / "cart"
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("out"))
    project_file = folder / "dossier.yaml"
    lines = project_file.read_text("utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.strip() == "language: en")
    lines[row] = lines[row].replace("language: en", "language: nl")
    project_file.write_text("".join(lines), "utf-8")
    assert load_project(folder).project.project.document.language == "nl"
    lines[row] = lines[row].replace("language: nl", "language: de")
    project_file.write_text("".join(lines), "utf-8")
    with pytest.raises(UserError) as info:
        load_project(folder)
    (error,) = info.value.diagnostics
    assert error.code == "DOS-M004"
    assert error.location.line == row + 1
    assert error.location.path == ("project", "document", "language")
    assert "'de' is not allowed here" in error.message
