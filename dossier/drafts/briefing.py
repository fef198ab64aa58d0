"""Scientific-advice briefing document, in the shape of the agency asked.

``sections/briefing.yaml`` holds both variants, chosen by ``scientific_advice.agency``:
EMA's template order (I Summary with the title block, II Questions and the applicant's
positions grouped A, A/B, B, B/C, C, D, III Background information, references,
annexes) and, as the CBG publishes no template, the structure of
``regulatory-brief.md`` section 7.4 (title page, scope, background, questions,
attendees, references, annexes). The units here build the questions, the background
parts, the references and the annexes; the summarising parts are
:mod:`dossier.drafts.briefing_summary`, the trial synopsis and the clinical results
:mod:`dossier.drafts.trial`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dossier.drafts import briefing_summary as summary
from dossier.drafts.annexes import reference_lines
from dossier.drafts.blocks import (
    Block,
    CrossRef,
    Inline,
    Missing,
    Para,
    Section,
    Table,
    Text,
)
from dossier.drafts.nonclinical import study_table
from dossier.drafts.outline import Content, UnitContext, section_unit, unit
from dossier.drafts.trial import results_to_date, synopsis

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project import Project
    from dossier.model.regulatory import Annex, Citation, Question, ScientificAdvice

__all__ = [
    "CBG_GROUPS",
    "EMA_GROUPS",
    "QuestionGroup",
    "annex_key",
    "annexes_unit",
    "attendees_unit",
    "missing_unit",
    "question_groups",
    "questions_unit",
]

EMA_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("A", "quality", "Quality"),
    ("A/B", "quality_nonclinical", "Quality and non-clinical"),
    ("B", "nonclinical", "Non-clinical"),
    ("B/C", "nonclinical_clinical", "Non-clinical and clinical"),
    ("C", "clinical", "Clinical"),
    ("D", "significant_benefit", "Significant benefit"),
)
"""EMA's question groups: the group (also the number of its heading), the question
domain it holds, the heading."""

CBG_GROUPS: tuple[tuple[str, str], ...] = (
    ("quality", "Quality"),
    ("quality_nonclinical", "Quality and non-clinical"),
    ("nonclinical", "Non-clinical"),
    ("nonclinical_clinical", "Non-clinical and clinical"),
    ("clinical", "Clinical"),
    ("regulatory", "Regulatory and procedural"),
)
"""The question groups of a CBG request (section 7.4 of the brief; CBG handles
regulatory questions too, mostly as written advice)."""


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


@dataclass(frozen=True)
class QuestionGroup:
    """A group of questions as the agency's briefing document heads it."""

    key: str
    title: str
    number: str | None
    """EMA's group letter, which numbers the heading ('A', 'B/C'); None for the CBG."""
    questions: list[Question]

    @property
    def count_name(self) -> str:
        """How a count of its questions names the group: 'in group A (quality)' (EMA),
        'quality' (CBG)."""
        if self.number is not None:
            return f"in group {self.number} ({self.title.lower()})"
        return self.title.removesuffix(" questions").lower()


def question_groups(sa: ScientificAdvice) -> list[QuestionGroup]:
    """The questions in the agency's groups, in order, empty groups left out. An EMA
    request places a regulatory question with the group its ``ema_group`` names (the
    project check refuses one without)."""
    out: list[QuestionGroup] = []
    if sa.agency == "EMA":
        for group, domain, title in EMA_GROUPS:
            qs = [q for q in sa.questions if q.domain == domain or q.ema_group == group]
            out.append(QuestionGroup(group.replace("/", "").lower(), title, group, qs))
    else:
        for domain, title in CBG_GROUPS:
            qs = [q for q in sa.questions if q.domain == domain]
            out.append(QuestionGroup(domain, f"{title} questions", None, qs))
    return [g for g in out if g.questions]


