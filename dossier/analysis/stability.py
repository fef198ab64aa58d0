"""Analysis of the stability studies: ICH Q1E per attribute, and the proposed shelf life.

Each quantitative attribute of each study is read (inline results, or its data file with
located errors) and analysed by :func:`dossier.compute.stability.fit_q1e`. The shelf life
the data support is the earlier of the estimated crossing and the longest time the
data may be carried to:

* without a justification, the longest real-time time point: shelf lives of biological
  products rest on real-time data (ICH Q5C), so nothing is extrapolated;
* with the study's ``extrapolation_justification``, the limit of ICH Q1E section 2.4 for a
  long-term condition: at room temperature (15 °C and above) up to twice the period
  covered, but not more than 12 months beyond it; refrigerated (above 0 up to 8 °C)
  up to one and a half times, but not more than 6 months beyond. Q1E allows no
  extrapolation for frozen storage (section 2.5, and below −20 °C case by case, 2.6),
  for a condition without a nominal temperature, nor for accelerated, stress or in-use
  conditions: there the justification is recorded and the data still end the period.

The crossing is searched up to twice the longest time point (further when the limit of
extrapolation or the proposed period lies beyond), so the estimate is stated even where
the data do not carry the shelf life that far. A month counts 30.4375 days (365.25 / 12)
where Q1E's "months beyond" meet a study in days or hours. The proposed shelf life is
supported when it is at or below the supported one
(:class:`~dossier.analysis.verdicts.Verdict`); it is not assessed, with a typed reason,
when the data cannot be analysed.

======== ===================================================================
DOS-A050 a stability data file holds a batch that is not on the study
======== ===================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier.analysis.results import Provenance
from dossier.analysis.stability_results import (
    AttributeComputed,
    Extrapolation,
    StabilityPoint,
    StudyComputed,
)
from dossier.analysis.verdicts import Verdict
from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.model.project_io import LoadedProject
    from dossier.model.stability import StabilityAttribute, StabilityStudy

__all__ = ["analyse_attribute", "analyse_study", "extrapolation_limit", "run"]

DAYS_PER_MONTH = 365.25 / 12
_PER_MONTH = {"months": 1.0, "days": DAYS_PER_MONTH, "hours": DAYS_PER_MONTH * 24}


def extrapolation_limit(study: StabilityStudy, longest: float) -> Extrapolation:
    """The longest period the data of ``study`` may support, by ICH Q5C / Q1E (see the
    module docstring)."""
    if study.extrapolation_justification is None:
        return Extrapolation("real_time", longest, longest)
    temperature = study.condition.temperature_c
    if study.condition.type != "long_term" or temperature is None:
        return Extrapolation("not_allowed", longest, longest)
    per_month = _PER_MONTH[study.time_unit]
    if temperature >= 15:
        limit = min(2.0 * longest, longest + 12 * per_month)
        return Extrapolation("q1e_room", longest, limit, 2.0, 12.0)
    if 0 < temperature <= 8:
        limit = min(1.5 * longest, longest + 6 * per_month)
        return Extrapolation("q1e_refrigerated", longest, limit, 1.5, 6.0)
    return Extrapolation("not_allowed", longest, longest)


def analyse_attribute(
    study: StabilityStudy,
    attribute: StabilityAttribute,
    points: Sequence[StabilityPoint],
    source: str,
) -> AttributeComputed:
    """The Q1E analysis of one attribute's results and the verdict on the proposal."""
    from dossier.compute.stability import fit_q1e

    proposed = study.proposed_shelf_life
    base = AttributeComputed(
        attribute.name, attribute.unit, attribute.lower, attribute.upper, tuple(points), source
    )
    if not points:
        return _replace(base, not_assessed="no_data")
    longest = max(p.time for p in points)
    extrapolation = extrapolation_limit(study, longest)
    # the crossing is searched up to twice the real-time period (or further, to the limit
    # of extrapolation or the proposal): the estimate is reported even where the data do
    # not carry the shelf life that far
    horizon = max(
        2.0 * longest, extrapolation.limit, proposed.value if proposed is not None else 0.0
    )
    fit = fit_q1e(
        [p.time for p in points],
        [p.value for p in points],
        [p.batch for p in points],
        attribute.lower,
        attribute.upper,
        horizon if horizon > 0 else 1.0,
    )
    if not fit.analysed:
        return _replace(base, fit=fit, extrapolation=extrapolation, not_assessed=fit.reason)
    supported = extrapolation.limit
    if fit.crossing is not None:
        supported = min(supported, fit.crossing.time)
    if proposed is None:
        return _replace(
            base,
            fit=fit,
            extrapolation=extrapolation,
            supported=supported,
            not_assessed="no_proposal",
        )
    return _replace(
        base,
        fit=fit,
        extrapolation=extrapolation,
        supported=supported,
        verdict=Verdict.of(proposed.value <= supported),
    )


