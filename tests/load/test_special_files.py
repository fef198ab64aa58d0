"""Only regular files are read: a device, a named pipe or a folder is a located error, fast.

``/dev/zero`` never ends and a named pipe blocks until a writer comes; both used to
exhaust memory or hang. They are refused by their type before anything is read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dossier.core.diagnostics import Location
from dossier.core.errors import DataFileError, UserError
from dossier.load.paths import resolve_data_path
from dossier.load.tables import read_table
from dossier.load.yaml_source import load_yaml

POTENCY = ("--model", "parallel-line", "--standard", "S")

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _validate(target: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", "validate", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_named_pipe_as_project_file_exits_1_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "dossier.yaml"
    os.mkfifo(pipe)
    start = time.perf_counter()
    result = _validate(pipe)  # no writer ever comes: reading would block for ever
    assert time.perf_counter() - start < 30
    assert result.returncode == 1, result.stderr
    assert "error DOS-Y001" in result.stdout
    assert "named pipe" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_named_pipe_as_project_file_in_a_folder(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "dossier.yaml")
    result = _validate(tmp_path)
    assert result.returncode == 1
    assert "dossier.yaml:1:1: error DOS-Y001" in result.stdout
    assert "named pipe" in result.stdout


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_as_project_file_is_refused(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    start = time.perf_counter()
    with pytest.raises(UserError) as info:
        load_yaml(device)
    assert time.perf_counter() - start < 5
    (diag,) = info.value.diagnostics
    assert diag.code == "DOS-Y001"
    assert "character device" in diag.message
    result = _validate(device)
    assert result.returncode == 1
    assert "error DOS-Y001" in result.stdout


def test_a_folder_named_like_the_project_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").mkdir()
    with pytest.raises(UserError) as info:
        load_yaml(tmp_path / "dossier.yaml")
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.location.line, diag.location.column) == ("DOS-Y001", 1, 1)
    assert "folder" in diag.message


def test_a_project_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    from dossier.load.yaml_source import Limits

    path = tmp_path / "dossier.yaml"
    path.write_text("a: 1\n" * 100, "utf-8")
    with pytest.raises(UserError) as info:
        load_yaml(path, limits=Limits(max_bytes=100))
    assert info.value.diagnostics[0].code == "DOS-Y002"


def test_a_named_pipe_as_data_file_is_refused(tmp_path: Path) -> None:
    pipe = tmp_path / "run.csv"
    os.mkfifo(pipe)
    start = time.perf_counter()
    with pytest.raises(DataFileError) as info:
        read_table(pipe, required=("dose",))
    assert time.perf_counter() - start < 5
    (diag,) = info.value.diagnostics
    assert diag.code == "DOS-D001"
    assert "named pipe" in diag.message


def test_a_device_as_data_file_is_refused() -> None:
    with pytest.raises(DataFileError) as info:
        read_table(Path("/dev/zero"), required=("dose",))
    assert "character device" in info.value.diagnostics[0].message


def test_a_data_reference_to_a_named_pipe_is_refused_where_it_is_written(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "run.csv")
    where = Location("dossier.yaml", 12, 19)
    with pytest.raises(UserError) as info:
        resolve_data_path(tmp_path, "data/run.csv", where)
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.location.line, diag.location.column) == ("DOS-L006", 12, 19)
    assert "named pipe" in diag.message
    with pytest.raises(UserError) as info:
        resolve_data_path(tmp_path, "data/run.csv", where, kind="dir")
    assert info.value.diagnostics[0].code == "DOS-L006"


def test_the_cli_refuses_a_named_pipe_as_data_file(tmp_path: Path) -> None:
    pipe = tmp_path / "run.csv"
    os.mkfifo(pipe)
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "assay", "potency", str(pipe), *POTENCY],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error DOS-D001" in result.stdout
