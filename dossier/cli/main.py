"""The ``dossier`` command: a thin shell over the library.

Sub-commands are imported lazily (a click group that resolves a command only
when it is invoked or listed) so that ``dossier validate`` does not pay for
pandas, scipy or docxtpl. Each stage owns its own command module; this file only
knows their names.

When Python's cyclic garbage collector runs is decided here, for the command line only
(the library leaves it alone). Starting a command makes tens of thousands of objects
that live until the process ends: modules, the project model's classes and validators,
the parsed project file. The collector would scan them again and again while they are
made, and once more at exit (benchmarks/README.md has the figures). So
:func:`run` switches it off first; :func:`start_up_over`, called when the long work
begins (a command is resolved, or a project command has loaded its project), moves
everything made so far out of the collector's sight (``gc.freeze``) and switches it back
on, so that a large build collects its own garbage; before exit everything is frozen
again.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from dossier.core.version import __version__


def _skip_pydantic_plugin_scan() -> None:
    """Tell pydantic, through its documented switch, not to look for plugins.

    Pydantic looks for plugins (observability hooks registered as package entry points)
    when it builds the first validator, scanning every installed distribution, a cost
    that grows with the environment. The command line validates only dossier's own
    files, so it needs none; a value the user set for ``PYDANTIC_DISABLE_PLUGINS`` wins.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


# name -> "module:attribute" of a click.Command. Keep in the order shown by --help.
LAZY_COMMANDS: dict[str, str] = {
    "validate": "dossier.cli.validate_cmd:validate_cmd",
    "init": "dossier.cli.init_cmd:init_cmd",
    "schema": "dossier.cli.schema_cmd:schema_cmd",
    "build": "dossier.cli.build_cmd:build_cmd",
    "check": "dossier.cli.check_cmd:check_cmd",
    "assay": "dossier.cli.assay_cmd:assay_group",
    "dose": "dossier.cli.dose_cmd:dose_group",
    "import": "dossier.cli.import_cmd:import_group",
    "templates": "dossier.cli.templates_cmd:templates_group",
}

PROJECT_COMMANDS = frozenset({"validate", "build", "check"})
"""Commands that start by loading a project and call :func:`start_up_over` once it is
loaded; the others collect from the moment they are resolved."""


class _Collection:
    deferred = False


def _defer_collection() -> None:
    """No cyclic garbage collection until :func:`start_up_over`."""
    _Collection.deferred = True
    gc.disable()


def start_up_over() -> None:
    """The start-up is over: what it made is frozen and collection resumes. Does nothing
    unless :func:`run` deferred collection, or when called a second time."""
    if _Collection.deferred:
        _Collection.deferred = False
        gc.freeze()
        gc.enable()


class LazyGroup(click.Group):
    """A click group whose sub-commands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in LAZY_COMMANDS if self._module_exists(name)]

    @staticmethod
    def _module_exists(name: str) -> bool:
        module = LAZY_COMMANDS[name].split(":", 1)[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None or not self._module_exists(cmd_name):
            return None
        module_name, attr = target.split(":", 1)
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):  # pragma: no cover - programming error
            raise TypeError(f"{target} is not a click command")
        if cmd_name not in PROJECT_COMMANDS:
            start_up_over()
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dossier")
def cli() -> None:
    """Turn structured evidence about an ATMP into validated, traceable Word drafts.

    Typical use: `dossier validate PROJECT`, `dossier check PROJECT`,
    `dossier build PROJECT`.
    """


CRASH_LOGS_KEPT = 20
"""How many crash logs the cache folder keeps; older ones are deleted."""


def crash_log_folder() -> str | None:
    """Where crash logs go: ``crash/`` in dossier's cache folder (``None`` when caching
    is switched off; the temporary folder is used then)."""
    from dossier.core.cache import cache_folder

    folder = cache_folder()
    return None if folder is None else os.path.join(folder, "crash")


def _prune_crash_logs(folder: str, keep: int = CRASH_LOGS_KEPT) -> None:
    """Delete all but the ``keep`` newest crash logs of ``folder``."""
    import contextlib

    logs = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith("dossier-crash-") and entry.name.endswith(".log"):
                with contextlib.suppress(OSError):
                    logs.append((entry.stat().st_mtime, entry.name))
    for _, name in sorted(logs, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))


def _save_traceback() -> str:
    import tempfile
    import traceback

    folder = crash_log_folder()
    try:
        if folder is None:
            raise OSError("no cache folder")
        os.makedirs(folder, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix="dossier-crash-", suffix=".log", dir=folder)
    except OSError:  # no usable cache folder: the temporary folder, as before
        folder = None
        fd, path = tempfile.mkstemp(prefix="dossier-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        traceback.print_exc(file=fh)
    if folder is not None:
        _prune_crash_logs(folder)
    return path


def run(argv: list[str] | None = None) -> Any:
    """Console entry point: run the CLI and turn unexpected errors into one line.

    Exit codes: 0 success, 1 the input has errors, 2 the command was used wrongly,
    3 an internal error (with the traceback saved to a file in ``crash/`` of the cache
    folder, which keeps the newest 20, never printed).
    """
    _skip_pydantic_plugin_scan()
    _defer_collection()
    try:
        return cli.main(args=argv, prog_name="dossier", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        path = _save_traceback()
        click.echo(
            f"dossier: internal error ({type(exc).__name__}: {exc}); "
            f"the traceback was saved to {path}. Please report it.",
            err=True,
        )
        sys.exit(3)
    finally:
        gc.freeze()  # no final collection over objects that the exit frees anyway


if __name__ == "__main__":  # pragma: no cover
    run()
