"""Annexes every draft gets: to-do list, abbreviations, references, traceability.

- *To do*: every highlighted placeholder with the YAML path that would fill it, and the
  expectation-rule findings of the sections the document covers.
- *Abbreviations*: collected from the text (known terms and the project's own list),
  only those that occur.
- *References*: the project's references as a numbered list.
- *Traceability*: each computed number with its inputs and method.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from dossier.drafts.blocks import Document, Para, Section, Table, missing_in
from dossier.drafts.text import to_text

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject
    from dossier.core.diagnostics import Diagnostic
    from dossier.model.project import Project

__all__ = ["ANNEXES", "KNOWN_ABBREVIATIONS", "add_annexes", "reference_lines"]

ANNEXES = ("todo", "abbreviations", "references", "traceability")
"""The standard annexes, in their order."""

KNOWN_ABBREVIATIONS = {
    "AAV": "adeno-associated virus",
    "ATMP": "advanced therapy medicinal product",
    "BSA": "body surface area",
    "CAR": "chimeric antigen receptor",
    "CAT": "Committee for Advanced Therapies",
    "CBG": "College ter Beoordeling van Geneesmiddelen (Medicines Evaluation Board)",
    "CCMO": "Centrale Commissie Mensgebonden Onderzoek (Central Committee on Research Involving Human Subjects)",
    "CI": "confidence interval",
    "CRS": "cytokine release syndrome",
    "CTA": "clinical trial application",
    "CTIS": "Clinical Trials Information System",
    "CTD": "common technical document",
    "CTR": "Clinical Trials Regulation (EU) No 536/2014",
    "CV": "coefficient of variation",
    "DMSO": "dimethyl sulfoxide",
    "EC50": "half-maximal effective concentration",
    "EMA": "European Medicines Agency",
    "FIH": "first-in-human",
    "GCV": "geometric coefficient of variation",
    "GLP": "good laboratory practice",
    "GMO": "genetically modified organism",
    "GMP": "good manufacturing practice",
    "GTMP": "gene therapy medicinal product",
    "HED": "human equivalent dose",
    "HNSTD": "highest non-severely toxic dose",
    "ICH": "International Council for Harmonisation",
    "IMPD": "investigational medicinal product dossier",
    "LTFU": "long-term follow-up",
    "MABEL": "minimal anticipated biological effect level",
    "MED": "minimally effective dose",
    "MoA": "mechanism of action",
    "NHP": "non-human primate",
    "NOAEL": "no-observed-adverse-effect level",
    "PAD": "pharmacologically active dose",
    "RCL": "replication-competent lentivirus",
    "RP": "relative potency",
    "sCTMP": "somatic cell therapy medicinal product",
    "TEP": "tissue-engineered product",
    "VCN": "vector copy number",
    "COGEM": "Commissie Genetische Modificatie (Netherlands Commission on Genetic Modification)",
    "ERA": "environmental risk assessment",
    "GDPR": "General Data Protection Regulation (EU) 2016/679",
    "IenW": "Ministerie van Infrastructuur en Waterstaat (Ministry of Infrastructure and Water Management)",
    "ITR": "inverted terminal repeat",
    "LTR": "long terminal repeat",
    "MREC": "medical research ethics committee",
    "PIP": "paediatric investigation plan",
    "QP": "qualified person",
    "RCV": "replication-competent virus",
    "VGO": "Verklaring Geschiktheid Onderzoeksinstelling (site-suitability declaration)",
    "WMO": "Wet medisch-wetenschappelijk onderzoek met mensen (Medical Research Involving Human Subjects Act)",
    "VOV": "vergunning onder vaste voorschriften (permit under fixed conditions)",
}
_TOKEN = re.compile(r"\b[A-Za-z]*[A-Z][A-Za-z0-9]*[A-Z0-9]\b")


def _abbreviations(text: str, project: Project) -> dict[str, str]:
    known = {**KNOWN_ABBREVIATIONS, **project.abbreviations}
    found = set(_TOKEN.findall(text))
    return {k: v for k, v in sorted(known.items(), key=lambda kv: kv[0].lower()) if k in found}


def reference_lines(project: Project) -> list[str]:
    """The project's references as numbered lines ("[1] EMA/CAT/...: title, year")."""
    return [
        f"[{i}] "
        + (f"{r.identifier}: " if r.identifier else "")
        + r.title
        + (f", {r.version}" if r.version else "")
        + (f" ({r.year})" if r.year else "")
        + (f". {r.url}" if r.url else "")
        for i, r in enumerate(project.references, start=1)
    ]


def add_annexes(
    document: Document,
    project: Project,
    computed: ComputedProject,
    findings: list[Diagnostic],
    sections_covered: set[str],
    which: Collection[str] = ANNEXES,
) -> Document:
    """Append the standard annexes (in place) and fill the abbreviation list; ``which``
    names the annexes a document type has (its outline's ``annexes``)."""
    placeholders = missing_in(document)
    todo_rows = [[where, m.label, m.path] for where, m in placeholders]
    relevant = [f for f in findings if f.section in sections_covered and f.severity != "info"]
    # the findings by their message: rule codes belong in the readiness report, not in a
    # draft that goes to a regulator
    todo_rows += [
        [
            f.section or "",
            f.message,
            f"{f.location.yaml_path} ({Path(f.location.file).name}, line {f.location.line})",
        ]
        for f in relevant
    ]
    todo = Section(
        "Annex: open points",
        "annex-todo",
        [
            Para.of(
                "Placeholders in this draft and open expectation-rule findings for the sections it covers. Each row names the place in the project file that resolves it."
            )
            if todo_rows
            else Para.of("There are no placeholders and no open findings for this draft."),
        ],
        number="A1",
    )
    if todo_rows:
        todo.blocks = [
            *todo.blocks,
            Table(
                "tab-todo", "Open points", ["Section", "What is missing", "Project file"], todo_rows
            ),
        ]
    abbr = Section("Annex: abbreviations", "annex-abbr", [], number="A2")
    refs = reference_lines(project)
    document.references = refs
    ref_section = Section(
        "Annex: references",
        "annex-refs",
        [Para.of(r) for r in refs] or [Para.of("No references are listed in the project file.")],
        number="A3",
    )
    trace_rows = [[p.what, p.value, "; ".join(p.inputs), p.method] for p in computed.provenance]
    trace = Section(
        "Annex: traceability of computed values",
        "annex-trace",
        [
            Table(
                "tab-trace",
                "Computed values, their inputs and methods",
                ["Value", "Result", "Inputs", "Method"],
                trace_rows,
            )
        ]
        if trace_rows
        else [Para.of("This draft contains no values computed from data files.")],
        number="A4",
    )
    chosen = {"todo": todo, "abbreviations": abbr, "references": ref_section, "traceability": trace}
    kept = [section for name, section in chosen.items() if name in which]
    for i, section in enumerate(kept, start=1):
        section.number = f"A{i}"
    document.sections.extend(kept)
    # the abbreviations of the whole draft, its annexes included; the text is read once
    # every annex is in place, so that cross-references to them resolve
    abbreviations = _abbreviations(to_text(document), project)
    document.abbreviations = abbreviations
    abbr.blocks = (
        [
            Table(
                "tab-abbr",
                "Abbreviations",
                ["Abbreviation", "Meaning"],
                [[k, v] for k, v in abbreviations.items()],
            )
        ]
        if abbreviations
        else [Para.of("No abbreviations are used.")]
    )
    return document
