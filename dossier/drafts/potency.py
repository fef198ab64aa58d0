"""IMPD quality draft on potency: S.3.1, S.4.1–S.4.5 (P.5.x), S.5 (P.6) with CTD numbering.

Every sentence that states a status, verdict, count or number is built from the project
and the computed view (relative potencies, limits, verdicts, the combination of runs):
the status of the procedures is counted from their declared lifecycle status, and what
the stage asks for is stated as the expectation of the guidance, never as a claim about
the procedures. Free text of the project is reproduced as the sponsor wrote it. Where
the data cannot support a sentence, a highlighted placeholder names the YAML path that
would. For cell products the active substance and the finished product are presented
together under the P headings, the S numbers shown alongside.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dossier.analysis.verdicts import Verdict
from dossier.drafts.blocks import (
    Block,
    Bullets,
    Cell,
    CrossRef,
    Figure,
    Inline,
    Missing,
    Para,
    Section,
    Table,
)
from dossier.drafts.fmt import (
    count_word,
    date,
    given,
    join_items,
    join_words,
    number,
    or_missing,
    plural,
    quantity,
    range_text,
)
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import BatchComputed, CharacteristicResult, ComputedProject
    from dossier.model.potency import (
        PotencyAssay,
        ReferenceStandard,
        ReportableValue,
        ValidityCriterion,
    )
    from dossier.model.project import Project
    from dossier.model.quality import AnalyticalMethod, Batch, CellFractionLimit, LifecycleStatus

__all__ = [
    "batches_unit",
    "criterion_text",
    "justification_unit",
    "limit_text",
    "method_criterion",
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
"""How the tables print a declared lifecycle status."""


def _status(status: str, stability_indicating: bool | None) -> str:
    """The lifecycle status, with the stability-indicating marking when it is declared."""
    if stability_indicating is None:
        return STATUS_WORDS[status]
    marking = "stability-indicating" if stability_indicating else "not stability-indicating"
    return f"{STATUS_WORDS[status]}; {marking}"


STATUS_PHRASES = {
    "validated": "validated",
    "compendial_verified": "compendial and verified for the product",
    "qualified": "qualified",
    "in_development": "in development",
}
"""The same in a sentence, in the order the sentence names them."""
STATUS_NOUNS = {
    "in_development": "development",
    "qualified": "qualification",
    "validated": "validation",
    "compendial_verified": "verification",
}
STAGE_EXPECTATIONS = {
    "exploratory": (
        "For an exploratory trial, EU practice under the guideline on investigational ATMPs "
        "(EMA/CAT/22473/2025) expects analytical procedures to be qualified (shown suitable "
        "for their intended use with pre-set criteria), and safety tests to be validated, or "
        "compendial and verified for the product."
    ),
    "confirmatory": (
        "For a confirmatory trial, EU practice under the guideline on investigational ATMPs "
        "(EMA/CAT/22473/2025) expects analytical procedures to be validated according to "
        "ICH Q2(R2)."
    ),
}
"""What the stage asks for, attributed to the guidance (never a claim about the project)."""
MODEL_NAMES = {
    "parallel_line": ("parallel-line model", "Ph. Eur. 5.3, section 3.2"),
    "slope_ratio": ("slope-ratio model", "Ph. Eur. 5.3, section 3.3"),
    "four_parameter_logistic": ("four-parameter logistic model", "Ph. Eur. 5.3, section 3.4"),
    "five_parameter_logistic": (
        "five-parameter logistic model",
        "justified alternative to Ph. Eur. 5.3",
    ),
    "absolute": ("absolute readout against controls", "no standard curve"),
}
"""Each statistical model's name in a sentence, and its source or note in brackets."""


VERDICT_WORDS = {Verdict.MET: "yes", Verdict.NOT_MET: "no", Verdict.NOT_ASSESSED: "not assessed"}
"""How the tables print a verdict decided by the analysis."""


def _criteria_text(characteristic: CharacteristicResult) -> str:
    return " ; ".join(c.criterion for c in characteristic.criteria) or "—"


def _met(characteristic: CharacteristicResult) -> str:
    """The verdict of a characteristic; "—" when no criterion applies to it."""
    return VERDICT_WORDS[characteristic.verdict] if characteristic.criteria else "—"


