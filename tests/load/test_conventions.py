"""A data file's number convention, declared in the project file or on the command line.

'1,200' is never guessed: undeclared, it is a located error (line and column, exit 1);
declared, the file reads as the same numbers as one written with plain points.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.core.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "car-t-nl"
RUN = EXAMPLE / "data" / "potency" / "cytotoxicity_r1.csv"
POTENCY = ("--model", "4pl", "--standard", "REF", "--format", "json")


def _assay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", "assay", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _with_thousands(tmp_path: Path) -> tuple[Path, int]:
    """The example run with one response written as '"1,200"'; (file, its line)."""
    lines = RUN.read_text("utf-8").splitlines()
    row = 5
    cells = lines[row - 1].split(",")
    cells[2] = '"1,200"'
    lines[row - 1] = ",".join(cells)
    path = tmp_path / "run.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path, row


def test_a_thousands_separator_is_a_located_error_through_the_cli(tmp_path: Path) -> None:
    path, row = _with_thousands(tmp_path)
    result = _assay("potency", str(path), "--model", "4pl", "--standard", "REF")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"run.csv:{row}:3: error DOS-D009" in result.stdout
    assert "'1,200' is ambiguous: declare the file's number convention" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_declared_thousands_comma_reads_it_as_1200(tmp_path: Path) -> None:
    path, _ = _with_thousands(tmp_path)
    result = _assay("potency", str(path), *POTENCY, "--thousands", "comma")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["model"] == "4pl"


def test_a_decimal_comma_file_reads_as_the_point_file(tmp_path: Path) -> None:
    semicolons = tmp_path / "run.csv"
    semicolons.write_text(RUN.read_text("utf-8").replace(",", ";").replace(".", ","), "utf-8")
    plain = _assay("potency", str(RUN), *POTENCY)
    declared = _assay("potency", str(semicolons), *POTENCY, "--decimal", "comma")
    assert declared.returncode == 0, declared.stdout + declared.stderr
    assert json.loads(declared.stdout)["results"] == json.loads(plain.stdout)["results"]
    undeclared = _assay("potency", str(semicolons), *POTENCY)
    assert undeclared.returncode == 1
    assert json.loads(undeclared.stdout)["diagnostics"][0]["code"] == "DOS-D009"


def test_one_character_for_both_separators_is_a_usage_error(tmp_path: Path) -> None:
    result = _assay("potency", str(RUN), *POTENCY, "--decimal", "comma", "--thousands", "comma")
    assert result.returncode == 2
    assert "cannot both be 'comma'" in result.stderr


def test_validation_command_takes_the_convention(tmp_path: Path) -> None:
    source = EXAMPLE / "data" / "validation" / "cytotox_accuracy.csv"
    path = tmp_path / "accuracy.csv"
    path.write_text(source.read_text("utf-8").replace(",", ";").replace(".", ","), "utf-8")
    args = ("validation", str(path), "--characteristic", "accuracy", "--format", "json")
    plain = _assay("validation", str(source), *args[2:])
    declared = _assay(*args, "--decimal", "comma")
    assert declared.returncode == 0, declared.stdout + declared.stderr
    assert json.loads(declared.stdout) == json.loads(plain.stdout)
    assert _assay(*args).returncode == 1


def test_the_cli_warns_of_repeated_rows_on_stderr(tmp_path: Path) -> None:
    lines = RUN.read_text("utf-8").splitlines()
    path = tmp_path / "run.csv"
    path.write_text("\n".join([*lines, lines[3]]) + "\n", "utf-8")
    result = _assay("potency", str(path), *POTENCY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"run.csv:{len(lines) + 1}:1: warning DOS-D011" in result.stderr
    assert "line 4" in result.stderr
    json.loads(result.stdout)  # standard output stays the JSON result


# --- declared in the project file ----------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
    return folder


def _declare(folder: Path, after: str, field: str) -> None:
    """Add ``field`` to the mapping holding the line that contains ``after``."""
    project = folder / "dossier.yaml"
    lines = project.read_text("utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if after in line)
    indent = lines[row][: len(lines[row]) - len(lines[row].lstrip())].replace("-", " ")
    lines.insert(row + 1, f"{indent}{field}\n")
    project.write_text("".join(lines), "utf-8")


def _european(folder: Path) -> None:
    """Write the first run with decimal commas and the biodistribution copies with
    thousands commas."""
    run = folder / "data" / "potency" / "cytotoxicity_r1.csv"
    run.write_text(run.read_text("utf-8").replace(",", ";").replace(".", ","), "utf-8")
    bd = folder / "data" / "biodistribution_nsg.csv"
    rows = bd.read_text("utf-8").splitlines()
    out = [rows[0]]
    for line in rows[1:]:
        cells = line.split(",")
        if cells[5].isdigit() and int(cells[5]) >= 1000:
            cells[5] = f'"{int(cells[5]):,}"'
        out.append(",".join(cells))
    bd.write_text("\n".join(out) + "\n", "utf-8")


def _diagnostics(folder: Path) -> list[tuple[str, str, int]]:
    from dossier.analysis.project import compute_project
    from dossier.model.project_io import load_project

    computed = compute_project(load_project(folder), send=False)
    return sorted(
        (d.code, Path(d.location.file).name, d.location.line) for d in computed.diagnostics
    )


def test_the_convention_declared_in_the_project_is_used(tmp_path: Path) -> None:
    run = "data: data/potency/cytotoxicity_r1.csv"
    study = "biodistribution: data/biodistribution_nsg.csv"
    plain = _copy(tmp_path / "plain")
    # the defaults written out: the project file's lines stay those of the other copy
    _declare(plain, run, "decimal: point")
    _declare(plain, study, "thousands: none")
    baseline = _diagnostics(plain)
    folder = _copy(tmp_path / "european")
    _european(folder)
    _declare(folder, run, "decimal: point")
    _declare(folder, study, "thousands: none")
    undeclared = _diagnostics(folder)
    files = {file for code, file, _ in undeclared if code == "DOS-D009"}
    assert files == {"cytotoxicity_r1.csv", "biodistribution_nsg.csv"}
    for before, after in ((run, "decimal: comma"), (study, "thousands: comma")):
        project = folder / "dossier.yaml"
        text = project.read_text("utf-8")
        default = "decimal: point" if after.startswith("decimal") else "thousands: none"
        head, tail = text.split(before, 1)
        project.write_text(head + before + tail.replace(default, after, 1), "utf-8")
    assert _diagnostics(folder) == baseline


def test_one_character_for_both_separators_is_a_model_error(tmp_path: Path) -> None:
    from dossier.model.project_io import load_project

    folder = _copy(tmp_path)
    _declare(folder, "data: data/potency/cytotoxicity_r1.csv", "decimal: comma")
    _declare(folder, "data: data/potency/cytotoxicity_r1.csv", "thousands: comma")
    with pytest.raises(UserError) as info:
        load_project(folder)
    (diag,) = info.value.diagnostics
    assert diag.code == "DOS-M006"
    assert "cannot both be 'comma'" in diag.message
