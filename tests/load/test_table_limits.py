"""Data files: nothing dropped or read silently wrong, and memory and time stay bounded.

An XLSX sheet is read to its last row whatever its stored dimension says; a sheet or a
CSV file beyond the limits is refused with a located error before it fills memory;
rows repeated exactly are reported.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from dossier.core.diagnostics import Severity
from dossier.core.errors import DataFileError
from dossier.load import tables
from dossier.load.tables import read_table

COLUMNS = {"required": ("preparation", "dose", "response"), "numeric": ("dose", "response")}
HEADER = ["preparation", "dose", "response"]


def _errors(path: Path, **options: str) -> list[tuple[str, int, int]]:
    with pytest.raises(DataFileError) as info:
        read_table(path, **COLUMNS, **options)  # type: ignore[arg-type]
    return [(d.code, d.location.line, d.location.column) for d in info.value.diagnostics]


def _xlsx(path: Path, rows: list[list[object]], dimension: str | None = None) -> Path:
    """A workbook with ``rows``; ``dimension`` rewrites the stored <dimension ref=...>."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    if dimension is not None:
        with zipfile.ZipFile(path) as source:
            parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts:
                written = data
                if name == "xl/worksheets/sheet1.xml":
                    written, count = re.subn(
                        rb'<dimension ref="[^"]*"/>',
                        b'<dimension ref="' + dimension.encode() + b'"/>',
                        data,
                    )
                    assert count == 1
                target.writestr(name, written)
    return path


