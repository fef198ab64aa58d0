"""IMPD quality draft on potency: S.3.1, S.4.1–S.4.5 (P.5.x), S.5 (P.6) with CTD numbering.

Numbers come from the computed view (relative potencies, limits, verdicts); wording
follows the stage (assays are *qualified* for exploratory trials and *validated* for
confirmatory ones). For cell products the active substance and the finished product
are presented together under the P headings, the S numbers shown alongside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.analysis.verdicts import Verdict
from dossier.drafts.blocks import (
    Block,
    Bullets,
    Cell,
    CrossRef,
    Figure,
    Missing,
    Para,
    Section,
    Table,
)
from dossier.drafts.fmt import date, given, number, or_missing, quantity, range_text
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import BatchComputed, CharacteristicResult, ComputedProject
    from dossier.model.potency import PotencyAssay
    from dossier.model.project import Project
    from dossier.model.quality import Batch

__all__ = [
    "batches_unit",
    "justification_unit",
    "procedures_unit",
    "reference_standards_unit",
    "specification_unit",
    "structure_unit",
    "validation_unit",
]

STATUS_WORDS = {
    "in_development": "in development",
    "qualified": "qualified",
    "validated": "validated",
    "compendial_verified": "compendial, verified for the product",
}
MODEL_WORDS = {
    "parallel_line": "parallel-line model (Ph. Eur. 5.3, section 3.2)",
    "slope_ratio": "slope-ratio model (Ph. Eur. 5.3, section 3.3)",
    "four_parameter_logistic": "four-parameter logistic model (Ph. Eur. 5.3, section 3.4)",
    "five_parameter_logistic": "five-parameter logistic model (justified alternative to Ph. Eur. 5.3)",
    "absolute": "absolute readout against controls (no standard curve)",
}


VERDICT_WORDS = {Verdict.MET: "yes", Verdict.NOT_MET: "no", Verdict.NOT_ASSESSED: "not assessed"}
"""How the tables print a verdict decided by the analysis."""


def _criteria_text(characteristic: CharacteristicResult) -> str:
    return " ; ".join(c.criterion for c in characteristic.criteria) or "—"


def _met(characteristic: CharacteristicResult) -> str:
    """The verdict of a characteristic; "—" when no criterion applies to it."""
    return VERDICT_WORDS[characteristic.verdict] if characteristic.criteria else "—"


def _criterion_text(assay: PotencyAssay, role: str) -> str | Missing:
    crit = next((c for c in assay.acceptance_criteria if c.role == role), None)
    if crit is None:
        return Missing(
            f"quality.potency.assays[{assay.id}].acceptance_criteria", f"{role} criterion"
        )
    if crit.report_only:
        return "Report result" + (" (provisional)" if crit.provisional else "")
    text = range_text(crit.lower, crit.upper, crit.unit)
    return text + (" (provisional)" if crit.provisional else "")


def _strategy(project: Project) -> list[Block]:
    potency = project.quality.potency
    moa = project.product.mechanism_of_action
    blocks: list[Block] = [
        Para.of("Mechanism of action. ", moa.statement),
    ]
    if potency is None:
        blocks.append(Para.of(Missing("quality.potency", "potency strategy and assays")))
        return blocks
    blocks.append(
        Para.of(
            "Potency strategy. ",
            potency.strategy.rationale,
            " The assays and the steps of the mechanism of action they read out are shown in ",
            CrossRef("tab-coverage"),
            ".",
        )
    )
    assays = potency.assays
    rows = []
    not_covered = {nc.moa_step: nc.reason for nc in potency.strategy.not_covered}
    for step in moa.steps:
        row: list[Cell] = [step.name]
        for assay in assays:
            row.append("✓" if step.id in assay.moa_steps else "")
        covered = any(step.id in a.moa_steps for a in assays)
        row.append(
            "covered"
            if covered
            else (
                not_covered.get(step.id)
                or Missing(
                    "quality.potency.strategy.not_covered",
                    f"reason why '{step.name}' is not covered",
                )
            )
        )
        rows.append(row)
    blocks.append(
        Table(
            "tab-coverage",
            "Mechanism-of-action steps covered by the potency assays",
            ["MoA step", *[a.id for a in assays], "Coverage"],
            rows,
        )
    )
    blocks.append(
        Table(
            "tab-assays",
            "Potency assays",
            [
                "Assay",
                "MoA step(s)",
                "Readout and unit",
                "Reference",
                "Role",
                "Release criterion",
                "Status",
            ],
            [
                [
                    f"{a.name} ({a.id})",
                    ", ".join(s.name for s in moa.steps if s.id in a.moa_steps),
                    f"{a.measurand} [{a.readout_unit}]",
                    a.reference_standard.id
                    if a.reference_standard
                    else "none (absolute readout)"
                    if a.statistical_model == "absolute"
                    else Missing(
                        f"quality.potency.assays[{a.id}].reference_standard", "reference standard"
                    ),
                    ", ".join(a.roles),
                    _criterion_text(a, "release") if "release" in a.roles else "not a release test",
                    STATUS_WORDS[a.lifecycle_status],
                ]
                for a in assays
            ],
        )
    )
    if potency.strategy.evolution_plan:
        blocks.append(Para.of("Evolution of the potency strategy towards the confirmatory stage:"))
        blocks.append(
            Bullets(
                [
                    Para.of(
                        f"{e.action}"
                        + (f" ({e.assay})" if e.assay else "")
                        + f"; by the {e.target_stage.replace('_', ' ')} stage"
                        + (f", {e.timing[0].lower()}{e.timing[1:]}" if e.timing else "")
                        + "."
                    )
                    for e in potency.strategy.evolution_plan
                ]
            )
        )
    else:
        blocks.append(
            Para.of(
                Missing(
                    "quality.potency.strategy.evolution_plan",
                    "plan for the potency strategy before confirmatory trials",
                )
            )
        )
    return blocks


def _dose_response_figures(assay: PotencyAssay, computed: ComputedProject) -> list[Block]:
    """One figure per analysed run: the responses and the fitted model."""
    from dossier.figures.draw import dose_response_figure

    comp = computed.assays.get(assay.id)
    if comp is None:
        return []
    out: list[Block] = []
    for run_id in (r.id for r in assay.runs):
        run = comp.runs.get(run_id)
        if run is None:
            continue
        png = dose_response_figure(run.data, run.analysis, "dose (as in the run data)")
        out.append(
            Figure(
                f"fig-dr-{assay.id}-{run_id}",
                f"Dose-response data and fitted {run.analysis.model} model, run {run_id} of {assay.id} ({run.text})",
                png,
            )
        )
    return out


def _procedures(project: Project, computed: ComputedProject) -> list[Section]:
    potency = project.quality.potency
    if potency is None:
        return []
    out = []
    for i, a in enumerate(potency.assays):
        path = f"quality.potency.assays[{i}]"
        blocks: list[Block] = [
            Para.of("Principle. ", a.principle),
            Para.of(
                "Measurand: ",
                f"{a.measurand} [{a.readout_unit}]. ",
                "Reportable value: ",
                a.reportable_value,
            ),
            Para.of("Statistical analysis: ", MODEL_WORDS[a.statistical_model], "."),
        ]
        if a.reference_standard is not None:
            rs = a.reference_standard
            assigned = (
                quantity(rs.assigned_potency.value, rs.assigned_potency.unit)
                if rs.assigned_potency
                else "not assigned"
            )
            blocks.append(
                Para.of(
                    "Reference standard: ",
                    f"{rs.id}, {rs.type.replace('_', ' ')}; assigned potency {assigned}.",
                )
            )
        elif a.statistical_model != "absolute":
            blocks.append(
                Para.of(
                    "Reference standard: ",
                    Missing(f"{path}.reference_standard", "reference standard"),
                )
            )
        if a.validity_criteria:
            blocks.append(
                Table(
                    f"tab-validity-{a.id}",
                    f"Validity criteria of {a.name}",
                    ["Criterion", "Method", "Limit"],
                    [
                        [
                            c.criterion.replace("_", " "),
                            c.method,
                            f"p {'<' if c.criterion == 'regression' else '≥'} {c.alpha:g}"
                            if c.method == "significance"
                            else range_text(c.lower, c.upper, ""),
                        ]
                        for c in a.validity_criteria
                    ],
                )
            )
        elif a.statistical_model != "absolute":
            blocks.append(Para.of(Missing(f"{path}.validity_criteria", "validity criteria")))
        rows: list[list[Cell]] = [[c.name, c.type, c.acceptance] for c in a.controls]
        rows += [[s.parameter, "system suitability", s.limits] for s in a.system_suitability]
        if rows:
            blocks.append(
                Table(
                    f"tab-controls-{a.id}",
                    f"Controls and system suitability of {a.name}",
                    ["Control or parameter", "Type", "Acceptance"],
                    rows,
                )
            )
        blocks.extend(_dose_response_figures(a, computed))
        out.append(Section(a.name, f"sec-proc-{a.id}", blocks))
    return out


def _validation(project: Project, computed: ComputedProject) -> list[Block]:
    potency = project.quality.potency
    blocks: list[Block] = []
    exploratory = project.stage != "confirmatory"
    blocks.append(
        Para.of(
            "For this exploratory trial, analytical procedures are qualified: their suitability for the intended use was shown with pre-set provisional criteria. Safety tests are validated or compendial and verified for the product."
            if exploratory
            else "For this confirmatory trial, analytical procedures are validated according to ICH Q2(R2)."
        )
    )
    if potency is not None:
        rows: list[list[Cell]] = []
        for a in potency.assays:
            comp = computed.assays.get(a.id)
            validation = comp.validation if comp is not None else None
            characteristics = validation.characteristics if validation is not None else ()
            for ch in characteristics:
                rows.append([a.name, ch.characteristic, ch.text, _criteria_text(ch), _met(ch)])
            coverage = validation.range if validation is not None else None
            if coverage is not None:
                met = VERDICT_WORDS[coverage.verdict]
                rows.append([a.name, "range", coverage.text, coverage.criterion, met])
            if not characteristics and coverage is None:
                rows.append(
                    [
                        a.name,
                        STATUS_WORDS[a.lifecycle_status],
                        f"see {a.validation_report}"
                        if a.validation_report
                        else Missing(
                            f"quality.potency.assays[{a.id}].validation_data",
                            "qualification data or report",
                        ),
                        "—",
                        "—",
                    ]
                )
        blocks.append(
            Table(
                "tab-potency-validation",
                "Qualification of the potency assays: results computed from the raw data",
                ["Assay", "Characteristic", "Result", "Criterion", "Met"],
                rows,
            )
        )
    methods = project.quality.analytical_methods
    if methods:
        blocks.append(
            Table(
                "tab-methods",
                "Other analytical procedures and their status",
                ["Method", "Attribute", "Reference", "Status", "Specification"],
                [
                    [
                        m.name,
                        m.attribute,
                        m.compendial_reference or "in-house",
                        STATUS_WORDS[m.lifecycle_status],
                        m.specification or "—",
                    ]
                    for m in methods
                ],
            )
        )
    return blocks


def _batch_row(
    assay: PotencyAssay,
    batch_id: str,
    batch: Batch | None,
    bc: BatchComputed | None,
    release_only: bool,
) -> list[Cell]:
    """One row of an assay's batch table: the result and the verdict of the analysis."""
    uses = ", ".join(batch.uses) if batch else "—"
    if bc is None or bc.value is None:
        value = Missing(
            f"quality.potency.assays[{assay.id}].batch_results", f"result of batch {batch_id}"
        )
        return [batch_id, uses, value, "—", "—", "not computed"]
    # entered values are shown as written; computed ones with 4 significant figures
    shown = f"{given(bc.value)} {bc.unit}" if bc.entered else quantity(bc.value, bc.unit, 4)
    limits = (
        f"{number(bc.ci_lower, 4)}–{number(bc.ci_upper, 4)}"
        if bc.ci_lower is not None and bc.ci_upper is not None
        else "—"
    )
    verdict = "not judged" if bc.verdict is Verdict.NOT_ASSESSED else VERDICT_WORDS[bc.verdict]
    if not release_only:
        verdict += f" ({bc.criterion_role} criterion)"
    source = "computed from " + ", ".join(bc.runs) if bc.runs else "entered"
    return [batch_id, uses, shown, limits, verdict, source]


