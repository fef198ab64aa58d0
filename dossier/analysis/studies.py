"""Analysis of the non-clinical studies' data: SEND packages and biodistribution tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dossier.analysis.results import Provenance, SendComputed
from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.compute.biodistribution import BdSummary
    from dossier.load.numbers import DecimalSeparator, ThousandsSeparator
    from dossier.load.tables import Table
    from dossier.model.project_io import LoadedProject

__all__ = ["read_biodistribution", "run"]


def _negative(table: Table, line: int, column: str, value: float, display: str) -> Diagnostic:
    """DOS-D008 at a biodistribution value that cannot be a measurement."""
    what = "an LLOQ must be above zero" if column == "lloq" else "copies cannot be below zero"
    return Diagnostic(
        "DOS-D008",
        Severity.ERROR,
        f"'{column}' is {value:g}: {what}",
        Location(display, line, table.columns.index(column) + 1),
        "give the measured value, or BLQ when it is below the limit of quantification",
    )


def read_biodistribution(
    path: Path,
    display: str,
    *,
    decimal: DecimalSeparator = "point",
    thousands: ThousandsSeparator = "none",
    warnings: list[Diagnostic] | None = None,
) -> BdSummary:
    """Read a long biodistribution table and summarise it (located errors).

    ``decimal`` and ``thousands`` are the file's number convention; warnings about the
    file (rows repeated exactly) are added to ``warnings`` when it is given."""
    from dossier.compute.biodistribution import BdRow, summarise_biodistribution
    from dossier.load.numbers import NumberError, NumberFormat, parse_number
    from dossier.load.tables import read_table

    table = read_table(
        path,
        required=("animal", "group", "timepoint", "tissue", "copies_per_ug", "lloq"),
        numeric=("lloq",),
        optional=("sex",),
        display=display,
        decimal=decimal,
        thousands=thousands,
    )
    if warnings is not None:
        warnings.extend(table.warnings)
    rows = []
    problems = []
    for r in table.rows:
        text = r.text["copies_per_ug"]
        if text.upper() in {"BLQ", "<LLOQ", "ND", "NOT DETECTED"} or text.startswith("<"):
            copies = None
        else:
            try:
                copies = parse_number(text, NumberFormat(decimal, thousands))
            except NumberError as exc:
                column = table.columns.index("copies_per_ug") + 1
                problems.append(
                    Diagnostic(
                        exc.code,
                        Severity.ERROR,
                        f"'copies_per_ug': {exc.message}; give a number or BLQ",
                        Location(display, r.line, column),
                        exc.hint,
                    )
                )
                continue
            if copies < 0:
                problems.append(_negative(table, r.line, "copies_per_ug", copies, display))
                continue
        if r.numbers["lloq"] <= 0:
            problems.append(_negative(table, r.line, "lloq", r.numbers["lloq"], display))
            continue
        rows.append(
            BdRow(
                r.text["animal"],
                r.text.get("sex", ""),
                r.text["group"],
                r.text["timepoint"],
                r.text["tissue"],
                copies,
                r.numbers["lloq"],
                r.line,
            )
        )
    if problems:
        raise UserError(problems)
    return summarise_biodistribution(rows)


def run(loaded: LoadedProject, computed: ComputedProject, *, send: bool = True) -> None:
    """Summarise every study's SEND package (unless ``send`` is false) and
    biodistribution table."""
    nonclinical = loaded.project.nonclinical
    if nonclinical is None:
        return
    base = Path(loaded.source.display_path).parent
    for i, study in enumerate(nonclinical.studies):
        if study.data is None:
            continue
        if study.data.biodistribution:
            path = ("nonclinical", "studies", i, "data", "biodistribution")
            try:
                summary = read_biodistribution(
                    loaded.data_path(study.data.biodistribution, path),
                    str(base / study.data.biodistribution),
                    decimal=study.data.decimal,
                    thousands=study.data.thousands,
                    warnings=computed.diagnostics,
                )
            except UserError as exc:
                computed.diagnostics.extend(exc.diagnostics)
            else:
                computed.biodistribution[study.id] = summary
                computed.provenance.append(
                    Provenance(
                        f"{study.id}: biodistribution summary",
                        f"{len(summary.cells)} tissue × time-point cells; gonads: "
                        + (", ".join(summary.gonads) or "not sampled"),
                        (study.data.biodistribution,),
                        "mean, SD and maximum of values at or above the LLOQ; "
                        "below-LLOQ values counted, not averaged",
                    )
                )
        if study.data.send and send:
            from dossier.importers.send import (
                check_consistency,
                read_send_package,
                study_record,
                summarise,
            )

            path = ("nonclinical", "studies", i, "data", "send")
            try:
                package = read_send_package(loaded.data_path(study.data.send, path, kind="dir"))
            except UserError as exc:
                computed.diagnostics.extend(exc.diagnostics)
                continue
            computed.send[study.id] = SendComputed(study_record(package), summarise(package))
            computed.diagnostics.extend(package.diagnostics)
            computed.diagnostics.extend(check_consistency(package))
            computed.provenance.append(
                Provenance(
                    f"{study.id}: SEND summaries",
                    "body weight, laboratory, microscopic and macroscopic findings, clinical signs",
                    (study.data.send,),
                    "read with pyreadstat; group means and incidences per dossier.importers.send",
                )
            )
