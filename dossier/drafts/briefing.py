"""Scientific-advice briefing document (CBG national advice; EMA layout as an option).

Structure after the EMA briefing-document template and CBG practice: title page data,
executive summary and scope, background (disease, product and MoA, regulatory status
including the Dutch route and GMO permit, development summary), the questions grouped
quality → non-clinical → clinical → regulatory with the applicant's positions and their
cross-references, annexes generated from the data, and the attendees of a CBG meeting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dossier.drafts.blocks import (
    Block,
    Bullets,
    Cell,
    CrossRef,
    Inline,
    Missing,
    Para,
    Section,
    Table,
    Text,
)
from dossier.drafts.compose import agency_text
from dossier.drafts.fmt import count_word, date, plural
from dossier.drafts.nonclinical import study_table
from dossier.drafts.outline import Content, UnitContext, section_unit, unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project import Project
    from dossier.model.regulatory import Annex, Citation, ScientificAdvice

__all__ = [
    "annex_key",
    "annexes_unit",
    "attendees_unit",
    "background_unit",
    "missing_unit",
    "questions_unit",
    "summary_unit",
]

DOMAINS = (
    ("quality", "Quality"),
    ("nonclinical", "Non-clinical"),
    ("clinical", "Clinical"),
    ("regulatory", "Regulatory and procedural"),
)


ANNEX_UNITS: dict[str, tuple[str, ...]] = {
    "potency": ("potency.structure", "potency.batches"),
    "studies": ("nonclinical.pharmacology", "nonclinical.kinetics", "nonclinical.toxicology"),
    "risk_profile": ("nonclinical.risk",),
    "dose_rationale": ("nonclinical.dose",),
}
"""The section units of the IMPD whose content a generated annex of the briefing repeats."""


def annex_key(annex: Annex) -> str:
    """The cross-reference key of a declared annex's section."""
    return f"sec-annex-{annex.id}"


def _annex_of(sa: ScientificAdvice, content: str) -> Annex | None:
    return next((a for a in sa.annexes if a.content == content), None)


def _pointer(sa: ScientificAdvice, content: str) -> list[Inline]:
    """' (section 5.2)' pointing to the declared annex of that content, if there is one."""
    annex = _annex_of(sa, content)
    return [] if annex is None else [Text(" ("), CrossRef(annex_key(annex)), Text(")")]


def _cite(project: Project, cite: Citation) -> list[Inline]:
    """A citation of a question's position as readers resolve it: names, not the project
    file's ids, and a pointer to the table or annex of this document that holds it."""
    sa = project.scientific_advice
    assert sa is not None
    found: Any = None
    if cite.kind == "reference":
        ref = next((r for r in project.references if r.id == cite.id), None)
        name = (ref.identifier or ref.title) if ref else cite.id
        return [Text(name + (f", {cite.section}" if cite.section else ""))]
    if cite.kind == "fih_dose":
        pointer = _pointer(sa, "dose_rationale")
        where = "" if pointer else " in the IMPD, safety and efficacy part"
        return [Text("first-in-human dose rationale" + where), *pointer]
    if cite.kind == "annex":
        annex = next(a for a in sa.annexes if a.id == cite.id)
        return [Text(f"{annex.title} ("), CrossRef(annex_key(annex)), Text(")")]
    if cite.kind == "study" and project.nonclinical is not None:
        found = next(s for s in project.nonclinical.studies if s.id == cite.id)
        label = f"study {found.title}" + (f" ({found.report})" if found.report else "")
        return [Text(label + ", "), CrossRef("tab-bd-studies")]
    if cite.kind == "assay" and project.quality.potency is not None:
        found = next(a for a in project.quality.potency.assays if a.id == cite.id)
        return [Text(f"potency assay {found.name}"), *_pointer(sa, "potency")]
    if cite.kind == "risk" and project.risk_profile is not None:
        found = next(r for r in project.risk_profile.risks if r.id == cite.id)
        return [Text(f"risk: {found.name}"), *_pointer(sa, "risk_profile")]
    if cite.kind == "method":
        found = next(m for m in project.quality.analytical_methods if m.id == cite.id)
        return [Text(f"analytical procedure {found.name}")]
    if cite.kind == "moa_step":
        found = next(m for m in project.product.mechanism_of_action.steps if m.id == cite.id)
        return [Text(f"mechanism-of-action step {found.name}")]
    return [Text(f"{cite.kind.replace('_', ' ')} {cite.id}")]  # batches: their batch numbers


