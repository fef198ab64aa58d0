"""Small builders of WordprocessingML elements (runs, fields, bookmarks) with lxml.

Fields are written as complex fields (begin / instruction / separate / cached result /
end) with the cached result computed in Python, so the document reads correctly even
where nothing updates fields; ``w:updateFields`` asks Word to refresh them on open.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = [
    "ZIP_TIME",
    "bookmark",
    "docx_bytes",
    "ensure_update_fields",
    "field_runs",
    "normalize_docx",
    "run",
    "set_cell_shading",
]

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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


def _fld_char(kind: str, size_half_points: int | None = None) -> Any:
    r = OxmlElement("w:r")
    if size_half_points:  # the field takes the formatting of its first run when updated
        props = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(size_half_points))
        props.append(sz)
        r.append(props)
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), kind)
    r.append(fc)
    return r


def field_runs(
    instruction: str, cached: str, *, bold: bool = False, size_half_points: int | None = None
) -> list[Any]:
    """The runs of a complex field with a cached result."""
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    return [
        _fld_char("begin", size_half_points),
        instr_run,
        _fld_char("separate"),
        run(cached, bold=bold, size_half_points=size_half_points),
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


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip of the members with fixed times, order and attributes (byte-reproducible)."""
    names = sorted(members, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, members[name], compresslevel=6)
    return out.getvalue()


def normalize_docx(data: bytes) -> bytes:
    """Rewrite a .docx zip with fixed times, order and attributes (byte-reproducible)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return _zip({name: source.read(name) for name in source.namelist()})


class _Members:
    """Collects what python-docx's package writer would put in the zip."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.items[pack_uri.membername] = blob


SPLICE = "dossier-splice:"
"""Text of the XML comment that marks where spliced XML goes (see :func:`docx_bytes`)."""

_SPLICE_MARK = re.compile(rb"<!--" + SPLICE.encode() + rb"(\d+)-->")


def _splice(xml: bytes, splices: Sequence[bytes]) -> bytes:
    """``xml`` with each comment ``<!--dossier-splice:N-->`` replaced by ``splices[N]``.

    Every splice must be used exactly once: XML text that went missing would leave
    rows out of a table without a word, so that is an error, never a quiet result.
    """
    used: list[int] = []

    def fill(match: re.Match[bytes]) -> bytes:
        used.append(int(match[1]))
        return splices[used[-1]]

    out = _SPLICE_MARK.sub(fill, xml)
    if sorted(used) != list(range(len(splices))):
        raise RuntimeError(
            f"{len(splices)} spliced XML fragment(s) but {len(used)} place(s) marked for them"
        )
    return out


def docx_bytes(doc: Any, splices: Sequence[bytes] = ()) -> bytes:
    """The reproducible .docx bytes of a python-docx document, compressed once.

    ``Document.save`` stamps the current time on every zip entry, so its output had to be
    unpacked and packed again; here python-docx's own package writer serializes the
    parts (content types, relationships) into memory and they are zipped once.

    ``splices`` are fragments of XML text (the rows of long tables) that the main
    document marks with comments ``<!--dossier-splice:N-->``; they are written in their
    place as the document is serialized, so they are never parsed into the tree.
    """
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(members, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(members, parts)  # type: ignore[arg-type]
    if splices:
        name = doc.part.partname.membername
        members.items[name] = _splice(members.items[name], splices)
    return _zip(members.items)


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
