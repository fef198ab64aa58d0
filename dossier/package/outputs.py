"""Writing the drafts safely: reproducible bytes, a manifest, protected edits, one unit.

- *Reproducible*: the zip is rewritten with fixed entry times and a fixed order, and
  document dates come from the project file, so the same inputs give the same bytes;
  PDFs are rewritten the same way (:mod:`dossier.package.pdf`).
- *Manifest*: ``manifest.json`` records the tool version, the build id, the SHA-256 of
  the project file, of every data file, outline and template (by path) and of every
  output, the PDFs included.
- *Nothing lost*: a draft or PDF whose hash differs from the manifest (someone edited
  it) is not overwritten: the build stops naming the file, and ``--force`` first keeps a
  timestamped copy. A document open in Word or LibreOffice, whatever the form of its lock
  file (:mod:`dossier.package.editor_locks`), stops the build before any output is
  touched.
- *One unit*: every output and the manifest are written into a staging folder and moved
  into place together, under a lock that serializes the builds of one output folder; an
  interrupted build is completed or rolled back by the next
  (:mod:`dossier.package.output_set`).

Codes:
``DOS-B001`` edited draft,
``DOS-B002`` document open in an editor,
``DOS-B005`` two outputs of a build with the same name,
``DOS-B006`` an output name taken by something that is not a regular file,
``DOS-B007`` an output edited while the build replaced its output set (left as it is),
``DOS-B010`` a PDF older than its rebuilt draft that is not the one dossier wrote (kept).

*No stale copies*: a build without ``--pdf`` removes the PDF an earlier build made of a
draft it replaces (it would show the old text next to the new draft), as part of the
same output set; a PDF that was changed since it was written is kept, with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.core.version import __version__
from dossier.package import output_set
from dossier.package.editor_locks import find_lock
from dossier.package.pdf import convert_to_pdf, find_converter, normalize_pdf, pdf_name
from dossier.word.save import normalize_docx

__all__ = [
    "MANIFEST",
    "Output",
    "Written",
    "check_editor_locks",
    "check_names",
    "check_writable",
    "convert_to_pdf",
    "normalize_docx",
    "output_names",
    "sha256",
    "write_outputs",
]

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Output:
    """One file to write: its name in the output folder and its bytes; ``pdf``: a draft
    that gets a PDF copy (False for a data file such as a JSON twin)."""

    name: str
    data: bytes
    pdf: bool = True


@dataclass
class Written:
    """What :func:`write_outputs` did."""

    written: list[Path] = field(default_factory=list)
    """The drafts, in the output folder."""
    pdfs: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    """Output name -> SHA-256, the manifest included."""
    left: list[str] = field(default_factory=list)
    """Outputs left as they were because someone changed them while the build wrote."""
    removed: list[str] = field(default_factory=list)
    """PDFs of earlier builds removed because their drafts were rebuilt without PDFs."""
    stale: list[str] = field(default_factory=list)
    """PDFs older than their rebuilt drafts, kept because they were not dossier's."""


def _error(code: str, message: str, path: Path, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(str(path)), hint)


def output_names(outputs: Sequence[Output], *, pdf: bool) -> list[str]:
    """The names of every file a build writes besides the manifest: drafts, then PDFs."""
    names = [o.name for o in outputs]
    return names + [pdf_name(o.name) for o in outputs if o.pdf] if pdf else names


def check_names(names: Sequence[str], where: Path) -> None:
    """``DOS-B005`` when two outputs would have the same name (letter case ignored, as on
    Windows and macOS) or one would be the manifest."""
    seen: dict[str, str] = {MANIFEST: MANIFEST}
    problems = []
    for name in names:
        key = name.casefold()
        if key in seen:
            problems.append(
                _error(
                    "DOS-B005",
                    f"two outputs of this build are named {name}"
                    + (f" and {seen[key]}" if seen[key] != name else "")
                    + "; one would replace the other",
                    where / name,
                    "give each document type its own output file name",
                )
            )
        seen.setdefault(key, name)
    if problems:
        raise UserError(problems)


def _lock_problem(out_dir: Path, name: str) -> Diagnostic | None:
    lock = find_lock(out_dir, name)
    if lock is None:
        return None
    return _error(
        "DOS-B002",
        f"{name} is open in a word processor (lock file {lock.name}); it is not replaced",
        out_dir / name,
        "close the document, then build again (a lock file left by a crashed editor can be "
        "deleted)",
    )


def check_editor_locks(out_dir: Path, names: Sequence[str]) -> None:
    """``DOS-B002`` naming every output that is open in Word or LibreOffice."""
    problems = [p for name in names if (p := _lock_problem(out_dir, name)) is not None]
    if problems:
        raise UserError(problems)


