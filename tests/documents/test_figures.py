"""The figures: valid PNGs of the fixed size, byte-identical for the same inputs, readable
ticks on linear and log axes, and no failure on data a plot cannot show."""

from __future__ import annotations

import io
import subprocess
import sys
from types import SimpleNamespace as NS
from typing import Any

import pytest
from PIL import Image

from dossier.documents import figures
from dossier.documents.figures import batch_figure, biodistribution_figure, dose_response_figure


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
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


def test_each_figure_is_a_png_of_its_printed_size() -> None:
    data, analysis = _dose_response()
    criterion = NS(report_only=False, lower=50.0, upper=200.0)
    pngs = {
        (945, 510): dose_response_figure(data, analysis, "dose"),
        (945, 420): batch_figure(_batches(3), criterion, "% relative potency"),
        (945, 480): biodistribution_figure(
            _biodistribution({"blood": 4000.0, "brain": None}), "high dose"
        ),
    }
    for size, png in pngs.items():
        image = _image(png)
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode == "RGB"
        # something was drawn in the series colour, not only black on white
        colours = {c for _, c in image.getcolors(maxcolors=1 << 20) or []}
        assert (0x1F, 0x3A, 0x5F) in colours


def test_the_same_inputs_give_the_same_bytes_in_another_process() -> None:
    code = (
        "import sys; from tests.documents.test_figures import _dose_response;"
        "from dossier.documents.figures import dose_response_figure;"
        "sys.stdout.buffer.write(dose_response_figure(*_dose_response(), 'dose'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, timeout=60
    ).stdout
    assert other == dose_response_figure(*_dose_response(), "dose")


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.25, 25.0, ["0.5", "1", "2", "5", "10", "20"]),
        (40.0, 12000.0, ["50", "100", "200", "500", "1000", "2000", "5000", "10000"]),
        (2.2, 4.5, ["3", "4"]),
        (2.1, 2.9, ["2.2", "2.4", "2.6", "2.8"]),
    ],
)
def test_log_axes_over_few_decades_are_labelled_with_plain_numbers(
    lo: float, hi: float, expected: list[str]
) -> None:
    majors, _ = figures._log_ticks(lo, hi, 5)
    assert [label for _, label in majors] == expected


def test_log_axes_over_many_decades_are_labelled_with_powers_of_ten() -> None:
    majors, minors = figures._log_ticks(0.5, 2e8, 9)
    assert [label for _, label in majors] == [
        "10⁰",
        "10¹",
        "10²",
        "10³",
        "10⁴",
        "10⁵",
        "10⁶",
        "10⁷",
        "10⁸",
    ]
    assert 2e8 in minors
    crowded, _ = figures._log_ticks(1e-10, 1e10, 5)
    assert [label for _, label in crowded] == ["10⁻¹⁰", "10⁻⁵", "10⁰", "10⁵", "10¹⁰"]


def test_linear_axes_have_round_steps() -> None:
    ticks = figures._linear_ticks(-0.2, 89.9, 9)
    assert [label for _, label in ticks] == [str(v) for v in range(0, 90, 10)]
    assert [label for _, label in figures._linear_ticks(-1.1, 1.1, 5)][:3] == [
        "−1.0",
        "−0.5",
        "0.0",
    ]
    assert [label for _, label in figures._linear_ticks(0, 2.5e6, 5)][-1] == "2.5×10⁶"


def test_crowded_batch_labels_are_turned_and_thinned() -> None:
    plot = figures._Plot()
    ticks = [(float(i), f"B-CLIN-{i:03d}") for i in range(200)]
    rotation, stride = plot._x_rotation(ticks, spacing=5 * figures.PX, text_h=20 * figures.PX)
    assert rotation == 45.0
    assert stride > 1
    few, _ = plot._x_rotation(ticks[:3], spacing=300 * figures.PX, text_h=20 * figures.PX)
    assert few == 0.0
    assert _image(batch_figure(_batches(200), None, "pg/mL")).size == (945, 420)


def test_data_a_plot_cannot_show_is_left_out() -> None:
    data, analysis = _dose_response(model="parallel-line", doses=(0.0, 5.0))
    assert _image(dose_response_figure(data, analysis, "dose")).size == (945, 510)
    nothing = _biodistribution({"blood": None, "liver": None})
    assert _image(biodistribution_figure(nothing, "high dose")).size == (945, 480)
    assert _image(biodistribution_figure(nothing, "another group")).size == (945, 480)
    nan = [NS(batch="A", value=float("nan"), ci_lower=None, ci_upper=None), *_batches(2)]
    assert _image(batch_figure(nan, None, "%")).size == (945, 420)
