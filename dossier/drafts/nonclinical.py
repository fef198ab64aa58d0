"""IMPD safety and efficacy draft: the non-clinical section with the FIH dose rationale.

Headings follow the IMPD safety-and-efficacy layout adapted to ATMPs (the outline
``sections/impd-nonclinical.yaml`` gives the numbers): pharmacology, pharmacokinetics
(biodistribution, persistence, shedding) and toxicology, each with its conventional
sub-headings; the integrated assessment (model relevance, GLP status, risk profile, the
MoA → evidence → dose chain, the first-in-human dose); previous human experience and
benefit-risk. Each sub-heading shows the studies of its type, or the sponsor's statement
that none was conducted and why (``nonclinical.not_conducted``), or a placeholder naming
what the assessor expects. Study tables follow CTD 2.6.7 style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    Text,
)
from dossier.drafts.fmt import date, given, number
from dossier.drafts.outline import Content, UnitContext, section_unit
from dossier.drafts.trial import dose_plan, results_to_date
from dossier.model.nonclinical import (
    KINETICS_TYPES,
    PHARMACOLOGY_TYPES,
    SUBHEADING_STUDY_TYPES,
    TOXICOLOGY_TYPES,
)
from dossier.rules.features import product_features

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject, SendComputed
    from dossier.compute.biodistribution import BdSummary
    from dossier.model.nonclinical import Study
    from dossier.model.project import Project

__all__ = ["GROUPS", "SUBHEADINGS", "Subheading", "study_table"]

GROUPS = {
    "pharmacology": ("Pharmacology", PHARMACOLOGY_TYPES),
    "kinetics": ("Pharmacokinetics: biodistribution, persistence and shedding", KINETICS_TYPES),
    # a study of type "other" is reported with the toxicology studies
    "toxicology": ("Toxicology", TOXICOLOGY_TYPES | {"other"}),
}


@dataclass(frozen=True)
class Subheading:
    """A conventional IMPD sub-heading: the studies it reports and what an assessor
    expects under it when there are none."""

    kind: str
    title: str
    expects: str
    expected_for: frozenset[str] | None = None
    """Product features for which the sub-heading is expected; ``None``: every product.
    An unexpected one is shown only when it has studies or a statement."""


# The wording of ``expects`` is the placeholder's: what the assessor looks for when the
# programme has no study of the type (regulatory-brief.md section 3.6, study-type table).
SUBHEADINGS: dict[str, tuple[Subheading, ...]] = {
    "pharmacology": (
        Subheading(
            "primary_pd",
            "Primary pharmacodynamics",
            "proof-of-concept studies of the mechanism of action",
        ),
        Subheading(
            "secondary_pd",
            "Secondary pharmacodynamics",
            "off-target binding or activity of the product",
        ),
        Subheading(
            "safety_pharmacology",
            "Safety pharmacology",
            "CNS, cardiovascular and respiratory observations, often within the toxicity studies",
        ),
        Subheading(
            "pd_interactions",
            "Pharmacodynamic drug interactions",
            "interactions with co-medication such as conditioning or immunosuppression",
        ),
    ),
    "kinetics": (
        Subheading(
            "biodistribution",
            "Biodistribution",
            "distribution of the cells or vector in a tissue panel including the gonads",
        ),
        Subheading(
            "persistence",
            "Persistence and expression kinetics",
            "how long the cells survive or the transgene is expressed",
        ),
        Subheading(
            "shedding",
            "Shedding",
            "release of the product into excreta and secretions",
        ),
    ),
    "toxicology": (
        Subheading(
            "single_dose_toxicity",
            "Single-dose toxicity",
            "toxicity after one administration in a relevant model",
        ),
        Subheading(
            "repeat_dose_toxicity",
            "Repeat-dose toxicity",
            "toxicity after repeated administration, unless the product is given once",
        ),
        Subheading(
            "genotoxicity",
            "Genotoxicity",
            "the standard genotoxicity battery where it applies to the product",
        ),
        Subheading(
            "tumorigenicity",
            "Tumorigenicity and carcinogenicity",
            "tumour formation by the product in a sensitive model",
        ),
        Subheading(
            "reproductive_toxicity",
            "Reproductive and developmental toxicity",
            "effects on fertility and development, or their timing in the programme",
        ),
        Subheading(
            "local_tolerance",
            "Local tolerance",
            "tolerance at the site of administration",
        ),
    ),
    "other": (
        Subheading(
            "immunogenicity",
            "Immunogenicity and immunotoxicity",
            "immune responses to the cells, vector or transgene product",
        ),
        Subheading(
            "integration_site",
            "Integration site analysis and insertional mutagenesis",
            "integration site analysis or an assessment of insertional mutagenesis",
            frozenset({"integrating_vector"}),
        ),
        Subheading(
            "off_target_editing",
            "Off-target genome editing",
            "off-target editing analysis of the genome-editing tool",
            frozenset({"gene_editing"}),
        ),
        Subheading(
            "germline_transmission",
            "Germline transmission",
            "the risk of vector transmission to the germline",
            frozenset({"in_vivo_gene_therapy", "ex_vivo_gene_modified"}),
        ),
    ),
}
"""The sub-headings of each part of the non-clinical section, in IMPD order; the
toxicology part ends with "Other toxicity studies", whose sub-headings are under
``"other"``. Studies of type ``other`` are reported there under "Other studies"."""
OTHER_TITLE = "Other toxicity studies"
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
    parts = []
    if g.per_sex:
        parts.append(f"{g.per_sex}/sex ({', '.join(g.sexes)})")
    if g.total:
        parts.append(f"{g.total} per group")
    return "; ".join(parts)


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


def _unread_biodistribution(project: Project, computed: ComputedProject) -> list[Block]:
    """A placeholder for each declared biodistribution file that gave no summary (the
    file could not be read or analysed): the table is missing, not the study's data."""
    studies = project.nonclinical.studies if project.nonclinical else []
    return [
        Para.of(
            f"Biodistribution in {s.id}: ",
            Missing(
                f"nonclinical.studies[{i}].data.biodistribution",
                f"biodistribution summary of {s.id}; its data file {s.data.biodistribution} "
                "could not be analysed (see the errors of dossier validate --deep)",
            ),
        )
        for i, s in enumerate(studies)
        if s.data is not None
        and s.data.biodistribution is not None
        and s.id not in computed.biodistribution
    ]


