"""``python -m dossier`` runs the CLI."""

from dossier.cli.main import run

run()
