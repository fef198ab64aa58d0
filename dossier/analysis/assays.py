"""Analysis of the project's potency assays: runs, batch results, acceptance criteria.

For every assay with raw runs, each run is analysed with the assay's statistical model
and validity criteria; a batch result that lists runs is computed from them (one run:
its estimate; several: the Ph. Eur. 5.3 combination). Values are expressed in the
assay's reportable scale: relative potency × the reference standard's assigned potency
(e.g. 100 %). Every computed value gets a provenance record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier.core.diagnostics import Diagnostic, Severity
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.compute.trend import TrendResult
    from dossier.model.potency import AcceptanceCriterion, PotencyAssay
    from dossier.model.project_io import LoadedProject

__all__ = ["AssayComputed", "BatchComputed", "run"]

_MODEL_NAMES = {
    "parallel_line": "parallel-line",
    "slope_ratio": "slope-ratio",
    "four_parameter_logistic": "4pl",
}


@dataclass
class BatchComputed:
    """A batch's reportable potency with its limits, verdict and provenance."""

    batch: str
    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    unit: str
    runs: list[str]
    method: str
    passes: bool | None
    text: str
    entered: bool = False
    criterion_role: str = "release"

    @property
    def out_of_specification(self) -> bool:
        """True when the result fails the criterion that applies to the batch's use."""
        return self.passes is False

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "batch": self.batch,
            "value": self.value,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "unit": self.unit,
            "passes": self.passes,
            "out_of_specification": self.out_of_specification,
            "criterion_role": self.criterion_role,
            "text": self.text,
        }


