"""Analysis of the project's assays (filled in as the compute stage grows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject
    from dossier.model.project_io import LoadedProject


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Add this part's results to ``computed``."""
    potency = loaded.project.quality.potency
    if potency is None:
        return
    for assay in potency.assays:
        computed.assays[assay.id] = {
            "runs": {run.id: None for run in assay.runs},
            "reported_runs": sorted({r for br in assay.batch_results for r in br.runs}),
            "batches": {br.batch: None for br in assay.batch_results},
            "range": None,
            "validation_failures": [],
        }
