"""Analysis of an assay's raw validation data against its validation criteria.

Every dataset declared under ``validation_data`` is read and analysed (accuracy,
precision, linearity); the reportable range is compared with the release
specification ± 20 % (ICH Q2(R2) Table 2, potency). Results become readable summaries,
verdicts against ``validation_criteria``, and provenance records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.assays import AssayComputed
    from dossier.analysis.project import ComputedProject
    from dossier.model.potency import PotencyAssay, ValidationDataset
    from dossier.model.project_io import LoadedProject

__all__ = ["analyse_validation"]


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
            file, required=(*ds.factors, "value"), numeric=("value",), sheet=ds.sheet, display=shown
        )
    else:
        table = read_table(
            file,
            required=("nominal", "measured"),
            numeric=("nominal", "measured"),
            optional=("level",),
            sheet=ds.sheet,
            display=shown,
        )
    if ds.log_scale:
        columns = ("value",) if ds.characteristic == "precision" else ("nominal", "measured")
        require_positive(table, columns, "the log scale needs positive values")
    elif ds.characteristic == "accuracy":
        require_positive(table, ("nominal",), "recovery divides by the nominal value")
    return shown, table


def analyse_validation(
    loaded: LoadedProject,
    index: int,
    assay: PotencyAssay,
    result: AssayComputed,
    computed: ComputedProject,
) -> None:
    """Fill ``result.validation``, ``result.validation_failures`` and ``result.range``."""
    from dossier.analysis.project import Provenance
    from dossier.compute import validation_stats as vs
    from dossier.load.tables import Table

    criteria = assay.validation_criteria
    levels: list[float] = []
    for j, ds in enumerate(assay.validation_data):
        try:
            _shown, loaded_table = _dataset(loaded, index, j, ds)
        except UserError as exc:
            computed.diagnostics.extend(exc.diagnostics)
            continue
        assert isinstance(loaded_table, Table)
        rows = loaded_table.rows
        try:
            if ds.characteristic == "accuracy":
                acc = vs.accuracy(
                    [r.numbers["nominal"] for r in rows],
                    [r.numbers["measured"] for r in rows],
                    [r.text.get("level") or f"{r.numbers['nominal']:g}" for r in rows],
                    log_scale=ds.log_scale,
                )
                levels.extend(r.numbers["nominal"] for r in rows)
                o = acc.overall
                text = f"mean recovery {_fmt(o.mean_recovery_percent)} % (95 % CI {_fmt(o.ci_lower or 0)}–{_fmt(o.ci_upper or 0)} %), {len(acc.levels)} levels, n = {o.n}"
                result.validation["accuracy"] = text
                if criteria and criteria.recovery_percent:
                    lo, hi = criteria.recovery_percent
                    if not lo <= o.mean_recovery_percent <= hi:
                        result.validation_failures.append(
                            f"accuracy: mean recovery {_fmt(o.mean_recovery_percent)} % outside {lo:g}–{hi:g} %"
                        )
                method = acc.method
            elif ds.characteristic == "precision":
                prec = vs.precision(
                    [[r.text[f] for f in ds.factors] for r in rows],
                    [r.numbers["value"] for r in rows],
                    ds.factors,
                    log_scale=ds.log_scale,
                )
                word = "GCV" if prec.log_scale else "CV"
                text = f"repeatability {word} {_fmt(prec.repeatability_cv_percent)} %, intermediate precision {word} {_fmt(prec.intermediate_cv_percent)} % (factors {', '.join(ds.factors)}; n = {prec.n})"
                result.validation["precision"] = text
                if (
                    criteria
                    and criteria.repeatability_cv_percent_max
                    and prec.repeatability_cv_percent > criteria.repeatability_cv_percent_max
                ):
                    result.validation_failures.append(
                        f"repeatability {word} {_fmt(prec.repeatability_cv_percent)} % above {criteria.repeatability_cv_percent_max:g} %"
                    )
                if (
                    criteria
                    and criteria.intermediate_precision_cv_percent_max
                    and prec.intermediate_cv_percent
                    > criteria.intermediate_precision_cv_percent_max
                ):
                    result.validation_failures.append(
                        f"intermediate precision {word} {_fmt(prec.intermediate_cv_percent)} % above {criteria.intermediate_precision_cv_percent_max:g} %"
                    )
                method = prec.method
            else:
                lin = vs.linearity(
                    [r.numbers["nominal"] for r in rows],
                    [r.numbers["measured"] for r in rows],
                    log_scale=ds.log_scale,
                )
                levels.extend(r.numbers["nominal"] for r in rows)
                scale = "log-log " if lin.log_scale else ""
                text = f"{scale}slope {_fmt(lin.slope)} (95 % CI {_fmt(lin.slope_ci_lower)}–{_fmt(lin.slope_ci_upper)}), R² {lin.r_squared:.4f}, residual SD {_fmt(lin.residual_sd)}, n = {lin.n}"
                result.validation["linearity"] = text
                if criteria and criteria.linearity_slope:
                    lo, hi = criteria.linearity_slope
                    if not lo <= lin.slope <= hi:
                        result.validation_failures.append(
                            f"linearity: slope {_fmt(lin.slope)} outside {lo:g}–{hi:g}"
                        )
                if criteria and criteria.r_squared_min and lin.r_squared < criteria.r_squared_min:
                    result.validation_failures.append(
                        f"linearity: R² {lin.r_squared:.4f} below {criteria.r_squared_min:g}"
                    )
                method = "least-squares line of measured on nominal" + (
                    " (log-log)" if lin.log_scale else ""
                )
        except ValueError as exc:
            result.validation[ds.characteristic] = f"not computed: {exc}"
            result.validation_failures.append(f"{ds.characteristic}: {exc}")
            continue
        computed.provenance.append(
            Provenance(
                f"{assay.id}: {ds.characteristic}", text, (ds.data,), method, rows_used=len(rows)
            )
        )
    release = next(
        (c for c in assay.acceptance_criteria if c.role == "release" and not c.report_only), None
    )
    if levels and release is not None and assay.is_relative:
        rng = vs.reportable_range(
            levels,
            release.lower,
            release.upper,
            release.unit.replace(" relative potency", "").strip(),
        )
        result.range = {
            "covers": rng.covers,
            "text": rng.text(),
            "required_text": rng.required_text(),
        }
        result.validation["range"] = f"{rng.text()} covered; required {rng.required_text()}"
