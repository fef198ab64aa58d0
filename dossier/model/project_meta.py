"""Project metadata: title, sponsor, contacts, document control, output settings."""

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from dossier.core.resources import RENAMED_DOCUMENTS
from dossier.model.base import DATA_FILE, CountNoun, Id, StrictModel, Text, new_list

SponsorType = Literal["academic", "SME", "industry"]
Stage = Literal["exploratory_fih", "exploratory_later", "confirmatory"]
DocumentStatus = Literal["draft", "review", "final"]


class Sponsor(StrictModel):
    """The sponsor or applicant."""

    name: Text = Field(description="Legal name of the sponsor or applicant.")
    type: SponsorType = Field(description="academic, SME or industry.")
    address: str | None = Field(default=None, description="Postal address.")
    country: str | None = Field(default=None, description="Country (e.g. 'NL').")


class Contact(StrictModel):
    """A contact person for the dossier."""

    name: Text = Field(description="Full name.")
    role: Text = Field(description="Role (e.g. 'regulatory affairs lead', 'QC lead').")
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="E-mail address."
    )
    phone: str | None = Field(default=None, description="Telephone number.")
    affiliation: str | None = Field(default=None, description="Organisation or department.")


class DocumentControl(StrictModel):
    """Version, status and date of the drafts; printed in headers and properties."""

    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$", description="Document version, e.g. '0.3'.")
    status: DocumentStatus = Field(description="draft (adds a DRAFT watermark), review, or final.")
    date: dt.date = Field(description="Document date (also used for reproducible file dates).")
    language: Literal["en", "nl"] = Field(
        default="en",
        description=(
            "Language of the documents read in Dutch. 'nl' writes three documents in Dutch: "
            "the CTR dossier map (ctr-map), the GMO environmental risk assessment (gmo-era) "
            "and the readiness report (readiness): their headings, table headers, sentences, "
            "statuses, placeholders, dates (15 oktober 2026), cover page, header, footer, "
            "abbreviation meanings, rule findings and the contradicted sentences' evidence. "
            "Text entered in the project file, "
            "codes and YAML paths, citations, CTIS document types and the titles of EU forms "
            "stay as written; numbers keep the decimal point in both languages. The IMPD "
            "(impd-quality, impd-nonclinical), the briefing document (briefing) and "
            "the JSON twin of the dossier map are English in any case, byte-identical to "
            "those of the same project with 'en'."
        ),
    )


class OutputSettings(StrictModel):
    """How documents are produced."""

    numbering_prefix: str = Field(
        default="",
        max_length=12,
        description="Prefix of CTD headings in the IMPD, e.g. '2.1.' gives '2.1.S.4.1'.",
    )
    combined_s_p: bool = Field(
        default=False,
        description=(
            "Present the active substance in the finished-product sections of the IMPD "
            "quality (P numbers, with the S number in brackets). A common practice for cell "
            "products made in one continuous process, not a guideline requirement. "
            "Default: separate S and P sections for every product class."
        ),
    )
    templates: str | None = Field(
        default=None,
        description="Folder (relative to the project file) with templates overriding built-ins.",
        json_schema_extra=DATA_FILE,
    )
    documents: (
        list[Literal["impd-quality", "impd-nonclinical", "briefing", "ctr-map", "gmo-era"]] | None
    ) = Field(default=None, description="Documents to build; default: all that apply.")

    @field_validator("documents", mode="before")
    @classmethod
    def _renamed(cls, value: object) -> object:
        """A document type that was renamed is refused with its new name."""
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str) and item in RENAMED_DOCUMENTS:
                    raise ValueError(
                        f"the document type '{item}' is now called '{RENAMED_DOCUMENTS[item]}'"
                    )
        return value


class ProjectInfo(StrictModel):
    """Metadata of the project."""

    id: Id = Field(description="Short identifier of the project (used in file names).")
    title: Text = Field(description="Title of the dossier project.")
    sponsor: Sponsor = Field(description="Sponsor or applicant.")
    contacts: list[Contact] = Field(min_length=1, description="Contact persons.")
    document: DocumentControl = Field(description="Document control.")
    output: OutputSettings = Field(default_factory=OutputSettings, description="Output settings.")
    count_units: list[CountNoun] = Field(
        default_factory=new_list,
        description=(
            "What this project counts beyond the built-in count nouns (docs/units.md), e.g. "
            "'CAR+ viable T cells' or 'transduced cells'. Each noun may then be used in any "
            "unit of the project ('CAR+ viable T cells/kg', '1e6 transduced cells')."
        ),
    )
