"""First-in-human dose and risk profile.

FIH dose after ``regulatory-brief.md`` section 6 (EMEA/CHMP/SWP/28367/07 Rev. 1,
FDA 2005); risk profile after section 5 (EMA/CAT/CPWP/686637/2011).
"""

from typing import Literal, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from dossier.model.base import Id, IdRef, Quantity, StrictModel, Text, above_zero, new_list

Approach = Literal["noael", "hnstd", "mabel", "pad_med", "prior_human_experience"]
ScalingBasis = Literal["per_kg", "bsa", "organ_mass", "organ_volume", "area", "flat"]
Population = Literal["adult", "paediatric"]
BsaFactor = Literal["km_ratio", "table_divisor"]


class OrganScaling(StrictModel):
    """Organ, volume or area used to scale a dose between species."""

    metric: Literal[
        "brain_g", "csf_ml", "liver_g", "retina_mm2", "defect_cm2", "tumour_ml", "other"
    ] = Field(description="What is scaled on.")
    animal_value: float = Field(gt=0, description="Value in the animal (units of the metric).")
    human_value: float = Field(gt=0, description="Value in the patient (units of the metric).")
    source: str | None = Field(default=None, description="Where the reference values come from.")


class DoseInput(StrictModel):
    """One input to the start-dose derivation (a NOAEL, MED, MABEL or human dose)."""

    id: Id
    approach: Approach = Field(description="What the input represents.")
    study: IdRef | None = Field(default=None, description="Study it comes from (id).")
    species: str | None = Field(
        default=None, description="Species (FDA 2005 Table 1 names), or 'human'."
    )
    dose: Quantity = Field(description="The dose in the animal (or in vitro/human) with unit.")
    animal_body_weight_kg: float | None = Field(
        default=None, gt=0, description="Body weight of the animals, when the dose is per animal."
    )
    organ: OrganScaling | None = Field(default=None, description="Organ/area scaling values.")
    description: str | None = Field(default=None, description="What this input is based on.")

    @field_validator("dose")
    @classmethod
    def _dose_above_zero(cls, dose: Quantity) -> Quantity:
        return above_zero(dose, "the dose of an input to the start dose")


class Scaling(StrictModel):
    """How animal doses are scaled to humans."""

    basis: ScalingBasis = Field(description="Scaling basis.")
    justification: Text = Field(description="Why this basis fits the product (required).")
    human_body_weight_kg: float = Field(
        default=70.0,
        gt=0,
        description=(
            "Reference patient body weight (kg): gives total doses and, for bsa, chooses "
            "the FDA 2005 Table 1 human Km or the weight-adjusted formula. Required for a "
            "paediatric population."
        ),
    )
    population: Population = Field(
        default="adult",
        description=(
            "Patients the doses are scaled to. bsa: adult takes the Table 1 adult Km (37); "
            "paediatric takes the Table 1 child Km (25, 20 kg child) for reference weights "
            "of 10.2-34.8 kg, the adult Km for 30.5-104 kg, and FDA 2005's weight-adjusted "
            "formula (dose x (animal weight / human weight)^0.33) otherwise."
        ),
    )
    bsa_factor: BsaFactor = Field(
        default="km_ratio",
        description=(
            "bsa only: km_ratio multiplies by Km animal / Km human of FDA 2005 Table 1; "
            "table_divisor divides by the rounded divisor printed in the table (up to 4 % "
            "off the Km ratio). Both are shown in the derivation."
        ),
    )

    @model_validator(mode="after")
    def _population_weight(self) -> Self:
        if self.population == "paediatric" and "human_body_weight_kg" not in self.model_fields_set:
            raise ValueError(
                "a paediatric population needs 'human_body_weight_kg', the patients' reference "
                "weight (the 70 kg default is an adult's)"
            )
        if "bsa_factor" in self.model_fields_set and self.basis != "bsa":
            raise ValueError(f"'bsa_factor' applies to basis bsa only, not {self.basis}")
        return self


class SafetyFactor(StrictModel):
    """Safety factor applied to the scaled safety limit."""

    value: float = Field(ge=1, description="Safety factor (10 is the usual default).")
    justification: str | None = Field(
        default=None, description="Justification (required if below 10 for NOAEL-based doses)."
    )


