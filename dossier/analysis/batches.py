"""Batch results of a potency assay: the reportable value, its verdict, the trend.

A batch result that lists runs is computed from them (one run: its estimate; several:
the Ph. Eur. 5.3 combination), on the assay's reportable scale: relative potency × the
reference standard's assigned potency (e.g. 100 %). An entered value is taken as given.
Either is judged here, once, against the acceptance criterion of the batch's use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.analysis.potency_results import BatchComputed, TrendComputed
from dossier.analysis.results import Provenance
from dossier.analysis.verdicts import Verdict, within
from dossier.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.potency_results import AssayComputed
    from dossier.analysis.results import ComputedProject
    from dossier.compute.potency.combine import Estimate
    from dossier.model.potency import AcceptanceCriterion, BatchResult, PotencyAssay
    from dossier.model.project_io import LoadedProject

__all__ = ["batch_results", "criterion_for_batch", "trend"]


def _criterion_for(assay: PotencyAssay, role: str) -> AcceptanceCriterion | None:
    return next((c for c in assay.acceptance_criteria if c.role == role), None)


# the criterion a batch is judged against follows its use: batches made for dosing
# (clinical, toxicology, engineering) and reference batches meet the release criterion;
# batches made only for stability, characterisation or comparability meet that role's
# criterion when the assay declares one (else the release criterion)
_RELEASE_USES = frozenset({"clinical", "toxicology", "engineering", "reference"})
_ROLE_OF_USE = {
    "stability": "stability",
    "characterisation": "characterisation",
    "comparability": "comparability",
}


def criterion_for_batch(
    assay: PotencyAssay, uses: list[str]
) -> tuple[str, AcceptanceCriterion | None]:
    """The role of the criterion a batch is judged against, and that criterion."""
    if uses and not _RELEASE_USES & set(uses):
        for use in uses:
            role = _ROLE_OF_USE.get(use)
            criterion = _criterion_for(assay, role) if role else None
            if role and criterion is not None:
                return role, criterion
    return "release", _criterion_for(assay, "release")


def _judged(
    br: BatchResult,
    role: str,
    criterion: AcceptanceCriterion | None,
    value: tuple[float | None, float | None, float | None],
    runs: tuple[str, ...],
    method: str,
    note: str = "",
) -> BatchComputed:
    """The batch's value with its verdict against the criterion of its use."""
    estimate, lower, upper = value
    limits: tuple[float | None, float | None]
    if criterion is None:
        verdict, limits, note = Verdict.NOT_ASSESSED, (None, None), note or f"no {role} criterion"
    elif criterion.report_only:
        verdict, limits = Verdict.NOT_ASSESSED, (None, None)
        note = note or f"the {role} criterion is report only"
    else:
        limits = (criterion.lower, criterion.upper)
        verdict = within(estimate, *limits)
    return BatchComputed(
        br.batch,
        estimate,
        lower,
        upper,
        br.unit,
        runs,
        method,
        verdict,
        criterion_role=role,
        lower=limits[0],
        upper=limits[1],
        limits_unit=criterion.unit if criterion is not None else "",
        note=note,
        entered=br.value is not None,
    )


def _estimates(
    assay_result: AssayComputed,
    run_batches: dict[str, dict[str, str]],
    br: BatchResult,
    scale: float,
) -> tuple[list[Estimate], list[str]]:
    """The valid estimates of the batch from its runs, and why a run gave none."""
    from dossier.compute.potency.combine import Estimate

    estimates = []
    problems = []
    for run_id in br.runs:
        run = assay_result.runs.get(run_id)
        if run is None:
            problems.append(f"run {run_id} could not be analysed")
            continue
        prep_name = next((p for p, b in run_batches[run_id].items() if b == br.batch), None)
        prep = next((r for r in run.analysis.results if r.preparation == prep_name), None)
        if prep is None:
            problems.append(f"run {run_id} has no preparation mapped to batch {br.batch}")
            continue
        if (
            not (run.valid and prep.valid)
            or prep.ci_lower is None
            or prep.ci_upper is None
            or prep.potency is None
        ):
            problems.append(f"run {run_id} is invalid")
            continue
        # relative potency (limits) on the reportable scale of the assay
        rp_scale = scale / prep.assumed_potency
        estimates.append(
            Estimate(
                prep.potency * rp_scale,
                prep.ci_lower * rp_scale,
                prep.ci_upper * rp_scale,
                run.analysis.residual_df or 1,
            )
        )
    return estimates, problems


