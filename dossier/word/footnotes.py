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
from docx.opc.part import Part
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from dossier.word.ooxml import run

__all__ = ["Footnotes"]

_EMPTY = (
    f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
    '<w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" '
    'w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>'
)


class Footnotes:
    """The footnotes part of a document, opened for appending."""

    def __init__(self, doc: Any) -> None:
        self._main = doc.part
        self._part: Any = None
        for rel in self._main.rels.values():
            if rel.reltype == RT.FOOTNOTES:
                self._part = rel.target_part
        self._root: Any = None
        self._next = 1

    def _open(self) -> Any:
        if self._root is None:
            if self._part is None:
                self._part = Part(
                    PackURI("/word/footnotes.xml"),
                    CT.WML_FOOTNOTES,
                    _EMPTY.encode("utf-8"),
                    self._main.package,
                )
                self._main.relate_to(self._part, RT.FOOTNOTES)
            self._root = etree.fromstring(self._part.blob)
            ids = [int(n.get(qn("w:id"), "0")) for n in self._root.iter(qn("w:footnote"))]
            self._next = max([0, *ids]) + 1
        return self._root

    def reference(self, text: str) -> Any:
        """A run holding the reference mark of a new footnote with this text."""
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
        r = run("")
        r.remove(r.find(qn("w:t")))
        r_pr = r.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = etree.SubElement(r, qn("w:rPr"))
        etree.SubElement(r_pr, qn("w:rStyle")).set(qn("w:val"), "FootnoteReference")
        etree.SubElement(r, qn("w:footnoteReference")).set(qn("w:id"), str(ident))
        return r

    def save(self) -> None:
        """Write the appended notes back into the part."""
        if self._root is not None:
            self._part._blob = etree.tostring(
                self._root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
