"""Builds are reproducible, and never lose a draft someone edited."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .conftest import HAVE_OFFICE, ROOT, build


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
    folder = _copy(tmp_path)
    assert build(folder).returncode == 0
    manifest = json.loads((folder / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["tool"] == "dossier"
    assert any(name.endswith("dossier.yaml") for name in manifest["inputs"])
    assert any("send/CBER-POC-Pilot-Study3-Gene-Therapy/ts.xpt" in n for n in manifest["inputs"])
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / "out" / name).read_bytes()).hexdigest() == digest


# --- the output set: editor locks, interrupted and concurrent builds, traceability -------


def _ipsc(tmp_path: Path, version: str = "0.3", name: str = "ipsc-local") -> Path:
    """A copy of the iPSC example (the quickest to build) at document version ``version``."""
    folder = _copy(tmp_path, "ipsc-local")
    if name != "ipsc-local":
        folder = folder.rename(tmp_path / name)
    _set_version(folder, version)
    return folder


def _set_version(folder: Path, version: str) -> None:
    project = folder / "dossier.yaml"
    text = project.read_text("utf-8")
    current = re.search(r'document: \{version: "([^"]+)"', text)
    assert current is not None
    project.write_text(text.replace(current.group(0), f'document: {{version: "{version}"'), "utf-8")


def _state(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.iterdir())}


def _one_build(out: Path) -> str:
    """The build id of the output folder, after checking that every output and the
    manifest come from that one build."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    build_id = manifest["build"]
    assert manifest["outputs"], manifest
    for name, digest in manifest["outputs"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        if name.endswith(".docx"):
            with zipfile.ZipFile(out / name) as docx:
                core = docx.read("docProps/core.xml").decode("utf-8")
            assert f"inputs {build_id}" in core, name
    return str(build_id)


def _popen(folder: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dossier", "build", str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def test_a_word_lock_under_its_real_name_stops_the_build(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    assert build(folder).returncode == 0
    out = folder / "out"
    before = _state(out)
    _set_version(folder, "0.4")  # a build would change every draft
    # Word shortens the name: the first two characters give way to ~$
    (out / "~$pd-nonclinical.docx").write_bytes(b"\x05alice" + b"\x00" * 156)
    result = build(folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DOS-B002" in result.stdout
    assert "impd-nonclinical.docx is open in a word processor" in result.stdout
    assert "~$pd-nonclinical.docx" in result.stdout
    after = _state(out)
    del after["~$pd-nonclinical.docx"]
    assert after == before
    assert sorted(p.name for p in folder.iterdir()) == ["NOTES.md", "data", "dossier.yaml", "out"]


def test_a_build_killed_between_its_moves_is_completed_by_the_next(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    assert build(folder).returncode == 0
    out = folder / "out"
    first = _one_build(out)
    _set_version(folder, "0.4")
    staging = tmp_path / "ipsc-local" / ".out.dossier-staging"
    killed = _popen(folder, DOSSIER_PAUSE_AFTER_MOVE="2")
    try:
        deadline = time.monotonic() + 240
        while not (staging / "paused").exists():
            assert killed.poll() is None, killed.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        killed.kill()
        killed.communicate()
    # two drafts of version 0.4 beside drafts and a manifest of version 0.3
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["build"] == first
    stale = [
        name
        for name, digest in manifest["outputs"].items()
        if hashlib.sha256((out / name).read_bytes()).hexdigest() != digest
    ]
    assert len(stale) == 2, stale
    _set_version(folder, "0.5")
    result = build(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DOS-B001" not in result.stdout
    assert "completing the output set of an interrupted build" in result.stderr
    assert _one_build(out) != first
    assert not staging.exists()
    assert not (tmp_path / "ipsc-local" / ".out.dossier-lock").exists()


def test_two_concurrent_builds_leave_the_outputs_of_one(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    one = _ipsc(tmp_path, "0.4", "one")
    two = _ipsc(tmp_path, "0.5", "two")
    assert build(_ipsc(tmp_path, "0.3", "zero"), "--out", str(shared)).returncode == 0
    builds = [_popen(one, "--out", str(shared)), _popen(two, "--out", str(shared))]
    results = [(b.wait(timeout=300), *b.communicate()) for b in builds]
    for code, stdout, stderr in results:
        assert code == 0, stdout + stderr
        assert "DOS-B001" not in stdout
    final = _one_build(shared)
    manifest = json.loads((shared / "manifest.json").read_text("utf-8"))
    yaml_hash = manifest["inputs"]["dossier.yaml"]
    assert yaml_hash in {
        hashlib.sha256((p / "dossier.yaml").read_bytes()).hexdigest() for p in (one, two)
    }
    assert final
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "shared", "two", "zero"]


def test_outputs_are_mode_0644_under_umask_0022(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(folder), "--only", "readiness"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (folder / "out").iterdir()}
    assert set(modes.values()) == {"0o644"}, modes


def _user_templates(folder: Path) -> Path:
    templates = folder / "tpl"
    (templates / "sections").mkdir(parents=True)
    (templates / "briefing").mkdir()
    shutil.copy(ROOT / "templates" / "house.docx", templates / "house.docx")
    shutil.copy(ROOT / "templates" / "house.docx", templates / "briefing" / "house.docx")
    outline = (ROOT / "sections" / "readiness.yaml").read_text("utf-8")
    (templates / "sections" / "readiness.yaml").write_text(
        outline.replace("regulatory readiness report", "readiness (house outline)"), "utf-8"
    )
    return templates


def test_user_outlines_and_templates_are_in_the_manifest_by_path(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    templates = _user_templates(folder)
    args = ["--templates", str(templates), "--only", "readiness", "--only", "briefing"]
    assert build(folder, *args).returncode == 0
    out = folder / "out"
    inputs = json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]
    digest = {k: v for k, v in inputs.items() if k.startswith(("outline:", "template:"))}
    assert set(digest) == {
        "outline:tpl/sections/readiness.yaml",
        "outline:dossier:sections/briefing.yaml",
        "template:tpl/house.docx",
        "template:tpl/briefing/house.docx",
    }
    first = _one_build(out)
    outline = templates / "sections" / "readiness.yaml"
    outline.write_text(outline.read_text("utf-8") + "# a comment changes the build id\n", "utf-8")
    assert build(folder, *args).returncode == 0
    assert _one_build(out) != first


def test_two_outlines_writing_one_file_are_an_error(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    templates = _user_templates(folder)
    briefing = (ROOT / "sections" / "briefing.yaml").read_text("utf-8")
    (templates / "sections" / "briefing.yaml").write_text(
        briefing.replace("file: briefing-document.docx", "file: Readiness-Report.docx"), "utf-8"
    )
    result = build(
        folder, "--templates", str(templates), "--only", "readiness", "--only", "briefing"
    )
    assert result.returncode == 1
    assert "DOS-B005" in result.stdout
    assert "both write Readiness-Report.docx" in result.stdout
    assert not (folder / "out").exists()


def test_an_outline_template_outside_the_template_folders_is_an_error(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    templates = _user_templates(folder)
    outline = templates / "sections" / "readiness.yaml"
    outline.write_text(
        outline.read_text("utf-8") + f"template: {ROOT / 'templates' / 'house.docx'}\n", "utf-8"
    )
    result = build(folder, "--templates", str(templates), "--only", "readiness")
    assert result.returncode == 1
    assert "DOS-T017" in result.stdout
    assert str(outline) in result.stdout


@pytest.mark.office
@pytest.mark.skipif(not HAVE_OFFICE, reason="needs LibreOffice and poppler")
def test_pdfs_are_reproducible_in_the_manifest_and_protected(tmp_path: Path) -> None:
    folder = _ipsc(tmp_path)
    args = ["--pdf", "--only", "readiness"]
    assert build(folder, *args, "--out", str(tmp_path / "a")).returncode == 0
    time.sleep(1)  # the converter's dates would differ
    assert build(folder, *args, "--out", str(tmp_path / "b")).returncode == 0
    pdf = "readiness-report.pdf"
    assert (tmp_path / "a" / pdf).read_bytes() == (tmp_path / "b" / pdf).read_bytes()
    outputs = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))["outputs"]
    assert outputs[pdf] == hashlib.sha256((tmp_path / "a" / pdf).read_bytes()).hexdigest()
    assert not list(tmp_path.glob(".*")), "no staging folder or LibreOffice profile is left"
    (tmp_path / "a" / pdf).write_bytes(b"%PDF-1.4 annotated")
    again = build(folder, *args, "--out", str(tmp_path / "a"))
    assert again.returncode == 1
    assert "readiness-report.pdf was changed after it was generated" in again.stdout
    assert (tmp_path / "a" / pdf).read_bytes() == b"%PDF-1.4 annotated"
    # a build without --pdf takes away the PDF of the draft it replaces, so that no copy
    # of the previous text sits next to the new draft; an edited one is kept, with a warning
    stale = build(folder, "--only", "readiness", "--out", str(tmp_path / "a"))
    assert "DOS-B010" in stale.stdout
    assert (tmp_path / "a" / pdf).exists()
    assert build(folder, "--only", "readiness", "--out", str(tmp_path / "b")).returncode == 0
    assert not (tmp_path / "b" / pdf).exists()
    outputs = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))["outputs"]
    assert pdf not in outputs
    assert "readiness-report.docx" in outputs


def test_build_errors_in_github_format(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("project: [\n", "utf-8")
    result = build(tmp_path, "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=")
    assert "DOS-Y005" in result.stdout
