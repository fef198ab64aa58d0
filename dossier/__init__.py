"""dossier: validated, traceable Word drafts of ATMP potency and non-clinical dossier sections.

The public library API is deliberately small and imported lazily so that
``dossier validate`` starts fast:

- :func:`dossier.load_project` reads and validates a project file,
- :func:`dossier.validate` returns the diagnostics of a project,

and further entry points (``build``, ``check``) are added by their stages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project_io import load_project, validate

__all__ = ["__version__", "load_project", "validate"]


def __getattr__(name: str) -> Any:
    # Lazy re-exports: importing ``dossier`` must not import pydantic or ruamel.
    if name in {"load_project", "validate"}:
        from dossier.model import project_io as _validate_module

        return getattr(_validate_module, name)
    raise AttributeError(name)
