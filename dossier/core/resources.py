"""Where the built-in document outlines and Word templates are.

In an installed package they are inside it (``dossier/_data/``, put there by the build
backend); in a source checkout they are the top-level ``sections/`` and ``templates/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["RENAMED_DOCUMENTS", "builtin_dir"]

RENAMED_DOCUMENTS = {"impd-quality-potency": "impd-quality"}
"""Built-in document types that were renamed: the old id is refused with the new one named."""

_PACKAGE = Path(__file__).resolve().parents[1]


def builtin_dir(name: str) -> Path:
    """The folder of built-in ``sections`` or ``templates``."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name
