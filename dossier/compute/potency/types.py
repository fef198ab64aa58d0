"""Shared input and result types of the relative-potency models.

Every model (parallel-line, slope-ratio, four- and five-parameter logistic) takes a
:class:`DoseResponseData` and returns a :class:`PotencyAnalysis`, so the CLI, the
project build and the documents treat them alike. Results are plain frozen
dataclasses of floats and strings: no numpy or pandas objects leak out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ModelName = Literal["parallel-line", "slope-ratio", "4pl", "5pl"]
Transform = Literal["none", "ln", "log10", "sqrt", "square"]


@dataclass(frozen=True, slots=True)
class Observation:
    """One response. ``row`` is the 1-based data row in the source file (for errors)."""

    preparation: str
    dose: float
    response: float
    row: int = 0
    block: str | None = None
    latin_row: str | None = None
    latin_column: str | None = None


@dataclass(frozen=True, slots=True)
class DoseResponseData:
    """Dose-response observations of one assay run, with where they came from."""

    observations: tuple[Observation, ...]
    source: str = "<memory>"
    columns: dict[str, int] = field(default_factory=dict)
    """1-based column of each named column in the source file (for located errors)."""

    @property
    def design(self) -> Literal["completely-randomised", "randomised-block", "latin-square"]:
        """The design follows from the columns present (blocks, or rows and columns)."""
        if self.observations and self.observations[0].latin_row is not None:
            return "latin-square"
        if self.observations and self.observations[0].block is not None:
            return "randomised-block"
        return "completely-randomised"

    @property
    def preparations(self) -> tuple[str, ...]:
        """Preparation names in order of first appearance."""
        seen: dict[str, None] = {}
        for obs in self.observations:
            seen.setdefault(obs.preparation, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class TestResult:
    """One validity test: F statistic, degrees of freedom, p value and the verdict.

    (Named for the ANOVA test, not a pytest test; ``__test__`` keeps pytest away.)
    """

    __test__ = False

    name: str
    F: float | None
    df_num: int | None
    df_den: int | None
    p: float | None
    passed: bool
    criterion: str


@dataclass(frozen=True, slots=True)
class CurveFit:
    """One preparation's curve fitted on its own (the unconstrained model), as read by
    similarity by equivalence: parameter names, estimates, their covariance, the residual
    degrees of freedom of the fit and whether it converged."""

    preparation: str
    names: tuple[str, ...]
    estimates: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    df: int
    converged: bool

    def estimate(self, name: str) -> float:
        """The estimate of a named parameter."""
        return self.estimates[self.names.index(name)]

    def variance(self, name: str) -> float:
        """The variance of a named parameter's estimate."""
        i = self.names.index(name)
        return self.covariance[i][i]


@dataclass(frozen=True, slots=True)
class PreparationResult:
    """Relative potency of one test preparation against the standard.

    ``potency``, ``ci_lower`` and ``ci_upper`` are in the units of the assumed potency
    (relative potency x assumed potency; the assumed potency defaults to 1).
    ``valid`` is False when the assay is invalid or no limits exist for this preparation.
    """

    preparation: str
    relative_potency: float | None
    potency: float | None
    ci_lower: float | None
    ci_upper: float | None
    valid: bool
    assumed_potency: float = 1.0
    log_potency_ratio: float | None = None
    log_ci: tuple[float, float] | None = None
    ci_method: str = ""
    reasons: tuple[str, ...] = ()
    tests: tuple[TestResult, ...] = ()
    g: float | None = None
    """Fieller's g of the limits (models with Fieller limits); above 0.1 the slope is
    poorly determined and the analysis warns."""


@dataclass(frozen=True, slots=True)
class PotencyAnalysis:
    """The outcome of one assay analysis: validity, tests, per-preparation results.

    ``reasons`` says why the assay is invalid (empty when valid); an invalid assay
    may still carry computed numbers, which are then not reportable.
    """

    model: ModelName
    standard: str
    design: str
    transform: Transform
    valid: bool
    tests: dict[str, TestResult]
    results: tuple[PreparationResult, ...]
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """What the analysis noticed that does not invalidate it (e.g. a large g)."""
    anova: tuple[dict[str, float | int | str | None], ...] = ()
    residual_df: int | None = None
    residual_variance: float | None = None
    parameters: dict[str, float] = field(default_factory=dict)
    method: str = ""
    source: str = "<memory>"
    rows_used: int = 0
    curves: tuple[CurveFit, ...] = ()
    """Each preparation's own fit, standard first (models that fit one: the 4PL, 5PL)."""
