"""Figures for the drafts: dose-response curves, batch results, biodistribution (PNG).

matplotlib runs with the Agg backend through its object API, a fixed size and resolution
and no date or software metadata, so the same inputs give byte-identical images.

Drawing costs 70-100 ms a figure and importing matplotlib about 0.4 s, and a large
programme has hundreds of figures. Each PNG is therefore kept in dossier's cache folder
(:mod:`dossier.core.cache`; ``DOSSIER_CACHE_DIR=""`` switches it off) under a hash of
everything that draws it: the figure's kind and inputs, this module's source and the
matplotlib version. A rebuild after an edit draws only the figures whose data changed,
and gives the same bytes as drawing them again.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.assays import BatchComputed
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.model.potency import AcceptanceCriterion

__all__ = ["batch_figure", "biodistribution_figure", "dose_response_figure"]

COLOURS = ["#1F3A5F", "#C0392B", "#2E8B57", "#8E44AD", "#D68910"]


def _key(kind: str, *inputs: Any) -> str:
    """The cache key of a figure: its kind and inputs, this module and matplotlib."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(version("matplotlib").encode())
    digest.update(repr((kind, inputs)).encode())
    return digest.hexdigest()


def _cached(key: str, draw: Callable[[], bytes]) -> bytes:
    """The PNG of a figure from the cache, or drawn (and kept) when it is not there."""
    from dossier.core.cache import cache_folder, write_atomically

    folder = cache_folder()
    path = folder / "figures" / f"{key}.png" if folder is not None else None
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            pass
    png = draw()
    if path is not None:
        write_atomically(path, png)
    return png


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _figure(width_in: float = 6.3, height_in: float = 3.4) -> tuple[Any, Any]:
    # the object API (no pyplot) with fixed margins: tight_layout alone costs ~80 ms a figure
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    rcParams["font.size"] = 8.5
    rcParams["font.family"] = "DejaVu Sans"
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.16)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    # zlib level 3: a quarter of the encoding time of the default for 10 % more bytes
    FigureCanvasAgg(fig).print_png(  # type: ignore[no-untyped-call]
        buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 3}
    )
    return buffer.getvalue()


def dose_response_figure(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str
) -> bytes:
    """Responses per preparation against dose (log scale) with the fitted model."""
    preps = [analysis.standard, *[r.preparation for r in analysis.results]]
    points = [(o.preparation, o.dose, o.response) for o in data.observations]
    params = sorted(analysis.parameters.items())
    key = _key(
        "dose-response", preps, points, params, analysis.model, analysis.transform, dose_label
    )
    return _cached(key, lambda: _draw_dose_response(data, analysis, dose_label))


def _draw_dose_response(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str
) -> bytes:
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
        if analysis.model == "4pl" and f"C[{prep}]" in params:
            a, b, d, c = params["A"], params["B"], params["D"], params[f"C[{prep}]"]
            ax.plot(grid, d + (a - d) / (1 + np.exp(b * (np.log(grid) - c))), color=colour, lw=1.2)
        elif (
            analysis.model == "parallel-line"
            and f"a[{prep}]" in params
            and analysis.transform == "none"
        ):
            ax.plot(
                grid, params[f"a[{prep}]"] + params["slope"] * np.log(grid), color=colour, lw=1.2
            )
    ax.set_xscale("log")
    ax.set_xlabel(dose_label)
    ax.set_ylabel("response")
    ax.legend(frameon=False, loc="upper left")  # "best" searches the plot: 20 ms a figure
    return _png(fig)


def batch_figure(
    results: list[BatchComputed], criterion: AcceptanceCriterion | None, unit: str
) -> bytes:
    """Batch results with their 95 % limits against the release limits."""
    rows = [(r.batch, r.value, r.ci_lower, r.ci_upper) for r in results]
    limits = (
        None if criterion is None or criterion.report_only else (criterion.lower, criterion.upper)
    )
    return _cached(_key("batch", rows, limits, unit), lambda: _draw_batches(results, limits, unit))


def _draw_batches(
    results: list[BatchComputed], limits: tuple[float | None, float | None] | None, unit: str
) -> bytes:
    fig, ax = _figure(height_in=2.8)
    shown = [r for r in results if _finite(r.value)]
    xs = list(range(len(shown)))
    for x, r in zip(xs, shown, strict=True):
        assert r.value is not None
        if _finite(r.ci_lower, r.ci_upper):
            assert r.ci_lower is not None
            assert r.ci_upper is not None
            if r.ci_lower <= r.value <= r.ci_upper:
                ax.errorbar(
                    x,
                    r.value,
                    yerr=[[r.value - r.ci_lower], [r.ci_upper - r.value]],
                    fmt="o",
                    color=COLOURS[0],
                    capsize=3,
                )
            else:  # entered limits that do not hold the value: drawn as they are
                ax.vlines(x, r.ci_lower, r.ci_upper, color=COLOURS[0])
                ax.plot(x, r.value, "o", color=COLOURS[0])
        else:
            ax.plot(x, r.value, "o", color=COLOURS[0])
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


def biodistribution_figure(bd: Any, group: str) -> bytes:
    """Mean copies per µg genomic DNA by tissue (log scale), one marker per time point,
    with the LLOQ as a dashed line; tissues with nothing quantifiable sit on the LLOQ."""
    cells = [(c.tissue, c.timepoint, c.mean, c.lloq) for c in bd.cells if c.group == group]
    key = _key("biodistribution", cells, list(bd.timepoints), group)
    return _cached(key, lambda: _draw_biodistribution(bd, group))


def _draw_biodistribution(bd: Any, group: str) -> bytes:
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
    ax.set_xticks(range(len(tissues)), tissues, rotation=35, ha="right")
    ax.set_ylabel("copies per µg genomic DNA")
    # the legend stands right of the axes, where it cannot cover a tissue's points
    ax.legend(frameon=False, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.subplots_adjust(right=0.86)
    longest = max((len(t) for t in tissues), default=0)
    # room under the axes for the turned tissue names (about 0.012 of the height a letter)
    fig.subplots_adjust(bottom=min(0.45, 0.1 + 0.012 * longest))
    return _png(fig)
