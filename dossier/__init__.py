"""dossier: validated, traceable Word drafts of ATMP potency and non-clinical dossier sections.

The library's front door is :mod:`dossier.api`, re-exported here:

- :func:`dossier.validate` reports every problem of a project (a :class:`ValidationReport`),
- :func:`dossier.compute` analyses its data files (a :class:`ComputeReport`),
- :func:`dossier.check` evaluates the expectation rules (a :class:`CheckReport`),
- :func:`dossier.build` writes the Word drafts (a :class:`BuildReport`, with
  :class:`BuildOptions`),
- :func:`dossier.load_project` reads a project once for several of them.

Importing ``dossier`` imports no pydantic, ruamel or numpy: the front door itself is
small, and each function imports the stages it needs when it is called.
"""

from __future__ import annotations

# Bound when the package is imported, not on first use. ``dossier.build`` and
# ``dossier.compute`` are also the names of a module (the build conductor) and a package
# (the compute stage), and Python sets the package attribute to a submodule when that is
# first imported; both are imported here first (neither imports anything heavy), so the
# functions bound below are what ``dossier.build`` and ``dossier.compute`` stay. The
# front door itself imports nothing heavy: each function imports its stages when called.
import importlib as _importlib

from dossier.core.version import __version__

_importlib.import_module("dossier.build")
_importlib.import_module("dossier.compute")

from dossier.api import (  # noqa: E402
    BuildOptions,
    BuildReport,
    CheckReport,
    ComputeReport,
    ValidationReport,
    build,
    check,
    compute,
    document_types,
    load_project,
    validate,
)

__all__ = [
    "BuildOptions",
    "BuildReport",
    "CheckReport",
    "ComputeReport",
    "ValidationReport",
    "__version__",
    "build",
    "check",
    "compute",
    "document_types",
    "load_project",
    "validate",
]
