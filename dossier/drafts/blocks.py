"""The content of a document as plain, typed blocks (the view model of every draft).

Builders turn the project and its computed results into these blocks; a renderer
turns blocks into Word. Values are already formatted here (numbers with significant
figures and units, dates); the renderer only lays them out. Anything the project file
lacks is a :class:`Missing` placeholder that carries the YAML path that would fill it,
so nothing is silently left blank and a to-do list can be built from the document.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dossier.core.i18n import gettext as _

__all__ = [
    "Block",
    "Bullets",
    "Cell",
    "CrossRef",
    "Document",
    "Figure",
    "Footnote",
    "Inline",
    "Missing",
    "Para",
    "PendingImage",
    "Section",
    "Table",
    "Text",
    "missing_in",
]


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text (may be bold or italic)."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class Missing:
    """A highlighted placeholder: what is missing and the YAML path that would fill it."""

    path: str
    label: str

    @property
    def text(self) -> str:
        """The visible placeholder text (in the language of the document being written)."""
        return _("[TO DO: {label} — {path}]").format(label=self.label, path=self.path)


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote: the reference mark here, the text at the foot of the page."""

    text: str


@dataclass(frozen=True, slots=True)
class CrossRef:
    """A reference to a table, figure or section by key ("Table 3", "section 2.1")."""

    key: str


Inline = Text | Missing | CrossRef | Footnote
Cell = str | Missing | tuple[Inline, ...]


@dataclass
class Para:
    """A paragraph of inline parts."""

    parts: list[Inline]
    style: str = "body"

    @classmethod
    def of(cls, *parts: str | Inline, style: str = "body") -> Para:
        """Build a paragraph from strings and inline parts."""
        return cls([Text(p) if isinstance(p, str) else p for p in parts], style)


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[Para]


@dataclass
class Table:
    """A captioned table (caption above); ``key`` is its cross-reference target."""

    key: str
    caption: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: list[float] | None = None
    note: str | None = None


class PendingImage(Protocol):
    """An image still being drawn (see :mod:`dossier.figures.pool`)."""

    def result(self) -> bytes:
        """The PNG, once drawn."""
        ...


@dataclass
class Figure:
    """A captioned figure (caption below) with PNG content, or the promise of it."""

    key: str
    caption: str
    png: bytes | PendingImage
    width_mm: float = 150.0

    def image(self) -> bytes:
        """The PNG (waits for it when it is still being drawn)."""
        return self.png if isinstance(self.png, bytes) else self.png.result()


Block = Para | Bullets | Table | Figure


@dataclass
class Section:
    """A numbered section: heading, blocks, subsections. ``number`` overrides numbering."""

    title: str
    key: str
    blocks: Sequence[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    number: str | None = None

    def walk(self) -> Iterator[Section]:
        """This section and all subsections, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    """A whole draft: metadata, sections and the lists built from them."""

    doc_type: str
    title: str
    subtitle: str
    properties: dict[str, str]
    sections: list[Section]
    abbreviations: dict[str, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    label: str = ""
    """The document type as readers name it (header, subject property)."""
    cover: list[tuple[str, str]] = field(default_factory=list)
    """Label and value rows of the cover-page table."""
    numbering: str = "explicit"
    """``explicit``: numbers written into the headings (CTD numbering such as S.4.3);
    ``word``: the template's multilevel list numbers the headings."""

    def walk(self) -> Iterator[Section]:
        """Every section, depth first."""
        for section in self.sections:
            yield from section.walk()

    def tables(self) -> list[Table]:
        """Every table in reading order."""
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        """Every figure in reading order."""
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Figure)]


def _inline_missing(parts: list[Inline] | tuple[Inline, ...]) -> Iterator[Missing]:
    for part in parts:
        if isinstance(part, Missing):
            yield part


def missing_in(document: Document) -> list[tuple[str, Missing]]:
    """Every placeholder with the heading of the section it is in (for the to-do annex):
    its title, after its number when the number is written into the heading (CTD)."""
    found: list[tuple[str, Missing]] = []
    for section in document.walk():
        where = f"{section.number} {section.title}" if section.number else section.title
        for block in section.blocks:
            if isinstance(block, Para):
                found.extend((where, m) for m in _inline_missing(block.parts))
            elif isinstance(block, Bullets):
                for item in block.items:
                    found.extend((where, m) for m in _inline_missing(item.parts))
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        if isinstance(cell, Missing):
                            found.append((where, cell))
                        elif isinstance(cell, tuple):
                            found.extend((where, m) for m in _inline_missing(cell))
    return found
