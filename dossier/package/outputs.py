"""Writing the drafts safely: reproducible bytes, a manifest, protected edits, PDF.

- *Reproducible*: the zip is rewritten with fixed entry times and a fixed order, and
  document dates come from the project file, so the same inputs give the same bytes.
- *Manifest*: ``manifest.json`` records the tool version, the SHA-256 of the project
  file, of every data file and of every output.
- *Nothing lost*: outputs are written to a temporary file and renamed. A draft whose
  hash differs from the manifest (someone edited it) is not overwritten: the build
  stops naming the file, and ``--force`` first keeps a timestamped copy. An open Word
  or LibreOffice lock file is reported.
- *PDF*: LibreOffice headless, through a UNO script that updates the table of contents.

Codes: ``DOS-B001`` edited draft, ``DOS-B002`` document open in an editor,
``DOS-B003`` PDF conversion unavailable or failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dossier import __version__
from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.word.save import normalize_docx

__all__ = [
    "Output",
    "check_writable",
    "convert_to_pdf",
    "normalize_docx",
    "sha256",
    "write_outputs",
]


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Output:
    """One file to write: its name in the output folder and its bytes."""

    name: str
    data: bytes


def _error(code: str, message: str, path: Path, hint: str | None = None) -> UserError:
    return UserError(Diagnostic(code, Severity.ERROR, message, Location(str(path)), hint))


def check_writable(out_dir: Path, names: list[str], *, force: bool) -> list[Path]:
    """Refuse to overwrite edited drafts (unless forced: then back them up); return backups."""
    manifest_path = out_dir / "manifest.json"
    recorded: dict[str, str] = {}
    if manifest_path.exists():
        try:
            recorded = json.loads(manifest_path.read_text("utf-8")).get("outputs", {})
        except (OSError, ValueError):
            recorded = {}
    backups: list[Path] = []
    for name in names:
        target = out_dir / name
        for lock in (out_dir / f"~${name}", out_dir / f".~lock.{name}#"):
            if lock.exists():
                raise _error(
                    "DOS-B002",
                    f"{name} is open in a word processor (lock file {lock.name})",
                    target,
                    "close the document, then build again",
                )
        if not target.exists():
            continue
        current = sha256(target.read_bytes())
        expected = recorded.get(name)
        if expected is not None and current == expected:
            continue
        if not force:
            why = (
                "was changed after it was generated" if expected else "is not in the build manifest"
            )
            raise _error(
                "DOS-B001",
                f"{name} {why}; it is not overwritten",
                target,
                "copy your edits elsewhere, or build with --force to keep a backup and replace it",
            )
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = target.with_name(f"{target.stem}.backup-{stamp}{target.suffix}")
        shutil.copy2(target, backup)
        backups.append(backup)
    return backups


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(
    out_dir: Path, outputs: list[Output], inputs: dict[str, str], *, force: bool
) -> tuple[dict[str, str], list[Path]]:
    """Write outputs atomically and the manifest; returns (output hashes, backups)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    backups = check_writable(out_dir, [o.name for o in outputs], force=force)
    hashes = {}
    for output in outputs:
        _atomic_write(out_dir / output.name, output.data)
        hashes[output.name] = sha256(output.data)
    manifest_path = out_dir / "manifest.json"
    previous: dict[str, str] = {}
    if manifest_path.exists():
        try:
            previous = json.loads(manifest_path.read_text("utf-8")).get("outputs", {})
        except (OSError, ValueError):
            previous = {}
    manifest = {
        "tool": "dossier",
        "version": __version__,
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted({**previous, **hashes}.items())),
    }
    _atomic_write(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return hashes, backups


UNO_SCRIPT = Path(__file__).with_name("uno_convert.py")


def convert_to_pdf(files: list[Path], out_dir: Path, *, timeout: float = 300) -> list[Path]:
    """PDF copies of .docx files through LibreOffice, with the table of contents updated."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    system_python = Path("/usr/bin/python3")
    if soffice is None:
        raise _error(
            "DOS-B003",
            "PDF output needs LibreOffice, which is not installed",
            out_dir,
            "install it (Debian/Ubuntu: apt-get install libreoffice-writer-nogui python3-uno) "
            "or build without --pdf",
        )
    has_uno = (
        system_python.exists()
        and subprocess.run(
            [str(system_python), "-c", "import uno"], capture_output=True, check=False, timeout=30
        ).returncode
        == 0
    )
    with tempfile.TemporaryDirectory(prefix="dossier-lo-") as profile:
        if has_uno:
            command = [str(system_python), str(UNO_SCRIPT), profile, str(out_dir), *map(str, files)]
        else:  # fields are recomputed; the table of contents keeps its placeholder text
            command = [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *map(str, files),
            ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise _error(
                "DOS-B003", f"LibreOffice did not finish within {timeout:.0f} s", out_dir
            ) from None
    pdfs = [out_dir / (f.stem + ".pdf") for f in files]
    missing = [p for p in pdfs if not p.exists()]
    if done.returncode != 0 or missing:
        raise _error(
            "DOS-B003",
            "LibreOffice could not convert " + ", ".join(p.name for p in missing or pdfs),
            out_dir,
            (done.stderr or "").strip()[:300] or None,
        )
    return pdfs
