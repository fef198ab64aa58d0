"""Figures for the drafts: dose-response curves, batch results, biodistribution (PNG).

matplotlib runs with the Agg backend through its object API, a fixed size and resolution
and no date or software metadata, so the same inputs give byte-identical images.

A figure function returns a :class:`Drawing`: the figure described, not yet drawn.
matplotlib's import is heavy and a large programme has hundreds of figures, so a build
draws the figures of every draft together once the drafts are composed, sharing them
between processes (:mod:`dossier.figures.pool`). Each PNG is kept in dossier's cache
folder (:mod:`dossier.core.cache`; ``DOSSIER_CACHE_DIR=""`` switches it off) under a hash
of everything that draws it: the figure's kind and inputs, this module's source and the
matplotlib version. A rebuild after an edit draws only the figures whose data changed,
and gives the same bytes as drawing them again.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import BatchComputed
    from dossier.compute.biodistribution import BdSummary
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.model.potency import AcceptanceCriterion

__all__ = [
    "Drawing",
    "batch_figure",
    "biodistribution_figure",
    "dose_response_figure",
    "tick_text",
]

COLOURS = ["#1F3A5F", "#C0392B", "#2E8B57", "#8E44AD", "#D68910"]


@functools.cache
def _salt() -> bytes:
    """What every figure's key holds besides its inputs: this module's source and the
    matplotlib version (read once per process)."""
    from importlib.metadata import version

    return Path(__file__).read_bytes() + version("matplotlib").encode()


def _key(kind: str, *inputs: Any) -> str:
    """The cache key of a figure: its kind and inputs, this module and matplotlib."""
    digest = hashlib.sha256(_salt())
    digest.update(repr((kind, inputs)).encode())
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Drawing:
    """A figure to draw: the function that draws it, its inputs and its cache key.

    A build draws every figure of its drafts at once (:func:`dossier.figures.pool.draw_all`);
    :meth:`result` gives the PNG of one figure on its own. The function and its inputs
    must be picklable (a module-level function and data), for a worker process draws them.
    """

    key: str
    function: Callable[..., bytes]
    args: tuple[Any, ...]

    def _path(self) -> Path | None:
        from dossier.core.cache import cache_folder

        folder = cache_folder()
        return None if folder is None else folder / "figures" / f"{self.key}.png"

    def cached(self) -> bytes | None:
        """The PNG from the cache, or ``None`` when it is not there or is not a whole PNG
        (a truncated or overwritten entry is drawn again and replaced, never used)."""
        path = self._path()
        if path is not None:
            try:
                png = path.read_bytes()
            except OSError:
                return None
            if whole_png(png):
                return png
        return None

    def draw(self) -> bytes:
        """The PNG, drawn here."""
        return self.function(*self.args)

    def keep(self, png: bytes) -> None:
        """Put the PNG in the cache (when there is one, and it can be written)."""
        path = self._path()
        if path is not None:
            from dossier.core.cache import write_atomically

            write_atomically(path, png)

    def result(self) -> bytes:
        """The PNG: from the cache, else drawn here and kept in the cache."""
        png = self.cached()
        if png is None:
            png = self.draw()
            self.keep(png)
        return png


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def whole_png(data: bytes) -> bool:
    """Whether ``data`` is a PNG whose chunks all check out (length and CRC), from the
    header (IHDR) to the end (IEND): what a reader of the draft will decode."""
    import struct
    import zlib

    if not data.startswith(_PNG_SIGNATURE):
        return False
    at = len(_PNG_SIGNATURE)
    first = True
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            return False
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[at + 4 : end - 4]) != crc:
            return False
        if kind == b"IEND":
            return bool(end == len(data))
        at, first = end, False
    return False


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _figure(width_in: float = 6.3, height_in: float = 3.4) -> tuple[Any, Any]:
    # the object API (no pyplot) with fixed margins: tight_layout draws the figure once
    # more to measure its texts
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    rcParams["font.size"] = 8.5
    rcParams["font.family"] = "DejaVu Sans"
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.16)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def tick_text(value: float) -> str:
    """A log-axis tick label as plain text: 0.05, 1, 2000; 10⁻⁴, 2×10⁵ beyond that."""
    if not math.isfinite(value) or value <= 0:
        return ""
    exponent = math.floor(math.log10(value) + 1e-9)
    if -3 <= exponent <= 3:
        return f"{value:g}"
    mantissa = round(value / 10.0**exponent, 6)
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def _log_axis(axis: Any, low: float, high: float) -> None:
    """A log scale over [low, high] labelled in plain text.

    matplotlib's own labels are mathtext, laid out by its own engine, and it puts 8 minor
    ticks in each decade, each with a label to lay out. Here the minor ticks sit at 2 and
    5 of each decade (every integer multiple when the range spans under a decade),
    labelled when the range spans two decades or fewer, so a narrow axis still carries
    numbers.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    decades = math.log10(high / low) if 0 < low < high else 0.0
    subs = tuple(float(k) for k in range(2, 10)) if decades < 1 else (2.0, 5.0)
    axis.set_major_locator(LogLocator(base=10.0))
    axis.set_minor_locator(LogLocator(base=10.0, subs=subs))
    label = FuncFormatter(lambda value, _pos: tick_text(value))
    axis.set_major_formatter(label)
    axis.set_minor_formatter(label if decades <= 2 else NullFormatter())


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    # zlib level 3: far quicker to encode than the default, for slightly larger files
    FigureCanvasAgg(fig).print_png(  # type: ignore[no-untyped-call]
        buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 3}
    )
    return buffer.getvalue()


