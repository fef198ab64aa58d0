"""``dossier import``: bring existing study data into the project."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import click

from dossier.cli.common import echo_json, print_diagnostics, user_errors_exit


@click.group("import")
def import_group() -> None:
    """Import study data (CDISC SEND) into the project."""


def _study_type(send_type: str | None) -> str:
    kind = (send_type or "").upper()
    if "SINGLE" in kind:
        return "single_dose_toxicity"
    if "REPEAT" in kind:
        return "repeat_dose_toxicity"
    return "other"


def _project_block(record: Any, folder: Path) -> dict[str, Any]:
    """A study entry for nonclinical.studies (to review and complete by hand)."""
    doses = [
        {"value": g.dose, "unit": g.unit, "label": g.label}
        for g in record.groups
        if g.dose is not None and g.unit and not g.control
    ]
    sexes = [s for s in ("male", "female") if any(g.animals.get(s) for g in record.groups)]
    per_sex = max((n for g in record.groups for n in g.animals.values()), default=0)
    block: dict[str, Any] = {
        "id": f"S-{record.study_id}"[:64],
        "title": record.title or record.study_id,
        "study_type": "single_dose_toxicity"
        if "SINGLE" in (record.study_type or "").upper()
        else "repeat_dose_toxicity"
        if "REPEAT" in (record.study_type or "").upper()
        else "other",
        "objective": "TO DO: objective of the study",
        "status": "completed",
        "report": record.sponsor_reference,
        "species": (record.species or "").lower() or "TO DO",
        "strain": (record.strain or "").lower() or None,
        "model_type": "healthy",
        "model_relevance": "TO DO: why this species and model are relevant",
        "glp": {"status": "GLP" if record.glp.upper() == "GLP" else "non_GLP_quality_assured"},
        "test_item": {
            "representativeness": "clinical_process",
            "description": ", ".join(record.test_articles),
        },
        "route": (record.route or "").lower() or "TO DO",
        "dose_levels": doses,
        "group_size": {"per_sex": per_sex, "sexes": sexes} if per_sex else None,
        "key_findings": "TO DO: key findings (see the SEND summaries)",
        "data": {"send": str(folder)},
    }
    if record.duration:
        block["duration"] = {"value": record.duration[0], "unit": record.duration[1]}
    return {k: v for k, v in block.items() if v is not None}


@import_group.command("send")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
)
@click.option(
    "--lab-threshold",
    type=float,
    default=50.0,
    show_default=True,
    help="Percent change from baseline (or control) that makes a laboratory change notable.",
)
@user_errors_exit
def send_cmd(folder: Path, fmt: str, lab_threshold: float) -> None:
    """Read a SEND package: study record, summary tables, cross-domain warnings."""
    from dossier.importers.send import check_consistency, read_send_package, study_record, summarise

    package = read_send_package(folder)
    record = study_record(package)
    summary = summarise(package, threshold_percent=lab_threshold)
    warnings = [*package.diagnostics, *check_consistency(package)]
    if fmt == "json":
        echo_json(
            {
                "study": record.to_dict(),
                "summaries": summary.to_dict(),
                "diagnostics": [d.to_dict() for d in warnings],
            }
        )
    elif fmt == "yaml":
        from ruamel.yaml import YAML

        yaml = YAML()
        yaml.default_flow_style = False
        buffer = io.StringIO()
        buffer.write(
            f"# study record imported from the SEND package {folder}; review every TO DO\n"
        )
        yaml.dump([_project_block(record, folder)], buffer)
        click.echo(buffer.getvalue(), nl=False)
    else:
        _text(record, summary)
    print_diagnostics(warnings, err=True)  # text on stderr, whatever stdout holds


def _text(record: Any, summary: Any) -> None:
    click.echo(f"{record.study_id}: {record.title}")
    duration = f"{record.duration[0]:g} {record.duration[1]}" if record.duration else "not stated"
    click.echo(f"  species {record.species}, strain {record.strain}, route {record.route}")
    click.echo(f"  duration {duration}; GLP: {record.glp}; study type: {record.study_type}")
    click.echo(f"  test articles: {', '.join(record.test_articles)}")
    click.echo("  dose groups:")
    for g in record.groups:
        dose = f"{g.dose:g} {g.unit}" if g.dose is not None else "—"
        animals = f"males {g.animals['male']}, females {g.animals['female']}"
        click.echo(f"    {g.set_code:<4} {g.label:<40} {dose:<16} {animals}")
    click.echo("  body weight (first → last):")
    for r in summary.body_weight:
        sd = f" ± {r['change_sd']:.3g}" if r["change_sd"] is not None else ""
        weights = f"{r['first_mean']:.4g} → {r['last_mean']:.4g} {r['unit']}"
        click.echo(
            f"    {r['group']:<40} {r['sex']} n={r['n']}: {weights} "
            f"(change {r['change_mean']:+.3g}{sd})"
        )
    notable = [r for r in summary.laboratory if r["notable"]]
    limit = f"{summary.threshold_percent:g} %"
    click.echo(f"  notable laboratory changes (|change from baseline| ≥ {limit}): {len(notable)}")
    for r in notable:
        values = f"{r['baseline_mean']:.3g} → {r['last_mean']:.3g} {r['unit']}"
        click.echo(f"    {r['group']:<40} {r['name']:<28} {values} ({r['change_percent']:+.0f} %)")
    click.echo("  microscopic findings (affected/examined):")
    for r in summary.microscopic:
        counts = f"{r['affected']}/{r['examined']}"
        click.echo(f"    {r['group']:<40} {r['specimen']:<24} {r['finding']:<36} {counts}")