def _group(project: Project, group: str) -> list[Study]:
    types = GROUPS[group][1]
    studies = project.nonclinical.studies if project.nonclinical else []
    return [
        s
        for s in studies
        if s.study_type in types or (group == "kinetics" and set(s.also_covers) & types)
    ]


def _group_section(project: Project, group: str, computed: ComputedProject) -> Section:
    """A part of the non-clinical section: the tabulated summary of its studies, then
    its conventional sub-headings with the studies described in full."""
    title, _ = GROUPS[group]
    studies = _group(project, group)
    blocks: list[Block] = []
    if studies:
        blocks.append(
            study_table(f"tab-{group}", f"{title}: tabulated summary of studies", studies)
        )
    features = product_features(project)
    children = [
        _subheading(project, computed, heading, features, always=True)
        for heading in SUBHEADINGS[group]
    ]
    if group == "toxicology":
        children.append(_other_section(project, computed, features))
    return Section(title, f"sec-{group}", blocks, [c for c in children if c is not None])


def _statement(project: Project, kind: str) -> str | None:
    nc = project.nonclinical
    return next(
        (n.justification for n in (nc.not_conducted if nc else []) if n.study_type == kind),
        None,
    )


def _subheading(
    project: Project,
    computed: ComputedProject,
    heading: Subheading,
    features: frozenset[str],
    *,
    always: bool = False,
) -> Section | None:
    """One sub-heading: its studies, else the 'not conducted' statement, else a
    placeholder; ``None`` for a sub-heading that is neither expected for the product
    nor answered (only the "other" ones can be unexpected)."""
    types = SUBHEADING_STUDY_TYPES[heading.kind]  # type: ignore[index]
    studies = project.nonclinical.studies if project.nonclinical else []
    main = [s for s in studies if s.study_type in types]
    covered = [s for s in studies if s.study_type not in types and set(s.also_covers) & types]
    statement = _statement(project, heading.kind)
    expected = always or heading.expected_for is None or bool(heading.expected_for & features)
    if not (main or covered or statement or expected):
        return None
    blocks: list[Block] = []
    if covered:
        blocks.append(_covered_by(covered, heading.title))
    if statement and not (main or covered):
        blocks.append(Para.of("Not conducted: ", statement))
    elif statement:
        # validation refuses this (DOS-X021); a draft built from an unvalidated project
        # still shows both rather than drop either
        blocks.append(Para.of("Also stated as not conducted: ", statement))
    elif not (main or covered):
        blocks.append(
            Para.of(
                Missing(
                    "nonclinical.not_conducted",
                    f"{heading.title.lower()}: the assessor expects {heading.expects}; "
                    f"describe the studies, or state why none was conducted "
                    f"(study_type: {heading.kind})",
                )
            )
        )
    if heading.kind == "biodistribution":
        for study_id, bd in computed.biodistribution.items():
            blocks.extend(_biodistribution_blocks(study_id, bd))
        blocks.extend(_unread_biodistribution(project, computed))
    children = [_study_block(project, s, computed) for s in main]
    return Section(heading.title, f"sec-nc-{heading.kind.replace('_', '-')}", blocks, children)


