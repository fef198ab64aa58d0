"""Timing of dossier commands in fresh processes, with the peak memory of each run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandError", "Sample", "dossier_command", "median", "run_once", "time_command"]


class CommandError(RuntimeError):
    """A benchmarked command failed (its exit code says the input or usage is wrong)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of a command: wall time, peak resident memory and exit code."""

    seconds: float
    max_rss_mb: float
    returncode: int


def dossier_command(*args: str) -> list[str]:
    """The command line of ``dossier ARGS`` with this interpreter (a fresh process)."""
    return [sys.executable, "-m", "dossier", *args]


def run_once(command: Sequence[str], cwd: Path | None = None) -> Sample:
    """Run ``command`` once; wall time from start to exit and the child's own peak RSS.

    ``os.wait4`` gives the resource usage of exactly this child (not of earlier ones,
    as ``RUSAGE_CHILDREN`` would), so no wrapper process is needed.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode >= 2 or proc.returncode < 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")[-2000:]
            raise CommandError(f"{' '.join(command)} exited {proc.returncode}:\n{message}")
    # ru_maxrss is in kilobytes on Linux
    return Sample(seconds, usage.ru_maxrss / 1024, proc.returncode)


def time_command(
    make_command: Callable[[int], Sequence[str]], repeat: int, cwd: Path | None = None
) -> list[Sample]:
    """``repeat`` runs, each in a fresh process; ``make_command(i)`` gives run i's command."""
    return [run_once(make_command(i), cwd) for i in range(repeat)]


def median(values: Sequence[float]) -> float:
    """The median of the values."""
    return float(statistics.median(values))
