"""Composing a document from its outline: applicable sections, unit content, numbers.

The common parts of every draft (title, subtitle, cover rows, properties) come from the
project here, once, so the four documents present the product, the sponsor and the
version the same way.
"""

from __future__ import annotations

from dossier.core.i18n import N_
from dossier.core.i18n import gettext as _
from dossier.drafts.blocks import CrossRef, Document, Missing, Para, Section
from dossier.drafts.fmt import date
from dossier.drafts.outline import Content, Outline, OutlineSection, UnitContext, unit
from dossier.model.project import Project
from dossier.model.regulatory import ScientificAdvice
from dossier.rules.check import matches
from dossier.rules.features import product_features

__all__ = ["agency_text", "combined_layout", "compose", "cover_rows", "ctd_heading"]

STAGE_LABELS = {
    "exploratory_fih": N_("exploratory, first in human"),
    "exploratory_later": N_("exploratory, later phase"),
    "confirmatory": N_("confirmatory"),
}
STATUS_LABELS = {"draft": N_("draft"), "review": N_("review"), "final": N_("final")}


def combined_layout(project: Project) -> bool:
    """Whether the project declares the combined S/P layout (separate by default)."""
    return bool(project.project.output.combined_s_p)


def ctd_heading(project: Project, number: str, title: str) -> tuple[str, str]:
    """Number (with the project's prefix) and heading of a CTD section."""
    return f"{project.project.output.numbering_prefix}{number}", title


def agency_text(sa: ScientificAdvice) -> str:
    """The agency and procedure as title pages name them."""
    return "CBG-MEB (national scientific advice)" if sa.agency == "CBG" else f"EMA ({sa.procedure})"


def _section(spec: OutlineSection, ctx: UnitContext, features: frozenset[str]) -> Section | None:
    if not matches(spec.applies_to, ctx.project, features):
        return None
    content = unit(spec.unit)(ctx) if spec.unit else Content()
    if spec.placeholder is not None:
        content = Content([Para.of(Missing(spec.placeholder.path, spec.placeholder.expectation))])
    title = _(spec.title) if spec.title else (content.title or spec.id)
    number = spec.number
    if spec.ctd is not None:
        number, title = ctd_heading(ctx.project, spec.ctd.number, title)
    children = [c for c in (_section(s, ctx, features) for s in spec.children) if c is not None]
    return Section(title, spec.id, list(content.blocks), [*children, *content.children], number)


def _combine(specs: list[OutlineSection], sections: list[Section], project: Project) -> None:
    """The combined S/P layout: each drug-substance section that names a drug-product
    section is presented in it, under the product number with the substance number in
    brackets; at its own place the heading stays, with a reference to where it is."""
    by_key = {s.key: s for top in sections for s in top.walk()}
    prefix = project.project.output.numbering_prefix

    def walk(items: list[OutlineSection]) -> None:
        for spec in items:
            walk(spec.children)
            if spec.ctd is None or spec.ctd.combined is None:
                continue
            substance = by_key.get(spec.id)
            product = next(
                (s for s in by_key.values() if s.number == f"{prefix}{spec.ctd.combined}"), None
            )
            if substance is None or product is None:
                continue
            product.title = f"{product.title} ({substance.number})"
            product.blocks = [*substance.blocks, *product.blocks]
            product.children = [*substance.children, *product.children]
            substance.blocks = [
                Para.of(
                    "Presented together with the finished product in ", CrossRef(product.key), "."
                )
            ]
            substance.children = []

    walk(specs)


def cover_rows(project: Project, label: str) -> list[tuple[str, str]]:
    """The rows of the cover-page table (in the language of the document)."""
    doc = project.project.document
    p = project.product
    stage = STAGE_LABELS.get(project.stage)
    status = STATUS_LABELS.get(doc.status)
    return [
        (_("Product"), f"{p.name} ({p.code})" if p.code else p.name),
        (_("Project"), project.project.title),
        (_("Document"), label),
        (_("Sponsor"), project.project.sponsor.name),
        (_("Development stage"), _(stage) if stage else project.stage),
        (_("Version"), doc.version),
        (_("Status"), _(status) if status else doc.status),
        (_("Date"), date(doc.date)),
    ]


def compose(outline: Outline, ctx: UnitContext) -> Document:
    """The document an outline describes, for one project."""
    project = ctx.project
    features = product_features(project)
    sections = [s for s in (_section(x, ctx, features) for x in outline.sections) if s]
    if combined_layout(project):
        _combine(outline.sections, sections, project)
    doc = project.project.document
    sa = project.scientific_advice
    words = {
        "product": project.product.name,
        "sponsor": project.project.sponsor.name,
        "version": doc.version,
        "date": date(doc.date),
        "agency": agency_text(sa) if sa is not None else "agency not yet chosen",
    }
    label = _(outline.label)
    return Document(
        doc_type=outline.document,
        title=_(outline.title).replace("{product}", project.product.name),
        subtitle=_(outline.subtitle).format_map(words),
        properties={"product": project.product.name, "version": doc.version, "status": doc.status},
        sections=sections,
        label=label,
        cover=cover_rows(project, label),
        numbering=outline.numbering,
    )
