"""The output set in-process: editor locks, the build lock, staging, recovery, modes."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.core.errors import UserError
from dossier.package import output_set
from dossier.package.editor_locks import find_lock, lock_names, word_owner_file
from dossier.package.outputs import Output, sha256, write_outputs


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("impd-nonclinical.docx", "~$pd-nonclinical.docx"),  # stem of 16: two replaced
        ("briefing-document.docx", "~$iefing-document.docx"),
        ("abcdefgh.docx", "~$cdefgh.docx"),  # stem of 8: two replaced
        ("summary.docx", "~$ummary.docx"),  # stem of 7: one replaced
        ("brief.docx", "~$brief.docx"),  # stem of 5: prepended
        ("abcdef.docx", "~$abcdef.docx"),  # stem of 6: prepended
        ("Report.DOCX", "~$Report.DOCX"),
        ("impd-nonclinical.pdf", "~$impd-nonclinical.pdf"),  # not a Word format
    ],
)
def test_word_owner_file_follows_words_rule(name: str, owner: str) -> None:
    assert word_owner_file(name) == owner


def test_every_lock_form_is_found(tmp_path: Path) -> None:
    name = "impd-nonclinical.docx"
    assert lock_names(name) == [
        "~$pd-nonclinical.docx",
        "~$impd-nonclinical.docx",
        ".~lock.impd-nonclinical.docx#",
    ]
    assert find_lock(tmp_path, name) is None
    for lock in lock_names(name):
        (tmp_path / lock).write_bytes(b"\x05alice")
        assert find_lock(tmp_path, name) == tmp_path / lock
        (tmp_path / lock).unlink()


def _outputs(tag: str) -> list[Output]:
    return [
        Output("impd-nonclinical.docx", f"nonclinical {tag}".encode()),
        Output("briefing-document.docx", f"briefing {tag}".encode()),
        Output("readiness-report.docx", f"readiness {tag}".encode()),
    ]


def _write(out: Path, tag: str, **kwargs: object) -> None:
    write_outputs(out, _outputs(tag), {"dossier.yaml": tag}, force=False, build_id=tag, **kwargs)  # type: ignore[arg-type]


def _consistent(out: Path) -> str:
    """The build whose outputs the folder holds, after checking that every output and
    the manifest come from it."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    tag = manifest["build"]
    for name, digest in manifest["outputs"].items():
        data = (out / name).read_bytes()
        assert sha256(data) == digest, name
        assert data.endswith(tag.encode()), name
    return str(tag)


def test_nothing_is_left_next_to_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _write(out, "v2")
    assert _consistent(out) == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_outputs_respect_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        _write(tmp_path / "out", "v1")
    finally:
        os.umask(previous)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert set(modes.values()) == {0o644}, modes
    previous = os.umask(0o077)
    try:
        _write(tmp_path / "private", "v1")
    finally:
        os.umask(previous)
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "private").iterdir()} == {0o600}


