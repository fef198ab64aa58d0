"""The results cache of the numerical computations (dossier.compute.memo)."""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dossier.compute import memo
from dossier.compute.memo import NotEncodable, fingerprint, memoized
from tests.cli.conftest import copy_example


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    label: str


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_equal_values_have_one_fingerprint_and_different_values_two() -> None:
    assert fingerprint((1.0, "a", [Point(0.5, "p")])) == fingerprint((1.0, "a", [Point(0.5, "p")]))
    assert fingerprint({"b": 2, "a": 1}) == fingerprint({"a": 1, "b": 2})
    assert fingerprint({3, 1, 2}) == fingerprint({2, 3, 1})
    distinct = [
        1,
        1.0,
        True,
        "1",
        b"1",
        (1,),
        [1],
        {1},
        0.1 + 0.2,
        0.3,
        -0.0,
        0.0,
        Point(1.0, "a"),
        Point(1.0, "b"),
        Colour.RED,
        Colour.BLUE,
        np.array([1.0, 2.0]),
        np.array([1.0, 2.0], dtype=np.float32),
        np.array([[1.0, 2.0]]),
        None,
    ]
    keys = [fingerprint(value) for value in distinct]
    assert len(set(keys)) == len(keys)


def test_large_arrays_are_encoded_whole() -> None:
    # repr would summarise an array this long with "..."; the bytes tell them apart
    first = np.zeros(5000)
    second = first.copy()
    second[2500] = 1e-300
    assert fingerprint(first) != fingerprint(second)
    assert fingerprint(first) == fingerprint(np.zeros(5000))


def test_an_object_without_an_encoding_is_refused() -> None:
    with pytest.raises(NotEncodable):
        fingerprint(object())


def _counting() -> tuple[list[tuple[float, ...]], object]:
    calls: list[tuple[float, ...]] = []

    @memoized
    def mean(values: tuple[float, ...], *, weight: float = 1.0) -> float:
        calls.append(values)
        return weight * sum(values) / len(values)

    return calls, mean


def test_a_result_is_computed_once_per_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    calls, mean = _counting()
    assert mean((1.0, 2.0)) == 1.5  # type: ignore[operator]
    assert mean((1.0, 2.0)) == 1.5  # type: ignore[operator]
    assert mean((1.0, 2.0), weight=2.0) == 3.0  # type: ignore[operator]
    assert mean((1.0, 4.0)) == 2.5  # type: ignore[operator]
    assert calls == [(1.0, 2.0), (1.0, 2.0), (1.0, 4.0)]
    assert len(list((tmp_path / "results").iterdir())) == 3


def test_no_cache_folder_computes_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    calls, mean = _counting()
    mean((1.0, 2.0))  # type: ignore[operator]
    mean((1.0, 2.0))  # type: ignore[operator]
    assert len(calls) == 2


def test_a_damaged_entry_is_computed_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    calls, mean = _counting()
    mean((1.0, 2.0))  # type: ignore[operator]
    (entry,) = (tmp_path / "results").iterdir()
    entry.write_bytes(entry.read_bytes()[:5])
    assert mean((1.0, 2.0)) == 1.5  # type: ignore[operator]
    assert mean((1.0, 2.0)) == 1.5  # type: ignore[operator]
    assert len(calls) == 2


def test_a_failure_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    calls, mean = _counting()
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            mean(())  # type: ignore[operator]
    assert len(calls) == 2
    assert not (tmp_path / "results").exists()


def test_an_argument_without_an_encoding_is_computed_uncached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    calls: list[object] = []

    @memoized
    def name_of(value: object) -> str:
        calls.append(value)
        return type(value).__name__

    thing = object()
    assert name_of(thing) == name_of(thing) == "object"
    assert len(calls) == 2


def test_two_functions_do_not_share_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))

    @memoized
    def smallest(values: tuple[float, ...]) -> float:
        return min(values)

    @memoized
    def largest(values: tuple[float, ...]) -> float:
        return max(values)

    assert smallest((1.0, 2.0)) == 1.0
    assert largest((1.0, 2.0)) == 2.0


def test_the_key_changes_with_the_code_of_the_computations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    calls, mean = _counting()
    mean((1.0, 2.0))  # type: ignore[operator]
    # another version of dossier.compute (as after an upgrade or an edit of its code)
    monkeypatch.setattr(memo, "_salt", lambda: b"other code")
    mean((1.0, 2.0))  # type: ignore[operator]
    assert len(calls) == 2


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from dossier.analysis.project import compute_project
    from dossier.model.project_io import load_project

    computed = compute_project(load_project(sys.argv[1]))
    print(json.dumps({
        "scipy": "scipy" in sys.modules,
        "rule_data": computed.rule_data(),
        "diagnostics": [d.message for d in computed.diagnostics],
    }, default=str, sort_keys=True))
    """
)


def _compute(project: Path, cache: str) -> dict[str, object]:
    env = {**os.environ, "DOSSIER_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(project)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize(
    "example", ["car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema"]
)
def test_results_from_the_cache_are_the_results_computed(tmp_path: Path, example: str) -> None:
    """Computing a project again with the cache filled gives the same typed results and
    diagnostics, and needs none of SciPy: every computation that uses it is memoized."""
    project = copy_example(tmp_path, example)
    cache = str(tmp_path / "cache")
    uncached = _compute(project, "")
    first = _compute(project, cache)
    again = _compute(project, cache)
    assert uncached["scipy"]
    assert first["scipy"]
    assert not again["scipy"]
    assert again["rule_data"] == first["rule_data"] == uncached["rule_data"]
    assert again["diagnostics"] == first["diagnostics"] == uncached["diagnostics"]
