"""Typed results of a potency assay: run validity, batch results, trend.

Each verdict is a field set once by the analysis (:mod:`dossier.analysis.assays`,
:mod:`dossier.analysis.batches`; the validation's in
:mod:`dossier.analysis.validation_results`); every sentence about it (``text``,
``reason``) is derived from the typed fields, and the plain data for rules
(``rule_data``) is built from the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier.analysis.validation_results import ValidationResult
from dossier.analysis.verdicts import Verdict
from dossier.core.numfmt import given, number, p_text

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from dossier.analysis.outlier_results import RunOutliers
    from dossier.compute.potency.combine_types import Combination, Precondition
    from dossier.compute.potency.criteria import Criterion, Outcome
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis, TestResult
    from dossier.compute.trend import TrendResult

__all__ = [
    "AssayComputed",
    "BatchComputed",
    "ExcludedRun",
    "RunReason",
    "RunResult",
    "TrendComputed",
    "ValidityCheck",
]


@dataclass(frozen=True, slots=True)
class ValidityCheck:
    """One criterion judged on a run: a test of Ph. Eur. 5.3 (the statistic, its p value
    against the limit), an equivalence margin (the estimate and its confidence interval),
    a limit or a system-suitability limit (the value); with the verdict and its reason.

    ``kind`` says where the criterion comes from: ``model`` (a test the model applies
    that the project does not name), ``significance``, ``equivalence``, ``limit``,
    ``system suitability`` or ``described`` (limits in words only, not computed).
    ``decides`` is False for what is reported without deciding the run's validity.
    """

    test: str
    preparation: str | None
    statistic: float | None
    df_num: int | None
    df_den: int | None
    p: float | None
    limit: str
    verdict: Verdict
    kind: str = "model"
    quantity: str = ""
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    ci: tuple[float, float] | None = None
    confidence: float | None = None
    reason: str = ""
    decides: bool = True

    @classmethod
    def of(cls, result: TestResult, preparation: str | None = None) -> ValidityCheck:
        """The check of a computed test."""
        verdict = (
            Verdict.MET
            if result.passed
            else Verdict.NOT_ASSESSED
            if result.p is None
            else Verdict.NOT_MET
        )
        return cls(
            result.name,
            preparation,
            result.F,
            result.df_num,
            result.df_den,
            result.p,
            result.criterion,
            verdict,
            quantity=result.name.replace("_", " "),
            value=result.p,
        )

    @classmethod
    def of_outcome(cls, outcome: Outcome) -> ValidityCheck:
        """The check of a criterion judged by :mod:`dossier.compute.potency.criteria`."""
        significance = outcome.kind in {"model", "significance"}
        return cls(
            outcome.criterion,
            outcome.preparation,
            outcome.statistic,
            outcome.df[0],
            outcome.df[1],
            outcome.value if significance else None,
            outcome.limit,
            Verdict.of(outcome.met),
            kind=outcome.kind,
            quantity=outcome.quantity,
            value=outcome.value,
            lower=outcome.lower,
            upper=outcome.upper,
            ci=outcome.ci,
            confidence=outcome.confidence,
            reason=outcome.reason,
            decides=outcome.decides,
        )

    @property
    def name(self) -> str:
        """The criterion in words, with its preparation: "slope ratio of T1"."""
        name = self.quantity or self.test.replace("_", " ")
        return name + (f" of {self.preparation}" if self.preparation else "")

    @property
    def value_text(self) -> str:
        """The value judged: "F = 0.8 (1, 20), p = 0.38", "0.97 (90 % CI 0.88–1.07)"."""
        if self.kind in {"model", "significance"}:
            numbers = []
            if self.statistic is not None:
                dfs = ", ".join(str(d) for d in (self.df_num, self.df_den) if d is not None)
                numbers.append(f"F = {number(self.statistic)}" + (f" ({dfs})" if dfs else ""))
            if self.p is not None:
                numbers.append(p_text(self.p))
            return ", ".join(numbers) or "no statistic"
        if self.value is None:
            return "—"
        shown = f"{self.value:.4g}"
        if self.ci is not None and self.confidence is not None:
            level = f"{self.confidence * 100:.4g} %"
            shown += f" ({level} CI {self.ci[0]:.4g} to {self.ci[1]:.4g})"
        return shown

    @property
    def verdict_text(self) -> str:
        """The verdict, with the reason when not assessed or when it decides nothing."""
        if not self.decides:
            return "reported, does not decide validity"
        if self.verdict is Verdict.NOT_ASSESSED:
            return f"not assessed ({self.reason})" if self.reason else "not assessed"
        return str(self.verdict.value)

    @property
    def text(self) -> str:
        """The check in words, e.g. "non parallelism: F = 0.8 (1, 20), p = 0.38; p ≥ 0.05:
        met" or "slope ratio of T: 0.97 (90 % CI 0.88 to 1.07); 90 % CI within 0.8–1.25:
        met"."""
        if self.kind == "described":
            return f"{self.name}: {self.reason}"
        return f"{self.name}: {self.value_text}; {self.limit}: {self.verdict_text}"

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "test": self.test,
            "name": self.name,
            "kind": self.kind,
            "preparation": self.preparation,
            "statistic": self.statistic,
            "p": self.p,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "ci": None if self.ci is None else list(self.ci),
            "limit": self.limit,
            "met": self.verdict.met,
            "decides": self.decides,
            "reason": self.reason,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class RunReason:
    """Why a run, or one preparation of it, gives no reportable estimate."""

    message: str
    preparation: str | None = None

    @property
    def text(self) -> str:
        """The message, named by its preparation when it concerns one."""
        return f"{self.preparation}: {self.message}" if self.preparation else self.message


