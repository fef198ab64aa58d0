"""The Dutch route as drafts: the CTR dossier map and the GMO environmental risk assessment.

Both read the typed results of :mod:`dossier.analysis.netherlands` (``computed.netherlands``):
every status, date and verdict printed here was decided there, once. What the project
lacks is a highlighted placeholder naming the YAML path that fills it.

The map also has a JSON twin (:func:`ctr_map_data`), written next to the draft, with the
same items, statuses and dates for a checklist tool or a spreadsheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dossier.analysis.verdicts import Verdict
from dossier.core.i18n import N_
from dossier.core.i18n import gettext as _
from dossier.drafts.blocks import Block, Bullets, Cell, Missing, Para, Table
from dossier.drafts.fmt import date, join_words, or_missing
from dossier.drafts.outline import Content, UnitContext, document_data, section_unit

if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

    from dossier.analysis.netherlands import GmoComputed, MapItem, NlComputed
    from dossier.model.regulatory import GmoEnvironment, Netherlands

__all__ = ["ctr_map_data"]

PART_TITLES = {
    "I": N_("Part I (assessed by the member states concerned; in the Netherlands by CCMO)"),
    "II": N_("Part II (national; assessed by CCMO with its templates)"),
    "GMO": N_("Outside CTIS: the GMO permit (IenW, Bureau GGO)"),
}
GROUP_WORDS = {
    "staff": N_("staff"),
    "contacts": N_("contacts of the patient"),
    "environment": N_("the environment"),
}
# the values of the project's enumerations as a reader sees them (the YAML keeps its codes)
ENUM_WORDS = {
    "not_started": N_("not started"),
    "in_preparation": N_("in preparation"),
    "submitted": N_("submitted"),
    "granted": N_("granted"),
    "not_needed": N_("not needed"),
    "not_detected": N_("not detected"),
    "detected": N_("detected"),
    "not_tested": N_("not tested"),
    "absent": N_("absent"),
    "present": N_("present"),
    "negligible": N_("negligible"),
    "low": N_("low"),
    "moderate": N_("moderate"),
    "high": N_("high"),
    "containment": N_("containment"),
    "hygiene": N_("hygiene"),
    "waste": N_("waste"),
    "decontamination": N_("decontamination"),
    "spill": N_("spill"),
    "transport": N_("transport"),
    "patient_instructions": N_("patient instructions"),
    "training": N_("training"),
    "completed": N_("completed"),
    "ongoing": N_("ongoing"),
    "planned": N_("planned"),
    "autologous": N_("autologous"),
    "allogeneic": N_("allogeneic"),
    "xenogeneic": N_("xenogeneic"),
}
FORM_SECTIONS_NOTE = N_(
    "The headings follow the elements of the EU common application form; the form's own "
    "numbering was not re-read, so copy the text into the form's fields."
)


def _word(value: str) -> str:
    """An enumeration value of the project in words, in the document's language."""
    known = ENUM_WORDS.get(value)
    return _(known) if known is not None else value.replace("_", " ")


def _nl(ctx: UnitContext) -> tuple[Netherlands, NlComputed] | None:
    nl = ctx.project.netherlands
    computed = ctx.computed.netherlands if ctx.computed is not None else None
    if nl is None or computed is None:
        return None
    return nl, computed


def _no_route() -> Content:
    return Content([Para.of(Missing("netherlands", _("the Dutch route (CTR and GMO permit)")))])


def _date_cell(value: dt.date | None, path: str, label: str) -> str | Missing:
    return date(value) if value is not None else Missing(path, label)


# --- the CTR dossier map ---------------------------------------------------------------