def _covered_by(studies: list[Study], title: str) -> Para:
    """Which integrated studies, described under their main type, also cover a topic."""
    parts: list[str | Inline] = []
    for i, s in enumerate(studies):
        if i:
            parts.append("; " if i < len(studies) - 1 else " and ")
        parts += [f"{s.id} (", CrossRef(f"sec-study-{s.id}"), ")"]
    verb = "covers" if len(studies) == 1 else "cover"
    return Para.of(
        *parts, f" also {verb} {title.lower()} in an integrated design; see the results there."
    )


def _other_section(
    project: Project, computed: ComputedProject, features: frozenset[str]
) -> Section:
    """'Other toxicity studies': immunogenicity, integration, off-target editing and
    germline transmission where expected or answered, then studies of type 'other'."""
    children = [
        c
        for c in (_subheading(project, computed, h, features) for h in SUBHEADINGS["other"])
        if c is not None
    ]
    studies = project.nonclinical.studies if project.nonclinical else []
    main = [s for s in studies if s.study_type == "other"]
    covered = [s for s in studies if s.study_type != "other" and "other" in s.also_covers]
    if main or covered:
        children.append(
            Section(
                "Other studies",
                "sec-nc-other-studies",
                [_covered_by(covered, "other studies")] if covered else [],
                [_study_block(project, s, computed) for s in main],
            )
        )
    return Section(OTHER_TITLE, "sec-nc-other", [], children)


REPRESENTATIVENESS = {
    "clinical_process": "made with the clinical manufacturing process",
    "earlier_process": "made with an earlier manufacturing process",
    "homologous": "a homologous (animal) version of the product",
    "research_grade": "research-grade material",
}
# the declared outcome of the comparability exercise decides whether the test item is
# bridged to the clinical product
BRIDGE = {
    "comparable": "; bridged to the clinical product by the comparability of: {change}",
    "not_comparable": (
        "; not bridged to the clinical product: the comparability of {change} concluded "
        "that the batches are not comparable"
    ),
    "pending": (
        "; bridge to the clinical product pending: the comparability of {change} is not concluded"
    ),
}
TOXICITY_TYPES = frozenset({"single_dose_toxicity", "repeat_dose_toxicity"})


def _test_item(project: Project, study: Study, path: str) -> Cell:
    """The batches dosed, with their process version, and how representative they are."""
    item = study.test_item
    versions = {b.id: b.process_version for b in project.quality.batches}
    batches = ", ".join(
        f"{b} (process {versions[b]})" if b in versions else b for b in item.batches
    )
    parts: list[Inline] = [
        Text(f"{batches}; " if batches else ""),
        Text(REPRESENTATIVENESS[item.representativeness]),
    ]
    if item.representativeness != "clinical_process":
        if item.comparability is not None:
            exercise = next(
                (c for c in project.quality.comparability if c.id == item.comparability), None
            )
            change = exercise.change if exercise is not None else item.comparability
            outcome = exercise.outcome if exercise is not None else "comparable"
            parts.append(Text(BRIDGE[outcome].format(change=change)))
        else:
            parts += [
                Text("; "),
                Missing(f"{path}.test_item.comparability", "bridge to the clinical product"),
            ]
    elif item.comparability is not None:
        parts.append(Text(f"; comparability: {item.comparability}"))
    if not item.batches and study.model_type != "in_vitro":
        parts = [Missing(f"{path}.test_item.batches", "batches dosed"), Text("; "), *parts[1:]]
    if item.description:
        parts.append(Text(f". {item.description}"))
    return tuple(parts)


