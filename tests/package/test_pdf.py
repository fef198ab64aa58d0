"""PDF copies: the converter's per-run dates and identifiers are rewritten away."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import threading
import time
from pathlib import Path

import pikepdf
import pytest

from dossier.core.errors import UserError
from dossier.package.pdf import Converter, convert_to_pdf, normalize_pdf, pdf_name


def _converted(stamp: str, ident: bytes, checksum: str) -> bytes:
    """A PDF as LibreOffice writes it: a creation date, an /ID and a /DocChecksum."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = "IMPD non-clinical"
    pdf.docinfo["/CreationDate"] = stamp
    pdf.trailer["/DocChecksum"] = pikepdf.Name("/" + checksum)
    pdf.trailer["/ID"] = pikepdf.Array([pikepdf.String(ident), pikepdf.String(ident)])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_two_conversions_give_the_same_bytes() -> None:
    when = dt.date(2026, 8, 20)
    first = _converted("D:20261203135510Z'", b"0123456789abcdef", "117B3F19")
    second = _converted("D:20261203135513Z'", b"fedcba9876543210", "A0C2E4F6")
    assert first != second
    assert normalize_pdf(first, when) == normalize_pdf(second, when)
    with pikepdf.open(io.BytesIO(normalize_pdf(first, when))) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20260820000000Z"
        assert str(pdf.docinfo["/Title"]) == "IMPD non-clinical"
        assert "/DocChecksum" not in pdf.trailer
        assert len(pdf.pages) == 1


def test_the_pdf_of_a_draft_is_named_after_it() -> None:
    assert pdf_name("impd-nonclinical.docx") == "impd-nonclinical.pdf"


def _hanging_converter(tmp_path: Path) -> tuple[Converter, Path]:
    """A stand-in for soffice that starts a child and hangs; the child writes its pid."""
    pid_file = tmp_path / "child.pid"
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n", "utf-8")
    script.chmod(0o755)
    return Converter(str(script), None), pid_file


def _gone(pid_file: Path) -> bool:
    deadline = time.monotonic() + 10
    while not pid_file.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pid = int(pid_file.read_text("utf-8"))
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a killed child is a zombie until it is reaped
        try:
            state = Path(f"/proc/{pid}/stat").read_text("utf-8").rsplit(")", 1)[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_a_conversion_that_times_out_leaves_no_profile_and_no_process(tmp_path: Path) -> None:
    converter, pid_file = _hanging_converter(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(UserError) as caught:
        convert_to_pdf([work / "a.docx"], work, converter=converter, timeout=1)
    assert caught.value.diagnostics[0].code == "DOS-B003"
    assert list(work.iterdir()) == []
    assert _gone(pid_file)


def test_an_interrupted_conversion_leaves_no_profile_and_no_process(tmp_path: Path) -> None:
    converter, pid_file = _hanging_converter(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    handler = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            convert_to_pdf([work / "a.docx"], work, converter=converter, timeout=60)
    finally:
        timer.join()
    assert list(work.iterdir()) == []
    assert _gone(pid_file)
    assert signal.getsignal(signal.SIGTERM) == handler
