"""``dossier check``: what regulators will expect, what the project shows, what is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.cli.common import DIAGNOSTICS_FORMAT_OPTION, echo_json, user_errors_exit


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
    from dossier.analysis.rule_cache import rule_data
    from dossier.model.project_io import load_project
    from dossier.rules.check import check_project, load_profile

    loaded = load_project(path)
    # computed results (not SEND, which no rule reads), from the cache when current
    result = check_project(
        loaded, rule_data(loaded), profile=load_profile(profile) if profile else None
    )
    if fmt == "json":
        echo_json(
            {
                "project": str(loaded.source.display_path),
                "errors": result.count("error"),
                "warnings": result.count("warning"),
                "infos": result.count("info"),
                "rules_applied": len(result.applied),
                "findings": [f.to_dict() for f in result.findings],
            }
        )
    else:
        for f in result.findings:
            loc = f.location
            if fmt == "github":
                kind = {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
                click.echo(
                    f"::{kind} file={loc.file},line={loc.line},col={loc.column},"
                    f"title={f.rule_id}::{f.message}"
                )
                continue
            cite = f.citation.document + (f", {f.citation.section}" if f.citation.section else "")
            click.echo(f"{loc}: {f.severity} {f.rule_id} [{loc.yaml_path}] {f.message}")
            click.echo(f"    source: {cite} ({f.confidence})")
            if f.hint:
                click.echo(f"    hint: {f.hint}")
        if fmt == "text":
            click.echo(
                f"{loaded.source.display_path}: {result.count('error')} error(s), "
                f"{result.count('warning')} warning(s), {result.count('info')} note(s) "
                f"from {len(result.applied)} applicable rules",
                err=True,
            )
    sys.exit(1 if result.failed(strict=strict) else 0)
