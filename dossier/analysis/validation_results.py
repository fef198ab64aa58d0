"""Typed results of an assay's validation: criteria, characteristics, range.

Each verdict is a field set once by :mod:`dossier.analysis.validation`; every sentence
about it (``text``, ``reason``, ``criterion``) is derived from the typed fields, and the
plain data for rules (``rule_data``) is built from the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from dossier.analysis.verdicts import Verdict, limits_text

__all__ = ["CharacteristicResult", "CriterionResult", "RangeCoverage", "ValidationResult"]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One validation criterion (ICH Q2(R2)) judged on the value computed from the data.

    ``name`` says what is judged ("repeatability"), ``statistic`` how the value is
    expressed ("GCV"; empty when the name says it), ``lower``/``upper`` are the inclusive
    limits of the criterion, ``note`` says why a criterion was not assessed. When
    ``interval_confidence`` is set the verdict is on the confidence interval
    ``interval_lower``–``interval_upper`` of the value (wholly within the limits, as
    USP <1033> asks for an equivalence criterion), not on the point estimate.
    """

    name: str
    characteristic: str
    value: float | None
    lower: float | None
    upper: float | None
    verdict: Verdict
    unit: str = ""
    statistic: str = ""
    digits: str = ".3g"
    note: str = ""
    interval_lower: float | None = None
    interval_upper: float | None = None
    interval_confidence: float | None = None

    @property
    def met(self) -> bool | None:
        """True, False, or None when not assessed."""
        return self.verdict.met

    @property
    def judged_by(self) -> str:
        """ "confidence interval" or "point estimate"."""
        return "point estimate" if self.interval_confidence is None else "confidence interval"

    @property
    def interval_name(self) -> str:
        """The interval's confidence in words, e.g. "90 % CI"; empty for a point estimate."""
        if self.interval_confidence is None:
            return ""
        return f"{self.interval_confidence * 100:g} % CI"

    @property
    def interval_shown(self) -> str:
        """The interval as reported, e.g. "97.1–103 %"; empty when there is none."""
        if self.interval_lower is None or self.interval_upper is None:
            return ""
        tail = f" {self.unit}" if self.unit else ""
        return (
            f"{format(self.interval_lower, self.digits)}–"
            f"{format(self.interval_upper, self.digits)}{tail}"
        )

    @property
    def label(self) -> str:
        """What the verdict is about, e.g. "repeatability GCV"."""
        return f"{self.name} {self.statistic}".strip()

    @property
    def shown(self) -> str:
        """The value as reported, e.g. "4.01 %"."""
        if self.value is None:
            return "not computed"
        point = format(self.value, self.digits) + (f" {self.unit}" if self.unit else "")
        if self.interval_shown:
            return f"{point} ({self.interval_name} {self.interval_shown})"
        return point

    @property
    def criterion(self) -> str:
        """The criterion in words: "repeatability ≤ 15 %", "mean recovery 90 % CI within
        80–125 %"."""
        limits = limits_text(self.lower, self.upper, self.unit)
        if self.interval_confidence is None:
            return f"{self.name} {limits}"
        within = "within " if self.lower is not None and self.upper is not None else ""
        return f"{self.name} {self.interval_name} {within}{limits}"

    @property
    def reason(self) -> str:
        """Why the verdict: "repeatability GCV 18.2 % above 15 %"."""
        if self.verdict is Verdict.NOT_ASSESSED or self.value is None:
            return f"{self.label} not assessed" + (f" ({self.note})" if self.note else "")
        met = self.verdict is Verdict.MET
        tail = f" {self.unit}" if self.unit else ""
        if self.interval_confidence is not None:
            if self.lower is not None and self.upper is not None:
                relation = "within" if met else "not within"
                limit = f"{self.lower:g}–{self.upper:g}{tail}"
            elif self.upper is not None:
                relation, limit = (
                    ("at or below" if met else "reaching above"),
                    f"{self.upper:g}{tail}",
                )
            else:
                relation, limit = (
                    ("at or above" if met else "reaching below"),
                    f"{self.lower:g}{tail}",
                )
            return f"{self.label} {self.interval_name} {self.interval_shown} {relation} {limit}"
        if self.lower is not None and self.upper is not None:
            relation = "within" if met else "outside"
            limit = f"{self.lower:g}–{self.upper:g}{tail}"
        elif self.upper is not None:
            relation, limit = ("at or below" if met else "above"), f"{self.upper:g}{tail}"
        else:
            relation, limit = ("at or above" if met else "below"), f"{self.lower:g}{tail}"
        return f"{self.label} {self.shown} {relation} {limit}"

    @property
    def text(self) -> str:
        """The reason with its characteristic: "precision: repeatability GCV 18.2 % above 15 %"."""
        return f"{self.characteristic}: {self.reason}"

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "name": self.name,
            "characteristic": self.characteristic,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "unit": self.unit,
            "criterion": self.criterion,
            "met": self.met,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "judged_by": self.judged_by,
            "interval_lower": self.interval_lower,
            "interval_upper": self.interval_upper,
            "interval_confidence": self.interval_confidence,
        }