def limit_text(limit: CellFractionLimit) -> str:
    """A numeric release limit as the specification prints it: '≤ 0.01 % of cells'."""
    tail = "% of cells" if limit.unit == "percent" else "cells per million cells"
    return f"≤ {given(limit.maximum)} {tail}"


def method_criterion(method: AnalyticalMethod) -> str | None:
    """The acceptance criterion of an analytical method as written, with its numeric
    release limit when it has one; None when it has neither."""
    parts = [method.specification] if method.specification else []
    if method.release_limit is not None:
        parts.append(f"numeric limit {limit_text(method.release_limit)}")
    return "; ".join(parts) or None


def criterion_text(assay: PotencyAssay, role: str) -> str | Missing:
    """The acceptance criterion of an assay in a role, as the specification prints it."""
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
                    criterion_text(a, "release") if "release" in a.roles else "not a release test",
                    _status(a.lifecycle_status, a.stability_indicating),
                ]
                for a in assays
            ],
        )
    )
    if potency.strategy.evolution_plan:
        blocks.append(Para.of("Planned evolution of the potency strategy:"))
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
    links = potency.strategy.assurance_links
    if links:
        names = {a.id: a.name for a in assays}
        blocks.append(
            Table(
                "tab-assurance",
                "Potency assurance: potency-related attributes and the controls that assure them",
                [
                    "Attribute",
                    "Process controls",
                    "Material controls",
                    "In-process tests",
                    "Release assays",
                ],
                [
                    [
                        link.cqa,
                        "; ".join(link.process_controls) or "—",
                        "; ".join(link.material_controls) or "—",
                        "; ".join(link.in_process_tests) or "—",
                        "; ".join(names.get(r, r) for r in link.release_assays) or "—",
                    ]
                    for link in links
                ],
            )
        )
    strategy = potency.strategy
    if strategy.out_of_specification:
        blocks.append(Para.of("Out-of-specification potency. ", strategy.out_of_specification))
    if strategy.retained_samples:
        blocks.append(
            Para.of("Samples retained for later potency testing. ", strategy.retained_samples)
        )
    return blocks


_ORIGIN_WORDS = {
    "clinical_process": "made by the clinical manufacturing process",
    "earlier_process": "made by an earlier process version",
    "research_process": "made by a research process",
    "external": "an external standard",
}


def _standard_details(rs: ReferenceStandard) -> list[str]:
    """The origin, representativeness, stability and replacement of a reference standard
    as the project states them, each as a sentence (none when not stated)."""
    out = [f" Origin: {_ORIGIN_WORDS[rs.origin]}." if rs.origin else ""]
    for label, text in (
        ("Representativeness", rs.representativeness),
        ("Stability", rs.stability),
        ("Replacement", rs.replacement),
    ):
        out.append(f" {label}: {text}" if text else "")
    return [part for part in out if part]


def _model_text(model: str) -> str:
    """ "four-parameter logistic model (Ph. Eur. 5.3, section 3.4)"."""
    name, source = MODEL_NAMES[model]
    return f"{name} ({source})"


def _axis_label(unit: str | None, quantity: str) -> str:
    """An axis label from the unit the assay declares, or one that says none is declared
    (a rule asks for it), never a unit guessed."""
    return unit if unit else f"{quantity} (unit not declared)"


def _validity_limit(criterion: ValidityCriterion) -> str:
    """The limit of a validity criterion as entered: the significance level of a test,
    the margins or limits of an equivalence or limit criterion, and any further value."""
    margins = (
        range_text(criterion.lower, criterion.upper, "")
        if criterion.lower is not None or criterion.upper is not None
        else ""
    )
    if criterion.method == "significance":
        op = "<" if criterion.criterion == "regression" else "≥"
        text = f"p {op} {criterion.alpha:g}"
        return text + (f"; limits {margins}" if margins else "")
    if "alpha" in criterion.model_fields_set:
        return f"{margins} (α = {criterion.alpha:g})"
    return margins


