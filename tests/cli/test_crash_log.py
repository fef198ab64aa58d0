"""Crash logs go to dossier's cache folder, which keeps the newest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def test_crash_logs_go_to_the_cache_folder_and_are_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.cli import main

    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "crash"
    folder.mkdir(parents=True)
    for i in range(main.CRASH_LOGS_KEPT + 5):
        old = folder / f"dossier-crash-old{i:02d}.log"
        old.write_text("old", "utf-8")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        saved = Path(main._save_traceback())
    assert saved.parent == folder
    assert "RuntimeError: boom" in saved.read_text("utf-8")
    logs = sorted(p.name for p in folder.iterdir())
    assert len(logs) == main.CRASH_LOGS_KEPT
    assert saved.name in logs
    assert "dossier-crash-old00.log" not in logs


def test_without_a_cache_folder_crash_logs_go_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.cli import main

    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        saved = Path(main._save_traceback())
    assert saved.parent == tmp_path