def _batches(project: Project, computed: ComputedProject) -> list[Block]:
    potency = project.quality.potency
    batches = {b.id: b for b in project.quality.batches}
    blocks: list[Block] = [
        Table(
            "tab-batches",
            "Batches and their use",
            ["Batch", "Use", "Process", "Manufactured", "Site"],
            [
                [
                    b.id,
                    ", ".join(b.uses),
                    b.process_version,
                    date(b.manufacture_date),
                    b.site or "—",
                ]
                for b in project.quality.batches
            ],
        )
    ]
    if potency is None:
        return blocks
    for a in potency.assays:
        comp = computed.assays.get(a.id)
        judged = [comp.batches.get(br.batch) if comp else None for br in a.batch_results]
        # a batch made only for stability, characterisation or comparability is judged
        # against that role's criterion when the assay declares one
        release_only = all(bc is None or bc.criterion_role == "release" for bc in judged)
        rows = [
            _batch_row(a, br.batch, batches.get(br.batch), bc, release_only)
            for br, bc in zip(a.batch_results, judged, strict=True)
        ]
        if rows:
            met = "Meets release criterion" if release_only else "Meets criterion for its use"
            blocks.append(
                Table(
                    f"tab-batch-{a.id}",
                    f"Batch results: {a.name} (95 % confidence limits)",
                    ["Batch", "Use", "Result", "95 % limits", met, "Source"],
                    rows,
                )
            )
        numeric = [
            b for b in (comp.batches.values() if comp is not None else []) if b.value is not None
        ]
        if len(numeric) >= 2:
            from dossier.figures.draw import batch_figure

            release = next((c for c in a.acceptance_criteria if c.role == "release"), None)
            blocks.append(
                Figure(
                    f"fig-batch-{a.id}",
                    f"Batch results of {a.name} with 95 % limits where computed; dashed lines: release limits",
                    batch_figure(numeric, release, a.readout_unit),
                )
            )
    tox = [b.id for b in project.quality.batches if "toxicology" in b.uses]
    clinical = [b.id for b in project.quality.batches if "clinical" in b.uses]
    blocks.append(
        Para.of(
            "Link between non-clinical and clinical material: toxicology batch(es) ",
            ", ".join(tox) or Missing("quality.batches", "a batch used for toxicology"),
            " and clinical batch(es) ",
            ", ".join(clinical) or "none manufactured yet",
            " were made with process version(s) ",
            ", ".join(
                sorted(
                    {b.process_version for b in project.quality.batches if b.id in tox + clinical}
                )
            )
            or "—",
            ".",
        )
    )
    return blocks


