"""Helpers shared by the command modules: error mapping and output formats.

Every command prints diagnostics (and rule findings, which are diagnostics too) through
:func:`print_diagnostics` or :func:`print_report`, so ``--format text|json|github`` reads
the same everywhere.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import click

from dossier.core.diagnostics import FORMATS, Diagnostic, DiagnosticList, format_diagnostics
from dossier.core.errors import UsageError, UserError

F = TypeVar("F", bound=Callable[..., Any])

DIAGNOSTICS_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for CI annotations.",
)


class Report(Protocol):
    """What the front door's reports have in common for printing."""

    @property
    def diagnostics(self) -> DiagnosticList: ...

    def to_dict(self) -> dict[str, Any]: ...


def print_diagnostics(diags: Iterable[Diagnostic], fmt: str = "text", *, err: bool = False) -> None:
    """Print diagnostics in the order given: ``text`` or ``github`` one by one, ``json``
    as one document with the counts. Formats other than these (``yaml``) print text.
    Nothing is printed for no diagnostics, except the JSON document."""
    chosen = fmt if fmt in FORMATS else "text"
    items = DiagnosticList(diags)
    if not items and chosen != "json":
        return
    click.echo(format_diagnostics(items, chosen), err=err)


def print_report(report: Report, fmt: str) -> None:
    """A report of :mod:`dossier.api`: its JSON document, or its diagnostics."""
    if fmt == "json":
        echo_json(report.to_dict())
    else:
        print_diagnostics(report.diagnostics, fmt)


def user_errors_exit(func: F) -> F:
    """Decorator: map UserError to its diagnostics and exit 1, UsageError to exit 2.

    The ``fmt`` keyword of the wrapped command (if any) chooses how the diagnostics
    are printed, so ``--format json`` yields JSON even on failure.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            print_diagnostics(exc.diagnostics.sorted(), kwargs.get("fmt", "text"))
            sys.exit(1)
        except UsageError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    """Print a JSON document (UTF-8, stable key order as given, 2-space indent)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
