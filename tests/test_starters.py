"""Every starter of ``dossier init`` is a project a user can take all the way: it
validates, builds (exit 0) and is checked without an internal error; its findings are
the open points of a new project."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.starters import ARCHETYPES
from tests.cli.conftest import run_entry_point


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_init_validate_build_check(tmp_path: Path, archetype: str) -> None:
    target = tmp_path / archetype
    assert run_entry_point("init", str(target), "--archetype", archetype).returncode == 0
    validated = run_entry_point("validate", str(target), "--strict")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = run_entry_point("build", str(target))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "internal error" not in built.stderr
    for name in ("impd-quality.docx", "impd-nonclinical.docx", "briefing-document.docx"):
        assert (target / "out" / name).stat().st_size > 0, name
    checked = run_entry_point("check", str(target), "--format", "json")
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    assert "internal error" not in checked.stderr
    assert "Traceback" not in checked.stderr
