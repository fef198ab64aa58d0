"""Where dossier keeps what the loop of editing and rebuilding reuses: the figures
(:mod:`dossier.figures.draw`) and the results of the numerical computations
(:mod:`dossier.compute.memo`).

The folder is ``DOSSIER_CACHE_DIR`` when set, else ``dossier`` in the user's cache
folder (``XDG_CACHE_HOME`` or ``~/.cache``); ``DOSSIER_CACHE_DIR=""`` switches caching
off. A cache that cannot be read or written is ignored; an entry is only ever used when
its key (a content hash of everything it was made from) matches.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_folder", "write_atomically"]


def cache_folder() -> Path | None:
    """The cache folder, or ``None`` when caching is switched off."""
    folder = os.environ.get("DOSSIER_CACHE_DIR")
    if folder == "":
        return None
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "dossier")
    return Path(folder)


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file; False (no error) on failure."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        return False
    return True
