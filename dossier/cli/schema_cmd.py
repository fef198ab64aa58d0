"""``dossier schema``: the JSON Schema (draft 2020-12) of the project file."""

from __future__ import annotations

import click

from dossier.cli.common import echo_json


@click.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the project file on standard output.

    Point your editor at it (the yaml-language-server modeline in the examples does)
    for completion and live validation while you type.
    """
    from dossier.model.schema import project_json_schema

    echo_json(project_json_schema())
