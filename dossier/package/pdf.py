"""PDF copies of the drafts through LibreOffice, made reproducible.

LibreOffice headless converts the .docx files, through a UNO script that updates the
table of contents first (``uno_convert.py``, run by the system Python that has the
``uno`` module) or, without it, ``soffice --convert-to pdf``. Its PDF differs on every
run in three places: the creation date in the document information, the file
identifier (``/ID``) and LibreOffice's ``/DocChecksum`` in the trailer.
:func:`normalize_pdf` rewrites the file with pikepdf: the dates become the document's
date from the project file, the trailer keeps only what a reader needs, and the
identifier is computed from the content, so the same drafts give byte-identical PDFs.

LibreOffice runs with a profile of its own, made in the work folder (the build's
staging folder): it is removed when the conversion ends, fails, times out or is
interrupted (SIGINT or SIGTERM; the converter and every process it started are killed),
and a build killed outright leaves it inside the staging folder that the next build
removes.

Codes: ``DOS-B003`` PDF conversion unavailable or failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError

__all__ = ["Converter", "convert_to_pdf", "find_converter", "normalize_pdf", "pdf_name"]

UNO_SCRIPT = Path(__file__).with_name("uno_convert.py")
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _error(message: str, where: Path, hint: str | None = None) -> UserError:
    return UserError(Diagnostic("DOS-B003", Severity.ERROR, message, Location(str(where)), hint))


def pdf_name(docx_name: str) -> str:
    """The file name of the PDF copy of a draft."""
    return Path(docx_name).stem + ".pdf"


@dataclass(frozen=True)
class Converter:
    """How this machine converts: LibreOffice, and the system Python with ``uno`` if any."""

    soffice: str
    uno_python: Path | None


def find_converter(where: Path) -> Converter:
    """LibreOffice on this machine; ``DOS-B003`` (located at ``where``) when there is none."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise _error(
            "PDF output needs LibreOffice, which is not installed",
            where,
            "install it (Debian/Ubuntu: apt-get install libreoffice-writer-nogui python3-uno) "
            "or build without --pdf",
        )
    uno: Path | None = None
    if SYSTEM_PYTHON.exists():
        probe = subprocess.run(
            [str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True, check=False, timeout=30
        )
        uno = SYSTEM_PYTHON if probe.returncode == 0 else None
    return Converter(soffice, uno)


class _Terminated(KeyboardInterrupt):
    """SIGTERM during a conversion, raised so that the clean-up runs."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(command: list[str], timeout: float, where: Path) -> subprocess.CompletedProcess[str]:
    """Run the converter in a process group of its own, killed whole if anything goes wrong."""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise _error(f"LibreOffice did not finish within {timeout:.0f} s", where) from None
    except BaseException:
        _kill_group(proc)
        raise
    _kill_group(proc)  # a LibreOffice left behind by the script
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.communicate(timeout=10)


def convert_to_pdf(
    files: list[Path],
    out_dir: Path,
    *,
    converter: Converter | None = None,
    work_dir: Path | None = None,
    timeout: float = 300,
) -> list[Path]:
    """PDF copies of .docx files in ``out_dir`` (as LibreOffice writes them; see
    :func:`normalize_pdf`). LibreOffice's profile is made in ``work_dir`` (default
    ``out_dir``) and removed whatever happens."""
    converter = converter or find_converter(out_dir)
    with _terminate_as_interrupt():
        profile = Path(tempfile.mkdtemp(prefix=".lo-profile-", dir=work_dir or out_dir))
        try:
            if converter.uno_python is not None:
                command = [
                    str(converter.uno_python),
                    str(UNO_SCRIPT),
                    str(profile.resolve()),
                    str(out_dir),
                    *map(str, files),
                ]
            else:  # fields are recomputed; the table of contents keeps its placeholder text
                command = [
                    converter.soffice,
                    "--headless",
                    f"-env:UserInstallation={profile.resolve().as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out_dir),
                    *map(str, files),
                ]
            done = _run(command, timeout, out_dir)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    pdfs = [out_dir / pdf_name(f.name) for f in files]
    missing = [p for p in pdfs if not p.exists()]
    if done.returncode != 0 or missing:
        raise _error(
            "LibreOffice could not convert " + ", ".join(p.name for p in missing or pdfs),
            out_dir,
            (done.stderr or "").strip()[:300] or None,
        )
    return pdfs


_TRAILER_KEPT = frozenset({"/Root", "/Info", "/Size"})


def normalize_pdf(data: bytes, when: dt.date) -> bytes:
    """The PDF ``data`` with its dates set to ``when``, no per-run trailer entries and an
    identifier computed from its content: the same document gives the same bytes."""
    import pikepdf

    stamp = f"D:{when:%Y%m%d}000000Z"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        info["/CreationDate"] = stamp
        if "/ModDate" in info:
            info["/ModDate"] = stamp
        for key in list(pdf.trailer.keys()):
            if key not in _TRAILER_KEPT:
                del pdf.trailer[key]
        if "/Metadata" in pdf.Root:  # XMP repeats the dates and adds per-run ids
            del pdf.Root["/Metadata"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, linearize=False)
    return out.getvalue()
