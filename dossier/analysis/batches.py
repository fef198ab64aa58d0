"""Batch results of a potency assay: the reportable value, its verdict, the trend.

A batch result that lists runs is computed from its valid runs, on the assay's reportable
scale: relative potency × the reference standard's assigned potency (e.g. 100 %). The
assay's declared reportable value (``reportable``) chooses the combination of several
runs: ``ph-eur-5.3`` the automatic choice of Ph. Eur. 5.3 section 6, ``geometric-mean``
the unweighted combination (6.3); its ``independent`` declaration is passed on as the
condition of the weighted method. An entered value is taken as given. Either is judged
here, once, against the acceptance criterion of the batch's use.

No batch vanishes: a batch whose runs are all invalid keeps its place with the reason, a
batch with valid and invalid runs is reported from the valid ones with the others listed,
and a batch dosed in animals or patients without any result of a release assay is kept
as missing. Each case is a warning diagnostic (codes in :mod:`dossier.core.codes`): no
valid run (DOS-A011), invalid runs left out (DOS-A012), a dosed batch without a result
(DOS-A013), and a result resting on fewer runs than the reportable value requires
(DOS-A014).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dossier.analysis.potency_results import BatchComputed, ExcludedRun, TrendComputed
from dossier.analysis.results import Provenance
from dossier.analysis.verdicts import Verdict, within
from dossier.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.potency_results import AssayComputed, RunResult
    from dossier.analysis.results import ComputedProject
    from dossier.compute.potency.combine import Estimate, MethodChoice
    from dossier.model.potency import AcceptanceCriterion, BatchResult, PotencyAssay
    from dossier.model.project_io import LoadedProject

__all__ = ["DOSED_USES", "batch_results", "combination_of", "criterion_for_batch", "trend"]


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
DOSED_USES = frozenset({"clinical", "toxicology"})
"""Uses of a batch that dose animals or patients: every release assay must report it."""

_METHOD_OF: dict[str, MethodChoice] = {
    "ph-eur-5.3": "auto",
    "geometric-mean": "unweighted",
    "single-run": "auto",
}


def combination_of(assay: PotencyAssay) -> tuple[MethodChoice, bool | None, int | None]:
    """The combination method, the independence declaration and the number of runs that
    the assay's declared reportable value implies (auto, not declared, None without one)."""
    declared = assay.reportable
    if declared is None:
        return "auto", None, None
    return _METHOD_OF[declared.combination], declared.independent, declared.runs_required


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
    batch: str,
    unit: str,
    role: str,
    criterion: AcceptanceCriterion | None,
    value: tuple[float | None, float | None, float | None],
    runs: tuple[str, ...],
    method: str,
    note: str = "",
    **extra: Any,
) -> BatchComputed:
    """The batch's value with its verdict against the criterion of its use."""
    estimate, lower, upper = value
    limits: tuple[float | None, float | None]
    if criterion is None:
        verdict, limits = Verdict.NOT_ASSESSED, (None, None)
        note = note or f"no {role} criterion"
    elif criterion.report_only:
        verdict, limits = Verdict.NOT_ASSESSED, (None, None)
        note = note or f"the {role} criterion is report only"
    else:
        limits = (criterion.lower, criterion.upper)
        verdict = within(estimate, *limits)
    return BatchComputed(
        batch,
        estimate,
        lower,
        upper,
        unit,
        runs,
        method,
        verdict,
        criterion_role=role,
        lower=limits[0],
        upper=limits[1],
        limits_unit=criterion.unit if criterion is not None else "",
        note=note,
        **extra,
    )


def _invalid(run: RunResult, preparation: str | None) -> str:
    """Why a run gives no estimate of a preparation: the run's own reasons, or when the
    run is valid, the preparation's."""
    reasons = [r.message for r in run.reasons if r.preparation is None]
    reasons = reasons or [r.message for r in run.reasons if r.preparation == preparation]
    # one run's reasons by commas, so that "; " separates the runs of a batch
    return "invalid: " + ", ".join(reasons) if reasons else "invalid"