@section_unit("ctr.overview")
def overview_unit(ctx: UnitContext) -> Content:
    """What the map lists and how many items stand where."""
    found = _nl(ctx)
    if found is None:
        return _no_route()
    nl, computed = found
    counts: dict[str, int] = {}
    for item in computed.items:
        counts[item.status_text] = counts.get(item.status_text, 0) + 1
    committee = (
        "CCMO"
        if nl.ctr.reviewing_committee == "CCMO"
        else (nl.ctr.mrec_name or _("an accredited MREC"))
    )
    route = (
        _("staggered (Part I first, then Part II)") if nl.ctr.staggered_submission else _("full")
    )
    blocks: list[Block] = [
        Para.of(
            _(
                "This map lists every document of the clinical-trial application in CTIS under "
                "Regulation (EU) No 536/2014 Annex I and the Dutch national requirements, with "
                "its CTIS document type, language, whether dossier drafts it, the file declared "
                "in the project and its status. The reviewing committee is {committee}; the "
                "submission is {route}."
            ).format(committee=committee, route=route)
            + (
                " "
                + _(
                    "The product is a GMO: the GMO permit of the Ministry of Infrastructure and "
                    "Water Management (IenW, Bureau GGO) is a separate track, listed last."
                )
                if computed.gmo is not None
                else ""
            )
        ),
        Table(
            "tab-map-status",
            _("Items of the dossier map by status"),
            [_("Status"), _("Items")],
            [[status, str(n)] for status, n in counts.items()],
        ),
        Para.of(
            _(
                "A declared file is 'present' when its SHA-256 equals the one recorded as "
                "confirmed_sha256 in the project, 'out of date' when it differs (the file "
                "changed after it was confirmed) and 'not yet confirmed' when none is recorded. "
                "The confirmation annex lists the current hash of every declared file."
            )
        ),
    ]
    return Content(blocks)


