"""Footnotes created from data: the reference in the text, the note in footnotes.xml.

python-docx has no footnote API. The house template carries a footnotes part with the
two separator notes Word expects; notes are appended to it with ids counting on from the
highest one there, so a team's template with footnotes of its own keeps them.
"""

from __future__ import annotations

from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from dossier.word.ooxml import run
from dossier.word.save import related_xml_part

__all__ = ["Footnotes"]

_EMPTY = (
    f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
    '<w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" '
    'w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>'
)


class Footnotes:
    """The footnotes part of a document, opened for appending (the notes are in the
    part's element, which is what the document saves)."""

    def __init__(self, doc: Any) -> None:
        self._main = doc.part
        self._root: Any = None
        self._next = 1

    def _open(self) -> Any:
        if self._root is None:
            part = related_xml_part(self._main, RT.FOOTNOTES)
            if part is None:
                part = XmlPart(
                    PackURI("/word/footnotes.xml"),
                    CT.WML_FOOTNOTES,
                    parse_xml(_EMPTY),
                    self._main.package,
                )
                self._main.relate_to(part, RT.FOOTNOTES)
            self._root = part.element
            ids = [int(n.get(qn("w:id"), "0")) for n in self._root.iter(qn("w:footnote"))]
            self._next = max([0, *ids]) + 1
        return self._root

    def reference_xml(self, text: str) -> str:
        """The run holding the reference mark of a new footnote with this text, as XML
        text (:mod:`dossier.word.ooxml`)."""
        root = self._open()
        ident = self._next
        self._next += 1
        note = etree.SubElement(root, qn("w:footnote"))
        note.set(qn("w:id"), str(ident))
        p = etree.SubElement(note, qn("w:p"))
        p_pr = etree.SubElement(p, qn("w:pPr"))
        etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), "FootnoteText")
        mark = etree.SubElement(p, qn("w:r"))
        etree.SubElement(etree.SubElement(mark, qn("w:rPr")), qn("w:rStyle")).set(
            qn("w:val"), "FootnoteReference"
        )
        etree.SubElement(mark, qn("w:footnoteRef"))
        p.append(run(" " + text))
        return (
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference w:id="{ident}"/></w:r>'
        )
