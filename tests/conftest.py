"""Session-wide settings for every test.

dossier keeps reusable results (figures) in a cache folder, and
matplotlib keeps its font list in the user's cache. For the whole session both point
into a temporary folder, set in ``os.environ`` so that the commands the tests run in
subprocesses inherit it: no test writes to the user's home or cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CACHE_VARIABLES = ("DOSSIER_CACHE_DIR", "XDG_CACHE_HOME")


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``DOSSIER_CACHE_DIR`` and ``XDG_CACHE_HOME`` in a temporary folder (a test may
    still change them with ``monkeypatch.setenv``)."""
    root = tmp_path_factory.mktemp("cache")
    before = {name: os.environ.get(name) for name in CACHE_VARIABLES}
    os.environ["DOSSIER_CACHE_DIR"] = str(root / "dossier")
    os.environ["XDG_CACHE_HOME"] = str(root / "xdg")
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