def _replace(base: AttributeComputed, **changes: Any) -> AttributeComputed:
    return replace(base, **changes)


def _inline(attribute: StabilityAttribute) -> list[StabilityPoint]:
    return [StabilityPoint(r.batch, r.time, r.value) for r in attribute.results]


def _from_file(
    loaded: LoadedProject,
    study: StabilityStudy,
    attribute: StabilityAttribute,
    path: tuple[Any, ...],
    warnings: list[Diagnostic],
) -> tuple[list[StabilityPoint], str]:
    """The results of a data file and the file as the project names it; a located error
    for a batch not on the study; the file's warnings (rows repeated exactly) added to
    ``warnings``."""
    from dossier.load.tables import read_table

    assert attribute.data is not None
    file = loaded.data_path(attribute.data, path)
    shown = str(Path(loaded.source.display_path).parent / attribute.data)
    table = read_table(
        file,
        required=("batch", "time", "value"),
        numeric=("time", "value"),
        sheet=attribute.sheet,
        display=shown,
        decimal=attribute.decimal,
        thousands=attribute.thousands,
    )
    warnings.extend(table.warnings)
    problems = []
    points = []
    column = table.columns.index("batch") + 1
    for row in table.rows:
        batch = row.text["batch"]
        if batch not in study.batches:
            problems.append(
                Diagnostic(
                    "DOS-A050",
                    Severity.ERROR,
                    f"batch '{batch}' is not on stability study '{study.id}'",
                    Location(shown, row.line, column),
                    "batches on the study: " + ", ".join(study.batches),
                )
            )
            continue
        if row.numbers["time"] < 0:
            problems.append(
                Diagnostic(
                    "DOS-D008",
                    Severity.ERROR,
                    f"'time' is {row.numbers['time']:g}: a time point cannot be negative",
                    Location(shown, row.line, table.columns.index("time") + 1),
                )
            )
            continue
        points.append(StabilityPoint(batch, row.numbers["time"], row.numbers["value"]))
    if problems:
        raise UserError(problems)
    # project-relative: the drafts must not show machine-specific paths
    return points, attribute.data


def analyse_study(loaded: LoadedProject, index: int) -> tuple[StudyComputed, list[Diagnostic]]:
    """Every attribute of study ``index`` analysed; the data-file problems found."""
    study = loaded.project.quality.stability[index]
    attributes = []
    problems: list[Diagnostic] = []
    for j, attribute in enumerate(study.attributes):
        path = ("quality", "stability", index, "attributes", j, "data")
        if attribute.data is None:
            points, source = _inline(attribute), "project file"
        else:
            try:
                points, source = _from_file(loaded, study, attribute, path, problems)
            except UserError as exc:
                problems.extend(exc.diagnostics)
                points, source = [], attribute.data
        attributes.append(analyse_attribute(study, attribute, points, source))
    proposed = study.proposed_shelf_life
    computed = StudyComputed(
        study.id,
        study.time_unit,
        None if proposed is None else proposed.value,
        tuple(attributes),
    )
    return computed, problems


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Analyse every stability study into ``computed.stability`` with provenance."""
    for i, study in enumerate(loaded.project.quality.stability):
        result, problems = analyse_study(loaded, i)
        computed.stability[study.id] = result
        computed.diagnostics.extend(problems)
        for attribute in result.attributes:
            if attribute.supported is None or attribute.fit is None:
                continue
            computed.provenance.append(
                Provenance(
                    what=f"shelf life supported by {attribute.name} ({study.id})",
                    value=f"{attribute.supported:.4g} {study.time_unit}",
                    inputs=(attribute.source, f"{len(attribute.points)} results"),
                    method=(
                        "ICH Q1E: poolability by ANCOVA (alpha 0.25), earliest time the "
                        "one-sided 95 % confidence limit of the mean meets the criterion"
                    ),
                    rows_used=len(attribute.points),
                )
            )
