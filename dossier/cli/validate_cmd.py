"""``dossier validate``: report every problem of a project file with its location."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.cli.common import DIAGNOSTICS_FORMAT_OPTION, print_diagnostics
from dossier.core.diagnostics import DiagnosticList


@click.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on warnings).")
@click.option(
    "--deep",
    is_flag=True,
    help="Also run the statistical analyses of the data files (as build and check do).",
)
@DIAGNOSTICS_FORMAT_OPTION
def validate_cmd(path: Path, strict: bool, deep: bool, fmt: str) -> None:
    """Validate the project file PATH (a file, or a folder containing dossier.yaml).

    Every problem is reported as FILE:LINE:COL with its YAML path, a stable code and a
    hint. Exit codes: 0 valid, 1 the project has errors (or warnings with --strict),
    2 the command was used wrongly.

    Data files are checked for existence and location; --deep also analyses them
    (relative potency, validation statistics, SEND), which takes longer.
    """
    from dossier.core.errors import UserError
    from dossier.model.project_io import load_project

    try:
        loaded = load_project(path)
        diags = DiagnosticList(loaded.diagnostics)
        if deep:
            from dossier.analysis.project import compute_project

            diags.extend(compute_project(loaded).diagnostics)
    except UserError as exc:
        diags = DiagnosticList(exc.diagnostics)
    print_diagnostics(diags, fmt)
    failed = diags.has_errors(strict=strict)
    if fmt == "text":
        verdict = "invalid" if failed else "valid"
        click.echo(
            f"{path}: {verdict} ({len(diags.errors)} error(s), {len(diags.warnings)} warning(s))",
            err=True,
        )
    sys.exit(1 if failed else 0)
