"""The command line's garbage-collection policy: none while starting, then collection
again with the start-up's objects frozen; a library caller is never affected."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.core import collection

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "car-t-nl"


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    collection._State.deferred = False
    gc.unfreeze()
    gc.enable()


def test_started_does_nothing_unless_deferred(restored: None) -> None:
    frozen = gc.get_freeze_count()
    collection.started()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_deferred_start_up_then_collection_resumes(restored: None) -> None:
    collection.defer()
    assert not gc.isenabled()
    made_while_starting = [[] for _ in range(1000)]
    collection.started()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_while_starting)
    collection.started()  # a second load (a profile, say) changes nothing
    assert gc.isenabled()


SCRIPT = """
import gc, sys
from dossier.cli import main
from dossier.core import collection
def report(code):
    print("enabled" if gc.isenabled() else "disabled", gc.get_freeze_count() > 0)
    raise SystemExit(code)
sys.exit = report
collection.finish = lambda: None  # keep the state to report it
try:
    main.run(sys.argv[1:])
except SystemExit:
    pass
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", str(EXAMPLE)], "enabled True"),  # the project load ended the start-up
        (["schema"], "enabled True"),  # commands without a project collect from the outset
    ],
)
def test_the_command_line_collects_after_its_start_up(args: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == expected, done.stdout + done.stderr
