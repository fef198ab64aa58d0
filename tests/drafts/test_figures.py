"""The figures: PNGs of the printed size, byte-identical for the same inputs (drawn again,
by another process or taken from the cache), and no failure on data a plot cannot show."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from types import SimpleNamespace as NS
from typing import Any

import pytest
from PIL import Image

from dossier.figures.draw import (
    Drawing,
    batch_figure,
    biodistribution_figure,
    dose_response_figure,
)


def _image(figure: Drawing) -> Image.Image:
    image = Image.open(io.BytesIO(figure.result()))
    image.load()
    return image


def _dose_response(model: str = "4pl", doses: tuple[float, ...] = (0.3, 1, 3, 10, 30)) -> Any:
    observations = [
        NS(preparation=prep, dose=d, response=10 + 70 * d / (d + 2) + k)
        for prep in ("REF", "TEST")
        for d in doses
        for k in (-1.0, 1.0)
    ]
    params = (
        {"A": 10.0, "B": -1.2, "D": 80.0, "C[REF]": 0.7, "C[TEST]": 0.8}
        if model == "4pl"
        else {"slope": 12.0, "a[REF]": 40.0, "a[TEST]": 38.0}
    )
    analysis = NS(
        standard="REF",
        results=[NS(preparation="TEST")],
        model=model,
        parameters=params,
        transform="none",
    )
    return NS(observations=observations), analysis


def _batches(n: int) -> list[Any]:
    return [
        NS(
            batch=f"B-CLIN-{i:03d}",
            value=100.0 + i,
            ci_lower=None if i % 3 == 0 else 90.0 + i,
            ci_upper=None if i % 3 == 0 else 110.0 + i,
        )
        for i in range(n)
    ]


def _biodistribution(means: dict[str, float | None]) -> Any:
    cells = [
        NS(group="high dose", tissue=tissue, timepoint=tp, mean=mean, lloq=50.0)
        for tissue, mean in means.items()
        for tp in ("day 7", "day 28")
    ]
    return NS(cells=cells, timepoints=["day 7", "day 28"])


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test draws its figures unless it asks for a cache."""
    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")


def test_each_figure_is_a_png_of_its_printed_size() -> None:
    data, analysis = _dose_response()
    criterion = NS(report_only=False, lower=50.0, upper=200.0)
    pngs = {  # 6.3 in wide at 150 dpi; heights 3.4, 2.8 and 3.2 in
        (945, 510): dose_response_figure(data, analysis, "dose", "response"),
        (945, 420): batch_figure(_batches(3), criterion, "% relative potency"),
        (945, 480): biodistribution_figure(
            _biodistribution({"blood": 4000.0, "brain": None}), "high dose"
        ),
    }
    for size, png in pngs.items():
        image = _image(png)
        assert image.format == "PNG"
        assert image.size == size
        # something was drawn in the series colour, not only black on white
        colours = {c[:3] for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
        assert (0x1F, 0x3A, 0x5F) in colours


def test_the_same_inputs_give_the_same_bytes_in_another_process() -> None:
    code = (
        "import os, sys; os.environ['DOSSIER_CACHE_DIR'] = '';"
        "from tests.drafts.test_figures import _dose_response;"
        "from dossier.figures.draw import dose_response_figure;"
        "figure = dose_response_figure(*_dose_response(), 'dose', 'response');"
        "sys.stdout.buffer.write(figure.result())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, timeout=60
    ).stdout
    assert other == dose_response_figure(*_dose_response(), "dose", "response").result()


def test_a_cached_figure_has_the_bytes_of_a_drawn_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    drawn = batch_figure(_batches(5), None, "%").result()
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    described = batch_figure(_batches(5), None, "%")
    assert described.cached() is None  # describing a figure draws nothing
    assert not (tmp_path / "figures").exists()
    first = described.result()
    kept = list((tmp_path / "figures").glob("*.png"))
    assert len(kept) == 1
    assert first == drawn
    assert batch_figure(_batches(5), None, "%").cached() == drawn  # now in the cache
    changed = _batches(5)
    changed[2].value = 105.0
    assert batch_figure(changed, None, "%").result() != drawn  # other data, other key
    assert len(list((tmp_path / "figures").glob("*.png"))) == 2


def test_a_figure_travels_to_a_worker_process_whole() -> None:
    figure = dose_response_figure(*_dose_response(), "dose", "response")
    copied = pickle.loads(pickle.dumps(figure))
    assert copied.key == figure.key
    assert copied.draw() == figure.draw()


def test_many_batches_still_fit_the_figure() -> None:
    assert _image(batch_figure(_batches(200), None, "pg/mL")).size == (945, 420)


def test_data_a_plot_cannot_show_is_left_out() -> None:
    data, analysis = _dose_response(model="parallel-line", doses=(0.0, 5.0))
    assert _image(dose_response_figure(data, analysis, "dose", "response")).size == (945, 510)
    nothing = _biodistribution({"blood": None, "liver": None})
    assert _image(biodistribution_figure(nothing, "high dose")).size == (945, 480)
    assert _image(biodistribution_figure(nothing, "another group")).size == (945, 480)
    nan = [NS(batch="A", value=float("nan"), ci_lower=None, ci_upper=None), *_batches(2)]
    assert _image(batch_figure(nan, None, "%")).size == (945, 420)
    outside = [NS(batch="B", value=250.0, ci_lower=90.0, ci_upper=110.0)]
    assert _image(batch_figure(outside, None, "%")).size == (945, 420)


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_the_legend_covers_no_data_point(direction: float) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dossier.figures.draw import dose_response_axes

    data, analysis = _dose_response(doses=(0.1, 0.3, 1, 3, 10, 30, 100))
    for o in data.observations:  # mirrored: a decreasing curve fills the upper left
        o.response = 90 - o.response if direction < 0 else o.response
    names = ["REF", "TEST", "TEST-2", "TEST-3", "TEST-4", "TEST-5", "TEST-6"]
    analysis.results = [NS(preparation=n) for n in names[1:]]
    fig, ax = dose_response_axes(data, analysis, "E:T ratio", "% specific lysis")
    renderer = FigureCanvasAgg(fig).get_renderer()
    box = ax.get_legend().get_window_extent(renderer)
    points = ax.transData.transform([(o.dose, o.response) for o in data.observations])
    assert not any(box.contains(x, y) for x, y in points)
    # the legend stays inside the figure, with every preparation named
    assert fig.bbox.contains(box.x0, box.y0)
    assert fig.bbox.contains(box.x1, box.y1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == names
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("E:T ratio", "% specific lysis")