def _study_block(project: Project, study: Study, computed: ComputedProject) -> Section:
    """What assessors read first about a study: test item, design and results."""
    index = next(i for i, s in enumerate(project.nonclinical.studies) if s is study)  # type: ignore[union-attr]
    path = f"nonclinical.studies[{index}]"
    in_vivo = study.model_type != "in_vitro"
    glp = study.glp
    glp_text = GLP_WORDS[glp.status]
    if glp.test_facility:
        glp_text += f"; test facility: {glp.test_facility}"
    if glp.oversight:
        glp_text += f"; oversight: {glp.oversight}"
    if glp.prospective_protocol is not None:
        glp_text += (
            "; prospective protocol" if glp.prospective_protocol else "; no prospective protocol"
        )
    rows: list[list[Cell]] = [
        ["Status", study.status + (f"; report {study.report}" if study.report else "")],
    ]
    if study.start_date:
        rows.append(["Start of in-life phase", date(study.start_date)])
    rows += [
        [
            "Species, strain and model",
            f"{study.species}"
            + (f", {study.strain}" if study.strain else "")
            + f" ({study.model_type.replace('_', ' ')})",
        ],
        ["GLP status", glp_text],
        ["Test item", _test_item(project, study, path)],
        [
            "Route",
            study.route + ("" if study.clinical_route else " (differs from the clinical route)"),
        ],
    ]
    if in_vivo or study.dose_levels:
        rows.append(["Dose levels", _doses(study)])
        rows.append(["Regimen", study.regimen or Missing(f"{path}.regimen", "dosing regimen")])
        rows.append(
            [
                "Duration",
                str(study.duration)
                if study.duration
                else Missing(f"{path}.duration", "observation duration"),
            ]
        )
        if study.recovery is not None:
            rows.append(["Recovery period", str(study.recovery)])
        elif study.study_type in TOXICITY_TYPES:
            rows.append(
                [
                    "Recovery period",
                    Missing(f"{path}.recovery", "recovery period, or why there is none"),
                ]
            )
        rows.append(
            [
                "Animals per sex and group",
                _size(study)
                if study.group_size
                else Missing(f"{path}.group_size", "animals per sex and group"),
            ]
        )
    elif study.regimen:
        rows.append(["Regimen", study.regimen])
    rows.append(
        [
            "Endpoints",
            "; ".join(study.endpoints) or Missing(f"{path}.endpoints", "endpoints assessed"),
        ]
    )
    if study.also_covers:
        rows.append(["Also covers", ", ".join(t.replace("_", " ") for t in study.also_covers)])
    levels = _levels(study)
    if levels != "—":
        rows.append(["NOAEL, MED, HNSTD", levels])
    risks = _risk_names(project, study.addresses_risks)
    if risks:
        rows.append(["Risks addressed", risks])
    steps = [m.name for m in project.product.mechanism_of_action.steps if m.id in study.moa_steps]
    if steps:
        rows.append(["Mechanism-of-action steps", "; ".join(steps)])
    blocks: list[Block] = [
        Para.of("Objective. ", study.objective),
        Table(f"tab-study-{study.id}", f"Design of {study.id}", ["Item", "Details"], rows),
    ]
    if glp.justification:
        blocks.append(
            Para.of(
                "Justification of the GLP status, as stated by the sponsor: ", glp.justification
            )
        )
    if study.key_findings:
        blocks.append(Para.of("Key findings, as reported by the sponsor: ", study.key_findings))
    elif study.status == "completed":
        blocks.append(Para.of(Missing(f"{path}.key_findings", "key findings")))
    send = computed.send.get(study.id)
    if send is not None:
        blocks.extend(_send_blocks(study.id, send))
    return Section(f"{study.id}: {study.title}", f"sec-study-{study.id}", blocks)


