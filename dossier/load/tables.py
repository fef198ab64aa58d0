"""Reading tabular data files (CSV, XLSX) into rows that remember where they came from.

Every problem is a located diagnostic (file, line, column): a missing column, text in
a numeric column, an empty file, a bad encoding. CSV is read with the standard library
(fast, no pandas at start-up); XLSX with openpyxl, imported only when needed.

Nothing is read silently wrong: numbers are read by :mod:`dossier.load.numbers` under
the file's declared convention (``decimal``, ``thousands``), so ``1,200`` is never
guessed; rows identical in every column are reported; an XLSX sheet is read to its last
row whatever its stored dimension says. Memory and time stay bounded whatever the file:
only regular files are opened, the size on disk is checked before reading, CSV rows are
streamed, and rows, columns, cells and the unpacked size of a workbook have limits.

Codes (``D`` = data file):

======== ===============================================
DOS-D001 the file cannot be read or decoded (or it is a device, a pipe, a folder)
DOS-D002 the file has no header or no data rows
DOS-D003 a required column is missing
DOS-D004 a value in a numeric column is not a number (or is nan, inf, 1_000, non-ASCII digits)
DOS-D005 a required value is empty
DOS-D006 a sheet of an XLSX file does not exist
DOS-D007 a row has more values than the header has columns
DOS-D008 a value must be positive here (a ratio or a logarithm is taken of it)
DOS-D009 a number whose meaning depends on a number convention the file did not declare
DOS-D010 the file is beyond a size limit (bytes, unpacked XML, rows, columns or cells)
DOS-D011 a data row identical in every column to an earlier row (warning)
======== ===============================================

Line numbers are those of the file: blank lines are skipped but still counted, and a
record whose quoted value spans lines is reported at the line where it starts. In an
XLSX file the line is the row number of the sheet.
"""

from __future__ import annotations

import csv
import difflib
import math
import zipfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from dossier.core.errors import DataFileError
from dossier.load.files import NotRegularFileError, TooLargeError, open_regular
from dossier.load.numbers import (
    DecimalSeparator,
    NumberError,
    NumberFormat,
    ThousandsSeparator,
    parse_number,
)

__all__ = ["Row", "Table", "read_table", "require_positive"]

MAX_BYTES = 50_000_000
"""Size of a data file on disk."""
MAX_ROWS = 200_000
"""Rows after the header, blank ones included; the rows read are kept (under 1 KB each)."""
MAX_COLUMNS = 200
"""Columns of the header, and the last column holding a value in any row."""
MAX_CELLS = 1_000_000
"""Cells of the used range: the cells of every row up to its last value."""
MAX_SCANNED = 2_000_000
"""Cells of an XLSX sheet that are parsed, empty (formatted) ones included."""
MAX_UNPACKED = 100_000_000
"""Unpacked size of the XML parts of an XLSX file (a zip): bounds the time to parse it."""
MAX_DUPLICATES_SHOWN = 20
_SPLIT = "split the data into several files, or keep only the rows analysed"

Cell = str | float
"""A value as read: text, or a number stored as a number in an XLSX cell."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based line in the file (the header is line 1) and its values."""

    line: int
    text: dict[str, str]
    numbers: dict[str, float]


