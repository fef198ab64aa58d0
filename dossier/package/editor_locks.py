"""The lock files that word processors leave next to a document they have open.

A build must not replace a draft that someone has open: Word would keep the old text in
its window and save it over the new one, or refuse to save at all. The word processors
announce an open document with a small file in the same folder:

- **Microsoft Word** writes an *owner file* whose name depends on the length of the
  document's name without its extension (the *stem*; Word counts UTF-16 code units):

  - a stem of 8 or more: ``~$`` replaces its first two characters
    (``impd-nonclinical.docx`` → ``~$pd-nonclinical.docx``);
  - a stem of exactly 7: ``~$`` replaces its first character
    (``summary.docx`` → ``~$ummary.docx``);
  - a stem of 6 or fewer: ``~$`` is put in front (``brief.docx`` → ``~$brief.docx``).

  The rule holds for Word's formats (``.docx``, ``.doc``, ``.rtf``, ``.odt``); Excel and
  PowerPoint always put ``~$`` in front of the whole name. It is the rule that
  LibreOffice implements to read and write Word's owner files
  (``svl/source/misc/msodocumentlockfile.cxx``, ``GenerateMSOLockFileURL``).
- **LibreOffice** writes ``.~lock.<whole name>#``, whatever the format (its
  ``DocumentLockFile``, ``svl/source/misc/documentlockfile.cxx``), and, when asked to
  interoperate, Word's owner file as above.

:func:`lock_names` gives every name under which a lock of a document can appear (Word's
form, the whole-name ``~$`` form and LibreOffice's form), so that a document opened by
any of them is found whatever the length of its name.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["WORD_FORMATS", "find_lock", "lock_names", "word_owner_file"]

WORD_FORMATS = frozenset({".docx", ".doc", ".docm", ".dotx", ".dotm", ".rtf", ".odt"})
"""Extensions for which Word shortens the name of its owner file."""


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def word_owner_file(name: str) -> str:
    """The name of the owner file that Word writes while the document ``name`` is open."""
    path = Path(name)
    if path.suffix.lower() not in WORD_FORMATS:
        return "~$" + name
    stem = _utf16_length(path.stem)
    if stem >= 8:
        return "~$" + name[2:]
    if stem == 7:
        return "~$" + name[1:]
    return "~$" + name


def lock_names(name: str) -> list[str]:
    """Every name of a lock file that says the document ``name`` is open (no duplicates)."""
    names = [word_owner_file(name), "~$" + name, f".~lock.{name}#"]
    return list(dict.fromkeys(names))


def find_lock(folder: Path, name: str) -> Path | None:
    """The lock file of the document ``name`` in ``folder``, if a word processor has it open."""
    for lock in lock_names(name):
        candidate = folder / lock
        if candidate.is_file() or candidate.is_symlink():
            return candidate
    return None
