"""Reading dose-response data files into :class:`DoseResponseData`.

Columns: ``preparation``, ``dose``, ``response``; plus ``block`` (randomised block) or
``row`` and ``column`` (Latin square). The design follows from the columns present.
Other columns (e.g. ``replicate``) are ignored.
"""

from __future__ import annotations

from pathlib import Path

from dossier.compute.potency.types import DoseResponseData, Observation
from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import DataFileError
from dossier.load.numbers import DecimalSeparator, ThousandsSeparator
from dossier.load.tables import read_table

__all__ = ["read_dose_response"]


def read_dose_response(
    path: Path,
    *,
    sheet: str | None = None,
    display: str | None = None,
    decimal: DecimalSeparator = "point",
    thousands: ThousandsSeparator = "none",
    warnings: list[Diagnostic] | None = None,
) -> DoseResponseData:
    """Read and check a dose-response file; located errors as :class:`DataFileError`.

    ``decimal`` and ``thousands`` are the file's number convention; warnings about the
    file (rows repeated exactly) are added to ``warnings`` when it is given."""
    table = read_table(
        path,
        required=("preparation", "dose", "response"),
        numeric=("dose", "response"),
        optional=("block", "row", "column"),
        sheet=sheet,
        display=display,
        decimal=decimal,
        thousands=thousands,
    )
    if warnings is not None:
        warnings.extend(table.warnings)
    has_block = "block" in table.columns
    has_latin = "row" in table.columns and "column" in table.columns
    if ("row" in table.columns) != ("column" in table.columns):
        raise DataFileError(
            Diagnostic(
                "DOS-D003",
                Severity.ERROR,
                "a Latin square needs both 'row' and 'column' columns",
                Location(table.source, 1, 1),
            )
        )
    obs = []
    for row in table.rows:
        obs.append(
            Observation(
                preparation=row.text["preparation"],
                dose=row.numbers["dose"],
                response=row.numbers["response"],
                row=row.line,
                block=row.text.get("block") if has_block and not has_latin else None,
                latin_row=row.text.get("row") if has_latin else None,
                latin_column=row.text.get("column") if has_latin else None,
            )
        )
    columns = {name: i for i, name in enumerate(table.columns, start=1) if name}
    return DoseResponseData(tuple(obs), table.source, columns)
