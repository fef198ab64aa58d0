"""Non-clinical studies (after ``regulatory-brief.md`` section 3.6)."""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from dossier.model.base import (
    DATA_FILE,
    Duration,
    Id,
    IdRef,
    Quantity,
    StrictModel,
    Text,
    above_zero,
    new_list,
)
from dossier.model.potency import DataDecimal, DataThousands, check_number_convention

StudyType = Literal[
    "primary_pd_in_vitro",
    "primary_pd_in_vivo",
    "secondary_pd",
    "safety_pharmacology",
    "biodistribution",
    "persistence",
    "shedding",
    "single_dose_toxicity",
    "repeat_dose_toxicity",
    "tumorigenicity",
    "integration_site",
    "off_target_editing",
    "germline_transmission",
    "reproductive_toxicity",
    "immunogenicity",
    "local_tolerance",
    "genotoxicity",
    "other",
]
ModelType = Literal[
    "in_vitro",
    "healthy",
    "disease",
    "immunodeficient",
    "humanised",
    "homologous",
]
GlpStatus = Literal["GLP", "non_GLP_quality_assured", "exploratory"]

PHARMACOLOGY_TYPES = frozenset(
    {"primary_pd_in_vitro", "primary_pd_in_vivo", "secondary_pd", "safety_pharmacology"}
)
KINETICS_TYPES = frozenset({"biodistribution", "persistence", "shedding"})
TOXICOLOGY_TYPES = frozenset(
    {
        "single_dose_toxicity",
        "repeat_dose_toxicity",
        "tumorigenicity",
        "integration_site",
        "off_target_editing",
        "germline_transmission",
        "reproductive_toxicity",
        "immunogenicity",
        "local_tolerance",
        "genotoxicity",
    }
)


class GlpInfo(StrictModel):
    """GLP status of a study and, for non-GLP pivotal studies, the justification."""

    status: GlpStatus = Field(description="GLP, non_GLP_quality_assured or exploratory.")
    justification: str | None = Field(
        default=None,
        description=(
            "Why a pivotal safety study is not GLP, including the effect on data reliability "
            "(GLP Q&A for ATMPs, 26 Jan 2017)."
        ),
    )
    prospective_protocol: bool | None = Field(
        default=None, description="A prospective protocol was in place (non-GLP pivotal)."
    )
    oversight: str | None = Field(
        default=None, description="Person overseeing conduct and reporting (non-GLP pivotal)."
    )
    test_facility: str | None = Field(default=None, description="Test facility.")


class TestItem(StrictModel):
    """The material dosed in a study."""

    __test__ = False

    batches: list[IdRef] = Field(default_factory=new_list, description="Batches dosed (ids).")
    representativeness: Literal[
        "clinical_process", "earlier_process", "homologous", "research_grade"
    ] = Field(description="How representative the test item is of the clinical product.")
    comparability: IdRef | None = Field(
        default=None, description="Comparability exercise that bridges it to the clinical product."
    )
    description: str | None = Field(default=None, description="Description of the test item.")


class DoseLevel(Quantity):
    """A dose level of a study group."""

    label: str | None = Field(default=None, description="Group label (e.g. 'low', 'G2').")


Sex = Literal["male", "female"]


def _both_sexes() -> list[Sex]:
    return ["male", "female"]


class GroupSize(StrictModel):
    """Animals per group."""

    per_sex: int | None = Field(default=None, ge=1, description="Animals per sex per group.")
    total: int | None = Field(default=None, ge=1, description="Animals per group (all sexes).")
    sexes: list[Sex] = Field(default_factory=_both_sexes, description="Sexes included.")

    @model_validator(mode="after")
    def _some_size(self) -> Self:
        if self.per_sex is None and self.total is None:
            raise ValueError("give 'per_sex' or 'total'")
        return self


