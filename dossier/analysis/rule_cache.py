"""The computed results that ``dossier check`` gives its rules, kept between runs.

Computing them means reading every data file and fitting every assay run, which also
imports numpy; the rules then only read plain data. That data is stored in the cache
folder (:mod:`dossier.core.cache`; ``DOSSIER_CACHE_DIR=""`` switches it off) under a
key made of

- the project file's bytes, its displayed path and the working folder (messages name
  files as the user gave them);
- the bytes of every data file the project references, and for a referenced folder
  (a SEND package, which the rules do not read) the name, size and modification time
  of each file in it;
- dossier's version, the Python version, the name, size and modification time of every
  module of the stages that compute (core, load, model, compute, importers, analysis),
  and numpy's version file.

A change to any of them gives another key, so a stale entry is never used; an entry
that cannot be read is recomputed. Only the rule data are cached: the analyses' own
diagnostics are reported by ``dossier validate --deep`` and ``dossier build``, which
always compute.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project_io import LoadedProject

__all__ = ["cache_key", "rule_data"]

_CODE_STAGES = ("core", "load", "model", "compute", "importers", "analysis")
_FORMAT = "computed-rule-data-1"


def _code_fingerprint(digest: Any) -> None:
    import importlib.util

    import dossier

    digest.update(f"{_FORMAT}|{dossier.__version__}|{sys.version}".encode())
    package = Path(dossier.__file__).parent
    for stage in _CODE_STAGES:
        for folder, dirs, files in os.walk(package / stage):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".json", ".csv")):
                    _stat(digest, Path(folder) / name, package)
    spec = importlib.util.find_spec("numpy")
    if spec is not None and spec.origin:
        _stat(digest, Path(spec.origin).parent / "version.py", None)


def _stat(digest: Any, path: Path, base: Path | None) -> None:
    try:
        st = path.stat()
    except OSError:
        digest.update(f"|{path}:missing".encode())
        return
    name = path.relative_to(base) if base is not None else path
    digest.update(f"|{name}:{st.st_size}:{st.st_mtime_ns}".encode())


def cache_key(loaded: LoadedProject) -> str | None:
    """The key of a project's computed rule data; None when an input cannot be read."""
    from dossier.model.project_io import data_references

    digest = hashlib.sha256()
    _code_fingerprint(digest)
    try:
        digest.update(f"|{os.getcwd()}|{loaded.source.display_path}|".encode())
        digest.update(loaded.source.path.read_bytes())
        root = loaded.root
        for ref, _path, kind in data_references(loaded.project):
            target = root / ref
            digest.update(f"|{kind}:{ref}|".encode())
            if kind == "file":
                digest.update(hashlib.sha256(target.read_bytes()).digest())
            else:
                for folder, dirs, files in os.walk(target):
                    dirs.sort()
                    for name in sorted(files):
                        _stat(digest, Path(folder) / name, target)
    except OSError:
        return None
    return digest.hexdigest()[:32]


def rule_data(loaded: LoadedProject) -> dict[str, Any]:
    """``compute_project(loaded, send=False).rule_data()``, from the cache when current."""
    from dossier.analysis.project import compute_project
    from dossier.core.cache import cache_folder, write_atomically

    folder = cache_folder()
    key = cache_key(loaded) if folder is not None else None
    file = folder / f"computed-{key}.marshal" if folder is not None and key else None
    if file is not None:
        try:
            cached = marshal.loads(file.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            cached = None
        if isinstance(cached, dict):
            return cached
    data = compute_project(loaded, send=False).rule_data()
    if file is not None:
        try:
            blob = marshal.dumps(data)
        except ValueError:  # something that is not plain data: not cached
            return data
        if marshal.loads(blob) == data:
            write_atomically(file, blob)
    return data
