"""The typed results of combining assay results (Ph. Eur. 5.3, section 6).

:mod:`dossier.compute.potency.combine` computes them; everything a caller decides on is a
field (the method as :class:`Method`, every condition as :class:`Precondition` with
``met`` True, False or None), never a string to be parsed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "MAX_C",
    "METHOD_CHOICES",
    "MIN_DF",
    "PREFERRED_DF",
    "AssayWeight",
    "Combination",
    "Condition",
    "Estimate",
    "Heterogeneity",
    "Method",
    "MethodChoice",
    "Precondition",
]

MethodChoice = Literal["auto", "weighted", "semi-weighted", "unweighted"]
METHOD_CHOICES: tuple[MethodChoice, ...] = get_args(MethodChoice)
MIN_DF = 6
PREFERRED_DF = 15
MAX_C = 1.1


class Method(enum.StrEnum):
    """The combination that was computed."""

    WEIGHTED = "weighted"
    SEMI_WEIGHTED = "semi-weighted"
    UNWEIGHTED = "unweighted"
    SINGLE = "single"  # one assay: its own estimate and limits


class Condition(enum.StrEnum):
    """The conditions of Ph. Eur. 5.3 section 6.2 for the weighted combination."""

    INDEPENDENT = "independent"
    C_CLOSE_TO_1 = "c_close_to_1"
    RESIDUAL_DF = "residual_df"
    HOMOGENEITY = "homogeneity"

    @property
    def label(self) -> str:
        """Short wording for a person."""
        return {
            "independent": "independent assays",
            "c_close_to_1": "C < 1.1",
            "residual_df": f"at least {MIN_DF} residual df",
            "homogeneity": "homogeneity",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Estimate:
    """One independent assay result: estimate, confidence limits, residual df, optional g."""

    value: float
    lower: float
    upper: float
    df: int
    confidence: float = 0.95
    g: float | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class Precondition:
    """One condition: met (True/False) or unknown (None), with what was found."""

    name: Condition
    met: bool | None
    detail: str


@dataclass(frozen=True, slots=True)
class Heterogeneity:
    """The homogeneity χ² (None with a single assay) and its p."""

    chi2: float | None
    df: int
    p: float | None


@dataclass(frozen=True, slots=True)
class AssayWeight:
    """One assay in the combination: ln estimate, variance from its limits, weights."""

    label: str
    log_estimate: float
    variance: float
    weight: float  # W = 1 / variance
    weight_used: float  # W, W' or 1 (unweighted), as the chosen method uses it
    share: float  # weight_used / Σ weight_used


@dataclass(frozen=True, slots=True)
class Combination:
    """The combined estimate, its limits, the method used and why."""

    estimate: float
    ci_lower: float | None
    ci_upper: float | None
    method: Method
    requested: MethodChoice
    reason: str
    heterogeneity: Heterogeneity
    preconditions: tuple[Precondition, ...]
    n: int
    assays: tuple[AssayWeight, ...]
    log_estimate: float
    standard_error: float | None
    t_df: int | None
    between_variance: float | None
    confidence: float

    @property
    def weights(self) -> tuple[float, ...]:
        """The weight of every assay in the chosen combination."""
        return tuple(a.weight_used for a in self.assays)

    def precondition(self, name: Condition) -> Precondition:
        """The precondition called ``name``."""
        return next(p for p in self.preconditions if p.name is name)

    @property
    def description(self) -> str:
        """One line on the method for a report."""
        what = {
            Method.WEIGHTED: "weighted mean of ln potencies (Ph. Eur. 5.3, 6.2.3)",
            Method.SEMI_WEIGHTED: "semi-weighted mean of ln potencies (Ph. Eur. 5.3, 6.2.4)",
            Method.UNWEIGHTED: "unweighted mean of ln potencies (Ph. Eur. 5.3, 6.3)",
            Method.SINGLE: "single estimate",
        }[self.method]
        return f"{what}: {self.reason}"
