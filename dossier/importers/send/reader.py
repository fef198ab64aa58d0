"""Reading a CDISC SEND package (SAS XPORT v5 files, one per domain).

Each ``.xpt`` file is read with pyreadstat (which also gives variable labels). Text is
decoded as UTF-8 and, when that fails, as Latin-1, and the encoding used is recorded.
A file that cannot be read (truncated, not XPORT) is a located error naming it; a
missing required domain (TS, DM) is an error, a missing optional one a warning.
Location convention for SEND content: ``file`` = the .xpt path, ``line`` = the
1-based record number in that domain, ``column`` = 0, ``path`` = (variable, value).

A file that pyreadstat reads but that ends inside an observation (a truncated copy or
download) is an error naming the first incomplete record, never a silent short domain:
XPORT v5 stores fixed-length observations after the OBS header and pads the file with
blanks to a multiple of 80 bytes, so the bytes left over after the records read tell.
Text that is not UTF-8 is read as Latin-1 with a warning naming the first record and
variable that needed it.

Codes: ``DOS-N101`` unreadable file, ``DOS-N102`` missing required domain,
``DOS-N103`` missing optional domain, ``DOS-N104`` empty folder, ``DOS-N105`` truncated
file, ``DOS-N106`` text not in UTF-8 (read as Latin-1).
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


_OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
_MEMBER_HEADER = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!"
_NAMESTR_HEADER = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!"


def _observation_layout(raw: bytes) -> tuple[int, int] | None:
    """(offset of the first observation, bytes per observation) of a one-member XPORT
    v5 file, from its own headers; None when the layout cannot be read with certainty."""
    if raw.count(_MEMBER_HEADER) != 1:
        return None
    member = raw.find(_MEMBER_HEADER)
    names = raw.find(_NAMESTR_HEADER)
    obs = raw.find(_OBS_HEADER)
    if not (0 <= member < names < obs):
        return None
    try:
        namestr_len = int(raw[member + 74 : member + 78])
        n_vars = int(raw[names + 54 : names + 58])
    except ValueError:
        return None
    if namestr_len not in (136, 140) or n_vars <= 0:
        return None
    start = names + 80
    if start + n_vars * namestr_len > obs:
        return None
    width = sum(
        int.from_bytes(raw[start + i * namestr_len + 4 : start + i * namestr_len + 6], "big")
        for i in range(n_vars)
    )
    return (obs + 80, width) if width > 0 else None


def _check_complete(path: Path, n_records: int) -> None:
    """A located error when the file ends inside an observation (truncated)."""
    try:
        raw = path.read_bytes()
    except OSError:  # pragma: no cover - it was just read
        return
    layout = _observation_layout(raw)
    if layout is None:
        return
    first, width = layout
    rest = raw[first + n_records * width :]
    if len(raw) % 80 == 0 and len(rest) < 80 and not rest.strip(b" "):
        return
    if rest.strip(b" "):
        record = n_records + 1
        message = (
            f"{path.name} is truncated: it ends inside record {record:,} "
            f"({n_records:,} complete record(s) before it)"
        )
    else:
        record = n_records
        message = (
            f"{path.name} is truncated after record {n_records:,}: its end-of-file padding "
            "is cut short (the length is not a multiple of 80 bytes)"
        )
    raise DataFileError(
        Diagnostic(
            "DOS-N105",
            Severity.ERROR,
            message,
            Location(str(path), record, 0),
            "copy the file again from the study archive; a short domain is never imported",
        )
    )


def _first_non_ascii(records: list[dict[str, Any]]) -> tuple[int, str, str] | None:
    for number, record in enumerate(records, start=1):
        for variable, value in record.items():
            if isinstance(value, str) and not value.isascii():
                return number, variable, value
    return None


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
            if "encoding" in str(exc).lower():  # text that is not UTF-8: try Latin-1
                continue
            break
        records = [
            {str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        _check_complete(path, len(records))
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
        odd = _first_non_ascii(records) if encoding != "utf-8" else None
        if odd is not None:
            number, variable, value = odd
            package.diagnostics.append(
                Diagnostic(
                    "DOS-N106",
                    Severity.WARNING,
                    f"{path.name} is not UTF-8 text; read as Latin-1 (first in record "
                    f"{number:,}, {variable} = '{value}')",
                    package.location(domain, number, variable, value),
                    "check the special characters against the study report",
                )
            )
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
