"""Figures drawn by worker processes: the same drafts as drawing them in the build's
own process, a killed worker costs nothing but time, and log axes carry readable labels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.build import build_project
from dossier.figures import pool as drawing
from dossier.figures.draw import _log_axis, tick_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

needs_fork = pytest.mark.skipif(not drawing._can_fork(), reason="workers need Linux's fork")


@needs_fork
def test_drafts_are_the_same_bytes_with_and_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")  # every figure drawn, none taken as it was
    project = tmp_path / "car-t-nl"
    shutil.copytree(EXAMPLES / "car-t-nl", project, ignore=shutil.ignore_patterns("out"))
    serial = build_project(project / "dossier.yaml", out_dir=tmp_path / "serial", jobs=1)
    workers = build_project(project / "dossier.yaml", out_dir=tmp_path / "workers", jobs=2)
    names = [p.name for p in serial.written]
    assert names == [p.name for p in workers.written]
    assert "impd-quality-potency.docx" in names
    for name in names:
        drawn_here = (tmp_path / "serial" / name).read_bytes()
        assert drawn_here == (tmp_path / "workers" / name).read_bytes(), name


def _png_unless_in_worker(parent: int) -> bytes:
    """Dies when run anywhere but the process ``parent`` (as a worker killed by the
    system would)."""
    if os.getpid() != parent:
        os._exit(1)
    return b"drawn by the build itself"


@needs_fork
def test_a_killed_worker_leaves_the_figure_to_the_build(tmp_path: Path) -> None:
    keep = tmp_path / "figures" / "kept.png"
    with drawing.parallel(2):
        pending = drawing.draw(_png_unless_in_worker, (os.getpid(),), keep)
        assert isinstance(pending, drawing.Pending)
        assert pending.result() == b"drawn by the build itself"
    assert keep.read_bytes() == b"drawn by the build itself"


def test_without_workers_a_figure_is_drawn_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing, "_can_fork", lambda: False)  # as on Windows and macOS
    with drawing.parallel(4):
        png = drawing.draw(_png_unless_in_worker, (os.getpid(),), None)
    assert png == b"drawn by the build itself"
    # and outside a build, always
    assert drawing.draw(_png_unless_in_worker, (os.getpid(),), None) == png


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.05, "0.05"),
        (1.0, "1"),
        (20.0, "20"),
        (2000.0, "2000"),
        (1e4, "10⁴"),
        (2e5, "2×10⁵"),
        (1e-4, "10⁻⁴"),
        (5e-5, "5×10⁻⁵"),
        (1e8, "10⁸"),
        (0.0, ""),
        (float("nan"), ""),
    ],
)
def test_log_tick_labels_are_plain_text(value: float, text: str) -> None:
    assert tick_text(value) == text


@pytest.mark.parametrize(
    ("low", "high", "at_least"),
    [(2.0, 4.0, 2), (0.3125, 20.0, 4), (10.0, 1e7, 5)],
)
def test_a_log_axis_is_labelled_however_narrow(low: float, high: float, at_least: int) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.3, 3.4), dpi=150)
    ax = fig.add_subplot()
    ax.plot([low, high], [1.0, 2.0])
    ax.set_xscale("log")
    _log_axis(ax.xaxis, low, high)
    FigureCanvasAgg(fig).draw()  # type: ignore[no-untyped-call]
    lo, hi = sorted(ax.get_xlim())
    shown = [
        t.get_text()
        for t in [*ax.get_xticklabels(), *ax.get_xticklabels(minor=True)]
        if t.get_text() and lo <= t.get_position()[0] <= hi
    ]
    assert len(shown) >= at_least, shown
    assert not any("$" in s for s in shown)  # no mathtext


def test_no_server_to_be_had_means_drawing_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(drawing, "_can_fork", lambda: True)
    monkeypatch.setattr(drawing, "_server", refuse)
    with drawing.parallel(2, start=True):
        png = drawing.draw(_png_unless_in_worker, (os.getpid(),), None)
    assert png == b"drawn by the build itself"


def test_jobs_below_one_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(EXAMPLES / "car-t-nl"), "--jobs", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--jobs" in done.stderr
    assert "Traceback" not in done.stderr


@needs_fork
def test_a_pool_that_cannot_start_leaves_the_figure_to_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import concurrent.futures

    def no_semaphores(*_args: object, **_kwargs: object) -> None:
        raise ImportError("This platform lacks a functioning sem_open implementation")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_semaphores)
    with drawing.parallel(2):
        pending = drawing.draw(_png_unless_in_worker, (os.getpid(),), None)
        assert isinstance(pending, drawing.Pending)
        assert pending.result() == b"drawn by the build itself"
