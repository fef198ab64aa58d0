"""Every starter of ``dossier init`` is a project a user can take all the way: it
validates, builds (exit 0) and is checked without an internal error; its findings are
the open points of a new project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dossier.starters import ARCHETYPES


def _dossier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_init_validate_build_check(tmp_path: Path, archetype: str) -> None:
    target = tmp_path / archetype
    assert _dossier("init", str(target), "--archetype", archetype).returncode == 0
    validated = _dossier("validate", str(target), "--strict")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = _dossier("build", str(target))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "internal error" not in built.stderr
    for name in ("impd-quality-potency.docx", "impd-nonclinical.docx", "briefing-document.docx"):
        assert (target / "out" / name).stat().st_size > 0, name
    checked = _dossier("check", str(target), "--format", "json")
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    assert "internal error" not in checked.stderr
    assert "Traceback" not in checked.stderr