def _background(project: Project) -> list[Section]:
    sa = project.scientific_advice
    assert sa is not None
    product = project.product
    nl = project.netherlands
    status = []
    cat = product.cat_classification
    if cat and (cat.requested or cat.reference):
        status.append(
            f"CAT classification: {cat.outcome or ('requested' if cat.requested else 'not requested')}"
            + (f" ({cat.reference})" if cat.reference else "")
        )
    if product.orphan_designation:
        od = product.orphan_designation
        status.append(
            f"orphan designation: {od.status}" + (f" ({od.reference})" if od.reference else "")
        )
    if nl is not None:
        ctr = nl.ctr
        committee = ctr.reviewing_committee + (f" ({ctr.mrec_name})" if ctr.mrec_name else "")
        status.append(
            f"clinical trial application via CTIS with {committee} as reviewing committee"
            + (" (staggered submission)" if ctr.staggered_submission else "")
            + f"; member states concerned: {', '.join(ctr.member_states)}"
            + (f"; CTIS number {ctr.ctis_number}" if ctr.ctis_number else "")
        )
        gmo = nl.gmo_permit
        status.append(
            "GMO permit: "
            + (
                "not required"
                if not gmo.required
                else f"{gmo.procedure or 'procedure to be chosen'}, {gmo.status.replace('_', ' ')}"
            )
            + (f"; VOV category: {gmo.vov_category}" if gmo.vov_category else "")
            + (f"; reference {gmo.reference}" if gmo.reference else "")
        )
        he = nl.hospital_exemption
        if he.applicable or he.igj_status:
            status.append(
                "hospital exemption: "
                + ("applies" if he.applicable else "does not apply")
                + (f"; status with IGJ: {he.igj_status}" if he.igj_status else "")
            )
    if sa.background.previous_advice:
        status.append(f"previous advice: {sa.background.previous_advice}")
    studies = project.nonclinical.studies if project.nonclinical else []
    dev: list[Block] = [
        Para.of(
            sa.background.development_summary
            or Missing("scientific_advice.background.development_summary", "development summary")
        )
    ]
    if studies:
        dev.append(
            study_table(
                "tab-bd-studies", "Non-clinical studies (completed, ongoing and planned)", studies
            )
        )
    return [
        Section(
            "Disease and unmet medical need",
            "sec-disease",
            [
                Para.of(sa.background.disease),
                Para.of(
                    "Target population of the planned trial: ",
                    product.target_population
                    or Missing("product.target_population", "patients to be treated in the trial"),
                ),
                *(
                    [Para.of("Current treatment: ", sa.background.current_treatment)]
                    if sa.background.current_treatment
                    else []
                ),
                Para.of("Unmet need: ", sa.background.unmet_need),
            ],
        ),
        Section(
            "Product and mechanism of action",
            "sec-product",
            [
                Para.of(product.description),
                Para.of(
                    "Composition: ",
                    product.composition
                    or Missing("product.composition", "composition of the finished product"),
                ),
                Para.of(
                    "Manufacturing overview: ",
                    product.manufacturing_summary
                    or Missing(
                        "product.manufacturing_summary", "overview of the manufacturing process"
                    ),
                ),
                Para.of("Mechanism of action: ", product.mechanism_of_action.statement),
                Bullets(
                    [
                        Para.of(f"{s.name}" + (f": {s.description}" if s.description else ""))
                        for s in product.mechanism_of_action.steps
                    ]
                ),
            ],
        ),
        Section(
            "Regulatory status",
            "sec-status",
            [Bullets([Para.of(s) for s in status])]
            if status
            else [Para.of(Missing("netherlands", "regulatory status and Dutch route"))],
        ),
        Section("Development summary", "sec-development", dev),
    ]


def _questions(project: Project) -> list[Section]:
    sa = project.scientific_advice
    assert sa is not None
    out = []
    number = 0
    for domain, title in DOMAINS:
        questions = [q for q in sa.questions if q.domain == domain]
        if not questions:
            continue
        children = []
        for q in questions:
            number += 1
            blocks: list[Block] = [
                Para([Text(f"Question {number} ({q.id}). ", bold=True), Text(q.text, bold=True)]),
                Para([Text("Applicant's position. ", italic=True), Text(q.position)]),
            ]
            if q.cites:
                parts: list[Inline] = [Text("Supporting data and guidance: ")]
                for i, c in enumerate(q.cites):
                    parts += [*([Text("; ")] if i else []), *_cite(project, c)]
                blocks.append(Para([*parts, Text(".")]))
            if q.alternatives:
                blocks.append(Para.of("Alternatives considered: ", q.alternatives))
            children.append(Section(f"Question {number}", f"sec-q-{q.id}", blocks))
        out.append(Section(f"{title} questions", f"sec-qgroup-{domain}", [], children))
    return out


def _advice(ctx: UnitContext) -> ScientificAdvice:
    sa = ctx.project.scientific_advice
    assert sa is not None, "the outline applies advice sections only with scientific_advice"
    return sa