def _outlier_sentence(assay: PotencyAssay) -> str:
    """How the runs' replicate responses are screened for outliers, and whether the
    project's declared rule removes them (the screen itself runs on every run)."""
    screen = (
        "Replicate responses are screened for outliers on every run by externally "
        "studentized residuals of the replicate-group model against a two-sided Bonferroni "
        "limit"
    )
    rule = assay.outliers
    if rule is None:
        from dossier.analysis.outliers import DEFAULT_ALPHA

        return (
            f"{screen} at α = {DEFAULT_ALPHA:g}; outliers are reported, none is removed (no rule "
            "is declared)."
        )
    most = f"at most {rule.max_removed} per run"
    return (
        f"{screen} at α = {rule.alpha:g}; by the declared rule, outliers are removed, {most} "
        "(a run with more is invalid), and a response of a pair of replicates never is."
    )


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
        png = dose_response_figure(
            run.data,
            run.analysis,
            _axis_label(assay.dose_unit, "dose"),
            _axis_label(assay.response_unit, "response"),
        )
        model = MODEL_NAMES[assay.statistical_model][0]
        out.append(
            Figure(
                f"fig-dr-{assay.id}-{run_id}",
                f"Dose-response data and fitted {model}, run {run_id} of the "
                f"{assay.name} assay ({run.text})",
                png,
            )
        )
    return out


def _run_verdicts(assay: PotencyAssay, computed: ComputedProject) -> list[Block]:
    """Each analysed run's verdict, criterion by criterion, as the analysis decided it."""
    comp = computed.assays.get(assay.id)
    if comp is None or not any(comp.runs.values()):
        return []
    rows: list[list[Cell]] = []
    for run_id in (r.id for r in assay.runs):
        run = comp.runs.get(run_id)
        if run is None:
            why = comp.not_analysed.get(run_id)
            rows.append([run_id, "—", "—", "—", "not analysed" + (f": {why}" if why else "")])
            continue
        for check in run.checks:
            described = check.kind == "described"
            limit = "in words only" if described else check.limit
            value = "—" if described else check.value_text
            rows.append([run_id, check.name, value, limit, check.verdict_text])
        rows.append([run_id, "the run", "—", "every criterion met", run.text])
    return [
        Table(
            f"tab-runs-{assay.id}",
            f"Validity of the runs of {assay.name}, criterion by criterion",
            ["Run", "Criterion", "Value", "Limit", "Verdict"],
            rows,
            note=(
                "Significance tests give F and p; an equivalence criterion gives the "
                "estimate (test minus or over standard) with its confidence interval, which "
                "must lie within the margins; a criterion that cannot be judged on a run is "
                "not assessed, with the reason."
            ),
        )
    ]


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
            Para.of(
                "Reportable value as applied to the batch results: ",
                reportable_words(a.reportable)
                if a.reportable is not None
                else Missing(
                    f"{path}.reportable", "combination of runs and number of runs required"
                ),
                ".",
            ),
            Para.of("Statistical analysis: ", _model_text(a.statistical_model), "."),
        ]
        if a.category == "surrogate" or a.surrogate_justification:
            blocks.append(
                Para.of(
                    "Justification of the surrogate readout, as stated by the sponsor: ",
                    a.surrogate_justification
                    or Missing(
                        f"{path}.surrogate_justification",
                        "evidence that the surrogate readout reflects biological activity",
                    ),
                )
            )
        if a.clinical_correlation:
            blocks.append(
                Para.of(
                    "Relation to clinical outcome, as planned by the sponsor: ",
                    a.clinical_correlation,
                )
            )
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
                    f"{rs.id}, {rs.type.replace('_', ' ')}; assigned potency {assigned}. ",
                    rs.description,
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
                    ["Criterion", "Method", "Limit", "Description"],
                    [
                        [
                            c.criterion.replace("_", " "),
                            c.method,
                            _validity_limit(c),
                            c.description or "—",
                        ]
                        for c in a.validity_criteria
                    ],
                )
            )
        elif a.statistical_model != "absolute":
            blocks.append(Para.of(Missing(f"{path}.validity_criteria", "validity criteria")))
        if a.runs:
            blocks.append(Para.of(_outlier_sentence(a)))
        rows: list[list[Cell]] = [[c.name, c.type, c.acceptance] for c in a.controls]
        rows += [
            [
                s.parameter,
                "system suitability",
                s.limits
                if s.measure is None
                else f"{s.limits} (computed on every run: {range_text(s.lower, s.upper, '')})",
            ]
            for s in a.system_suitability
        ]
        if rows:
            blocks.append(
                Table(
                    f"tab-controls-{a.id}",
                    f"Controls and system suitability of {a.name}",
                    ["Control or parameter", "Type", "Acceptance"],
                    rows,
                )
            )
        figures = _dose_response_figures(a, computed)
        undeclared = [
            Missing(f"{path}.{field}", what)
            for field, what in (
                ("dose_unit", "quantity and unit of the dose axis"),
                ("response_unit", "quantity and unit of the response axis"),
            )
            if figures and not getattr(a, field)
        ]
        if undeclared:
            parts: list[str | Inline] = ["Axes of the dose-response figures: "]
            for k, missing in enumerate(undeclared):
                parts += [" " if k else "", missing]
            blocks.append(Para.of(*parts))
        blocks.extend(figures)
        blocks.extend(_run_verdicts(a, computed))
        out.append(Section(a.name, f"sec-proc-{a.id}", blocks))
    return out