@dataclass(frozen=True, slots=True)
class RunResult:
    """One analysed run: its validity with the criteria and reasons that decide it.

    ``checks`` lists every criterion the project declares for the assay, judged on the
    run, then the model's own tests that no criterion names. ``reasons`` holds the run's
    own reasons first (an invalid run has at least one), then those of its preparations;
    ``failed_preparations`` the test preparations whose estimate a declared criterion
    rejects (the run may still be valid for the others).
    """

    run_id: str
    valid: bool
    checks: tuple[ValidityCheck, ...]
    reasons: tuple[RunReason, ...]
    analysis: PotencyAnalysis
    data: DoseResponseData
    failed_preparations: tuple[str, ...] = ()
    outliers: RunOutliers | None = None
    """The outlier screen of the run's responses and what the assay's rule did with it."""

    @classmethod
    def of(
        cls,
        run_id: str,
        analysis: PotencyAnalysis,
        data: DoseResponseData,
        criteria: Sequence[Criterion] = (),
        *,
        scale: float = 1.0,
    ) -> RunResult:
        """The typed validity of an analysis under the declared criteria."""
        from dossier.compute.potency.criteria import evaluate, judge

        outcomes = evaluate(criteria, analysis, data, scale=scale)
        judgement = judge(analysis, outcomes)
        checks = tuple(ValidityCheck.of_outcome(o) for o in outcomes)
        reasons = [RunReason(m) for m in (*analysis.reasons, *judgement.reasons)]
        for r in analysis.results:
            extra = judgement.preparation_reasons.get(r.preparation, ())
            reasons += [RunReason(m, r.preparation) for m in (*r.reasons, *extra)]
        failed = tuple(judgement.preparation_reasons)
        return cls(run_id, judgement.valid, checks, tuple(reasons), analysis, data, failed)

    def usable(self, preparation: str) -> bool:
        """True when the run gives a reportable estimate of the preparation."""
        prep = next((r for r in self.analysis.results if r.preparation == preparation), None)
        return (
            self.valid
            and prep is not None
            and prep.valid
            and preparation not in self.failed_preparations
        )

    @property
    def failed_checks(self) -> tuple[ValidityCheck, ...]:
        """The deciding criteria that are not met."""
        return tuple(c for c in self.checks if c.decides and c.verdict is Verdict.NOT_MET)

    @property
    def unassessed_checks(self) -> tuple[ValidityCheck, ...]:
        """The declared criteria that could not be judged on this run."""
        return tuple(
            c
            for c in self.checks
            if c.verdict is Verdict.NOT_ASSESSED and c.kind not in {"model", "described"}
        )

    @property
    def text(self) -> str:
        """The validity in words: valid, or invalid with the reasons; then the outliers
        when the screen found any."""
        verdict = "valid" if self.valid else "invalid: " + "; ".join(r.text for r in self.reasons)
        if self.outliers is not None and self.outliers.screen.flagged:
            return f"{verdict}; {self.outliers.summary}"
        return verdict

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        declared = [c for c in self.checks if c.kind != "model"]
        return {
            "valid": self.valid,
            "reasons": [r.text for r in self.reasons],
            "checks": [c.rule_data() for c in self.checks],
            "criteria": [c.rule_data() for c in declared],
            "failed_criteria": [c.text for c in self.failed_checks if c.kind != "model"],
            "unassessed_criteria": [c.text for c in self.unassessed_checks],
            "failed_preparations": list(self.failed_preparations),
            "outliers": None if self.outliers is None else self.outliers.rule_data(),
        }


