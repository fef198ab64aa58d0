"""``dossier check``: what regulators will expect, what the project shows, what is missing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossier.cli.common import (
    DIAGNOSTICS_FORMAT_OPTION,
    echo_json,
    print_report,
    user_errors_exit,
)
from dossier.core.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.rules.schema import Rule


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


def _find_rule(rule_id: str, profile: Path | None) -> Rule:
    import difflib

    from dossier.rules.check import load_profile, ruleset

    rules = {r.id: r for r in ruleset(load_profile(profile) if profile else None)}
    wanted = rule_id.strip().upper()
    if wanted in rules:
        return rules[wanted]
    close = difflib.get_close_matches(wanted, sorted(rules), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "dossier check --list-rules lists them"
    raise UsageError(f"no rule '{rule_id}' in the catalogue; {hint}")


def _item_label(data: Any, path: tuple[Any, ...]) -> str:
    """'quality.potency.assays[0] (A-CYTOX)': the path of an item and its id, if any."""
    from dossier.core.diagnostics import format_path

    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
            break
    text = format_path(path) if path else "the project"
    if isinstance(node, dict):
        ident = node.get("id") or node.get("batch") or node.get("role") or node.get("risk")
        if ident:
            text += f" ({ident})"
    return text


def _rule_facts(rule: Rule) -> dict[str, Any]:
    from dossier.rules.engine import fields_read, helper_docs

    helpers = {h.name: h for h in helper_docs()}
    reads = fields_read(rule)
    examples = rule.examples
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "confidence": rule.confidence,
        "citation": rule.citation.model_dump(exclude_none=True),
        "section": rule.section,
        "note": rule.note,
        "applies_to": rule.applies_to.model_dump(exclude_defaults=True),
        "scope": rule.scope,
        "when": rule.when,
        "require": rule.require,
        "hint": rule.hint,
        "parameters": rule.params,
        "reads": reads,
        "helpers": {
            name[:-2]: list(helpers[name[:-2]].reads)
            for name in reads
            if name.endswith("()") and name[:-2] in helpers
        },
        "examples": {
            "fires": [e.describe() for e in examples.fires] if examples else [],
            "quiet": [e.describe() for e in examples.quiet] if examples else [],
        },
    }


def _explain(rule_id: str, path: Path | None, fmt: str, profile: Path | None) -> None:
    """Print a rule and, for a project, why it fired or not."""
    rule = _find_rule(rule_id, profile)
    facts = _rule_facts(rule)
    result: dict[str, Any] | None = None
    if path is not None:
        from dossier import api
        from dossier.analysis.project import compute_project
        from dossier.rules.check import explain_rule

        loaded = api.load_project(path)
        computed = compute_project(loaded, send=False).rule_data()
        found = explain_rule(loaded, computed, rule)
        data = loaded.project.model_dump(mode="json")
        result = {
            "project": str(loaded.source.display_path),
            "applies": found.applies,
            "conditions": found.conditions,
            "error": found.error,
            "items": [
                {
                    "path": list(o.path),
                    "item": _item_label(data, o.path),
                    "outcome": o.outcome,
                    "finding": o.finding.to_dict() if o.finding else None,
                }
                for o in found.outcomes
            ],
            "fired": len(found.findings),
        }
    if fmt == "json":
        echo_json({**facts, "project": result})
        return
    _echo_explanation(facts, result)


def _echo_explanation(facts: dict[str, Any], result: dict[str, Any] | None) -> None:
    import textwrap

    def field(label: str, value: Any) -> None:
        if value in (None, "", [], {}):
            return
        text = value if isinstance(value, str) else str(value)
        head = f"  {label + ':':<12}"
        lines = textwrap.wrap(text, 92, initial_indent=head, subsequent_indent=" " * len(head)) or [
            head
        ]
        click.echo("\n".join(lines))

    click.echo(f"{facts['id']}  {facts['title']}")
    cite = facts["citation"]
    where = cite["document"] + (f", {cite['section']}" if cite.get("section") else "")
    if cite.get("quote_location"):
        where += f" (read at: {cite['quote_location']})"
    field("severity", facts["severity"])
    field("confidence", facts["confidence"])
    field("citation", where)
    field("note", facts["note"])
    field("section", facts["section"])
    applies = "; ".join(f"{k}: {', '.join(v)}" for k, v in facts["applies_to"].items())
    field("applies to", applies or "every project")
    field("scope", facts["scope"] or "the project as a whole")
    field("when", facts["when"])
    field("requires", facts["require"])
    field("hint", facts["hint"])
    for name, value in facts["parameters"].items():
        field("parameter", f"params.{name} = {value}")
    field("reads", ", ".join(r for r in facts["reads"] if not r.endswith("()")))
    for name, reads in facts["helpers"].items():
        field(f"{name}()", "reads " + (", ".join(reads) or "only its arguments"))
    for kind in ("fires", "quiet"):
        for text in facts["examples"][kind]:
            field(f"{kind} on", text)
    if result is None:
        return
    click.echo(f"\n{result['project']}:")
    for condition in result["conditions"] or ["the rule applies to every project"]:
        click.echo(f"  {condition}")
    if not result["applies"]:
        click.echo(f"  {facts['id']} does not apply to this project.")
        return
    if result["error"]:
        click.echo(f"  {facts['id']} could not be evaluated: {result['error']}")
        return
    outcome_text = {
        "when": "left out (its condition 'when' is false)",
        "satisfied": "satisfied (the requirement holds)",
    }
    for item in result["items"]:
        if item["finding"] is None:
            click.echo(f"  {item['item']}: {outcome_text[item['outcome']]}")
        else:
            loc = item["finding"]["location"]
            click.echo(
                f"  {item['item']}: FIRES at {loc['file']}:{loc['line']}:{loc['column']}: "
                f"{item['finding']['message']}"
            )
    if not result["items"]:
        click.echo(f"  no item at {facts['scope']}: nothing to check")
    count = result["fired"]
    click.echo(
        f"  {facts['id']} fired {count} time(s)." if count else f"  {facts['id']} stays quiet."
    )


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
@click.option(
    "--explain",
    "explain",
    metavar="RULE",
    help=(
        "Print the rule (text, citation, confidence, scope, the fields it reads, its "
        "examples) and, with PATH, why it fires or not for that project."
    ),
)
@user_errors_exit
def check_cmd(
    path: Path | None,
    fmt: str,
    strict: bool,
    profile: Path | None,
    list_rules: bool,
    explain: str | None,
) -> None:
    """Check the project at PATH against EMA, ICH, Ph. Eur., CCMO and CBG expectations.

    Each finding names the rule, its severity, the place in the project file it concerns,
    and the guideline it comes from. Exit 0 without errors; 1 with errors (or with
    warnings under --strict); 2 when the command was used wrongly.
    """
    if list_rules:
        _list_rules("json" if fmt == "json" else "text", profile)
        return
    if explain is not None:
        _explain(explain, path, "json" if fmt == "json" else "text", profile)
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
