"""Readiness report: what regulators will expect, what the project shows, what is missing.

A summary matrix (dossier section × status) followed by every finding, grouped by
section, with its rule, severity, confidence, location in the project file and citation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    return Content(
        [
            Para.of(
                f"{len(result.applied)} expectation rules apply to this {project.product.atmp_class} "
                f"at the {STAGE_WORDS[project.stage]} stage; they produced "
                f"{result.count('error')} error(s), {result.count('warning')} warning(s) and {result.count('info')} note(s). "
                "Rules marked 'uncertain' rest on guideline wording that could not be verified and can be switched off in a profile."
            ),
            Table(
                "tab-matrix",
                "Readiness by dossier section",
                ["Section", "Rules applied", "Errors", "Warnings", "Notes", "Status"],
                rows,
            ),
        ],
    )


@section_unit("readiness.findings")
def findings_unit(ctx: UnitContext) -> Content:
    """The findings by dossier section, with their citations."""
    result = _result(ctx)
    sections_all = sorted({r.section for r in result.applied})
    detail: list[Section] = []
    for name in sections_all:
        found = [f for f in result.findings if f.section == name]
        if not found:
            blocks: list[Block] = [Para.of("All applicable expectations are met.")]
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