@section_unit("briefing.missing")
def missing_unit(ctx: UnitContext) -> Content:
    """The placeholder of a project without a scientific-advice request."""
    return Content(
        [
            Para.of(
                Missing("scientific_advice", "scientific-advice request: agency, scope, questions")
            )
        ]
    )


def _row(label: str, value: Cell) -> list[Cell]:
    return [label, value]


@section_unit("briefing.summary")
def summary_unit(ctx: UnitContext) -> Content:
    """Executive summary and scope, with the request details."""
    project = ctx.project
    sa = _advice(ctx)
    doc = project.project.document
    agency = agency_text(sa)
    title_rows: list[list[Cell]] = [
        ["Product", f"{project.product.name} ({project.product.code})"],
        [
            "Applicant",
            ", ".join(
                part
                for part in (
                    project.project.sponsor.name,
                    project.project.sponsor.address,
                    project.project.sponsor.country,
                )
                if part
            ),
        ],
        *[
            _row(
                "Contact",
                ", ".join(
                    part for part in (c.name, c.role, c.affiliation, c.email, c.phone) if part
                ),
            )
            for c in project.project.contacts
        ],
        ["Agency and procedure", f"{agency}, {sa.format} advice"],
        [
            "Case number" if sa.agency == "CBG" else "Research product identifier",
            (sa.case_number or "to be assigned")
            if sa.agency == "CBG"
            else (sa.rpi or Missing("scientific_advice.rpi", "EMA research product identifier")),
        ],
        *(
            [_row("Research product identifier (EMA)", sa.rpi)]
            if sa.agency == "CBG" and sa.rpi
            else []
        ),
        [
            "Meeting date",
            date(sa.meeting_date)
            if sa.meeting_date
            else (
                "not applicable (written advice)" if sa.format == "written" else "to be scheduled"
            ),
        ],
        ["Version and date", f"{doc.version}, {date(doc.date)}"],
    ]
    summary: list[Block] = [
        Table("tab-title", "Request details", ["Item", "Details"], title_rows),
        Para.of(
            f"{project.product.name} is a {project.product.atmp_class} for: "
            f"{project.product.indication}. ",
            sa.scope,
        ),
        Para.of(
            f"The request has {count_word(len(sa.questions))} "
            f"{plural(len(sa.questions), 'question')}: "
            + ", ".join(
                f"{sum(1 for q in sa.questions if q.domain == d)} {t.lower()}"
                for d, t in DOMAINS
                if any(q.domain == d for q in sa.questions)
            )
            + "."
        ),
    ]
    return Content(summary)


@section_unit("briefing.background")
def background_unit(ctx: UnitContext) -> Content:
    """Background: disease, product and MoA, regulatory status, development summary."""
    return Content([], _background(ctx.project))


@section_unit("briefing.questions")
def questions_unit(ctx: UnitContext) -> Content:
    """The questions grouped quality → non-clinical → clinical → regulatory."""
    return Content([], _questions(ctx.project))


@section_unit("briefing.attendees")
def attendees_unit(ctx: UnitContext) -> Content:
    """Attendees for the applicant at a meeting."""
    sa = _advice(ctx)
    if sa.attendees:
        return Content(
            [
                Table(
                    "tab-attendees",
                    "Attendees for the applicant",
                    ["Name", "Role", "Affiliation"],
                    [[a.name, a.role, a.affiliation] for a in sa.attendees],
                )
            ]
        )
    return Content(
        [
            Para.of(
                Missing(
                    "scientific_advice.attendees",
                    "list of attendees (the CBG needs it three weeks before the meeting)",
                )
            )
        ]
    )


def _annex_section(ctx: UnitContext, annex: Annex) -> Section:
    """One declared annex: the IMPD's content repeated from the same units, a pointer to
    the reference list, or the name of an attached document."""
    key = annex_key(annex)
    if annex.content == "file":
        attached = Para.of(f"Attached as a separate document: {annex.file}.")
        return Section(annex.title, key, [attached])
    if annex.content == "references":
        return Section(
            annex.title,
            key,
            [Para([Text("The references are listed in "), CrossRef("annex-refs"), Text(".")])],
        )
    blocks: list[Block] = []
    children: list[Section] = []
    for name in ANNEX_UNITS[annex.content]:
        content = unit(name)(ctx)
        if content.title is None:  # a unit the outline titles: its content is the annex's
            blocks += content.blocks
            children += content.children
        else:
            children.append(
                Section(
                    content.title,
                    f"{key}-{name.replace('.', '-')}",
                    content.blocks,
                    content.children,
                )
            )
    return Section(annex.title, key, blocks, children)


@section_unit("briefing.annexes")
def annexes_unit(ctx: UnitContext) -> Content:
    """The annexes the request declares, generated from the project's data."""
    sa = _advice(ctx)
    return Content([], [_annex_section(ctx, a) for a in sa.annexes])
