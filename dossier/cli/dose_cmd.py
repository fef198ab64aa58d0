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
    "--human-weight",
    type=float,
    help="Patient reference body weight in kg (default 60 for adults; required for children).",
)
@click.option(
    "--km",
    "km",
    type=click.Choice(["ratio", "divisor"]),
    default="ratio",
    show_default=True,
    help="bsa basis: the Km ratio of FDA 2005 Table 1, or its rounded divisor (both shown).",
)
@click.option(
    "--population",
    type=click.Choice(["adult", "paediatric"]),
    default="adult",
    show_default=True,
    help="bsa basis: paediatric takes the Table 1 child Km, or the weight-adjusted formula.",
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
    human_weight: float | None,
    km: str,
    population: str,
    animal_value: float | None,
    human_value: float | None,
    fmt: str,
) -> None:
    """Scale an animal dose to a human equivalent dose and show every step."""
    from dossier.compute.dose import scale_dose
    from dossier.core.errors import UsageError, UserError
    from dossier.core.units import check_unit

    if human_weight is None:
        if population == "paediatric":
            raise UsageError("--population paediatric needs --human-weight (kg)")
        human_weight = 60.0
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
            km="table-divisor" if km == "divisor" else "km-ratio",
            population=population,  # type: ignore[arg-type]
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        echo_json(
            {
                "human_equivalent_dose": result.human_equivalent_dose,
                "unit": result.unit,
                "basis": result.basis,
                "method": result.method,
                "basis_used": result.basis_text,
                "factor": result.factor,
                "human_total": result.human_total,
                "steps": [
                    {
                        "label": s.label,
                        "value": s.value,
                        "unit": s.unit,
                        "formula": s.formula,
                        "used": s.used,
                    }
                    for s in result.steps
                ],
                "warnings": list(result.warnings),
            }
        )
        return
    width = max(len(step.label) for step in result.steps)
    for step in result.steps:
        click.echo(f"  {step.label:<{width}} {step.value:>12.4g} {step.unit:<14} {step.formula}")
    click.echo(f"human equivalent dose: {result.human_equivalent_dose:.4g} {result.unit}")
    click.echo(f"basis used: {result.basis_text}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