def _item_rows(items: list[MapItem]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for item in items:
        spec = item.spec
        if item.status == "not_applicable":
            file = _("not applicable: {reason}").format(reason=item.reason)
        elif item.file is not None:
            file = item.file
        else:
            file = _("none declared")
        status = item.status_text
        if spec.generated_by is not None:
            status += "; " + _("dossier drafts {scope} ({document})").format(
                scope=_(spec.generated_scope) if spec.generated_scope else "",
                document=spec.generated_by,
            )
        annex = " " + _("(Annex I {section})").format(section=spec.annex) if spec.annex else ""
        rows.append(
            [spec.id, _(spec.title) + annex, spec.ctis_type, _(spec.language), file, status]
        )
    return rows


def _part(ctx: UnitContext, part: str) -> Content:
    found = _nl(ctx)
    if found is None:
        return _no_route()
    _unused_nl, computed = found
    items = [i for i in computed.items if i.spec.part == part]
    uncertain = [i.spec.id for i in items if i.spec.confidence == "uncertain"]
    blocks: list[Block] = [
        Table(
            f"tab-map-{part.lower()}",
            _(PART_TITLES[part]),
            [
                _("Item"),
                _("Document"),
                _("CTIS document type"),
                _("Language"),
                _("File"),
                _("Status"),
            ],
            _item_rows(items),
        )
    ]
    undeclared = [i.spec.id for i in items if i.file is None and i.status == "missing"]
    if undeclared:
        blocks.append(
            Para.of(
                Missing(
                    "netherlands.documents",
                    _("the files of {count} item(s): {items}").format(
                        count=len(undeclared), items=", ".join(undeclared)
                    ),
                )
            )
        )
    notes = [f"{i.spec.id}: {_(i.spec.note)}" for i in items if i.spec.note]
    if notes:
        blocks.append(Bullets([Para.of(n) for n in notes]))
    if uncertain:
        blocks.append(
            Para.of(
                _(
                    "Not confirmed against the source ({items}): check these items with CCMO "
                    "before relying on them."
                ).format(items=join_words(uncertain))
            )
        )
    return Content(blocks)


@section_unit("ctr.part-i")
def part_i_unit(ctx: UnitContext) -> Content:
    """Part I items: Annex I sections B to J."""
    return _part(ctx, "I")


@section_unit("ctr.part-ii")
def part_ii_unit(ctx: UnitContext) -> Content:
    """Part II items: Annex I sections K to R and the Dutch national documents."""
    return _part(ctx, "II")


@section_unit("ctr.gmo")
def gmo_track_unit(ctx: UnitContext) -> Content:
    """The GMO permit track of a GMO product: item, procedure, VOV verdict, due date."""
    found = _nl(ctx)
    if found is None:
        return _no_route()
    nl, computed = found
    gmo = computed.gmo
    if gmo is None:
        return Content([Para.of(_("The product is not a GMO; no GMO permit is needed."))])
    content = _part(ctx, "GMO")
    permit = gmo.permit
    content.blocks.append(
        Para.of(
            _("Procedure: "),
            permit.procedure
            or Missing("netherlands.gmo_permit.procedure", _("GMO permit procedure")),
            _(
                "; status: {status}; VOV check: {verdict} (see the GMO risk-assessment draft "
                "for the reasons)."
            ).format(status=_word(nl.gmo_permit.status), verdict=gmo.vov.verdict_text),
        )
    )
    return content


def _verdict_sentence(verdict: Verdict, met: str, not_met: str, unknown: str) -> str:
    if verdict is Verdict.MET:
        return met
    if verdict is Verdict.NOT_MET:
        return not_met
    return unknown


@section_unit("ctr.dates")
def dates_unit(ctx: UnitContext) -> Content:
    """Planned submission, CCMO timelines (full or staggered), the GMO permit, first dosing."""
    found = _nl(ctx)
    if found is None:
        return _no_route()
    _unused_nl, computed = found
    ctr = computed.ctr
    from dossier.analysis.netherlands import route_data

    t = route_data().timelines
    rows: list[list[Cell]] = []
    for s in ctr.scenarios:
        rows.append(
            [
                _(s.label),
                _("{days} days").format(days=s.part_i_days),
                _("{days} days").format(days=s.part_ii_days),
                _date_cell(
                    s.decision,
                    "netherlands.ctr.planned_submission"
                    + (" / planned_part_ii_submission" if ctr.staggered else ""),
                    _("planned submission date(s)"),
                ),
            ]
        )
    blocks: list[Block] = [
        Para.of(
            _("Planned submission of Part I: ") if ctr.staggered else _("Planned submission: "),
            _date_cell(
                ctr.submission, "netherlands.ctr.planned_submission", _("planned submission")
            ),
            *(
                (
                    _("; of Part II: "),
                    _date_cell(
                        ctr.part_ii_submission,
                        "netherlands.ctr.planned_part_ii_submission",
                        _("planned Part II submission"),
                    ),
                )
                if ctr.staggered
                else ()
            ),
            _(". Planned first dosing: "),
            _date_cell(
                computed.dosing.dosing,
                "netherlands.planned_first_dosing",
                _("planned first dosing"),
            ),
            ".",
        ),
        Table(
            "tab-ccmo-timelines",
            _("CCMO timelines of the planned submission (staggered)")
            if ctr.staggered
            else _("CCMO timelines of the planned submission (full)"),
            [_("Assumption"), _("Part I assessment"), _("Part II assessment"), _("Decision due")],
            rows,
        ),
        Para.of(
            _(
                "Each date adds {validation} days of validation and {decision} days for the "
                "decision to the assessment."
            ).format(validation=t.validation_days.days, decision=t.decision_days.days)
            + " "
            + (
                _(
                    "Submitted staggered, Part I is assessed first; the decision on the trial "
                    "follows the later of the two parts, and only Part I gets the ATMP extension."
                )
                if ctr.staggered
                else _(
                    "Submitted in full, both parts run together; only Part I gets the ATMP "
                    "extension, so the later part decides the date."
                )
            )
            + " "
            + _(
                "A validation that needs the sponsor to complete the application adds up to "
                "15 days."
            )
        ),
    ]
    if computed.gmo is not None:
        permit = computed.gmo.permit
        blocks.append(
            Para.of(
                _("GMO permit: "),
                _date_cell(
                    permit.due,
                    "netherlands.gmo_permit.application_date",
                    _("GMO permit application date"),
                ),
                f" ({permit.basis.text()}).",
            )
        )
    dosing = computed.dosing
    verdicts = [
        _verdict_sentence(
            dosing.after_earliest_decision,
            _("The planned first dosing follows the earliest CCMO decision date."),
            _(
                "The plan cannot hold: the planned first dosing precedes the earliest date on "
                "which CCMO can decide."
            ),
            _(
                "The first dosing cannot be compared with the CCMO timelines until both dates "
                "are given."
            ),
        ),
        _verdict_sentence(
            dosing.after_latest_decision,
            _(
                "It also follows the decision date with every extension, so it holds whatever "
                "CCMO asks."
            ),
            _(
                "It precedes the decision date with a request for information and the ATMP "
                "extension: it holds only if CCMO asks nothing and does not extend."
            ),
            "",
        ),
    ]
    if computed.gmo is not None:
        verdicts.append(
            _verdict_sentence(
                dosing.after_permit,
                _("It follows the date by which the GMO permit is due."),
                _("It precedes the date by which the GMO permit is due: dosing needs the permit."),
                _(
                    "The first dosing cannot be compared with the GMO permit until the "
                    "application date (or the permit) is given."
                ),
            )
        )
    blocks.append(Para.of(" ".join(v for v in verdicts if v)))
    blocks.append(
        Para.of(
            _("Sources: {sources}.").format(sources=t.source)
            + (
                " "
                + _(
                    "The GMO procedure lengths are maxima; a question from Bureau GGO may stop "
                    "the clock."
                )
                if computed.gmo is not None
                else ""
            )
        )
    )
    return Content(blocks)


@section_unit("ctr.confirm")
def confirm_unit(ctx: UnitContext) -> Content:
    """The current hash of every declared file, to record as confirmed_sha256."""
    found = _nl(ctx)
    if found is None:
        return _no_route()
    _unused_nl, computed = found
    rows: list[list[Cell]] = [
        [item.spec.id, item.file or "", item.sha256 or "", item.status_text]
        for item in computed.items
        if item.file is not None and item.sha256 is not None
    ]
    if not rows:
        return Content(
            [
                Para.of(
                    _(
                        "No declared file was found. Declare each document under "
                        "netherlands.documents (item and file); the next build reports its hash."
                    )
                )
            ]
        )
    return Content(
        [
            Para.of(
                _(
                    "Once a file is checked, record its current hash as confirmed_sha256 of its "
                    "item in netherlands.documents; a later change to the file makes the item "
                    "'out of date'."
                )
            ),
            Table(
                "tab-map-hashes",
                _("Declared files and their current SHA-256"),
                [_("Item"), _("File"), "SHA-256", _("Status")],
                rows,
            ),
        ]
    )


@document_data("ctr-map")
def ctr_map_data(ctx: UnitContext) -> dict[str, Any]:
    """The JSON twin of the dossier map: items, statuses, dates and verdicts."""
    found = _nl(ctx)
    if found is None:
        return {"netherlands": None}
    nl, computed = found

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    from dossier.analysis.netherlands import route_data

    data = route_data()
    gmo = computed.gmo
    return {
        "product": ctx.project.product.code,
        "data_version": data.version,
        "reviewing_committee": nl.ctr.reviewing_committee,
        "staggered": computed.ctr.staggered,
        "items": [
            {
                "id": i.spec.id,
                "part": i.spec.part,
                "annex_section": i.spec.annex,
                "title": i.spec.title,
                "ctis_document_type": i.spec.ctis_type,
                "language": i.spec.language,
                "national": i.spec.national,
                "generated_by": i.spec.generated_by,
                "file": i.file,
                "sha256": i.sha256,
                "status": i.status,
                "not_applicable": i.reason,
                "source": i.spec.source,
                "confidence": i.spec.confidence,
            }
            for i in computed.items
        ],
        "dates": {
            "planned_submission": iso(computed.ctr.submission),
            "planned_part_ii_submission": iso(computed.ctr.part_ii_submission),
            "ccmo_decision": {s.key: iso(s.decision) for s in computed.ctr.scenarios},
            "gmo_permit_due": iso(gmo.permit.due) if gmo is not None else None,
            "planned_first_dosing": iso(computed.dosing.dosing),
        },
        "verdicts": {
            "dosing_after_earliest_decision": computed.dosing.after_earliest_decision.met,
            "dosing_after_latest_decision": computed.dosing.after_latest_decision.met,
            "dosing_after_gmo_permit": computed.dosing.after_permit.met if gmo else None,
            "vov_eligible": gmo.vov.eligible.met if gmo is not None else None,
        },
    }


# --- the GMO environmental risk assessment ---------------------------------------------


def _gmo(ctx: UnitContext) -> tuple[Netherlands, GmoComputed, GmoEnvironment | None] | None:
    found = _nl(ctx)
    if found is None or found[1].gmo is None:
        return None
    nl, computed = found
    assert computed.gmo is not None
    return nl, computed.gmo, nl.gmo_permit.environment


def _not_gmo() -> Content:
    return Content(
        [Para.of(_("The product is not flagged as a GMO (product.gmo); no permit is needed."))]
    )


ENV = "netherlands.gmo_permit.environment"


@section_unit("gmo.form")
def form_unit(ctx: UnitContext) -> Content:
    """Which application form fits the product, and its conditions."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, _unused_env = found
    from dossier.analysis.netherlands import route_data

    form = route_data().forms[gmo.form]
    p = ctx.project.product
    blocks: list[Block] = [
        Para.of(
            _(
                "This draft sets out the environmental risk assessment of {product} for the GMO "
                "permit of the Ministry of Infrastructure and Water Management (IenW), handled "
                "by Bureau GGO with the advice of COGEM. The trial and the permit are separate "
                "tracks that may run in parallel; both must be in place before the first GMO "
                "activity and the first dosing."
            ).format(product=p.name)
        ),
        Para.of(_("Form: {title} ({version}).").format(title=form.title, version=_(form.version))),
    ]
    if form.scope:
        blocks.append(Para.of(_("The form covers {scope}.").format(scope=_(form.scope))))
    if form.note:
        blocks.append(Para.of(_(form.note)))
    blocks.append(Para.of(_(FORM_SECTIONS_NOTE)))
    return Content(blocks)


@section_unit("gmo.procedure")
def procedure_unit(ctx: UnitContext) -> Content:
    """The procedure, the VOV check with its reasons, the length and the due date."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    nl, gmo, _unused_env = found
    permit = nl.gmo_permit
    from dossier.analysis.netherlands import route_data

    data = route_data()
    rows: list[list[Cell]] = [
        [
            _(spec.label),
            _("up to {days} days").format(days=spec.days)
            + (
                " " + _("({days} with the additional conditions)").format(days=spec.short_days)
                if spec.short_days
                else ""
            ),
        ]
        for spec in data.gmo_procedures.procedures.values()
    ]
    chosen = permit.procedure
    blocks: list[Block] = [
        Para.of(
            _("VOV check: {verdict}. Reasons: {reasons}.").format(
                verdict=gmo.vov.verdict_text, reasons="; ".join(gmo.vov.reasons)
            )
        ),
        Table(
            "tab-gmo-procedures",
            _("GMO permit procedures and their maximum length"),
            [_("Procedure"), _("Maximum length")],
            rows,
        ),
        Para.of(
            _("Chosen procedure: "),
            chosen or Missing("netherlands.gmo_permit.procedure", _("GMO permit procedure")),
            _("; status: {status}").format(status=_word(permit.status))
            + (
                _("; Bureau GGO reference {reference}").format(reference=permit.reference)
                if permit.reference
                else ""
            )
            + _(". The permit is due: "),
            _date_cell(
                gmo.permit.due, "netherlands.gmo_permit.application_date", _("application date")
            ),
            f" ({gmo.permit.basis.text()}).",
        ),
    ]
    if chosen == "VOV" and gmo.vov.eligible is Verdict.NOT_MET:
        blocks.append(
            Para.of(
                _(
                    "The VOV procedure is chosen but the product does not meet its conditions; "
                    "the regular procedure applies."
                )
            )
        )
    blocks.append(
        Para.of(
            _("Sources: {sources}.").format(sources=data.gmo_procedures.source)
            + " "
            + _(data.gmo_procedures.note)
        )
    )
    return Content(blocks)


@section_unit("gmo.organism")
def organism_unit(ctx: UnitContext) -> Content:
    """The recipient cells or parental organism, the vector and the insert."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, env = found
    p = ctx.project.product
    v = p.vector
    rows: list[list[Cell]] = []
    if gmo.form == "cells":
        rows.append([_("Modified cells"), f"{p.cell_type or _('cells')} ({_word(p.cell_origin)})"])
    rows.append(
        [
            _("Parental organism of the vector"),
            or_missing(
                env.parental_organism if env else None,
                f"{ENV}.parental_organism",
                _("parental organism"),
            ),
        ]
    )
    if v is not None:
        rows += [
            [_("Vector"), f"{v.type}" + (f", {v.serotype}" if v.serotype else "")],
            [_("Insert (transgene)"), v.transgene],
            [_("Promoter"), or_missing(v.promoter, "product.vector.promoter", _("promoter"))],
            [_("Integrating"), _("yes") if v.integrating else _("no")],
            [
                _("Replication-competent by design"),
                _("yes") if v.replication_competent else _("no"),
            ],
        ]
        if v.description:
            rows.append([_("Description"), v.description])
    rows.append(
        [
            _("Genetic modification of the vector"),
            or_missing(
                env.genetic_modification if env else None,
                f"{ENV}.genetic_modification",
                _("deleted or changed genes, packaging system"),
            ),
        ]
    )
    if p.gene_editing.present:
        rows.append([_("Genome editing"), p.gene_editing.editor or ""])
    return Content(
        [
            Table(
                "tab-gmo-organism",
                _("The GMO: organism, vector and insert"),
                [_("Element"), _("Description")],
                rows,
            )
        ]
    )


@section_unit("gmo.replication")
def replication_unit(ctx: UnitContext) -> Content:
    """Replication competence and its testing; residual infectious vector (cells)."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, env = found
    rcv = env.replication_competence if env else None
    result: Cell = (
        _word(rcv.result)
        if rcv is not None
        else Missing(f"{ENV}.replication_competence.result", _("result of the RCV test"))
    )
    testing: Cell = or_missing(
        rcv.testing if rcv else None,
        f"{ENV}.replication_competence.testing",
        _("what is tested, on which material, detection limit"),
    )
    methods = ", ".join(gmo.rcv_methods) or _("none declared among the analytical methods")
    rows: list[list[Cell]] = [
        [_("Replication-competent virus: result"), result],
        [_("Testing"), testing],
        [_("Release methods for replication-competent virus"), methods],
    ]
    if gmo.form == "cells":
        residual = env.residual_infectious_vector if env else None
        rows.append(
            [
                _("Residual infectious vector in the finished product"),
                _word(residual.status)
                if residual is not None
                else Missing(
                    f"{ENV}.residual_infectious_vector.status", _("residual infectious vector")
                ),
            ]
        )
        rows.append(
            [
                _("Evidence"),
                or_missing(
                    residual.evidence if residual else None,
                    f"{ENV}.residual_infectious_vector.evidence",
                    _("assay, detection limit, batches"),
                ),
            ]
        )
    return Content(
        [
            Table(
                "tab-gmo-replication",
                _("Replication competence and residual vector"),
                [_("Question"), _("Answer")],
                rows,
            )
        ]
    )


@section_unit("gmo.distribution")
def distribution_unit(ctx: UnitContext) -> Content:
    """Shedding and biodistribution data: the text and the studies that cover them."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, env = found
    studies = {
        s.id: s for s in (ctx.project.nonclinical.studies if ctx.project.nonclinical else [])
    }
    blocks: list[Block] = [
        Para.of(
            or_missing(
                env.shedding if env else None,
                f"{ENV}.shedding",
                _("shedding data and clinical sampling plan"),
            )
        )
    ]
    if gmo.distribution_studies:
        rows: list[list[Cell]] = []
        for sid in gmo.distribution_studies:
            s = studies[sid]
            summary = ctx.computed.biodistribution.get(sid) if ctx.computed else None
            rows.append(
                [
                    sid,
                    s.title,
                    s.species or "",
                    _word(s.status),
                    _("computed from the data (see the non-clinical IMPD)")
                    if summary is not None
                    else _("the data file could not be analysed")
                    if s.data is not None and s.data.biodistribution is not None
                    else _("no data file"),
                ]
            )
        blocks.append(
            Table(
                "tab-gmo-studies",
                _("Non-clinical studies covering biodistribution, persistence or shedding"),
                [_("Study"), _("Title"), _("Species"), _("Status"), _("Biodistribution data")],
                rows,
            )
        )
    else:
        blocks.append(
            Para.of(
                Missing(
                    "nonclinical.studies",
                    _("a study covering biodistribution or shedding (study_type or also_covers)"),
                )
            )
        )
    return Content(blocks)


@section_unit("gmo.exposure")
def exposure_unit(ctx: UnitContext) -> Content:
    """Routes of exposure for staff, contacts and the environment."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, _unused_env = found
    blocks: list[Block] = []
    if gmo.risks:
        blocks.append(
            Table(
                "tab-gmo-exposure",
                _("Routes of exposure"),
                [_("Route"), _("Who or what"), _("How exposure could happen"), _("Hazard")],
                [[r.id, _(GROUP_WORDS[r.group]), r.route, r.hazard] for r in gmo.risks],
            )
        )
    for group in gmo.groups_without_route:
        blocks.append(
            Para.of(
                Missing(
                    f"{ENV}.exposure_routes",
                    _("an exposure route for {group} (or why there is none)").format(
                        group=_(GROUP_WORDS[group])
                    ),
                )
            )
        )
    return Content(blocks)


def _rationales(env: GmoEnvironment | None) -> list[Block]:
    """Why each route is graded as it is, where the project says so."""
    said = [r for r in (env.exposure_routes if env else []) if r.rationale]
    if not said:
        return []
    return [Bullets([Para.of(f"{r.id}: {r.rationale}") for r in said])]


@section_unit("gmo.risk")
def risk_unit(ctx: UnitContext) -> Content:
    """Hazard × exposure → risk for every route, and the overall estimate."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, gmo, env = found
    from dossier.analysis.netherlands import route_data

    matrix = route_data().risk_matrix
    if not gmo.risks:
        return Content(
            [
                Para.of(
                    Missing(
                        f"{ENV}.exposure_routes",
                        _("exposure routes with consequence and likelihood"),
                    )
                )
            ]
        )
    rows: list[list[Cell]] = [
        [
            r.id,
            _(GROUP_WORDS[r.group]),
            _word(r.consequence),
            _word(r.likelihood),
            _word(r.risk),
            ", ".join(r.measures) or _("none"),
        ]
        for r in gmo.risks
    ]
    return Content(
        [
            Table(
                "tab-gmo-risk",
                _("Risk characterisation: consequence × likelihood"),
                [
                    _("Route"),
                    _("Who or what"),
                    _("Consequence"),
                    _("Likelihood"),
                    _("Risk"),
                    _("Measures"),
                ],
                rows,
            ),
            *_rationales(env),
            Para.of(
                _(
                    "Overall, the highest estimated risk of any route is {risk}. The risk of "
                    "each route combines the magnitude of the consequence with its likelihood "
                    "({source})."
                ).format(risk=_word(gmo.overall_risk or ""), source=matrix.source)
                + " "
                + _(matrix.note)
            ),
        ]
    )


@section_unit("gmo.measures")
def measures_unit(ctx: UnitContext) -> Content:
    """Risk-management measures, waste handling included."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, _unused_gmo, env = found
    if env is None or not env.measures:
        return Content([Para.of(Missing(f"{ENV}.measures", _("management and waste measures")))])
    kinds = {m.kind for m in env.measures}
    blocks: list[Block] = [
        Table(
            "tab-gmo-measures",
            _("Management measures"),
            [_("Measure"), _("Kind"), _("Measure as applied")],
            [[m.id, _word(m.kind), m.text] for m in env.measures],
        )
    ]
    for kind, label in (
        ("waste", _("a measure on waste handling")),
        ("patient_instructions", _("a measure on instructions to the patient")),
    ):
        if kind not in kinds:
            blocks.append(Para.of(Missing(f"{ENV}.measures", label)))
    return Content(blocks)


@section_unit("gmo.monitoring")
def monitoring_unit(ctx: UnitContext) -> Content:
    """Monitoring of patients and the environment."""
    found = _gmo(ctx)
    if found is None:
        return _not_gmo()
    _unused_nl, _unused_gmo, env = found
    return Content(
        [
            Para.of(
                or_missing(
                    env.monitoring if env else None,
                    f"{ENV}.monitoring",
                    _("monitoring of patients and environment, reporting to Bureau GGO"),
                )
            )
        ]
    )
