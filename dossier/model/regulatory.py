"""Scientific advice, the Dutch route (CTR, GMO permit, hospital exemption), references."""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from dossier.model.base import Id, IdRef, StrictModel, Text, new_list

QuestionDomain = Literal[
    "quality",
    "quality_nonclinical",
    "nonclinical",
    "nonclinical_clinical",
    "clinical",
    "significant_benefit",
    "regulatory",
]
EmaGroup = Literal["A", "A/B", "B", "B/C", "C", "D"]
RefKind = Literal[
    "assay", "method", "study", "batch", "risk", "reference", "annex", "fih_dose", "moa_step"
]


class Attendee(StrictModel):
    """A meeting attendee."""

    name: Text = Field(description="Full name.")
    role: Text = Field(description="Role in the project.")
    affiliation: Text = Field(description="Organisation.")


class Citation(StrictModel):
    """A cross-reference from a question's position to evidence in the project."""

    kind: RefKind = Field(description="What is referenced.")
    id: IdRef = Field(description="Its id ('fih_dose' takes the id 'fih').")
    section: str | None = Field(
        default=None, description="Section of a referenced guideline (for kind 'reference')."
    )

    @model_validator(mode="after")
    def _section_of_a_reference(self) -> Self:
        if self.section is not None and self.kind != "reference":
            raise ValueError(
                f"'section' names a section of a guideline (kind 'reference'); a citation of "
                f"kind '{self.kind}' has none: leave it out or cite the reference"
            )
        return self


class Question(StrictModel):
    """A scientific-advice question with the applicant's position."""

    id: Id
    domain: QuestionDomain = Field(
        description=(
            "Domain: quality, quality_nonclinical, nonclinical, nonclinical_clinical, "
            "clinical, significant_benefit (EMA protocol assistance for an orphan) or "
            "regulatory. An EMA briefing groups them A, A/B, B, B/C, C and D; a regulatory "
            "question fits none of these and needs ema_group there."
        )
    )
    ema_group: EmaGroup | None = Field(
        default=None,
        description=(
            "EMA requests only: the group (A, A/B, B, B/C, C or D) a regulatory question "
            "is placed with, as EMA's groups have no regulatory one; give ema_group_reason."
        ),
    )
    ema_group_reason: str | None = Field(
        default=None,
        description="Why the regulatory question belongs with its ema_group (printed with it).",
    )
    text: Text = Field(description="The question: one issue, phrased for a clear answer.")
    position: Text = Field(description="The applicant's position and its justification.")
    cites: list[Citation] = Field(
        default_factory=new_list, description="Evidence and guidelines the position relies on."
    )
    alternatives: str | None = Field(
        default=None, description="Alternatives considered and why they were not chosen."
    )

    @model_validator(mode="after")
    def _group_with_reason(self) -> Self:
        if (self.ema_group is None) != (self.ema_group_reason is None):
            raise ValueError(
                "ema_group and ema_group_reason go together: the group a regulatory "
                "question is placed with and why"
            )
        return self


class Background(StrictModel):
    """Background chapter of a briefing document."""

    disease: Text = Field(description="Disease or condition and target population.")
    current_treatment: str | None = Field(default=None, description="Current treatment.")
    unmet_need: Text = Field(description="Unmet medical need.")
    development_summary: str | None = Field(
        default=None, description="Development so far, in short."
    )
    previous_advice: str | None = Field(default=None, description="Earlier advice received.")


class Annex(StrictModel):
    """A briefing-document annex: generated from the project data or an attached file."""

    id: Id
    title: Text = Field(description="Annex title.")
    content: Literal[
        "potency", "studies", "risk_profile", "dose_rationale", "references", "file"
    ] = Field(description="Generated content, or 'file' for an attached document.")
    file: str | None = Field(default=None, description="For 'file': the document reference.")

    @model_validator(mode="after")
    def _file(self) -> Self:
        if self.content == "file" and not self.file:
            raise ValueError("an annex with content 'file' needs 'file'")
        if self.content != "file" and self.file:
            raise ValueError(
                f"an annex with content '{self.content}' is generated from the project; "
                "'file' is for content 'file' (an attached document)"
            )
        return self


class ScientificAdvice(StrictModel):
    """A scientific-advice request (CBG national advice or EMA)."""

    agency: Literal["CBG", "EMA"] = Field(description="Agency asked.")
    format: Literal["meeting", "written"] = Field(description="Meeting or written advice.")
    procedure: Literal["national", "SA", "PA"] = Field(
        default="national", description="CBG national advice, EMA SA or PA."
    )
    case_number: str | None = Field(default=None, description="CBG case number, once known.")
    rpi: str | None = Field(default=None, description="EMA research product identifier.")
    meeting_date: dt.date | None = Field(default=None, description="Meeting date, once set.")
    scope: Text = Field(description="Scope of the request and why advice is sought now.")
    background: Background = Field(description="Background.")
    attendees: list[Attendee] = Field(default_factory=new_list, description="Meeting attendees.")
    questions: list[Question] = Field(min_length=1, description="Questions.")
    annexes: list[Annex] = Field(default_factory=new_list, description="Annexes.")


