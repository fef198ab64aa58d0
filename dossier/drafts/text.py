"""A plain-text rendering of a document's blocks (golden dumps, quick review, tests)."""

from __future__ import annotations

from dossier.drafts.blocks import (
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
from dossier.drafts.numbering import Numbering

__all__ = ["to_text"]


def _inline(part: Inline, numbering: Numbering) -> str:
    if isinstance(part, Text):
        return part.text
    if isinstance(part, Missing):
        return part.text
    if isinstance(part, CrossRef):
        return numbering.label(part.key)
    raise TypeError(type(part))


def _cell(cell: Cell, numbering: Numbering) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Missing):
        return cell.text
    return "".join(_inline(p, numbering) for p in cell)


def _section(section: Section, level: int, numbering: Numbering, out: list[str]) -> None:
    out.append("")
    out.append(f"{'#' * level} {numbering.section_number(section.key)} {section.title}")
    for block in section.blocks:
        if isinstance(block, Para):
            out.append("".join(_inline(p, numbering) for p in block.parts))
        elif isinstance(block, Bullets):
            out.extend(
                "- " + "".join(_inline(p, numbering) for p in item.parts) for item in block.items
            )
        elif isinstance(block, Table):
            out.append(f"{numbering.label(block.key)}: {block.caption}")
            out.append(" | ".join(block.header))
            out.extend(" | ".join(_cell(c, numbering) for c in row) for row in block.rows)
            if block.note:
                out.append(block.note)
        elif isinstance(block, Figure):
            out.append(f"[figure] {numbering.label(block.key)}: {block.caption}")
    for child in section.children:
        _section(child, level + 1, numbering, out)


def to_text(document: Document) -> str:
    """The document as Markdown-like text with resolved numbers and cross-references."""
    numbering = Numbering(document)
    out = [document.title, document.subtitle]
    for section in document.sections:
        _section(section, 1, numbering, out)
    return "\n".join(out) + "\n"
