"""Stability studies in the project file: every mistake is a located error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.analysis.project import compute_project
from dossier.core.errors import UserError
from dossier.model.project_io import load_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ipsc-local"


def _project(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the iPSC example with one piece of its text replaced."""
    folder = tmp_path / "ipsc"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
    project = folder / "dossier.yaml"
    text = project.read_text("utf-8")
    assert text.count(old) == 1, old
    project.write_text(text.replace(old, new), "utf-8")
    return folder


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "dossier.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def _errors(folder: Path) -> list[tuple[str, str, int]]:
    with pytest.raises(UserError) as caught:
        load_project(folder)
    return [(d.code, d.message, d.location.line) for d in caught.value.diagnostics]


def test_an_unknown_batch_on_study_is_located(tmp_path: Path) -> None:
    folder = _project(
        tmp_path, "batches: [B-DEV-03, B-GMP-01]\n", "batches: [B-DEV-03, B-GMP-02]\n"
    )
    code, message, line = _errors(folder)[0]
    assert code == "DOS-X002"
    assert message == "unknown batch 'B-GMP-02'"
    assert line == _line_of(folder, "batches: [B-DEV-03, B-GMP-02]")


def test_an_inline_result_of_a_batch_not_on_the_study_is_located(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "- {batch: B-GMP-01, time: 1, value: 90.8}",
        "- {batch: B-DEV-03, time: 1, value: 90.8}",
    )
    errors = _errors(folder)
    assert errors == [
        (
            "DOS-X002",
            "batch 'B-DEV-03' is not on stability study 'ST-CRYO'",
            _line_of(folder, "{batch: B-DEV-03, time: 1"),
        )
    ]


def test_a_method_that_is_a_batch_is_the_wrong_kind(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "        - name: viable cell concentration\n          method: M-VIAB",
        "        - name: viable cell concentration\n          method: B-GMP-01",
    )
    errors = _errors(folder)
    assert errors == [
        (
            "DOS-X003",
            "'B-GMP-01' is a batch, but a assay or method is expected here",
            _line_of(folder, "method: B-GMP-01"),
        )
    ]


def test_an_attribute_without_a_criterion_is_refused(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "          lower: 8.0e4\n          upper: 1.2e5\n",
        "",
    )
    (code, message, line), *_ = _errors(folder)
    assert code == "DOS-M006"
    assert "'viable cell concentration' needs an acceptance criterion" in message
    assert line == _line_of(folder, "- name: viable cell concentration")


def test_a_shelf_life_in_another_unit_than_the_study_is_refused(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "proposed_shelf_life: {value: 6, unit: hours}",
        "proposed_shelf_life: {value: 6, unit: days}",
    )
    (code, message, line), *_ = _errors(folder)
    assert code == "DOS-M007"  # a unit problem
    assert line == _line_of(folder, "- id: ST-HOLD-2-8")
    assert "proposed_shelf_life is in days but the study's time unit is hours" in message


def test_results_inline_and_from_a_file_are_refused(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "          results:\n            - {batch: B-GMP-01, time: 0, value: 91.5}",
        "          data: data/stability/hold_viability.csv\n"
        "          results:\n            - {batch: B-GMP-01, time: 0, value: 91.5}",
    )
    (code, message, _line), *_ = _errors(folder)
    assert code == "DOS-M006"
    assert "not both" in message


def test_a_data_file_row_of_a_batch_not_on_the_study_is_located(tmp_path: Path) -> None:
    folder = _project(tmp_path, "batches: [B-DEV-03, B-GMP-01]\n", "batches: [B-GMP-01]\n")
    computed = compute_project(load_project(folder))
    found = [d for d in computed.diagnostics if d.code == "DOS-A050"]
    data = (folder / "data" / "stability" / "hold_viability.csv").read_text("utf-8").splitlines()
    first = next(i for i, row in enumerate(data, start=1) if row.startswith("B-DEV-03,"))
    assert found[0].message == "batch 'B-DEV-03' is not on stability study 'ST-HOLD-2-8'"
    assert found[0].location.file.endswith("data/stability/hold_viability.csv")
    assert (found[0].location.line, found[0].location.column) == (first, 1)
    # the attribute without its data is not analysed, and says so
    study = computed.stability["ST-HOLD-2-8"]
    assert study.attributes[0].not_assessed == "no_data"
