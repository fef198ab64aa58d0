"""Figures for the drafts: dose-response curves and batch results (deterministic PNG).

matplotlib runs with the Agg backend, a fixed size and resolution and no date or
software metadata, so the same inputs give byte-identical images.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.assays import BatchComputed
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.model.potency import AcceptanceCriterion

__all__ = ["batch_figure", "dose_response_figure"]

COLOURS = ["#1F3A5F", "#C0392B", "#2E8B57", "#8E44AD", "#D68910"]


def _figure(width_in: float = 6.3, height_in: float = 3.4) -> tuple[Any, Any]:
    # the object API (no pyplot) with fixed margins: tight_layout alone costs ~80 ms a figure
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    rcParams.update({"font.size": 8.5, "font.family": "DejaVu Sans"})
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.16)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer, metadata={"Software": None})  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def dose_response_figure(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str
) -> bytes:
    """Responses per preparation against dose (log scale) with the fitted model."""
    import numpy as np

    fig, ax = _figure()
    preps = [analysis.standard, *[r.preparation for r in analysis.results]]
    doses = [o.dose for o in data.observations if o.dose > 0]
    grid = np.exp(np.linspace(math.log(min(doses)), math.log(max(doses)), 200))
    for i, prep in enumerate(preps):
        colour = COLOURS[i % len(COLOURS)]
        pts = [
            (o.dose, o.response) for o in data.observations if o.preparation == prep and o.dose > 0
        ]
        ax.scatter(
            [p[0] for p in pts], [p[1] for p in pts], s=12, color=colour, label=prep, zorder=3
        )
        params = analysis.parameters
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
    ax.legend(frameon=False, loc="best")
    return _png(fig)


def batch_figure(
    results: list[BatchComputed], criterion: AcceptanceCriterion | None, unit: str
) -> bytes:
    """Batch results with their 95 % limits against the release limits."""
    fig, ax = _figure(height_in=2.8)
    shown = [r for r in results if r.value is not None]
    xs = list(range(len(shown)))
    for x, r in zip(xs, shown, strict=True):
        assert r.value is not None
        if r.ci_lower is not None and r.ci_upper is not None:
            ax.errorbar(
                x,
                r.value,
                yerr=[[r.value - r.ci_lower], [r.ci_upper - r.value]],
                fmt="o",
                color=COLOURS[0],
                capsize=3,
            )
        else:
            ax.plot(x, r.value, "o", color=COLOURS[0])
    if criterion is not None and not criterion.report_only:
        for limit in (criterion.lower, criterion.upper):
            if limit is not None:
                ax.axhline(limit, color=COLOURS[1], lw=1, ls="--")
    ax.set_xticks(xs, [r.batch for r in shown])
    ax.set_ylabel(unit)
    ax.set_xlim(-0.6, len(shown) - 0.4)
    return _png(fig)


def biodistribution_figure(bd: Any, group: str) -> bytes:
    """Mean copies per µg genomic DNA by tissue (log scale), one marker per time point,
    with the LLOQ as a dashed line; tissues with nothing quantifiable sit on the LLOQ."""
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
            if cell.mean is None:
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
    ax.legend(frameon=False, fontsize=7.5, loc="upper right")
    fig.subplots_adjust(bottom=0.32)
    return _png(fig)