def batch_results(
    loaded: LoadedProject,
    index: int,
    assay: PotencyAssay,
    result: AssayComputed,
    run_batches: dict[str, dict[str, str]],
    computed: ComputedProject,
) -> None:
    """Fill ``result.batches``: every batch result of the assay, computed or entered."""
    from dossier.compute.potency.combine import combine_estimates

    scale = (
        assay.reference_standard.assigned_potency.value
        if assay.reference_standard and assay.reference_standard.assigned_potency
        else 1.0
    )
    uses: dict[str, list[str]] = {b.id: list(b.uses) for b in loaded.project.quality.batches}
    for br_index, br in enumerate(assay.batch_results):
        role, criterion = criterion_for_batch(assay, uses.get(br.batch, []))
        if br.value is not None:
            result.batches[br.batch] = _judged(
                br,
                role,
                criterion,
                (br.value, br.ci_lower, br.ci_upper),
                (),
                "entered in the project file",
            )
            continue
        estimates, problems = _estimates(result, run_batches, br, scale)
        if problems or not estimates:
            why = "; ".join(problems or ["no runs"])
            loc = loaded.locate(
                ("quality", "potency", "assays", index, "batch_results", br_index, "runs")
            )
            computed.diagnostics.append(
                Diagnostic(
                    "DOS-A011",
                    Severity.WARNING,
                    f"no result for batch '{br.batch}' in assay '{assay.id}': {why}",
                    loc,
                )
            )
            result.batches[br.batch] = _judged(
                br,
                role,
                criterion,
                (None, None, None),
                tuple(br.runs),
                "not computed",
                f"not computed: {why}",
            )
            continue
        combined = combine_estimates(estimates)
        result.batches[br.batch] = _judged(
            br,
            role,
            criterion,
            (combined.value, combined.lower, combined.upper),
            tuple(br.runs),
            combined.method,
        )
        computed.provenance.append(
            Provenance(
                what=f"{assay.id}: reportable potency of batch {br.batch}",
                value=(
                    f"{combined.value:.4g} {br.unit} ({combined.lower:.4g} to {combined.upper:.4g})"
                ),
                inputs=tuple(f"run {r}" for r in br.runs),
                method=combined.method
                + f"; relative potency × assigned potency of the reference ({scale:g})",
            )
        )


def trend(
    loaded: LoadedProject, assay_id: str, result: AssayComputed, computed: ComputedProject
) -> None:
    """Trend of the batch results over the manufacture dates (out-of-trend signal)."""
    from dossier.compute.trend import batch_trend

    made = {b.id: b.manufacture_date for b in loaded.project.quality.batches}
    points = sorted(
        (made[b], b, c.value, c.unit)
        for b, c in result.batches.items()
        if c.value is not None and b in made
    )
    units = {unit for *_, unit in points}
    if not points or len(units) > 1:  # results in different units are not one series
        return
    first = points[0][0]
    days = [(d - first).days for d, *_ in points]
    result.trend = TrendComputed(
        batch_trend(days, [v for _, _, v, _ in points]),
        tuple(b for _, b, _, _ in points),
        points[0][3],
    )
    if result.trend.result.testable:
        computed.provenance.append(
            Provenance(
                what=f"{assay_id}: trend of the batch results",
                value=result.trend.text,
                inputs=tuple(f"batch {b}" for b in result.trend.batches),
                method=result.trend.result.method,
            )
        )