def _estimates(
    assay_result: AssayComputed,
    run_batches: dict[str, dict[str, str]],
    br: BatchResult,
    scale: float,
) -> tuple[list[tuple[str, Estimate]], list[ExcludedRun]]:
    """The valid estimates of the batch from its runs (with their run ids), and the runs
    that gave none, with why."""
    from dossier.compute.potency.combine import Estimate

    estimates = []
    excluded = []
    for run_id in br.runs:
        run = assay_result.runs.get(run_id)
        if run is None:
            why = assay_result.not_analysed.get(run_id)
            excluded.append(
                ExcludedRun(run_id, "could not be analysed" + (f": {why}" if why else ""))
            )
            continue
        prep_name = next((p for p, b in run_batches[run_id].items() if b == br.batch), None)
        prep = next((r for r in run.analysis.results if r.preparation == prep_name), None)
        if prep is None:
            excluded.append(ExcludedRun(run_id, f"has no preparation mapped to batch {br.batch}"))
            continue
        if not run.usable(prep.preparation):
            excluded.append(ExcludedRun(run_id, _invalid(run, prep_name)))
            continue
        if prep.ci_lower is None or prep.ci_upper is None or prep.potency is None:
            excluded.append(ExcludedRun(run_id, "gives no confidence limits"))
            continue
        # relative potency (limits) on the reportable scale of the assay
        rp_scale = scale / prep.assumed_potency
        estimates.append(
            (
                run_id,
                Estimate(
                    prep.potency * rp_scale,
                    prep.ci_lower * rp_scale,
                    prep.ci_upper * rp_scale,
                    run.analysis.residual_df or 1,
                    label=run_id,
                ),
            )
        )
    return estimates, excluded


class _Reporter:
    """Warning diagnostics of one assay's batch results, located in the project file."""

    def __init__(self, loaded: LoadedProject, index: int, computed: ComputedProject) -> None:
        self.loaded, self.index, self.computed = loaded, index, computed

    def warn(self, code: str, message: str, where: tuple[str | int, ...], hint: str) -> None:
        loc = self.loaded.locate(("quality", "potency", "assays", self.index, *where))
        self.computed.diagnostics.append(Diagnostic(code, Severity.WARNING, message, loc, hint))


def _short(
    bc: BatchComputed, assay: PotencyAssay, where: tuple[str | int, ...], to: _Reporter
) -> None:
    if bc.short_of_runs:
        to.warn(
            "DOS-A014",
            f"batch '{bc.batch}' in assay '{assay.id}' rests on {bc.runs_text}",
            where,
            "add runs of the batch, or correct the reportable value's 'runs'",
        )


def reportable_scale(assay: PotencyAssay) -> tuple[float, str]:
    """The factor from a relative potency (a ratio to the standard) to the assay's
    reportable scale, with how it was chosen: the assigned potency of the reference
    standard; without one, 100 for a readout in per cent (the standard counts as
    100 %), else 1."""
    reference = assay.reference_standard
    if reference is not None and reference.assigned_potency is not None:
        value = reference.assigned_potency.value
        return value, f"assigned potency of the reference ({value:g})"
    if assay.readout_unit.strip().startswith("%"):
        return 100.0, "100 (no assigned potency declared: the standard counts as 100 %)"
    return 1.0, "1 (no assigned potency declared)"


