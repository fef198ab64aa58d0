"""``dossier validate``: report every problem of a project file with its location."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.cli.common import DIAGNOSTICS_FORMAT_OPTION, print_report


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
    from dossier import api
    from dossier.cli.main import start_up_over

    report = api.validate(path)
    if deep and report.loaded is not None:
        start_up_over()  # the analyses that follow collect their own garbage
        report = api.validate(report.loaded, deep=True)
    print_report(report, fmt)
    failed = report.failed(strict=strict)
    if fmt == "text":
        verdict = "invalid" if failed else "valid"
        click.echo(
            f"{path}: {verdict} ({report.errors} error(s), {report.warnings} warning(s))",
            err=True,
        )
    sys.exit(1 if failed else 0)
