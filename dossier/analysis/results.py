"""The computed view of a project: typed results, their provenance, and plain rule data.

The analysers (:mod:`dossier.analysis.assays`, :mod:`~dossier.analysis.studies`,
:mod:`~dossier.analysis.dose`) fill a :class:`ComputedProject`; drafts read its typed
fields, and :meth:`ComputedProject.rule_data` turns the same fields into the plain data
the rule expressions read as ``computed.*``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from dossier.analysis.potency_results import (
    AssayComputed,
    BatchComputed,
    RunReason,
    RunResult,
    TrendComputed,
    ValidityCheck,
)
from dossier.analysis.stability_results import StudyComputed
from dossier.analysis.validation_results import (
    CharacteristicResult,
    CriterionResult,
    RangeCoverage,
    ValidationResult,
)
from dossier.analysis.verdicts import Verdict
from dossier.core.diagnostics import DiagnosticList, PathPart, format_path
from dossier.core.i18n import Phrase
from dossier.core.numfmt import given, number, sig

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.advice import CbgTiming
    from dossier.analysis.netherlands import NlComputed
    from dossier.compute.biodistribution import BdSummary
    from dossier.importers.send import SendSummary, StudyRecord

__all__ = [
    "AssayComputed",
    "BatchComputed",
    "CharacteristicResult",
    "ComputedProject",
    "Contradiction",
    "ContradictionKind",
    "CriterionResult",
    "DoseBasis",
    "DoseStep",
    "FihComputed",
    "FoldStep",
    "Provenance",
    "RangeCoverage",
    "RunReason",
    "RunResult",
    "SendComputed",
    "StudyComputed",
    "TrendComputed",
    "TrialComputed",
    "ValidationResult",
    "ValidityCheck",
    "Verdict",
    "fold_text",
]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a computed value comes from: the inputs, the rows used and the method."""

    what: str
    value: str
    inputs: tuple[str, ...]
    method: str
    rows_used: int | None = None


@dataclass(frozen=True, slots=True)
class DoseStep:
    """One row of the dose-rationale table."""

    input_id: str
    approach: str
    label: str
    value: float | None
    unit: str
    formula: str
    source: str


@dataclass(frozen=True, slots=True)
class DoseBasis:
    """The scaling basis actually used for one dose input: ``method`` (``per-kg``,
    ``km-ratio``, ``table-divisor``, ``weight-adjusted``, ``organ``, ``area``, ``flat``,
    ``human`` or ``not-scaled``) and ``text``, the basis in words with its source."""

    input_id: str
    method: str
    text: str

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {"input": self.input_id, "method": self.method, "text": self.text}


@dataclass
class FihComputed:
    """The scaled doses and the verdicts on the proposed start dose.

    ``start_within_limit``: the start dose is at or below the scaled safety limit;
    ``start_at_or_below_most_conservative``: at or below the lowest of that limit and
    the activity-based estimates. Not assessed when either dose is missing.
    """

    unit: str
    steps: list[DoseStep] = field(default_factory=list)
    safety_limit: float | None = None
    most_conservative: float | None = None
    start: float | None = None
    start_within_limit: Verdict = Verdict.NOT_ASSESSED
    start_at_or_below_most_conservative: Verdict = Verdict.NOT_ASSESSED
    incomparable: list[str] = field(default_factory=list)
    """Inputs whose human dose is in another unit than the start dose (not compared)."""
    bases: list[DoseBasis] = field(default_factory=list)
    """The basis each input was scaled on (as used, which may differ from the declared
    one: e.g. the weight-adjusted formula for an animal outside its working range)."""

    @property
    def bases_text(self) -> str:
        """The bases used in words, inputs sharing one grouped ("per kg ... (D1, D2)")."""
        grouped: dict[str, list[str]] = {}
        for basis in self.bases:
            grouped.setdefault(basis.text, []).append(basis.input_id)
        return "; ".join(f"{text} ({', '.join(ids)})" for text, ids in grouped.items())

    def dose_text(self, value: float | None) -> str:
        """A dose of this derivation in words ("not computed" without a value)."""
        return "not computed" if value is None else f"{number(value)} {self.unit}"

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "unit": self.unit,
            "safety_limit": self.safety_limit,
            "safety_limit_text": self.dose_text(self.safety_limit),
            "most_conservative": self.most_conservative,
            "most_conservative_text": self.dose_text(self.most_conservative),
            "start": self.start,
            "start_text": self.dose_text(self.start),
            "start_within_limit": self.start_within_limit.met,
            "start_at_or_below_most_conservative": self.start_at_or_below_most_conservative.met,
            "incomparable": list(self.incomparable),
            "bases": [b.rule_data() for b in self.bases],
        }


def fold_text(fold: float) -> str:
    """A fold increase in words: '3-fold', '3.33-fold' (three significant figures)."""
    return f"{given(float(sig(fold)))}-fold"


