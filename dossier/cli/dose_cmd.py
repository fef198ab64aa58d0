"""``dossier dose``: first-in-human dose scaling, step by step."""

from __future__ import annotations

import click

from dossier.cli.common import echo_json, user_errors_exit


@click.group("dose")
def dose_group() -> None:
    """First-in-human dose: scale animal doses to humans."""


@dose_group.command("scale")
@click.option(
    "--species",
    required=True,
    help="Species as in FDA 2005 Table 1 (e.g. mouse, 'guinea pig', mini-pig).",
)
@click.option("--dose", "value", type=float, required=True, help="The animal dose (e.g. 1e6).")
@click.option(
    "--unit",
    required=True,
    help="Its unit, e.g. 'cells' (per animal), 'cells/kg', 'vg/kg', 'mg/kg'.",
)
@click.option(
    "--basis", type=click.Choice(["per-kg", "bsa", "organ", "area", "flat"]), required=True
)
@click.option("--animal-weight", type=float, help="Animal body weight in kg (per-animal doses).")
@click.option(
    "--human-weight", type=float, default=60.0, show_default=True, help="Human body weight in kg."
)
@click.option(
    "--animal-value", type=float, help="organ/area basis: the animal's organ mass, volume or area."
)
@click.option(
    "--human-value", type=float, help="organ/area basis: the human's organ mass, volume or area."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@user_errors_exit
def scale_cmd(
    species: str,
    value: float,
    unit: str,
    basis: str,
    animal_weight: float | None,
    human_weight: float,
    animal_value: float | None,
    human_value: float | None,
    fmt: str,
) -> None:
    """Scale an animal dose to a human equivalent dose and show every step."""
    from dossier.compute.dose import scale_dose
    from dossier.core.errors import UserError
    from dossier.core.units import check_unit

    problem = check_unit(unit)
    if problem:
        raise UserError(problem)
    try:
        result = scale_dose(
            species,
            value,
            unit,
            basis,  # type: ignore[arg-type]
            animal_weight_kg=animal_weight,
            human_weight_kg=human_weight,
            animal_value=animal_value,
            human_value=human_value,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        echo_json(
            {
                "human_equivalent_dose": result.human_equivalent_dose,
                "unit": result.unit,
                "basis": result.basis,
                "factor": result.factor,
                "human_total": result.human_total,
                "steps": [
                    {"label": s.label, "value": s.value, "unit": s.unit, "formula": s.formula}
                    for s in result.steps
                ],
                "warnings": list(result.warnings),
            }
        )
        return
    for step in result.steps:
        click.echo(f"  {step.label:<34} {step.value:>12.4g} {step.unit:<18} {step.formula}")
    click.echo(
        f"human equivalent dose: {result.human_equivalent_dose:.4g} {result.unit} ({result.basis})"
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