@dataclass(frozen=True)
class Table:
    """The rows of a data file with the columns found, and warnings about them."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    warnings: tuple[Diagnostic, ...] = ()


def _diag(
    code: str,
    message: str,
    file: str,
    line: int = 1,
    column: int = 0,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return Diagnostic(code, severity, message, Location(file, line, column), hint)


def _open(path: Path, shown: str) -> BinaryIO:
    """The file opened for reading; a located error for anything but a regular file."""
    try:
        file, _ = open_regular(path, max_bytes=MAX_BYTES)
    except NotRegularFileError as exc:
        raise DataFileError(
            _diag("DOS-D001", f"cannot read the file: it is {exc.kind}, not a regular file", shown)
        ) from None
    except TooLargeError as exc:
        raise DataFileError(
            _diag(
                "DOS-D010",
                f"{exc}",
                shown,
                hint=_SPLIT,
            )
        ) from None
    except OSError as exc:
        raise DataFileError(
            _diag("DOS-D001", f"cannot read the file: {exc.strerror or exc}", shown)
        ) from None
    return file


def _lines(file: BinaryIO, shown: str) -> Iterator[str]:
    """The lines of a UTF-8 file, each decoded on its own so that an error has a line.

    A line break byte never occurs inside a UTF-8 sequence, so splitting the bytes at
    line breaks first is exact. The bytes read are counted: a file that grows while it
    is read still stops at the limit."""
    total = 0
    for number, raw in enumerate(file, start=1):
        total += len(raw)
        if total > MAX_BYTES:
            raise DataFileError(
                _diag("DOS-D010", f"the file is larger than {MAX_BYTES:,} bytes", shown, number)
            )
        data = raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataFileError(
                _diag(
                    "DOS-D001",
                    f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                    shown,
                    number,
                    hint="save the file as CSV UTF-8",
                )
            ) from None


Records = Generator[tuple[int, list[Cell]], None, None]


def _csv_records(path: Path, shown: str) -> Records:
    with _open(path, shown) as file:
        head = file.read(4096)
        if b"\x00" in head:
            raise DataFileError(
                _diag("DOS-D001", "the file contains binary data; save it as CSV (UTF-8)", shown)
            )
        sample = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                sample, delimiters=",;\t"
            )
        except csv.Error:
            dialect = csv.excel
        file.seek(0)
        reader = csv.reader(_lines(file, shown), dialect)
        start = 1
        try:
            for cells in reader:
                yield start, list(cells)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise DataFileError(
                _diag("DOS-D001", f"the CSV file is malformed: {exc}", shown, start)
            ) from None


def _check_unpacked(file: BinaryIO, shown: str) -> None:
    """Refuse a workbook whose XML parts unpack to more than the limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.lower().endswith((".xml", ".rels"))
            )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DataFileError(_diag("DOS-D001", f"cannot read the workbook: {exc}", shown)) from None
    if unpacked > MAX_UNPACKED:
        raise DataFileError(
            _diag(
                "DOS-D010",
                f"the workbook unpacks to {unpacked:,} bytes of XML (limit {MAX_UNPACKED:,})",
                shown,
                hint="save only the data sheet, without formatting, as a new workbook or a CSV",
            )
        )
    file.seek(0)


def _xlsx_records(path: Path, shown: str, sheet: str | None) -> Records:
    with _open(path, shown) as file:
        _check_unpacked(file, shown)
        try:
            from openpyxl import load_workbook

            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise DataFileError(
                _diag("DOS-D001", f"cannot read the workbook: {exc}", shown)
            ) from None
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise DataFileError(
                    _diag(
                        "DOS-D006",
                        f"no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})",
                        shown,
                    )
                )
            ws = book[sheet] if sheet else book.worksheets[0]
            if not hasattr(ws, "reset_dimensions"):
                raise DataFileError(
                    _diag("DOS-D001", f"'{ws.title}' is a chart sheet, not a data sheet", shown)
                )
            # The stored dimension (<dimension ref="A1:D35"/>) may be stale or claim the
            # whole sheet: read every row that exists instead.
            ws.reset_dimensions()
            yield from _bounded_rows(ws.iter_rows(values_only=True), shown)
        except DataFileError:
            raise
        except Exception as exc:  # a broken worksheet part shows only while it is parsed
            raise DataFileError(
                _diag("DOS-D001", f"cannot read the workbook: {exc}", shown)
            ) from None
        finally:
            book.close()


