"""Timing of dossier commands in fresh processes, with the peak memory of each run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandError", "Sample", "dossier_command", "median", "run_once", "time_command"]


class CommandError(RuntimeError):
    """A benchmarked command failed (its exit code says the input or usage is wrong)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of a command: wall time, peak resident memory and exit code.

    ``max_rss_mb`` covers the command and every process it started (the figure workers
    of a build): the larger of the command's own peak and the peak of the sum over its
    process tree, sampled every 20 ms, where pages shared between processes count in
    each (an upper bound). ``own_rss_mb`` is the command's own peak.
    """

    seconds: float
    max_rss_mb: float
    returncode: int
    own_rss_mb: float = 0.0


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4096 / 2**20


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (Linux); just ``pid`` elsewhere."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _resident_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * _PAGE_MB


class _TreeMemory(threading.Thread):
    """Samples the resident memory of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_mb = max(self.peak_mb, _resident_mb(_tree(self.pid)))


def dossier_command(*args: str) -> list[str]:
    """The command line of ``dossier ARGS`` with this interpreter (a fresh process)."""
    return [sys.executable, "-m", "dossier", *args]


def run_once(command: Sequence[str], cwd: Path | None = None) -> Sample:
    """Run ``command`` once; wall time from start to exit and the peak memory (see
    :class:`Sample`).

    ``os.wait4`` gives the resource usage of exactly this child (not of earlier ones,
    as ``RUSAGE_CHILDREN`` would), so no wrapper process is needed.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL
        )
        sampler = _TreeMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode >= 2 or proc.returncode < 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")[-2000:]
            raise CommandError(f"{' '.join(command)} exited {proc.returncode}:\n{message}")
    own = usage.ru_maxrss / 1024  # kilobytes on Linux
    return Sample(seconds, max(own, sampler.peak_mb), proc.returncode, own)


def time_command(
    make_command: Callable[[int], Sequence[str]], repeat: int, cwd: Path | None = None
) -> list[Sample]:
    """``repeat`` runs, each in a fresh process; ``make_command(i)`` gives run i's command."""
    return [run_once(make_command(i), cwd) for i in range(repeat)]


def median(values: Sequence[float]) -> float:
    """The median of the values."""
    return float(statistics.median(values))
