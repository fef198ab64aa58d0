"""Analysis of the project's potency assays: validation, runs, batch results, trend.

For every assay with raw runs, each run is analysed with the assay's statistical model
and validity criteria and becomes a :class:`~dossier.analysis.potency_results.RunResult`
(validity with the tests and reasons that decide it); the validation data are judged
against the validation criteria (:mod:`dossier.analysis.validation`); batch results are
computed from the runs or taken as entered, and judged (:mod:`dossier.analysis.batches`).
Every computed value gets a provenance record.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from dossier.analysis.batches import batch_results, reportable_scale, trend
from dossier.analysis.outliers import attach
from dossier.analysis.potency_results import AssayComputed, RunResult
from dossier.analysis.results import Provenance
from dossier.analysis.validation import analyse_validation
from dossier.compute.potency import models as potency_models
from dossier.core.diagnostics import Diagnostic, Severity
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.outlier_results import RunOutliers
    from dossier.analysis.results import ComputedProject
    from dossier.compute.potency.criteria import Criterion, Method
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.model.potency import PotencyAssay, SystemSuitability, ValidityCriterion
    from dossier.model.project_io import LoadedProject

__all__ = ["criteria_of", "run"]


def _alphas(assay: PotencyAssay) -> dict[str, float]:
    return {
        c.criterion: c.alpha
        for c in assay.validity_criteria
        if c.method == "significance"
        and c.criterion in {"regression", "non_parallelism", "non_linearity", "intersection"}
    }


def validity_criterion(c: ValidityCriterion) -> Criterion:
    """A declared validity criterion as a run is judged on it ('other' is listed only)."""
    from dossier.compute.potency.criteria import Criterion

    if c.criterion == "other":
        return Criterion("other", "described", label=c.description or "other criterion")
    method = cast("Method", c.method)
    return Criterion(c.criterion, method, c.lower, c.upper, c.alpha, label=c.description or "")


def suitability_criterion(s: SystemSuitability) -> Criterion:
    """A system-suitability limit as a run is judged on it (in words only: listed)."""
    from dossier.compute.potency.criteria import Criterion

    if s.measure is None:
        label = f"{s.parameter} ({s.limits})"
        return Criterion("system_suitability", "described", label=label, suitability=True)
    return Criterion(
        s.measure,
        "limit",
        s.lower,
        s.upper,
        preparation=s.preparation,
        label=s.parameter,
        suitability=True,
    )


def criteria_of(assay: PotencyAssay) -> tuple[Criterion, ...]:
    """The assay's validity criteria and system suitability, as the run is judged on them
    (a criterion or a suitability limit in words only is listed, not computed)."""
    return (
        *(validity_criterion(c) for c in assay.validity_criteria),
        *(suitability_criterion(s) for s in assay.system_suitability),
    )


def _analyse_run(
    loaded: LoadedProject,
    assay: PotencyAssay,
    index: int,
    run_index: int,
    warnings: list[Diagnostic] | None = None,
) -> tuple[DoseResponseData, RunOutliers, PotencyAnalysis]:
    """Read one run's data file and analyse it with the assay's model and criteria;
    warnings about the file (rows repeated exactly) are added to ``warnings``."""
    from dossier.analysis.outliers import screen_run
    from dossier.compute.potency.criteria import similarity_by_equivalence
    from dossier.compute.potency.io import read_dose_response

    run = assay.runs[run_index]
    path = ("quality", "potency", "assays", index, "runs", run_index, "data")
    file = loaded.data_path(run.data, path)
    data = read_dose_response(
        file,
        sheet=run.sheet,
        display=_display(loaded, run.data),
        decimal=run.decimal,
        thousands=run.thousands,
        warnings=warnings,
    )
    # every run screened; outliers removed only under the assay's declared rule
    outliers, data = screen_run(assay, run, data)
    kind = assay.statistical_model
    alphas = _alphas(assay)
    # similarity by declared equivalence margins: the F-test is reported, not deciding
    similarity: Literal["f-test", "equivalence"] = (
        "equivalence" if similarity_by_equivalence(criteria_of(assay)) else "f-test"
    )
    if kind == "parallel_line":
        from dossier.compute.potency.parallel_line import analyse_parallel_line

        return (
            data,
            outliers,
            analyse_parallel_line(
                data,
                run.standard,
                assumed=run.assumed_potency,
                transform=run.transform,
                alphas=alphas,
                similarity=similarity,
            ),
        )
    if kind == "slope_ratio":
        from dossier.compute.potency.slope_ratio import analyse_slope_ratio

        return (
            data,
            outliers,
            analyse_slope_ratio(
                data,
                run.standard,
                assumed=run.assumed_potency,
                transform=run.transform,
                alphas=alphas,
            ),
        )
    # the logistic models (4PL, 5PL): the registry's function; the F-test's
    # significance level comes from the criteria
    model = potency_models.by_name(kind)
    if model is None:  # pragma: no cover - the caller analyses registered models only
        raise ValueError(f"no analysis for the model '{kind}'")
    alpha = alphas.get("non_parallelism", 0.05)
    return (
        data,
        outliers,
        model.function()(
            data,
            run.standard,
            assumed=run.assumed_potency,
            transform=run.transform,
            alpha=alpha,
            similarity=similarity,
        ),
    )


def _display(loaded: LoadedProject, ref: str) -> str:
    from pathlib import Path

    base = Path(loaded.source.display_path).parent
    return str(base / ref)


def _runs(
    loaded: LoadedProject,
    index: int,
    assay: PotencyAssay,
    result: AssayComputed,
    computed: ComputedProject,
) -> None:
    """Fill ``result.runs``: every run analysed, or None when it could not be."""
    for run_index, assay_run in enumerate(assay.runs):
        if potency_models.by_name(assay.statistical_model) is None:
            result.runs[assay_run.id] = None
            result.not_analysed[assay_run.id] = (
                f"dossier does not compute the model '{assay.statistical_model}'"
            )
            loc = loaded.locate(("quality", "potency", "assays", index, "statistical_model"))
            computed.diagnostics.append(
                Diagnostic(
                    "DOS-A010",
                    Severity.WARNING,
                    f"runs of assay '{assay.id}' are not analysed: dossier does not compute "
                    f"the model '{assay.statistical_model}'",
                    loc,
                    "give batch results as values with their limits, or use a supported model",
                )
            )
            continue
        try:
            data, outliers, analysis = _analyse_run(
                loaded, assay, index, run_index, computed.diagnostics
            )
        except UserError as exc:
            computed.diagnostics.extend(exc.diagnostics)
            result.runs[assay_run.id] = None
            first = exc.diagnostics[0] if exc.diagnostics else None
            result.not_analysed[assay_run.id] = (
                "its data could not be read"
                if first is None
                else f"{first.message} ({Path(first.location.file).name}, "
                f"line {first.location.line})"
            )
            continue
        where = loaded.locate(("quality", "potency", "assays", index, "runs", run_index, "data"))
        computed.diagnostics.extend(
            Diagnostic("DOS-A030", Severity.WARNING, f"run '{assay_run.id}': {text}", where)
            for text in analysis.warnings
        )
        run_result = RunResult.of(
            assay_run.id, analysis, data, criteria_of(assay), scale=reportable_scale(assay)[0]
        )
        result.runs[assay_run.id] = attach(run_result, outliers)
        for prep in analysis.results:
            computed.provenance.append(
                Provenance(
                    what=f"{assay.id} run {assay_run.id}: relative potency of {prep.preparation}",
                    value=f"{prep.relative_potency:.4g}"
                    if prep.relative_potency is not None
                    else "not estimable",
                    # project-relative: the drafts must not show machine-specific paths
                    inputs=(assay_run.data, f"{analysis.rows_used} responses"),
                    method=analysis.method,
                    rows_used=analysis.rows_used,
                )
            )


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Analyse every potency assay's validation data, runs and batch results."""
    potency = loaded.project.quality.potency
    if potency is None:
        return
    for index, assay in enumerate(potency.assays):
        result = AssayComputed(assay.id)
        computed.assays[assay.id] = result
        result.reported_runs = sorted({r for br in assay.batch_results for r in br.runs})
        result.validation = analyse_validation(loaded, index, assay, computed)
        _runs(loaded, index, assay, result, computed)
        run_batches = {r.id: dict(r.batches) for r in assay.runs}
        batch_results(loaded, index, assay, result, run_batches, computed)
        trend(loaded, assay.id, result, computed)
