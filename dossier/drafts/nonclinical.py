"""IMPD safety and efficacy draft: the non-clinical section with the FIH dose rationale.

Headings follow the IMPD-S&E layout adapted to ATMPs: pharmacology, kinetics
(biodistribution, persistence, shedding), toxicology, integrated assessment (model
relevance, GLP status, risk profile, the MoA → evidence → dose chain, the first-in-human
dose), previous human experience and benefit-risk. Study tables follow CTD 2.6.7 style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.drafts.blocks import (
    Block,
    Cell,
    CrossRef,
    Figure,
    Missing,
    Para,
    Section,
    Table,
)
from dossier.drafts.fmt import given, join_items, number
from dossier.drafts.outline import Content, UnitContext, section_unit
from dossier.model.nonclinical import KINETICS_TYPES, PHARMACOLOGY_TYPES, TOXICOLOGY_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject, SendComputed
    from dossier.compute.biodistribution import BdSummary
    from dossier.model.nonclinical import Study
    from dossier.model.project import Project

__all__ = ["GROUPS", "study_table"]

GROUPS = {
    "pharmacology": ("Pharmacology", PHARMACOLOGY_TYPES),
    "kinetics": ("Kinetics: biodistribution, persistence and shedding", KINETICS_TYPES),
    # a study of type "other" is reported with the toxicology studies
    "toxicology": ("Toxicology", TOXICOLOGY_TYPES | {"other"}),
}
GLP_WORDS = {
    "GLP": "GLP",
    "non_GLP_quality_assured": "non-GLP, quality-assured",
    "exploratory": "exploratory (non-GLP)",
}


def _doses(study: Study) -> str:
    if not study.dose_levels:
        return "not applicable" if study.model_type == "in_vitro" else "—"
    return "; ".join(
        f"{given(d.value)} {d.unit}" + (f" ({d.label})" if d.label else "")
        for d in study.dose_levels
    )


def _size(study: Study) -> str:
    g = study.group_size
    if g is None:
        return "—"
    if g.per_sex:
        return f"{g.per_sex}/sex ({', '.join(g.sexes)})"
    return f"{g.total} per group"


def _levels(study: Study) -> str:
    parts = []
    for name, q in (("NOAEL", study.noael), ("MED", study.med), ("HNSTD", study.hnstd)):
        if q is not None:
            parts.append(f"{name} {given(q.value)} {q.unit}")
    return "; ".join(parts) or "—"


def study_table(key: str, caption: str, studies: list[Study]) -> Table:
    """A CTD 2.6.7-style tabulated summary of studies (six columns fit portrait A4)."""
    rows: list[list[Cell]] = []
    for s in studies:
        design = "; ".join(
            part
            for part in (
                s.route,
                _doses(s),
                str(s.duration) if s.duration else "",
                _size(s) if s.group_size else "",
            )
            if part and part != "—"
        )
        findings: Cell = s.key_findings or (
            Missing(f"nonclinical.studies[{s.id}].key_findings", "key findings")
            if s.status == "completed"
            else s.status
        )
        rows.append(
            [
                f"{s.id}: {s.title}" + (f" ({s.report})" if s.report else ""),
                f"{s.species}" + (f", {s.strain}" if s.strain else ""),
                design or "—",
                GLP_WORDS[s.glp.status],
                findings,
                _levels(s),
            ]
        )
    return Table(
        key,
        caption,
        [
            "Study (report)",
            "Species, strain",
            "Route; doses; duration; group size",
            "GLP",
            "Key findings",
            "NOAEL / MED",
        ],
        rows,
    )


def _biodistribution_blocks(study_id: str, bd: BdSummary) -> list[Block]:
    """Copies per µg genomic DNA by group, tissue and time point; persistence; gonads."""
    rows: list[list[Cell]] = []
    index = {(c.group, c.tissue, c.timepoint): c for c in bd.cells}
    for group, tissue in dict.fromkeys((c.group, c.tissue) for c in bd.cells):
        row: list[Cell] = [group, tissue + (" (gonad)" if tissue in bd.gonads else "")]
        for tp in bd.timepoints:
            c = index.get((group, tissue, tp))
            if c is None:
                row.append("—")
            elif c.mean is None or c.maximum is None:  # both set when any value is quantifiable
                row.append(f"0/{c.n} ≥ LLOQ")
            else:
                row.append(f"{c.n_quantifiable}/{c.n}: {number(c.mean)} (max {number(c.maximum)})")
        rows.append(row)
    from dossier.figures.draw import biodistribution_figure

    figures: list[Block] = [
        Figure(
            f"fig-bd-{study_id}-{i}",
            f"Biodistribution in {study_id}, {group}: mean copies per µg genomic DNA of the quantifiable animals by tissue and time point (hollow: none quantifiable; dashed line: LLOQ)",
            biodistribution_figure(bd, group),
        )
        for i, group in enumerate(dict.fromkeys(c.group for c in bd.cells))
    ]
    persistent = [f"{t}: {last}" for t, last in bd.persistence.items() if last is not None]
    gone = [t for t, last in bd.persistence.items() if last is None]
    return [
        Table(
            f"tab-bd-{study_id}",
            f"Biodistribution in {study_id}: animals with quantifiable copies / animals, mean (maximum) copies per µg genomic DNA of the quantifiable animals",
            ["Group", "Tissue", *bd.timepoints],
            rows,
        ),
        Para.of(
            f"Persistence in {study_id} (last time point with quantifiable copies): ",
            "; ".join(persistent) or "none",
            ". " + (f"Never above the LLOQ: {', '.join(gone)}. " if gone else ""),
            f"Gonads sampled: {', '.join(bd.gonads)}."
            if bd.gonads
            else "The gonads were not sampled.",
        ),
        *figures,
    ]


def _send_blocks(study_id: str, send: SendComputed) -> list[Block]:
    """Body weight and microscopic findings from a study's SEND package."""
    record, summary = send.record, send.summary
    blocks: list[Block] = [
        Para.of(
            f"{study_id}: summaries computed from the SEND package of study {record.study_id} ({record.species}, {record.route}; GLP: {record.glp})."
        )
    ]
    if summary.body_weight:
        blocks.append(
            Table(
                f"tab-bw-{study_id}",
                f"Body weight in {study_id}: first and last (terminal) weight per group and sex",
                ["Group", "Sex", "n", "First", "Last", "Change (SD)"],
                [
                    [
                        r["group"],
                        r["sex"],
                        str(r["n"]),
                        f"{number(r['first_mean'])} {r['unit']}",
                        f"{number(r['last_mean'])} {r['unit']}",
                        f"{r['change_mean']:+.3g}"
                        + (f" ({r['change_sd']:.3g})" if r["change_sd"] is not None else ""),
                    ]
                    for r in summary.body_weight
                ],
            )
        )
    if summary.microscopic:
        blocks.append(
            Table(
                f"tab-mi-{study_id}",
                f"Microscopic findings in {study_id}: animals affected / examined (severity grades)",
                ["Group", "Tissue", "Finding", "Incidence", "Severity"],
                [
                    [
                        r["group"],
                        r["specimen"].lower(),
                        r["finding"],
                        f"{r['affected']}/{r['examined']}",
                        ", ".join(f"{k}: {v}" for k, v in r["severity"].items()) or "—",
                    ]
                    for r in summary.microscopic
                ],
            )
        )
    notable = [r for r in summary.laboratory if r["notable"]]
    blocks.append(
        Para.of(
            f"Laboratory: {len(notable)} group mean(s) changed by at least {summary.threshold_percent:g} % from baseline"
            + (
                ": "
                + "; ".join(
                    f"{r['name']} {r['change_percent']:+.0f} % ({r['group']})" for r in notable[:8]
                )
                + ("; …" if len(notable) > 8 else "")
                if notable
                else ""
            )
            + "."
        )
    )
    return blocks


