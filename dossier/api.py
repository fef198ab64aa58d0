"""The library's front door: validate, compute, check and build a project.

Each function takes the path of a project (the project file or its folder) or a project
already loaded, and returns a typed report that holds everything it found as one
:class:`~dossier.core.diagnostics.DiagnosticList`, with the counts (``errors``,
``warnings``, ``infos``) and ``failed(strict=...)``. Nothing here prints; the command
line only formats these reports.

::

    import dossier

    report = dossier.check("examples/car-t-nl")
    for finding in report.diagnostics:
        print(finding.format_text())

A problem in the input is reported, not raised, by :func:`validate`; :func:`compute`,
:func:`check` and :func:`build` raise :class:`~dossier.core.errors.UserError` (with the
located diagnostics) when the project cannot be loaded. Heavy libraries are imported
only by the function that needs them, so ``validate`` stays quick.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier.build import BuildReport, document_types
from dossier.core.diagnostics import Diagnostic, DiagnosticCounts, DiagnosticList

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject
    from dossier.model.project_io import LoadedProject
    from dossier.rules.schema import Profile, Rule

__all__ = [
    "BuildOptions",
    "BuildReport",
    "CheckReport",
    "ComputeReport",
    "ValidationReport",
    "build",
    "check",
    "compute",
    "document_types",
    "load_project",
    "validate",
]

PathLike = str | os.PathLike[str]
"""A project file, or a folder holding ``dossier.yaml``."""


def load_project(project: PathLike | LoadedProject) -> LoadedProject:
    """The validated project at ``project`` (returned as is when already loaded);
    raises :class:`~dossier.core.errors.UserError` with every located error."""
    from dossier.model import project_io

    if isinstance(project, project_io.LoadedProject):
        return project
    return project_io.load_project(Path(project))


@dataclass
class ValidationReport(DiagnosticCounts):
    """The problems of a project file: model, cross-references, data-file references and,
    for a deep validation, the analyses of the data files.

    ``loaded`` is the project when it could be loaded (it may still have warnings, and
    with ``deep`` analysis errors), ``None`` when it has errors that stop loading."""

    project: str
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)
    loaded: LoadedProject | None = None
    deep: bool = False

    @property
    def valid(self) -> bool:
        """No errors."""
        return not self.failed()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``dossier validate --format json``."""
        return {"project": self.project, **self.diagnostics.to_dict()}


def validate(project: PathLike | LoadedProject, deep: bool = False) -> ValidationReport:
    """Every problem of the project, located; never raises for a problem in the input.

    ``deep`` also analyses the data files (relative potency, validation statistics, SEND),
    as :func:`compute` does; without it data files are only checked to exist."""
    from dossier.core.errors import UserError

    shown = _shown(project)
    try:
        loaded = load_project(project)
    except UserError as exc:
        return ValidationReport(shown, exc.diagnostics.sorted(), None, deep)
    diagnostics = DiagnosticList(loaded.diagnostics)
    if deep:
        from dossier.analysis.project import compute_project

        diagnostics.extend(compute_project(loaded).diagnostics)
    return ValidationReport(str(loaded.source.display_path), diagnostics.sorted(), loaded, deep)


@dataclass
class ComputeReport(DiagnosticCounts):
    """The computed results of a project (``computed``) with the project they belong to
    (``loaded``); ``diagnostics`` holds the loading warnings and the analyses' problems."""

    loaded: LoadedProject
    computed: ComputedProject
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)


def compute(project: PathLike | LoadedProject, *, send: bool = True) -> ComputeReport:
    """Run every analysis the project's data allow. ``send=False`` leaves SEND packages
    unread (no expectation rule reads them)."""
    from dossier.analysis.project import compute_project

    loaded = load_project(project)
    computed = compute_project(loaded, send=send)
    diagnostics = DiagnosticList([*loaded.diagnostics, *computed.diagnostics]).sorted()
    return ComputeReport(loaded, computed, diagnostics)


