"""Project-level malformed inputs through `dossier validate`: located and coded, and
reported (an exception escaping the command fails these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from dossier.starters import starter_text

from .conftest import ROOT, invoke

RUN = """        runs:
          - id: R1
            data: {path}
            standard: REF
"""


def _project(tmp_path: Path, edit: str, data_path: str | None = None) -> Path:
    text = starter_text("car-t")
    if data_path is not None:
        text = text.replace(
            "        lifecycle_status: in_development",
            "        lifecycle_status: in_development\n" + RUN.format(path=data_path),
        )
    if edit:
        old, new = edit.split("=>")
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "dossier.yaml").write_text(text, "utf-8")
    return tmp_path


def _validate(folder: Path) -> Result:
    return invoke("validate", folder)


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "dossier.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("name", "edit", "data_path", "code", "needle", "column", "message"),
    [
        (
            "wrong-unit",
            "dose_unit: CAR+ cells/kg=>dose_unit: CAR+ cells/kgg",
            None,
            "DOS-M007",
            "dose_unit:",
            14,
            "did you mean 'kg'?",
        ),
        (
            "unknown-key",
            "  route: =>  rout: ",
            None,
            "DOS-M002",
            "  rout:",
            3,
            "unknown key 'rout'",
        ),
        (
            "path-escape",
            "",
            "../outside.csv",
            "DOS-L003",
            "data: ../outside.csv",
            19,
            "leaves the project folder",
        ),
        (
            "missing-data-file",
            "",
            "data/missing.csv",
            "DOS-L004",
            "data: data/missing.csv",
            19,
            "does not exist",
        ),
    ],
)
def test_project_error_is_located(
    tmp_path: Path,
    name: str,
    edit: str,
    data_path: str | None,
    code: str,
    needle: str,
    column: int,
    message: str,
) -> None:
    folder = _project(tmp_path, edit, data_path)
    result = _validate(folder)
    assert result.exit_code == 1
    line = _line_of(folder, needle)
    assert f"dossier.yaml:{line}:{column}: error {code}" in result.stdout, result.stdout
    assert message in result.stdout


AAV = ROOT / "examples" / "aav-systemic"


@pytest.mark.parametrize(
    ("old", "new", "code", "message"),
    [
        # a dose without a unit
        (
            "proposed_start_dose: {value: 2.0e12, unit: vg/kg}",
            "proposed_start_dose: 2.0e12",
            "DOS-M007",
            "2e+12 has no unit",
        ),
        ("- {value: 2.0e12, unit: vg/kg}", "- 2.0e12", "DOS-M007", "has no unit"),
        # numbers that are not doses
        (
            "noael: {value: 6.0e13, unit: vg/kg}",
            "noael: {value: .nan, unit: vg/kg}",
            "DOS-M003",
            "finite number",
        ),
        (
            "noael: {value: 6.0e13, unit: vg/kg}",
            "noael: {value: -6.0e13, unit: vg/kg}",
            "DOS-M005",
            "greater than or equal to 0",
        ),
        (
            "proposed_start_dose: {value: 2.0e12, unit: vg/kg}",
            "proposed_start_dose: {value: .inf, unit: vg/kg}",
            "DOS-M003",
            "finite number",
        ),
    ],
)
def test_quantities_need_a_unit_and_a_finite_non_negative_value(
    tmp_path: Path, old: str, new: str, code: str, message: str
) -> None:
    folder = tmp_path / "aav"
    folder.mkdir()
    text = (AAV / "dossier.yaml").read_text("utf-8")
    assert old in text
    (folder / "dossier.yaml").write_text(text.replace(old, new, 1), "utf-8")
    result = _validate(folder)  # data files are not needed for these errors
    assert result.exit_code == 1
    line = _line_of(folder, new)
    assert f"dossier.yaml:{line}:" in result.stdout, result.stdout
    assert f"error {code}" in result.stdout
    assert message in result.stdout
