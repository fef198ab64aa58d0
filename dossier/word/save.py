"""A python-docx document as reproducible .docx bytes, through python-docx's public API.

``Document.save`` writes the package; its zip entries carry the time of saving, which
:func:`normalize_docx` then fixes, so that the same content gives the same bytes (a
package with spliced rows is written again entry by entry with the same fixed fields,
see :func:`docx_bytes`). Parts
that python-docx keeps as plain bytes (footnotes, custom properties) are edited as XML by
putting an :class:`~docx.opc.part.XmlPart` in their place (:func:`related_xml_part`).
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = [
    "SPLICE",
    "ZIP_TIME",
    "docx_bytes",
    "normalize_docx",
    "related_xml_part",
    "splice",
    "spliced_pieces",
]

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The time every zip entry carries (the earliest a zip can hold)."""

_DOS_TIME = (ZIP_TIME[3] << 11) | (ZIP_TIME[4] << 5) | (ZIP_TIME[5] // 2)
_DOS_DATE = ((ZIP_TIME[0] - 1980) << 9) | (ZIP_TIME[1] << 5) | ZIP_TIME[2]
_FILE_MODE = 0o644 << 16  # rw-r--r--, in the high bytes of the external attributes

# zip records (PKWARE APPNOTE 4.3): signature and fixed length of each
_LOCAL = b"PK\x03\x04"
_CENTRAL, _CENTRAL_LENGTH = b"PK\x01\x02", 46
_END, _END_LENGTH = b"PK\x05\x06", 22


def normalize_docx(data: bytes) -> bytes:
    """The zip ``data`` with every entry dated :data:`ZIP_TIME`, with the same file
    attributes (rw-r--r--, made on MS-DOS) whatever system wrote it.

    Only these header fields change: the parts are not compressed a second time, as
    writing the archive again through :mod:`zipfile` would do. The entries keep their
    order, which ``Document.save`` fixes (content types, package relationships, then
    the parts in the order their relationships reach them).
    """
    out = bytearray(data)
    end = out.rfind(_END)
    if end < 0 or len(out) - end != _END_LENGTH + struct.unpack_from("<H", out, end + 20)[0]:
        raise ValueError("not a zip archive (or one with a trailing comment)")
    entries, _size, at = struct.unpack_from("<HII", out, end + 10)
    for _ in range(entries):
        if out[at : at + 4] != _CENTRAL:
            raise ValueError(f"no central directory entry at byte {at}")
        name, extra, comment = struct.unpack_from("<HHH", out, at + 28)
        (local,) = struct.unpack_from("<I", out, at + 42)
        if out[local : local + 4] != _LOCAL:
            raise ValueError(f"no local file header at byte {local}")
        out[at + 5] = 0  # "version made by": the system, MS-DOS
        struct.pack_into("<HH", out, at + 12, _DOS_TIME, _DOS_DATE)
        struct.pack_into("<I", out, at + 38, _FILE_MODE)
        struct.pack_into("<HH", out, local + 10, _DOS_TIME, _DOS_DATE)
        at += _CENTRAL_LENGTH + name + extra + comment
    return bytes(out)


SPLICE = "dossier-splice:"
"""Text of the XML comment that marks where spliced XML goes (see :func:`docx_bytes`)."""

_SPLICE_MARK = re.compile(rb"<!--" + SPLICE.encode() + rb"(\d+)-->")


def spliced_pieces(xml: bytes, splices: Sequence[bytes]) -> Iterator[bytes]:
    """The pieces of ``xml`` in order, each comment ``<!--dossier-splice:N-->`` replaced by
    ``splices[N]``: the spliced document without ever holding it whole.

    Every splice must be used exactly once: XML text that went missing would leave rows
    out of a table without a word, so that is an error, never a quiet result.
    """
    used: list[int] = []
    at = 0
    for match in _SPLICE_MARK.finditer(xml):
        used.append(int(match[1]))
        if used[-1] >= len(splices):
            break
        yield xml[at : match.start()]
        yield splices[used[-1]]
        at = match.end()
    if sorted(used) != list(range(len(splices))):
        raise RuntimeError(
            f"{len(splices)} spliced XML fragment(s) but {len(used)} place(s) marked for them"
        )
    yield xml[at:]


def splice(xml: bytes, splices: Sequence[bytes]) -> bytes:
    """``xml`` with each comment ``<!--dossier-splice:N-->`` replaced by ``splices[N]``
    (see :func:`spliced_pieces`)."""
    return b"".join(spliced_pieces(xml, splices))


def docx_bytes(doc: Any, splices: Sequence[bytes] = ()) -> bytes:
    """The reproducible .docx bytes of a python-docx document (the last step with it).

    ``splices`` are fragments of XML text (the rows of long tables) that the main
    document marks with comments ``<!--dossier-splice:N-->``. python-docx saves the
    document with the marks; the package is then written again with the fragments
    streamed into the main document's zip entry in their places. A large project's
    rows are tens of megabytes of XML: they are neither parsed into the tree nor joined
    into one more copy of the whole main document.
    """
    buffer = io.BytesIO()
    doc.save(buffer)
    if not splices:
        return normalize_docx(buffer.getvalue())
    return _repacked(buffer, doc.part.partname.membername, splices)


def _repacked(package: io.BytesIO, main: str, splices: Sequence[bytes]) -> bytes:
    """The zip ``package`` written again, entry by entry in the same order and with the
    same compression, dated :data:`ZIP_TIME` with the attributes :func:`normalize_docx`
    gives, the fragments streamed into entry ``main``."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = _FILE_MODE
            entry.create_system = 0
            data = source.read(info.filename)
            if info.filename != main:
                target.writestr(entry, data)
                continue
            entry.file_size = len(data) + sum(len(s) for s in splices)  # zip64 if need be
            with target.open(entry, "w") as sink:
                for piece in spliced_pieces(data, splices):
                    sink.write(piece)
    return out.getvalue()


def _relate_instead(owner: Any, old: Any, new: Any) -> None:
    """Put part ``new`` where ``old`` is: ``owner``'s relationships to ``old`` (``owner``
    a part or the package) lead to ``new`` under the same ids, and ``new`` has ``old``'s
    own relationships."""
    for rel in old.rels.values():
        target = rel.target_ref if rel.is_external else rel.target_part
        new.load_rel(rel.reltype, target, rel.rId, rel.is_external)
    for r_id, rel in list(owner.rels.items()):
        if not rel.is_external and rel.target_part is old:
            del owner.rels[r_id]
            owner.load_rel(rel.reltype, new, r_id)


def related_xml_part(owner: Any, reltype: str) -> Any:
    """The part ``owner`` (a part or the package) relates by ``reltype``, as an
    :class:`~docx.opc.part.XmlPart` whose element is edited in place and saved with the
    document; ``None`` when there is none.

    python-docx keeps the parts it has no class for (footnotes, custom properties) as
    plain bytes, and docxtpl renders them that way; such a part is replaced by an
    XmlPart of the same name and content.
    """
    from docx.opc.part import XmlPart

    for rel in list(owner.rels.values()):
        if rel.reltype != reltype or rel.is_external:
            continue
        part = rel.target_part
        if not isinstance(part, XmlPart):
            xml = XmlPart.load(part.partname, part.content_type, part.blob, part.package)
            _relate_instead(owner, part, xml)
            part = xml
        return part
    return None