def test_a_word_lock_under_its_real_name_stops_the_build_before_anything_is_touched(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    (out / "~$pd-nonclinical.docx").write_bytes(b"\x05alice")
    with pytest.raises(UserError) as caught:
        _write(out, "v2")
    [problem] = caught.value.diagnostics
    assert problem.code == "DOS-B002"
    assert "impd-nonclinical.docx is open in a word processor" in problem.message
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    del after["~$pd-nonclinical.docx"]
    assert after == before
    assert not output_set.staging_folder(out).exists()


def test_edited_outputs_are_all_named_and_none_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    (out / "impd-nonclinical.docx").write_bytes(b"edited")
    (out / "readiness-report.docx").write_bytes(b"edited too")
    with pytest.raises(UserError) as caught:
        _write(out, "v2")
    assert [d.code for d in caught.value.diagnostics] == ["DOS-B001", "DOS-B001"]
    assert (out / "briefing-document.docx").read_bytes() == b"briefing v1"


def test_a_manifest_that_is_not_an_object_protects_every_draft(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    (out / "manifest.json").write_text("[1, 2]", "utf-8")
    with pytest.raises(UserError) as caught:
        _write(out, "v2")
    assert {d.code for d in caught.value.diagnostics} == {"DOS-B001"}
    assert "is not in the build manifest" in caught.value.diagnostics[0].message


def test_an_output_name_taken_by_a_folder_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "briefing-document.docx").mkdir(parents=True)
    with pytest.raises(UserError) as caught:
        _write(out, "v1")
    assert [d.code for d in caught.value.diagnostics] == ["DOS-B006"]
    assert (out / "briefing-document.docx").is_dir()


def test_output_names_that_collide_are_an_error(tmp_path: Path) -> None:
    outputs = [Output("a.docx", b"1"), Output("A.docx", b"2")]
    with pytest.raises(UserError) as caught:
        write_outputs(tmp_path / "out", outputs, {}, force=False)
    assert caught.value.diagnostics[0].code == "DOS-B005"
    assert not (tmp_path / "out").exists()


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """The build lock of tmp_path/out, held by someone else."""
    out = tmp_path / "out"
    out.mkdir()
    lock = output_set.BuildLock(out, owner={"project": "/elsewhere/dossier.yaml"})
    lock.acquire()
    yield out
    lock.release()


def test_a_second_build_waits_then_names_the_first(held_lock: Path) -> None:
    with pytest.raises(UserError) as caught:
        _write(held_lock, "v2", lock_wait=0.3)
    [problem] = caught.value.diagnostics
    assert problem.code == "DOS-B004"
    assert f"process {os.getpid()}" in problem.message
    assert "building /elsewhere/dossier.yaml" in problem.message
    assert "waiting 0 s" in problem.message
    assert list(held_lock.iterdir()) == []


def test_a_second_build_goes_ahead_once_the_first_is_done(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lock = output_set.BuildLock(out)
    lock.acquire()
    timer = threading.Timer(0.5, lock.release)
    timer.start()
    try:
        _write(out, "v2", lock_wait=10)
    finally:
        timer.join()
    assert _consistent(out) == "v2"


def _interrupted(out: Path, tag: str, moved: int) -> None:
    """The state a build of ``tag`` leaves when it is killed after ``moved`` moves."""
    staging = output_set.staging_folder(out)
    staging.mkdir()
    names = [o.name for o in _outputs(tag)]
    hashes = {}
    for output in _outputs(tag):
        output_set.write_file(staging / output.name, output.data)
        hashes[output.name] = sha256(output.data)
    data = json.dumps({"build": tag, "inputs": {}, "outputs": dict(hashes)}).encode()
    output_set.write_file(staging / "manifest.json", data)
    hashes["manifest.json"] = sha256(data)
    moves = [
        output_set.Move(n, output_set.file_hash(out / n), hashes[n])
        for n in [*names, "manifest.json"]
    ]
    (staging / "journal.json").write_text(
        json.dumps({"build": tag, "moves": [m.to_dict() for m in moves]}), "utf-8"
    )
    for move in moves[:moved]:
        os.replace(staging / move.name, out / move.name)


@pytest.mark.parametrize("moved", [0, 1, 2, 3])
def test_an_interrupted_set_is_completed_without_claiming_an_edit(
    tmp_path: Path, moved: int
) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _interrupted(out, "v2", moved)
    _write(out, "v3")  # no DOS-B001: the set of v2 is completed first
    assert _consistent(out) == "v3"
    assert not output_set.staging_folder(out).exists()


def test_recovery_completes_the_interrupted_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _interrupted(out, "v2", 1)
    assert output_set.recover(out) == []
    assert _consistent(out) == "v2"


def test_a_set_interrupted_before_its_journal_is_rolled_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    staging = output_set.staging_folder(out)
    staging.mkdir()
    (staging / "impd-nonclinical.docx").write_bytes(b"half a build")
    assert output_set.recover(out) == []
    assert not staging.exists()
    assert _consistent(out) == "v1"


def test_a_draft_edited_after_the_interruption_is_kept_and_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _interrupted(out, "v2", 1)
    (out / "readiness-report.docx").write_bytes(b"edited by hand")
    assert output_set.recover(out) == ["readiness-report.docx"]
    assert (out / "readiness-report.docx").read_bytes() == b"edited by hand"
    with pytest.raises(UserError) as caught:
        _write(out, "v3")
    [problem] = caught.value.diagnostics
    assert problem.code == "DOS-B001"
    assert "readiness-report.docx was changed after it was generated" in problem.message


def test_recovery_waits_for_an_open_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _interrupted(out, "v2", 1)
    (out / ".~lock.readiness-report.docx#").write_text("alice", "utf-8")
    with pytest.raises(UserError) as caught:
        output_set.recover(out)
    assert caught.value.diagnostics[0].code == "DOS-B002"
    (out / ".~lock.readiness-report.docx#").unlink()
    output_set.recover(out)
    assert _consistent(out) == "v2"


def test_force_keeps_a_backup_of_each_edited_draft(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    (out / "briefing-document.docx").write_bytes(b"edited")
    result = write_outputs(out, _outputs("v2"), {}, force=True, build_id="v2")
    [backup] = result.backups
    assert backup.read_bytes() == b"edited"
    assert backup.name.startswith("briefing-document.backup-")
    assert (out / "briefing-document.docx").read_bytes() == b"briefing v2"


def test_a_disk_that_fills_up_while_staging_replaces_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    out = tmp_path / "out"
    _write(out, "v1")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real = output_set.write_file

    def full(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(output_set, "write_file", full)
    with pytest.raises(UserError) as caught:
        _write(out, "v2")
    [problem] = caught.value.diagnostics
    assert problem.code == "DOS-B009"
    assert "No space left on device" in problem.message
    assert "nothing was replaced" in problem.message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not output_set.staging_folder(out).exists()


def test_a_build_lock_that_cannot_be_made_is_a_located_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    output_set.lock_path(out).mkdir(parents=True)
    with pytest.raises(UserError) as caught:
        _write(out, "v1")
    assert caught.value.diagnostics[0].code == "DOS-B009"
    assert "the build lock cannot be created" in caught.value.diagnostics[0].message


def _pretend_pdf_build(out: Path, name: str, data: bytes) -> None:
    """Leave ``name`` in ``out`` as a build with --pdf would: the file and its hash in
    the manifest (converting needs LibreOffice; the office tests cover the real flow)."""
    (out / name).write_bytes(data)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    manifest["outputs"][name] = sha256(data)
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def test_a_build_without_pdf_removes_the_pdf_of_the_previous_draft(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _pretend_pdf_build(out, "briefing-document.pdf", b"%PDF v1")
    written = write_outputs(out, _outputs("v2"), {"dossier.yaml": "v2"}, force=False, build_id="v2")
    assert not (out / "briefing-document.pdf").exists()
    assert written.removed == ["briefing-document.pdf"]
    assert written.stale == []
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "briefing-document.pdf" not in manifest["outputs"]
    assert (out / "briefing-document.docx").read_bytes() == b"briefing v2"


def test_an_edited_or_foreign_pdf_is_kept_and_reported_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    _pretend_pdf_build(out, "briefing-document.pdf", b"%PDF v1")
    (out / "briefing-document.pdf").write_bytes(b"%PDF v1 with a reviewer's notes")
    (out / "readiness-report.pdf").write_bytes(b"%PDF someone else's")
    written = write_outputs(out, _outputs("v2"), {"dossier.yaml": "v2"}, force=False, build_id="v2")
    assert (out / "briefing-document.pdf").read_bytes() == b"%PDF v1 with a reviewer's notes"
    assert (out / "readiness-report.pdf").read_bytes() == b"%PDF someone else's"
    assert sorted(written.stale) == ["briefing-document.pdf", "readiness-report.pdf"]
    assert written.removed == []


def test_a_removal_in_an_interrupted_set_is_completed_only_for_the_checked_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"old")
    (out / "b.pdf").write_bytes(b"edited after the check")
    staging = output_set.staging_folder(out)
    staging.mkdir()
    moves = [
        output_set.Move("a.pdf", sha256(b"old"), None),
        output_set.Move("b.pdf", sha256(b"as checked"), None),
    ]
    journal = {"build": "x", "moves": [m.to_dict() for m in moves]}
    (staging / output_set.JOURNAL).write_text(json.dumps(journal), "utf-8")
    left = output_set.recover(out)
    assert not (out / "a.pdf").exists()
    assert (out / "b.pdf").read_bytes() == b"edited after the check"
    assert left == ["b.pdf"]