def _group(project: Project, group: str) -> list[Study]:
    types = GROUPS[group][1]
    studies = project.nonclinical.studies if project.nonclinical else []
    return [
        s
        for s in studies
        if s.study_type in types or (group == "kinetics" and set(s.also_covers) & types)
    ]


def _group_section(project: Project, group: str, computed: ComputedProject) -> Section:
    title, _ = GROUPS[group]
    studies = _group(project, group)
    blocks: list[Block] = []
    if not studies:
        blocks.append(
            Para.of(
                Missing(
                    "nonclinical.studies",
                    f"studies of the {title.lower()} programme, or why none are needed",
                )
            )
        )
    else:
        blocks.append(
            study_table(f"tab-{group}", f"{title}: tabulated summary of studies", studies)
        )
        for s in studies:
            blocks.append(Para.of(f"{s.id} ({s.status}). ", s.objective, " ", s.key_findings or ""))
    if group == "kinetics":
        for study_id, bd in computed.biodistribution.items():
            blocks.extend(_biodistribution_blocks(study_id, bd))
    if group == "toxicology":
        for study_id, send in computed.send.items():
            blocks.extend(_send_blocks(study_id, send))
    return Section(title, f"sec-{group}", blocks)


def _chain(project: Project, computed: ComputedProject) -> list[Block]:
    """The explicit MoA → evidence → dose, route and origin chain (CCMO expects it)."""
    product = project.product
    studies = project.nonclinical.studies if project.nonclinical else []
    rows = []
    for step in product.mechanism_of_action.steps:
        evidence = [s.id for s in studies if step.id in s.moa_steps]
        assays = [
            a.id
            for a in (project.quality.potency.assays if project.quality.potency else [])
            if step.id in a.moa_steps
        ]
        rows.append([step.name, ", ".join(evidence) or "—", ", ".join(assays) or "—"])
    fih = project.fih_dose
    blocks: list[Block] = [
        Para.of("Mechanism-of-action hypothesis. ", product.mechanism_of_action.statement),
        Table(
            "tab-chain",
            "Mechanism of action, non-clinical evidence and potency assays",
            ["MoA step", "Non-clinical evidence", "Potency assays"],
            rows,
        ),
        Para.of(
            "Cell origin and route. ",
            f"The product is {product.cell_origin} "
            if product.cell_origin != "none"
            else "The product contains no cells ",
            f"and is given by the {product.route} route",
            f" ({product.route_detail})" if product.route_detail else "",
            "; the non-clinical studies used the clinical route unless stated in ",
            CrossRef("tab-relevance"),
            ".",
        ),
    ]
    if fih is not None:
        blocks.append(
            Para.of(
                "Dose. ",
                fih.scaling.justification,
                " The derivation is shown in ",
                CrossRef("tab-dose"),
                ".",
            )
        )
    return blocks


