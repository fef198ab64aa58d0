"""Computing a project: analyses of the data it references, with provenance.

:func:`compute_project` runs the compute stage on a validated project: potency assay
runs (relative potency with validity tests), validation data (ICH Q2(R2)), batch
results against acceptance criteria, biodistribution summaries, SEND summaries and the
first-in-human dose derivation; then the sentences of the project's free text that
contradict those results (:mod:`dossier.analysis.narrative`). The results are the typed
fields of :class:`~dossier.analysis.results.ComputedProject`; each computed value keeps its
provenance (input file, rows used, method). Problems in data files become located
diagnostics; an analysis that cannot run is reported, never silently skipped.
"""

from __future__ import annotations

from pathlib import Path

from dossier.analysis.results import ComputedProject, Provenance
from dossier.core.diagnostics import DiagnosticList
from dossier.core.errors import UserError
from dossier.model.project_io import LoadedProject

__all__ = ["ComputedProject", "Provenance", "analyse_diagnostics", "compute_project"]


def compute_project(loaded: LoadedProject, *, send: bool = True) -> ComputedProject:
    """Run every analysis the project's data allow; collect located diagnostics.

    ``send=False`` leaves the SEND packages unread (``computed.send`` stays empty and
    their diagnostics are not collected): the rule engine does not look at them, so
    ``dossier check`` skips the slowest reader.
    """
    from dossier.analysis import assays as assay_analysis
    from dossier.analysis import dose as dose_analysis
    from dossier.analysis import studies as study_analysis

    computed = ComputedProject()
    for part in (assay_analysis, study_analysis, dose_analysis):
        try:
            if part is study_analysis:
                study_analysis.run(loaded, computed, send=send)
            else:
                part.run(loaded, computed)
        except UserError as exc:
            computed.diagnostics.extend(exc.diagnostics)
    from dossier.analysis import narrative
    from dossier.analysis.netherlands import compute_netherlands
    from dossier.analysis.trial import escalation

    if loaded.project.clinical_trial is not None:
        computed.trial = escalation(loaded.project.clinical_trial)
    computed.netherlands, found = compute_netherlands(loaded)
    computed.diagnostics.extend(found)

    computed.contradictions = narrative.find_contradictions(loaded.project, computed)
    computed.diagnostics.extend(narrative.diagnostics(computed.contradictions, loaded.locate))
    return computed


def analyse_diagnostics(path: Path | str) -> DiagnosticList:
    """Diagnostics from analysing the data files of a valid project."""
    from dossier.model.project_io import load_project

    try:
        loaded = load_project(path)
    except UserError as exc:
        return DiagnosticList(exc.diagnostics)
    return compute_project(loaded).diagnostics
