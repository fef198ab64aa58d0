"""Potency: the strategy (MoA coverage, rationale, evolution) and the assays.

Field list after ``regulatory-brief.md`` section 4.6 (assay record), with raw
assay data (``runs``) and validation data files that ``dossier`` analyses itself.
"""

import datetime as dt
import math
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from dossier.load.numbers import DecimalSeparator, ThousandsSeparator
from dossier.model.base import (
    DATA_FILE,
    Id,
    IdRef,
    Quantity,
    StrictModel,
    Text,
    above_zero,
    finite_values,
    new_dict,
    new_list,
)
from dossier.model.quality import LifecycleStatus

AssayCategory = Literal["biological_functional", "surrogate", "matrix_component"]
AssayFormat = Literal[
    "cell_based",
    "co_culture",
    "biochemical",
    "binding",
    "molecular",
    "flow_cytometry",
    "in_vivo",
]
StatisticalModel = Literal[
    "parallel_line",
    "slope_ratio",
    "four_parameter_logistic",
    "five_parameter_logistic",
    "absolute",
]
AssayRole = Literal["release", "stability", "characterisation", "in_process", "comparability"]
ReportableCombination = Literal["ph-eur-5.3", "geometric-mean", "single-run"]
ResponseTransform = Literal["none", "ln", "log10", "sqrt", "square"]
QualifiedCharacteristic = Literal[
    "specificity",
    "accuracy",
    "precision",
    "linearity",
    "range",
    "detection_limit",
    "quantitation_limit",
    "robustness",
]
"""The performance characteristics of ICH Q2(R2) an assay's qualification can cover."""

RELATIVE_POTENCY_MODELS = frozenset(
    {"parallel_line", "slope_ratio", "four_parameter_logistic", "five_parameter_logistic"}
)


# The number convention of a data file, declared next to its reference: '1,200' is never
# guessed (see dossier.load.numbers).
DataDecimal = Annotated[
    DecimalSeparator,
    Field(
        description=(
            "Decimal separator of the numbers written as text in the data file: point "
            "(1.5) or comma (1,5)."
        )
    ),
]
DataThousands = Annotated[
    ThousandsSeparator,
    Field(
        description=(
            "Thousands separator of the numbers written as text in the data file: none "
            "(1200), comma (1,200), point (1.200) or space (1 200). A value that reads "
            "differently under another convention is an error, never a guess."
        )
    ),
]


def check_number_convention(decimal: str, thousands: str) -> None:
    """The decimal and the thousands separator of a data file must differ."""
    if decimal == thousands:
        raise ValueError(
            f"'decimal' and 'thousands' cannot both be '{decimal}': a number would read two ways"
        )


class ReferenceStandard(StrictModel):
    """The reference standard or control material of an assay."""

    id: Id
    type: Literal[
        "international_standard",
        "primary",
        "working",
        "in_house_batch",
        "control_cell_line",
    ] = Field(description="Kind of reference material.")
    description: Text = Field(description="What the material is and how it was made.")
    lot: str | None = Field(default=None, description="Lot or batch of the material.")
    assigned_potency: Quantity | None = Field(
        default=None, description="Assigned potency (e.g. 100 % or 1000 U/vial)."
    )
    qualification: str | None = Field(
        default=None, description="How it was characterised/qualified (report reference)."
    )
    storage: str | None = Field(default=None, description="Storage condition.")
    expiry: dt.date | None = Field(default=None, description="Expiry or re-test date.")
    origin: (
        Literal["clinical_process", "earlier_process", "research_process", "external"] | None
    ) = Field(
        default=None,
        description=(
            "Where the material comes from: made by the clinical manufacturing process, by "
            "an earlier (e.g. toxicology) process version, by a research process, or an "
            "external standard (international or pharmacopoeial)."
        ),
    )
    representativeness: str | None = Field(
        default=None,
        description=(
            "For a standard not made by the clinical process: the data that show it behaves "
            "like clinical material in the assay (parallel curves, comparable potency), or "
            "when it will be replaced by clinical-process material."
        ),
    )
    stability: str | None = Field(
        default=None,
        description="How the stability of the standard is monitored (e.g. control chart, re-test).",
    )
    replacement: str | None = Field(
        default=None,
        description=(
            "How a new lot is qualified against the current one before it replaces it "
            "(e.g. a two-tier primary and working standard)."
        ),
    )

    @field_validator("assigned_potency")
    @classmethod
    def _potency_above_zero(cls, potency: Quantity | None) -> Quantity | None:
        return None if potency is None else above_zero(potency, "an assigned potency")


