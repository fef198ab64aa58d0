"""``dossier templates``: list and check the Word templates and document outlines."""

from __future__ import annotations

from pathlib import Path

import click

from dossier.cli.common import DIAGNOSTICS_FORMAT_OPTION, print_diagnostics, user_errors_exit


@click.group("templates")
def templates_group() -> None:
    """Word templates and document outlines (built-in or a team's own)."""


@templates_group.command("check")
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@DIAGNOSTICS_FORMAT_OPTION
@user_errors_exit
def check_templates_cmd(folder: Path | None, fmt: str) -> None:
    """Lint the templates in FOLDER (default: the built-in ones) against their view
    models, headers, footers and footnotes included; check the outlines in
    FOLDER/sections. Exit 1 when a problem is found.
    """
    from dossier.core.diagnostics import DiagnosticList
    from dossier.core.errors import UserError
    from dossier.core.resources import builtin_dir
    from dossier.drafts.outline import load_outline
    from dossier.word.lint import lint_template

    root = folder or builtin_dir("templates")
    templates = sorted(root.rglob("*.docx"))
    outlines_dir = (folder / "sections") if folder else builtin_dir("sections")
    outlines = sorted(outlines_dir.glob("*.yaml")) if outlines_dir.is_dir() else []
    if not templates and not outlines:
        raise UserError(f"no .docx templates or sections/*.yaml outlines in {root}")
    problems = DiagnosticList()
    for template in templates:
        found = lint_template(template)
        problems.extend(found)
        if fmt == "text":
            click.echo(f"{template}: {'ok' if not found else f'{len(found)} problem(s)'}")
    for outline in outlines:
        try:
            load_outline(outline)
            if fmt == "text":
                click.echo(f"{outline}: ok")
        except UserError as exc:
            problems.extend(exc.diagnostics)
    print_diagnostics(problems.sorted(), fmt)
    if problems:
        raise SystemExit(1)