def dose_response_figure(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str, response_label: str
) -> Drawing:
    """Responses per preparation against dose (log scale) with the fitted model."""
    preps = [analysis.standard, *[r.preparation for r in analysis.results]]
    points = [(o.preparation, o.dose, o.response) for o in data.observations]
    params = sorted(analysis.parameters.items())
    key = _key(
        "dose-response",
        preps,
        points,
        params,
        analysis.model,
        analysis.transform,
        dose_label,
        response_label,
    )
    return Drawing(key, _draw_dose_response, (data, analysis, dose_label, response_label))


def _draw_dose_response(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str, response_label: str
) -> bytes:
    fig, _ = dose_response_axes(data, analysis, dose_label, response_label)
    return _png(fig)


def dose_response_axes(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str, response_label: str
) -> tuple[Any, Any]:
    """The matplotlib figure and axes of :func:`dose_response_figure`, before rendering."""
    import numpy as np

    fig, ax = _figure()
    preps = [analysis.standard, *[r.preparation for r in analysis.results]]
    doses = [o.dose for o in data.observations if _finite(o.dose, o.response) and o.dose > 0]
    grid: Any = (
        np.exp(np.linspace(math.log(min(doses)), math.log(max(doses)), 200)) if doses else []
    )
    for i, prep in enumerate(preps):
        colour = COLOURS[i % len(COLOURS)]
        pts = [  # a log axis cannot show a zero dose; non-finite values are not plotted
            (o.dose, o.response)
            for o in data.observations
            if o.preparation == prep and _finite(o.dose, o.response) and o.dose > 0
        ]
        ax.scatter(
            [p[0] for p in pts], [p[1] for p in pts], s=12, color=colour, label=prep, zorder=3
        )
        params = analysis.parameters
        if not len(grid):
            continue
        if analysis.model in {"4pl", "5pl"} and f"C[{prep}]" in params:
            a, b, d, c = params["A"], params["B"], params["D"], params[f"C[{prep}]"]
            e = params.get("E", 1.0)  # the 5PL's asymmetry; 1 for the 4PL
            with np.errstate(over="ignore"):
                curve = d + (a - d) / (1 + np.exp(b * (np.log(grid) - c))) ** e
            ax.plot(grid, curve, color=colour, lw=1.2)
        elif (
            analysis.model == "parallel-line"
            and f"a[{prep}]" in params
            and analysis.transform == "none"
        ):
            ax.plot(
                grid, params[f"a[{prep}]"] + params["slope"] * np.log(grid), color=colour, lw=1.2
            )
    ax.set_xscale("log")
    if doses:
        _log_axis(ax.xaxis, min(doses), max(doses))
    ax.set_xlabel(dose_label)
    ax.set_ylabel(response_label)
    # the legend stands above the axes, in rows of up to five preparations: inside, it
    # would cover the points of a decreasing curve (or of an increasing one, at the other
    # corner), and "best" searches the plot for a place
    columns = min(len(preps), 5)
    rows = -(-len(preps) // columns)
    fig.subplots_adjust(top=0.95 - 0.065 * rows)
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=columns)
    return fig, ax


def batch_figure(
    results: list[BatchComputed], criterion: AcceptanceCriterion | None, unit: str
) -> Drawing:
    """Batch results with their 95 % limits against the release limits."""
    rows = [(r.batch, r.value, r.ci_lower, r.ci_upper) for r in results]
    limits = (
        None if criterion is None or criterion.report_only else (criterion.lower, criterion.upper)
    )
    return Drawing(_key("batch", rows, limits, unit), _draw_batches, (results, limits, unit))