class AssayControl(StrictModel):
    """An assay control with its acceptance range."""

    name: Text = Field(description="Control name (e.g. 'CD19-negative K562 targets').")
    type: Literal["positive", "negative", "system", "sample"] = Field(description="Control type.")
    acceptance: Text = Field(description="Acceptance range or rule.")


CriterionName = Literal[
    "regression",
    "non_parallelism",
    "non_linearity",
    "intersection",
    "slope_ratio",
    "slope_difference",
    "asymptote_difference",
    "lower_asymptote_difference",
    "upper_asymptote_difference",
    "ec50",
    "ci_width_ratio",
    "r_squared",
    "other",
]
CRITERION_METHOD: dict[str, str] = {
    "regression": "significance",
    "non_parallelism": "significance",
    "non_linearity": "significance",
    "intersection": "significance",
    "slope_ratio": "equivalence",
    "slope_difference": "equivalence",
    "asymptote_difference": "equivalence",
    "lower_asymptote_difference": "equivalence",
    "upper_asymptote_difference": "equivalence",
    "ec50": "limit",
    "ci_width_ratio": "limit",
    "r_squared": "limit",
}
"""The method each criterion is judged by ('other' takes any: it is described, not computed)."""
_SIGMOID = frozenset({"four_parameter_logistic", "five_parameter_logistic"})
_SIMILAR = frozenset({"parallel_line"}) | _SIGMOID
CRITERION_MODELS: dict[str, frozenset[str]] = {
    "regression": RELATIVE_POTENCY_MODELS,
    "non_parallelism": _SIMILAR,
    "non_linearity": frozenset({"parallel_line", "slope_ratio"}),
    "intersection": frozenset({"slope_ratio"}),
    "slope_ratio": _SIMILAR,
    "slope_difference": _SIMILAR,
    "asymptote_difference": _SIGMOID,
    "lower_asymptote_difference": _SIGMOID,
    "upper_asymptote_difference": _SIGMOID,
    "ec50": _SIGMOID,
    "ci_width_ratio": RELATIVE_POTENCY_MODELS,
    "r_squared": RELATIVE_POTENCY_MODELS,
}
"""The statistical models each criterion can be judged for ('other': any)."""
SuitabilityMeasure = Literal[
    "reference_ec50", "control_potency", "asymptote_ratio", "ci_width_ratio"
]
SUITABILITY_MODELS: dict[str, frozenset[str]] = {
    "reference_ec50": _SIGMOID,
    "asymptote_ratio": _SIGMOID,
    "control_potency": RELATIVE_POTENCY_MODELS,
    "ci_width_ratio": RELATIVE_POTENCY_MODELS,
}
"""The statistical models each computed system-suitability measure needs."""


