"""Scientific advice, the Dutch route (CTR, GMO permit, hospital exemption), references."""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from dossier.model.base import Id, IdRef, StrictModel, Text, new_list

QuestionDomain = Literal["quality", "nonclinical", "clinical", "regulatory"]
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
        description="Domain: quality, nonclinical, clinical, regulatory."
    )
    text: Text = Field(description="The question: one issue, phrased for a clear answer.")
    position: Text = Field(description="The applicant's position and its justification.")
    cites: list[Citation] = Field(
        default_factory=new_list, description="Evidence and guidelines the position relies on."
    )
    alternatives: str | None = Field(
        default=None, description="Alternatives considered and why they were not chosen."
    )


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


class GmoPermit(StrictModel):
    """The GMO environmental permit (IenW, Bureau GGO)."""

    required: bool = Field(description="Whether a permit is required.")
    procedure: Literal["regular", "VOV", "copy"] | None = Field(
        default=None, description="Regular (120 d), VOV (56/28 d) or copy (28 d)."
    )
    vov_category: str | None = Field(default=None, description="VOV category, if VOV.")
    status: Literal["not_started", "in_preparation", "submitted", "granted", "not_needed"] = Field(
        description="Status."
    )
    reference: str | None = Field(default=None, description="Bureau GGO reference.")


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
