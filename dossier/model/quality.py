"""Quality: batches, analytical methods other than potency, comparability exercises.

Potency has its own module (:mod:`dossier.model.potency`). Stage-dependent
expectations on these fields are rules (``dossier check``), not validation errors.
"""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from dossier.model.base import Id, IdRef, StrictModel, Text, new_list

BatchUse = Literal[
    "toxicology",
    "engineering",
    "clinical",
    "stability",
    "characterisation",
    "comparability",
    "reference",
]
LifecycleStatus = Literal["in_development", "qualified", "validated", "compendial_verified"]
MethodType = Literal[
    "identity",
    "impurity_quantitative",
    "impurity_limit",
    "content",
    "purity",
    "safety",
    "other",
]
SafetyTest = Literal[
    "sterility",
    "mycoplasma",
    "endotoxin",
    "adventitious_agents",
    "replication_competent_virus",
    "other",
]
MeasuredAttribute = Literal[
    "vector_genome_titre",
    "capsid_content",
    "infectious_titre",
    "viable_cell_count",
    "transgene_expression",
    "cell_phenotype",
    "residual_malignant_cells",
    "residual_undifferentiated_cells",
    "residual_reprogramming_vector",
    "vector_copy_number",
    "genetic_stability",
]
"""Class-specific quality attributes a method can measure, so that an expectation such as
"an AAV has an empty/full capsid method" is read from a declared category and never from
the method's name."""


class Batch(StrictModel):
    """A manufactured batch (lot) and what it was used for."""

    id: Id
    uses: list[BatchUse] = Field(
        min_length=1,
        description="What the batch was used for (toxicology, clinical, ...); several allowed.",
    )
    process_version: str = Field(
        min_length=1, description="Manufacturing process version (e.g. 'P1', 'v2.0')."
    )
    manufacture_date: dt.date = Field(description="Date of manufacture.")
    site: str | None = Field(default=None, description="Manufacturing site.")
    scale: str | None = Field(default=None, description="Scale (e.g. 'full scale, 1 patient').")
    starting_material: str | None = Field(
        default=None, description="Donor or starting material (e.g. 'healthy donor HD-07')."
    )
    notes: str | None = Field(default=None, description="Anything a reader must know.")


class MethodValidationEntry(StrictModel):
    """One ICH Q2(R2) characteristic of a method, summarised by hand."""

    characteristic: Literal[
        "specificity",
        "accuracy",
        "repeatability",
        "intermediate_precision",
        "linearity",
        "range",
        "detection_limit",
        "quantitation_limit",
        "robustness",
        "matrix_interference",
    ] = Field(description="ICH Q2(R2) characteristic.")
    design: Text = Field(description="How it was assessed (levels, replicates, runs).")
    result: Text = Field(description="The result, with units.")
    criterion: Text = Field(description="The acceptance criterion.")
    met: bool = Field(description="Whether the criterion was met.")


RESIDUAL_CELL_ATTRIBUTES = frozenset(
    {"residual_undifferentiated_cells", "residual_malignant_cells"}
)
"""The measured attributes that are a fraction of the product's cells."""


class CellFractionLimit(StrictModel):
    """A release limit on a residual cell population as a number: the result must not be
    above ``maximum``, in per cent of the cells or in cells per million cells."""

    maximum: float = Field(gt=0, allow_inf_nan=False, description="The highest result that passes.")
    unit: Literal["percent", "per_million"] = Field(
        description=(
            "percent (of the cells, the basis of the tumorigenicity spiking fractions) or "
            "per_million (cells per million cells; 100 per million is 0.01 %)."
        )
    )

    @property
    def percent(self) -> float:
        """The limit in per cent of the cells."""
        return self.maximum if self.unit == "percent" else self.maximum / 10_000

    @model_validator(mode="after")
    def _a_fraction(self) -> Self:
        if self.percent > 100:
            raise ValueError(f"a limit of {self.maximum:g} {self.unit} is more than all the cells")
        return self


