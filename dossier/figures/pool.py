"""The figures of a build, drawn while the build goes on: those missing from the cache,
by worker processes.

Composing a draft only describes each figure (a :class:`~dossier.figures.draw.Drawing`).
A build hands each draft's drawings to a :class:`FigurePool` as soon as the draft is
composed: the pool takes the PNGs the cache holds and gives the rest to worker processes
(a :class:`concurrent.futures.ProcessPoolExecutor`), which draw them while the build
composes and writes the other drafts; the writer waits for a figure only when it reaches
one not yet drawn. A worker that dies, or a pool that cannot start (no process, file or
working semaphore to be had), leaves its figures to this process. Both ways give the
same bytes.

The workers are forked from a small server process that has imported matplotlib once
(multiprocessing's ``forkserver``), not from the build: a worker forked from the build
would keep a copy of every page of the build's memory that the build changes afterwards.
They draw at a lower priority than the build, so that the build keeps its core and the
workers share what is left.

:func:`draw_all` draws a list of figures at once, the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dossier.core.cores import available_cores

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

    from dossier.figures.draw import Drawing

__all__ = ["FIGURES_PER_WORKER", "FigurePool", "available_cores", "draw_all"]

FIGURES_PER_WORKER = 4
""":func:`draw_all` starts a worker process for every this many figures to draw (up to
the jobs allowed): a worker costs the start of a process, which a figure or two do not
repay."""

WORKER_NICENESS = 10
"""How much lower the workers' scheduling priority is than the build's."""

_PRELOAD = [
    "dossier.figures.draw",
    "dossier.figures.stability",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
]
"""What the server the workers are forked from imports once (each worker shares it)."""


def _context() -> BaseContext:
    """The multiprocessing context of the workers: ``forkserver`` where the system has
    it (preloading matplotlib), else the default one."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class _Png:
    """The PNG of one drawing: from the cache, from a worker, or drawn here."""

    def __init__(self, drawing: Drawing, png: bytes | None, future: Future[bytes] | None) -> None:
        self.drawing = drawing
        self.png = png
        self.future = future

    def done(self) -> bool:
        """Whether the PNG is at hand (from the cache, or drawn by now)."""
        return self.png is not None or (self.future is not None and self.future.done())

    def result(self) -> bytes:
        """The PNG (waits for the worker drawing it; kept in the cache once drawn)."""
        if self.png is None:
            self.png = _collect(self.future, self.drawing)
            self.future = None
            self.drawing.keep(self.png)
        return self.png


class FigurePool:
    """Drawings handed over one draft at a time; those missing from the cache are drawn
    by up to ``workers`` processes, started when the first one is missing (``workers``
    0: each is drawn here when its PNG is asked for). A figure handed over twice is
    drawn once.

    Use it as a context manager: leaving it stops the workers.
    """

    def __init__(self, workers: int, progress: Callable[[str], None] | None = None) -> None:
        self.workers = workers
        self.progress = progress
        self._pngs: dict[str, _Png] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._started = False

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def add(self, drawings: Sequence[Drawing]) -> list[_Png]:
        """The PNG to come of each drawing (its ``result()``): taken from the cache now,
        else handed to a worker to draw."""
        pngs, missing = [], 0
        for drawing in drawings:
            known = self._pngs.get(drawing.key)
            if known is None:
                png = drawing.cached()
                future = None
                if png is None:
                    missing += 1
                    future = self._submit(drawing)
                known = self._pngs[drawing.key] = _Png(drawing, png, future)
            pngs.append(known)
        if missing and self.progress is not None:
            self.progress(f"drawing {missing} figure(s)")
        return pngs

    def _submit(self, drawing: Drawing) -> Future[bytes] | None:
        if self.workers < 1:
            return None
        if not self._started:
            self._started = True
            self._pool = _start(self.workers)
        if self._pool is None:
            return None
        try:
            return self._pool.submit(_draw, drawing.function, drawing.args)
        except (OSError, ImportError, RuntimeError):
            # no process or file left, or a broken pool (a RuntimeError): drawn here
            # when it is asked for
            return None

    def close(self) -> None:
        """Stop the workers (a figure not asked for by then is not drawn)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _start(workers: int) -> ProcessPoolExecutor | None:
    """A pool of worker processes, or None when it cannot start."""
    from concurrent.futures import ProcessPoolExecutor

    try:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_worker_start
        )
    except (OSError, ImportError):
        # no process or file left, or no working semaphores (which multiprocessing
        # reports as an ImportError)
        return None


def _worker_start() -> None:
    import signal

    # Ctrl-C reaches every process of the terminal's group; the build itself stops the
    # workers, which should not each print a traceback of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nice = getattr(os, "nice", None)  # none on Windows
    if nice is not None:
        nice(WORKER_NICENESS)


def _draw(function: Callable[..., bytes], args: tuple[Any, ...]) -> bytes:
    """Draw one figure in a worker."""
    import gc

    png = function(*args)
    # a matplotlib figure is a cycle of objects: collected now, the worker's memory stays
    # that of one figure instead of growing with each figure until the collector runs
    # (cheap in a worker, whose heap is small)
    gc.collect()
    return png


def _collect(future: Future[bytes] | None, drawing: Drawing) -> bytes:
    """The PNG a worker drew; drawn here when no worker could draw it."""
    from concurrent.futures.process import BrokenProcessPool

    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:  # a worker was killed (out of memory, a signal)
            pass
    return drawing.draw()


def draw_all(
    drawings: Sequence[Drawing],
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[bytes]:
    """The PNG of each drawing, in order: from the cache, or drawn and kept there.

    Up to ``jobs`` worker processes (default: the available cores), one for every
    :data:`FIGURES_PER_WORKER` figures missing from the cache, draw them; ``jobs=1`` or
    fewer figures draws them in this process. A figure asked for twice is drawn once.
    """
    missing = {d.key for d in drawings if d.cached() is None}
    allowed = available_cores() if jobs is None else max(1, jobs)
    workers = min(allowed, len(missing) // FIGURES_PER_WORKER)
    with FigurePool(workers if workers > 1 else 0, progress) as pool:
        return [png.result() for png in pool.add(drawings)]
