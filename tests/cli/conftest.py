"""Running the command line in the test process (click's runner) or, where the exit code
of the real entry point and the absence of a traceback are the point, in a subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dossier.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "car-t-nl"

Invoke = Callable[..., Result]


def invoke(*args: str | Path) -> Result:
    """``dossier ARGS`` in this process; stdout and stderr apart. An exception other
    than an exit escapes, with its traceback, and fails the test."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def run_entry_point(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m dossier ARGS`` in a fresh process (it inherits the test session's
    environment, the cache folder included)."""
    return subprocess.run(
        [sys.executable, "-m", "dossier", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


def copy_example(tmp_path: Path, name: str = "car-t-nl") -> Path:
    """A copy of an example project (without its built drafts); its project file."""
    target = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, target, ignore=shutil.ignore_patterns("out"))
    return target / "dossier.yaml"


@pytest.fixture(name="invoke")
def invoke_fixture() -> Invoke:
    """The :func:`invoke` helper as a fixture."""
    return invoke