class ValidityCriterion(StrictModel):
    """A validity criterion of the statistical model, judged by dossier on every run.

    significance: the Ph. Eur. 5.3 F-test at ``alpha`` (regression significant;
    non-parallelism, non-linearity and intersection not). equivalence: the (1 − 2 alpha)
    confidence interval (90 % at 5 %) of the test-minus-standard slope difference, slope
    ratio or asymptote difference (4PL) within ``lower`` and/or ``upper``. limit: the
    value within ``lower`` and/or ``upper``: R², the ratio of the upper to the lower
    confidence limit of each relative potency (``ci_width_ratio``), the EC50 of every
    preparation (4PL, dose units). ``other`` is reproduced as described, not computed.
    """

    criterion: CriterionName = Field(
        description=(
            "What is judged: regression, non_parallelism, non_linearity, intersection "
            "(significance); slope_ratio, slope_difference, asymptote_difference (both "
            "asymptotes), lower_asymptote_difference, upper_asymptote_difference "
            "(equivalence); ec50, ci_width_ratio, r_squared (limit); other (described only)."
        )
    )
    method: Literal["significance", "equivalence", "limit"] = Field(
        default="significance",
        description=(
            "significance (F-test at alpha), equivalence (the 1 − 2 alpha confidence "
            "interval within the margins) or limit (the value within the limits)."
        ),
    )
    alpha: float = Field(
        default=0.05,
        gt=0,
        lt=0.5,
        description=(
            "Significance level (default 5 %); for equivalence the level of each one-sided "
            "test (the 1 − 2 alpha confidence interval: 90 % at 5 %)."
        ),
    )
    lower: float | None = Field(default=None, description="Lower equivalence margin or limit.")
    upper: float | None = Field(default=None, description="Upper equivalence margin or limit.")
    description: str | None = Field(default=None, description="The criterion in words.")

    @model_validator(mode="after")
    def _margins(self) -> Self:
        wanted = CRITERION_METHOD.get(self.criterion)
        if wanted is not None and self.method != wanted:
            raise ValueError(
                f"criterion '{self.criterion}' is judged by method '{wanted}', not "
                f"'{self.method}': set method: {wanted}"
            )
        if self.method in {"equivalence", "limit"} and self.lower is None and self.upper is None:
            raise ValueError(f"method '{self.method}' needs 'lower' and/or 'upper'")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower:g}) is above upper ({self.upper:g})")
        positive = self.criterion in {"slope_ratio", "ci_width_ratio", "ec50"}
        if positive and any(v is not None and v <= 0 for v in (self.lower, self.upper)):
            raise ValueError(f"the limits of '{self.criterion}' (a ratio or a dose) must be > 0")
        return self


class SystemSuitability(StrictModel):
    """A system-suitability parameter and its limits.

    With ``measure`` and numeric limits, dossier computes it on every run and a run
    outside the limits is invalid: ``reference_ec50`` (the standard's EC50, dose units,
    4PL), ``asymptote_ratio`` (upper over lower asymptote of the standard's own 4PL fit),
    ``control_potency`` (the relative potency of the control ``preparation`` of the run,
    times the reference's assigned potency) or ``ci_width_ratio`` (the upper over the lower
    confidence limit of each relative potency). Without ``measure`` the limits are
    reproduced as written and not computed.
    """

    parameter: Text = Field(description="Parameter (e.g. 'reference EC50').")
    limits: Text = Field(description="Limits (e.g. 'within historical mean ± 3 SD').")
    measure: SuitabilityMeasure | None = Field(
        default=None,
        description=(
            "What dossier computes on every run: reference_ec50, asymptote_ratio, "
            "control_potency or ci_width_ratio (omit for limits given in words only)."
        ),
    )
    preparation: str | None = Field(
        default=None,
        description="control_potency: the name of the control preparation in the run data.",
    )
    lower: float | None = Field(default=None, description="Lower limit of the measure.")
    upper: float | None = Field(default=None, description="Upper limit of the measure.")

    @model_validator(mode="after")
    def _measure(self) -> Self:
        if self.measure is None:
            if self.lower is not None or self.upper is not None or self.preparation:
                raise ValueError("numeric limits or a preparation need 'measure'")
            return self
        if self.lower is None and self.upper is None:
            raise ValueError(f"measure '{self.measure}' needs 'lower' and/or 'upper'")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower:g}) is above upper ({self.upper:g})")
        if (self.measure == "control_potency") != bool(self.preparation):
            raise ValueError("'preparation' names the control of measure control_potency only")
        return self


def criterion_problems(assay: "PotencyAssay") -> list[tuple[tuple[str | int, ...], str, str]]:
    """Declared criteria the assay's statistical model cannot judge: (path within the
    assay, message, hint) for each."""
    model = assay.statistical_model
    out: list[tuple[tuple[str | int, ...], str, str]] = []
    for i, c in enumerate(assay.validity_criteria):
        models = CRITERION_MODELS.get(c.criterion)
        if models is not None and model not in models:
            allowed = ", ".join(sorted(models))
            out.append(
                (
                    ("validity_criteria", i, "criterion"),
                    f"criterion '{c.criterion}' cannot be judged for the {model} model "
                    f"of assay '{assay.id}'",
                    f"it applies to: {allowed}; remove it or change the criterion",
                )
            )
    for i, s in enumerate(assay.system_suitability):
        if s.measure is None:
            continue
        models = SUITABILITY_MODELS[s.measure]
        if model not in models:
            allowed = ", ".join(sorted(models))
            out.append(
                (
                    ("system_suitability", i, "measure"),
                    f"system-suitability measure '{s.measure}' cannot be computed for the "
                    f"{model} model of assay '{assay.id}'",
                    f"it applies to: {allowed}; give the limits in words only (no measure)",
                )
            )
    return out