def _relevance(project: Project) -> list[Block]:
    studies = project.nonclinical.studies if project.nonclinical else []
    return [
        Table(
            "tab-relevance",
            "Relevance of the models",
            ["Study", "Model", "Relevance", "Clinical route"],
            [
                [
                    s.id,
                    f"{s.species} ({s.model_type.replace('_', ' ')})",
                    s.model_relevance,
                    "yes" if s.clinical_route else "no",
                ]
                for s in studies
            ],
        ),
        Table(
            "tab-glp",
            "GLP status of the studies",
            ["Study", "Pivotal", "GLP status", "Justification (non-GLP pivotal studies)"],
            [
                [
                    s.id,
                    "yes" if s.pivotal else "no",
                    GLP_WORDS[s.glp.status],
                    (
                        s.glp.justification
                        or Missing(
                            f"nonclinical.studies[{s.id}].glp.justification", "GLP justification"
                        )
                    )
                    if s.pivotal and s.glp.status != "GLP"
                    else "—",
                ]
                for s in studies
            ],
        ),
    ]


def _risk(project: Project) -> list[Block]:
    rp = project.risk_profile
    if rp is None:
        return [Para.of(Missing("risk_profile", "risk profile (risks × risk factors)"))]
    risks = [r for r in rp.risks if r.applicable]
    cells = {(c.risk, c.factor): c for c in rp.cells}
    studies = project.nonclinical.studies if project.nonclinical else []
    rows = []
    for factor in rp.factors:
        row: list[Cell] = [f"{factor.name}: {factor.product_value}"]
        for risk in risks:
            cell = cells.get((risk.id, factor.id))
            if cell is None or cell.relevant == "no":
                row.append("—")
                continue
            refs = [e.ref for e in cell.evidence] or [
                s.id for s in studies if risk.id in s.addresses_risks
            ]
            row.append(
                f"{cell.relevant}; uncertainty {cell.residual_uncertainty}"
                + (f"; {', '.join(refs)}" if refs else "")
            )
        rows.append(row)
    conclusions = {c.risk: c.conclusion for c in rp.conclusions}
    blocks: list[Block] = [
        Table(
            "tab-risk",
            "Risk profile: risk factors (rows) against risks (columns)",
            ["Risk factor", *[r.id for r in risks]],
            rows,
            note="; ".join(f"{r.id}: {r.name}" for r in risks),
        ),
    ]
    for risk in risks:
        blocks.append(
            Para.of(
                f"{risk.id} {risk.name}. ",
                conclusions.get(risk.id)
                or Missing("risk_profile.conclusions", f"conclusion for {risk.id}"),
            )
        )
    return blocks


