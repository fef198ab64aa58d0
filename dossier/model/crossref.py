"""Cross-reference integrity: ids are unique and every cited id exists.

Works on the validated :class:`~dossier.model.project.Project` and reports
``(code, message, yaml path, hint)`` tuples; the caller attaches file positions.
Codes: ``DOS-X001`` duplicate id, ``DOS-X002`` unknown reference,
``DOS-X003`` reference of the wrong kind, ``DOS-X010`` inconsistent sections,
``DOS-X012`` a validity criterion or system-suitability measure the assay's model cannot judge.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dossier.core.diagnostics import PathPart, Severity
from dossier.model.project import Project

Path = tuple[PathPart, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A cross-reference problem before it gets a file position."""

    code: str
    severity: Severity
    message: str
    path: Path
    hint: str | None = None


def _hint(ref: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(ref, list(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    known_list = sorted(known)
    if not known_list:
        return "nothing of that kind is defined in the project file"
    shown = ", ".join(known_list[:8]) + (", ..." if len(known_list) > 8 else "")
    return f"known ids: {shown}"


class _Index:
    """Ids by kind, with the path where each is defined."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[str, Path]] = {}
        self.problems: list[Problem] = []

    def add(self, kind: str, ident: str, path: Path) -> None:
        table = self.by_kind.setdefault(kind, {})
        if ident in table:
            first = ".".join(str(p) for p in table[ident])
            self.problems.append(
                Problem(
                    "DOS-X001",
                    Severity.ERROR,
                    f"{kind} id '{ident}' is defined twice",
                    (*path, "id"),
                    f"first defined at {first}; ids must be unique",
                )
            )
            return
        table[ident] = path

    def ids(self, kind: str) -> dict[str, Path]:
        return self.by_kind.get(kind, {})


def _index(project: Project) -> _Index:
    idx = _Index()
    for i, step in enumerate(project.product.mechanism_of_action.steps):
        idx.add("moa_step", step.id, ("product", "mechanism_of_action", "steps", i))
    q = project.quality
    for i, batch in enumerate(q.batches):
        idx.add("batch", batch.id, ("quality", "batches", i))
    for i, method in enumerate(q.analytical_methods):
        idx.add("method", method.id, ("quality", "analytical_methods", i))
    for i, comp in enumerate(q.comparability):
        idx.add("comparability", comp.id, ("quality", "comparability", i))
    if q.potency is not None:
        for i, assay in enumerate(q.potency.assays):
            base: Path = ("quality", "potency", "assays", i)
            idx.add("assay", assay.id, base)
            for j, run in enumerate(assay.runs):
                idx.add("run", run.id, (*base, "runs", j))
            if assay.reference_standard is not None:
                idx.add(
                    "reference_standard", assay.reference_standard.id, (*base, "reference_standard")
                )
    if project.nonclinical is not None:
        for i, study in enumerate(project.nonclinical.studies):
            idx.add("study", study.id, ("nonclinical", "studies", i))
    if project.fih_dose is not None:
        for i, inp in enumerate(project.fih_dose.inputs):
            idx.add("dose_input", inp.id, ("fih_dose", "inputs", i))
    if project.risk_profile is not None:
        for i, risk in enumerate(project.risk_profile.risks):
            idx.add("risk", risk.id, ("risk_profile", "risks", i))
        for i, factor in enumerate(project.risk_profile.factors):
            idx.add("factor", factor.id, ("risk_profile", "factors", i))
    for i, ref in enumerate(project.references):
        idx.add("reference", ref.id, ("references", i))
    if project.scientific_advice is not None:
        sa = project.scientific_advice
        for i, question in enumerate(sa.questions):
            idx.add("question", question.id, ("scientific_advice", "questions", i))
        for i, annex in enumerate(sa.annexes):
            idx.add("annex", annex.id, ("scientific_advice", "annexes", i))
    return idx


def _refs(project: Project) -> Iterator[tuple[str | tuple[str, ...], str, Path]]:
    """Yield (kind or kinds, cited id, path of the citing node) for every reference."""
    for i, nc in enumerate(_not_covered(project)):
        yield "moa_step", nc, ("quality", "potency", "strategy", "not_covered", i, "moa_step")
    q = project.quality
    for i, comp in enumerate(q.comparability):
        base: Path = ("quality", "comparability", i)
        for j, b in enumerate(comp.pre_batches):
            yield "batch", b, (*base, "pre_batches", j)
        for j, b in enumerate(comp.post_batches):
            yield "batch", b, (*base, "post_batches", j)
        for j, m in enumerate(comp.methods):
            yield ("assay", "method"), m, (*base, "methods", j)
        for j, compared in enumerate(comp.results):
            if compared.method is not None:
                yield ("assay", "method"), compared.method, (*base, "results", j, "method")
    if q.potency is not None:
        strategy = q.potency.strategy
        for i, ev in enumerate(strategy.evolution_plan):
            if ev.assay is not None:
                yield (
                    "assay",
                    ev.assay,
                    ("quality", "potency", "strategy", "evolution_plan", i, "assay"),
                )
        for i, link in enumerate(strategy.assurance_links):
            for j, a in enumerate(link.release_assays):
                link_path: Path = (
                    "quality",
                    "potency",
                    "strategy",
                    "assurance_links",
                    i,
                    "release_assays",
                    j,
                )
                yield "assay", a, link_path
        for i, assay in enumerate(q.potency.assays):
            base = ("quality", "potency", "assays", i)
            for j, step in enumerate(assay.moa_steps):
                yield "moa_step", step, (*base, "moa_steps", j)
            for j, run in enumerate(assay.runs):
                for prep, batch in run.batches.items():
                    yield "batch", batch, (*base, "runs", j, "batches", prep)
            run_ids = {run.id for run in assay.runs}
            for j, result in enumerate(assay.batch_results):
                yield "batch", result.batch, (*base, "batch_results", j, "batch")
                for k, run_id in enumerate(result.runs):
                    if run_id not in run_ids:
                        yield "run:" + assay.id, run_id, (*base, "batch_results", j, "runs", k)
    if project.nonclinical is not None:
        for i, study in enumerate(project.nonclinical.studies):
            base = ("nonclinical", "studies", i)
            for j, b in enumerate(study.test_item.batches):
                yield "batch", b, (*base, "test_item", "batches", j)
            if study.test_item.comparability is not None:
                yield (
                    "comparability",
                    study.test_item.comparability,
                    (*base, "test_item", "comparability"),
                )
            for j, r in enumerate(study.addresses_risks):
                yield "risk", r, (*base, "addresses_risks", j)
            for j, s in enumerate(study.moa_steps):
                yield "moa_step", s, (*base, "moa_steps", j)
    if project.fih_dose is not None:
        for i, inp in enumerate(project.fih_dose.inputs):
            if inp.study is not None:
                yield "study", inp.study, ("fih_dose", "inputs", i, "study")
    if project.risk_profile is not None:
        rp = project.risk_profile
        evidence_kinds = {
            "quality": ("assay", "method", "batch", "comparability"),
            "nonclinical": ("study",),
            "clinical": ("reference", "study"),
            "literature": ("reference",),
        }
        for i, cell in enumerate(rp.cells):
            base = ("risk_profile", "cells", i)
            yield "risk", cell.risk, (*base, "risk")
            yield "factor", cell.factor, (*base, "factor")
            for j, evidence in enumerate(cell.evidence):
                yield evidence_kinds[evidence.type], evidence.ref, (*base, "evidence", j, "ref")
        for i, concl in enumerate(rp.conclusions):
            yield "risk", concl.risk, ("risk_profile", "conclusions", i, "risk")
    if project.scientific_advice is not None:
        for i, question in enumerate(project.scientific_advice.questions):
            for j, cite in enumerate(question.cites):
                path: Path = ("scientific_advice", "questions", i, "cites", j, "id")
                if cite.kind == "fih_dose":
                    if project.fih_dose is None:
                        yield "fih_dose", cite.id, path
                    continue
                yield cite.kind, cite.id, path


def _not_covered(project: Project) -> list[str]:
    if project.quality.potency is None:
        return []
    return [nc.moa_step for nc in project.quality.potency.strategy.not_covered]


def check_references(project: Project) -> list[Problem]:
    """All duplicate-id and dangling-reference problems of a validated project."""
    idx = _index(project)
    problems = list(idx.problems)
    for kinds, ref, path in _refs(project):
        if isinstance(kinds, str) and kinds.startswith("run:"):
            assay_id = kinds.split(":", 1)[1]
            problems.append(
                Problem(
                    "DOS-X002",
                    Severity.ERROR,
                    f"run '{ref}' is not a run of assay '{assay_id}'",
                    path,
                    _hint(ref, list(idx.ids("run"))),
                )
            )
            continue
        kind_tuple = (kinds,) if isinstance(kinds, str) else kinds
        if kind_tuple == ("fih_dose",):
            problems.append(
                Problem(
                    "DOS-X002",
                    Severity.ERROR,
                    "the question cites the FIH dose rationale but the project has no 'fih_dose'",
                    path,
                    "add a 'fih_dose' section or remove the citation",
                )
            )
            continue
        if any(ref in idx.ids(k) for k in kind_tuple):
            continue
        other = [k for k in idx.by_kind if k not in kind_tuple and ref in idx.by_kind[k]]
        names = " or ".join(k.replace("_", " ") for k in kind_tuple)
        if other:
            problems.append(
                Problem(
                    "DOS-X003",
                    Severity.ERROR,
                    f"'{ref}' is a {other[0].replace('_', ' ')}, but a {names} is expected here",
                    path,
                    None,
                )
            )
            continue
        known: list[str] = []
        for k in kind_tuple:
            known.extend(idx.ids(k))
        problems.append(
            Problem(
                "DOS-X002",
                Severity.ERROR,
                f"unknown {names} '{ref}'",
                path,
                _hint(ref, known),
            )
        )
    problems.extend(_section_consistency(project))
    problems.extend(_dose_units(project))
    problems.extend(_criteria(project))
    problems.extend(_cohorts(project))
    problems.extend(_advice(project))
    problems.extend(_agency_fields(project))
    return problems


def _dose_units(project: Project) -> Iterator[Problem]:
    """FIH dose inputs whose unit counts something else than the product's dose unit
    (e.g. a NOAEL in mg for a product dosed in vg/kg): they cannot scale to it."""
    from dossier.core.units import amount_kind

    if project.fih_dose is None:
        return
    clinical = project.product.dose_unit
    wanted = amount_kind(clinical)
    if wanted is None:
        return
    for i, inp in enumerate(project.fih_dose.inputs):
        kind = amount_kind(inp.dose.unit)
        if kind is None or kind == wanted:
            continue
        yield Problem(
            "DOS-X011",
            Severity.WARNING,
            f"dose input '{inp.id}' is in {inp.dose.unit} ({kind}), but the product is "
            f"dosed in {clinical} ({wanted}): it cannot be scaled to a clinical dose",
            ("fih_dose", "inputs", i, "dose", "unit"),
            f"express the {inp.approach.replace('_', ' ')} in {wanted} (e.g. as {clinical})",
        )


def _criteria(project: Project) -> Iterator[Problem]:
    """Validity criteria and system-suitability measures the assay's model cannot judge."""
    from dossier.model.potency import criterion_problems

    if project.quality.potency is None:
        return
    for i, assay in enumerate(project.quality.potency.assays):
        for where, message, hint in criterion_problems(assay):
            path = ("quality", "potency", "assays", i, *where)
            yield Problem("DOS-X012", Severity.ERROR, message, path, hint)


def _section_consistency(project: Project) -> Iterator[Problem]:
    """Sections that depend on each other (warnings: the drafts would be incomplete)."""
    if project.nonclinical is not None and project.risk_profile is None:
        for i, study in enumerate(project.nonclinical.studies):
            if study.addresses_risks:
                yield Problem(
                    "DOS-X010",
                    Severity.WARNING,
                    f"study '{study.id}' addresses risks but the project has no 'risk_profile'",
                    ("nonclinical", "studies", i, "addresses_risks"),
                    "add a risk_profile with these risk ids",
                )
                break
    if project.product.gmo and project.netherlands is not None:
        permit = project.netherlands.gmo_permit
        if not permit.required:
            yield Problem(
                "DOS-X010",
                Severity.WARNING,
                "the product is a GMO but netherlands.gmo_permit.required is false",
                ("netherlands", "gmo_permit", "required"),
                "clinical use of a GMO needs an environmental permit (IenW, Bureau GGO)",
            )


def _cohorts(project: Project) -> Iterator[Problem]:
    """Cohorts of the planned trial against the start and maximum dose of the dose
    rationale (same unit only: other units are compared, when they can be, by the
    analysis of the fold increases)."""
    trial, fih = project.clinical_trial, project.fih_dose
    if trial is None or fih is None:
        return
    start, maximum = fih.proposed_start_dose, fih.maximum_dose
    for i, c in enumerate(trial.cohorts):
        path = ("clinical_trial", "cohorts", i, "dose")
        if c.dose.unit == start.unit and c.dose.value < start.value:
            yield Problem(
                "DOS-X010",
                Severity.ERROR,
                f"cohort '{c.cohort}' ({c.dose}) is below the proposed start dose ({start})",
                path,
                "the first cohort is dosed at fih_dose.proposed_start_dose",
            )
        if maximum is not None and c.dose.unit == maximum.unit and c.dose.value > maximum.value:
            yield Problem(
                "DOS-X010",
                Severity.ERROR,
                f"cohort '{c.cohort}' ({c.dose}) is above the maximum dose ({maximum})",
                path,
                "keep the cohorts at or below fih_dose.maximum_dose, or raise it with its reason",
            )


def _advice(project: Project) -> Iterator[Problem]:
    """Questions and annexes that the agency's briefing document has no place for."""
    sa = project.scientific_advice
    if sa is None:
        return
    for i, q in enumerate(sa.questions):
        path = ("scientific_advice", "questions", i)
        if sa.agency == "EMA" and q.domain == "regulatory" and q.ema_group is None:
            yield Problem(
                "DOS-X010",
                Severity.ERROR,
                f"question '{q.id}' is a regulatory question, for which an EMA briefing "
                "document has no group (A quality, A/B, B non-clinical, B/C, C clinical, "
                "D significant benefit)",
                (*path, "domain"),
                "give ema_group (the group it belongs with) and ema_group_reason, or ask it "
                "in the pre-submission meeting instead",
            )
        if q.ema_group is not None and (sa.agency != "EMA" or q.domain != "regulatory"):
            yield Problem(
                "DOS-X010",
                Severity.ERROR,
                f"question '{q.id}': ema_group places regulatory questions of an EMA "
                f"request; this is a {q.domain.replace('_', ' ')} question to {sa.agency}",
                (*path, "ema_group"),
                "leave ema_group and ema_group_reason out: the domain gives the group",
            )
        if q.domain == "significant_benefit" and not (sa.agency == "EMA" and sa.procedure == "PA"):
            yield Problem(
                "DOS-X010",
                Severity.ERROR,
                f"question '{q.id}' asks about significant benefit, which is a matter of EMA "
                "protocol assistance for a designated orphan (procedure PA)",
                (*path, "domain"),
                "ask it in an EMA protocol-assistance request, or choose another domain",
            )
    if project.stage == "confirmatory":
        for i, annex in enumerate(sa.annexes):
            if annex.content == "dose_rationale":
                yield Problem(
                    "DOS-X010",
                    Severity.WARNING,
                    f"annex '{annex.id}' repeats the first-in-human dose rationale, which a "
                    "request at the confirmatory stage does not rest on",
                    ("scientific_advice", "annexes", i, "content"),
                    "the briefing shows the clinical results to date (clinical_experience) "
                    "instead; remove the annex or attach the document as content 'file'",
                )


def _agency_fields(project: Project) -> Iterator[Problem]:
    """Identifiers of the other agency's procedure: an EMA briefing has no CBG case."""
    sa = project.scientific_advice
    if sa is not None and sa.agency == "EMA" and sa.case_number is not None:
        yield Problem(
            "DOS-X010",
            Severity.ERROR,
            "case_number is the CBG's case number, but the request goes to EMA",
            ("scientific_advice", "case_number"),
            "an EMA request is identified by its research product identifier (rpi); "
            "leave case_number out",
        )