def status_sentence(
    noun: str, nouns: str, procedures: list[tuple[str, LifecycleStatus]], where: CrossRef | None
) -> list[str | CrossRef]:
    """The declared lifecycle status of procedures in one sentence, counted from the data:
    "Of the five procedures, three are qualified, Sterility is compendial and verified for
    the product and Mycoplasma (NAT) is in development (Table 7)." A status held by one
    procedure names it; procedures in development are always named."""
    n = len(procedures)
    tail: list[str | CrossRef] = [" (", where, ")."] if where is not None else ["."]
    groups = {
        status: [name for name, s in procedures if s == status]
        for status in STATUS_PHRASES
        if any(s == status for _, s in procedures)
    }
    if n == 0:
        return []
    if n == 1:
        ((only, only_status),) = procedures
        return [f"The {noun}, {only}, is {STATUS_PHRASES[only_status]}", *tail]
    if len(groups) == 1:
        (shared,) = groups
        every = f"Both {nouns}" if n == 2 else f"All {count_word(n)} {nouns}"
        return [f"{every} are {STATUS_PHRASES[shared]}", *tail]
    parts = []
    for status, names in groups.items():
        phrase = STATUS_PHRASES[status]
        if len(names) == 1:
            parts.append(f"{names[0]} is {phrase}")
        elif status == "in_development":
            parts.append(f"{count_word(len(names))} are {phrase} ({join_words(names)})")
        else:
            parts.append(f"{count_word(len(names))} are {phrase}")
    return [f"Of the {count_word(n)} {nouns}, {join_words(parts)}", *tail]


def _stage_expectation(project: Project) -> Para:
    key = "confirmatory" if project.stage == "confirmatory" else "exploratory"
    return Para.of(STAGE_EXPECTATIONS[key])


def _validation_caption(assays: list[PotencyAssay], computed: int) -> str:
    """The caption of the potency validation table: the kinds of work the declared
    statuses name, and where the results come from."""
    nouns = [
        STATUS_NOUNS[status]
        for status in STATUS_NOUNS
        if any(a.lifecycle_status == status for a in assays)
    ]
    what = join_words(nouns)
    if computed == len(assays):
        source = "results computed from the raw data"
    elif computed:
        source = "results computed from the raw data where given, else the report cited"
    else:
        source = "the reports cited"
    return f"{what[0].upper()}{what[1:]} of the potency assays: {source}"


def _validation_note(assays: list[PotencyAssay]) -> str | None:
    """Below the potency validation table: the design of each data set and the report."""
    sentences = []
    for a in assays:
        designs = [f"{d.characteristic}: {d.design}" for d in a.validation_data if d.design]
        if not a.validation_data:
            continue  # the report is cited in the row itself
        text = f"{a.name}: " + (join_items(designs) if designs else "designs not described")
        if a.validation_report:
            text += f" (report {a.validation_report})"
        sentences.append(text + ".")
    return " ".join(sentences) or None