def _justification(project: Project) -> list[Block]:
    potency = project.quality.potency
    if potency is None:
        return []
    rows = []
    for a in potency.assays:
        for c in a.acceptance_criteria:
            rows.append(
                [
                    a.name,
                    c.role,
                    "report result" if c.report_only else range_text(c.lower, c.upper, c.unit),
                    "yes" if c.provisional else "no",
                    c.basis,
                ]
            )
    return [
        Table(
            "tab-justification",
            "Acceptance criteria and their justification",
            ["Assay", "Role", "Criterion", "Provisional", "Basis"],
            rows,
        )
    ]


def _reference_standards(project: Project) -> list[Block]:
    potency = project.quality.potency
    rows = []
    if potency is not None:
        for a in potency.assays:
            rs = a.reference_standard
            if rs is None:
                continue
            rows.append(
                [
                    rs.id,
                    rs.type.replace("_", " "),
                    rs.lot or "—",
                    quantity(rs.assigned_potency.value, rs.assigned_potency.unit)
                    if rs.assigned_potency
                    else "—",
                    or_missing(
                        rs.qualification,
                        f"quality.potency.assays[{a.id}].reference_standard.qualification",
                        "qualification",
                    ),
                    or_missing(
                        rs.storage,
                        f"quality.potency.assays[{a.id}].reference_standard.storage",
                        "storage",
                    ),
                ]
            )
    if not rows:
        return [
            Para.of(
                "No reference standard is used: all potency assays report absolute readouts against controls."
            )
        ]
    return [
        Table(
            "tab-refstd",
            "Potency reference standards",
            ["Id", "Type", "Lot", "Assigned potency", "Qualification", "Storage"],
            rows,
        )
    ]


