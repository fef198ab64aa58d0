"""``dossier init``: a valid, commented starter project."""

from __future__ import annotations

from pathlib import Path

import click

from dossier.cli.common import user_errors_exit
from dossier.starters import ARCHETYPES


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--archetype",
    type=click.Choice(list(ARCHETYPES)),
    default="car-t",
    show_default=True,
    help="Kind of product the starter describes.",
)
@user_errors_exit
def init_cmd(directory: Path, archetype: str) -> None:
    """Create a starter project in DIRECTORY (never overwrites existing files)."""
    from dossier.starters import create_project

    for path in create_project(directory, archetype):
        click.echo(f"created {path}")
    click.echo(f"next: dossier validate {directory}")