@dataclass
class CheckReport(DiagnosticCounts):
    """The expectation-rule findings of a project, after the problems of its data.

    ``diagnostics`` holds first every problem of loading the project and computing its
    results (the same that make ``dossier build`` fail), then the findings: each a
    diagnostic whose code is the rule id, with the rule's citation, confidence and
    dossier section, errors first, then warnings, then notes, each in file order.
    ``rules_applied`` are the rules that apply to the product class and stage,
    ``rules_skipped`` those that do not."""

    project: str
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)
    rules_applied: list[Rule] = field(default_factory=list)
    rules_skipped: list[Rule] = field(default_factory=list)

    @property
    def findings(self) -> list[Diagnostic]:
        """The rule findings alone (diagnostics that cite a source)."""
        return [d for d in self.diagnostics if d.citation is not None]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``dossier check --format json``: counts over every
        diagnostic, the data problems and the rule findings apart."""
        return {
            "project": self.project,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "rules_applied": len(self.rules_applied),
            "problems": [d.to_dict() for d in self.diagnostics if d.citation is None],
            "findings": [d.to_dict() for d in self.findings],
        }


def check(
    project: PathLike | LoadedProject | ComputeReport,
    profile: PathLike | Profile | None = None,
) -> CheckReport:
    """Evaluate the expectation rules (the catalogue, changed by ``profile``: a profile
    file or one already read) on the project and its computed results. Given a path or a
    loaded project, the results are computed here (without SEND, which no rule reads)."""
    from dossier.rules import schema
    from dossier.rules.check import check_project, compile_ahead, load_profile

    if profile is None or isinstance(profile, schema.Profile):
        changes = profile
    else:
        changes = load_profile(Path(profile))
    if isinstance(project, ComputeReport):
        loaded, computed = project.loaded, project.computed
    else:
        from dossier.analysis.project import compute_project

        loaded = load_project(project)
        compiled = compile_ahead(loaded, changes)
        try:
            computed = compute_project(loaded, send=False)
        finally:
            compiled()
    result = check_project(loaded, computed.rule_data(), profile=changes)
    problems = DiagnosticList([*loaded.diagnostics, *computed.diagnostics]).sorted()
    return CheckReport(
        str(loaded.source.display_path),
        DiagnosticList([*problems, *result.findings]),
        result.applied,
        result.skipped,
    )


@dataclass
class BuildOptions:
    """How to build: where to, which documents, which templates, PDF, overwriting and
    the processes that draw figures."""

    out_dir: PathLike | None = None
    """Output folder (default: ``out/`` next to the project file)."""
    only: Sequence[str] = ()
    """Document types to build (default: the project's list, else every built-in type)."""
    templates: Sequence[PathLike] = ()
    """Template folders (and their ``sections/``) overriding the built-ins, first wins."""
    pdf: bool = False
    """Also convert each draft to PDF with LibreOffice."""
    force: bool = False
    """Replace drafts edited since the last build (a backup is kept)."""
    jobs: int | None = None
    """Processes drawing figures (default: one per core; 1 draws them in this one)."""
    progress: Callable[[str], None] | None = None
    """Called with a short message as each stage starts."""


def build(project: PathLike | LoadedProject, options: BuildOptions | None = None) -> BuildReport:
    """Build the Word drafts of the project (and optionally PDFs). The report lists the
    files written and backed up, the diagnostics of loading and computing, and the number
    of expectation findings (listed in the readiness report)."""
    from dossier.build import build_project
    from dossier.model.project_io import LoadedProject

    opts = options or BuildOptions()
    report = build_project(
        project if isinstance(project, LoadedProject) else Path(project),
        out_dir=Path(opts.out_dir) if opts.out_dir is not None else None,
        only=list(opts.only) or None,
        pdf=opts.pdf,
        force=opts.force,
        templates=[Path(folder) for folder in opts.templates],
        jobs=opts.jobs,
        progress=opts.progress,
    )
    report.diagnostics = report.diagnostics.sorted()
    return report


def _shown(project: PathLike | LoadedProject) -> str:
    """How a report names a project that may not have loaded: the path as given."""
    if isinstance(project, str | os.PathLike):
        return os.fspath(project)
    return str(project.source.display_path)
