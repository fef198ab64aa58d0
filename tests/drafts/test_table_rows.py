"""Table rows written as XML text into the document: the same runs as paragraphs built
as elements, every row present, text that XML cannot hold made visible."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document as OpenDocx
from lxml import etree

from dossier.drafts.blocks import CrossRef, Document, Footnote, Missing, Para, Section, Table, Text
from dossier.word.save import splice
from dossier.word.writer import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _document(
    rows: list[list[str]] | list[list[object]], header: list[object] | None = None
) -> Document:
    table = Table("tab-t", "Batches", header or ["Batch", "Result"], rows)  # type: ignore[arg-type]
    section = Section("Batch analyses", "sec-b", [table])
    return Document(doc_type="test", title="T", subtitle="S", properties={}, sections=[section])


def _tables(data: bytes) -> list[list[list[str]]]:
    doc = OpenDocx(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _row_xml(data: bytes) -> list[bytes]:
    """The rows of the document's last table, each as canonical XML."""
    table = list(_document_xml(data).iter(f"{W}tbl"))[-1]
    return [etree.tostring(tr, method="c14n") for tr in table.iter(f"{W}tr")]


def _runs(p: etree._Element) -> list[bytes]:
    """The content of a paragraph (all but its properties) as canonical XML, footnote
    numbers left out (each reference makes a note of its own)."""
    out = []
    for child in p:
        if child.tag == f"{W}pPr":
            continue
        for note in child.iter(f"{W}footnoteReference"):
            note.set(f"{W}id", "N")
        out.append(etree.tostring(child, method="c14n"))
    return out


TEXTS = [
    "B-0001",
    "A & B <c> 'q' \"q\" >",
    "5 &lt; 6 &amp; &#13;",
    "a\x0bb\x00c\x1f\ufffe\uffff\ud800",
    "line\rend\nnext\ttab",
    "  spaces kept  ",
    "]]> <!-- not a comment --> <![CDATA[x]]>",
    "<w:b/>{{ x }}",
    "≥ 10⁵ µg, 95 % CI",
    "",
]


def test_a_plain_string_and_plain_text_give_the_same_row() -> None:
    as_strings = write_docx(_document([[t, t] for t in TEXTS]), dt.date(2026, 1, 1))
    as_text = write_docx(
        _document([[t, (Text(t),)] for t in TEXTS], header=["Batch", (Text("Result"),)]),
        dt.date(2026, 1, 1),
    )
    rows = _row_xml(as_strings)
    assert len(rows) == len(TEXTS) + 1
    assert rows == _row_xml(as_text)


@pytest.mark.parametrize("text", TEXTS)
def test_a_table_cell_holds_the_runs_a_paragraph_holds(text: str) -> None:
    # table rows are written into the document as XML text, paragraphs are built as
    # elements: the same inline parts must give the same runs in both
    parts = (
        Text(text),
        Text(text, bold=True, italic=True),
        Missing("quality.batches", text),
        CrossRef("tab-t"),
        CrossRef("sec-b"),
        Footnote(text),
    )
    table = Table("tab-t", "Batches", ["Batch", "Result"], [["B-1", parts]])
    section = Section("Batch analyses", "sec-b", [Para(list(parts)), table])
    document = Document(doc_type="test", title="T", subtitle="S", properties={}, sections=[section])
    root = _document_xml(write_docx(document, dt.date(2026, 1, 1)))
    paragraph = next(
        p
        for p in root.iter(f"{W}p")
        if p.find(f".//{W}footnoteReference") is not None
        and not any(a.tag == f"{W}tbl" for a in p.iterancestors())
    )
    cell = list(root.iter(f"{W}tbl"))[-1].findall(f"{W}tr")[1].findall(f"{W}tc")[1]
    in_cell = _runs(cell.find(f"{W}p"))
    assert len(in_cell) > len(parts)  # fields are several runs
    assert in_cell == _runs(paragraph)


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
    assert splice(xml, [b"<b/>"]) == b"<a><b/></a>"
    with pytest.raises(RuntimeError, match="2 spliced"):
        splice(xml, [b"<b/>", b"<c/>"])
    with pytest.raises(RuntimeError, match="1 spliced"):
        splice(xml + xml, [b"<b/>"])
