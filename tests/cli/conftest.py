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
DATA = ROOT / "tests" / "data"

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


@pytest.fixture
def turbidimetric_csv(tmp_path: Path) -> Path:
    """Ph. Eur. 5.1.3 written as preparation,dose,response,block (dose ratio 1.5)."""
    src = (DATA / "pheur53" / "ex513_turbidimetric_rbd.csv").read_text("utf-8").splitlines()
    out = ["preparation,dose,response,block"]
    for line in src[1:]:
        block, prep, step, response = line.split(",")
        out.append(f"{prep},{1.5 ** (int(step) - 1)},{response},{block}")
    path = tmp_path / "turbidimetric.csv"
    path.write_text("\n".join(out) + "\n", "utf-8")
    return path
