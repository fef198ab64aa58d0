"""The cache of computed rule data: same data as computing, reused only while current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.analysis import project as project_analysis
from dossier.analysis import rule_cache
from dossier.analysis.project import compute_project
from dossier.model.project_io import data_references, load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def car_t(tmp_path: Path) -> Path:
    folder = tmp_path / "car-t"
    shutil.copytree(EXAMPLES / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    return folder


def _count_computes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = project_analysis.compute_project

    def counting(loaded, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(loaded, **kwargs)

    monkeypatch.setattr(project_analysis, "compute_project", counting)
    return calls


@pytest.mark.parametrize("example", ["car-t-nl", "aav-systemic", "ipsc-local"])
def test_cached_data_equal_computed_data(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    loaded = load_project(EXAMPLES / example)
    expected = compute_project(loaded, send=False).rule_data()
    first = rule_cache.rule_data(loaded)
    second = rule_cache.rule_data(loaded)
    assert first == expected
    assert second == expected
    assert list((tmp_path / "cache").glob("computed-*.marshal"))


def test_a_second_run_reuses_and_a_changed_data_file_recomputes(
    car_t: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    calls = _count_computes(monkeypatch)
    loaded = load_project(car_t)
    key = rule_cache.cache_key(loaded)
    before = rule_cache.rule_data(loaded)
    rule_cache.rule_data(load_project(car_t))
    assert len(calls) == 1
    ref = next(r for r, _, kind in data_references(loaded.project) if kind == "file")
    data_file = car_t / ref
    data_file.write_text(data_file.read_text("utf-8") + "\n", "utf-8")
    again = load_project(car_t)
    assert rule_cache.cache_key(again) != key
    assert rule_cache.rule_data(again) == before  # a blank line changes no number
    assert len(calls) == 2


def test_an_edited_project_file_gets_another_key(car_t: Path) -> None:
    key = rule_cache.cache_key(load_project(car_t))
    project_file = car_t / "dossier.yaml"
    project_file.write_text(project_file.read_text("utf-8") + "\n# edited\n", "utf-8")
    assert rule_cache.cache_key(load_project(car_t)) != key


def test_an_empty_cache_dir_switches_the_cache_off(
    car_t: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    calls = _count_computes(monkeypatch)
    loaded = load_project(car_t)
    rule_cache.rule_data(loaded)
    rule_cache.rule_data(loaded)
    assert len(calls) == 2
    assert not (tmp_path / "xdg").exists()
    assert not (tmp_path / "home").exists()


def test_an_unreadable_entry_is_recomputed(
    car_t: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    loaded = load_project(car_t)
    expected = rule_cache.rule_data(loaded)
    for entry in (tmp_path / "cache").glob("computed-*.marshal"):
        entry.write_bytes(b"\x00garbage")
    assert rule_cache.rule_data(loaded) == expected