def _covered_characteristics(assays: list[PotencyAssay]) -> Para | None:
    """The ICH Q2(R2) characteristics each assay's report covers, as declared
    (qualified_characteristics); None when no assay declares them."""
    parts = [
        f"{a.name} ({a.id}): "
        + join_words([c.replace("_", " ") for c in a.qualified_characteristics])
        for a in assays
        if a.qualified_characteristics
    ]
    if not parts:
        return None
    return Para.of(
        "Characteristics covered by the qualification or validation, as the reports cited "
        "state: " + "; ".join(parts) + "."
    )


def _validation(project: Project, computed: ComputedProject) -> list[Block]:
    potency = project.quality.potency
    blocks: list[Block] = [_stage_expectation(project)]
    if potency is not None:
        rows: list[list[Cell]] = []
        computed_assays = 0
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
            if characteristics or coverage is not None:
                computed_assays += 1
            else:
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
        statuses = [(a.name, a.lifecycle_status) for a in potency.assays]
        blocks.append(
            Para.of(
                *status_sentence(
                    "potency assay", "potency assays", statuses, CrossRef("tab-potency-validation")
                )
            )
        )
        blocks.append(
            Table(
                "tab-potency-validation",
                _validation_caption(potency.assays, computed_assays),
                ["Assay", "Characteristic", "Result", "Criterion", "Met"],
                rows,
                note=_validation_note(potency.assays),
            )
        )
        covered = _covered_characteristics(potency.assays)
        if covered is not None:
            blocks.append(covered)
    methods = project.quality.analytical_methods
    if not methods:
        blocks.append(
            Para.of(
                Missing(
                    "quality.analytical_methods",
                    "analytical procedures for safety, identity and purity, with their status",
                )
            )
        )
        return blocks
    blocks.append(
        Para.of(
            *status_sentence(
                "other analytical procedure",
                "other analytical procedures",
                [(m.name, m.lifecycle_status) for m in methods],
                CrossRef("tab-methods"),
            )
        )
    )
    blocks.append(
        Table(
            "tab-methods",
            "Other analytical procedures and their status",
            ["Method", "Attribute", "Reference", "Status", "Specification"],
            [
                [
                    m.name,
                    m.attribute,
                    m.compendial_reference
                    or (
                        Missing(
                            f"quality.analytical_methods[{i}].compendial_reference",
                            "pharmacopoeial chapter of the compendial method",
                        )
                        if m.lifecycle_status == "compendial_verified"
                        else "in-house"
                    ),
                    _status(m.lifecycle_status, m.stability_indicating),
                    method_criterion(m) or "—",
                ]
                for i, m in enumerate(methods)
            ],
        )
    )
    described = [m for m in methods if m.principle or m.validation_report]
    if described:
        blocks.append(
            Bullets(
                [
                    Para.of(
                        f"{m.name}: ",
                        " ".join(
                            part
                            for part in (
                                m.principle or "",
                                f"Report: {m.validation_report}." if m.validation_report else "",
                            )
                            if part
                        ),
                    )
                    for m in described
                ]
            )
        )
    entries = [(m, e) for m in methods for e in m.validation]
    if entries:
        blocks.append(
            Table(
                "tab-method-validation",
                "Qualification and validation of the other procedures, as summarised by the sponsor",
                ["Method", "Characteristic", "Design", "Result", "Criterion", "Met"],
                [
                    [
                        m.name,
                        e.characteristic.replace("_", " "),
                        e.design,
                        e.result,
                        e.criterion,
                        "yes" if e.met else "no",
                    ]
                    for m, e in entries
                ],
            )
        )
    return blocks


def reportable_words(declared: ReportableValue) -> str:
    """The declared reportable value as the analysis applies it, in words."""
    runs = declared.runs_required
    kind = plural(runs, "independent run" if declared.independent else "run")
    if declared.combination == "single-run":
        return "the result of a single run"
    if declared.combination == "geometric-mean":
        return (
            f"the geometric mean of {count_word(runs)} {kind} "
            "(unweighted combination, Ph. Eur. 5.3, 6.3)"
        )
    return (
        f"the combination of {count_word(runs)} {kind} per Ph. Eur. 5.3 section 6 "
        "(weighted, semi-weighted or unweighted as its conditions decide)"
    )