@dataclass(frozen=True, slots=True)
class ExcludedRun:
    """A run listed for a batch that gives no estimate of it, and why."""

    run_id: str
    reason: str

    @property
    def text(self) -> str:
        """E.g. "run R3 invalid: significant non-parallelism (F = 9.1 (1, 24), p = 0.006)"."""
        return f"run {self.run_id} {self.reason}"


@dataclass(frozen=True, slots=True)
class BatchComputed:
    """A batch's reportable potency and its verdict against the criterion of its use.

    ``lower``/``upper``/``limits_unit`` are the limits of that criterion (none for a
    report-only criterion); ``note`` says why a result was not computed or not judged.

    ``runs`` are the runs the value was computed from (the valid ones) and ``excluded``
    the runs listed for the batch that gave no estimate, with why; ``runs_declared`` is
    the number of runs the assay's reportable value requires (None when not declared)
    and ``runs_counted`` the number behind the value (the valid runs, or the ``n_runs``
    of an entered value; None when unknown). ``combination`` is the Ph. Eur. 5.3
    combination of the runs, with its method, reason and preconditions. ``missing``: the
    project gives no result of this batch at all, although the batch was dosed
    (toxicology or clinical use) and the assay is a release test.
    """

    batch: str
    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    unit: str
    runs: tuple[str, ...]
    method: str
    verdict: Verdict
    criterion_role: str = "release"
    lower: float | None = None
    upper: float | None = None
    limits_unit: str = ""
    note: str = ""
    entered: bool = False
    excluded: tuple[ExcludedRun, ...] = ()
    runs_declared: int | None = None
    runs_counted: int | None = None
    combination: Combination | None = None
    missing: bool = False

    @property
    def short_of_runs(self) -> bool:
        """True when the value rests on fewer runs than the reportable value requires."""
        return (
            self.value is not None
            and self.runs_declared is not None
            and self.runs_counted is not None
            and self.runs_counted < self.runs_declared
        )

    @property
    def runs_text(self) -> str:
        """E.g. "1 of the 3 runs the reportable value requires" ("" when not short)."""
        if not self.short_of_runs:
            return ""
        return f"{self.runs_counted} of the {self.runs_declared} runs the reportable value requires"

    @property
    def failed_preconditions(self) -> tuple[Precondition, ...]:
        """The conditions of the weighted combination (Ph. Eur. 5.3, 6.2) found not met."""
        if self.combination is None:
            return ()
        return tuple(p for p in self.combination.preconditions if p.met is False)

    @property
    def passes(self) -> bool | None:
        """True, False, or None when not judged."""
        return self.verdict.met

    @property
    def out_of_specification(self) -> bool:
        """True when the result fails the criterion that applies to the batch's use."""
        return self.verdict is Verdict.NOT_MET

    @property
    def limits(self) -> str:
        """The limits in words: "50 to 200 % relative potency", "≥ 500 pg/mL", "≤ 5 %"."""
        unit = self.limits_unit
        if self.lower is not None and self.upper is not None:
            return f"{given(self.lower)} to {given(self.upper)} {unit}"
        if self.lower is not None:
            return f"≥ {given(self.lower)} {unit}"
        if self.upper is not None:
            return f"≤ {given(self.upper)} {unit}"
        return "no limits"

    @property
    def text(self) -> str:
        """The value against the limits: "98.5 % relative potency against 50 to 200 %"."""
        if self.value is None:
            return "not computed"
        shown = f"{self.value:.4g} {self.unit}"
        if self.verdict is Verdict.NOT_ASSESSED:
            return shown
        return f"{shown} against {self.limits}"

    @property
    def reason(self) -> str:
        """Why the verdict."""
        if self.verdict is Verdict.NOT_ASSESSED:
            return self.note or "not judged"
        relation = "within" if self.verdict is Verdict.MET else "outside"
        limits = f"the {self.criterion_role} limits {self.limits}"
        return f"{self.value:.4g} {self.unit} {relation} {limits}"

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "batch": self.batch,
            "value": self.value,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "unit": self.unit,
            "runs": list(self.runs),
            "passes": self.passes,
            "out_of_specification": self.out_of_specification,
            "criterion_role": self.criterion_role,
            "lower": self.lower,
            "upper": self.upper,
            "text": self.text,
            "reason": self.reason,
            "missing": self.missing,
            "excluded_runs": [e.text for e in self.excluded],
            "runs_declared": self.runs_declared,
            "runs_counted": self.runs_counted,
            "short_of_runs": self.short_of_runs,
            "combination": None if self.combination is None else self.combination.method.value,
            "combination_reason": None if self.combination is None else self.combination.reason,
            "failed_preconditions": [p.name.label for p in self.failed_preconditions],
        }


