"""Composing a document from its outline: applicable sections, unit content, numbers.

The common parts of every draft (title, subtitle, cover rows, properties) come from the
project here, once, so the four documents present the product, the sponsor and the
version the same way.
"""

from __future__ import annotations

from dossier.drafts.blocks import Document, Section
from dossier.drafts.fmt import date
from dossier.drafts.outline import Content, Outline, OutlineSection, UnitContext, unit
from dossier.model.project import Project
from dossier.model.regulatory import ScientificAdvice
from dossier.rules.check import matches
from dossier.rules.features import product_features

__all__ = ["agency_text", "compose", "cover_rows", "ctd_heading"]

STAGE_LABELS = {
    "exploratory_fih": "exploratory, first in human",
    "exploratory_later": "exploratory, later phase",
    "confirmatory": "confirmatory",
}


def ctd_heading(
    project: Project, s_number: str, p_number: str | None, title: str
) -> tuple[str, str]:
    """Number and heading of a CTD section: the drug-substance number, or for a combined
    S+P presentation (the default for cell products) the drug-product number with the
    substance number named in the heading."""
    prefix = project.project.output.numbering_prefix
    combined = project.project.output.combined_s_p
    if combined is None:
        combined = project.product.cell_origin != "none"
    if combined and p_number is not None:
        return f"{prefix}{p_number}", f"{title} ({prefix}{s_number})"
    return f"{prefix}{s_number}", title


def agency_text(sa: ScientificAdvice) -> str:
    """The agency and procedure as title pages name them."""
    return "CBG-MEB (national scientific advice)" if sa.agency == "CBG" else f"EMA ({sa.procedure})"


def _section(spec: OutlineSection, ctx: UnitContext, features: frozenset[str]) -> Section | None:
    if not matches(spec.applies_to, ctx.project, features):
        return None
    content = unit(spec.unit)(ctx) if spec.unit else Content()
    title = spec.title or content.title or spec.id
    number = spec.number
    if spec.ctd is not None:
        number, title = ctd_heading(ctx.project, spec.ctd.s, spec.ctd.p, title)
    children = [c for c in (_section(s, ctx, features) for s in spec.children) if c is not None]
    return Section(title, spec.id, list(content.blocks), [*children, *content.children], number)


def cover_rows(project: Project, label: str) -> list[tuple[str, str]]:
    """The rows of the cover-page table."""
    doc = project.project.document
    p = project.product
    return [
        ("Product", f"{p.name} ({p.code})" if p.code else p.name),
        ("Project", project.project.title),
        ("Document", label),
        ("Sponsor", project.project.sponsor.name),
        ("Development stage", STAGE_LABELS.get(project.stage, project.stage)),
        ("Version", doc.version),
        ("Status", doc.status),
        ("Date", date(doc.date)),
    ]


def compose(outline: Outline, ctx: UnitContext) -> Document:
    """The document an outline describes, for one project."""
    project = ctx.project
    features = product_features(project)
    sections = [s for s in (_section(x, ctx, features) for x in outline.sections) if s]
    doc = project.project.document
    sa = project.scientific_advice
    words = {
        "product": project.product.name,
        "sponsor": project.project.sponsor.name,
        "version": doc.version,
        "date": date(doc.date),
        "agency": agency_text(sa) if sa is not None else "agency not yet chosen",
    }
    return Document(
        doc_type=outline.document,
        title=outline.title.replace("{product}", project.product.name),
        subtitle=outline.subtitle.format_map(words),
        properties={"product": project.product.name, "version": doc.version, "status": doc.status},
        sections=sections,
        label=outline.label,
        cover=cover_rows(project, outline.label),
        numbering=outline.numbering,
    )
