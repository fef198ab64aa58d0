"""Analysis of an assay's raw validation data against its validation criteria.

Every dataset declared under ``validation_data`` is read and analysed (accuracy,
precision, linearity); the reportable range is compared with the release
specification ± 20 % (ICH Q2(R2) Table 2, potency). Each characteristic becomes a
:class:`~dossier.analysis.validation_results.CharacteristicResult`: a summary in
words and one :class:`~dossier.analysis.validation_results.CriterionResult` per
criterion of ``validation_criteria`` that applies to it, judged here once; the range
becomes a :class:`~dossier.analysis.validation_results.RangeCoverage`. Provenance
records go to the computed project.

The mean recovery is judged on its point estimate, or, when the criteria say
``recovery_judged_by: confidence-interval``, on its 90 % two-sided t-interval, which
must lie wholly within the recovery range (USP <1033>: equivalence, 5 % per side).
Precision is summarised with 95 % confidence intervals (chi-square for repeatability,
Satterthwaite for intermediate precision).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, Unpack

from dossier.analysis.results import Provenance
from dossier.analysis.validation_results import (
    CharacteristicResult,
    CriterionResult,
    RangeCoverage,
    ValidationResult,
)
from dossier.analysis.verdicts import Verdict, within
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.compute.validation_stats import (
        AccuracyResult,
        LinearityResult,
        PrecisionInterval,
        PrecisionResult,
    )
    from dossier.model.potency import PotencyAssay, ValidationCriteria, ValidationDataset
    from dossier.model.project_io import LoadedProject

__all__ = ["RECOVERY_INTERVAL_CONFIDENCE", "analyse_validation"]

RECOVERY_INTERVAL_CONFIDENCE = 0.90
"""Confidence of the two-sided interval of the mean recovery judged against the recovery
range when the criteria ask for it (two one-sided tests at 5 %)."""


class Shown(TypedDict, total=False):
    """How a criterion's value is shown (fields of CriterionResult)."""

    unit: str
    statistic: str
    digits: str


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _dataset(
    loaded: LoadedProject, assay_index: int, data_index: int, ds: ValidationDataset
) -> tuple[str, object]:
    from pathlib import Path

    from dossier.load.tables import read_table, require_positive

    path = ("quality", "potency", "assays", assay_index, "validation_data", data_index, "data")
    file = loaded.data_path(ds.data, path)
    shown = str(Path(loaded.source.display_path).parent / ds.data)
    if ds.characteristic == "precision":
        if not ds.factors:
            raise UserError(
                "precision data need 'factors' (columns of the nested design, outermost first)"
            )
        table = read_table(
            file,
            required=(*ds.factors, "value"),
            numeric=("value",),
            sheet=ds.sheet,
            display=shown,
            decimal=ds.decimal,
            thousands=ds.thousands,
        )
    else:
        table = read_table(
            file,
            required=("nominal", "measured"),
            numeric=("nominal", "measured"),
            optional=("level",),
            sheet=ds.sheet,
            display=shown,
            decimal=ds.decimal,
            thousands=ds.thousands,
        )
    if ds.log_scale:
        columns = ("value",) if ds.characteristic == "precision" else ("nominal", "measured")
        require_positive(table, columns, "the log scale needs positive values")
    elif ds.characteristic == "accuracy":
        require_positive(table, ("nominal",), "recovery divides by the nominal value")
    return shown, table


def _criterion(
    name: str,
    characteristic: str,
    value: float | None,
    limits: tuple[float | None, float | None],
    **shown: Unpack[Shown],
) -> CriterionResult:
    lower, upper = limits
    return CriterionResult(
        name, characteristic, value, lower, upper, within(value, lower, upper), **shown
    )


