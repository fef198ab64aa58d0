"""Biodistribution summaries (ICH S12): vector or cell copies per tissue and time point.

Input: one row per animal, tissue and time point with the copies per µg genomic DNA
and the lower limit of quantification (LLOQ). Values below the LLOQ are written as
"BLQ" (or a number below the LLOQ). They are counted, never silently replaced by zero:
the mean, SD and maximum are of the *quantifiable* values only, and the table says how
many of the animals were quantifiable. Persistence per tissue is the last time point with
a quantifiable value. Gonads (testis, ovary and their synonyms) are flagged for the
germline assessment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["GONAD_WORDS", "BdCell", "BdRow", "BdSummary", "summarise_biodistribution"]

GONAD_WORDS = re.compile(
    r"\b(testis|testes|testicle|ovary|ovaries|gonads?|epididymis|epididymides)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class BdRow:
    """One measurement; ``copies`` is None when below the LLOQ."""

    animal: str
    sex: str
    group: str
    timepoint: str
    tissue: str
    copies: float | None
    lloq: float
    line: int = 0


@dataclass(frozen=True, slots=True)
class BdCell:
    """One tissue at one time point in one group."""

    group: str
    tissue: str
    timepoint: str
    n: int
    n_quantifiable: int
    mean: float | None
    sd: float | None
    maximum: float | None
    lloq: float


@dataclass
class BdSummary:
    """The summary table, persistence per tissue and the gonad flag."""

    cells: list[BdCell]
    timepoints: list[str]
    persistence: dict[str, str | None] = field(default_factory=dict)
    gonads: list[str] = field(default_factory=list)

    @property
    def lloq_max(self) -> float | None:
        """The highest LLOQ of the study (copies per µg genomic DNA), the least sensitive
        measurement; None without rows."""
        return max((c.lloq for c in self.cells), default=None)

    @property
    def gonads_sampled(self) -> bool:
        """True when at least one gonadal tissue was sampled."""
        return bool(self.gonads)

    @property
    def gonads_quantifiable(self) -> list[str]:
        """The gonadal tissues with a value at or above the LLOQ at some time point, each
        with the last such time point ("ovary (day 56)")."""
        return [
            f"{tissue} ({self.persistence[tissue]})"
            for tissue in self.gonads
            if self.persistence.get(tissue) is not None
        ]


def summarise_biodistribution(rows: Sequence[BdRow]) -> BdSummary:
    """Per group, tissue and time point: n, n above LLOQ, mean, SD and max of those."""
    timepoints = list(dict.fromkeys(r.timepoint for r in rows))
    groups: dict[tuple[str, str, str], list[BdRow]] = {}
    for row in rows:
        groups.setdefault((row.group, row.tissue, row.timepoint), []).append(row)
    cells = []
    last_seen: dict[str, str | None] = {}
    for (group, tissue, timepoint), members in groups.items():
        values = [r.copies for r in members if r.copies is not None and r.copies >= r.lloq]
        mean = sum(values) / len(values) if values else None
        sd = (
            math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            if mean is not None and len(values) > 1
            else None
        )
        cells.append(
            BdCell(
                group,
                tissue,
                timepoint,
                len(members),
                len(values),
                mean,
                sd,
                max(values) if values else None,
                max(r.lloq for r in members),
            )
        )
        last_seen.setdefault(tissue, None)
        if values:
            previous = last_seen[tissue]
            if previous is None or timepoints.index(timepoint) > timepoints.index(previous):
                last_seen[tissue] = timepoint
    order = {t: i for i, t in enumerate(timepoints)}
    cells.sort(key=lambda c: (c.group, c.tissue, order[c.timepoint]))
    gonads = sorted({r.tissue for r in rows if GONAD_WORDS.search(r.tissue)})
    return BdSummary(cells, timepoints, last_seen, gonads)