@dataclass(frozen=True, slots=True)
class CharacteristicResult:
    """One validation characteristic computed from its data set, with its criteria.

    ``error`` says why the data could not be analysed (then ``summary`` is empty and
    every declared criterion of the characteristic is not assessed).
    """

    characteristic: str
    summary: str
    criteria: tuple[CriterionResult, ...] = ()
    error: str | None = None

    @property
    def text(self) -> str:
        """The result in words, or why it was not computed."""
        return self.summary if self.error is None else f"not computed: {self.error}"

    @property
    def verdict(self) -> Verdict:
        """Not met when any criterion is not met; met when every criterion is met."""
        verdicts = {c.verdict for c in self.criteria}
        if Verdict.NOT_MET in verdicts:
            return Verdict.NOT_MET
        if verdicts == {Verdict.MET} and self.error is None:
            return Verdict.MET
        return Verdict.NOT_ASSESSED


@dataclass(frozen=True, slots=True)
class RangeCoverage:
    """The range the validation levels cover against the range ICH Q2(R2) requires for
    potency (lowest specification − 20 % to highest + 20 %)."""

    lower: float
    upper: float
    required_lower: float | None
    required_upper: float | None
    unit: str
    verdict: Verdict

    criterion: ClassVar[str] = "specification − 20 % to + 20 % (ICH Q2(R2))"

    @property
    def covers(self) -> bool | None:
        """True, False, or None when the required range cannot be derived."""
        return self.verdict.met

    @property
    def covered_text(self) -> str:
        """The range the levels cover, e.g. "40–250 %"."""
        return f"{self.lower:g}–{self.upper:g} {self.unit}".strip()

    @property
    def required_text(self) -> str:
        """The range required, e.g. "40–240 %"."""
        if self.required_lower is None or self.required_upper is None:
            return "not derivable from the specification"
        return f"{self.required_lower:g}–{self.required_upper:g} {self.unit}".strip()

    @property
    def text(self) -> str:
        """Covered and required range, e.g. "40–250 % covered; required 40–240 %"."""
        return f"{self.covered_text} covered; required {self.required_text}"

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "covers": self.covers,
            "text": self.covered_text,
            "required_text": self.required_text,
        }


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """An assay's validation characteristics (in the order of its data sets) and range."""

    characteristics: tuple[CharacteristicResult, ...] = ()
    range: RangeCoverage | None = None

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        """Every criterion of every characteristic."""
        return tuple(c for ch in self.characteristics for c in ch.criteria)

    @property
    def shown(self) -> tuple[str, ...]:
        """The characteristics the data show with every criterion met (a characteristic
        without a declared criterion shows nothing), and ``range`` when the levels cover
        the range required; in the order of the data sets."""
        out = [ch.characteristic for ch in self.characteristics if ch.verdict is Verdict.MET]
        if self.range is not None and self.range.verdict is Verdict.MET:
            out.append("range")
        return tuple(dict.fromkeys(out))

    @property
    def failures(self) -> tuple[str, ...]:
        """Criteria not met, and characteristics whose data could not be analysed (nothing
        shows their criteria met). The range has its own verdict (``range``)."""
        out = [c.text for c in self.criteria if c.verdict is Verdict.NOT_MET]
        out += [f"{ch.characteristic}: {ch.error}" for ch in self.characteristics if ch.error]
        return tuple(out)