class OutlierRule(StrictModel):
    """The declared rule that removes outlying replicate responses before a run is analysed.

    Every run is screened whether or not a rule is declared, and its outliers reported;
    only this rule removes them (dossier.compute.potency.outliers documents the method).
    """

    method: Literal["studentized_residual"] = Field(
        default="studentized_residual",
        description=(
            "studentized_residual: externally studentized residuals of the replicate-group "
            "model (one mean per preparation and dose, plus block, row and column effects), "
            "on the analysis scale, against a two-sided Bonferroni limit over the responses "
            "screened. A response of a pair of replicates is never removed (the data cannot "
            "say which one is outlying)."
        ),
    )
    alpha: float = Field(
        default=0.05,
        gt=0,
        lt=0.5,
        description="Family-wise significance level of the screen of one run (default 5 %).",
    )
    max_removed: int = Field(
        default=1,
        ge=1,
        description=(
            "Most responses one run may lose; a run with more outliers than this is "
            "invalid (analysed on all its responses, nothing removed)."
        ),
    )


class AcceptanceCriterion(StrictModel):
    """Acceptance criterion of an assay for one role (release, stability, ...)."""

    role: AssayRole = Field(description="The role this criterion applies to.")
    lower: float | None = Field(default=None, description="Lower limit (inclusive).")
    upper: float | None = Field(default=None, description="Upper limit (inclusive).")
    unit: str = Field(min_length=1, description="Unit of the limits (e.g. '%', 'pg/mL').")
    report_only: bool = Field(
        default=False, description="'Report result' without limits (exploratory stage only)."
    )
    provisional: bool = Field(
        default=False, description="Provisional criterion, to be tightened with more data."
    )
    basis: Text = Field(description="Justification of the criterion.")

    @model_validator(mode="after")
    def _limits(self) -> Self:
        finite_values(lower=self.lower, upper=self.upper)
        if not self.report_only and self.lower is None and self.upper is None:
            raise ValueError("give 'lower' and/or 'upper', or set report_only: true")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is above upper ({self.upper})")
        return self


class AssayRun(StrictModel):
    """One assay run with raw dose-response data, analysed by dossier."""

    id: Id
    data: str = Field(
        description=(
            "CSV or XLSX file relative to the project file; columns preparation, dose, "
            "response, plus block (randomised block) or row and column (Latin square)."
        ),
        json_schema_extra=DATA_FILE,
    )
    sheet: str | None = Field(
        default=None, description="Sheet name for XLSX files.", json_schema_extra=DATA_FILE
    )
    decimal: DataDecimal = "point"
    thousands: DataThousands = "none"
    date: dt.date | None = Field(default=None, description="Date of the run.")
    standard: str = Field(
        min_length=1,
        description="Name of the reference-standard preparation in the data.",
        json_schema_extra=DATA_FILE,
    )
    batches: dict[str, IdRef] = Field(
        default_factory=new_dict,
        description="Maps preparation names in the data to batch ids.",
    )
    assumed_potency: dict[str, float] = Field(
        default_factory=new_dict,
        description="Assumed potency of test preparations (default 1 = relative potency).",
    )
    transform: ResponseTransform = Field(default="none", description="Response transform.")

    @field_validator("assumed_potency")
    @classmethod
    def _assumed_above_zero(cls, assumed: dict[str, float]) -> dict[str, float]:
        for name, value in assumed.items():
            if not math.isfinite(value) or value <= 0:
                raise ValueError(
                    f"the assumed potency of '{name}' must be a number above zero, not {value:g}"
                )
        return assumed

    @model_validator(mode="after")
    def _number_convention(self) -> Self:
        check_number_convention(self.decimal, self.thousands)
        return self