def _recorded_outputs(out_dir: Path) -> dict[str, str]:
    """The output hashes of the manifest; empty when there is none or it is not one."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {k: v for k, v in outputs.items() if isinstance(k, str) and isinstance(v, str)}


@dataclass(frozen=True)
class _Plan:
    before: dict[str, str | None]
    """Output name -> hash of the file it replaces."""
    backup: list[str]
    """Edited outputs to keep a copy of (under ``force``)."""


def check_writable(out_dir: Path, names: Sequence[str], *, force: bool) -> _Plan:
    """Refuse to replace a document that is open or was edited (``force``: plan a backup
    of an edited one instead); every problem is reported at once."""
    recorded = _recorded_outputs(out_dir)
    problems: list[Diagnostic] = []
    before: dict[str, str | None] = {}
    backup: list[str] = []
    for name in names:
        target = out_dir / name
        lock = _lock_problem(out_dir, name)
        if lock is not None:
            problems.append(lock)
            continue
        if target.is_symlink() or (target.exists() and not target.is_file()):
            problems.append(
                _error(
                    "DOS-B006",
                    f"{name} in the output folder is not a regular file; it is not replaced",
                    target,
                    "move it away, or build into another folder with --out",
                )
            )
            continue
        current = output_set.file_hash(target)
        before[name] = current
        expected = recorded.get(name)
        if current is None or current == expected:
            continue
        if force:
            backup.append(name)
            continue
        why = "was changed after it was generated" if expected else "is not in the build manifest"
        problems.append(
            _error(
                "DOS-B001",
                f"{name} {why}; it is not overwritten",
                target,
                "copy your edits elsewhere, or build with --force to keep a backup and replace it",
            )
        )
    if problems:
        raise UserError(problems)
    return _Plan(before, backup)


def _back_up(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.stem}.backup-{stamp}{target.suffix}")
    n = 1
    while backup.exists():
        n += 1
        backup = target.with_name(f"{target.stem}.backup-{stamp}-{n}{target.suffix}")
    shutil.copy2(target, backup)
    return backup


def _manifest(
    out_dir: Path,
    inputs: dict[str, str],
    hashes: dict[str, str],
    build_id: str,
    removed: Sequence[str] = (),
) -> bytes:
    outputs = {**_recorded_outputs(out_dir), **hashes}
    for name in removed:
        outputs.pop(name, None)
    manifest: dict[str, Any] = {
        "tool": "dossier",
        "version": __version__,
        "build": build_id,
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted(outputs.items())),
    }
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


def _stale_pdfs(out_dir: Path, outputs: Sequence[Output]) -> tuple[dict[str, str], list[str]]:
    """The PDFs of the drafts in ``outputs`` left by an earlier build: those still as
    dossier wrote them (name -> hash, to remove) and those changed since (to keep)."""
    recorded = _recorded_outputs(out_dir)
    remove: dict[str, str] = {}
    keep: list[str] = []
    for output in outputs:
        if not output.pdf:
            continue
        name = pdf_name(output.name)
        current = output_set.file_hash(out_dir / name)
        if current is None:
            continue
        if current == recorded.get(name):
            remove[name] = current
        else:
            keep.append(name)
    return remove, keep


def write_outputs(
    out_dir: Path,
    outputs: list[Output],
    inputs: dict[str, str],
    *,
    force: bool,
    build_id: str = "",
    when: dt.date | None = None,
    pdf: bool = False,
    lock_wait: float = 60.0,
    owner: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Written:
    """Write the drafts (with PDF copies when ``pdf``; their dates are ``when``) and the
    manifest as one unit: nothing is replaced unless everything could be written."""
    say = progress or (lambda _message: None)
    names = output_names(outputs, pdf=pdf)
    check_names(names, out_dir)
    converter = find_converter(out_dir) if pdf else None
    output_set.make_folder(out_dir)
    lock = output_set.BuildLock(out_dir, wait=lock_wait, owner={**(owner or {}), "build": build_id})
    lock.acquire(on_wait=say)
    try:
        output_set.recover(out_dir, say)
        check_writable(out_dir, names, force=force)  # before anything is staged
        with output_set.staged(out_dir) as staging:
            for output in outputs:
                output_set.write_file(staging / output.name, output.data)
            if converter is not None:
                say("converting to PDF with LibreOffice")
                docx = [staging / o.name for o in outputs if o.pdf]
                for made in convert_to_pdf(docx, staging, converter=converter):
                    data = normalize_pdf(made.read_bytes(), when or dt.date(1980, 1, 1))
                    made.unlink()
                    output_set.write_file(made, data)
            hashes = {name: output_set.file_hash(staging / name) or "" for name in names}
            # checked again: a document may have been opened or edited meanwhile
            plan = check_writable(out_dir, names, force=force)
            backups = [_back_up(out_dir / name) for name in plan.backup]
            stale, kept = _stale_pdfs(out_dir, outputs) if not pdf else ({}, [])
            manifest = _manifest(out_dir, inputs, hashes, build_id, removed=list(stale))
            output_set.write_file(staging / MANIFEST, manifest)
            hashes[MANIFEST] = sha256(manifest)
            previous_manifest = output_set.file_hash(out_dir / MANIFEST)
            moves = [output_set.Move(n, plan.before[n], hashes[n]) for n in names]
            moves += [output_set.Move(n, before, None) for n, before in stale.items()]
            moves.append(output_set.Move(MANIFEST, previous_manifest, hashes[MANIFEST]))
            left = output_set.commit(out_dir, staging, moves, build_id)
    finally:
        lock.release()
    drafts = {o.name for o in outputs}
    return Written(
        written=[out_dir / n for n in names if n in drafts],
        pdfs=[out_dir / n for n in names if n not in drafts],
        backups=backups,
        hashes=hashes,
        left=[name for name in left if name not in stale],
        removed=[name for name in stale if name not in left],
        stale=kept + [name for name in left if name in stale],
    )
