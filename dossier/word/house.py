"""The built-in Word template of every draft (``templates/house.docx``), made from code.

The template is what a team would otherwise keep as a ``.dotx``: A4 pages, the house
styles (Heading 1–3, captions, footnote styles), a multilevel list that numbers headings
1 / 1.1 / 1.1.1 in documents numbered by Word (CTD documents write their numbers out),
a header whose texts are DOCPROPERTY fields (so a change of version in Word's properties
updates every page), a DRAFT watermark shown while the status is draft, "Page X of Y" in
the footer, a cover page and the front matter (table of contents and lists of tables
and figures as fields). Jinja tags mark what the data fill in; ``{{p body }}`` is where
the sections go.

Run ``python -m dossier.word.house`` to write it again, ``--check`` to verify that the
committed file is current. A team replaces it by putting its own ``house.docx`` (with
the same tags and style names) in a template folder.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from dossier.core.resources import builtin_dir
from dossier.word.ooxml import ensure_update_fields, field_runs, run
from dossier.word.save import normalize_docx

__all__ = ["HEADING_NUM_ID", "REQUIRED_STYLES", "make_house_template"]

BODY_FONT = "Calibri"  # LibreOffice uses the metric-compatible Carlito
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
HEADING_NUM_ID = 90  # the multilevel list that numbers headings (numbering: word)
REQUIRED_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Caption",
    "TOC Heading",
    "List Bullet",
    "Table Grid",
    "Footnote Text",
    "Footnote Reference",
    "Table Text",
    "Table Heading",
)


def _styles(doc: Any) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level, size in ((1, 15), (2, 13), (3, 11.5)):
        style = styles[f"Heading {level}"]
        style.font.name = BODY_FONT
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    caption = styles["Caption"]
    caption.font.name = BODY_FONT
    caption.font.size = Pt(9.5)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = ACCENT
    caption.paragraph_format.keep_with_next = True
    for name in ("Header", "Footer"):  # fields in them take the paragraph's formatting
        styles[name].font.name = BODY_FONT
        styles[name].font.size = Pt(8)
        styles[name].font.color.rgb = RGBColor(0x5A, 0x5A, 0x5A)
    for name in ("Title", "Subtitle"):
        styles[name].font.name = BODY_FONT
    styles["Title"].font.color.rgb = ACCENT
    styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">'
            '<w:name w:val="Footnote Text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>'
            '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            '<w:rPr><w:sz w:val="17"/></w:rPr></w:style>'
        )
    )
    styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TableText">'
            '<w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            '<w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>'
            '<w:rPr><w:sz w:val="17"/></w:rPr></w:style>'
        )
    )
    styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TableHeading">'
            '<w:name w:val="Table Heading"/><w:basedOn w:val="TableText"/><w:qFormat/>'
            "<w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/></w:rPr></w:style>"
        )
    )
    styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
            '<w:name w:val="Footnote Reference"/><w:uiPriority w:val="99"/>'
            '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
        )
    )


def _heading_numbering(doc: Any) -> None:
    numbering = doc.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{".".join(f"%{j + 1}" for j in range(i + 1))}"/>'
        '<w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{567 + 142 * i}" w:hanging="{567 + 142 * i}"/></w:pPr></w:lvl>'
        for i in range(3)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{HEADING_NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{HEADING_NUM_ID}">'
            f'<w:abstractNumId w:val="{HEADING_NUM_ID}"/></w:num>'
        )
    )


VML_NS = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
WATERMARK = (
    '<w:p {ns}><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:noProof/></w:rPr>'
    "<w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e">'
    '<v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="DossierDraftWatermark" o:spid="_x0000_s1025" type="#_x0000_t136"'
    ' style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#d9d9d9" stroked="f">'
    '<v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt"'
    ' string="{{{{ doc.words.draft_mark }}}}"/>'
    "</v:shape></w:pict></w:r></w:p>"
)


def _docproperty(name: str) -> list[object]:
    return field_runs(f"DOCPROPERTY {name} \\* MERGEFORMAT", name, size_half_points=16)


def _header_footer(doc: Any) -> None:
    section = doc.sections[0]
    header = section.header
    line = header.paragraphs[0]
    line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for part in (
        *_docproperty("Product"),
        run(" · ", size_half_points=16, color="5A5A5A"),
        *_docproperty("DocumentType"),
        run(" · {{ doc.words.version }} ", size_half_points=16, color="5A5A5A"),
        *_docproperty("Version"),
        run(" · ", size_half_points=16, color="5A5A5A"),
        *_docproperty("Status"),
    ):
        line._p.append(part)
    # the watermark paragraph is kept only while the document is a draft
    for xml in (
        f"<w:p {nsdecls('w')}><w:r><w:t>{{%p if doc.draft %}}</w:t></w:r></w:p>",
        WATERMARK.format(ns=f"{nsdecls('w')} {VML_NS}"),
        f"<w:p {nsdecls('w')}><w:r><w:t>{{%p endif %}}</w:t></w:r></w:p>",
    ):
        header._element.append(parse_xml(xml))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(run("{{ doc.words.page }} ", size_half_points=16))
    for r in field_runs("PAGE", "1", size_half_points=16):
        footer._p.append(r)
    footer._p.append(run(" {{ doc.words.page_of }} ", size_half_points=16))
    for r in field_runs("NUMPAGES", "1", size_half_points=16):
        footer._p.append(r)
    build = section.footer.add_paragraph()
    build.alignment = WD_ALIGN_PARAGRAPH.CENTER
    build._p.append(run("{{ doc.build }}", size_half_points=14, color="7F7F7F"))


def _body(doc: Any) -> None:
    d = doc
    d.add_paragraph("{{ doc.title }}", style="Title")
    d.add_paragraph("{{ doc.subtitle }}", style="Subtitle")
    table = d.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "{%tr for row in doc.cover %}"
    table.rows[1].cells[0].paragraphs[0].add_run("{{ row.label }}").bold = True
    table.rows[1].cells[1].text = "{{ row.value }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    for width, column in zip((Mm(45), Mm(115)), table.columns, strict=True):
        for cell in column.cells:
            cell.width = width
    d.add_paragraph()
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for condition, heading, instruction, placeholder in (
        (
            None,
            "{{ doc.words.contents }}",
            'TOC \\o "1-3" \\h \\z \\u',
            "{{ doc.words.contents_note }}",
        ),
        (
            "doc.has_tables",
            "{{ doc.words.tables }}",
            'TOC \\h \\z \\c "Table"',
            "{{ doc.words.tables_note }}",
        ),
        (
            "doc.has_figures",
            "{{ doc.words.figures }}",
            'TOC \\h \\z \\c "Figure"',
            "{{ doc.words.figures_note }}",
        ),
    ):
        if condition:
            d.add_paragraph(f"{{%p if {condition} %}}")
        d.add_paragraph(heading, style="TOC Heading")
        body = d.add_paragraph()
        for element in field_runs(instruction, placeholder):
            body._p.append(element)
        if condition:
            d.add_paragraph("{%p endif %}")
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("{{p body }}")


FOOTNOTES = (
    '<w:footnotes {ns}><w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r>'
    '</w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r>'
    "<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>"
)


def _parts(doc: Any) -> None:
    main = doc.part
    package = main.package
    # python-docx's own template carries parts a house template should not
    for rel_id, rel in list(main.rels.items()):
        if rel.reltype == RT.CUSTOM_XML or rel.reltype.endswith("/stylesWithEffects"):
            main.drop_rel(rel_id)
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    footnotes = Part(
        PackURI("/word/footnotes.xml"),
        CT.WML_FOOTNOTES,
        FOOTNOTES.format(ns=nsdecls("w")).encode("utf-8"),
        package,
    )
    main.relate_to(footnotes, RT.FOOTNOTES)
    ensure_update_fields(doc)
    core = doc.core_properties
    core.author = core.last_modified_by = "dossier"
    core.title = core.subject = core.keywords = core.comments = ""


def make_house_template() -> bytes:
    """The bytes of the built-in house template (deterministic)."""
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    _styles(doc)
    _heading_numbering(doc)
    _header_footer(doc)
    _body(doc)
    _parts(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_docx(buffer.getvalue())


def _members(data: bytes) -> dict[str, bytes]:
    # compared uncompressed: deflate output may differ between zlib builds
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def main(argv: list[str] | None = None) -> int:
    """Write ``templates/house.docx`` (or, with ``--check``, compare it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is not current")
    args = parser.parse_args(argv)
    target = builtin_dir("templates") / "house.docx"
    data = make_house_template()
    if args.check:
        if not target.exists() or _members(target.read_bytes()) != _members(data):
            print(f"{target} is not current: run python -m dossier.word.house", file=sys.stderr)
            return 1
        return 0
    target.write_bytes(data)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