def _risk_names(project: Project, ids: list[str]) -> str:
    risks = {r.id: r.name for r in project.risk_profile.risks} if project.risk_profile else {}
    return "; ".join(f"{r} {risks[r]}" if r in risks else r for r in ids)


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


_PERMISSIVENESS_WORDS = {
    "permissive": "permissive",
    "reduced": "of reduced permissiveness",
    "not_permissive": "not permissive",
}


def _relevance_text(study: Study) -> str:
    """The study's model relevance, with its declared permissiveness and how a reduced
    permissiveness is accounted for."""
    text = study.model_relevance
    if study.permissiveness is not None:
        text += f" The model is {_PERMISSIVENESS_WORDS[study.permissiveness]}."
    if study.permissiveness_effect:
        text += f" {study.permissiveness_effect}"
    for arm in study.spiking:
        text += (
            f" Spiked with {given(arm.fraction_percent)} % undifferentiated cells: "
            f"teratoma or tumour in {arm.animals_with_tumours} of {arm.animals} animals."
        )
    return text


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
                    _relevance_text(s),
                    "not applicable (in vitro)"
                    if s.model_type == "in_vitro"
                    else ("yes" if s.clinical_route else "no"),
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


def evidence_name(project: Project, ref: str) -> str:
    """What a reader calls the evidence an id names: a study by its id (the study tables
    of the draft list it), an assay or procedure by its name, a reference by its
    identifier; anything else (a batch number) as given."""
    studies = project.nonclinical.studies if project.nonclinical else []
    if any(s.id == ref for s in studies):
        return f"study {ref}"
    assays = project.quality.potency.assays if project.quality.potency else []
    names = {a.id: a.name for a in assays}
    names.update({m.id: m.name for m in project.quality.analytical_methods})
    if ref in names:
        return names[ref]
    for reference in project.references:
        if reference.id == ref:
            return reference.identifier or reference.title
    return ref


def _risk(project: Project) -> list[Block]:
    rp = project.risk_profile
    if rp is None:
        return [Para.of(Missing("risk_profile", "risk profile (risks × risk factors)"))]
    risks = [r for r in rp.risks if r.applicable]
    cells = {(c.risk, c.factor): c for c in rp.cells}
    rows = []
    for factor in rp.factors:
        row: list[Cell] = [f"{factor.name}: {factor.product_value}"]
        for risk in risks:
            cell = cells.get((risk.id, factor.id))
            if cell is None or cell.relevant == "no":
                row.append("—")
                continue
            # the evidence is named in the paragraphs below the matrix: in a cell of a
            # seven-column table its ids would break at every hyphen
            row.append(f"{cell.relevant} ({cell.residual_uncertainty} uncertainty)")
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
    notes = [f for f in rp.factors if f.rationale]
    if notes:
        blocks.append(
            Bullets([Para.of(f"{f.name} ({f.product_value}): ", f.rationale or "") for f in notes])
        )
    impacts = {c.risk: c.impacts_sections for c in rp.conclusions}
    factors = {f.id: f for f in rp.factors}
    for risk in risks:
        parts: list[str | Inline] = [Text(f"{risk.id} {risk.name}. ", bold=True)]
        if risk.rationale:
            parts += ["Why it applies: ", risk.rationale, " "]
        parts += [
            "Conclusion: ",
            conclusions.get(risk.id)
            or Missing("risk_profile.conclusions", f"conclusion for {risk.id}"),
        ]
        if impacts.get(risk.id):
            parts.append(f" Sections affected: {'; '.join(impacts[risk.id])}.")
        blocks.append(Para.of(*parts))
        items = []
        for cell in rp.cells:
            if cell.risk != risk.id:
                continue
            of = factors.get(cell.factor)
            head = f"{of.name if of else cell.factor} (relevant: {cell.relevant}; residual uncertainty {cell.residual_uncertainty}): "
            bits = [cell.assessment or ""]
            bits += [
                f"evidence: {evidence_name(project, e.ref)}"
                + (f", {e.summary}" if e.summary else "")
                for e in cell.evidence
            ]
            if cell.mitigations:
                bits.append("mitigations: " + "; ".join(cell.mitigations))
            if cell.data_gap_action:
                bits.append(f"to close the data gap: {cell.data_gap_action}")
            items.append(Para.of(head, "; ".join(b.rstrip(".") for b in bits if b), "."))
        if items:
            blocks.append(Bullets(items))
    excluded = [r for r in rp.risks if not r.applicable]
    if excluded:
        blocks.append(Para.of("Risks considered not applicable, with the sponsor's reason:"))
        blocks.append(
            Bullets(
                [
                    Para.of(
                        f"{r.id} {r.name}: ",
                        r.rationale
                        or Missing(
                            f"risk_profile.risks[{rp.risks.index(r)}].rationale",
                            "why the risk does not apply",
                        ),
                    )
                    for r in excluded
                ]
            )
        )
    return blocks