def _declared(
    characteristic: str, criteria: ValidationCriteria | None, word: str = "CV"
) -> list[tuple[str, tuple[float | None, float | None], Shown]]:
    """The criteria of ``validation_criteria`` that apply to a characteristic: name,
    (lower, upper) and how the value is shown."""
    if criteria is None:
        return []
    out: list[tuple[str, tuple[float | None, float | None], Shown]] = []
    if characteristic == "accuracy" and criteria.recovery_percent:
        out.append(("mean recovery", criteria.recovery_percent, {"unit": "%"}))
    if characteristic == "precision":
        shown: Shown = {"unit": "%", "statistic": word}
        if criteria.repeatability_cv_percent_max:
            out.append(("repeatability", (None, criteria.repeatability_cv_percent_max), shown))
        if criteria.intermediate_precision_cv_percent_max:
            limit = criteria.intermediate_precision_cv_percent_max
            out.append(("intermediate precision", (None, limit), shown))
    if characteristic == "linearity":
        if criteria.linearity_slope:
            out.append(("slope", criteria.linearity_slope, {}))
        if criteria.r_squared_min:
            out.append(("R²", (criteria.r_squared_min, None), {"digits": ".4f"}))
    return out


def _interval_criterion(
    name: str,
    value: float,
    interval: tuple[float | None, float | None],
    confidence: float,
    limits: tuple[float | None, float | None],
    **shown: Unpack[Shown],
) -> CriterionResult:
    """A criterion judged on the confidence interval of the value: met when the whole
    interval lies within the limits."""
    low, high = interval
    lower, upper = limits
    if low is None or high is None:
        verdict, note = Verdict.NOT_ASSESSED, "fewer than two values: no confidence interval"
    else:
        verdict = Verdict.of((lower is None or low >= lower) and (upper is None or high <= upper))
        note = ""
    return CriterionResult(
        name,
        "accuracy",
        value,
        lower,
        upper,
        verdict,
        note=note,
        interval_lower=low,
        interval_upper=high,
        interval_confidence=confidence,
        **shown,
    )


def _accuracy(
    acc: AccuracyResult, criteria: ValidationCriteria | None, judging: AccuracyResult
) -> CharacteristicResult:
    """``judging`` is the same analysis at the confidence of the interval judged
    (:data:`RECOVERY_INTERVAL_CONFIDENCE`)."""
    o = acc.overall
    ci = (
        f" (95 % CI {_fmt(o.ci_lower)}–{_fmt(o.ci_upper)} %)"
        if o.ci_lower is not None and o.ci_upper is not None
        else ""
    )
    summary = (
        f"mean recovery {_fmt(o.mean_recovery_percent)} %{ci}, {len(acc.levels)} levels, n = {o.n}"
    )
    by_interval = criteria is not None and criteria.recovery_judged_by == "confidence-interval"
    j = judging.overall
    judged = tuple(
        _interval_criterion(
            name,
            o.mean_recovery_percent,
            (j.ci_lower, j.ci_upper),
            RECOVERY_INTERVAL_CONFIDENCE,
            limits,
            **shown,
        )
        if by_interval
        else _criterion(name, "accuracy", o.mean_recovery_percent, limits, **shown)
        for name, limits, shown in _declared("accuracy", criteria)
    )
    return CharacteristicResult("accuracy", summary, judged)


def _interval_text(interval: PrecisionInterval | None) -> str:
    """ "(95 % CI 2.97–6.16 %, chi-square, 16 df)"; empty without an interval."""
    if interval is None:
        return ""
    how = "chi-square" if interval.method.startswith("chi-square") else "Satterthwaite"
    return (
        f" ({interval.confidence * 100:g} % CI {_fmt(interval.cv_lower_percent)}–"
        f"{_fmt(interval.cv_upper_percent)} %, {how}, {interval.df:.3g} df)"
    )


def _precision(
    prec: PrecisionResult, factors: list[str], criteria: ValidationCriteria | None
) -> CharacteristicResult:
    word = "GCV" if prec.log_scale else "CV"
    summary = (
        f"repeatability {word} {_fmt(prec.repeatability_cv_percent)} %"
        f"{_interval_text(prec.repeatability_ci)}; "
        f"intermediate precision {word} {_fmt(prec.intermediate_cv_percent)} %"
        f"{_interval_text(prec.intermediate_ci)}; "
        f"factors {', '.join(factors)}; n = {prec.n}"
    )
    values = {
        "repeatability": prec.repeatability_cv_percent,
        "intermediate precision": prec.intermediate_cv_percent,
    }
    judged = tuple(
        _criterion(name, "precision", values[name], limits, **shown)
        for name, limits, shown in _declared("precision", criteria, word)
    )
    return CharacteristicResult("precision", summary, judged)


