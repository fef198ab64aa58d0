"""The error hierarchy. User errors carry diagnostics and never print a traceback.

The CLI maps :class:`UserError` (and subclasses) to exit code 1 with its
diagnostics printed, :class:`UsageError` to exit code 2, and anything else to a
one-line message plus the path of a saved traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, Severity

__all__ = ["DataFileError", "DossierError", "UsageError", "UserError"]


class DossierError(Exception):
    """Base class of every error dossier raises on purpose."""


class UserError(DossierError):
    """A problem in the user's input: reported with locations, exit code 1."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = Diagnostic(
                code="DOS-E000",
                severity=Severity.ERROR,
                message=diagnostics,
                location=Location(file="<command line>"),
            )
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = DiagnosticList(diagnostics)
        super().__init__("; ".join(d.format_text() for d in self.diagnostics))


class DataFileError(UserError):
    """A data file (CSV, XLSX, XPT) that cannot be read or has bad values."""


class UsageError(DossierError):
    """The command was used wrongly (bad option combination): exit code 2."""