@dataclass(frozen=True, slots=True)
class FoldStep:
    """The increase from one cohort of the planned trial to the next.

    ``fold`` is the ratio of the two doses when their units can be compared (the same
    unit, or the same unit with a leading multiplier such as '1e6 cells/kg'); otherwise
    it is None and ``reason`` says why."""

    from_cohort: str
    to_cohort: str
    fold: float | None
    reason: str | None = None

    @property
    def text(self) -> str:
        """'DL1 → DL2: 3-fold' or the reason the step cannot be compared."""
        step = f"{self.from_cohort} → {self.to_cohort}"
        if self.fold is None:
            return f"{step}: not compared ({self.reason})"
        return f"{step}: {fold_text(self.fold)}"


@dataclass(frozen=True, slots=True)
class TrialComputed:
    """The dose escalation of the planned trial: the fold increase of every step and the
    largest of those that could be compared."""

    steps: tuple[FoldStep, ...] = ()

    @property
    def maximum(self) -> FoldStep | None:
        """The step with the largest comparable fold increase (the first of equals)."""
        compared = [s for s in self.steps if s.fold is not None]
        return max(compared, key=lambda s: s.fold or 0.0) if compared else None

    @property
    def incomparable(self) -> tuple[FoldStep, ...]:
        """The steps whose doses are in units that cannot be compared."""
        return tuple(s for s in self.steps if s.fold is None)

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        top = self.maximum
        return {
            "steps": [
                {"from": s.from_cohort, "to": s.to_cohort, "fold": s.fold} for s in self.steps
            ],
            "max_fold": None if top is None else top.fold,
            "incomparable": [f"{s.from_cohort}-{s.to_cohort}" for s in self.incomparable],
        }


@dataclass(frozen=True, slots=True)
class SendComputed:
    """A study's SEND package: the study record and the summary tables."""

    record: StudyRecord
    summary: SendSummary


ContradictionKind = Literal["tissue", "glp", "dose", "batches"]


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A sentence of the project's free text that its computed results contradict
    (found by :mod:`dossier.analysis.narrative`).

    ``path`` is the YAML path of the text holding the sentence; ``claim`` what the
    sentence says, ``evidence`` what the data or the structured fields show instead."""

    path: tuple[PathPart, ...]
    sentence: str
    claim: str
    evidence: str
    severity: Literal["error", "warning"]
    kind: ContradictionKind
    hint: str = ""
    said: tuple[Phrase, Phrase] | None = field(default=None, compare=False)
    """``claim`` and ``evidence`` as phrases, put into words in the language of the
    document that prints them (the readiness report); the strings are their English."""

    def in_words(self) -> tuple[str, str]:
        """Claim and evidence in the language of the document being written."""
        if self.said is None:
            return self.claim, self.evidence
        return self.said[0].text(), self.said[1].text()

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "kind": self.kind,
            "path": list(self.path),
            "path_text": format_path(self.path),
            "sentence": self.sentence,
            "claim": self.claim,
            "evidence": self.evidence,
            "severity": self.severity,
        }


@dataclass
class ComputedProject:
    """Results computed from a project's data files, keyed by the ids of the project."""

    assays: dict[str, AssayComputed] = field(default_factory=dict)
    fih: FihComputed | None = None
    trial: TrialComputed | None = None
    """The dose escalation of the planned trial (with a clinical_trial section)."""
    biodistribution: dict[str, BdSummary] = field(default_factory=dict)
    send: dict[str, SendComputed] = field(default_factory=dict)
    provenance: list[Provenance] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    """Sentences of the free text that the results contradict, in file order."""
    netherlands: NlComputed | None = None
    """The Dutch route: dossier map, timelines, GMO permit (with a netherlands section)."""
    stability: dict[str, StudyComputed] = field(default_factory=dict)
    """The ICH Q1E analysis of each stability study, keyed by study id."""
    advice: CbgTiming | None = None
    """The timing of a CBG advice meeting (CBG advice in a meeting only)."""
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)

    def rule_data(self) -> dict[str, Any]:
        """Plain dicts, lists, strings, numbers and booleans for the rule engine.

        Every assay, run and batch-result id of the project appears as a key, with
        ``None`` where nothing could be computed, so a rule can say "when computed ...
        is not none" without tripping over missing keys.
        """
        return {
            "assays": {a: result.rule_data() for a, result in self.assays.items()},
            "fih": None if self.fih is None else self.fih.rule_data(),
            "trial": None if self.trial is None else self.trial.rule_data(),
            "gonads_sampled": any(s.gonads_sampled for s in self.biodistribution.values()),
            "biodistribution": {
                study: {
                    "gonads_sampled": summary.gonads_sampled,
                    "gonads_quantifiable": summary.gonads_quantifiable,
                    "timepoints": list(summary.timepoints),
                    "lloq_max": summary.lloq_max,
                }
                for study, summary in self.biodistribution.items()
            },
            "contradictions": [c.rule_data() for c in self.contradictions],
            "netherlands": None if self.netherlands is None else self.netherlands.rule_data(),
            "stability": {s: study.rule_data() for s, study in self.stability.items()},
            "advice": None if self.advice is None else self.advice.rule_data(),
        }
