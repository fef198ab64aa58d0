"""Reading a CDISC SEND package (SAS XPORT v5 files, one per domain).

Each ``.xpt`` file is read with pyreadstat (which also gives variable labels). Text is
decoded as UTF-8 and, when that fails, as Latin-1, and the encoding used is recorded.
A file that cannot be read (truncated, not XPORT) is a located error naming it; a
missing required domain (TS, DM) is an error, a missing optional one a warning.
Location convention for SEND content: ``file`` = the .xpt path, ``line`` = the
1-based record number in that domain, ``column`` = 0, ``path`` = (variable, value).

Codes: ``DOS-N101`` unreadable file, ``DOS-N102`` missing required domain,
``DOS-N103`` missing optional domain, ``DOS-N104`` empty folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from dossier.core.errors import DataFileError

__all__ = ["REQUIRED", "SendPackage", "read_send_package"]

REQUIRED = ("ts", "dm")
SUMMARISED = ("tx", "ex", "bw", "lb", "mi", "ma", "cl")


@dataclass
class SendPackage:
    """The domains of a SEND package as lists of records (dicts of plain values)."""

    folder: Path
    domains: dict[str, list[dict[str, Any]]]
    files: dict[str, Path]
    labels: dict[str, str]
    encodings: dict[str, str]
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)

    def records(self, domain: str) -> list[dict[str, Any]]:
        """The records of a domain (empty when the domain is absent)."""
        return self.domains.get(domain, [])

    def location(self, domain: str, record: int, variable: str = "", value: str = "") -> Location:
        """Where a record is: the domain file and the 1-based record number."""
        file = self.files.get(domain, self.folder / f"{domain}.xpt")
        return Location(str(file), record, 0, (variable, value) if variable else ())


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):  # SAS missing values
        return None
    if isinstance(value, str):
        return value.strip()
    return value


def _read(path: Path) -> tuple[list[dict[str, Any]], str, str]:
    import pyreadstat

    last: Exception | None = None
    for encoding in ("utf-8", "latin1"):
        try:
            frame, meta = pyreadstat.read_xport(str(path), encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except Exception as exc:  # pyreadstat raises its own error types for broken files
            last = exc
            break
        records = [
            {str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        return records, meta.file_label or "", encoding
    raise DataFileError(
        Diagnostic(
            "DOS-N101",
            Severity.ERROR,
            f"cannot read {path.name} as SAS XPORT: {last}",
            Location(str(path), 0, 0),
            "the file may be truncated or not an XPORT (.xpt) file",
        )
    )


def read_send_package(folder: Path) -> SendPackage:
    """Read every .xpt file of a SEND package folder."""
    if not folder.is_dir():
        raise DataFileError(
            Diagnostic("DOS-N104", Severity.ERROR, "not a folder", Location(str(folder)))
        )
    files = {p.stem.lower(): p for p in sorted(folder.iterdir()) if p.suffix.lower() == ".xpt"}
    if not files:
        raise DataFileError(
            Diagnostic(
                "DOS-N104",
                Severity.ERROR,
                "the folder holds no SEND (.xpt) files",
                Location(str(folder)),
            )
        )
    package = SendPackage(folder, {}, files, {}, {})
    problems = DiagnosticList()
    for domain, path in files.items():
        try:
            records, label, encoding = _read(path)
        except DataFileError as exc:
            problems.extend(exc.diagnostics)
            continue
        package.domains[domain] = records
        package.labels[domain] = label
        package.encodings[domain] = encoding
    for domain in REQUIRED:
        if domain not in files:
            problems.append(
                Diagnostic(
                    "DOS-N102",
                    Severity.ERROR,
                    f"the required domain {domain.upper()} is missing",
                    Location(str(folder / f"{domain}.xpt")),
                )
            )
    if problems.errors:
        raise DataFileError(problems)
    for domain in SUMMARISED:
        if domain not in files:
            package.diagnostics.append(
                Diagnostic(
                    "DOS-N103",
                    Severity.WARNING,
                    f"domain {domain.upper()} is not in the package; its summary is skipped",
                    Location(str(folder / f"{domain}.xpt")),
                )
            )
    return package