def _dose(project: Project, computed: ComputedProject) -> list[Block]:
    fih = project.fih_dose
    if fih is None:
        return [Para.of(Missing("fih_dose", "first-in-human dose rationale"))]
    rows = []
    result = computed.fih
    for step in result.steps if result is not None else []:
        rows.append(
            [
                step.input_id,
                step.approach.replace("_", " "),
                step.label,
                f"{number(step.value)} {step.unit}" if step.value is not None else "not computed",
                step.formula,
                step.source,
            ]
        )
    blocks: list[Block] = [
        Para.of(
            "Approaches: ",
            ", ".join(a.replace("_", " ") for a in fih.approaches),
            f". Scaling basis: {fih.scaling.basis.replace('_', ' ')}. ",
            fih.scaling.justification,
        ),
    ]
    if result is not None and result.bases:
        blocks.append(Para.of("Basis used for each input: ", result.bases_text, "."))
    blocks += [
        Table(
            "tab-dose",
            "First-in-human dose rationale: inputs, scaling and safety limit",
            ["Input", "Approach", "Step", "Value", "Calculation", "Source"],
            rows,
        ),
        Para.of(
            f"Proposed starting dose: {given(fih.proposed_start_dose.value)} {fih.proposed_start_dose.unit} (safety factor {given(fih.safety_factor.value)}). ",
            fih.start_dose_justification,
        ),
    ]
    if fih.escalation:
        blocks.append(
            Table(
                "tab-escalation",
                "Dose escalation",
                ["Cohort", "Dose", "Patients"],
                [
                    [
                        e.cohort,
                        f"{given(e.dose.value)} {e.dose.unit}",
                        str(e.patients) if e.patients else "—",
                    ]
                    for e in fih.escalation
                ],
            )
        )
    st = fih.staggering
    blocks.append(
        Para.of(
            "Staggering: ",
            (
                f"sentinel dosing; {given(st.interval_days)} days between patients"
                if st.sentinel and st.interval_days is not None
                else "no sentinel dosing"
            )
            if st
            else Missing("fih_dose.staggering", "staggering"),
            f". {st.between_cohorts}" if st and st.between_cohorts else ".",
        )
    )
    if fih.stopping_rules:
        blocks.append(Para.of("Stopping rules: ", join_items(fih.stopping_rules)))
    else:
        blocks.append(
            Para.of("Stopping rules: ", Missing("fih_dose.stopping_rules", "stopping rules"))
        )
    return blocks


def _computed(ctx: UnitContext) -> ComputedProject:
    assert ctx.computed is not None, "non-clinical sections need the computed results"
    return ctx.computed


def _text_or_missing(ctx: UnitContext, name: str, label: str) -> Content:
    """A paragraph of one free-text field of ``nonclinical``, or its placeholder."""
    text = getattr(ctx.project.nonclinical, name, None) if ctx.project.nonclinical else None
    return Content([Para.of(text if text else Missing(f"nonclinical.{name}", label))])


@section_unit("nonclinical.overview")
def overview_unit(ctx: UnitContext) -> Content:
    """Overview of the non-clinical programme."""
    return _text_or_missing(ctx, "overview", "overview of the non-clinical programme")


def _group_unit(group: str) -> None:
    def build(ctx: UnitContext) -> Content:
        section = _group_section(ctx.project, group, _computed(ctx))
        return Content(list(section.blocks), section.children, section.title)

    build.__doc__ = f"The {group} studies: tabulated summaries and their results."
    section_unit(f"nonclinical.{group}")(build)


for _group_name in ("pharmacology", "kinetics", "toxicology"):
    _group_unit(_group_name)


@section_unit("nonclinical.chain")
def chain_unit(ctx: UnitContext) -> Content:
    """Mechanism of action → evidence → dose, route and cell origin."""
    return Content(_chain(ctx.project, _computed(ctx)))


@section_unit("nonclinical.relevance")
def relevance_unit(ctx: UnitContext) -> Content:
    """Relevance of the models and GLP status of the studies."""
    return Content(_relevance(ctx.project))


@section_unit("nonclinical.risk")
def risk_unit(ctx: UnitContext) -> Content:
    """The risk-profile matrix of the risk-based approach."""
    return Content(_risk(ctx.project))


@section_unit("nonclinical.dose")
def dose_unit(ctx: UnitContext) -> Content:
    """The first-in-human dose rationale with the scaling table."""
    return Content(_dose(ctx.project, _computed(ctx)))


@section_unit("nonclinical.human")
def human_unit(ctx: UnitContext) -> Content:
    """Previous human experience."""
    return _text_or_missing(
        ctx, "previous_human_experience", "experience with this or related products in humans"
    )


@section_unit("nonclinical.benefit-risk")
def benefit_risk_unit(ctx: UnitContext) -> Content:
    """The overall benefit-risk assessment."""
    return _text_or_missing(ctx, "benefit_risk", "benefit-risk assessment for the trial")
