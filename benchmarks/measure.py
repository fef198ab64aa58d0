"""Timing of dossier commands in fresh processes, with the peak memory of each run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandError", "Sample", "dossier_command", "median", "run_once"]


class CommandError(RuntimeError):
    """A benchmarked command failed (its exit code says the input or usage is wrong)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of a command: wall time, peak memory and exit code.

    ``own_rss_mb`` is the command's own peak resident memory. ``max_rss_mb`` also covers
    every process it started (the figure workers of a build) when the run sampled its
    process tree: the larger of the command's own peak and the peak, sampled every
    20 ms, of the tree's proportional set size (PSS: a page shared by n processes counts
    1/n in each, so the sum is the memory the tree really holds).
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


def _memory_mb(pid: int) -> float:
    """PSS of one process (Linux 4.14+), else its resident set; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


class _TreeMemory(threading.Thread):
    """Samples the resident memory of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_mb = max(self.peak_mb, sum(_memory_mb(p) for p in _tree(self.pid)))


def dossier_command(*args: str) -> list[str]:
    """The command line of ``dossier ARGS`` (a fresh process): the console script users
    run, installed next to this interpreter, else ``python -m dossier``."""
    script = Path(sys.executable).with_name("dossier")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), *args]
    return [sys.executable, "-m", "dossier", *args]


def run_once(
    command: Sequence[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    *,
    tree_memory: bool = False,
) -> Sample:
    """Run ``command`` once; wall time from start to exit and the peak memory (see
    :class:`Sample`; the process tree is sampled with ``tree_memory``, which costs some
    of a core, so timed runs do without).

    ``os.wait4`` gives the resource usage of exactly this child (not of earlier ones,
    as ``RUSAGE_CHILDREN`` would), so no wrapper process is needed.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else os.environ | env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        sampler = _TreeMemory(proc.pid)
        if tree_memory:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.done.set()
        if tree_memory:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode >= 2 or proc.returncode < 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")[-2000:]
            raise CommandError(f"{' '.join(command)} exited {proc.returncode}:\n{message}")
    own = usage.ru_maxrss / 1024  # kilobytes on Linux
    return Sample(seconds, max(own, sampler.peak_mb), proc.returncode, own)


def median(values: Sequence[float]) -> float:
    """The median of the values."""
    return float(statistics.median(values))