class CtrRoute(StrictModel):
    """The clinical-trial application under the CTR in the Netherlands."""

    reviewing_committee: Literal["CCMO", "MREC"] = Field(description="CCMO or an accredited MREC.")
    mrec_name: str | None = Field(default=None, description="Name of the MREC, if not CCMO.")
    ctis_number: str | None = Field(default=None, description="CTIS number, once known.")
    staggered_submission: bool = Field(
        default=False, description="Part I submitted before Part II (CCMO suggests for ATMPs)."
    )
    member_states: list[str] = Field(
        default_factory=lambda: ["NL"], description="Member states concerned."
    )
    planned_submission: dt.date | None = Field(
        default=None,
        description=(
            "Planned submission in CTIS: of the whole application, or of Part I when the "
            "submission is staggered. The CTR dossier map dates the CCMO timelines from it."
        ),
    )
    planned_part_ii_submission: dt.date | None = Field(
        default=None,
        description="Staggered submission: planned submission of Part II (after Part I).",
    )


RiskLevel = Literal["negligible", "low", "moderate", "high"]
ExposureGroup = Literal["staff", "contacts", "environment"]
MeasureKind = Literal[
    "containment",
    "hygiene",
    "waste",
    "decontamination",
    "spill",
    "transport",
    "patient_instructions",
    "training",
]


class ReplicationCompetence(StrictModel):
    """Testing of the finished product (or vector lot) for replication-competent virus."""

    result: Literal["not_detected", "detected", "not_tested"] = Field(
        description=(
            "Result of the test for replication-competent virus (RCV: RCL, RCR or rcAAV). "
            "'not_detected' with a validated method is one condition of the VOV route for "
            "modified cells."
        )
    )
    testing: str | None = Field(
        default=None,
        description=(
            "What is tested, on which material and how often, with the detection limit. "
            "The release methods with safety_test replication_competent_virus are cited "
            "as well."
        ),
    )


class ResidualVector(StrictModel):
    """Residual infectious vector particles in the finished product of modified cells."""

    status: Literal["absent", "present", "not_tested"] = Field(
        description=(
            "'absent': below the detection limit of the assay in the finished product; "
            "'present': infectious particles remain. Only 'absent' fits the VOV route for "
            "cells modified with gamma-retroviral or lentiviral vectors."
        )
    )
    evidence: str | None = Field(
        default=None,
        description="How it was shown: assay, detection limit, wash or dilution factor, batches.",
    )


class Measure(StrictModel):
    """A risk-management measure of the GMO permit application."""

    id: Id
    kind: MeasureKind = Field(
        description=(
            "containment, hygiene, waste, decontamination, spill, transport, "
            "patient_instructions or training."
        )
    )
    text: Text = Field(description="The measure as the application states it.")


class ExposureRoute(StrictModel):
    """A route by which people or the environment could meet the GMO, and its risk."""

    id: Id
    group: ExposureGroup = Field(
        description=(
            "Who or what is exposed: staff, contacts (family, other patients) or environment."
        )
    )
    route: Text = Field(
        description="How exposure could happen (e.g. needle-stick during administration)."
    )
    hazard: Text = Field(description="The potential adverse effect if exposure happens.")
    consequence: RiskLevel = Field(
        description="Magnitude of the consequence if the hazard is realised."
    )
    likelihood: RiskLevel = Field(
        description="Likelihood of exposure leading to the hazard, with the measures in place."
    )
    measures: list[IdRef] = Field(
        default_factory=new_list,
        description="Ids of the measures (gmo_permit.environment.measures) that reduce it.",
    )
    rationale: str | None = Field(
        default=None, description="Why the consequence and likelihood are graded so."
    )


class GmoEnvironment(StrictModel):
    """The content of the environmental risk assessment (ERA) of the permit application."""

    parental_organism: str | None = Field(
        default=None,
        description="The parental virus of the vector and its pathogenicity (e.g. HIV-1, AAV2).",
    )
    genetic_modification: str | None = Field(
        default=None,
        description=(
            "What was removed or changed in the vector genome (deleted genes, SIN LTRs, "
            "packaging system); the insert itself is product.vector."
        ),
    )
    replication_competence: ReplicationCompetence | None = Field(
        default=None, description="RCV testing and its result."
    )
    residual_infectious_vector: ResidualVector | None = Field(
        default=None,
        description="Residual infectious vector in the finished product (modified cells).",
    )
    shedding: str | None = Field(
        default=None,
        description=(
            "Shedding data (non-clinical and published clinical) and the clinical shedding "
            "sampling plan; the studies covering biodistribution or shedding are cited too."
        ),
    )
    exposure_routes: list[ExposureRoute] = Field(
        default_factory=new_list,
        description="Routes of exposure for staff, contacts and the environment.",
    )
    measures: list[Measure] = Field(
        default_factory=new_list, description="Management measures, including waste handling."
    )
    monitoring: str | None = Field(
        default=None,
        description="Monitoring of patients and environment, and reporting to Bureau GGO.",
    )

    @model_validator(mode="after")
    def _measures_exist(self) -> Self:
        known = {m.id for m in self.measures}
        for route in self.exposure_routes:
            unknown = [m for m in route.measures if m not in known]
            if unknown:
                raise ValueError(
                    f"exposure route '{route.id}' names measures that are not listed under "
                    f"measures: {', '.join(unknown)}"
                )
        return self


