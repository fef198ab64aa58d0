"""Every malformed input gives one located error with a stable code, fast, no traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dossier.core.errors import UserError
from dossier.load.yaml_source import load_yaml, load_yaml_text

from .cases import BOM_OK, CASES, Case


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_loader_reports_located_error(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_bytes(case.content)
    start = time.perf_counter()
    with pytest.raises(UserError) as info:
        load_yaml(path)
    assert time.perf_counter() - start < 5
    diag = info.value.diagnostics[0]
    assert (diag.code, diag.location.line, diag.location.column) == (
        case.code,
        case.line,
        case.column,
    ), diag.format_text()
    assert diag.message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cli_exits_1_with_file_line_col_and_no_traceback(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "dossier.yaml"
    path.write_bytes(case.content)
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"dossier.yaml:{case.line}:{case.column}: error {case.code}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_utf8_bom_is_accepted() -> None:
    doc = load_yaml_text(BOM_OK, "bom.yaml")
    assert doc.data["project"] == {"id": "p"}


def test_source_map_positions() -> None:
    text = "a:\n  b: [1, {c: x}]\n  d:\n    - e: 2\n      f: 3\n"
    doc = load_yaml_text(text, "m.yaml")
    value = doc.locate(("a", "b", 1, "c"))  # "  b: [1, {c: x}]": x is in column 14
    assert (value.line, value.column) == (2, 14)
    assert (doc.locate_key(("a", "d")).line, doc.locate_key(("a", "d")).column) == (3, 3)
    loc = doc.locate(("a", "d", 0, "f"))
    assert (loc.line, loc.column) == (5, 10)
    # a missing path falls back to the nearest ancestor, keeping the asked-for path
    missing = doc.locate(("a", "d", 0, "zzz"))
    assert (missing.line, missing.column, missing.path) == (4, 7, ("a", "d", 0, "zzz"))
    assert doc.keys_at(("a",)) == ["b", "d"]


def test_scalars_follow_yaml_1_2_core_schema() -> None:
    doc = load_yaml_text(
        "a: 1.0e14\nb: yes\nc: 2026-01-15\nd: '1'\ne: ~\nf: 0x1F\ng: .inf\nh: 1e5\n", "s.yaml"
    )
    import datetime as dt

    assert doc.data == {
        "a": 1.0e14,
        "b": "yes",  # YAML 1.2: 'yes' is text, not a boolean
        "c": dt.date(2026, 1, 15),
        "d": "1",
        "e": None,
        "f": 31,
        "g": float("inf"),
        "h": 1e5,
    }


def test_data_paths_stay_inside_the_project(tmp_path: Path) -> None:
    from dossier.core.diagnostics import Location
    from dossier.load.paths import resolve_data_path

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "run.csv").write_text("x\n")
    outside = tmp_path.parent / "secret.csv"
    outside.write_text("x\n")
    (tmp_path / "data" / "link.csv").symlink_to(outside)
    where = Location("dossier.yaml", 3, 9)
    assert resolve_data_path(tmp_path, "data/run.csv", where).name == "run.csv"
    for ref, code in [
        ("../secret.csv", "DOS-L003"),
        ("/etc/passwd", "DOS-L003"),
        ("C:\\data\\run.csv", "DOS-L003"),
        ("data/link.csv", "DOS-L003"),
        ("data/missing.csv", "DOS-L004"),
        ("data", "DOS-L005"),
    ]:
        with pytest.raises(UserError) as info:
            resolve_data_path(tmp_path, ref, where)
        diag = info.value.diagnostics[0]
        assert (diag.code, diag.location.line, diag.location.column) == (code, 3, 9), ref
