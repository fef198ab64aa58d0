"""Templates made for the tests: the built-in house template with tags added or changed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

from dossier.core.resources import builtin_dir

HOUSE = builtin_dir("templates") / "house.docx"


def house_with_paragraphs(target: Path, *texts: str) -> Path:
    """A copy of the house template with extra body paragraphs before the body anchor."""
    doc = docx.Document(str(HOUSE))
    anchor = next(p for p in doc.paragraphs if p.text.strip() == "{{p body }}")
    for text in texts:
        anchor.insert_paragraph_before(text)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def replace_member(source: Path, target: Path, member: str, old: bytes, new: bytes) -> Path:
    """A copy of a .docx with one text replacement inside one zip member."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                assert old in data, f"{old!r} not in {member}"
                data = data.replace(old, new, 1)
            zout.writestr(info, data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue())
    return target
