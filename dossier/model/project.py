"""The root of the project file."""

from typing import Literal

from pydantic import Field

from dossier.model.base import StrictModel, new_dict, new_list
from dossier.model.clinical import FihDose, RiskProfile
from dossier.model.nonclinical import NonClinical
from dossier.model.potency import Potency
from dossier.model.product import Product
from dossier.model.project_meta import ProjectInfo, Stage
from dossier.model.quality import AnalyticalMethod, Batch, ComparabilityExercise
from dossier.model.regulatory import Netherlands, Reference, ScientificAdvice
from dossier.model.trial import ClinicalExperience, ClinicalTrial

SCHEMA_VERSION = "1.0"


class Quality(StrictModel):
    """Quality information: batches, methods, comparability and potency."""

    batches: list[Batch] = Field(min_length=1, description="Batches manufactured so far.")
    analytical_methods: list[AnalyticalMethod] = Field(
        default_factory=new_list,
        description="Analytical methods other than potency (identity, purity, safety).",
    )
    comparability: list[ComparabilityExercise] = Field(
        default_factory=new_list, description="Comparability exercises."
    )
    potency: Potency | None = Field(default=None, description="Potency strategy and assays.")


class Project(StrictModel):
    """A dossier project: everything the drafts are generated from."""

    schema_version: Literal["1.0"] = Field(
        description="Version of the project-file format. This release reads '1.0'."
    )
    project: ProjectInfo = Field(description="Project metadata and document control.")
    product: Product = Field(description="The investigational ATMP.")
    stage: Stage = Field(
        description=(
            "Development stage of the planned trial: exploratory_fih (first-in-human), "
            "exploratory_later, or confirmatory."
        )
    )
    quality: Quality = Field(description="Quality information.")
    nonclinical: NonClinical | None = Field(default=None, description="Non-clinical programme.")
    fih_dose: FihDose | None = Field(default=None, description="First-in-human dose rationale.")
    clinical_trial: ClinicalTrial | None = Field(
        default=None,
        description=(
            "The planned clinical trial: population, design, cohorts, staggering, stopping "
            "rules, follow-up."
        ),
    )
    clinical_experience: ClinicalExperience | None = Field(
        default=None,
        description=(
            "Clinical results to date with the product (its own trials); expected from the "
            "confirmatory stage on."
        ),
    )
    risk_profile: RiskProfile | None = Field(
        default=None, description="Risk profile (EMA risk-based approach)."
    )
    scientific_advice: ScientificAdvice | None = Field(
        default=None, description="Scientific-advice request."
    )
    netherlands: Netherlands | None = Field(
        default=None, description="Dutch regulatory route (CTR, GMO permit, HE)."
    )
    references: list[Reference] = Field(
        default_factory=new_list, description="References cited by id."
    )
    abbreviations: dict[str, str] = Field(
        default_factory=new_dict,
        description="Abbreviations and their meanings, added to the generated list.",
    )
