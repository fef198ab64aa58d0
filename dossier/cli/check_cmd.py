"""``dossier check``: what regulators will expect, what the project shows, what is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.cli.common import (
    DIAGNOSTICS_FORMAT_OPTION,
    echo_json,
    print_report,
    user_errors_exit,
)


def _list_rules(fmt: str, profile: Path | None) -> None:
    from dossier.rules.check import load_profile, ruleset

    rules = ruleset(load_profile(profile) if profile else None)
    if fmt == "json":
        echo_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity,
                    "confidence": r.confidence,
                    "citation": {"document": r.citation.document, "section": r.citation.section},
                    "section": r.section,
                    "applies_to": r.applies_to.model_dump(exclude_defaults=True),
                    "scope": r.scope,
                }
                for r in rules
            ]
        )
        return
    for r in rules:
        click.echo(f"{r.id}  {r.severity:<7} {r.confidence:<9} {r.title}")
        cite = r.citation.document + (f", {r.citation.section}" if r.citation.section else "")
        click.echo(f"          {cite}")
    click.echo(f"{len(rules)} rules", err=True)


@click.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@DIAGNOSTICS_FORMAT_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A profile that disables, re-grades or adds rules.",
)
@click.option("--list-rules", is_flag=True, help="List the rule catalogue and exit.")
@user_errors_exit
def check_cmd(
    path: Path | None, fmt: str, strict: bool, profile: Path | None, list_rules: bool
) -> None:
    """Check the project at PATH against EMA, ICH, Ph. Eur., CCMO and CBG expectations.

    Each finding names the rule, its severity, the place in the project file it concerns,
    and the guideline it comes from. Exit 0 without errors; 1 with errors (or with
    warnings under --strict); 2 when the command was used wrongly.
    """
    if list_rules:
        _list_rules("json" if fmt == "json" else "text", profile)
        return
    if path is None:
        raise click.UsageError("PATH is required (or use --list-rules)")
    from dossier import api
    from dossier.cli.main import start_up_over

    loaded = api.load_project(path)
    start_up_over()  # computing and evaluating the rules collect their own garbage
    report = api.check(loaded, profile=profile)
    print_report(report, fmt)
    if fmt == "text":
        click.echo(
            f"{report.project}: {report.errors} error(s), {report.warnings} warning(s), "
            f"{report.infos} note(s) from {len(report.rules_applied)} applicable rules",
            err=True,
        )
    sys.exit(1 if report.failed(strict=strict) else 0)
