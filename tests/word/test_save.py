"""Saving through python-docx's public API: the zip normalized in place, parts kept as
bytes edited as XML, spliced rows written into the main document."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as OpenDocx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from lxml import etree

from dossier.word.save import ZIP_TIME, docx_bytes, normalize_docx, related_xml_part
from tests.word.helpers import HOUSE

MEMBERS = {
    "[Content_Types].xml": b"<Types/>",
    "word/document.xml": b"<doc>" + b"x" * 500 + b"</doc>",
}


def _zip(when: tuple[int, int, int, int, int, int], mode: int, system: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in MEMBERS.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = mode << 16
            info.create_system = system
            target.writestr(info, data)
    return out.getvalue()


def test_entries_get_one_time_and_mode_whenever_and_wherever_written() -> None:
    monday = normalize_docx(_zip((2026, 3, 2, 9, 15, 4), 0o600, 3))
    tuesday = normalize_docx(_zip((2026, 3, 3, 17, 40, 58), 0o664, 0))
    assert monday == tuesday
    with zipfile.ZipFile(io.BytesIO(monday)) as package:
        assert package.testzip() is None
        assert {n: package.read(n) for n in package.namelist()} == MEMBERS
        for info in package.infolist():
            assert info.date_time == ZIP_TIME
            assert info.external_attr >> 16 == 0o644
            assert info.create_system == 0


def test_a_file_that_is_not_a_zip_is_refused() -> None:
    with pytest.raises(ValueError, match="not a zip"):
        normalize_docx(b"PK\x03\x04 but nothing more")


def test_a_saved_document_is_the_same_bytes_each_time() -> None:
    first = docx_bytes(OpenDocx(str(HOUSE)))
    assert docx_bytes(OpenDocx(str(HOUSE))) == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {i.date_time for i in package.infolist()} == {ZIP_TIME}


def test_a_part_kept_as_bytes_is_edited_as_xml_and_saved() -> None:
    doc = OpenDocx(str(HOUSE))
    rels_before = {r_id: rel.reltype for r_id, rel in doc.part.rels.items()}
    footnotes = related_xml_part(doc.part, RT.FOOTNOTES)
    assert isinstance(footnotes, XmlPart)
    assert related_xml_part(doc.part, RT.FOOTNOTES) is footnotes  # replaced once
    assert {r_id: rel.reltype for r_id, rel in doc.part.rels.items()} == rels_before
    note = etree.SubElement(footnotes.element, qn("w:footnote"))
    note.set(qn("w:id"), "7")
    with zipfile.ZipFile(io.BytesIO(docx_bytes(doc))) as package:
        saved = etree.fromstring(package.read(footnotes.partname.membername))
    assert [n.get(qn("w:id")) for n in saved.iter(qn("w:footnote"))][-1] == "7"
    assert related_xml_part(doc.part, RT.COMMENTS) is None


def test_spliced_xml_is_written_into_the_main_document() -> None:
    doc = OpenDocx(str(HOUSE))
    doc.element.body.find(qn("w:sectPr")).addprevious(etree.Comment("dossier-splice:0"))
    row = b'<w:p><w:r><w:t xml:space="preserve">spliced &amp; kept</w:t></w:r></w:p>'
    data = docx_bytes(doc, [row])
    reopened = OpenDocx(io.BytesIO(data))
    assert reopened.paragraphs[-1].text == "spliced & kept"
    assert row in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_a_package_with_spliced_rows_is_reproducible_and_normalized() -> None:
    def saved() -> bytes:
        doc = OpenDocx(str(HOUSE))
        body = doc.element.body.find(qn("w:sectPr"))
        body.addprevious(etree.Comment("dossier-splice:1"))
        body.addprevious(etree.Comment("dossier-splice:0"))
        return docx_bytes(doc, [b"<w:p><w:r><w:t>second</w:t></w:r></w:p>", b"<w:p/>" * 3])

    first = saved()
    assert saved() == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert package.testzip() is None
        for info in package.infolist():
            assert info.date_time == ZIP_TIME
            assert info.external_attr >> 16 == 0o644
            assert info.create_system == 0
        xml = package.read("word/document.xml")
    assert xml.index(b"<w:p/><w:p/><w:p/>") < xml.index(b"<w:t>second</w:t>")
    assert b"dossier-splice" not in xml


def test_a_splice_without_its_place_is_an_error() -> None:
    doc = OpenDocx(str(HOUSE))
    doc.element.body.find(qn("w:sectPr")).addprevious(etree.Comment("dossier-splice:0"))
    with pytest.raises(RuntimeError, match="2 spliced XML fragment"):
        docx_bytes(doc, [b"<w:p/>", b"<w:p/>"])
