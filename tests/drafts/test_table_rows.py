"""Plain table rows written as XML text into the document: the same document as rows
built in the tree, every row present, text that XML cannot hold made visible."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document as OpenDocx
from lxml import etree

from dossier.drafts.blocks import Document, Section, Table, Text
from dossier.word.ooxml import _splice
from dossier.word.writer import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _document(rows: list[list[str]] | list[list[object]]) -> Document:
    table = Table("tab-t", "Batches", ["Batch", "Result"], rows)  # type: ignore[arg-type]
    section = Section("Batch analyses", "sec-b", [table])
    return Document(doc_type="test", title="T", subtitle="S", properties={}, sections=[section])


def _tables(data: bytes) -> list[list[list[str]]]:
    doc = OpenDocx(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_every_row_is_in_the_document_in_order() -> None:
    rows = [[f"B-{i:04d}", f"{i * 1.5:g} % & <ok>"] for i in range(2500)]
    data = write_docx(_document(rows), dt.date(2026, 1, 1))
    table = _tables(data)[-1]
    assert table[0] == ["Batch", "Result"]
    assert table[1:] == rows


def test_plain_rows_around_rich_ones_keep_their_order() -> None:
    rows: list[list[object]] = [
        ["B-1", "90"],
        ["B-2", [Text("95", bold=True)]],
        ["B-3", "97"],
        ["B-4", "99"],
    ]
    table = _tables(write_docx(_document(rows), dt.date(2026, 1, 1)))[-1]
    assert [r[0] for r in table] == ["Batch", "B-1", "B-2", "B-3", "B-4"]
    assert table[2][1] == "95"


def test_text_xml_cannot_hold_shows_a_replacement_character() -> None:
    data = write_docx(
        _document([["B-1", "a\x0bb\x00c"], ["B-2", "line\rend"]]), dt.date(2026, 1, 1)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))  # well-formed
    texts = [t.text for t in root.iter(f"{W}t")]
    assert "a\ufffdb\ufffdc" in texts
    assert "line\rend" in texts


def test_a_splice_without_its_place_is_an_error() -> None:
    xml = b"<a><!--dossier-splice:0--></a>"
    assert _splice(xml, [b"<b/>"]) == b"<a><b/></a>"
    with pytest.raises(RuntimeError, match="2 spliced"):
        _splice(xml, [b"<b/>", b"<c/>"])
    with pytest.raises(RuntimeError, match="1 spliced"):
        _splice(xml + xml, [b"<b/>"])