def _bounded_rows(
    rows: Iterator[tuple[object, ...]], shown: str
) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a sheet as cells, refusing a used range beyond the limits."""
    scanned = 0
    for number, values in enumerate(rows, start=1):
        width = len(values)
        scanned += width
        if scanned > MAX_SCANNED:
            raise DataFileError(
                _diag(
                    "DOS-D010",
                    f"the sheet holds more than {MAX_SCANNED:,} cells up to this row, "
                    "counting empty formatted cells",
                    shown,
                    number,
                    1,
                    "copy only the data into a new workbook, or save the sheet as CSV",
                )
            )
        while width and (values[width - 1] is None or values[width - 1] == ""):
            width -= 1
        if width > MAX_COLUMNS:
            raise DataFileError(
                _diag(
                    "DOS-D010",
                    f"the row has a value in column {width} (limit {MAX_COLUMNS} columns)",
                    shown,
                    number,
                    width,
                    "delete the columns to the right of the data",
                )
            )
        yield number, [_cell(v) for v in values[:width]]


def _within_limits(records: Records, shown: str) -> Records:
    """The records, refusing a file that goes on beyond the row or cell limit."""
    cells = 0
    for line, raw in records:
        if line > MAX_ROWS + 1:
            raise DataFileError(
                _diag(
                    "DOS-D010",
                    f"the file goes on beyond row {MAX_ROWS + 1:,} (limit: a header and "
                    f"{MAX_ROWS:,} rows, blank ones included)",
                    shown,
                    line,
                    1,
                    _SPLIT,
                )
            )
        cells += len(raw)
        if cells > MAX_CELLS:
            raise DataFileError(
                _diag(
                    "DOS-D010",
                    f"the file holds more than {MAX_CELLS:,} cells up to this row",
                    shown,
                    line,
                    1,
                    _SPLIT,
                )
            )
        yield line, raw


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if isinstance(value, float) else str(value)
    return str(value)


def _text(cell: Cell) -> str:
    return cell.strip() if isinstance(cell, str) else repr(cell)


def _blank(record: list[Cell]) -> bool:
    return not any(not isinstance(c, str) or c.strip() for c in record)


def read_table(
    path: Path,
    *,
    required: Sequence[str],
    numeric: Sequence[str] = (),
    optional: Sequence[str] = (),
    sheet: str | None = None,
    display: str | None = None,
    decimal: DecimalSeparator = "point",
    thousands: ThousandsSeparator = "none",
) -> Table:
    """Read a CSV or XLSX file; check columns and numbers; collect all value errors.

    ``decimal`` and ``thousands`` are the file's number convention (see
    :mod:`dossier.load.numbers`): text in a numeric column is read under it, and a value
    written under another convention is a located error, never a guess. Rows identical
    in every column come back as warnings (``Table.warnings``)."""
    fmt = NumberFormat(decimal, thousands)
    shown = display or str(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        records = _xlsx_records(path, shown, sheet)
    else:
        records = _csv_records(path, shown)
    try:
        return _table(records, shown, fmt, required, numeric, optional)
    finally:
        records.close()


def _table(
    all_records: Records,
    shown: str,
    fmt: NumberFormat,
    required: Sequence[str],
    numeric: Sequence[str],
    optional: Sequence[str],
) -> Table:
    records = _within_limits(all_records, shown)
    header_line, header_cells = next(((n, r) for n, r in records if not _blank(r)), (0, []))
    if not header_cells:
        raise DataFileError(_diag("DOS-D002", "the file is empty", shown))
    header = [_text(h) for h in header_cells]
    if len(header) > MAX_COLUMNS:
        raise DataFileError(
            _diag(
                "DOS-D010",
                f"the header names {len(header)} columns (limit {MAX_COLUMNS})",
                shown,
                header_line,
                MAX_COLUMNS + 1,
            )
        )
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
    wanted = [c for c in (*required, *optional) if c in header]
    index = {c: header.index(c) for c in wanted}
    numeric_index = {c: index[c] for c in numeric if c in index}
    problems = DiagnosticList()
    warnings: list[Diagnostic] = []
    seen: dict[tuple[str, ...], int] = {}
    repeated = 0
    rows = []
    width = len(header)
    for line, raw in records:
        if _blank(raw):
            continue
        values = [_text(c) for c in raw]
        extra = [i for i in range(width, len(values)) if values[i]]
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
        key = tuple(values[:width]) + ("",) * (width - len(values))
        first = seen.setdefault(key, line)
        if first != line:
            repeated += 1
            if repeated <= MAX_DUPLICATES_SHOWN:
                warnings.append(
                    _diag(
                        "DOS-D011",
                        f"this row (line {line}) is identical in every column to line {first}",
                        shown,
                        line,
                        1,
                        "delete the row if it was copied twice; if both are real "
                        "measurements, a column such as 'replicate' tells them apart",
                        Severity.WARNING,
                    )
                )
        text = {c: key[i] for c, i in index.items()}
        numbers: dict[str, float] = {}
        for column in required:
            if text.get(column, "") == "":
                problems.append(
                    _diag("DOS-D005", f"'{column}' is empty", shown, line, index[column] + 1)
                )
        for column, i in numeric_index.items():
            if text[column] == "":
                continue
            try:
                numbers[column] = _number(raw[i], fmt)
            except NumberError as exc:
                message = (
                    f"'{column}' is '{text[column]}', not a number"
                    if exc.message == f"'{text[column]}' is not a number"
                    else f"'{column}': {exc.message}"
                )
                problems.append(_diag(exc.code, message, shown, line, i + 1, exc.hint))
        rows.append(Row(line, text, numbers))
        if len(problems) >= 50:
            break
    if problems:
        raise DataFileError(problems)
    if not rows:
        raise DataFileError(
            _diag("DOS-D002", "the file has a header but no data rows", shown, header_line)
        )
    if repeated > MAX_DUPLICATES_SHOWN:
        warnings.append(
            _diag(
                "DOS-D011",
                f"{repeated - MAX_DUPLICATES_SHOWN} more rows repeat an earlier row exactly",
                shown,
                header_line,
                1,
                severity=Severity.WARNING,
            )
        )
    return Table(source=shown, columns=tuple(header), rows=tuple(rows), warnings=tuple(warnings))


def _number(cell: Cell, fmt: NumberFormat) -> float:
    """A number stored as a number (XLSX) is taken as it is; text is parsed strictly."""
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise NumberError("DOS-D004", f"'{cell!r}' is not a finite number")
        return cell
    return parse_number(cell, fmt)


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
