"""The computed view of a project: analyses of the data files it references.

This module runs the compute stage on a validated project (assay runs, validation
data, biodistribution, SEND packages) and returns results with provenance. Problems
found in data files are returned as located diagnostics.
"""

from __future__ import annotations

from pathlib import Path

from dossier.core.diagnostics import DiagnosticList


def analyse_diagnostics(path: Path | str) -> DiagnosticList:
    """Diagnostics from analysing the data files of a valid project (none yet)."""
    return DiagnosticList()