class AnalyticalMethod(StrictModel):
    """A non-potency analytical method (identity, purity, content, safety)."""

    id: Id
    name: Text = Field(description="Method name.")
    type: MethodType = Field(description="Kind of procedure (ICH Q2(R2) Table 1 categories).")
    safety_test: SafetyTest | None = Field(
        default=None, description="For type 'safety': which safety test."
    )
    attribute: Text = Field(description="Quality attribute tested (e.g. 'viable CD3+ cells').")
    principle: str | None = Field(default=None, description="Principle of the method.")
    measures: list[MeasuredAttribute] = Field(
        default_factory=new_list,
        description=(
            "Class-specific attributes the method measures, for the expectations of the "
            "product class: vector_genome_titre, capsid_content (empty, partial and full "
            "capsids), infectious_titre, viable_cell_count, transgene_expression (e.g. CAR+ "
            "fraction), cell_phenotype (e.g. T-cell subsets), residual_malignant_cells (e.g. "
            "leukaemic blasts in an autologous product), residual_undifferentiated_cells, "
            "residual_reprogramming_vector, vector_copy_number, genetic_stability "
            "(karyotype, copy-number variation)."
        ),
    )
    dose_defining: bool = Field(
        default=False,
        description=(
            "The method measures the content that sets the clinical dose (e.g. vector "
            "genomes by ddPCR, viable CAR+ cells per Ph. Eur. 2.7.29); a content method "
            "(type content). Non-clinical studies name the method their doses were "
            "measured with in test_item.dose_method."
        ),
    )
    compendial_reference: str | None = Field(
        default=None, description="Pharmacopoeial chapter, e.g. 'Ph. Eur. 2.6.27'."
    )
    lifecycle_status: LifecycleStatus = Field(description="Lifecycle status of the method.")
    specification: str | None = Field(
        default=None, description="Acceptance criterion in the specification (release)."
    )
    release_limit: CellFractionLimit | None = Field(
        default=None,
        description=(
            "The release limit as a number, for a method that measures a residual cell "
            "population (measures residual_undifferentiated_cells or "
            "residual_malignant_cells), e.g. {maximum: 0.01, unit: percent}; compared with "
            "the spiked fractions that formed tumours in the tumorigenicity study."
        ),
    )
    validation: list[MethodValidationEntry] = Field(
        default_factory=new_list, description="Summary of qualification or validation results."
    )
    validation_report: str | None = Field(
        default=None, description="Reference of the qualification/validation report."
    )
    stability_indicating: bool | None = Field(
        default=None,
        description=(
            "Whether the method is shown to be stability-indicating (detects the changes "
            "of the attribute on storage); omit when not established."
        ),
    )

    @model_validator(mode="after")
    def _dose_defining_is_content(self) -> Self:
        if self.dose_defining and self.type != "content":
            raise ValueError(
                f"a dose-defining method measures the product's content: give type content, "
                f"not {self.type}, or drop dose_defining"
            )
        if len(set(self.measures)) != len(self.measures):
            raise ValueError("'measures' names an attribute twice")
        if self.release_limit is not None and not RESIDUAL_CELL_ATTRIBUTES & set(self.measures):
            raise ValueError(
                "a release_limit is a fraction of the cells: give it for a method that "
                "measures residual_undifferentiated_cells or residual_malignant_cells, and "
                "write other criteria in 'specification'"
            )
        return self


class ComparabilityResult(StrictModel):
    """The comparison of one quality attribute before and after a change."""

    attribute: Text = Field(description="Quality attribute compared (e.g. 'relative potency').")
    method: IdRef | None = Field(
        default=None, description="Potency assay or analytical method used (id)."
    )
    pre_change: Text = Field(
        description="Result(s) before the change as reported (e.g. '97 % (B-TOX-01)')."
    )
    post_change: Text = Field(description="Result(s) after the change as reported.")
    criterion: str | None = Field(
        default=None, description="Acceptance criterion of the comparison (margin or range)."
    )
    met: bool | None = Field(
        default=None,
        description=(
            "Whether the criterion was met, as the sponsor assessed it; omit while pending."
        ),
    )


class MethodBridging(StrictModel):
    """A change of analytical method for an attribute, e.g. vector titre by qPCR → ddPCR."""

    attribute: Text = Field(description="Attribute measured (e.g. 'vector genome titre').")
    previous_method: Text = Field(description="Method used before (e.g. 'qPCR, ITR primers').")
    new_method: Text = Field(description="Method used after (e.g. 'ddPCR, transgene primers').")
    design: str | None = Field(
        default=None, description="How the methods were compared (samples, runs, replicates)."
    )
    ratio: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Mean ratio of the new to the previous method on the same samples.",
    )
    ratio_ci_lower: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Lower 95 % limit of the ratio."
    )
    ratio_ci_upper: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Upper 95 % limit of the ratio."
    )
    effect_on_dose: Text = Field(
        description=(
            "What the change does to the dose: how doses of earlier batches, studies or "
            "trials read in the new method, and whether the clinical dose is restated."
        )
    )


class ComparabilityExercise(StrictModel):
    """A comparability assessment after a manufacturing change (or tox vs clinical)."""

    id: Id
    change: Text = Field(description="The change assessed (e.g. 'research to GMP process').")
    pre_change: str | None = Field(
        default=None, description="Process, site, material or method before the change."
    )
    post_change: str | None = Field(
        default=None, description="Process, site, material or method after the change."
    )
    pre_batches: list[IdRef] = Field(min_length=1, description="Batches before the change.")
    post_batches: list[IdRef] = Field(min_length=1, description="Batches after the change.")
    attributes: list[str] = Field(min_length=1, description="Quality attributes compared.")
    methods: list[IdRef] = Field(
        default_factory=new_list, description="Assays or analytical methods used (ids)."
    )
    approach: Literal["equivalence_margins", "quality_ranges", "descriptive"] = Field(
        description="Statistical approach to the comparison."
    )
    results: list[ComparabilityResult] = Field(
        default_factory=new_list,
        description=(
            "Results per attribute before and after the change; the potency results of the "
            "batches compared are also taken from the potency assays."
        ),
    )
    method_bridging: list[MethodBridging] = Field(
        default_factory=new_list,
        description="Changes of analytical method bridged in this exercise (e.g. qPCR → ddPCR).",
    )
    outcome: Literal["comparable", "not_comparable", "pending"] = Field(
        description="Outcome of the exercise."
    )
    conclusion: Text = Field(description="Conclusion in words.")
