"""The stability figure of an attribute: results, fitted lines and the ICH Q1E limits.

Drawn like the other figures (:mod:`dossier.figures.draw`): the function returns a
:class:`~dossier.figures.draw.Drawing` whose cache key hashes the figure's inputs, this
module's source and that of the drawing helpers it shares, and the matplotlib version.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier.figures.draw import COLOURS, Drawing

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.stability_results import AttributeComputed

__all__ = ["stability_figure"]

_LIMIT = "#555555"


@functools.cache
def _salt() -> bytes:
    from importlib.metadata import version

    from dossier.figures import draw

    return (
        Path(__file__).read_bytes()
        + Path(draw.__file__).read_bytes()
        + version("matplotlib").encode()
    )


def _key(*inputs: Any) -> str:
    digest = hashlib.sha256(_salt())
    digest.update(repr(("stability", inputs)).encode())
    return digest.hexdigest()


def stability_figure(
    attribute: AttributeComputed, time_unit: str, proposed: float | None
) -> Drawing:
    """Results per batch against time with the chosen model's line(s), the one-sided 95 %
    confidence limit(s), the acceptance limit(s), the estimated crossing and the proposed
    shelf life. ``attribute`` must be analysed (its fit made)."""
    key = _key(
        [(p.batch, p.time, p.value) for p in attribute.points],
        attribute.fit,
        attribute.lower,
        attribute.upper,
        attribute.unit,
        attribute.name,
        time_unit,
        proposed,
    )
    return Drawing(key, _draw, (attribute, time_unit, proposed))


def _draw(attribute: AttributeComputed, time_unit: str, proposed: float | None) -> bytes:
    import numpy as np

    from dossier.figures.draw import _figure, _png

    fit = attribute.fit
    assert fit is not None
    assert fit.horizon is not None
    fig, ax = _figure(height_in=3.2)
    batches = list(dict.fromkeys(p.batch for p in attribute.points))
    colour = {b: COLOURS[i % len(COLOURS)] for i, b in enumerate(batches)}
    for batch in batches:
        pts = [p for p in attribute.points if p.batch == batch]
        ax.scatter(
            [p.time for p in pts], [p.value for p in pts], s=14, color=colour[batch],
            label=batch, zorder=3,
        )  # fmt: skip
    end = max(fit.horizon, proposed or 0.0)
    grid = np.linspace(0.0, end, 200)
    pairs = (("lower", attribute.lower), ("upper", attribute.upper))
    sides = [s for s, limit in pairs if limit is not None]
    for line in fit.lines:
        shade = COLOURS[0] if line.batch is None else colour.get(line.batch, COLOURS[0])
        ax.plot(grid, [line.mean(t) for t in grid], color=shade, lw=1.2)
        for side in sides:
            bound = [fit.limit(line, float(t), side) for t in grid]  # type: ignore[arg-type]
            ax.plot(grid, bound, color=shade, lw=0.9, ls=":")
    for limit in (attribute.lower, attribute.upper):
        if limit is not None:
            ax.axhline(limit, color=COLOURS[1], lw=1, ls="--")
    if fit.longest_time is not None:
        ax.axvspan(fit.longest_time, end, color="#EEEEEE", zorder=0)
    if fit.crossing is not None:
        ax.axvline(fit.crossing.time, color=_LIMIT, lw=1, ls="-.")
    if proposed is not None:
        # black: each batch takes a colour of the palette
        ax.axvline(proposed, color="#000000", lw=1.2)
    if max(abs(p.value) for p in attribute.points) >= 1e5:
        from matplotlib.ticker import FuncFormatter

        from dossier.figures.draw import tick_text

        # "2.2×10¹³" on each tick rather than matplotlib's offset text above the axis,
        # where the legend stands
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: tick_text(value)))
        fig.subplots_adjust(left=0.14)  # room for the wider tick labels and the axis label
    ax.set_xlim(0, end * 1.04)
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel(f"{attribute.name} ({attribute.unit})")
    columns = min(len(batches), 5)
    rows = -(-len(batches) // columns)
    fig.subplots_adjust(top=0.95 - 0.065 * rows)
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=columns)
    return _png(fig)
