"""Typed results of the stability analysis (:mod:`dossier.analysis.stability`).

One :class:`StudyComputed` per stability study, with an :class:`AttributeComputed` per
attribute: the ICH Q1E fit, how far the data may be carried (:class:`Extrapolation`),
the shelf life supported and the verdict on the proposed one. Drafts print these and
rules read their :meth:`rule_data`; nothing decides a verdict again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from dossier.analysis.verdicts import Verdict

if TYPE_CHECKING:  # pragma: no cover
    from dossier.compute.stability import Q1EFit

__all__ = [
    "AttributeComputed",
    "Extrapolation",
    "ExtrapolationBasis",
    "NotAssessed",
    "StabilityPoint",
    "StudyComputed",
]

ExtrapolationBasis = Literal["real_time", "q1e_room", "q1e_refrigerated", "not_allowed"]
NotAssessed = Literal["no_data", "too_few_points", "one_time_point", "zero_variance", "no_proposal"]


@dataclass(frozen=True, slots=True)
class Extrapolation:
    """How far beyond the longest time point the data may be carried, and why.

    ``basis``: ``real_time`` (no justification given), ``q1e_room`` / ``q1e_refrigerated``
    (justified, capped by Q1E 2.4), ``not_allowed`` (justified, but Q1E allows none for
    this condition). ``limit``: the longest supportable period, in the study's unit."""

    basis: ExtrapolationBasis
    longest: float
    limit: float
    factor: float | None = None
    months_beyond: float | None = None

    @property
    def extends(self) -> bool:
        """True when the limit lies beyond the real-time data."""
        return self.limit > self.longest


@dataclass(frozen=True, slots=True)
class StabilityPoint:
    """One result: batch, time (study unit) and value."""

    batch: str
    time: float
    value: float


@dataclass(frozen=True)
class AttributeComputed:
    """The Q1E analysis of one attribute and the verdict on the proposed shelf life.

    ``supported`` is the shelf life the data support (``None`` when not analysed);
    ``verdict`` whether the proposed one is within it; ``not_assessed`` the reason when
    the verdict is not assessed.
    """

    name: str
    unit: str
    lower: float | None
    upper: float | None
    points: tuple[StabilityPoint, ...]
    source: str
    fit: Q1EFit | None = None
    extrapolation: Extrapolation | None = None
    supported: float | None = None
    verdict: Verdict = Verdict.NOT_ASSESSED
    not_assessed: NotAssessed | None = None

    @property
    def times(self) -> tuple[float, ...]:
        """The distinct time points tested, in order."""
        return tuple(sorted({p.time for p in self.points}))

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        fit = self.fit
        analysed = fit is not None and fit.analysed
        crossing = fit.crossing if fit is not None else None
        return {
            "name": self.name,
            "unit": self.unit,
            "lower": self.lower,
            "upper": self.upper,
            "n": len(self.points),
            "batches": sorted({p.batch for p in self.points}),
            "times": list(self.times),
            "analysed": analysed,
            "reason": self.not_assessed,
            "model": fit.model if fit is not None else None,
            "p_slopes": fit.p_slopes if fit is not None else None,
            "p_intercepts": fit.p_intercepts if fit is not None else None,
            "crossing": None if crossing is None else crossing.time,
            "crossing_batch": None if crossing is None else crossing.batch,
            "longest_time": None if self.extrapolation is None else self.extrapolation.longest,
            "extrapolation": None if self.extrapolation is None else self.extrapolation.basis,
            "extrapolation_limit": None if self.extrapolation is None else self.extrapolation.limit,
            "supported": self.supported,
            "proposed_supported": self.verdict.met,
        }


@dataclass(frozen=True)
class StudyComputed:
    """The analysed attributes of one study, in the order of the project file."""

    study: str
    time_unit: str
    proposed: float | None
    attributes: tuple[AttributeComputed, ...]

    @property
    def verdict(self) -> Verdict:
        """The proposed shelf life over every attribute: not met when one attribute does
        not support it, met when all do, else not assessed."""
        verdicts = [a.verdict for a in self.attributes]
        if Verdict.NOT_MET in verdicts:
            return Verdict.NOT_MET
        if verdicts and all(v is Verdict.MET for v in verdicts):
            return Verdict.MET
        return Verdict.NOT_ASSESSED

    @property
    def supported(self) -> float | None:
        """The shortest shelf life supported over the attributes (``None`` unless all are
        analysed)."""
        values = [a.supported for a in self.attributes]
        if not values or any(v is None for v in values):
            return None
        return min(v for v in values if v is not None)

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "time_unit": self.time_unit,
            "proposed": self.proposed,
            "supported": self.supported,
            "proposed_supported": self.verdict.met,
            "attributes": [a.rule_data() for a in self.attributes],
        }
