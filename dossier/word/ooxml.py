"""Small builders of WordprocessingML (runs, fields, bookmarks).

Runs and fields are written as XML text (:func:`run_xml`, :func:`field_xml`): a table
row of them is written into the document as text (see :mod:`dossier.word.writer`), and
the elements that paragraphs are built from are that same text parsed
(:func:`run`, :func:`field_runs`, :func:`elements`), so both carry the same markup.

Fields are written as complex fields (begin / instruction / separate / cached result /
end) with the cached result computed in Python, so the document reads correctly even
where nothing updates fields; ``w:updateFields`` asks Word to refresh them on open.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

__all__ = [
    "bookmark",
    "elements",
    "ensure_update_fields",
    "field_runs",
    "field_xml",
    "run",
    "run_xml",
    "set_cell_shading",
    "text_xml",
    "xml_chars",
]

# characters XML 1.0 cannot hold (lxml refuses them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """``text`` with each character XML cannot hold (control characters other than tab,
    line feed and carriage return; lone surrogates) shown as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


# what text_xml changes; most table cells hold none of it and are written as they are
_NOT_PLAIN = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_xml(text: str) -> str:
    """``text`` as XML character data, written as lxml writes the text of an element
    (what XML cannot hold as U+FFFD, a carriage return as ``&#13;``)."""
    if _NOT_PLAIN.search(text) is None:
        return text
    return xml_chars(escape(text)).replace("\r", "&#13;")


def _props_xml(
    bold: bool = False,
    italic: bool = False,
    highlight: str | None = None,
    size_half_points: int | None = None,
    color: str | None = None,
) -> str:
    """A ``w:rPr`` with the formatting given (in schema order), or nothing."""
    props = "".join(
        [
            "<w:b/>" if bold else "",
            "<w:i/>" if italic else "",
            f"<w:color w:val={quoteattr(color)}/>" if color else "",
            f'<w:sz w:val="{size_half_points}"/>' if size_half_points else "",
            f"<w:highlight w:val={quoteattr(highlight)}/>" if highlight else "",
        ]
    )
    return f"<w:rPr>{props}</w:rPr>" if props else ""


def run_xml(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    highlight: str | None = None,
    size_half_points: int | None = None,
    color: str | None = None,
) -> str:
    """A ``w:r`` with text (spaces preserved) and simple formatting, as XML text."""
    if bold or italic or highlight or size_half_points or color:
        props = _props_xml(bold, italic, highlight, size_half_points, color)
        return f'<w:r>{props}<w:t xml:space="preserve">{text_xml(text)}</w:t></w:r>'
    return f'<w:r><w:t xml:space="preserve">{text_xml(text)}</w:t></w:r>'


def _fld_char_xml(kind: str, size_half_points: int | None = None) -> str:
    # the field takes the formatting of its first run when updated
    props = _props_xml(size_half_points=size_half_points)
    return f'<w:r>{props}<w:fldChar w:fldCharType="{kind}"/></w:r>'


def field_xml(
    instruction: str, cached: str, *, bold: bool = False, size_half_points: int | None = None
) -> str:
    """The runs of a complex field with a cached result, as XML text."""
    return "".join(
        [
            _fld_char_xml("begin", size_half_points),
            f'<w:r><w:instrText xml:space="preserve"> {text_xml(instruction)} </w:instrText></w:r>',
            _fld_char_xml("separate"),
            run_xml(cached, bold=bold, size_half_points=size_half_points),
            _fld_char_xml("end"),
        ]
    )


_FRAGMENT = f"<w:p {nsdecls('w')}>{{}}</w:p>"


def elements(xml: str) -> list[Any]:
    """The elements of a fragment of paragraph content written as XML text (runs,
    fields), parsed as python-docx parses a document."""
    return list(parse_xml(_FRAGMENT.format(xml)))


def run(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    highlight: str | None = None,
    size_half_points: int | None = None,
    color: str | None = None,
) -> Any:
    """The ``w:r`` element of :func:`run_xml`."""
    xml = run_xml(
        text,
        bold=bold,
        italic=italic,
        highlight=highlight,
        size_half_points=size_half_points,
        color=color,
    )
    return elements(xml)[0]


def field_runs(
    instruction: str, cached: str, *, bold: bool = False, size_half_points: int | None = None
) -> list[Any]:
    """The run elements of :func:`field_xml`."""
    return elements(field_xml(instruction, cached, bold=bold, size_half_points=size_half_points))


def bookmark(name: str, ident: int, content: list[Any]) -> list[Any]:
    """``content`` wrapped in a bookmark (start and end elements around it)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    return [start, *content, end]


def set_cell_shading(tc_pr: Any, fill: str) -> None:
    """Background colour of a table cell."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def ensure_update_fields(doc: Any) -> None:
    """Ask Word to update every field when the document is opened (settings.xml)."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    compat = settings.find(qn("w:compat"))
    if compat is not None:  # schema order: updateFields comes before compat
        compat.addprevious(update)
    else:
        settings.append(update)
