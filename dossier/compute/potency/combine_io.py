"""Reading a file of independent assay results to combine (Ph. Eur. 5.3, section 6).

One row per assay: ``run`` (a name), ``estimate``, ``lower`` and ``upper`` (the confidence
limits, on the scale of the estimate), ``df`` (the residual degrees of freedom of the
assay) and, optionally, ``g`` (from which C = 1 / (1 - g)). Other columns are ignored.

Every problem is a located error (file, line, column), all of them in one pass: the data
file codes of :mod:`dossier.load.tables` (missing column, text in a number column, empty
value, a value that must be positive) and DOS-S103 (limits that do not enclose the
estimate), DOS-S104 (fewer than two results), DOS-S105 (df not a whole number, g outside
[0, 1)), described in :mod:`dossier.core.codes`.
"""

from __future__ import annotations

from pathlib import Path

from dossier.compute.potency.combine_types import Estimate
from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from dossier.core.errors import DataFileError
from dossier.load.tables import Row, Table, read_table, require_positive

__all__ = ["COLUMNS", "read_results"]

COLUMNS = ("run", "estimate", "lower", "upper", "df")
_NUMERIC = ("estimate", "lower", "upper", "df", "g")


def _at(table: Table, row: Row, column: str, code: str, message: str) -> Diagnostic:
    where = Location(table.source, row.line, table.columns.index(column) + 1)
    return Diagnostic(code, Severity.ERROR, message, where)


def _row_problems(table: Table, row: Row) -> list[Diagnostic]:
    """Limits, df and g of one row (values already known to be numbers and positive)."""
    out = []
    x = row.numbers
    if x["lower"] > x["estimate"]:
        message = f"lower limit {x['lower']:g} is above the estimate {x['estimate']:g}"
        out.append(_at(table, row, "lower", "DOS-S103", message))
    if x["estimate"] > x["upper"]:
        message = f"upper limit {x['upper']:g} is below the estimate {x['estimate']:g}"
        out.append(_at(table, row, "upper", "DOS-S103", message))
    elif x["lower"] == x["upper"]:
        message = "the limits are equal: the result carries no variance to weigh it by"
        out.append(_at(table, row, "upper", "DOS-S103", message))
    if x["df"] != int(x["df"]):
        message = f"df is {x['df']:g}: the residual degrees of freedom are a whole number"
        out.append(_at(table, row, "df", "DOS-S105", message))
    g = x.get("g")
    if g is not None and not 0 <= g < 1:
        message = f"g is {g:g}: it lies in [0, 1) for a slope that differs from zero"
        out.append(_at(table, row, "g", "DOS-S105", message))
    return out


def read_results(
    path: Path, *, sheet: str | None = None, display: str | None = None
) -> list[Estimate]:
    """The assay results of a CSV or XLSX file; located errors as :class:`DataFileError`."""
    table = read_table(
        path,
        required=COLUMNS,
        numeric=_NUMERIC,
        optional=("g",),
        sheet=sheet,
        display=display,
    )
    problems = DiagnosticList()
    try:
        require_positive(
            table,
            ("estimate", "lower", "upper", "df"),
            "potencies, their limits and the degrees of freedom are positive",
        )
    except DataFileError as exc:
        problems.extend(exc.diagnostics)
    not_positive = {d.location.line for d in problems}
    for row in table.rows:
        if row.line not in not_positive:
            problems.extend(_row_problems(table, row))
    if len(table.rows) < 2:
        row = table.rows[-1]
        message = f"{len(table.rows)} assay result: combining needs at least 2"
        problems.append(_at(table, row, "run", "DOS-S104", message))
    if problems:
        raise DataFileError(problems)
    return [
        Estimate(
            value=row.numbers["estimate"],
            lower=row.numbers["lower"],
            upper=row.numbers["upper"],
            df=int(row.numbers["df"]),
            g=row.numbers.get("g"),
            label=row.text["run"],
        )
        for row in table.rows
    ]