class ValidationDataset(StrictModel):
    """Raw validation data for one ICH Q2(R2) characteristic."""

    characteristic: Literal["accuracy", "precision", "linearity"] = Field(
        description="Characteristic the data support."
    )
    data: str = Field(
        description=(
            "CSV/XLSX file: accuracy and linearity 'nominal,measured' (optional 'level'); "
            "precision one column per factor (outermost first) and 'value'."
        ),
        json_schema_extra=DATA_FILE,
    )
    sheet: str | None = Field(
        default=None, description="Sheet name for XLSX files.", json_schema_extra=DATA_FILE
    )
    decimal: DataDecimal = "point"
    thousands: DataThousands = "none"
    factors: list[str] = Field(
        default_factory=new_list,
        description="Precision: factor columns, outermost first.",
        json_schema_extra=DATA_FILE,
    )
    log_scale: bool = Field(
        default=False, description="Analyse on the log scale (relative potency, GCV)."
    )
    design: str | None = Field(default=None, description="The design in words.")

    @model_validator(mode="after")
    def _number_convention(self) -> Self:
        check_number_convention(self.decimal, self.thousands)
        return self


class ValidationCriteria(StrictModel):
    """Acceptance criteria of the qualification/validation (editable defaults)."""

    recovery_percent: tuple[float, float] | None = Field(
        default=None, description="Accepted mean recovery range, e.g. [80, 125]."
    )
    recovery_judged_by: Literal["point-estimate", "confidence-interval"] = Field(
        default="point-estimate",
        description=(
            "How the mean recovery is judged against recovery_percent: 'point-estimate' "
            "(the mean within the range) or 'confidence-interval' (its 90 % two-sided "
            "confidence interval wholly within the range, the equivalence approach of "
            "USP <1033>)."
        ),
    )
    repeatability_cv_percent_max: float | None = Field(
        default=None, gt=0, description="Maximum repeatability CV or GCV (%)."
    )
    intermediate_precision_cv_percent_max: float | None = Field(
        default=None, gt=0, description="Maximum intermediate-precision CV or GCV (%)."
    )
    linearity_slope: tuple[float, float] | None = Field(
        default=None, description="Accepted slope range (log-log for RP), e.g. [0.8, 1.25]."
    )
    r_squared_min: float | None = Field(
        default=None, gt=0, le=1, description="Minimum coefficient of determination."
    )


class BatchResult(StrictModel):
    """The potency result of a batch, entered or computed from runs."""

    batch: IdRef = Field(description="Batch id.")
    value: float | None = Field(
        default=None,
        description="Reportable value; omit to compute it from the runs listed.",
    )
    ci_lower: float | None = Field(default=None, description="Lower 95 % confidence limit.")
    ci_upper: float | None = Field(default=None, description="Upper 95 % confidence limit.")
    unit: str = Field(min_length=1, description="Unit of the value.")
    n_runs: int | None = Field(default=None, ge=1, description="Number of independent runs.")
    runs: list[IdRef] = Field(
        default_factory=new_list, description="Runs combined into this result (ids of runs)."
    )
    test_date: dt.date | None = Field(default=None, description="Date of testing.")

    @model_validator(mode="after")
    def _value_or_runs(self) -> Self:
        finite_values(value=self.value, ci_lower=self.ci_lower, ci_upper=self.ci_upper)
        if self.value is None and not self.runs:
            raise ValueError("give 'value', or list the 'runs' to compute it from")
        for name, limit, sign in (("ci_lower", self.ci_lower, 1), ("ci_upper", self.ci_upper, -1)):
            if self.value is not None and limit is not None and sign * (limit - self.value) > 0:
                raise ValueError(
                    f"the confidence interval does not contain its value: {name} is "
                    f"{limit:g}, the value {self.value:g}"
                )
        if (
            self.ci_lower is not None
            and self.ci_upper is not None
            and self.ci_lower > self.ci_upper
        ):
            raise ValueError("ci_lower is above ci_upper")
        return self


