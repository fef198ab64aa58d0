"""Readiness report: what regulators will expect, what the project shows, what is missing.

A summary matrix (dossier section × status) followed by every finding, grouped by
section, with its rule, severity, confidence, location in the project file and citation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.core.diagnostics import format_path
from dossier.core.i18n import N_, active_language
from dossier.core.i18n import gettext as _
from dossier.drafts.blocks import Block, Cell, Para, Section, Table
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.core.diagnostics import Diagnostic
    from dossier.rules.check import CheckResult

__all__ = ["STAGE_WORDS", "finding_text", "findings_unit", "summary_unit"]

STAGE_WORDS = {
    "exploratory_fih": N_("first-in-human (exploratory)"),
    "exploratory_later": N_("later exploratory"),
    "confirmatory": N_("confirmatory"),
}


NOT_CHECKED = (
    N_(
        "the content of the stability programme, process and product impurities, starting "
        "materials and donor testing"
    ),
    N_("long-term follow-up, the environmental risk assessment of a GMO and CTR Part II documents"),
    N_("compliance with GCP and GMP, which inspections and the QP establish"),
    N_(
        "the scientific correctness of the sponsor's free text, beyond the contradictions with "
        "computed results that the rules detect"
    ),
)
"""What the expectation rules do not cover: stated in every report, so that a short list of
findings is never read as a clean bill of health."""

CONFIDENCE_WORDS = {
    "verified": N_("verified against the quoted passage of the source"),
    "known": N_("known from the source's confirmed structure, not re-read for this report"),
    "uncertain": N_("resting on guideline wording that could not be read or confirmed"),
}
LEVEL_WORDS = {
    "verified": N_("verified"),
    "known": N_("known"),
    "uncertain": N_("uncertain"),
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
}
"""Confidence levels and severities as printed (the codes stay in the project file)."""


def _level(value: str | None) -> str:
    word = LEVEL_WORDS.get(value or "")
    return _(word) if word is not None else (value or "")


def finding_text(finding: Diagnostic) -> tuple[str, str | None]:
    """A rule finding's message and hint in the language of the document being written:
    the check renders the translated template with the same values when the project asks
    for a Dutch document (``extra["message:nl"]``); otherwise the English ones."""
    code = active_language()
    if code == "en":
        return finding.message, finding.hint
    message = finding.extra.get(f"message:{code}", finding.message)
    return message, finding.extra.get(f"hint:{code}", finding.hint)


def _status(errors: int, warnings: int) -> str:
    if errors:
        return _("blocking gaps")
    if warnings:
        return _("to address")
    return _("as expected")


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
            [
                _(name),
                str(applied),
                str(errors),
                str(warnings),
                str(infos),
                _status(errors, warnings),
            ]
        )
    by_confidence = [
        (level, sum(1 for f in result.findings if f.confidence == level))
        for level in CONFIDENCE_WORDS
    ]
    return Content(
        [
            Para.of(
                _(
                    "{rules} expectation rules apply to this {atmp_class} at the {stage} stage; "
                    "they produced {errors} error(s), {warnings} warning(s) and {notes} note(s)."
                ).format(
                    rules=len(result.applied),
                    atmp_class=project.product.atmp_class,
                    stage=_(STAGE_WORDS[project.stage]),
                    errors=result.count("error"),
                    warnings=result.count("warning"),
                    notes=result.count("info"),
                )
            ),
            Table(
                "tab-confidence",
                _("Findings by the confidence of the rule behind them"),
                [_("Confidence"), _("Meaning"), _("Findings")],
                [[_level(level), _(CONFIDENCE_WORDS[level]), str(n)] for level, n in by_confidence],
            ),
            Para.of(
                _(
                    "A rule of any confidence can be switched off or re-graded in a profile; "
                    "findings of 'uncertain' rules in particular should be read against the "
                    "guideline text before they are acted on. The rules do not check: {list}."
                ).format(list="; ".join(_(n) for n in NOT_CHECKED))
            ),
            Table(
                "tab-matrix",
                _("Readiness by dossier section"),
                [
                    _("Section"),
                    _("Rules applied"),
                    _("Errors"),
                    _("Warnings"),
                    _("Notes"),
                    _("Status"),
                ],
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
                _(
                    "No sentence of the project's text was found to contradict the computed "
                    "results (biodistribution, GLP status, doses, batch counts)."
                )
            )
        ]
    return [
        Para.of(
            _(
                "{count} sentence(s) of the project's text contradict its computed results "
                "or structured data; correct the text before the drafts are used."
            ).format(count=len(found))
        ),
        Table(
            "tab-contradictions",
            _("Text contradicted by the data"),
            [_("Project file"), _("The text says"), _("The data show")],
            [[format_path(c.path), *c.in_words()] for c in found],
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
                Para.of(
                    _("The {count} rule(s) that apply to this section found no gap.").format(
                        count=applied
                    )
                )
            ]
        else:
            blocks = [
                Table(
                    f"tab-findings-{len(detail)}",
                    _("Findings: {section}").format(section=_(name)),
                    [
                        _("Rule"),
                        _("Severity"),
                        _("Finding"),
                        _("Project file"),
                        _("Source (confidence)"),
                    ],
                    [_finding_row(f) for f in found],
                )
            ]
        detail.append(Section(_(name), f"sec-find-{len(detail)}", blocks))
    return Content([], detail)


def _finding_row(f: Diagnostic) -> list[Cell]:
    message, hint = finding_text(f)
    return [
        f.code,
        _level(f.severity.value),
        message + (" " + _("Hint: {hint}").format(hint=hint) if hint else ""),
        _("{path} (line {line})").format(path=f.location.yaml_path, line=f.location.line),
        f"{f.citation} ({_level(f.confidence)})",
    ]
