"""Results of the numerical computations kept between runs, keyed on everything they read.

The loop of editing and rebuilding mostly changes words, not data: the fits, tests and
intervals of a rebuild are those of the build before. :func:`memoized` wraps a *pure*
computation of this package (its result depends only on its arguments and on the code
of :mod:`dossier.compute`, and it changes nothing outside itself) so that its result is
kept in dossier's cache folder (:mod:`dossier.core.cache`; ``DOSSIER_CACHE_DIR=""``
switches it off) under a hash of

- the function's module and name;
- its arguments, encoded by value (:func:`fingerprint`): numbers exactly, arrays by their
  bytes, data classes and pydantic models field by field, sets and dict keys sorted;
- the source of every module of :mod:`dossier.compute`, dossier's version, and the NumPy,
  SciPy and Python versions.

An argument that cannot be encoded by value makes the call run as if there were no cache,
and so does a cache entry that cannot be read: an entry is only ever used when its key
matches. A call that raises is not kept. Results are kept with :mod:`pickle`; the folder
is the user's own, as for the figures.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import math
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

__all__ = ["NotEncodable", "fingerprint", "memoized"]

P = ParamSpec("P")
R = TypeVar("R")


class NotEncodable(TypeError):
    """An argument of a memoized call that has no encoding by value."""


def _feed(digest: Any, value: Any) -> None:
    """Add ``value`` to ``digest``, tagged by kind so that no two values collide."""
    update = digest.update
    if value is None or isinstance(value, bool | int | str | bytes):
        update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, float):
        # repr is exact for floats; -0.0 and 0.0 stay apart, every NaN is one value
        update(b"float:" + (b"nan" if math.isnan(value) else repr(value).encode()) + b";")
    elif isinstance(value, enum.Enum):
        update(f"enum:{type(value).__qualname__}.{value.name};".encode())
    elif isinstance(value, tuple | list):
        update(f"{type(value).__name__}[{len(value)}](".encode())
        for item in value:
            _feed(digest, item)
        update(b")")
    elif isinstance(value, dict):
        items = sorted((fingerprint(k), v) for k, v in value.items())
        update(f"dict[{len(items)}](".encode())
        for key, item in items:
            update(key.encode())
            _feed(digest, item)
        update(b")")
    elif isinstance(value, set | frozenset):
        update(f"set[{len(value)}](".encode())
        for key in sorted(fingerprint(item) for item in value):
            update(key.encode())
        update(b")")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        update(f"dc:{type(value).__module__}.{type(value).__qualname__}(".encode())
        for field in dataclasses.fields(value):
            update(field.name.encode() + b"=")
            _feed(digest, getattr(value, field.name))
        update(b")")
    elif _is_array(value):
        import numpy as np

        array = np.ascontiguousarray(value)
        update(f"ndarray:{array.dtype.str}{array.shape}:".encode())
        update(array.tobytes())
    elif hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):
        # a pydantic model: its type and its fields (models nested in it become dicts)
        update(f"model:{type(value).__module__}.{type(value).__qualname__}".encode())
        _feed(digest, value.model_dump(mode="python", round_trip=True))
    else:
        raise NotEncodable(f"no encoding by value for {type(value).__qualname__}")


def _is_array(value: Any) -> bool:
    """A NumPy array or scalar (without importing NumPy when nothing uses it)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray | numpy.generic)


def fingerprint(value: Any) -> str:
    """The SHA-256 of ``value`` encoded by value; :class:`NotEncodable` when it has none."""
    digest = hashlib.sha256()
    _feed(digest, value)
    return digest.hexdigest()


@functools.cache
def _salt() -> bytes:
    """What every key holds besides the call: the code of dossier.compute and the versions
    of dossier, NumPy, SciPy and Python (read once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    from dossier.core.version import __version__

    digest = hashlib.sha256(f"{__version__};{sys.version}".encode())
    for name in ("numpy", "scipy"):
        try:
            digest.update(f"{name}={version(name)};".encode())
        except PackageNotFoundError:  # pragma: no cover - both are dependencies
            digest.update(f"{name}=?;".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.digest()


def _entry(function: Callable[..., Any], args: Any, kwargs: Any) -> Path | None:
    """Where the result of this call is kept, or None (no cache, or not encodable)."""
    from dossier.core.cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(_salt())
    digest.update(f"{function.__module__}.{function.__qualname__}".encode())
    try:
        _feed(digest, (args, kwargs))
    except NotEncodable:
        return None
    return folder / "results" / f"{digest.hexdigest()}.pickle"


def memoized(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` with its results kept in the cache folder (see the module docstring).

    Only for pure functions: the result must follow from the arguments alone, and the
    function must not change its arguments or anything else.
    """

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        entry = _entry(function, args, kwargs)
        if entry is not None:
            try:
                return pickle.loads(entry.read_bytes())  # type: ignore[no-any-return]
            except Exception:  # missing, truncated or stale: computed again
                pass
        result = function(*args, **kwargs)
        if entry is not None:
            from dossier.core.cache import write_atomically

            try:
                kept = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # a result that cannot be pickled is not kept
                return result
            write_atomically(entry, kept)
        return result

    return cached
