"""Helpers shared by the command modules: error mapping and output formats."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from dossier.core.diagnostics import Diagnostic, DiagnosticList
from dossier.core.errors import UsageError, UserError

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for other tools.",
)

DIAGNOSTICS_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for CI annotations.",
)


def print_diagnostics(diags: list[Diagnostic], fmt: str = "text") -> None:
    """Print diagnostics in the chosen format (text and github to stderr-friendly stdout)."""
    dl = DiagnosticList(diags).sorted()
    if fmt == "json":
        click.echo(dl.to_json())
    elif fmt == "github":
        for d in dl:
            click.echo(d.format_github())
    else:
        for d in dl:
            click.echo(d.format_text())


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
            fmt = kwargs.get("fmt", "text")
            print_diagnostics(exc.diagnostics, "json" if fmt == "json" else "text")
            sys.exit(1)
        except UsageError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    """Print a JSON document (UTF-8, stable key order as given, 2-space indent)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