class ReportableValue(StrictModel):
    """How a batch's reportable value is obtained from runs, as the analysis applies it.

    ``combination`` names the rule: ``ph-eur-5.3`` combines the runs per Ph. Eur. 5.3
    section 6 (weighted when its conditions hold, semi-weighted when the estimates are
    heterogeneous, unweighted when a condition of the weighted method fails);
    ``geometric-mean`` is the geometric mean of the run estimates (the unweighted
    combination of Ph. Eur. 5.3, 6.3); ``single-run`` is the result of one run (replicates
    within that run). A batch with fewer valid runs than ``runs`` is reported as such.
    """

    combination: ReportableCombination = Field(
        description=(
            "ph-eur-5.3 (combination of independent runs per Ph. Eur. 5.3 section 6, "
            "method chosen from its conditions), geometric-mean (geometric mean of the run "
            "estimates: the unweighted combination, Ph. Eur. 5.3, 6.3) or single-run (one "
            "run; replicates within the run)."
        )
    )
    runs: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Number of independent runs the reportable value of a batch requires; required "
            "unless 'single-run' (which means 1)."
        ),
    )
    independent: bool | None = Field(
        default=None,
        description=(
            "The runs are independent assays (Ph. Eur. 5.3, 6.2: separate dilution series, "
            "days or operators), a condition of the weighted combination. Omitted: not "
            "declared, and the condition is reported as not verified."
        ),
    )

    @model_validator(mode="after")
    def _runs(self) -> Self:
        if self.combination == "single-run":
            if self.runs not in (None, 1):
                raise ValueError("a 'single-run' reportable value has runs: 1")
        elif self.runs is None:
            raise ValueError(f"give 'runs', the number of runs the {self.combination} combines")
        return self

    @property
    def runs_required(self) -> int:
        """The number of runs a batch's reportable value rests on."""
        return self.runs or 1


class PotencyAssay(StrictModel):
    """A potency assay: its MoA link, design, statistics, criteria, status and results."""

    id: Id
    name: Text = Field(description="Assay name.")
    sop_ref: str | None = Field(default=None, description="SOP or method reference.")
    category: AssayCategory = Field(
        description="biological_functional, surrogate or matrix_component (FDA categories)."
    )
    format: AssayFormat = Field(description="Assay format.")
    principle: Text = Field(description="Principle of the assay in two or three sentences.")
    moa_steps: list[IdRef] = Field(
        min_length=1, description="MoA steps this assay reads out (ids of product MoA steps)."
    )
    measurand: Text = Field(description="What is measured (e.g. '% specific lysis at E:T 10:1').")
    readout_unit: str = Field(min_length=1, description="Unit of the reportable value.")
    dose_unit: str | None = Field(
        default=None,
        max_length=48,
        description=(
            "What the dose column of the run data holds and its unit, e.g. 'E:T ratio', "
            "'cells/well', 'ng/mL'; labels the dose axis of the dose-response figures."
        ),
    )
    response_unit: str | None = Field(
        default=None,
        max_length=48,
        description=(
            "What the response column of the run data holds and its unit, e.g. "
            "'% specific lysis', 'RLU'; labels the response axis of the dose-response figures."
        ),
    )
    reportable_value: Text = Field(
        description=(
            "Definition of the reportable value and its replication, in the sponsor's words "
            "(reproduced as written); 'reportable' declares what the analysis applies."
        )
    )
    reportable: ReportableValue | None = Field(
        default=None,
        description=(
            "The reportable value as the analysis applies it: how runs are combined and how "
            "many a batch result requires."
        ),
    )
    surrogate_justification: str | None = Field(
        default=None,
        description="For surrogate assays: evidence that the readout correlates with function.",
    )
    reference_standard: ReferenceStandard | None = Field(
        default=None, description="Reference standard (required for relative-potency assays)."
    )
    controls: list[AssayControl] = Field(default_factory=new_list, description="Assay controls.")
    statistical_model: StatisticalModel = Field(description="Statistical model.")
    validity_criteria: list[ValidityCriterion] = Field(
        default_factory=new_list, description="Validity criteria (required unless 'absolute')."
    )
    system_suitability: list[SystemSuitability] = Field(
        default_factory=new_list, description="System-suitability criteria."
    )
    outliers: OutlierRule | None = Field(
        default=None,
        description=(
            "Outlier rule of the runs. Without it each run's outliers are screened (5 %) and "
            "reported but kept; with it they are removed before the run is analysed."
        ),
    )
    roles: list[AssayRole] = Field(min_length=1, description="Roles of the assay.")
    acceptance_criteria: list[AcceptanceCriterion] = Field(
        default_factory=new_list, description="Acceptance criteria per role."
    )
    lifecycle_status: LifecycleStatus = Field(description="Lifecycle status.")
    validation_report: str | None = Field(
        default=None, description="Qualification or validation report reference."
    )
    stability_indicating: bool | None = Field(
        default=None,
        description=(
            "Whether the assay is shown to be stability-indicating (detects the loss of "
            "activity on storage); omit when not established."
        ),
    )
    qualified_characteristics: list[QualifiedCharacteristic] = Field(
        default_factory=new_list,
        description=(
            "The ICH Q2(R2) characteristics the qualification or validation report covers "
            "(specificity, accuracy, precision, linearity, range, detection_limit, "
            "quantitation_limit, robustness), as the report states; the characteristics "
            "computed from validation_data with their criteria met count as well."
        ),
    )
    validation_data: list[ValidationDataset] = Field(
        default_factory=new_list, description="Raw validation data analysed by dossier."
    )
    validation_criteria: ValidationCriteria | None = Field(
        default=None, description="Acceptance criteria for the validation characteristics."
    )
    runs: list[AssayRun] = Field(default_factory=new_list, description="Raw assay runs.")
    batch_results: list[BatchResult] = Field(
        default_factory=new_list, description="Potency results of batches."
    )
    clinical_correlation: str | None = Field(
        default=None, description="Data or plans linking potency to clinical outcome."
    )

    @property
    def is_relative(self) -> bool:
        """True when the assay reports relative potency against a standard curve."""
        return self.statistical_model in RELATIVE_POTENCY_MODELS

    @field_validator("qualified_characteristics")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("'qualified_characteristics' names a characteristic twice")
        return value

    @model_validator(mode="after")
    def _roles_have_criteria(self) -> Self:
        roles_with_criteria = {c.role for c in self.acceptance_criteria}
        stray = roles_with_criteria - set(self.roles)
        if stray:
            raise ValueError(
                f"acceptance criteria for role(s) {sorted(stray)} not listed in 'roles'"
            )
        return self