class GmoPermit(StrictModel):
    """The GMO environmental permit (IenW, Bureau GGO)."""

    required: bool = Field(description="Whether a permit is required.")
    procedure: Literal["regular", "VOV", "copy"] | None = Field(
        default=None, description="Regular (120 d), VOV (56/28 d) or copy (28 d)."
    )
    vov_category: str | None = Field(default=None, description="VOV category, if VOV.")
    vov_additional_conditions: bool = Field(
        default=False,
        description="VOV with the additional conditions met: up to 28 instead of 56 days.",
    )
    status: Literal["not_started", "in_preparation", "submitted", "granted", "not_needed"] = Field(
        description="Status."
    )
    reference: str | None = Field(default=None, description="Bureau GGO reference.")
    application_date: dt.date | None = Field(
        default=None,
        description=(
            "Date the application was (or is planned to be) submitted to Bureau GGO; the "
            "permit is due at the latest this date plus the procedure's maximum length."
        ),
    )
    granted_date: dt.date | None = Field(
        default=None, description="Date of the permit decision, once granted."
    )
    environment: GmoEnvironment | None = Field(
        default=None,
        description="The environmental risk assessment's content (the GMO risk-assessment draft).",
    )

    @model_validator(mode="after")
    def _granted(self) -> Self:
        if self.granted_date is not None and self.status != "granted":
            raise ValueError(
                f"granted_date is given but the status is '{self.status}': set status granted "
                "or leave granted_date out"
            )
        return self


class DeclaredDocument(StrictModel):
    """A file the sponsor supplies for an item of the CTR dossier map."""

    item: str = Field(
        pattern=r"^[A-Z][A-Z0-9-]*$",
        description="Id of the map item (e.g. 'I-PROTOCOL', 'NL-VGO'; see the CTR dossier map).",
    )
    file: str | None = Field(
        default=None,
        description=(
            "The file, relative to the project file; the map reports it present or missing."
        ),
    )
    confirmed_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description=(
            "SHA-256 of the file when the sponsor last confirmed it (the map prints the "
            "current one); a different hash makes the item 'out of date'."
        ),
    )
    not_applicable: str | None = Field(
        default=None, description="Why the item does not apply to this trial."
    )

    @model_validator(mode="after")
    def _file_or_reason(self) -> Self:
        if self.file is None and self.not_applicable is None:
            raise ValueError("give the 'file' of the item, or why it is 'not_applicable'")
        if self.file is not None and self.not_applicable is not None:
            raise ValueError("an item with a 'file' is applicable: leave 'not_applicable' out")
        if self.confirmed_sha256 is not None and self.file is None:
            raise ValueError("'confirmed_sha256' confirms a 'file': give the file")
        return self


class HospitalExemption(StrictModel):
    """Hospital exemption (IGJ); not a clinical-trial route."""

    applicable: bool = Field(description="Whether the product is (also) used under HE.")
    igj_status: str | None = Field(default=None, description="Status with IGJ.")


class Netherlands(StrictModel):
    """Dutch regulatory route."""

    ctr: CtrRoute = Field(description="Clinical-trial application route.")
    gmo_permit: GmoPermit = Field(description="GMO permit.")
    hospital_exemption: HospitalExemption = Field(
        default_factory=lambda: HospitalExemption(applicable=False),
        description="Hospital exemption.",
    )
    planned_first_dosing: dt.date | None = Field(
        default=None,
        description=(
            "Planned first dosing of the first participant; the CTR dossier map compares it "
            "with the CTR timelines and the GMO permit."
        ),
    )
    documents: list[DeclaredDocument] = Field(
        default_factory=new_list,
        description="Files declared for the items of the CTR dossier map, by item id.",
    )

    @model_validator(mode="after")
    def _one_entry_per_item(self) -> Self:
        seen: set[str] = set()
        for doc in self.documents:
            if doc.item in seen:
                raise ValueError(f"documents: item '{doc.item}' is declared twice")
            seen.add(doc.item)
        return self


class Reference(StrictModel):
    """A guideline, report or paper that other parts cite by id."""

    id: Id
    type: Literal[
        "guideline", "regulation", "pharmacopoeia", "paper", "report", "sop", "website"
    ] = Field(description="Kind of reference.")
    identifier: str | None = Field(
        default=None, description="Official identifier (e.g. 'EMA/CAT/22473/2025')."
    )
    title: Text = Field(description="Title.")
    version: str | None = Field(default=None, description="Version or revision.")
    year: int | None = Field(default=None, ge=1900, le=2100, description="Year.")
    url: str | None = Field(default=None, description="Web address.")
