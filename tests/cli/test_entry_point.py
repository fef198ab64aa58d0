"""The real entry point in a fresh process: what it imports, its exit codes, no
traceback, and when it lets the garbage collector run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE, copy_example, run_entry_point

HEAVY = ("numpy", "scipy", "matplotlib", "docxtpl", "pandas", "statsmodels")


def _imported(importtime_log: str) -> set[str]:
    """Top-level packages named in a ``-X importtime`` log."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_validate_imports_no_numerics_plotting_or_word() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dossier", "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    imported = _imported(done.stderr)
    assert {"dossier", "pydantic", "click"} <= imported  # the log is read correctly
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_an_invalid_project_exits_1_without_traceback(tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    project.write_text(project.read_text("utf-8").replace("  route:", "  rout:", 1), "utf-8")
    for command in ("validate", "check", "build"):
        done = run_entry_point(command, project)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "error DOS-M002" in done.stdout, command
        assert "Traceback" not in done.stdout + done.stderr, command


def test_wrong_usage_exits_2() -> None:
    assert run_entry_point("validate", "--format", "xml", EXAMPLE).returncode == 2
    assert run_entry_point("no-such-command").returncode == 2


def test_commands_inherit_the_session_cache_folder() -> None:
    script = "from dossier.core.cache import cache_folder; print(cache_folder())"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == os.environ["DOSSIER_CACHE_DIR"]
    home_cache = Path("~/.cache").expanduser()
    assert not Path(os.environ["DOSSIER_CACHE_DIR"]).is_relative_to(home_cache)
    assert not Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(home_cache)


GC_STATE = """
import gc, sys
from dossier.cli import main
def report(code=0):
    print("enabled" if gc.isenabled() else "disabled", gc.get_freeze_count() > 0)
    raise SystemExit(code)
sys.exit = report
try:
    main.run(sys.argv[1:])
except SystemExit:
    pass
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # loading the project is the whole command: no collection at all
        (["validate", str(EXAMPLE)], "disabled False"),
        # the analyses after the load collect, with what the start-up made frozen
        (["validate", "--deep", str(EXAMPLE)], "enabled True"),
        (["check", str(EXAMPLE)], "enabled True"),
        # commands without a project collect from the moment they are resolved
        (["schema"], "enabled True"),
    ],
)
def test_the_command_line_collects_after_its_start_up(args: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", GC_STATE, *args], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == expected, done.stdout + done.stderr


def test_the_library_leaves_the_collector_alone() -> None:
    script = (
        "import gc, dossier; dossier.check(dossier.load_project(sys.argv[1]));"
        "print(gc.isenabled(), gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys;" + script, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "True 0", done.stdout + done.stderr
