"""Write a :class:`~dossier.drafts.blocks.Document` into the house Word template.

The template (``house.docx``, found through :class:`~dossier.word.templates.TemplateSearch`
so a team's own template overrides it) brings the styles, page set-up, cover, header with
document properties, DRAFT watermark, footer and front matter; it is rendered first, and
the sections are then written where its ``{{p body }}`` anchor is. Word-native structure:
headings in the template's heading styles, captions with SEQ fields (tables captioned
above, figures below) and bookmarks, cross-references as REF fields with correct cached
text, footnotes from data, repeated table header rows. Placeholders are highlighted in
yellow. Table rows are built as XML directly (python-docx's cell-by-cell API is quadratic).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.shared import Mm, Twips
from lxml import etree

from dossier.core.i18n import N_
from dossier.core.i18n import gettext as _
from dossier.drafts.blocks import (
    Bullets,
    Cell,
    CrossRef,
    Document,
    Figure,
    Footnote,
    Inline,
    Missing,
    Para,
    Section,
    Table,
    Text,
)
from dossier.drafts.numbering import Numbering
from dossier.word.engine import Anchor, DocProperties, anchor_paragraph, finish, open_rendered
from dossier.word.footnotes import Footnotes
from dossier.word.house import HEADING_NUM_ID
from dossier.word.ooxml import bookmark, elements, field_runs, field_xml, run, run_xml
from dossier.word.save import SPLICE
from dossier.word.templates import TemplateSearch

__all__ = ["HOUSE_WORDS", "write_docx"]

TEXT_WIDTH_MM = 160.0


def _cell_length(cell: Cell) -> int:
    if isinstance(cell, str):
        return len(cell)
    if isinstance(cell, Missing):
        return len(cell.text)
    return sum(len(p.text) if isinstance(p, (Text, Missing)) else 10 for p in cell)


def _longest_word(cell: Cell) -> int:
    if isinstance(cell, str):  # most cells: no list of texts to build
        return max(map(len, cell.split()), default=0)
    if isinstance(cell, Missing):
        texts = [cell.text]
    else:
        texts = [p.text for p in cell if isinstance(p, (Text, Missing))]
    return max((len(w) for t in texts for w in t.split()), default=0)


WIDTH_SAMPLE = 2000


def _auto_widths(table: Table) -> list[float]:
    """Column widths in characters: every column fits its longest word, and the space left
    goes to the columns whose texts are long (at 8.5 pt, 160 mm hold about 92 characters).
    Long tables are measured on 2,000 evenly spread rows: the widths are a layout choice,
    which measuring every cell of a 10,000-row table would not change.
    """
    available = 92.0
    minima, wanted = [], []
    rows = table.rows
    if len(rows) > WIDTH_SAMPLE:
        step = len(rows) / WIDTH_SAMPLE
        rows = [rows[int(i * step)] for i in range(WIDTH_SAMPLE)]
    for col, head in enumerate(table.header):
        cells = [r[col] for r in rows if col < len(r)]
        lengths = [_cell_length(c) for c in cells]
        mean = sum(lengths) / len(lengths) if lengths else 0.0
        longest = max((_longest_word(c) for c in [head, *cells]), default=0) or 4
        # a column of short phrases ("NOAEL 2.00 × 10⁸ cells/kg") gets room for a few
        # words a line, not one: the upper quartile of its cell lengths, up to 14 characters
        phrase = min(sorted(lengths)[3 * len(lengths) // 4], 14) if lengths else 0
        # cell margins take about two characters of every column
        minima.append(min(max(longest, phrase), 16) + 3.0)
        wanted.append(max(min(mean * 1.2, 60.0), minima[-1]))
    spare = available - sum(minima)
    if spare <= 0:
        return minima
    extra = [w - m for w, m in zip(wanted, minima, strict=True)]
    total = sum(extra) or 1.0
    return [m + spare * e / total for m, e in zip(minima, extra, strict=True)]


_SHADING = '<w:shd w:val="clear" w:color="auto" w:fill="DCE6F0"/>'


def _splice_rows(tbl: Any, rows: str, splices: list[bytes]) -> None:
    """Put the rows of a table, written as XML text, at the end of the table.

    Parsing rows into the tree only for the tree to be serialized again is most of the
    work of writing a long table. A comment marks their place instead, and
    :func:`dossier.word.save.docx_bytes` writes the text there when it writes the
    document.
    """
    tbl.append(etree.Comment(f"{SPLICE}{len(splices)}"))
    splices.append(rows.encode("utf-8"))


class _Writer:
    def __init__(self, document: Document, template: Path) -> None:
        self.doc = document
        self.template = template
        self.numbering = Numbering(document)
        self.out = open_rendered(template, self._context())
        self._anchor = anchor_paragraph(self.out, "body", template)
        self._body = self.out.element.body
        self._before = set(self._body)
        self._bookmarks: dict[str, str] = {}
        self._next_id = 100
        self._footnotes = Footnotes(self.out)
        # style names are resolved once (python-docx looks them up for every paragraph,
        # and a team's template may use other style ids for the same names)
        self._style_ids = {st.name: st.style_id for st in self.out.styles}
        self._shape_id = self.out.part.next_id  # counted on, not searched for each picture
        self._splices: list[bytes] = []  # table rows written as text (see _splice_rows)

    def _context(self) -> dict[str, Any]:
        """The plain data the house template prints (cover, front matter, header)."""
        props = self.doc.properties
        return {
            "doc": {
                "title": self.doc.title,
                "subtitle": self.doc.subtitle,
                "cover": [{"label": k, "value": v} for k, v in self.doc.cover],
                "has_tables": bool(self.doc.tables()),
                "has_figures": bool(self.doc.figures()),
                "draft": props.get("status", "draft") == "draft",
                "build": props.get("build", ""),
                "words": {key: _(text) for key, text in HOUSE_WORDS.items()},
            },
            "body": Anchor("body"),
        }

    # -- inline content ---------------------------------------------------------
    def _bookmark_name(self, key: str) -> str:
        name = self._bookmarks.get(key)
        if name is None:
            name = "_Ref" + re.sub(r"[^A-Za-z0-9]", "", key)[:24] + f"{len(self._bookmarks):04d}"
            self._bookmarks[key] = name
        return name

    def _inline_xml(self, part: Inline) -> str:
        """The runs of an inline part as XML text."""
        if isinstance(part, Text):
            return run_xml(part.text, bold=part.bold, italic=part.italic)
        if isinstance(part, Missing):
            return run_xml(part.text, bold=True, highlight="yellow")
        if isinstance(part, Footnote):
            return self._footnotes.reference_xml(part.text)
        if isinstance(part, CrossRef):
            label = self.numbering.label(part.key)
            if self.numbering.kind(part.key) == "section":
                switch = "\\r \\h" if self.doc.numbering == "word" else "\\h"
                number = self.numbering.number(part.key)
                word = label.removesuffix(number)  # "section " in the document's language
                return run_xml(word) + field_xml(
                    f"REF {self._bookmark_name(part.key)} {switch}", number
                )
            return field_xml(f"REF {self._bookmark_name(part.key)} \\h", label)
        raise TypeError(type(part))

    def _runs_xml(self, parts: Sequence[Inline]) -> str:
        return "".join(self._inline_xml(part) for part in parts)

    def _p(self, style: str | None = None) -> Any:
        """A new ``w:p`` at the end of the body, in the named paragraph style."""
        p = self._body.add_p()
        if style is not None:
            p.style = self._style_ids.get(style, style)
        return p

    def _paragraph(self, parts: Sequence[Inline], style: str | None = None) -> Any:
        p = self._p(style)
        p.extend(elements(self._runs_xml(parts)))
        return p

    # -- blocks -------------------------------------------------------------------
    def _caption(self, kind: str, key: str, caption: str) -> Any:
        number = self.numbering.table_number(key)
        p = self._p("Caption")
        # the SEQ identifier stays "Table"/"Figure" (the lists of tables and figures
        # collect it); the word printed before the number is in the document's language
        word = _(N_("Table") if kind == "Table" else N_("Figure"))
        label = [run(f"{word} "), *field_runs(f"SEQ {kind} \\* ARABIC", str(number))]
        self._next_id += 1
        for element in bookmark(self._bookmark_name(key), self._next_id, label):
            p.append(element)
        p.append(run(f": {caption}"))
        return p

    def _row_xml(self, cells: Sequence[Cell], twips: list[int], header: bool) -> str:
        """A table row as XML text (text size, spacing and the bold header come from the
        Table Text/Heading styles)."""
        shading = _SHADING if header else ""
        style = "TableHeading" if header else "TableText"
        padded = [*cells, *[""] * (len(twips) - len(cells))]
        tcs = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr><w:p><w:pPr>'
            f'<w:pStyle w:val="{style}"/></w:pPr>{self._cell_runs_xml(cell)}</w:p></w:tc>'
            for cell, width in zip(padded, twips, strict=True)
        )
        head = "<w:tblHeader/>" if header else ""
        return f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>{tcs}</w:tr>"

    def _cell_runs_xml(self, cell: Cell) -> str:
        if isinstance(cell, str):
            return run_xml(cell)
        if isinstance(cell, Missing):
            return self._inline_xml(cell)
        return self._runs_xml(cell)

    def _table(self, table: Table) -> None:
        self._caption("Table", table.key, table.caption)
        n = len(table.header)
        widths = table.widths or _auto_widths(table)
        total = sum(widths)
        twips = [int(TEXT_WIDTH_MM / 25.4 * 1440 * w / total) for w in widths]
        # the table element made here: Document.add_table looks up the last section's
        # width, a search of the whole body, for every table of a long draft
        tbl = CT_Tbl.new_tbl(0, n, Twips(sum(twips)))
        end = self._body.find(qn("w:sectPr"))
        if end is not None:
            end.addprevious(tbl)
        else:
            self._body.append(tbl)
        # the style by its id, looked up once (python-docx's table.style searches by name)
        tbl.tblPr.style = self._style_ids.get("Table Grid", "TableGrid")
        for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
            col.set(qn("w:w"), str(width))
        tbl_pr = tbl.tblPr
        for old in tbl_pr.findall(qn("w:tblW")):
            tbl_pr.remove(old)
        tbl_w = OxmlElement("w:tblW")
        tbl_w.set(qn("w:w"), str(sum(twips)))
        tbl_w.set(qn("w:type"), "dxa")
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        # schema order inside tblPr: tblStyle, ..., tblW, ..., tblLayout, ..., tblLook
        style = tbl_pr.find(qn("w:tblStyle"))
        (style if style is not None else tbl_pr[0]).addnext(tbl_w)
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(layout)
        else:
            tbl_pr.append(layout)
        rows = [self._row_xml(table.header, twips, header=True)]
        rows += [self._row_xml(cells, twips, header=False) for cells in table.rows]
        _splice_rows(tbl, "".join(rows), self._splices)
        if table.note:
            self._paragraph([Text(table.note, italic=True)])
        else:
            self._p()

    def _figure(self, figure: Figure) -> None:
        part = self.out.part
        r_id, image = part.get_or_add_image(io.BytesIO(figure.image()))
        cx, cy = image.scaled_dimensions(Mm(min(figure.width_mm, TEXT_WIDTH_MM)), None)
        inline = CT_Inline.new_pic_inline(self._shape_id, r_id, image.filename, cx, cy)
        self._shape_id += 1
        p = self._p()
        p_pr = p.get_or_add_pPr()
        p_pr.jc_val = WD_ALIGN_PARAGRAPH.CENTER
        p_pr.keepNext_val = True  # the caption below goes to the next page with its figure
        r = OxmlElement("w:r")
        r.add_drawing(inline)
        p.append(r)
        caption = self._caption("Figure", figure.key, figure.caption)
        # the Caption style keeps a caption with what follows (a table's caption stands
        # above it); a figure's caption stands below and ends the figure
        caption.get_or_add_pPr().keepNext_val = False

    def _section(self, section: Section, level: int) -> None:
        heading = self._p(f"Heading {min(level, 3)}")
        self._next_id += 1
        name = self._bookmark_name(section.key)
        if self.doc.numbering == "word":  # the template's multilevel list numbers it
            heading.get_or_add_pPr().insert(
                1,
                parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{min(level, 3) - 1}"/>'
                    f'<w:numId w:val="{HEADING_NUM_ID}"/></w:numPr>'
                ),
            )
            for element in bookmark(name, self._next_id, [run(section.title)]):
                heading.append(element)
        else:  # CTD numbers are written out
            number = self.numbering.section_number(section.key)
            for element in bookmark(name, self._next_id, [run(number)]):
                heading.append(element)
            heading.append(run(f"  {section.title}"))
        for block in section.blocks:
            if isinstance(block, Para):
                self._paragraph(block.parts)
            elif isinstance(block, Bullets):
                for item in block.items:
                    self._paragraph(item.parts, style="List Bullet")
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, Figure):
                self._figure(block)
        for child in section.children:
            self._section(child, level + 1)

    # -- assembly ---------------------------------------------------------------
    def build(self, when: dt.date) -> bytes:
        for section in self.doc.sections:
            self._section(section, 1)
        # what was appended goes where the template's body anchor is
        for element in [e for e in self._body if e not in self._before]:
            if element.tag != qn("w:sectPr"):
                self._anchor.addprevious(element)
        self._body.remove(self._anchor)
        props = self.doc.properties
        return finish(
            self.out,
            DocProperties(
                title=self.doc.title,
                subject=self.doc.label,
                keywords=f"{props.get('product', '')}; {_status_word(props.get('status', ''))}",
                comments=props.get("build", ""),
                version=props.get("version", ""),
                when=when,
                custom={
                    "Product": props.get("product", ""),
                    "DocumentType": self.doc.label,
                    "Version": props.get("version", ""),
                    "Status": _status_word(props.get("status", "")),
                    "Build": props.get("build", ""),
                },
            ),
            template=self.template,
            splices=self._splices,
        )


HOUSE_WORDS = {
    "contents": N_("Table of contents"),
    "contents_note": N_(
        "The table of contents is updated when the document is opened (or press F9)."
    ),
    "tables": N_("List of tables"),
    "tables_note": N_("The list of tables is updated when the document is opened."),
    "figures": N_("List of figures"),
    "figures_note": N_("The list of figures is updated when the document is opened."),
    "version": N_("version"),
    "page": N_("Page"),
    "page_of": N_("of"),
    "draft_mark": N_("DRAFT"),
}
"""The fixed words of the house template (``doc.words``), in the document's language."""

_STATUS_WORDS = {"draft": N_("draft"), "review": N_("review"), "final": N_("final")}


def _status_word(status: str) -> str:
    """The document status as the header prints it."""
    word = _STATUS_WORDS.get(status)
    return _(word) if word is not None else status


def write_docx(document: Document, when: dt.date, template: Path | None = None) -> bytes:
    """The .docx bytes of a document in the house template (dates fixed to ``when``)."""
    if template is None:
        template = TemplateSearch.of().find("house.docx", document.doc_type)
    return _Writer(document, template).build(when)
