"""Figures drawn on every core while the drafts are composed and written.

Drawing a figure with matplotlib costs far more than everything else a draft needs
(importing matplotlib alone takes about 0.4 s), so a build hands each figure that is not
in the cache to a pool of worker processes and goes on composing; the Word writer asks
for the PNG only when it places the figure. The workers are forked from a server
process (multiprocessing's ``forkserver``) that has loaded matplotlib and the figure
code once, so a worker starts in milliseconds and only as many start as there are
figures to draw at the same time. Starting the server and the first worker waits for
that loading; a background thread does it, so the build never waits for a figure before
it needs to place it.

Outside :func:`parallel` (the default, and on systems other than Linux: Windows has no
fork, and on macOS forking a process that has used system frameworks is unsafe) every
figure is drawn at once in the calling process. Both ways give the same bytes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
    from multiprocessing.context import BaseContext

__all__ = ["Pending", "available_cores", "draw", "parallel"]

Draw = Callable[..., bytes]


class _State:
    """The pool of the build in progress (one build at a time per process)."""

    jobs = 1
    preload: tuple[str, ...] = ()
    submitter: ThreadPoolExecutor | None = None
    pool: ProcessPoolExecutor | None = None


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    return sys.platform.startswith("linux")


@contextmanager
def parallel(
    jobs: int | None = None, *, preload: Sequence[str] = (), start: bool = False
) -> Iterator[None]:
    """Within this block, figures missing from the cache are drawn by up to ``jobs``
    worker processes (default: the available cores); ``jobs=1`` draws them here.

    ``preload`` names the modules the server loads before forking workers (matplotlib,
    the drawing functions and the types of their arguments). The server starts with the
    first figure to draw, or at once with ``start`` (when figures are sure to be drawn),
    so that it loads them while the build loads and computes the project.
    """
    _State.jobs = available_cores() if jobs is None else max(1, jobs)
    _State.preload = tuple(preload)
    if start and _State.jobs > 1 and _can_fork():
        try:
            _server()
        except (OSError, ImportError):  # no process, socket or semaphore: drawn here
            _State.jobs = 1
    try:
        yield
    finally:
        submitter, pool = _State.submitter, _State.pool
        _State.submitter, _State.pool, _State.jobs = None, None, 1
        if submitter is not None:
            submitter.shutdown(wait=True, cancel_futures=True)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    import signal

    # Ctrl-C reaches every process of the terminal's group; the build itself stops the
    # workers, which should not each print a traceback of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _server() -> BaseContext:
    """multiprocessing's fork server, running (or starting), with the preloaded modules."""
    import multiprocessing
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    # a server already running (an earlier build in this process) keeps its modules
    context.set_forkserver_preload(list(_State.preload))
    forkserver.ensure_running()  # returns at once; the server loads in the background
    return context


def _submit(function: Draw, args: tuple[Any, ...]) -> Future[bytes]:
    """On the submitter thread: hand one figure to the pool (made on first use)."""
    if _State.pool is None:
        from concurrent.futures import ProcessPoolExecutor

        _State.pool = ProcessPoolExecutor(
            max_workers=_State.jobs, mp_context=_server(), initializer=_ignore_interrupts
        )
    return _State.pool.submit(function, *args)


def _submitter() -> ThreadPoolExecutor | None:
    if _State.jobs <= 1 or not _can_fork():
        return None
    if _State.submitter is None:
        from concurrent.futures import ThreadPoolExecutor

        # one thread, so figures reach the pool in the order the drafts need them
        _State.submitter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures")
    return _State.submitter


def _keep(path: Path | None, png: bytes) -> None:
    if path is not None:
        from dossier.core.cache import write_atomically

        write_atomically(path, png)


class Pending:
    """A figure being drawn by a worker; :meth:`result` waits for its PNG."""

    def __init__(
        self,
        submitted: Future[Future[bytes]],
        function: Draw,
        args: tuple[Any, ...],
        keep: Path | None,
    ) -> None:
        self._submitted = submitted
        self._function = function
        self._args = args
        self._keep = keep
        self._png: bytes | None = None

    def result(self) -> bytes:
        """The PNG (kept in the cache once drawn)."""
        if self._png is None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                png = self._submitted.result().result()
            except (BrokenProcessPool, OSError, ImportError):
                # a worker was killed (out of memory, a signal) or could not start (no
                # process or file left; no working semaphores, which multiprocessing
                # reports as an ImportError): the figure is drawn here instead
                png = self._function(*self._args)
            _keep(self._keep, png)
            self._png = png
        return self._png


def draw(function: Draw, args: tuple[Any, ...], keep: Path | None) -> bytes | Pending:
    """``function(*args)``: at once here, or by a worker when inside :func:`parallel`.

    ``keep`` is where the PNG goes in the cache once drawn (``None``: not kept). The
    function and its arguments must be picklable (a module-level function and data).
    """
    submitter = _submitter()
    if submitter is None:
        png = function(*args)
        _keep(keep, png)
        return png
    return Pending(submitter.submit(_submit, function, args), function, args, keep)