@dataclass(frozen=True, slots=True)
class TrendComputed:
    """The trend of an assay's batch results over their manufacture dates."""

    result: TrendResult
    batches: tuple[str, ...]
    unit: str

    @property
    def flagged(self) -> bool:
        """True when the slope is significant."""
        return self.result.flagged

    @property
    def text(self) -> str:
        """One line for a document or a report."""
        return self.result.text(self.unit)

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "n": self.result.n,
            "testable": self.result.testable,
            "flagged": self.flagged,
            "p": self.result.p,
            "slope_per_day": self.result.slope_per_day,
            "batches": list(self.batches),
            "text": self.text,
        }


@dataclass
class AssayComputed:
    """Everything computed for one assay, keyed by the ids of the project."""

    assay_id: str
    runs: dict[str, RunResult | None] = field(default_factory=dict)
    """Every run of the assay; None when it could not be analysed."""
    not_analysed: dict[str, str] = field(default_factory=dict)
    """Why each run that could not be analysed was not: the problem, where it is."""
    reported_runs: list[str] = field(default_factory=list)
    batches: dict[str, BatchComputed] = field(default_factory=dict)
    validation: ValidationResult = field(default_factory=ValidationResult)
    trend: TrendComputed | None = None

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules (every run and batch id present)."""
        validation = self.validation
        return {
            "runs": {rid: None if r is None else r.rule_data() for rid, r in self.runs.items()},
            "reported_runs": list(self.reported_runs),
            "batches": {b: c.rule_data() for b, c in self.batches.items()},
            "range": None if validation.range is None else validation.range.rule_data(),
            "validation": [c.rule_data() for c in validation.criteria],
            "validation_failures": list(validation.failures),
            "characteristics_shown": list(validation.shown),
            "trend": None if self.trend is None else self.trend.rule_data(),
        }
