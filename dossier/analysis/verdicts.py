"""The verdict of a criterion: met, not met, or not assessed.

A verdict is decided once, in the analysis stage, from a typed value and the limits of
the criterion; drafts and rules print it or test it and never decide it again.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Verdict", "limits_text", "within"]


class Verdict(Enum):
    """Whether a result meets its criterion; ``NOT_ASSESSED`` when nothing decides it
    (no value, no limit, or a report-only criterion)."""

    MET = "met"
    NOT_MET = "not met"
    NOT_ASSESSED = "not assessed"

    @classmethod
    def of(cls, flag: bool | None) -> Verdict:
        """True: met; False: not met; None: not assessed."""
        if flag is None:
            return cls.NOT_ASSESSED
        return cls.MET if flag else cls.NOT_MET

    @property
    def met(self) -> bool | None:
        """True, False, or None when not assessed (plain data for rules)."""
        if self is Verdict.NOT_ASSESSED:
            return None
        return self is Verdict.MET


def within(value: float | None, lower: float | None, upper: float | None) -> Verdict:
    """Inclusive limits; not assessed without a value or without any limit."""
    if value is None or (lower is None and upper is None):
        return Verdict.NOT_ASSESSED
    return Verdict.of(
        (lower is None or value >= lower) and (upper is None or value <= upper),
    )


def limits_text(lower: float | None, upper: float | None, unit: str = "") -> str:
    """Limits in words, e.g. "80–125 %", "≤ 15 %", "≥ 0.95"; "—" without limits."""
    tail = f" {unit}" if unit else ""
    if lower is not None and upper is not None:
        return f"{lower:g}–{upper:g}{tail}"
    if upper is not None:
        return f"≤ {upper:g}{tail}"
    if lower is not None:
        return f"≥ {lower:g}{tail}"
    return "—"
