"""Shared fixtures: each example built once per test session into a temporary folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema"]
HAVE_OFFICE = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None


def build(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `dossier build` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(folder), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example copied and built (with PDF when LibreOffice is there)."""
    out = {}
    for name in EXAMPLES:
        folder = tmp_path_factory.mktemp("built") / name
        shutil.copytree(ROOT / "examples" / name, folder, ignore=shutil.ignore_patterns("out"))
        args = ["--pdf"] if HAVE_OFFICE else []
        result = build(folder, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        out[name] = folder / "out"
    return out


def pdf_text(pdf: Path, *, layout: bool = True) -> str:
    """The text of a PDF through poppler's pdftotext: page layout, or content order (raw,
    which keeps the text of a table cell together)."""
    mode = "-layout" if layout else "-raw"
    return subprocess.run(
        ["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