class FihDose(StrictModel):
    """The first-in-human dose rationale: how the start dose was derived. The trial it is
    given in (cohorts, staggering, stopping rules, population) is ``clinical_trial``."""

    approaches: list[Approach] = Field(min_length=1, description="Approaches used.")
    inputs: list[DoseInput] = Field(min_length=1, description="Inputs to the derivation.")
    scaling: Scaling = Field(description="Scaling basis and justification.")
    safety_factor: SafetyFactor = Field(description="Safety factor.")
    proposed_start_dose: Quantity = Field(description="Proposed starting dose.")
    start_dose_justification: Text = Field(description="Why this starting dose.")
    maximum_dose: Quantity | None = Field(
        default=None,
        description=(
            "Maximum planned dose, as the dose rationale supports it; the cohorts of "
            "clinical_trial stay at or below it."
        ),
    )

    @field_validator("proposed_start_dose")
    @classmethod
    def _start_above_zero(cls, dose: Quantity) -> Quantity:
        return above_zero(dose, "the proposed start dose")

    @field_validator("maximum_dose")
    @classmethod
    def _maximum_above_start(
        cls, maximum: Quantity | None, info: ValidationInfo
    ) -> Quantity | None:
        start = info.data.get("proposed_start_dose")
        if (
            maximum is not None
            and start is not None
            and start.unit == maximum.unit
            and maximum.value < start.value
        ):
            raise ValueError(
                f"the maximum dose ({maximum}) is below the proposed start dose ({start})"
            )
        return maximum


RiskLevel = Literal["low", "medium", "high"]


class Risk(StrictModel):
    """A risk of clinical use (a column of the risk profile)."""

    id: Id
    name: Text = Field(description="Risk (e.g. 'tumour formation').")
    applicable: bool = Field(default=True, description="Whether the risk applies.")
    rationale: str | None = Field(default=None, description="Why it applies or not.")


class RiskFactor(StrictModel):
    """A product characteristic contributing to risks (a row of the risk profile)."""

    id: Id
    name: Text = Field(description="Risk factor (e.g. 'cell origin').")
    product_value: Text = Field(description="The product's value (e.g. 'autologous').")
    rationale: str | None = Field(default=None, description="Notes.")


class Evidence(StrictModel):
    """A piece of evidence in a risk-profile cell."""

    type: Literal["quality", "nonclinical", "clinical", "literature"] = Field(
        description="Kind of evidence."
    )
    ref: IdRef = Field(description="Id of the study, assay, method, batch or reference.")
    summary: str | None = Field(default=None, description="What it shows.")


class RiskCell(StrictModel):
    """One risk x risk-factor cell."""

    risk: IdRef = Field(description="Risk id.")
    factor: IdRef = Field(description="Risk-factor id.")
    relevant: Literal["yes", "no", "unknown"] = Field(description="Whether the pair is relevant.")
    evidence: list[Evidence] = Field(
        default_factory=new_list,
        description="Evidence (studies addressing the risk are added automatically).",
    )
    assessment: str | None = Field(default=None, description="Assessment in words.")
    residual_uncertainty: RiskLevel = Field(description="Residual uncertainty.")
    mitigations: list[str] = Field(default_factory=new_list, description="Mitigations.")
    data_gap_action: str | None = Field(default=None, description="Action to close a data gap.")


class RiskConclusion(StrictModel):
    """Conclusion for one risk."""

    risk: IdRef = Field(description="Risk id.")
    conclusion: Text = Field(description="Conclusion.")
    impacts_sections: list[str] = Field(
        default_factory=new_list, description="Dossier sections the conclusion affects."
    )


class RiskProfile(StrictModel):
    """The risk-based-approach profile (risks x risk factors)."""

    risks: list[Risk] = Field(min_length=1, description="Risks.")
    factors: list[RiskFactor] = Field(min_length=1, description="Risk factors.")
    cells: list[RiskCell] = Field(default_factory=new_list, description="Matrix cells.")
    conclusions: list[RiskConclusion] = Field(
        default_factory=new_list, description="Conclusion per risk."
    )

    @model_validator(mode="after")
    def _unique_cells(self) -> Self:
        seen: set[tuple[str, str]] = set()
        for cell in self.cells:
            key = (cell.risk, cell.factor)
            if key in seen:
                raise ValueError(f"cell risk={cell.risk} factor={cell.factor} appears twice")
            seen.add(key)
        return self
