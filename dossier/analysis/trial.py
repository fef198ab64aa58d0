"""The dose escalation of the planned trial: fold increase between consecutive cohorts.

Computed once here and shown by the briefing synopsis and the IMPD. Doses are compared
only when their units are the same, allowing for a leading multiplier ('1e6 cells/kg'
against 'cells/kg'); anything else (per kg against a flat dose, vector genomes against
cells) is reported as not comparable, never converted by guess.
"""

from __future__ import annotations

import re

from dossier.analysis.results import FoldStep, TrialComputed
from dossier.model.base import Quantity
from dossier.model.trial import ClinicalTrial

__all__ = ["escalation", "fold_increase"]

_LEADING = re.compile(r"^\s*(?:[x×]\s*)?(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|10\^(-?\d+))\s+(.+)$")


def _base(unit: str) -> tuple[float, str]:
    """A unit as (multiplier, the rest normalised): '1e6 cells/kg' is (1e6, 'cells/kg')."""
    text = re.sub(r"\s+", " ", unit.strip().replace(" per ", "/").replace("µ", "u"))
    found = _LEADING.match(text)
    if found is None:
        return 1.0, text
    factor = 10.0 ** int(found.group(2)) if found.group(2) else float(found.group(1))
    return factor, found.group(3)


def fold_increase(low: Quantity, high: Quantity) -> tuple[float | None, str | None]:
    """``high`` over ``low`` when their units can be compared; else (None, the reason)."""
    f_low, u_low = _base(low.unit)
    f_high, u_high = _base(high.unit)
    if u_low != u_high:
        return None, f"{low.unit} and {high.unit} cannot be compared"
    return (high.value * f_high) / (low.value * f_low), None


def escalation(trial: ClinicalTrial) -> TrialComputed:
    """The fold increase of every step between consecutive cohorts, in dosing order."""
    steps = []
    for a, b in zip(trial.cohorts, trial.cohorts[1:], strict=False):
        fold, reason = fold_increase(a.dose, b.dose)
        steps.append(FoldStep(a.cohort, b.cohort, fold, reason))
    return TrialComputed(tuple(steps))
