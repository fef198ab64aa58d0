"""When Python's cyclic garbage collector runs during a command-line run.

Starting a command makes tens of thousands of objects that live until the process
ends: modules, the project model's classes and validators, the parsed project file.
The collector would scan them again and again while they are made (about 15 % of a
``dossier validate``), and once more at exit (about 50 ms). The command line therefore
calls :func:`defer` first: no collection while starting; :func:`started`, once the
project is loaded, moves everything made so far out of the collector's sight
(``gc.freeze``) and switches it back on, so the long work that follows (a large build)
keeps collecting its own garbage; :func:`finish` freezes again before exit.

Used as a library (``import dossier``), nothing here runs unless the caller asks.
"""

from __future__ import annotations

import gc

__all__ = ["defer", "finish", "started"]


class _State:
    deferred = False


def defer() -> None:
    """No cyclic collection until :func:`started` (called by the command line)."""
    _State.deferred = True
    gc.disable()


def started() -> None:
    """The start-up is over: what it made is frozen and collection resumes. Does
    nothing unless :func:`defer` was called."""
    if _State.deferred:
        _State.deferred = False
        gc.freeze()
        gc.enable()


def finish() -> None:
    """Before exit: no final collection over objects that the exit frees anyway."""
    gc.freeze()