def _questions(project: Project) -> list[Section]:
    sa = project.scientific_advice
    assert sa is not None
    out = []
    number = 0
    for group in question_groups(sa):
        children = []
        for q in group.questions:
            number += 1
            blocks: list[Block] = [
                Para([Text(f"Question {number} ({q.id}). ", bold=True), Text(q.text, bold=True)]),
            ]
            if q.ema_group is not None and q.ema_group_reason is not None:
                blocks.append(
                    Para.of(
                        f"A regulatory question, placed with group {q.ema_group}: ",
                        q.ema_group_reason,
                    )
                )
            blocks.append(Para([Text("Applicant's position. ", italic=True), Text(q.position)]))
            if q.cites:
                parts: list[Inline] = [Text("Supporting data and guidance: ")]
                for i, c in enumerate(q.cites):
                    parts += [*([Text("; ")] if i else []), *_cite(project, c)]
                blocks.append(Para([*parts, Text(".")]))
            if q.alternatives:
                blocks.append(Para.of("Alternatives considered: ", q.alternatives))
            children.append(Section(f"Question {number}", f"sec-q-{q.id}", blocks))
        out.append(Section(group.title, f"sec-qgroup-{group.key}", [], children, group.number))
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


@section_unit("briefing.title_block")
def title_block_unit(ctx: UnitContext) -> Content:
    """The title block (EMA) or title page (CBG) of the request."""
    return Content([summary.title_block(ctx.project, _advice(ctx))])


@section_unit("briefing.disease")
def disease_unit(ctx: UnitContext) -> Content:
    """Disease, intended indication, target population, treatment and unmet need."""
    return Content(summary.disease(ctx.project, _advice(ctx)))


@section_unit("briefing.product")
def product_unit(ctx: UnitContext) -> Content:
    """The product, its class, composition, manufacturing and mechanism of action."""
    return Content(summary.product(ctx.project))


@section_unit("briefing.development_status")
def development_status_unit(ctx: UnitContext) -> Content:
    """Stage and state of the quality, non-clinical and clinical development."""
    return Content(summary.development_status(ctx.project))


@section_unit("briefing.regulatory_status")
def regulatory_status_unit(ctx: UnitContext) -> Content:
    """CAT classification, orphan designation, previous advice, the Dutch route."""
    return Content(summary.regulatory_status(ctx.project, _advice(ctx)))


@section_unit("briefing.scope")
def scope_unit(ctx: UnitContext) -> Content:
    """The scope of the request and why advice is sought now, questions counted."""
    sa = _advice(ctx)
    groups = [(g.count_name, len(g.questions)) for g in question_groups(sa)]
    return Content(summary.why_now(sa, groups))


@section_unit("briefing.quality")
def quality_unit(ctx: UnitContext) -> Content:
    """Quality development in short: batches, procedures, potency, comparability."""
    return Content(summary.quality_development(ctx.project))


@section_unit("briefing.nonclinical")
def nonclinical_unit(ctx: UnitContext) -> Content:
    """The non-clinical development: the programme in words and the study table."""
    nc = ctx.project.nonclinical
    if nc is None:
        return Content([Para.of(Missing("nonclinical", "non-clinical programme"))])
    blocks: list[Block] = []
    if nc.overview:
        blocks.append(Para.of(nc.overview))
    blocks.append(
        study_table(
            "tab-bd-studies", "Non-clinical studies (completed, ongoing and planned)", nc.studies
        )
    )
    return Content(blocks)


@section_unit("briefing.synopsis")
def synopsis_unit(ctx: UnitContext) -> Content:
    """Synopsis of the planned trial."""
    computed = ctx.computed.trial if ctx.computed is not None else None
    return Content(synopsis(ctx.project, computed))


@section_unit("briefing.results")
def results_unit(ctx: UnitContext) -> Content:
    """Clinical results to date with the product."""
    return Content(results_to_date(ctx.project))


@section_unit("briefing.questions")
def questions_unit(ctx: UnitContext) -> Content:
    """The questions in the agency's groups, with the applicant's positions."""
    return Content([], _questions(ctx.project))


@section_unit("briefing.references")
def references_unit(ctx: UnitContext) -> Content:
    """The references the project lists, numbered as the positions cite them."""
    lines = reference_lines(ctx.project)
    if not lines:
        return Content([Para.of("No references are listed in the project file.")])
    return Content([Para.of(line) for line in lines])


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
            [Para([Text("The references are listed in "), CrossRef("sec-references"), Text(".")])],
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
    if not sa.annexes:
        return Content([Para.of("No annexes are attached to the request.")])
    return Content([], [_annex_section(ctx, a) for a in sa.annexes])
