"""The figures of a build, drawn together: those missing from the cache, by worker processes.

A build composes every draft first, and composing only describes each figure (a
:class:`~dossier.figures.draw.Drawing`). :func:`draw_all` then takes the PNGs the cache
holds and draws the rest, in a :class:`concurrent.futures.ProcessPoolExecutor` when
there are enough of them to share between cores, else in this process. A worker that
dies, or a pool that cannot start (no process, file or working semaphore to be had),
leaves its figures to this process. Both ways give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    from dossier.figures.draw import Drawing

__all__ = ["FIGURES_PER_WORKER", "available_cores", "draw_all"]

FIGURES_PER_WORKER = 4
"""A worker process is started for every this many figures to draw (up to the jobs
allowed): each worker imports matplotlib anew, which a figure or two do not repay."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def draw_all(
    drawings: Sequence[Drawing],
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[bytes]:
    """The PNG of each drawing, in order: from the cache, or drawn and kept there.

    Up to ``jobs`` worker processes (default: the available cores) draw the figures
    missing from the cache; ``jobs=1`` draws them in this process. A figure asked for
    twice is drawn once.
    """
    pngs: dict[str, bytes] = {}
    missing: dict[str, Drawing] = {}
    for drawing in drawings:
        if drawing.key in pngs or drawing.key in missing:
            continue
        png = drawing.cached()
        if png is None:
            missing[drawing.key] = drawing
        else:
            pngs[drawing.key] = png
    todo = list(missing.values())
    if todo and progress is not None:
        progress(f"drawing {len(todo)} figure(s)")
    allowed = available_cores() if jobs is None else max(1, jobs)
    workers = min(allowed, len(todo) // FIGURES_PER_WORKER)
    drawn = _in_workers(todo, workers) if workers > 1 else [d.draw() for d in todo]
    for drawing, png in zip(todo, drawn, strict=True):
        drawing.keep(png)
        pngs[drawing.key] = png
    return [pngs[d.key] for d in drawings]


def _ignore_interrupts() -> None:
    import signal

    # Ctrl-C reaches every process of the terminal's group; the build itself stops the
    # workers, which should not each print a traceback of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_workers(drawings: list[Drawing], workers: int) -> list[bytes]:
    from concurrent.futures import ProcessPoolExecutor

    pool: ProcessPoolExecutor | None = None
    futures: list[Future[bytes]] = []
    try:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
        for drawing in drawings:
            futures.append(pool.submit(drawing.function, *drawing.args))
    except (OSError, ImportError):
        # no process or file left, or no working semaphores (which multiprocessing
        # reports as an ImportError): what was not handed to a worker is drawn here
        pass
    try:
        return [_collect(f, d) for f, d in zip_longest(futures, drawings)]
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _collect(future: Future[bytes] | None, drawing: Drawing) -> bytes:
    """The PNG a worker drew; drawn here when no worker could draw it."""
    from concurrent.futures.process import BrokenProcessPool

    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:  # a worker was killed (out of memory, a signal)
            pass
    return drawing.draw()