class StudyData(StrictModel):
    """Data files of a study that dossier analyses."""

    send: str | None = Field(
        default=None,
        description="Folder with the study's SEND package.",
        json_schema_extra=DATA_FILE,
    )
    biodistribution: str | None = Field(
        default=None,
        description="Long CSV/XLSX: animal, sex, group, timepoint, tissue, copies_per_ug, lloq.",
        json_schema_extra=DATA_FILE,
    )
    decimal: DataDecimal = "point"
    thousands: DataThousands = "none"

    @model_validator(mode="after")
    def _number_convention(self) -> Self:
        check_number_convention(self.decimal, self.thousands)
        return self


class Study(StrictModel):
    """A non-clinical study: design, model relevance, GLP, findings and risks addressed."""

    id: Id
    title: Text = Field(description="Study title.")
    study_type: StudyType = Field(description="Main study type.")
    also_covers: list[StudyType] = Field(
        default_factory=new_list, description="Further types covered by an integrated design."
    )
    objective: Text = Field(description="Objective of the study.")
    status: Literal["completed", "ongoing", "planned"] = Field(description="Study status.")
    report: str | None = Field(default=None, description="Report reference.")
    species: Text = Field(description="Species, or 'human cells' for in vitro studies.")
    strain: str | None = Field(default=None, description="Strain or cell line.")
    model_type: ModelType = Field(description="Kind of model.")
    model_relevance: Text = Field(
        description="Why the model is relevant (permissiveness, immune status, disease)."
    )
    pivotal: bool = Field(
        default=False, description="A pivotal safety study (supports the safety conclusions)."
    )
    glp: GlpInfo = Field(description="GLP status.")
    test_item: TestItem = Field(description="Test item.")
    route: str = Field(min_length=1, description="Route of administration in the study.")
    clinical_route: bool = Field(
        default=True, description="Whether the route and procedure mimic clinical use."
    )
    dose_levels: list[DoseLevel] = Field(
        default_factory=new_list, description="Dose levels with units (control groups excluded)."
    )
    regimen: str | None = Field(default=None, description="Dosing regimen.")
    duration: Duration | None = Field(default=None, description="Observation duration.")
    recovery: Duration | None = Field(default=None, description="Recovery period.")
    group_size: GroupSize | None = Field(default=None, description="Group size.")
    endpoints: list[str] = Field(default_factory=new_list, description="Endpoints assessed.")
    key_findings: str | None = Field(
        default=None, description="Key findings (required once the study is completed)."
    )
    noael: Quantity | None = Field(default=None, description="No-observed-adverse-effect level.")
    med: Quantity | None = Field(default=None, description="Minimally effective dose.")
    hnstd: Quantity | None = Field(default=None, description="Highest non-severely-toxic dose.")
    addresses_risks: list[IdRef] = Field(
        default_factory=new_list, description="Risks (risk-profile ids) this study addresses."
    )
    moa_steps: list[IdRef] = Field(
        default_factory=new_list, description="MoA steps this study provides evidence for."
    )
    data: StudyData | None = Field(default=None, description="Data files of the study.")
    start_date: dt.date | None = Field(default=None, description="Start of the in-life phase.")

    @field_validator("noael", "med", "hnstd")
    @classmethod
    def _dose_above_zero(cls, dose: Quantity | None, info: ValidationInfo) -> Quantity | None:
        what = {"noael": "a NOAEL", "med": "a minimally effective dose", "hnstd": "an HNSTD"}
        return None if dose is None else above_zero(dose, what[str(info.field_name)])

    @model_validator(mode="after")
    def _completed_needs_findings(self) -> Self:
        if self.status == "completed" and not self.key_findings:
            raise ValueError("a completed study needs 'key_findings'")
        if self.model_type != "in_vitro" and self.status != "planned" and not self.dose_levels:
            raise ValueError("an in vivo study needs 'dose_levels' with units")
        return self


class NonClinical(StrictModel):
    """The non-clinical programme."""

    overview: str | None = Field(
        default=None, description="Overview of the programme and its logic."
    )
    studies: list[Study] = Field(min_length=1, description="Non-clinical studies.")
    previous_human_experience: str | None = Field(
        default=None,
        description=(
            "Clinical experience with related products (same vector, target or cell type); "
            "the product's own trials are clinical_experience."
        ),
    )
    benefit_risk: str | None = Field(
        default=None, description="Overall benefit-risk assessment for the planned trial."
    )
