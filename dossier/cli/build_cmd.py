"""``dossier build``: the Word drafts of a project (and optionally PDF)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.api import document_types
from dossier.cli.common import DIAGNOSTICS_FORMAT_OPTION, print_diagnostics, user_errors_exit


class _DocumentType(click.Choice):  # type: ignore[type-arg]
    """A built-in document type; a renamed one is refused with its new name."""

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> object:
        from dossier.core.resources import RENAMED_DOCUMENTS

        if isinstance(value, str) and value in RENAMED_DOCUMENTS:
            self.fail(
                f"the document type '{value}' is now called '{RENAMED_DOCUMENTS[value]}'",
                param,
                ctx,
            )
        return super().convert(value, param, ctx)


@click.command("build")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: out/ next to the project file).",
)
@click.option(
    "--only",
    multiple=True,
    type=_DocumentType(document_types()),
    help="Build only this document type (repeatable).",
)
@click.option(
    "--templates",
    "templates",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates (and sections/ outlines) overriding the built-ins (repeatable).",
)
@click.option("--pdf", is_flag=True, help="Also write PDF copies through LibreOffice.")
@click.option(
    "--force", is_flag=True, help="Replace drafts edited since the last build (a backup is kept)."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes drawing figures (default: one per core; 1 draws them in this one).",
)
@DIAGNOSTICS_FORMAT_OPTION
@user_errors_exit
def build_cmd(
    path: Path,
    out_dir: Path | None,
    only: tuple[str, ...],
    templates: tuple[Path, ...],
    pdf: bool,
    force: bool,
    jobs: int | None,
    fmt: str,
) -> None:
    """Build the drafts of the project at PATH: IMPD quality, IMPD safety and efficacy,
    briefing document and readiness report, and for the Dutch route the CTR dossier map
    and (for a GMO) the environmental risk assessment.

    A draft edited in Word since it was generated is never overwritten silently: the
    build stops and names it; --force keeps a timestamped backup first. A draft open in
    Word or LibreOffice stops the build before anything is written. The drafts, their
    PDFs and manifest.json are replaced together or not at all; a build waits up to a
    minute for another build of the same output folder.

    Exit 0 when the project and its data have no errors (expectation findings and
    placeholders do not count: they are the drafts' open points); 1 when they have
    errors, the drafts then being written with highlighted placeholders; 2 when the
    command was used wrongly.
    """
    from dossier import api
    from dossier.cli.main import start_up_over

    def progress(message: str) -> None:
        start_up_over()  # the first message comes once the project is loaded
        click.echo(f"  {message}", err=True)

    options = api.BuildOptions(
        out_dir=out_dir,
        only=only,
        templates=templates,
        pdf=pdf,
        force=force,
        jobs=jobs,
        progress=progress,
    )
    report = api.build(path, options)
    print_diagnostics(report.diagnostics, fmt)
    for backup in report.backups:
        click.echo(f"kept a backup of an edited draft: {backup}", err=True)
    for written in [*report.written, *report.pdfs]:
        # with --format json, standard output holds the JSON document only
        click.echo(f"wrote {written}", err=fmt == "json")
    click.echo(
        f"{report.findings} expectation finding(s): see readiness-report.docx or run dossier check",
        err=True,
    )
    if report.errors:
        # the drafts are written, with highlighted placeholders where the data could not
        # support a sentence; the exit status says that they rest on input with errors
        click.echo(
            f"{report.errors} error(s) in the project or its data: the drafts were written "
            "with highlighted placeholders where a result could not be computed",
            err=True,
        )
        sys.exit(1)