def _linearity(lin: LinearityResult, criteria: ValidationCriteria | None) -> CharacteristicResult:
    scale = "log-log " if lin.log_scale else ""
    summary = (
        f"{scale}slope {_fmt(lin.slope)} "
        f"(95 % CI {_fmt(lin.slope_ci_lower)}–{_fmt(lin.slope_ci_upper)}), "
        f"R² {lin.r_squared:.4f}, residual SD {_fmt(lin.residual_sd)}, n = {lin.n}"
    )
    values = {"slope": lin.slope, "R²": lin.r_squared}
    judged = tuple(
        _criterion(name, "linearity", values[name], limits, **shown)
        for name, limits, shown in _declared("linearity", criteria)
    )
    return CharacteristicResult("linearity", summary, judged)


def _not_computed(
    ds: ValidationDataset, criteria: ValidationCriteria | None, error: str
) -> CharacteristicResult:
    word = "GCV" if ds.log_scale else "CV"
    judged = tuple(
        CriterionResult(
            name,
            ds.characteristic,
            None,
            limits[0],
            limits[1],
            Verdict.NOT_ASSESSED,
            note="the data could not be analysed",
            **shown,
        )
        for name, limits, shown in _declared(ds.characteristic, criteria, word)
    )
    return CharacteristicResult(ds.characteristic, "", judged, error=error)


def analyse_validation(
    loaded: LoadedProject, index: int, assay: PotencyAssay, computed: ComputedProject
) -> ValidationResult:
    """The assay's validation characteristics judged against its criteria, and the range
    its levels cover; provenance and data diagnostics go to ``computed``."""
    from dossier.compute import validation_stats as vs
    from dossier.load.tables import Table

    criteria = assay.validation_criteria
    levels: list[float] = []
    results: list[CharacteristicResult] = []
    for j, ds in enumerate(assay.validation_data):
        try:
            _shown, loaded_table = _dataset(loaded, index, j, ds)
        except UserError as exc:
            computed.diagnostics.extend(exc.diagnostics)
            continue
        assert isinstance(loaded_table, Table)
        computed.diagnostics.extend(loaded_table.warnings)
        rows = loaded_table.rows
        try:
            if ds.characteristic == "accuracy":
                pairs = (
                    [r.numbers["nominal"] for r in rows],
                    [r.numbers["measured"] for r in rows],
                    [r.text.get("level") or f"{r.numbers['nominal']:g}" for r in rows],
                )
                acc = vs.accuracy(*pairs, log_scale=ds.log_scale)
                judging = vs.accuracy(
                    *pairs, log_scale=ds.log_scale, confidence=RECOVERY_INTERVAL_CONFIDENCE
                )
                levels.extend(r.numbers["nominal"] for r in rows)
                result = _accuracy(acc, criteria, judging)
                method = acc.method
            elif ds.characteristic == "precision":
                prec = vs.precision(
                    [[r.text[f] for f in ds.factors] for r in rows],
                    [r.numbers["value"] for r in rows],
                    ds.factors,
                    log_scale=ds.log_scale,
                )
                result = _precision(prec, ds.factors, criteria)
                method = prec.method
            else:
                lin = vs.linearity(
                    [r.numbers["nominal"] for r in rows],
                    [r.numbers["measured"] for r in rows],
                    log_scale=ds.log_scale,
                )
                levels.extend(r.numbers["nominal"] for r in rows)
                result = _linearity(lin, criteria)
                method = "least-squares line of measured on nominal" + (
                    " (log-log)" if lin.log_scale else ""
                )
        except ValueError as exc:
            results.append(_not_computed(ds, criteria, str(exc)))
            continue
        results.append(result)
        computed.provenance.append(
            Provenance(
                f"{assay.id}: {ds.characteristic}",
                result.summary,
                (ds.data,),
                method,
                rows_used=len(rows),
            )
        )
    release = next(
        (c for c in assay.acceptance_criteria if c.role == "release" and not c.report_only), None
    )
    coverage = None
    if levels and release is not None and assay.is_relative:
        rng = vs.reportable_range(
            levels,
            release.lower,
            release.upper,
            release.unit.replace(" relative potency", "").strip(),
        )
        coverage = RangeCoverage(
            rng.lower,
            rng.upper,
            rng.required_lower,
            rng.required_upper,
            rng.unit,
            Verdict.of(rng.covers),
        )
    return ValidationResult(tuple(results), coverage)
