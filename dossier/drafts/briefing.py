"""Scientific-advice briefing document (CBG national advice; EMA layout as an option).

Structure after the EMA briefing-document template and CBG practice: title page data,
executive summary and scope, background (disease, product and MoA, regulatory status
including the Dutch route and GMO permit, development summary), the questions grouped
quality → non-clinical → clinical → regulatory with the applicant's positions and their
cross-references, annexes generated from the data, and the attendees of a CBG meeting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.drafts.blocks import (
    Block,
    Bullets,
    Cell,
    Missing,
    Para,
    Section,
    Table,
    Text,
)
from dossier.drafts.compose import agency_text
from dossier.drafts.fmt import date
from dossier.drafts.nonclinical import study_table
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project import Project
    from dossier.model.regulatory import Citation, ScientificAdvice

__all__ = [
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


def _cite(project: Project, cite: Citation) -> str:
    if cite.kind == "reference":
        ref = next((r for r in project.references if r.id == cite.id), None)
        name = (ref.identifier or ref.title) if ref else cite.id
        return name + (f", {cite.section}" if cite.section else "")
    if cite.kind == "fih_dose":
        return "first-in-human dose rationale (annex)"
    label = {
        "assay": "assay",
        "method": "method",
        "study": "study",
        "batch": "batch",
        "risk": "risk",
        "annex": "annex",
        "moa_step": "MoA step",
    }
    return f"{label.get(cite.kind, cite.kind)} {cite.id}"


def _background(project: Project) -> list[Section]:
    sa = project.scientific_advice
    assert sa is not None
    product = project.product
    nl = project.netherlands
    status = []
    if product.cat_classification and product.cat_classification.requested:
        status.append(f"CAT classification: {product.cat_classification.outcome or 'requested'}")
    if product.orphan_designation:
        status.append(f"orphan designation: {product.orphan_designation.status}")
    if nl is not None:
        status.append(
            f"clinical trial application via CTIS with {nl.ctr.reviewing_committee} as reviewing committee"
            + (" (staggered submission)" if nl.ctr.staggered_submission else "")
        )
        gmo = nl.gmo_permit
        status.append(
            "GMO permit: "
            + (
                "not required"
                if not gmo.required
                else f"{gmo.procedure or 'procedure to be chosen'}, {gmo.status.replace('_', ' ')}"
            )
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
                blocks.append(
                    Para.of(
                        "Supporting data and guidance: ",
                        "; ".join(_cite(project, c) for c in q.cites),
                        ".",
                    )
                )
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


@section_unit("briefing.summary")
def summary_unit(ctx: UnitContext) -> Content:
    """Executive summary and scope, with the request details."""
    project = ctx.project
    sa = _advice(ctx)
    doc = project.project.document
    agency = agency_text(sa)
    title_rows: list[list[Cell]] = [
        ["Product", f"{project.product.name} ({project.product.code})"],
        ["Applicant", project.project.sponsor.name],
        [
            "Contact",
            f"{project.project.contacts[0].name}, {project.project.contacts[0].role}"
            + (
                f", {project.project.contacts[0].email}"
                if project.project.contacts[0].email
                else ""
            ),
        ],
        ["Agency and procedure", f"{agency}, {sa.format} advice"],
        [
            "Case number" if sa.agency == "CBG" else "Research product identifier",
            (sa.case_number or "to be assigned")
            if sa.agency == "CBG"
            else (sa.rpi or Missing("scientific_advice.rpi", "EMA research product identifier")),
        ],
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
            f"The request has {len(sa.questions)} question(s): "
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