def _combination_text(bc: BatchComputed) -> str:
    """How the runs of a batch were combined and why, with the conditions not met."""
    combination = bc.combination
    if combination is None or combination.n < 2:
        return ""
    head = f"{bc.batch}, {count_word(combination.n)} runs: "
    if combination.requested == "auto":
        return head + combination.reason + "."
    text = f"{combination.method.value} combination, as the declared reportable value defines it"
    failed = bc.failed_preconditions
    if failed:
        text += "; not met: " + "; ".join(f"{p.name.label} ({p.detail})" for p in failed)
    return head + text + "."


def _batch_row(
    assay: PotencyAssay,
    index: int,
    batch_id: str,
    batch: Batch | None,
    bc: BatchComputed | None,
    release_only: bool,
) -> list[Cell]:
    """One row of an assay's batch table: the result and the verdict of the analysis."""
    uses = ", ".join(batch.uses) if batch else "—"
    path = f"quality.potency.assays[{index}].batch_results"
    if bc is None or bc.missing:
        value = Missing(path, f"result of batch {batch_id}")
        return [batch_id, uses, value, "—", "not judged", "no result in the project file"]
    if bc.value is None:
        return [batch_id, uses, "no valid result", "—", "not judged", bc.note or "not computed"]
    # entered values are shown as written; computed ones with 4 significant figures
    shown = f"{given(bc.value)} {bc.unit}" if bc.entered else quantity(bc.value, bc.unit, 4)
    if bc.short_of_runs:
        shown += f" ({bc.runs_counted} of {bc.runs_declared} runs)"
    # a combined limit that overflows is infinite: no number to show
    limits = (
        f"{number(bc.ci_lower, 4)}–{number(bc.ci_upper, 4)}"
        if bc.ci_lower is not None
        and bc.ci_upper is not None
        and math.isfinite(bc.ci_lower)
        and math.isfinite(bc.ci_upper)
        else "—"
    )
    verdict = "not judged" if bc.verdict is Verdict.NOT_ASSESSED else VERDICT_WORDS[bc.verdict]
    if not release_only:
        verdict += f" ({bc.criterion_role} criterion)"
    if bc.entered:
        counted = bc.runs_counted
        source = "entered" + (f" ({counted} {plural(counted, 'run')})" if counted else "")
    else:
        source = "computed from " + ", ".join(bc.runs)
        if bc.excluded:
            source += "; left out: " + "; ".join(e.text for e in bc.excluded)
    return [batch_id, uses, shown, limits, verdict, source]


def _batch_note(assay: PotencyAssay, results: list[BatchComputed]) -> str | None:
    """Below an assay's batch table: the declared reportable value, how each batch's runs
    were combined and why, and the mark of a result from fewer runs than declared."""
    sentences = []
    from_runs = [bc for bc in results if not bc.entered and bc.combination is not None]
    if assay.reportable is not None:
        sentences.append(f"Reportable value as declared: {reportable_words(assay.reportable)}.")
    elif from_runs:
        sentences.append(
            "No reportable value is declared: the runs of a batch are combined per "
            "Ph. Eur. 5.3 section 6, the method chosen from its conditions."
        )
    sentences += [text for bc in from_runs if (text := _combination_text(bc))]
    if any(bc.short_of_runs for bc in results):
        sentences.append(
            "A result from fewer runs than the reportable value requires is marked with the "
            "number of runs."
        )
    return " ".join(sentences) or None


