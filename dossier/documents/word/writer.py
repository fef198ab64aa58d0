"""Write a :class:`~dossier.documents.blocks.Document` as a Word file (A4, house style).

Word-native structure: a table of contents and lists of tables and figures as fields,
captions with SEQ fields (tables captioned above, figures below) and bookmarks,
cross-references as REF fields with correct cached text, repeated table header rows,
"Page X of Y" in the footer, core properties from the project, ``updateFields`` so
Word refreshes everything on open. Placeholders are highlighted in yellow. Table rows
are built as XML directly (python-docx's cell-by-cell API is quadratic).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dossier.documents.blocks import (
    Bullets,
    Cell,
    CrossRef,
    Document,
    Figure,
    Inline,
    Missing,
    Para,
    Section,
    Table,
    Text,
)
from dossier.documents.numbering import Numbering
from dossier.documents.word.ooxml import bookmark, field_runs, run, set_cell_shading

__all__ = ["write_docx"]

BODY_FONT = "Calibri"  # metric-compatible Carlito is used by LibreOffice
TEXT_WIDTH_MM = 160.0


def _cell_length(cell: Cell) -> int:
    if isinstance(cell, str):
        return len(cell)
    if isinstance(cell, Missing):
        return len(cell.text)
    return sum(len(p.text) if isinstance(p, (Text, Missing)) else 10 for p in cell)


def _words(cell: Cell) -> list[str]:
    if isinstance(cell, str):
        return cell.split()
    if isinstance(cell, Missing):
        return cell.text.split()
    return [w for p in cell if isinstance(p, (Text, Missing)) for w in p.text.split()]


def _auto_widths(table: Table) -> list[float]:
    """Column widths in characters: every column fits its longest word, and the space left
    goes to the columns whose texts are long (at 8.5 pt, 160 mm hold about 92 characters).
    """
    available = 92.0
    minima, wanted = [], []
    for col, head in enumerate(table.header):
        cells = [r[col] for r in table.rows if col < len(r)]
        lengths = [_cell_length(c) for c in cells]
        mean = sum(lengths) / len(lengths) if lengths else 0.0
        words = [len(w) for c in [head, *cells] for w in _words(c)]
        minima.append(min(max(words, default=4), 16) + 1.5)
        wanted.append(max(min(mean * 1.2, 60.0), minima[-1]))
    spare = available - sum(minima)
    if spare <= 0:
        return minima
    extra = [w - m for w, m in zip(wanted, minima, strict=True)]
    total = sum(extra) or 1.0
    return [m + spare * e / total for m, e in zip(minima, extra, strict=True)]


class _Writer:
    def __init__(self, document: Document, when: dt.date) -> None:
        self.doc = document
        self.numbering = Numbering(document)
        self.out = new_docx()
        self.when = when
        self._bookmarks: dict[str, str] = {}
        self._next_id = 100
        self._setup()

    # -- set-up ---------------------------------------------------------------
    def _setup(self) -> None:
        section = self.out.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin, section.bottom_margin = Mm(25), Mm(22)
        styles = self.out.styles
        normal = styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.1
        for level, size in ((1, 15), (2, 13), (3, 11.5)):
            style = styles[f"Heading {level}"]
            style.font.name = BODY_FONT
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
            style.paragraph_format.space_before = Pt(14 if level == 1 else 10)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
        caption = styles["Caption"]
        caption.font.name = BODY_FONT
        caption.font.size = Pt(9.5)
        caption.font.bold = True
        caption.font.italic = False
        caption.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        caption.paragraph_format.keep_with_next = True
        # python-docx's template carries stylesWithEffects, which Word validators flag
        package = self.out.part.package
        for rel_id, rel in list(self.out.part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                self.out.part.drop_rel(rel_id)
        del package
        self._header_footer()

    def _header_footer(self) -> None:
        section = self.out.sections[0]
        props = self.doc.properties
        header = section.header.paragraphs[0]
        header.text = ""
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        header._p.append(
            run(
                f"{props.get('product', '')} · {self.doc.doc_type} · version {props.get('version', '')}",
                size_half_points=16,
                color="5A5A5A",
            )
        )
        if props.get("status") == "draft":
            header._p.append(
                run("   DRAFT — not for submission", bold=True, size_half_points=16, color="C00000")
            )
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer._p.append(run("Page "))
        for r in field_runs("PAGE", "1"):
            footer._p.append(r)
        footer._p.append(run(" of "))
        for r in field_runs("NUMPAGES", "1"):
            footer._p.append(r)

    # -- inline content ---------------------------------------------------------
    def _bookmark_name(self, key: str) -> str:
        name = self._bookmarks.get(key)
        if name is None:
            name = "_Ref" + re.sub(r"[^A-Za-z0-9]", "", key)[:24] + f"{len(self._bookmarks):04d}"
            self._bookmarks[key] = name
        return name

    def _inline(self, part: Inline) -> list[Any]:
        if isinstance(part, Text):
            return [run(part.text, bold=part.bold, italic=part.italic)]
        if isinstance(part, Missing):
            return [run(part.text, bold=True, highlight="yellow")]
        if isinstance(part, CrossRef):
            label = self.numbering.label(part.key)
            if label.startswith("section "):
                return [
                    run("section "),
                    *field_runs(
                        f"REF {self._bookmark_name(part.key)} \\h", label.removeprefix("section ")
                    ),
                ]
            return field_runs(f"REF {self._bookmark_name(part.key)} \\h", label)
        raise TypeError(type(part))

    def _paragraph(self, parts: list[Inline] | tuple[Inline, ...], style: str | None = None) -> Any:
        p = self.out.add_paragraph(style=style)
        for part in parts:
            for element in self._inline(part):
                p._p.append(element)
        return p

    # -- blocks -------------------------------------------------------------------
    def _caption(self, kind: str, key: str, caption: str) -> None:
        number = self.numbering.table_number(key)
        p = self.out.add_paragraph(style="Caption")
        label = [run(f"{kind} "), *field_runs(f"SEQ {kind} \\* ARABIC", str(number))]
        self._next_id += 1
        for element in bookmark(self._bookmark_name(key), self._next_id, label):
            p._p.append(element)
        p._p.append(run(f": {caption}"))

    def _cell_xml(self, cell: Cell, width_twips: int, header: bool) -> Any:
        tc = OxmlElement("w:tc")
        tc_pr = OxmlElement("w:tcPr")
        tcw = OxmlElement("w:tcW")
        tcw.set(qn("w:w"), str(width_twips))
        tcw.set(qn("w:type"), "dxa")
        tc_pr.append(tcw)
        if header:
            set_cell_shading(tc_pr, "DCE6F0")
        tc.append(tc_pr)
        p = OxmlElement("w:p")
        p_pr = OxmlElement("w:pPr")
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:before"), "20")
        spacing.set(qn("w:after"), "20")
        p_pr.append(spacing)
        p.append(p_pr)
        parts: list[Inline]
        if isinstance(cell, str):
            parts = [Text(cell, bold=header)]
        elif isinstance(cell, Missing):
            parts = [cell]
        else:
            parts = list(cell)
        for part in parts:
            for element in self._inline(part):
                r_pr = element.find(qn("w:rPr"))
                if element.tag == qn("w:r"):
                    if r_pr is None:
                        r_pr = OxmlElement("w:rPr")
                        element.insert(0, r_pr)
                    sz = OxmlElement("w:sz")
                    sz.set(qn("w:val"), "17")
                    r_pr.append(sz)
                p.append(element)
        tc.append(p)
        return tc

    def _table(self, table: Table) -> None:
        self._caption("Table", table.key, table.caption)
        n = len(table.header)
        widths = table.widths or _auto_widths(table)
        total = sum(widths)
        twips = [int(TEXT_WIDTH_MM / 25.4 * 1440 * w / total) for w in widths]
        docx_table = self.out.add_table(rows=0, cols=n)
        docx_table.style = "Table Grid"
        tbl = docx_table._tbl
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
        rows: list[tuple[list[Cell], bool]] = [(list(table.header), True)]
        rows += [(list(r), False) for r in table.rows]
        for cells, header in rows:
            tr = OxmlElement("w:tr")
            tr_pr = OxmlElement("w:trPr")
            tr_pr.append(OxmlElement("w:cantSplit"))
            if header:
                tr_pr.append(OxmlElement("w:tblHeader"))
            tr.append(tr_pr)
            padded: list[Cell] = cells + [""] * (n - len(cells))
            for cell, width in zip(padded, twips, strict=True):
                tr.append(self._cell_xml(cell, width, header))
            tbl.append(tr)
        if table.note:
            self._paragraph([Text(table.note, italic=True)])
        else:
            self.out.add_paragraph()

    def _figure(self, figure: Figure) -> None:
        self.out.add_picture(io.BytesIO(figure.png), width=Mm(min(figure.width_mm, TEXT_WIDTH_MM)))
        self.out.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._caption("Figure", figure.key, figure.caption)

    def _section(self, section: Section, level: int) -> None:
        heading = self.out.add_heading(level=min(level, 3))
        number = self.numbering.section_number(section.key)
        self._next_id += 1
        for element in bookmark(self._bookmark_name(section.key), self._next_id, [run(number)]):
            heading._p.append(element)
        heading._p.append(run(f"  {section.title}"))
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

    # -- front matter and assembly ------------------------------------------------
    def _front(self) -> None:
        title = self.out.add_paragraph(style="Title")
        title.add_run(self.doc.title)
        subtitle = self.out.add_paragraph(style="Subtitle")
        subtitle.add_run(self.doc.subtitle)
        for heading, instruction, placeholder in (
            (
                "Table of contents",
                'TOC \\o "1-3" \\h \\z \\u',
                "The table of contents is updated when the document is opened (or press F9).",
            ),
            (
                "List of tables",
                'TOC \\h \\z \\c "Table"',
                "The list of tables is updated when the document is opened.",
            ),
            (
                "List of figures",
                'TOC \\h \\z \\c "Figure"',
                "The list of figures is updated when the document is opened.",
            ),
        ):
            if heading == "List of figures" and not self.doc.figures():
                continue
            if heading == "List of tables" and not self.doc.tables():
                continue
            p = self.out.add_paragraph(
                style="TOC Heading" if "TOC Heading" in [s.name for s in self.out.styles] else None
            )
            p.add_run(heading).bold = True
            body = self.out.add_paragraph()
            for element in field_runs(instruction, placeholder):
                body._p.append(element)
        self.out.add_page_break()  # type: ignore[no-untyped-call]

    def build(self) -> bytes:
        self._front()
        for section in self.doc.sections:
            self._section(section, 1)
        core = self.out.core_properties
        moment = dt.datetime.combine(self.when, dt.time(0, 0))
        core.title = self.doc.title
        core.subject = self.doc.doc_type
        core.author = "dossier"
        core.last_modified_by = "dossier"
        core.created = moment
        core.modified = moment
        core.revision = 1
        core.version = self.doc.properties.get("version", "")
        core.keywords = (
            f"{self.doc.properties.get('product', '')}; {self.doc.properties.get('status', '')}"
        )
        core.comments = self.doc.properties.get("build", "")
        settings = self.out.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # schema order: updateFields goes before the compatibility settings
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(update)
        else:
            settings.append(update)
        buffer = io.BytesIO()
        self.out.save(buffer)
        return buffer.getvalue()


def write_docx(document: Document, when: dt.date) -> bytes:
    """The .docx bytes of a document (dates fixed to ``when`` for reproducible files)."""
    return _Writer(document, when).build()
