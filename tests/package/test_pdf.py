"""PDF copies: the converter's per-run dates and identifiers are rewritten away."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf

from dossier.package.pdf import normalize_pdf, pdf_name


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
