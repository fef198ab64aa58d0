"""Readiness report: what regulators will expect, what the project shows, what is missing.

A summary matrix (dossier section × status) followed by every finding, grouped by
section, with its rule, severity, confidence, location in the project file and citation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.core.diagnostics import format_path
from dossier.drafts.blocks import Block, Para, Section, Table
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.rules.check import CheckResult

__all__ = ["STAGE_WORDS", "findings_unit", "summary_unit"]

STAGE_WORDS = {
    "exploratory_fih": "first-in-human (exploratory)",
    "exploratory_later": "later exploratory",
    "confirmatory": "confirmatory",
}


NOT_CHECKED = (
    "the content of the stability programme, process and product impurities, starting "
    "materials and donor testing",
    "long-term follow-up, the environmental risk assessment of a GMO and CTR Part II documents",
    "compliance with GCP and GMP, which inspections and the QP establish",
    "the scientific correctness of the sponsor's free text, beyond the contradictions with "
    "computed results that the rules detect",
)
"""What the expectation rules do not cover: stated in every report, so that a short list of
findings is never read as a clean bill of health."""

CONFIDENCE_WORDS = {
    "verified": "verified against the quoted passage of the source",
    "known": "known from the source's confirmed structure, not re-read for this report",
    "uncertain": "resting on guideline wording that could not be read or confirmed",
}


def _status(errors: int, warnings: int) -> str:
    if errors:
        return "blocking gaps"
    if warnings:
        return "to address"
    return "as expected"


def _result(ctx: UnitContext) -> CheckResult:
    assert ctx.check is not None, "the readiness report needs the check result"
    return ctx.check


@section_unit("readiness.summary")
def summary_unit(ctx: UnitContext) -> Content:
    """How many rules apply and the readiness matrix by dossier section."""
    project, result = ctx.project, _result(ctx)
    sections_all = sorted({r.section for r in result.applied})
    rows = []
    for name in sections_all:
        found = [f for f in result.findings if f.section == name]
        errors = sum(1 for f in found if f.severity == "error")
        warnings = sum(1 for f in found if f.severity == "warning")
        infos = sum(1 for f in found if f.severity == "info")
        applied = sum(1 for r in result.applied if r.section == name)
        rows.append(
            [name, str(applied), str(errors), str(warnings), str(infos), _status(errors, warnings)]
        )
    by_confidence = [
        (level, sum(1 for f in result.findings if f.confidence == level))
        for level in CONFIDENCE_WORDS
    ]
    return Content(
        [
            Para.of(
                f"{len(result.applied)} expectation rules apply to this {project.product.atmp_class} "
                f"at the {STAGE_WORDS[project.stage]} stage; they produced "
                f"{result.count('error')} error(s), {result.count('warning')} warning(s) and {result.count('info')} note(s)."
            ),
            Table(
                "tab-confidence",
                "Findings by the confidence of the rule behind them",
                ["Confidence", "Meaning", "Findings"],
                [[level, CONFIDENCE_WORDS[level], str(n)] for level, n in by_confidence],
            ),
            Para.of(
                "A rule of any confidence can be switched off or re-graded in a profile; "
                "findings of 'uncertain' rules in particular should be read against the "
                "guideline text before they are acted on. The rules do not check: "
                + "; ".join(NOT_CHECKED)
                + "."
            ),
            Table(
                "tab-matrix",
                "Readiness by dossier section",
                ["Section", "Rules applied", "Errors", "Warnings", "Notes", "Status"],
                rows,
            ),
            *_contradictions(ctx),
        ],
    )


def _contradictions(ctx: UnitContext) -> list[Block]:
    """Sentences of the project's free text that its computed results contradict: they
    would put a wrong statement into a draft, so the report lists each with its evidence."""
    found = ctx.computed.contradictions if ctx.computed is not None else []
    if not found:
        return [
            Para.of(
                "No sentence of the project's text was found to contradict the computed "
                "results (biodistribution, GLP status, doses, batch counts)."
            )
        ]
    return [
        Para.of(
            f"{len(found)} sentence(s) of the project's text contradict its computed results "
            "or structured data; correct the text before the drafts are used."
        ),
        Table(
            "tab-contradictions",
            "Text contradicted by the data",
            ["Project file", "The text says", "The data show"],
            [[format_path(c.path), c.claim, c.evidence] for c in found],
        ),
    ]


@section_unit("readiness.findings")
def findings_unit(ctx: UnitContext) -> Content:
    """The findings by dossier section, with their citations."""
    result = _result(ctx)
    sections_all = sorted({r.section for r in result.applied})
    detail: list[Section] = []
    for name in sections_all:
        found = [f for f in result.findings if f.section == name]
        if not found:
            applied = sum(1 for r in result.applied if r.section == name)
            blocks: list[Block] = [
                Para.of(f"The {applied} rule(s) that apply to this section found no gap.")
            ]
        else:
            blocks = [
                Table(
                    f"tab-findings-{len(detail)}",
                    f"Findings: {name}",
                    ["Rule", "Severity", "Finding", "Project file", "Source (confidence)"],
                    [
                        [
                            f.code,
                            f.severity.value,
                            f.message + (f" Hint: {f.hint}" if f.hint else ""),
                            f"{f.location.yaml_path} (line {f.location.line})",
                            f"{f.citation} ({f.confidence})",
                        ]
                        for f in found
                    ],
                )
            ]
        detail.append(Section(name, f"sec-find-{len(detail)}", blocks))
    return Content([], detail)
