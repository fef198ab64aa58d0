"""Data-file reader: located errors use the file's own line numbers, and no value is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.core.errors import DataFileError
from dossier.load.tables import read_table

COLUMNS = {"required": ("preparation", "dose", "response"), "numeric": ("dose", "response")}


def _errors(path: Path) -> list[tuple[str, int, int]]:
    with pytest.raises(DataFileError) as info:
        read_table(path, **COLUMNS)  # type: ignore[arg-type]
    return [(d.code, d.location.line, d.location.column) for d in info.value.diagnostics]


def _error(path: Path) -> tuple[str, int, int]:
    return _errors(path)[0]


def test_blank_lines_keep_the_line_numbers_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    # line 1 header, line 3 blank, 'abc' on line 5 in the third column
    path.write_text("preparation,dose,response\nS,1,10\n\nS,2,12\nS,4,abc\n", "utf-8")
    assert _error(path) == ("DOS-D004", 5, 3)


def test_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("\n\npreparation,dose,resp\nS,1,1\n", "utf-8")
    assert _error(path) == ("DOS-D003", 3, 1)


def test_a_quoted_value_over_two_lines_is_reported_where_its_record_starts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.csv"
    path.write_text('preparation,dose,response\nS,1,"1\n0"\nS,2,abc\n', "utf-8")
    assert [(line, column) for _, line, column in _errors(path)] == [(2, 3), (4, 3)]


def test_a_decimal_comma_that_splits_a_value_is_an_error_not_a_truncated_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.csv"
    # '10,5' meant 10.5: read as two cells, 'response' would silently become 10
    path.write_text("preparation,dose,response\nS,1,10,5\nS,2,12\n", "utf-8")
    assert _error(path) == ("DOS-D007", 2, 4)


def test_trailing_empty_cells_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("preparation,dose,response\nS,1,10,,\nS,2,12\n", "utf-8")
    table = read_table(path, **COLUMNS)  # type: ignore[arg-type]
    assert [r.numbers["response"] for r in table.rows] == [10.0, 12.0]
    assert [r.line for r in table.rows] == [2, 3]


def test_semicolon_files_with_decimal_commas_read_when_declared(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("preparation;dose;response\nS;1;10,5\nS;2;12,25\n", "utf-8")
    table = read_table(path, **COLUMNS, decimal="comma")  # type: ignore[arg-type]
    assert [r.numbers["response"] for r in table.rows] == [10.5, 12.25]
    # undeclared, a decimal comma is an error at the cell, not a guess
    assert _errors(path) == [("DOS-D009", 2, 3), ("DOS-D009", 3, 3)]