class NotCovered(StrictModel):
    """An MoA step that no assay covers, with the reason."""

    moa_step: IdRef = Field(description="Id of the MoA step.")
    reason: Text = Field(description="Why it is not covered (and how it is addressed).")


class EvolutionStep(StrictModel):
    """A planned change to the potency strategy before a later stage."""

    action: Text = Field(description="What will be done (add, replace, validate ...).")
    assay: IdRef | None = Field(default=None, description="Assay concerned, if any.")
    target_stage: Literal["exploratory_later", "confirmatory", "marketing_authorisation"] = Field(
        description="Stage by which it will be done."
    )
    timing: str | None = Field(default=None, description="Planned timing.")


class AssuranceLink(StrictModel):
    """FDA-style potency assurance: a CQA and the controls that assure it."""

    cqa: Text = Field(description="Potency-related critical quality attribute.")
    process_controls: list[str] = Field(default_factory=new_list, description="Process controls.")
    material_controls: list[str] = Field(default_factory=new_list, description="Material controls.")
    in_process_tests: list[str] = Field(default_factory=new_list, description="In-process tests.")
    release_assays: list[IdRef] = Field(
        default_factory=new_list, description="Release assays (ids)."
    )


class PotencyStrategy(StrictModel):
    """How the set of assays assures potency (the matrix approach)."""

    rationale: Text = Field(description="Why this combination of assays assures potency.")
    not_covered: list[NotCovered] = Field(
        default_factory=new_list, description="MoA steps not covered by an assay, with reasons."
    )
    evolution_plan: list[EvolutionStep] = Field(
        default_factory=new_list, description="Planned evolution of the potency strategy."
    )
    assurance_links: list[AssuranceLink] = Field(
        default_factory=new_list, description="CQA to control links (potency assurance)."
    )
    out_of_specification: str | None = Field(
        default=None,
        description=(
            "What happens to a batch whose potency is out of specification: the "
            "investigation, and whether and on whose decision it may exceptionally be given "
            "(e.g. an autologous product that cannot be remade)."
        ),
    )
    retained_samples: str | None = Field(
        default=None,
        description=(
            "Samples of each clinical batch kept for later potency testing (e.g. when an "
            "assay is added or replaced): amount, storage and duration."
        ),
    )


class Potency(StrictModel):
    """The potency strategy and assays of the product."""

    strategy: PotencyStrategy = Field(description="The potency strategy.")
    assays: list[PotencyAssay] = Field(min_length=1, description="Potency assays.")
