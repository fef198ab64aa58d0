"""The planned clinical trial and the clinical experience with the product to date.

The planned trial (``clinical_trial``) holds the facts a briefing document's synopsis and
the IMPD's dose section share: population, design, cohorts and their doses, staggering,
stopping rules, the escalation decision and the follow-up. The first-in-human dose
rationale (``fih_dose``) holds how the start dose was derived and refers to these cohorts.
Results to date (``clinical_experience``) are the product's own trials, required at the
confirmatory stage (``regulatory-brief.md`` section 3.7).
"""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from dossier.model.base import Duration, Id, Quantity, StrictModel, Text, above_zero, new_list

Phase = Literal["1", "1/2", "2", "2/3", "3"]


class Cohort(StrictModel):
    """A cohort (dose level) of the planned trial."""

    cohort: str = Field(min_length=1, description="Cohort label (e.g. 'DL1').")
    dose: Quantity = Field(description="Dose of the cohort, in the clinical dose unit.")
    patients: int | None = Field(default=None, ge=1, description="Planned patients.")

    @field_validator("dose")
    @classmethod
    def _dose_above_zero(cls, dose: Quantity) -> Quantity:
        return above_zero(dose, "the dose of a cohort")


class Staggering(StrictModel):
    """Sentinel dosing and staggering between patients and cohorts."""

    sentinel: bool = Field(description="Whether sentinel dosing is used.")
    interval_days: float | None = Field(
        default=None, ge=0, description="Days between patients within a cohort."
    )
    between_cohorts: str | None = Field(
        default=None, description="Rule for moving to the next cohort."
    )


class Eligibility(StrictModel):
    """The population of the trial with its key eligibility criteria."""

    description: Text = Field(description="The trial population in one sentence.")
    inclusion: list[Text] = Field(default_factory=new_list, description="Key inclusion criteria.")
    exclusion: list[Text] = Field(default_factory=new_list, description="Key exclusion criteria.")


class ClinicalTrial(StrictModel):
    """The planned clinical trial, as the briefing synopsis and the IMPD present it."""

    title: Text = Field(description="Title or short title of the trial.")
    phase: Phase = Field(description="Phase: 1, 1/2, 2, 2/3 or 3.")
    design: Text = Field(
        description=(
            "Design in one or two sentences: open-label or blinded, single-arm or "
            "randomised, controls, dose-escalation scheme (e.g. 3+3)."
        )
    )
    population: Eligibility = Field(description="Population and key eligibility criteria.")
    cohorts: list[Cohort] = Field(
        default_factory=new_list,
        description="Cohorts (dose levels) in the order they are dosed.",
    )
    max_fold_increase: float | None = Field(
        default=None,
        gt=1,
        description=(
            "The largest fold increase between consecutive cohorts that the protocol allows "
            "(EMEA/CHMP/SWP/28367/07 Rev. 1 §7.4); the planned cohorts are checked against it."
        ),
    )
    staggering: Staggering | None = Field(default=None, description="Staggering.")
    stopping_rules: list[Text] = Field(default_factory=new_list, description="Stopping rules.")
    escalation_decision: str | None = Field(
        default=None,
        description=(
            "Who decides on dose escalation and on what data (safety review committee, "
            "DSMB, DLT window)."
        ),
    )
    primary_endpoints: list[Text] = Field(
        default_factory=new_list, description="Primary endpoints."
    )
    follow_up: Duration | None = Field(
        default=None, description="Follow-up of each patient within the trial."
    )
    long_term_follow_up: str | None = Field(
        default=None,
        description=(
            "Long-term follow-up after the trial: duration and what is monitored (for "
            "gene therapies and persistent cells)."
        ),
    )

    @model_validator(mode="after")
    def _unique_cohorts(self) -> Self:
        seen: set[str] = set()
        for c in self.cohorts:
            if c.cohort in seen:
                raise ValueError(f"cohort '{c.cohort}' is listed twice")
            seen.add(c.cohort)
        return self


class DoseLevelResult(StrictModel):
    """Patients dosed at one dose level of an earlier trial."""

    dose: Quantity = Field(description="Dose level.")
    patients: int = Field(ge=0, description="Patients dosed at this level.")
    dlts: int | None = Field(
        default=None, ge=0, description="Dose-limiting toxicities at this level."
    )


class TrialResult(StrictModel):
    """An earlier or ongoing trial of the product and its results to date."""

    id: Id
    title: Text = Field(description="Trial title or short title, with its register number.")
    phase: Phase = Field(description="Phase: 1, 1/2, 2, 2/3 or 3.")
    status: Literal["ongoing", "completed", "terminated"] = Field(description="Status.")
    data_cutoff: dt.date | None = Field(default=None, description="Date of the data cut-off.")
    dose_levels: list[DoseLevelResult] = Field(
        min_length=1, description="Patients dosed per dose level."
    )
    patients_with_sae: int | None = Field(
        default=None, ge=0, description="Patients with at least one serious adverse event."
    )
    safety: Text = Field(description="Key safety findings, with serious adverse events and DLTs.")
    efficacy: str | None = Field(default=None, description="Signs of efficacy or activity.")


class ClinicalExperience(StrictModel):
    """Clinical results to date with this product (its own trials). Experience with
    related products is ``nonclinical.previous_human_experience``."""

    trials: list[TrialResult] = Field(
        min_length=1, description="Trials of the product with their results to date."
    )
    conclusions: str | None = Field(
        default=None,
        description="What the results mean for the planned trial (dose, population, design).",
    )

    @model_validator(mode="after")
    def _unique_trials(self) -> Self:
        seen: set[str] = set()
        for t in self.trials:
            if t.id in seen:
                raise ValueError(f"trial '{t.id}' is listed twice")
            seen.add(t.id)
        return self
