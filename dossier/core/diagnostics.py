"""Located diagnostics: the one shape in which every stage reports a problem.

A diagnostic says *where* (file, line, column and the YAML path of the node),
*what* (a stable code and a message) and *how to fix it* (an optional hint).
Every stage that finds a problem in user input returns diagnostics instead of
raising, so that one run reports all problems, not only the first.

An expectation-rule finding is a diagnostic too: its code is the rule id, and it also
carries the rule's citation, confidence and the dossier section it concerns. One set of
formatters (``text``, ``json``, ``github``) prints every kind.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "FORMATS",
    "Citation",
    "Diagnostic",
    "DiagnosticCounts",
    "DiagnosticList",
    "Location",
    "Severity",
    "format_diagnostics",
    "format_path",
]

FORMATS = ("text", "json", "github")
"""The output formats of diagnostics: for people, for tools, for CI annotations."""


class Severity(enum.StrEnum):
    """How serious a diagnostic is. Errors block; warnings block only under --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


PathPart = str | int


def format_path(parts: Sequence[PathPart]) -> str:
    """Render a YAML path such as ``potency.assays[2].reference_standard``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<root>"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input file. ``line`` and ``column`` are 1-based; 0 means unknown."""

    file: str
    line: int = 0
    column: int = 0
    path: tuple[PathPart, ...] = ()

    @property
    def yaml_path(self) -> str:
        """The dotted/indexed YAML path of the node."""
        return format_path(self.path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where an expectation comes from: a document and, where known, its section."""

    document: str
    section: str | None = None

    def __str__(self) -> str:
        return self.document + (f", {self.section}" if self.section else "")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the user's input, with its location and a stable code.

    Codes are ``DOS-`` plus a letter for the stage and three digits, for example
    ``DOS-Y003`` (YAML syntax) or ``DOS-M010`` (model validation). Codes never change
    meaning once released; docs/diagnostics.md lists them.

    A finding of an expectation rule has the rule id as its code (``POT-003``) and a
    ``citation``; ``confidence`` (verified, known or uncertain) says how sure the
    expectation is, and ``section`` names the dossier section it concerns.
    """

    code: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    citation: Citation | None = None
    confidence: str | None = None
    section: str | None = None

    @property
    def rule_id(self) -> str | None:
        """The expectation rule's id for a rule finding; None for other diagnostics."""
        return self.code if self.citation is not None else None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping (stable keys; used by ``--format json``).

        A rule finding also has ``rule`` (its id), ``citation``, ``confidence`` and
        ``section``."""
        d: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": {
                "file": self.location.file,
                "line": self.location.line,
                "column": self.location.column,
                "path": self.location.yaml_path,
            },
            "hint": self.hint,
            "extra": dict(self.extra),
        }
        if self.citation is not None:
            d["rule"] = self.code
            d["citation"] = {"document": self.citation.document, "section": self.citation.section}
            d["confidence"] = self.confidence
            d["section"] = self.section
        return d

    def format_text(self) -> str:
        """One or two lines for a terminal: ``FILE:LINE:COL: severity CODE [path] message``."""
        if self.location.line == 0 and not self.location.path:
            # not located in a file (a command-line value, a whole file): no position
            head = f"{self.location.file}: {self.severity.value} {self.code} {self.message}"
        else:
            head = (
                f"{self.location}: {self.severity.value} {self.code} "
                f"[{self.location.yaml_path}] {self.message}"
            )
        lines = [head]
        if self.citation is not None:
            confidence = f" ({self.confidence})" if self.confidence else ""
            lines.append(f"    source: {self.citation}{confidence}")
        if self.hint:
            lines.append(f"    hint: {self.hint}")
        return "\n".join(lines)

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so findings show up as annotations."""
        kind = {"error": "error", "warning": "warning", "info": "notice"}[self.severity.value]
        msg = self.message
        if self.citation is not None:
            msg += f" (source: {self.citation})"
        if self.hint:
            msg += f" (hint: {self.hint})"
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (
            f"::{kind} file={self.location.file},line={self.location.line},"
            f"col={self.location.column},title={self.code}::{msg}"
        )


class DiagnosticList(list[Diagnostic]):
    """A list of diagnostics with helpers for counting and output."""

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """Only the warnings."""
        return [d for d in self if d.severity is Severity.WARNING]

    @property
    def infos(self) -> list[Diagnostic]:
        """Only the notes (severity info)."""
        return [d for d in self if d.severity is Severity.INFO]

    def severity_count(self, severity: Severity | str) -> int:
        """How many diagnostics have this severity."""
        return sum(1 for d in self if d.severity == severity)

    def has_errors(self, *, strict: bool = False) -> bool:
        """True if there is an error, or (``strict``) a warning."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> DiagnosticList:
        """Sorted by file, line, column, then code, so output is stable."""
        return DiagnosticList(
            sorted(
                self,
                key=lambda d: (d.location.file, d.location.line, d.location.column, d.code),
            )
        )

    def extend_from(self, items: Iterable[Diagnostic]) -> DiagnosticList:
        """Extend in place and return self (for chaining)."""
        self.extend(items)
        return self

    def to_dict(self) -> dict[str, object]:
        """Counts and the diagnostics (in this list's order), JSON-ready."""
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "infos": len(self.infos),
            "diagnostics": [d.to_dict() for d in self],
        }

    def to_json(self) -> str:
        """The whole list, sorted by place, as a JSON document."""
        return json.dumps(self.sorted().to_dict(), indent=2, ensure_ascii=False)


class DiagnosticCounts:
    """Counts for a report that keeps what it found in ``diagnostics`` (a mixin)."""

    diagnostics: DiagnosticList

    @property
    def errors(self) -> int:
        """Number of errors."""
        return self.diagnostics.severity_count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return self.diagnostics.severity_count(Severity.WARNING)

    @property
    def infos(self) -> int:
        """Number of notes."""
        return self.diagnostics.severity_count(Severity.INFO)

    def failed(self, *, strict: bool = False) -> bool:
        """True with errors, or (``strict``) with warnings."""
        return self.diagnostics.has_errors(strict=strict)


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> str:
    """Diagnostics in one of :data:`FORMATS`, in the order given.

    ``text``: ``FILE:LINE:COL: severity CODE [path] message`` with the source of a rule
    finding and the hint on indented lines; ``github``: one workflow command each (an
    annotation in CI); ``json``: the counts and the diagnostics as one document.
    """
    items = DiagnosticList(diagnostics)
    if fmt == "json":
        return json.dumps(items.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.format_github() for d in items)
    if fmt != "text":
        raise ValueError(f"unknown diagnostics format {fmt!r}; one of {', '.join(FORMATS)}")
    return "\n".join(d.format_text() for d in items)