def _later_dose(project: Project, computed: ComputedProject) -> list[Block]:
    """The dose rationale after the first-in-human trial: the doses of the planned trial
    and what the results to date conclude about them, in the sponsor's words."""
    experience = project.clinical_experience
    conclusions = experience.conclusions if experience is not None else None
    blocks: list[Block] = [
        Para.of(
            "Dose rationale from the clinical results to date, as concluded by the sponsor: ",
            conclusions
            or Missing(
                "clinical_experience.conclusions",
                "why the results to date support the doses of the planned trial",
            ),
        )
    ]
    trial = project.clinical_trial
    if trial is None:
        blocks.append(Para.of(Missing("clinical_trial", "the planned trial and its doses")))
    else:
        blocks += dose_plan(project, trial, computed.trial, "tab-escalation")
    return blocks


def _dose(project: Project, computed: ComputedProject) -> list[Block]:
    fih = project.fih_dose
    if fih is None:
        if project.stage != "exploratory_fih":
            return _later_dose(project, computed)
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
    if fih.safety_factor.justification:
        blocks.append(
            Para.of("Safety factor, as justified by the sponsor: ", fih.safety_factor.justification)
        )
    blocks.append(
        Bullets(
            [
                Para.of(
                    f"{i.id} ({i.approach.replace('_', ' ')}"
                    + (f", {i.species}" if i.species else "")
                    + (f", study {i.study}" if i.study else "")
                    + f"): {given(i.dose.value)} {i.dose.unit}"
                    + (
                        f" ({given(i.animal_body_weight_kg)} kg animals)"
                        if i.animal_body_weight_kg
                        else ""
                    )
                    + (
                        f"; {i.organ.metric.replace('_', ' ')}: animal {given(i.organ.animal_value)}, "
                        f"human {given(i.organ.human_value)}"
                        + (f" ({i.organ.source})" if i.organ.source else "")
                        if i.organ
                        else ""
                    )
                    + ". ",
                    i.description or "",
                )
                for i in fih.inputs
            ]
        )
    )
    trial = project.clinical_trial
    blocks.append(
        Para.of(
            "Trial population: ",
            trial.population.description.rstrip(".")
            if trial is not None
            else Missing("clinical_trial.population", "population of the trial"),
            f"; reference body weight {given(fih.scaling.human_body_weight_kg)} kg.",
        )
    )
    if trial is None:
        blocks.append(
            Para.of(
                Missing("clinical_trial", "the planned trial: cohorts, staggering, stopping rules")
            )
        )
    else:
        blocks += dose_plan(project, trial, computed.trial, "tab-escalation")
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
    """The first-in-human dose rationale with the scaling table; after the first-in-human
    trial without a first-in-human derivation, the doses of the planned trial and the
    sponsor's conclusion from the results to date."""
    return Content(_dose(ctx.project, _computed(ctx)))


@section_unit("nonclinical.human")
def human_unit(ctx: UnitContext) -> Content:
    """Experience in humans: with related products and, after the first-in-human trial
    (or wherever the project records them), the product's own results to date."""
    content = _text_or_missing(
        ctx, "previous_human_experience", "experience with related products in humans"
    )
    project = ctx.project
    if project.stage != "exploratory_fih" or project.clinical_experience is not None:
        content.blocks = [*content.blocks, *results_to_date(project)]
    return content


@section_unit("nonclinical.benefit-risk")
def benefit_risk_unit(ctx: UnitContext) -> Content:
    """The overall benefit-risk assessment."""
    return _text_or_missing(ctx, "benefit_risk", "benefit-risk assessment for the trial")
