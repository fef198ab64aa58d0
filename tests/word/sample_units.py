"""Section units of the sample document type, registered like an add-on's."""

from __future__ import annotations

import io

from dossier.drafts.blocks import Bullets, CrossRef, Figure, Footnote, Missing, Para, Table
from dossier.drafts.outline import Content, UnitContext, section_unit

ROWS = 90  # enough for the table to run over a page break


@section_unit("sample.intro")
def intro(ctx: UnitContext) -> Content:
    """Cross-references to a table, a figure and a section; a footnote; a placeholder."""
    return Content(
        [
            Para.of(
                f"This sample for {ctx.project.product.name} refers to ",
                CrossRef("tab-sample"),
                ", to ",
                CrossRef("fig-sample"),
                " and to ",
                CrossRef("sec-detail"),
                ".",
                Footnote("Footnote from data: 5 & 6 < 7."),
            ),
            Para.of("Still to be written: ", Missing("sample.text", "a text the project lacks")),
            Bullets([Para.of("first point"), Para.of("second point")]),
        ]
    )


@section_unit("sample.scope")
def scope(ctx: UnitContext) -> Content:
    """A second-level section."""
    return Content([Para.of("The scope is one product at one stage.")])


@section_unit("sample.detail")
def detail(ctx: UnitContext) -> Content:
    """A third-level section."""
    return Content([Para.of("Detail text.")])


def _png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(4, 2.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [2, 4, 3], marker="o")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


@section_unit("sample.data")
def data(ctx: UnitContext) -> Content:
    """A long table (repeated header row) and a figure."""
    rows = [[f"R-{i:03d}", f"{i * 1.5:.1f}", "valid" if i % 7 else "invalid"] for i in range(ROWS)]
    return Content(
        [
            Table("tab-sample", "Sample measurements", ["Run", "Result (%)", "Verdict"], rows),
            Figure("fig-sample", "Sample figure", _png(), width_mm=100),
        ]
    )
