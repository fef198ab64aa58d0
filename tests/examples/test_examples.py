"""The example projects validate under --strict and check with only their documented findings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/dossier.yaml"))


def _dossier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_there_are_four_examples() -> None:
    assert [p.name for p in EXAMPLES] == [
        "aav-systemic",
        "car-t-nl",
        "ipsc-local",
        "msc-confirmatory-ema",
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_strict(example: Path) -> None:
    result = _dossier("validate", str(example), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid (0 error(s), 0 warning(s))" in result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_findings_are_the_documented_ones(example: Path) -> None:
    result = _dossier("check", str(example), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    found = {f["rule"] for f in report["findings"]}
    notes = (example / "NOTES.md").read_text("utf-8")
    intentional = notes.split("## Intentional findings", 1)[1]
    documented = set(re.findall(r"`([A-Z]{3}-\d{3})`", intentional))
    assert found == documented
    assert report["errors"] == 0


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_carries_the_schema_modeline(example: Path) -> None:
    first = (example / "dossier.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../docs/schema/project.schema.json"
