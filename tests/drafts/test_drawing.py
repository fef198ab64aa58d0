"""Figures drawn by worker processes: the same drafts as drawing them in the build's
own process, a killed worker or a pool that cannot start costs nothing but time, and log
axes carry readable labels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.build import build_project
from dossier.figures import pool
from dossier.figures.draw import Drawing, _log_axis, tick_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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
    assert "impd-quality.docx" in names
    for name in names:
        drawn_here = (tmp_path / "serial" / name).read_bytes()
        assert drawn_here == (tmp_path / "workers" / name).read_bytes(), name


def _png_unless_in_worker(parent: int, figure: int = 0) -> bytes:
    """Dies when run anywhere but the process ``parent`` (as a worker killed by the
    system would)."""
    if os.getpid() != parent:
        os._exit(1)
    return f"figure {figure}, drawn by the build itself".encode()


def _drawings(n: int) -> list[Drawing]:
    return [Drawing(f"key-{i}", _png_unless_in_worker, (os.getpid(), i)) for i in range(n)]


def _pid_png(figure: int) -> bytes:
    return f"figure {figure} by {os.getpid()}".encode()


def test_figures_are_shared_between_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    n = 2 * pool.FIGURES_PER_WORKER
    drawings = [Drawing(f"key-{i}", _pid_png, (i,)) for i in range(n)]
    pngs = pool.draw_all(drawings, jobs=2)
    assert [p.split(b" by ")[0] for p in pngs] == [f"figure {i}".encode() for i in range(n)]
    assert f" by {os.getpid()}".encode() not in b"".join(pngs)  # drawn by the workers
    kept = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert kept == sorted(f"key-{i}.png" for i in range(n))


def test_a_killed_worker_leaves_its_figures_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    drawings = _drawings(2 * pool.FIGURES_PER_WORKER)
    pngs = pool.draw_all(drawings, jobs=2)
    assert pngs == [d.draw() for d in drawings]
    kept = (tmp_path / "figures" / "key-3.png").read_bytes()
    assert kept == b"figure 3, drawn by the build itself"


@pytest.mark.parametrize(
    "failure",
    [
        OSError("no more processes"),
        ImportError("This platform lacks a functioning sem_open implementation"),
    ],
)
def test_a_pool_that_cannot_start_leaves_the_figures_to_the_build(
    failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def cannot_start(*_args: object, **_kwargs: object) -> None:
        raise failure

    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", cannot_start)
    drawings = _drawings(2 * pool.FIGURES_PER_WORKER)
    assert pool.draw_all(drawings, jobs=2) == [d.draw() for d in drawings]


@pytest.mark.parametrize(
    ("jobs", "figures"), [(1, 20), (2, 2 * pool.FIGURES_PER_WORKER - 1), (None, 1)]
)
def test_one_job_or_few_figures_are_drawn_here(
    jobs: int | None, figures: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    drawings = _drawings(figures)
    assert pool.draw_all(drawings, jobs=jobs) == [d.draw() for d in drawings]


def test_a_figure_in_the_cache_or_asked_for_twice_is_drawn_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from PIL import Image

    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    (tmp_path / "figures").mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="PNG")  # a whole PNG, not drawn
    cached = buffer.getvalue()
    (tmp_path / "figures" / "key-0.png").write_bytes(cached)
    drawn: list[str] = []
    first, second = _drawings(2)
    pngs = pool.draw_all([first, second, second], jobs=1, progress=drawn.append)
    assert pngs == [cached, second.draw(), second.draw()]
    assert drawn == ["drawing 1 figure(s)"]
    assert first.result() == cached


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