def _ctx(ctx: UnitContext) -> tuple[Project, ComputedProject]:
    assert ctx.computed is not None, "potency sections need the computed results"
    return ctx.project, ctx.computed


@section_unit("potency.structure")
def structure_unit(ctx: UnitContext) -> Content:
    """S.3.1: potency and biological activity, the potency strategy."""
    return Content(_strategy(ctx.project))


@section_unit("potency.specification")
def specification_unit(ctx: UnitContext) -> Content:
    """S.4.1 / P.5.1: the potency rows of the specification."""
    assays = ctx.project.quality.potency.assays if ctx.project.quality.potency else []
    return Content(
        [
            Table(
                "tab-spec",
                "Potency tests in the specification",
                ["Test", "Method", "Release criterion", "Stability criterion"],
                [
                    [
                        a.name,
                        a.sop_ref or a.id,
                        _criterion_text(a, "release") if "release" in a.roles else "—",
                        _criterion_text(a, "stability") if "stability" in a.roles else "—",
                    ]
                    for a in assays
                ],
            )
        ]
    )


@section_unit("potency.procedures")
def procedures_unit(ctx: UnitContext) -> Content:
    """S.4.2 / P.5.2: a summary of each potency assay's procedure."""
    project, computed = _ctx(ctx)
    # the table of the other procedures is in the validation section, when there are any
    where = (
        CrossRef("tab-methods")
        if project.quality.analytical_methods
        else Missing(
            "quality.analytical_methods", "analytical procedures for safety, identity and purity"
        )
    )
    intro = "The potency assays are summarised below; analytical procedures for safety, identity and purity are in "
    return Content([Para.of(intro, where, ".")], _procedures(project, computed))


@section_unit("potency.validation")
def validation_unit(ctx: UnitContext) -> Content:
    """S.4.3 / P.5.3: qualification or validation results computed from the raw data."""
    return Content(_validation(*_ctx(ctx)))


@section_unit("potency.batches")
def batches_unit(ctx: UnitContext) -> Content:
    """S.4.4 / P.5.4: batch analyses with confidence limits and batch use."""
    return Content(_batches(*_ctx(ctx)))


@section_unit("potency.justification")
def justification_unit(ctx: UnitContext) -> Content:
    """S.4.5 / P.5.6: justification of the potency acceptance criteria."""
    return Content(_justification(ctx.project))


@section_unit("potency.reference-standards")
def reference_standards_unit(ctx: UnitContext) -> Content:
    """S.5 / P.6: reference standards and materials."""
    return Content(_reference_standards(ctx.project))
