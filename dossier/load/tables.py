"""Reading tabular data files (CSV, XLSX) into rows that remember where they came from.

Every problem is a located diagnostic (file, line, column): a missing column, text in
a numeric column, an empty file, a bad encoding. CSV is read with the standard library
(fast, no pandas at start-up); XLSX with openpyxl, imported only when needed.

Codes (``D`` = data file):

======== ===============================================
DOS-D001 the file cannot be read or decoded
DOS-D002 the file has no header or no data rows
DOS-D003 a required column is missing
DOS-D004 a value in a numeric column is not a number
DOS-D005 a required value is empty
DOS-D006 a sheet of an XLSX file does not exist
DOS-D007 a row has more values than the header has columns
DOS-D008 a value must be positive here (a ratio or a logarithm is taken of it)
======== ===============================================

Line numbers are those of the file: blank lines are skipped but still counted, and a
record whose quoted value spans lines is reported at the line where it starts.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from dossier.core.errors import DataFileError

__all__ = ["Row", "Table", "read_table", "require_positive"]

MAX_BYTES = 50_000_000


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based line in the file (the header is line 1) and its values."""

    line: int
    text: dict[str, str]
    numbers: dict[str, float]


@dataclass(frozen=True)
class Table:
    """The rows of a data file with the columns found."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _diag(
    code: str, message: str, file: str, line: int = 1, column: int = 0, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(file, line, column), hint)


def _read_csv(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(
            _diag("DOS-D001", f"cannot read the file: {exc.strerror or exc}", shown)
        ) from None
    if len(raw) > MAX_BYTES:
        raise DataFileError(
            _diag("DOS-D001", f"the file is larger than {MAX_BYTES:,} bytes", shown)
        )
    if b"\x00" in raw[:4096]:
        raise DataFileError(
            _diag("DOS-D001", "the file contains binary data; save it as CSV (UTF-8)", shown)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(
            _diag(
                "DOS-D001",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                shown,
                line,
                hint="save the file as CSV UTF-8",
            )
        ) from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataFileError(
            _diag("DOS-D001", f"the CSV file is malformed: {exc}", shown, start)
        ) from None
    return records


def _read_xlsx(path: Path, shown: str, sheet: str | None) -> list[tuple[int, list[str]]]:
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise DataFileError(_diag("DOS-D001", f"cannot read the workbook: {exc}", shown)) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise DataFileError(
            _diag("DOS-D006", f"no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})", shown)
        )
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        rows.append((number, ["" if v is None else str(v) for v in values]))
    return rows


def _number(text: str) -> float:
    """A number; a single decimal comma (European spreadsheets) is accepted."""
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text)


def read_table(
    path: Path,
    *,
    required: Sequence[str],
    numeric: Sequence[str] = (),
    optional: Sequence[str] = (),
    sheet: str | None = None,
    display: str | None = None,
) -> Table:
    """Read a CSV or XLSX file; check columns and numbers; collect all value errors."""
    shown = display or str(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raw_rows = _read_xlsx(path, shown, sheet)
    else:
        raw_rows = _read_csv(path, shown)
    raw_rows = [(n, r) for n, r in raw_rows if any(cell.strip() for cell in r)]
    if not raw_rows:
        raise DataFileError(_diag("DOS-D002", "the file is empty", shown))
    header_line, header_cells = raw_rows[0]
    header = [h.strip() for h in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, header, n=1, cutoff=0.6)
            if close:
                hints.append(f"'{close[0]}' for '{m}'?")
        raise DataFileError(
            _diag(
                "DOS-D003",
                f"missing column(s): {', '.join(missing)} (found: {', '.join(header)})",
                shown,
                header_line,
                1,
                ("did you mean " + ", ".join(hints)) if hints else None,
            )
        )
    if len(raw_rows) < 2:
        raise DataFileError(
            _diag("DOS-D002", "the file has a header but no data rows", shown, header_line)
        )
    wanted = [c for c in (*required, *optional) if c in header]
    index = {c: header.index(c) for c in wanted}
    problems = DiagnosticList()
    rows = []
    width = len(header)
    for line, raw in raw_rows[1:]:
        extra = [i for i in range(width, len(raw)) if raw[i].strip()]
        if extra:
            problems.append(
                _diag(
                    "DOS-D007",
                    f"the row has {len(raw)} values but the header names {width} columns",
                    shown,
                    line,
                    extra[0] + 1,
                    "a decimal comma splits a number in a comma-separated file: quote the "
                    "value, use a point, or separate the columns with ';'",
                )
            )
            continue
        text = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
        numbers: dict[str, float] = {}
        for column in required:
            if text.get(column, "") == "":
                problems.append(
                    _diag("DOS-D005", f"'{column}' is empty", shown, line, index[column] + 1)
                )
        for column in numeric:
            if column not in index or text[column] == "":
                continue
            try:
                value = _number(text[column])
            except ValueError:
                problems.append(
                    _diag(
                        "DOS-D004",
                        f"'{column}' is '{text[column]}', not a number",
                        shown,
                        line,
                        index[column] + 1,
                    )
                )
                continue
            if not math.isfinite(value):
                problems.append(
                    _diag(
                        "DOS-D004",
                        f"'{column}' is not a finite number",
                        shown,
                        line,
                        index[column] + 1,
                    )
                )
                continue
            numbers[column] = value
        rows.append(Row(line, text, numbers))
        if len(problems) >= 50:
            break
    if problems:
        raise DataFileError(problems)
    return Table(source=shown, columns=tuple(header), rows=tuple(rows))


def require_positive(table: Table, columns: Sequence[str], why: str) -> None:
    """A located error (DOS-D008) at every row whose value in ``columns`` is not > 0."""
    problems = DiagnosticList()
    for row in table.rows:
        for column in columns:
            value = row.numbers.get(column)
            if value is not None and value <= 0:
                problems.append(
                    _diag(
                        "DOS-D008",
                        f"'{column}' is {value:g}: {why}",
                        table.source,
                        row.line,
                        table.columns.index(column) + 1,
                    )
                )
        if len(problems) >= 50:
            break
    if problems:
        raise DataFileError(problems)
