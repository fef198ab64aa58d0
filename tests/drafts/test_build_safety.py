"""Builds are reproducible, and never lose a draft someone edited."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .conftest import ROOT, build


def _copy(tmp_path: Path, name: str = "aav-systemic") -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, folder, ignore=shutil.ignore_patterns("out"))
    return folder


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert build(folder, "--out", str(tmp_path / "a")).returncode == 0
    time.sleep(2)  # zip entry times would differ if they were taken from the clock
    assert build(folder, "--out", str(tmp_path / "b")).returncode == 0
    for docx in sorted((tmp_path / "a").glob("*.docx")):
        assert docx.read_bytes() == (tmp_path / "b" / docx.name).read_bytes(), docx.name


def test_an_edited_draft_is_not_overwritten_and_force_keeps_a_backup(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert build(folder).returncode == 0
    draft = folder / "out" / "briefing-document.docx"
    edited = draft.read_bytes() + b"edited in Word"
    draft.write_bytes(edited)
    again = build(folder)
    assert again.returncode == 1
    assert "DOS-B001" in again.stdout
    assert "briefing-document.docx was changed after it was generated" in again.stdout
    assert draft.read_bytes() == edited
    forced = build(folder, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    backups = list((folder / "out").glob("briefing-document.backup-*.docx"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == edited
    assert draft.read_bytes() != edited


def test_an_open_document_is_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert build(folder).returncode == 0
    (folder / "out" / ".~lock.impd-nonclinical.docx#").write_text("someone", "utf-8")
    result = build(folder)
    assert result.returncode == 1
    assert "DOS-B002" in result.stdout
    assert "open in a word processor" in result.stdout


def test_manifest_records_inputs_and_outputs(tmp_path: Path) -> None:
    import hashlib
    import json

    folder = _copy(tmp_path)
    assert build(folder).returncode == 0
    manifest = json.loads((folder / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["tool"] == "dossier"
    assert any(name.endswith("dossier.yaml") for name in manifest["inputs"])
    assert any("send/CBER-POC-Pilot-Study3-Gene-Therapy/ts.xpt" in n for n in manifest["inputs"])
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / "out" / name).read_bytes()).hexdigest() == digest
