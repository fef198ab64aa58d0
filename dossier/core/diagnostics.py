"""Located diagnostics: the one shape in which every stage reports a problem.

A diagnostic says *where* (file, line, column and the YAML path of the node),
*what* (a stable code and a message) and *how to fix it* (an optional hint).
Every stage that finds a problem in user input returns diagnostics instead of
raising, so that one run reports all problems, not only the first.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

__all__ = [
    "Diagnostic",
    "DiagnosticList",
    "Location",
    "Severity",
    "format_path",
]


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
class Diagnostic:
    """One problem found in the user's input, with its location and a stable code.

    Codes are ``DOS-`` plus a letter for the stage and three digits, for example
    ``DOS-Y003`` (YAML syntax) or ``DOS-M010`` (model validation). Codes never change
    meaning once released; docs/diagnostics.md lists them.
    """

    code: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping (stable keys; used by ``--format json``)."""
        d = asdict(self)
        d["severity"] = self.severity.value
        d["location"] = {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.location.yaml_path,
        }
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
        if self.hint:
            return f"{head}\n    hint: {self.hint}"
        return head

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so findings show up as annotations."""
        kind = {"error": "error", "warning": "warning", "info": "notice"}[self.severity.value]
        msg = self.message + (f" (hint: {self.hint})" if self.hint else "")
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

    def to_json(self) -> str:
        """The whole list as a JSON document."""
        return json.dumps(
            {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "diagnostics": [d.to_dict() for d in self.sorted()],
            },
            indent=2,
            ensure_ascii=False,
        )
