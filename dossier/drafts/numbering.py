"""Section, table and figure numbers of a document, and the text of cross-references.

Sections with an explicit ``number`` (CTD headings such as ``2.1.P.5.1``) keep it and
their subsections continue it (``2.1.P.5.2.1``); other sections are numbered 1, 1.1,
1.1.1 in order. Tables and figures are numbered in reading order. A cross-reference to
an unknown key is an error, never an empty string.
"""

from __future__ import annotations

from dossier.core.i18n import N_
from dossier.core.i18n import gettext as _
from dossier.drafts.blocks import Document, Figure, Section, Table

_KINDS = {
    "table": N_("Table {number}"),
    "figure": N_("Figure {number}"),
    "section": N_("section {number}"),
}

__all__ = ["Numbering"]


class Numbering:
    """Numbers of every numbered thing in a document, by key."""

    def __init__(self, document: Document) -> None:
        self._sections: dict[str, str] = {}
        self._labels: dict[str, tuple[str, str]] = {}
        for counter, section in enumerate(document.sections, start=1):
            self._number(section, section.number or str(counter))
        tables = figures = 0
        for section in document.walk():
            for block in section.blocks:
                if isinstance(block, Table):
                    tables += 1
                    self._labels[block.key] = ("table", str(tables))
                elif isinstance(block, Figure):
                    figures += 1
                    self._labels[block.key] = ("figure", str(figures))
        for key, number in self._sections.items():
            self._labels.setdefault(key, ("section", number))

    def _number(self, section: Section, number: str) -> None:
        if section.key in self._sections:
            raise ValueError(f"duplicate key '{section.key}' in the document")
        self._sections[section.key] = number
        for i, child in enumerate(section.children, start=1):
            self._number(child, child.number or f"{number}.{i}")

    def section_number(self, key: str) -> str:
        """The number of a section."""
        return self._sections[key]

    def _found(self, key: str) -> tuple[str, str]:
        try:
            return self._labels[key]
        except KeyError:
            raise ValueError(f"cross-reference to unknown key '{key}'") from None

    def label(self, key: str) -> str:
        """ "Table 3", "Figure 1" or "section 2.1" for a key, in the document's language."""
        kind, number = self._found(key)
        return _(_KINDS[kind]).format(number=number)

    def kind(self, key: str) -> str:
        """What a key numbers: "table", "figure" or "section"."""
        return self._found(key)[0]

    def number(self, key: str) -> str:
        """The number alone: "3" of Table 3, "2.1" of section 2.1."""
        return self._found(key)[1]

    def table_number(self, key: str) -> int:
        """The sequence number of a table or figure (for Word's SEQ field cache)."""
        return int(self.number(key))