def _draw_batches(
    results: list[BatchComputed], limits: tuple[float | None, float | None] | None, unit: str
) -> bytes:
    fig, ax = _figure(height_in=2.8)
    shown = [r for r in results if _finite(r.value)]
    xs = list(range(len(shown)))
    # one artist per kind of point, not one per batch: each errorbar call makes several
    bars: list[tuple[int, float, float, float]] = []
    odd: list[tuple[int, float, float, float]] = []
    bare: list[tuple[int, float]] = []
    for x, r in zip(xs, shown, strict=True):
        assert r.value is not None
        if r.ci_lower is not None and r.ci_upper is not None and _finite(r.ci_lower, r.ci_upper):
            target = bars if r.ci_lower <= r.value <= r.ci_upper else odd
            target.append((x, r.value, r.ci_lower, r.ci_upper))
        else:
            bare.append((x, r.value))
    if bars:
        ax.errorbar(
            [b[0] for b in bars],
            [b[1] for b in bars],
            yerr=[[b[1] - b[2] for b in bars], [b[3] - b[1] for b in bars]],
            fmt="o",
            color=COLOURS[0],
            capsize=3,
        )
    if odd:  # entered limits that do not hold the value: drawn as they are
        ax.vlines([o[0] for o in odd], [o[2] for o in odd], [o[3] for o in odd], color=COLOURS[0])
    points = [(o[0], o[1]) for o in odd] + bare
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], "o", color=COLOURS[0])
    for limit in limits or ():
        if limit is not None:
            ax.axhline(limit, color=COLOURS[1], lw=1, ls="--")
    # about 12 upright names fit the width; more are turned and every n-th is named
    stride = max(1, math.ceil(len(shown) / 40))
    crowded = len(shown) > 12
    ticks = xs[::stride]
    ax.set_xticks(
        ticks,
        [shown[x].batch for x in ticks],
        rotation=45 if crowded else 0,
        ha="right" if crowded else "center",
        fontsize=6.5 if crowded else None,
    )
    if crowded:
        fig.subplots_adjust(bottom=0.3)
    ax.set_ylabel(unit)
    ax.set_xlim(-0.6, len(shown) - 0.4)
    return _png(fig)


def biodistribution_figure(bd: BdSummary, group: str) -> Drawing:
    """Mean copies per µg genomic DNA by tissue (log scale), one marker per time point,
    with the LLOQ as a dashed line; tissues with nothing quantifiable sit on the LLOQ."""
    cells = [(c.tissue, c.timepoint, c.mean, c.lloq) for c in bd.cells if c.group == group]
    key = _key("biodistribution", cells, list(bd.timepoints), group)
    return Drawing(key, _draw_biodistribution, (bd, group))


def _draw_biodistribution(bd: BdSummary, group: str) -> bytes:
    fig, ax = _figure(height_in=3.2)
    cells = [c for c in bd.cells if c.group == group]
    tissues = list(dict.fromkeys(c.tissue for c in cells))
    markers = ["o", "s", "^", "D", "v"]
    lloq = max((c.lloq for c in cells), default=1.0)
    for i, tp in enumerate(bd.timepoints):
        xs, ys, hollow = [], [], []
        for j, tissue in enumerate(tissues):
            cell = next((c for c in cells if c.tissue == tissue and c.timepoint == tp), None)
            if cell is None:
                continue
            offset = (i - (len(bd.timepoints) - 1) / 2) * 0.18
            if cell.mean is None or not _finite(cell.mean) or cell.mean <= 0:
                hollow.append(j + offset)
            else:
                xs.append(j + offset)
                ys.append(cell.mean)
        colour = COLOURS[i % len(COLOURS)]
        ax.scatter(xs, ys, marker=markers[i % len(markers)], color=colour, s=18, label=tp, zorder=3)
        if hollow:
            ax.scatter(
                hollow,
                [lloq] * len(hollow),
                marker=markers[i % len(markers)],
                facecolors="none",
                edgecolors=colour,
                s=18,
                zorder=3,
            )
    ax.axhline(lloq, color=COLOURS[1], lw=1, ls="--")
    ax.set_yscale("log")
    values = [c.mean for c in cells if c.mean is not None and _finite(c.mean) and c.mean > 0]
    _log_axis(ax.yaxis, min([lloq, *values]), max([lloq, *values]))
    ax.set_xticks(range(len(tissues)), tissues, rotation=35, ha="right")
    ax.set_ylabel("copies per µg genomic DNA")
    # the legend stands right of the axes, where it cannot cover a tissue's points
    ax.legend(frameon=False, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.subplots_adjust(right=0.86)
    longest = max((len(t) for t in tissues), default=0)
    # room under the axes for the turned tissue names (about 0.012 of the height a letter)
    fig.subplots_adjust(bottom=min(0.45, 0.1 + 0.012 * longest))
    return _png(fig)