def _link_sentence(project: Project) -> Para:
    """Which process versions made the toxicology and the clinical batches."""
    batches = project.quality.batches

    def group(use: str) -> tuple[list[str], set[str]]:
        chosen = [b for b in batches if use in b.uses]
        return [b.id for b in chosen], {b.process_version for b in chosen}

    tox, tox_versions = group("toxicology")
    clinical, clinical_versions = group("clinical")

    def part(use: str, ids: list[str], versions: set[str]) -> str:
        noun = plural(len(ids), f"{use} batch", f"{use} batches")
        made = plural(len(versions), "process version", "process versions")
        return f"{noun} {join_words(ids)} (made with {made} {join_words(sorted(versions))})"

    if not tox:
        return Para.of(
            "Link between non-clinical and clinical material: ",
            Missing("quality.batches", "a batch used for toxicology"),
            ".",
        )
    if not clinical:
        return Para.of(
            "Link between non-clinical and clinical material: ",
            part("toxicology", tox, tox_versions),
            "; no batch in the project file is used for clinical dosing.",
        )
    same = tox_versions == clinical_versions and len(tox_versions) == 1
    relation = "the same process version" if same else "the process versions differ"
    return Para.of(
        "Link between non-clinical and clinical material: ",
        part("toxicology", tox, tox_versions),
        " and ",
        part("clinical", clinical, clinical_versions),
        f": {relation}.",
    )


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
    for index, a in enumerate(potency.assays):
        comp = computed.assays.get(a.id)
        # every batch the analysis kept (given, computed, or missing for a release assay)
        ids = list(comp.batches) if comp is not None else [br.batch for br in a.batch_results]
        judged = [comp.batches.get(b) if comp else None for b in ids]
        # a batch made only for stability, characterisation or comparability is judged
        # against that role's criterion when the assay declares one
        release_only = all(bc is None or bc.criterion_role == "release" for bc in judged)
        rows = [
            _batch_row(a, index, b, batches.get(b), bc, release_only)
            for b, bc in zip(ids, judged, strict=True)
        ]
        if rows:
            met = "Meets release criterion" if release_only else "Meets criterion for its use"
            blocks.append(
                Table(
                    f"tab-batch-{a.id}",
                    f"Batch results: {a.name} (95 % confidence limits)",
                    ["Batch", "Use", "Result", "95 % limits", met, "Source"],
                    rows,
                    note=_batch_note(a, [bc for bc in judged if bc is not None]),
                )
            )
        numeric = [bc for bc in judged if bc is not None and bc.value is not None]
        if len(numeric) >= 2:
            from dossier.figures.draw import batch_figure

            release = next((c for c in a.acceptance_criteria if c.role == "release"), None)
            caption = f"Batch results of {a.name} with their 95 % limits where given"
            if release is not None and not release.report_only:
                caption += "; dashed lines: release limits"
            if len(numeric) < len(rows):
                caption += "; batches without a valid result are not shown"
            blocks.append(
                Figure(
                    f"fig-batch-{a.id}",
                    caption,
                    batch_figure(numeric, release, a.readout_unit),
                )
            )
    blocks.append(_link_sentence(project))
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
    rows: list[list[Cell]] = []
    if potency is not None:
        for i, a in enumerate(potency.assays):
            rs = a.reference_standard
            if rs is None:
                if a.statistical_model != "absolute":  # a relative potency needs its standard
                    path = f"quality.potency.assays[{i}].reference_standard"
                    missing = Missing(path, f"reference standard of {a.name}")
                    rows.append([missing, "—", "—", "—", "—", "—"])
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
        if potency is None:
            return [Para.of(Missing("quality.potency", "potency assays and reference standards"))]
        n = len(potency.assays)
        subject = (
            "the potency assay reports" if n == 1 else f"all {count_word(n)} potency assays report"
        )
        return [
            Para.of(f"No reference standard is used: {subject} absolute readouts against controls.")
        ]
    standards = (
        [a.reference_standard for a in potency.assays if a.reference_standard] if potency else []
    )
    return [
        Table(
            "tab-refstd",
            "Potency reference standards",
            ["Id", "Type", "Lot", "Assigned potency", "Qualification", "Storage"],
            rows,
        ),
        *[
            Para.of(
                f"{rs.id}: ",
                rs.description,
                f" Expiry or re-test date: {date(rs.expiry)}." if rs.expiry else "",
                *_standard_details(rs),
            )
            for rs in standards
        ],
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
                        criterion_text(a, "release") if "release" in a.roles else "—",
                        criterion_text(a, "stability") if "stability" in a.roles else "—",
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
    methods = project.quality.analytical_methods
    intro = "The potency assays are summarised below"
    if methods:
        n = len(methods)
        listed = plural(n, "the other analytical procedure is", "other analytical procedures are")
        count = "" if n == 1 else f"the {count_word(n)} "
        para = Para.of(
            f"{intro}; {count}{listed} listed with their status in ", CrossRef("tab-methods"), "."
        )
    else:
        para = Para.of(
            f"{intro}; ",
            Missing(
                "quality.analytical_methods",
                "analytical procedures for safety, identity and purity",
            ),
            ".",
        )
    return Content([para], _procedures(project, computed))


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
