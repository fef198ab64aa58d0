"""Small builders of WordprocessingML elements (runs, fields, bookmarks) with lxml.

Fields are written as complex fields (begin / instruction / separate / cached result /
end) with the cached result computed in Python, so the document reads correctly even
where nothing updates fields; ``w:updateFields`` asks Word to refresh them on open.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = ["bookmark", "field_runs", "run", "set_cell_shading"]


def run(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    highlight: str | None = None,
    size_half_points: int | None = None,
    color: str | None = None,
) -> Any:
    """A ``w:r`` with text (spaces preserved) and simple formatting."""
    r = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    if bold:
        props.append(OxmlElement("w:b"))
    if italic:
        props.append(OxmlElement("w:i"))
    if color:
        c = OxmlElement("w:color")
        c.set(qn("w:val"), color)
        props.append(c)
    if size_half_points:
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(size_half_points))
        props.append(sz)
    if highlight:
        h = OxmlElement("w:highlight")
        h.set(qn("w:val"), highlight)
        props.append(h)
    if len(props):
        r.append(props)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def _fld_char(kind: str) -> Any:
    r = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), kind)
    r.append(fc)
    return r


def field_runs(instruction: str, cached: str, *, bold: bool = False) -> list[Any]:
    """The runs of a complex field with a cached result."""
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    return [
        _fld_char("begin"),
        instr_run,
        _fld_char("separate"),
        run(cached, bold=bold),
        _fld_char("end"),
    ]


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
