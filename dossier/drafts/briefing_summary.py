"""The parts of a briefing document that summarise the project: the title block, the
disease, the product, the development and regulatory status, the quality development
and why the questions are asked now.

Every sentence states a field of the project or a count of its items; where the
project is silent a placeholder names the field that would fill it. The EMA variant
opens with these parts as its summary (about three pages at most); the CBG variant puts
the title block and the scope first and the rest in its background chapter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dossier.analysis.advice import documents_due
from dossier.drafts.blocks import Block, Bullets, Cell, Missing, Para, Table
from dossier.drafts.compose import STAGE_LABELS, agency_text
from dossier.drafts.fmt import count_word, date, join_words, plural

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.project import Project
    from dossier.model.regulatory import ScientificAdvice

__all__ = [
    "ATMP_CLASS",
    "development_status",
    "disease",
    "product",
    "quality_development",
    "regulatory_status",
    "title_block",
    "why_now",
]

ATMP_CLASS = {
    "GTMP": "gene therapy medicinal product",
    "sCTMP": "somatic cell therapy medicinal product",
    "TEP": "tissue-engineered product",
    "cATMP": "combined advanced therapy medicinal product",
}

PROCEDURES = {
    "national": "national scientific advice",
    "SA": "scientific advice",
    "PA": "protocol assistance",
}


def _applicant(project: Project) -> str:
    sponsor = project.project.sponsor
    return ", ".join(p for p in (sponsor.name, sponsor.address, sponsor.country) if p)


def _contacts(project: Project) -> list[list[Cell]]:
    return [
        [
            "Contact",
            ", ".join(p for p in (c.name, c.role, c.affiliation, c.email, c.phone) if p),
        ]
        for c in project.project.contacts
    ]


def _optional(label: str, value: str | None) -> list[list[Cell]]:
    """A row of the title block when there is a value to show."""
    return [] if value is None else [[label, value]]


def _meeting(sa: ScientificAdvice) -> str:
    if sa.meeting_date:
        return date(sa.meeting_date)
    return "not applicable (written advice)" if sa.format == "written" else "to be scheduled"


def title_block(project: Project, sa: ScientificAdvice) -> Table:
    """The title block: EMA's (active substance, pharmaco-therapeutic group, intended
    indication, applicant, procedure) or the CBG title page of the brief's section 7.4
    (product, applicant, contact, procedure, case number, meeting, documents due)."""
    p = project.product
    doc = project.project.document
    version: list[Cell] = ["Version and date", f"{doc.version}, {date(doc.date)}"]
    if sa.agency == "EMA":
        rows: list[list[Cell]] = [
            [
                "Active substance",
                p.inn or Missing("product.inn", "INN or working name of the active substance"),
            ],
            ["Product", f"{p.name} ({p.code})"],
            [
                "Pharmaco-therapeutic group",
                p.pharmacotherapeutic_group
                or Missing("product.pharmacotherapeutic_group", "pharmaco-therapeutic group"),
            ],
            ["Intended indication", p.indication],
            ["Applicant", _applicant(project)],
            *_contacts(project),
            [
                "Procedure",
                f"EMA {PROCEDURES[sa.procedure]} ({sa.procedure}), "
                + ("with a discussion meeting" if sa.format == "meeting" else "written"),
            ],
            [
                "Research product identifier",
                sa.rpi or Missing("scientific_advice.rpi", "EMA research product identifier"),
            ],
            *_optional("Discussion meeting", _meeting(sa) if sa.format == "meeting" else None),
            version,
        ]
        return Table("tab-title", "Title block of the request", ["Item", "Details"], rows)
    due = documents_due(sa)
    rows = [
        ["Product", f"{p.name} ({p.code})"],
        *_optional("Active substance", p.inn),
        *_optional("Pharmaco-therapeutic group", p.pharmacotherapeutic_group),
        ["Intended indication", p.indication],
        ["Applicant", _applicant(project)],
        *_contacts(project),
        ["Agency and procedure", f"{agency_text(sa)}, {sa.format} advice"],
        ["Case number", sa.case_number or "to be assigned"],
        *_optional("Research product identifier (EMA)", sa.rpi),
        ["Meeting date", _meeting(sa)],
        *_optional(
            "Briefing document and attendees due",
            f"{date(due)} (three weeks before)" if due is not None else None,
        ),
        version,
    ]
    return Table("tab-title", "Title page of the request", ["Item", "Details"], rows)


def disease(project: Project, sa: ScientificAdvice) -> list[Block]:
    """Disease, intended indication, target population, current treatment, unmet need."""
    p = project.product
    bg = sa.background
    return [
        Para.of(bg.disease),
        Para.of("Intended indication: ", p.indication.rstrip("."), "."),
        Para.of(
            "Target population: ",
            p.target_population
            or Missing("product.target_population", "patients to be treated in the trial"),
        ),
        Para.of(
            "Current treatment: ",
            bg.current_treatment
            or Missing("scientific_advice.background.current_treatment", "current treatment"),
        ),
        Para.of("Unmet need: ", bg.unmet_need),
    ]


def product(project: Project) -> list[Block]:
    """The product, its class and composition, manufacturing and mechanism of action."""
    p = project.product
    return [
        Para.of(p.description),
        Para.of(f"Class: {ATMP_CLASS[p.atmp_class]} ({p.atmp_class}); dose unit {p.dose_unit}."),
        Para.of(
            "Composition: ",
            p.composition or Missing("product.composition", "composition of the finished product"),
        ),
        Para.of(
            "Manufacturing overview: ",
            p.manufacturing_summary
            or Missing("product.manufacturing_summary", "overview of the manufacturing process"),
        ),
        Para.of("Mechanism of action: ", p.mechanism_of_action.statement),
        Bullets(
            [
                Para.of(s.name + (f": {s.description}" if s.description else ""))
                for s in p.mechanism_of_action.steps
            ]
        ),
    ]


def _counted(values: Iterable[str]) -> str:
    """'3 engineering and 1 toxicology': the values counted, in order of first appearance."""
    counts = Counter(values)
    return join_words([f"{n} {what.replace('_', ' ')}" for what, n in counts.items()])


def _quality_status(project: Project) -> Para:
    q = project.quality
    uses = [u for b in q.batches for u in b.uses]
    parts = [
        f"{count_word(len(q.batches))} {plural(len(q.batches), 'batch', 'batches')} "
        f"manufactured (uses: {_counted(uses)})"
    ]
    if q.potency is not None:
        status = [a.lifecycle_status for a in q.potency.assays]
        parts.append(
            f"{count_word(len(q.potency.assays))} potency "
            f"{plural(len(q.potency.assays), 'assay')} ({_counted(status)})"
        )
    if q.analytical_methods:
        status = [m.lifecycle_status for m in q.analytical_methods]
        parts.append(
            f"{count_word(len(q.analytical_methods))} other analytical "
            f"{plural(len(q.analytical_methods), 'procedure')} ({_counted(status)})"
        )
    parts.append(
        f"{count_word(len(q.comparability))} comparability "
        f"{plural(len(q.comparability), 'exercise')}"
    )
    return Para.of("Quality: ", "; ".join(parts), ".")


def _nonclinical_status(project: Project) -> Para:
    nc = project.nonclinical
    if nc is None:
        return Para.of("Non-clinical: ", Missing("nonclinical", "non-clinical programme"))
    status = [s.status for s in nc.studies]
    glp = sum(1 for s in nc.studies if s.glp.status == "GLP")
    return Para.of(
        f"Non-clinical: {count_word(len(nc.studies))} {plural(len(nc.studies), 'study', 'studies')}"
        f" ({_counted(status)}), "
        + (f"{count_word(glp)} of them under GLP." if glp else "none under GLP.")
    )


def _clinical_status(project: Project) -> list[Block]:
    trial, experience = project.clinical_trial, project.clinical_experience
    planned: Para = (
        Para.of(f"Clinical: the planned trial is {trial.title} (phase {trial.phase}).")
        if trial is not None
        else Para.of("Clinical: ", Missing("clinical_trial", "the planned clinical trial"))
    )
    out: list[Block] = [planned]
    if experience is not None:
        dosed = sum(level.patients for t in experience.trials for level in t.dose_levels)
        out.append(
            Para.of(
                f"Clinical results to date: {count_word(len(experience.trials))} "
                f"{plural(len(experience.trials), 'trial')} of the product, {dosed} patients "
                "dosed."
            )
        )
    elif project.stage == "exploratory_fih":
        out.append(
            Para.of("The planned trial is the first in which the product is given to humans.")
        )
    else:
        out.append(
            Para.of(
                "Clinical results to date: ",
                Missing("clinical_experience", "the product's trials and results to date"),
            )
        )
    return out


def development_status(project: Project) -> list[Block]:
    """The stage and the state of the quality, non-clinical and clinical development."""
    summary = (
        project.scientific_advice.background.development_summary
        if project.scientific_advice
        else None
    )
    return [
        Para.of(f"Development stage of the planned trial: {STAGE_LABELS[project.stage]}."),
        *([Para.of(summary)] if summary else []),
        _quality_status(project),
        _nonclinical_status(project),
        *_clinical_status(project),
    ]


def regulatory_status(project: Project, sa: ScientificAdvice) -> list[Block]:
    """CAT classification, orphan designation, previous advice, the Dutch route."""
    product = project.product
    items: list[Para] = []
    cat = product.cat_classification
    if cat is not None and (cat.requested or cat.reference):
        items.append(
            Para.of(
                "CAT classification: "
                + (cat.outcome or ("requested" if cat.requested else "not requested"))
                + (f" ({cat.reference})" if cat.reference else "")
            )
        )
    else:
        items.append(
            Para.of(
                "CAT classification: ",
                Missing("product.cat_classification", "whether a CAT classification was asked"),
            )
        )
    od = product.orphan_designation
    items.append(
        Para.of("Orphan designation: " + od.status + (f" ({od.reference})" if od.reference else ""))
        if od is not None
        else Para.of(
            "Orphan designation: ",
            Missing("product.orphan_designation", "orphan designation status"),
        )
    )
    items.append(
        Para.of(
            "Previous scientific advice: ",
            sa.background.previous_advice
            or Missing("scientific_advice.background.previous_advice", "earlier advice, or none"),
        )
    )
    nl = project.netherlands
    if nl is not None:
        ctr = nl.ctr
        committee = ctr.reviewing_committee + (f" ({ctr.mrec_name})" if ctr.mrec_name else "")
        items.append(
            Para.of(
                f"Clinical trial application via CTIS with {committee} as reviewing committee"
                + (" (staggered submission)" if ctr.staggered_submission else "")
                + f"; member states concerned: {', '.join(ctr.member_states)}"
                + (f"; CTIS number {ctr.ctis_number}" if ctr.ctis_number else "")
            )
        )
        gmo = nl.gmo_permit
        items.append(
            Para.of(
                "GMO permit: "
                + (
                    "not required"
                    if not gmo.required
                    else f"{gmo.procedure or 'procedure to be chosen'}, "
                    f"{gmo.status.replace('_', ' ')}"
                )
                + (f"; VOV category: {gmo.vov_category}" if gmo.vov_category else "")
                + (f"; reference {gmo.reference}" if gmo.reference else "")
            )
        )
        he = nl.hospital_exemption
        if he.applicable or he.igj_status:
            items.append(
                Para.of(
                    "Hospital exemption: "
                    + ("applies" if he.applicable else "does not apply")
                    + (f"; status with IGJ: {he.igj_status}" if he.igj_status else "")
                )
            )
    return [Bullets(items)]


def quality_development(project: Project) -> list[Block]:
    """The quality development in short: batches, analytical procedures, the potency
    strategy and comparability."""
    q = project.quality
    blocks: list[Block] = [
        Table(
            "tab-bd-batches",
            "Batches manufactured so far",
            ["Batch", "Uses", "Process", "Manufactured", "Scale"],
            [
                [
                    b.id,
                    ", ".join(u.replace("_", " ") for u in b.uses),
                    b.process_version,
                    date(b.manufacture_date),
                    b.scale or "not stated",
                ]
                for b in q.batches
            ],
        )
    ]
    if q.potency is not None:
        blocks.append(Para.of("Potency strategy: ", q.potency.strategy.rationale))
        blocks.append(
            Bullets(
                [
                    Para.of(
                        f"{a.name}: {a.measurand} ({a.lifecycle_status.replace('_', ' ')}; "
                        f"{', '.join(r.replace('_', ' ') for r in a.roles)})"
                    )
                    for a in q.potency.assays
                ]
            )
        )
    else:
        blocks.append(
            Para.of("Potency strategy: ", Missing("quality.potency", "potency strategy and assays"))
        )
    if q.analytical_methods:
        blocks.append(
            Para.of(
                "Other analytical procedures: "
                + "; ".join(
                    f"{m.name} ({m.attribute}, {m.lifecycle_status.replace('_', ' ')})"
                    for m in q.analytical_methods
                )
                + "."
            )
        )
    if q.comparability:
        blocks.append(
            Bullets(
                [
                    Para.of(
                        f"Comparability, {c.change} ({c.outcome.replace('_', ' ')}): ",
                        c.conclusion,
                    )
                    for c in q.comparability
                ]
            )
        )
    else:
        blocks.append(Para.of("No comparability exercise is recorded in the project."))
    return blocks


def why_now(sa: ScientificAdvice, groups: list[tuple[str, int]]) -> list[Block]:
    """The scope and why advice is sought now, with the questions counted per group
    (``groups``: the group as the count names it, e.g. 'in group A (quality)', and its
    number of questions)."""
    n = len(sa.questions)
    return [
        Para.of(sa.scope),
        Para.of(
            f"The request has {count_word(n)} {plural(n, 'question')}: "
            + join_words([f"{count} {name}" for name, count in groups])
            + "."
        ),
    ]
