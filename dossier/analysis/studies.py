"""Analysis of the project's studies (filled in as the compute stage grows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject
    from dossier.model.project_io import LoadedProject


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Add this part's results to ``computed``."""