def _run_measured(code: str) -> dict[str, object]:
    """Run ``code`` (which sets ``result``) in a fresh interpreter; its result, peak
    resident memory in MB and seconds."""
    script = textwrap.dedent(
        """
        import json, resource, time
        from pathlib import Path
        from dossier.core.errors import DataFileError
        from dossier.load.tables import read_table
        start = time.perf_counter()
        """
    )
    script += textwrap.dedent(code)
    script += textwrap.dedent(
        """
        # VmHWM is this process's own peak; ru_maxrss would include the forking parent's
        status = Path("/proc/self/status")
        if status.exists():
            hwm = next(l for l in status.read_text().splitlines() if l.startswith("VmHWM:"))
            peak = int(hwm.split()[1]) / 1024
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"result": result, "mb": peak,
                          "seconds": time.perf_counter() - start}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


# --- rows repeated exactly ---------------------------------------------------------


def test_a_row_repeated_in_every_column_is_a_warning_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text(
        "preparation,dose,response,replicate\nS,1,10,1\nS,2,12,1\n\nS,1,10,1\nS,1,10,2\n", "utf-8"
    )
    table = read_table(path, **COLUMNS)  # type: ignore[arg-type]
    assert len(table.rows) == 4  # a warning: every row is still read
    (warning,) = table.warnings
    assert warning.code == "DOS-D011"
    assert warning.severity is Severity.WARNING
    assert (warning.location.line, warning.location.column) == (5, 1)
    assert "line 5" in warning.message
    assert "line 2" in warning.message


def test_rows_that_differ_in_a_column_not_read_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response,well\nS,1,10,A1\nS,1,10,A2\n", "utf-8")
    assert read_table(path, **COLUMNS).warnings == ()  # type: ignore[arg-type]


def test_many_repeated_rows_are_summed_up(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response\n" + "S,1,10\n" * 40, "utf-8")
    warnings = read_table(path, **COLUMNS).warnings  # type: ignore[arg-type]
    shown = tables.MAX_DUPLICATES_SHOWN
    assert len(warnings) == shown + 1
    assert f"{39 - shown} more rows" in warnings[-1].message


def test_repeated_rows_in_an_xlsx_sheet(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "run.xlsx", [HEADER, ["S", 1, 10], ["T", 1, 9], ["S", 1, 10]])
    (warning,) = read_table(path, **COLUMNS).warnings  # type: ignore[arg-type]
    assert (warning.code, warning.location.line) == ("DOS-D011", 4)


# --- number conventions in a file --------------------------------------------------


def test_a_quoted_thousands_value_is_located_and_read_when_declared(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text('preparation,dose,response\nS,1,10\nS,2,"1,200"\n', "utf-8")
    assert _errors(path) == [("DOS-D009", 3, 3)]
    table = read_table(path, **COLUMNS, thousands="comma")  # type: ignore[arg-type]
    assert [r.numbers["response"] for r in table.rows] == [10.0, 1200.0]


@pytest.mark.parametrize("value", ["1_000", "١٢٣", "nan", "inf", "-inf", "NaN"])
def test_values_float_would_take_are_located_errors(tmp_path: Path, value: str) -> None:
    path = tmp_path / "run.csv"
    path.write_text(f"preparation,dose,response\nS,1,10\nS,{value},12\n", "utf-8")
    assert _errors(path) == [("DOS-D004", 3, 2)]


def test_an_xlsx_number_cell_is_a_number_whatever_the_convention(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "run.xlsx", [HEADER, ["S", 1.5, 10], ["S", 3, "12,5"]])
    table = read_table(path, **COLUMNS, decimal="comma")  # type: ignore[arg-type]
    assert [r.numbers["dose"] for r in table.rows] == [1.5, 3.0]
    assert [r.numbers["response"] for r in table.rows] == [10.0, 12.5]
    # the text cell '12,5' is not guessed under the default convention
    assert _errors(path) == [("DOS-D009", 3, 3)]


# --- XLSX: every row, bounded ------------------------------------------------------


def test_rows_beyond_a_stale_dimension_are_read(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER]
    rows += [["S" if i < 21 else "T", 2 ** (i % 7), 10 + i] for i in range(42)]
    path = _xlsx(tmp_path / "run.xlsx", rows, dimension="A1:C35")
    table = read_table(path, **COLUMNS)  # type: ignore[arg-type]
    assert len(table.rows) == 42
    assert table.rows[-1].line == 43
    assert table.rows[-1].numbers["response"] == 51.0


def test_a_dimension_narrower_than_the_data_drops_no_column(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "run.xlsx", [HEADER, ["S", 1, 10]], dimension="A1:A1")
    (row,) = read_table(path, **COLUMNS).rows  # type: ignore[arg-type]
    assert row.numbers == {"dose": 1.0, "response": 10.0}


def test_a_dimension_claiming_the_whole_sheet_is_not_trusted(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "run.xlsx", [HEADER, ["S", 1, 10], ["T", 2, 12]], dimension="A1:XFD1048576"
    )
    assert path.stat().st_size < 10_000
    measured = _run_measured(
        f"""
        table = read_table(Path({str(path)!r}), required=("preparation", "dose"))
        result = len(table.rows)
        """
    )
    assert measured["result"] == 2
    assert float(measured["seconds"]) < 10  # type: ignore[arg-type]
    assert float(measured["mb"]) < 200  # type: ignore[arg-type]


def test_a_value_far_to_the_right_is_refused_at_its_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["S", 1, 10])
    sheet.cell(row=3, column=16384, value=1)
    book.save(tmp_path / "run.xlsx")
    measured = _run_measured(
        f"""
        try:
            read_table(Path({str(tmp_path / "run.xlsx")!r}), required=("preparation",))
            result = None
        except DataFileError as exc:
            d = exc.diagnostics[0]
            result = [d.code, d.location.line, d.location.column]
        """
    )
    assert measured["result"] == ["DOS-D010", 3, 16384]
    assert float(measured["seconds"]) < 10  # type: ignore[arg-type]
    assert float(measured["mb"]) < 200  # type: ignore[arg-type]


def test_a_sheet_beyond_the_row_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    path = _xlsx(tmp_path / "run.xlsx", [HEADER] + [["S", 1, i] for i in range(12)])
    assert _errors(path) == [("DOS-D010", 12, 1)]


def test_empty_rows_far_down_count_against_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 1000)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["S", 1, 10])
    sheet.cell(row=5000, column=1, value="S")
    book.save(tmp_path / "run.xlsx")
    assert _errors(tmp_path / "run.xlsx") == [("DOS-D010", 1002, 1)]


def test_a_sheet_beyond_the_cell_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_CELLS", 20)
    path = _xlsx(tmp_path / "run.xlsx", [HEADER] + [["S", 1, i] for i in range(10)])
    assert _errors(path) == [("DOS-D010", 7, 1)]  # 3 cells a row: 21 cells at row 7


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_UNPACKED", 1000)
    path = _xlsx(tmp_path / "run.xlsx", [HEADER, ["S", 1, 10]])
    (error,) = _errors(path)
    assert error[0] == "DOS-D010"


def test_a_broken_workbook_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "run.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert _errors(path)[0][0] == "DOS-D001"


# --- CSV: streamed, bounded --------------------------------------------------------


def test_a_csv_beyond_the_row_limit_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response\n" + "".join(f"S,1,{i}\n" for i in range(11)))
    assert _errors(path) == [("DOS-D010", 12, 1)]


def test_blank_lines_count_against_the_row_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response\nS,1,2\n" + "\n" * 100 + "S,2,3\n")
    assert _errors(path) == [("DOS-D010", 12, 1)]


def test_a_csv_larger_than_the_byte_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_BYTES", 100)
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response\n" + "S,1,2\n" * 50)
    assert _errors(path)[0][0] == "DOS-D010"


def test_a_million_row_csv_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("preparation,dose,response\n")
        out.writelines(f"S,{i % 7 + 1},{i}\n" for i in range(1_000_000))
    measured = _run_measured(
        f"""
        try:
            read_table(Path({str(path)!r}), required=("preparation", "dose", "response"),
                       numeric=("dose", "response"))
            result = None
        except DataFileError as exc:
            d = exc.diagnostics[0]
            result = [d.code, d.location.line]
        """
    )
    assert measured["result"] == ["DOS-D010", tables.MAX_ROWS + 2]
    assert float(measured["mb"]) < 400  # type: ignore[arg-type]


def test_a_utf8_error_far_down_is_located_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_bytes(b"preparation,dose,response\n" + b"S,1,2\n" * 5000 + b"S,1,caf\xe9\n")
    assert _errors(path) == [("DOS-D001", 5002, 0)]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_bytes(b"\xef\xbb\xbfpreparation,dose,response\r\nS,1,2\r\n")
    (row,) = read_table(path, **COLUMNS).rows  # type: ignore[arg-type]
    assert row.numbers == {"dose": 1.0, "response": 2.0}