def batch_results(
    loaded: LoadedProject,
    index: int,
    assay: PotencyAssay,
    result: AssayComputed,
    run_batches: dict[str, dict[str, str]],
    computed: ComputedProject,
) -> None:
    """Fill ``result.batches``: every batch result of the assay, computed, entered, or
    missing (a dosed batch without a result of a release assay)."""
    from dossier.compute.potency.combine import combine_estimates

    scale, scale_text = reportable_scale(assay)
    method, independent, required = combination_of(assay)
    to = _Reporter(loaded, index, computed)
    uses: dict[str, list[str]] = {b.id: list(b.uses) for b in loaded.project.quality.batches}
    for br_index, br in enumerate(assay.batch_results):
        where: tuple[str | int, ...] = ("batch_results", br_index)
        role, criterion = criterion_for_batch(assay, uses.get(br.batch, []))
        if br.value is not None:
            bc = _judged(
                br.batch,
                br.unit,
                role,
                criterion,
                (br.value, br.ci_lower, br.ci_upper),
                (),
                "entered in the project file",
                entered=True,
                runs_declared=required,
                runs_counted=br.n_runs,
            )
            result.batches[br.batch] = bc
            _short(bc, assay, (*where, "n_runs"), to)
            continue
        estimates, excluded = _estimates(result, run_batches, br, scale)
        combined = None
        failure = ""
        if estimates:
            try:
                combined = combine_estimates(
                    [e for _, e in estimates], method=method, independent=independent
                )
            except ValueError as exc:  # limits that do not enclose an estimate
                failure = f"the runs cannot be combined: {exc}"
        else:
            failure = "no valid run: " + "; ".join(e.text for e in excluded)
        if combined is None:
            to.warn(
                "DOS-A011",
                f"no result for batch '{br.batch}' in assay '{assay.id}': {failure}",
                (*where, "runs"),
                "repeat the invalid runs, or enter the batch result with its limits",
            )
            result.batches[br.batch] = _judged(
                br.batch,
                br.unit,
                role,
                criterion,
                (None, None, None),
                (),
                "not computed",
                failure,
                excluded=tuple(excluded),
                runs_declared=required,
            )
            continue
        used = tuple(run_id for run_id, _ in estimates)
        bc = _judged(
            br.batch,
            br.unit,
            role,
            criterion,
            (combined.value, combined.lower, combined.upper),
            used,
            combined.method,
            excluded=tuple(excluded),
            runs_declared=required,
            runs_counted=len(used),
            combination=combined.result,
        )
        result.batches[br.batch] = bc
        if excluded:
            to.warn(
                "DOS-A012",
                f"batch '{br.batch}' in assay '{assay.id}' is reported from "
                f"{', '.join(used)} only: " + "; ".join(e.text for e in excluded),
                (*where, "runs"),
                "repeat the invalid runs, or remove them from the batch result",
            )
        _short(bc, assay, (*where, "runs"), to)
        computed.provenance.append(
            Provenance(
                what=f"{assay.id}: reportable potency of batch {br.batch}",
                value=(
                    f"{combined.value:.4g} {br.unit} ({combined.lower:.4g} to {combined.upper:.4g})"
                ),
                inputs=tuple(f"run {r}" for r in used),
                method=combined.method + f"; relative potency × {scale_text}",
            )
        )
    if "release" in assay.roles:
        _missing(loaded, assay, result, required, to)


def _missing(
    loaded: LoadedProject,
    assay: PotencyAssay,
    result: AssayComputed,
    required: int | None,
    to: _Reporter,
) -> None:
    """A batch dosed in animals or patients without any result of this release assay."""
    for batch in loaded.project.quality.batches:
        if batch.id in result.batches or not DOSED_USES & set(batch.uses):
            continue
        role, criterion = criterion_for_batch(assay, list(batch.uses))
        result.batches[batch.id] = _judged(
            batch.id,
            assay.readout_unit,
            role,
            criterion,
            (None, None, None),
            (),
            "not reported",
            "no result in the project file",
            missing=True,
            runs_declared=required,
        )
        used = " and ".join(u for u in batch.uses if u in DOSED_USES)
        to.warn(
            "DOS-A013",
            f"batch '{batch.id}' ({used}) has no result of release assay '{assay.id}'",
            ("batch_results",),
            "add the batch's result (a value, or the runs to compute it from)",
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