@dataclass
class AssayComputed:
    """Everything computed for one assay."""

    assay_id: str
    runs: dict[str, PotencyAnalysis | None] = field(default_factory=dict)
    run_data: dict[str, DoseResponseData] = field(default_factory=dict)
    run_batches: dict[str, dict[str, str]] = field(default_factory=dict)
    batches: dict[str, BatchComputed] = field(default_factory=dict)
    reported_runs: list[str] = field(default_factory=list)
    range: dict[str, Any] | None = None
    validation: dict[str, Any] = field(default_factory=dict)
    validation_failures: list[str] = field(default_factory=list)
    trend: TrendResult | None = None
    trend_batches: list[str] = field(default_factory=list)
    trend_unit: str = ""

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules (every run and batch id present)."""
        return {
            "runs": {
                rid: (
                    None
                    if a is None
                    else {"valid": a.valid, "reasons": list(a.reasons) or _prep_reasons(a)}
                )
                for rid, a in self.runs.items()
            },
            "reported_runs": list(self.reported_runs),
            "batches": {b: c.rule_data() for b, c in self.batches.items()},
            "range": self.range,
            "validation_failures": list(self.validation_failures),
            "trend": None
            if self.trend is None
            else {
                "n": self.trend.n,
                "testable": self.trend.testable,
                "flagged": self.trend.flagged,
                "p": self.trend.p,
                "slope_per_day": self.trend.slope_per_day,
                "batches": list(self.trend_batches),
                "text": self.trend.text(self.trend_unit),
            },
        }


def _prep_reasons(analysis: PotencyAnalysis) -> list[str]:
    return [f"{r.preparation}: {reason}" for r in analysis.results for reason in r.reasons]


def _alphas(assay: PotencyAssay) -> dict[str, float]:
    return {
        c.criterion: c.alpha
        for c in assay.validity_criteria
        if c.method == "significance"
        and c.criterion in {"regression", "non_parallelism", "non_linearity", "intersection"}
    }


def _analyse_run(
    loaded: LoadedProject, assay: PotencyAssay, index: int, run_index: int
) -> tuple[DoseResponseData, PotencyAnalysis]:
    """Read one run's data file and analyse it with the assay's model and criteria."""
    from dossier.compute.potency.io import read_dose_response

    run = assay.runs[run_index]
    path = ("quality", "potency", "assays", index, "runs", run_index, "data")
    file = loaded.data_path(run.data, path)
    data = read_dose_response(file, sheet=run.sheet, display=_display(loaded, run.data))
    kind = assay.statistical_model
    alphas = _alphas(assay)
    if kind == "parallel_line":
        from dossier.compute.potency.parallel_line import analyse_parallel_line

        return data, analyse_parallel_line(
            data, run.standard, assumed=run.assumed_potency, transform=run.transform, alphas=alphas
        )
    if kind == "slope_ratio":
        from dossier.compute.potency.slope_ratio import analyse_slope_ratio

        return data, analyse_slope_ratio(
            data, run.standard, assumed=run.assumed_potency, transform=run.transform, alphas=alphas
        )
    from dossier.compute.potency.logistic import analyse_4pl

    # similarity by the declared F-test; the significance level comes from the criteria
    alpha = alphas.get("non_parallelism", 0.05)
    return data, analyse_4pl(
        data, run.standard, assumed=run.assumed_potency, transform=run.transform, alpha=alpha
    )


def _display(loaded: LoadedProject, ref: str) -> str:
    from pathlib import Path

    base = Path(loaded.source.display_path).parent
    return str(base / ref)


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


def _criterion_for_batch(
    assay: PotencyAssay, uses: list[str]
) -> tuple[str, AcceptanceCriterion | None]:
    if uses and not _RELEASE_USES & set(uses):
        for use in uses:
            role = _ROLE_OF_USE.get(use)
            criterion = _criterion_for(assay, role) if role else None
            if role and criterion is not None:
                return role, criterion
    return "release", _criterion_for(assay, "release")


def _trend(loaded: LoadedProject, result: AssayComputed) -> None:
    """Trend of the batch results over the manufacture dates (out-of-trend signal)."""
    from dossier.compute.trend import batch_trend

    made = {b.id: b.manufacture_date for b in loaded.project.quality.batches}
    points = sorted(
        (made[b], b, c.value, c.unit)
        for b, c in result.batches.items()
        if c.value is not None and b in made
    )
    units = {unit for *_, unit in points}
    if len(units) > 1:  # results in different units are not one series
        return
    if points:
        first = points[0][0]
        days = [(d - first).days for d, *_ in points]
        result.trend = batch_trend(days, [v for _, _, v, _ in points])
        result.trend_batches = [b for _, b, _, _ in points]
        result.trend_unit = points[0][3]


def _verdict(
    value: float | None, criterion: AcceptanceCriterion | None, unit: str
) -> tuple[bool | None, str]:
    if value is None or criterion is None or criterion.report_only:
        return None, f"{value:.4g} {unit}" if value is not None else "not computed"
    low_ok = criterion.lower is None or value >= criterion.lower
    high_ok = criterion.upper is None or value <= criterion.upper
    low = "—" if criterion.lower is None else f"{criterion.lower:g}"
    high = "—" if criterion.upper is None else f"{criterion.upper:g}"
    limits = f"{low} to {high} {criterion.unit}"
    return (low_ok and high_ok), f"{value:.4g} {unit} against {limits}"


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Analyse every potency assay's runs and batch results."""
    from dossier.analysis.project import Provenance
    from dossier.analysis.validation import analyse_validation
    from dossier.compute.potency.combine import Estimate, combine_estimates

    potency = loaded.project.quality.potency
    if potency is None:
        return
    for index, assay in enumerate(potency.assays):
        result = AssayComputed(assay.id)
        computed.assays[assay.id] = result
        result.reported_runs = sorted({r for br in assay.batch_results for r in br.runs})
        analyse_validation(loaded, index, assay, result, computed)
        scale = (
            assay.reference_standard.assigned_potency.value
            if assay.reference_standard and assay.reference_standard.assigned_potency
            else 1.0
        )
        for run_index, assay_run in enumerate(assay.runs):
            result.run_batches[assay_run.id] = dict(assay_run.batches)
            if assay.statistical_model not in _MODEL_NAMES:
                result.runs[assay_run.id] = None
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
                data, analysis = _analyse_run(loaded, assay, index, run_index)
                result.run_data[assay_run.id] = data
            except UserError as exc:
                computed.diagnostics.extend(exc.diagnostics)
                result.runs[assay_run.id] = None
                continue
            result.runs[assay_run.id] = analysis
            for prep in analysis.results:
                computed.provenance.append(
                    Provenance(
                        what=(
                            f"{assay.id} run {assay_run.id}: relative potency of {prep.preparation}"
                        ),
                        value=f"{prep.relative_potency:.4g}"
                        if prep.relative_potency is not None
                        else "not estimable",
                        # project-relative: the drafts must not show machine-specific paths
                        inputs=(assay_run.data, f"{analysis.rows_used} responses"),
                        method=analysis.method,
                        rows_used=analysis.rows_used,
                    )
                )
        uses: dict[str, list[str]] = {b.id: list(b.uses) for b in loaded.project.quality.batches}
        for br_index, br in enumerate(assay.batch_results):
            role, criterion = _criterion_for_batch(assay, uses.get(br.batch, []))
            if br.value is not None:
                passes, text = _verdict(br.value, criterion, br.unit)
                result.batches[br.batch] = BatchComputed(
                    br.batch,
                    br.value,
                    br.ci_lower,
                    br.ci_upper,
                    br.unit,
                    [],
                    "entered in the project file",
                    passes,
                    text,
                    entered=True,
                    criterion_role=role,
                )
                continue
            estimates = []
            problems = []
            for run_id in br.runs:
                run_analysis = result.runs.get(run_id)
                if run_analysis is None:
                    problems.append(f"run {run_id} could not be analysed")
                    continue
                prep_name = next(
                    (p for p, b in result.run_batches[run_id].items() if b == br.batch), None
                )
                prep_result = next(
                    (r for r in run_analysis.results if r.preparation == prep_name), None
                )
                if prep_result is None:
                    problems.append(f"run {run_id} has no preparation mapped to batch {br.batch}")
                    continue
                if (
                    not (run_analysis.valid and prep_result.valid)
                    or prep_result.ci_lower is None
                    or prep_result.ci_upper is None
                    or prep_result.potency is None
                ):
                    problems.append(f"run {run_id} is invalid")
                    continue
                # relative potency (limits) on the reportable scale of the assay
                rp_scale = scale / prep_result.assumed_potency
                estimates.append(
                    Estimate(
                        prep_result.potency * rp_scale,
                        prep_result.ci_lower * rp_scale,
                        prep_result.ci_upper * rp_scale,
                        run_analysis.residual_df or 1,
                    )
                )
            if problems or not estimates:
                loc = loaded.locate(
                    ("quality", "potency", "assays", index, "batch_results", br_index, "runs")
                )
                computed.diagnostics.append(
                    Diagnostic(
                        "DOS-A011",
                        Severity.WARNING,
                        f"no result for batch '{br.batch}' in assay '{assay.id}': "
                        + "; ".join(problems or ["no runs"]),
                        loc,
                    )
                )
                result.batches[br.batch] = BatchComputed(
                    br.batch,
                    None,
                    None,
                    None,
                    br.unit,
                    list(br.runs),
                    "not computed",
                    None,
                    "not computed",
                    criterion_role=role,
                )
                continue
            combined = combine_estimates(estimates)
            passes, text = _verdict(combined.value, criterion, br.unit)
            result.batches[br.batch] = BatchComputed(
                br.batch,
                combined.value,
                combined.lower,
                combined.upper,
                br.unit,
                list(br.runs),
                combined.method,
                passes,
                text,
                criterion_role=role,
            )
            computed.provenance.append(
                Provenance(
                    what=f"{assay.id}: reportable potency of batch {br.batch}",
                    value=(
                        f"{combined.value:.4g} {br.unit} "
                        f"({combined.lower:.4g} to {combined.upper:.4g})"
                    ),
                    inputs=tuple(f"run {r}" for r in br.runs),
                    method=combined.method
                    + f"; relative potency × assigned potency of the reference ({scale:g})",
                )
            )
        _trend(loaded, result)
        if result.trend is not None and result.trend.testable:
            computed.provenance.append(
                Provenance(
                    what=f"{assay.id}: trend of the batch results",
                    value=result.trend.text(result.trend_unit),
                    inputs=tuple(f"batch {b}" for b in result.trend_batches),
                    method=result.trend.method,
                )
            )
