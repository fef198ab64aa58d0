"""The product: ATMP classification, features that drive expectations, mechanism of action.

Sources of the enumerations: Regulation (EC) No 1394/2007 Art. 2 (ATMP classes),
Directive 2001/83/EC Annex I Part IV, CCMO product categories (2021); see
``regulatory-brief.md`` section 2.
"""

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from dossier.model.base import Id, StrictModel, Text, Unit, new_list

AtmpClass = Literal["GTMP", "sCTMP", "TEP", "cATMP"]
CellOrigin = Literal["autologous", "allogeneic", "xenogeneic", "none"]
VectorType = Literal[
    "AAV",
    "LV",
    "gammaRV",
    "AdV",
    "HSV",
    "plasmid",
    "mRNA-LNP",
    "transposon",
    "editing-RNP",
    "other",
]
Route = Literal[
    "intravenous",
    "intra-arterial",
    "intrathecal",
    "intracerebroventricular",
    "intraparenchymal",
    "subretinal",
    "intravitreal",
    "intramyocardial",
    "intramuscular",
    "intradermal",
    "subcutaneous",
    "intra-articular",
    "intratumoural",
    "topical",
    "surgical-implantation",
    "other",
]
CcmoCategory = Literal[
    "sCTMP-TEP",
    "other-cell-therapy",
    "GTMP",
    "CRISPR-Cas",
    "ASO-RNAi",
    "other-genetic-function",
    "naked-DNA-mRNA",
    "GMO-product",
]


class Vector(StrictModel):
    """The vector used to deliver the transgene (in vivo) or to modify cells (ex vivo)."""

    type: VectorType = Field(description="Vector platform.")
    integrating: bool = Field(description="Whether the vector integrates into the host genome.")
    replication_competent: bool = Field(
        description="Whether the vector can replicate (replication-competent viruses, oncolytics)."
    )
    serotype: str | None = Field(
        default=None, description="Capsid serotype or envelope pseudotype (e.g. AAV9, VSV-G)."
    )
    transgene: Text = Field(description="Transgene or construct expressed (e.g. anti-CD19 CAR).")
    promoter: str | None = Field(default=None, description="Promoter driving the transgene.")
    description: str | None = Field(default=None, description="Further description of the vector.")


class GeneEditing(StrictModel):
    """Genome editing applied to the product, if any."""

    present: bool = Field(description="Whether the product is genome-edited.")
    editor: str | None = Field(
        default=None, description="Nuclease or editor (e.g. Cas9, base editor)."
    )
    delivery: str | None = Field(default=None, description="How the editor is delivered.")
    target_locus: str | None = Field(default=None, description="Targeted locus or loci.")

    @model_validator(mode="after")
    def _editor_needed(self) -> Self:
        if self.present and not self.editor:
            raise ValueError("gene_editing.present is true: name the editor")
        return self


class CombinedDevice(StrictModel):
    """A medical device that is an integral part of a combined ATMP."""

    present: bool = Field(description="Whether a device is an integral part of the product.")
    description: str | None = Field(default=None, description="What the device is.")
    ce_mark: str | None = Field(
        default=None, description="CE mark or notified-body reference of the device."
    )


class MoaStep(StrictModel):
    """One step of the mechanism of action; potency assays and studies refer to it by id."""

    id: Id
    name: Text = Field(description="Short name of the step (e.g. 'target-cell killing').")
    description: str | None = Field(default=None, description="What happens at this step.")


class MechanismOfAction(StrictModel):
    """The presumed mechanism of action as a hypothesis and as ordered steps."""

    statement: Text = Field(
        description=(
            "The MoA hypothesis in a few sentences; CCMO expects an explicit hypothesis "
            "that the research tests."
        )
    )
    steps: list[MoaStep] = Field(
        min_length=1, description="Ordered MoA steps, from first event to clinical effect."
    )


class CatClassification(StrictModel):
    """CAT classification under Art. 17 of Regulation (EC) No 1394/2007."""

    requested: bool = Field(description="Whether a CAT classification was requested.")
    outcome: str | None = Field(default=None, description="Outcome (e.g. 'GTMP').")
    date: dt.date | None = Field(default=None, description="Date of the outcome.")
    reference: str | None = Field(default=None, description="EMA reference of the procedure.")


class OrphanDesignation(StrictModel):
    """Orphan designation status, if any."""

    status: Literal["none", "planned", "applied", "granted"] = Field(
        description="Orphan designation status."
    )
    reference: str | None = Field(default=None, description="EU/3/.. number once granted.")


class Product(StrictModel):
    """The investigational ATMP and the features that drive regulatory expectations."""

    name: Text = Field(description="Product name as used in the documents.")
    code: Id = Field(description="Product code (e.g. 'LUM-CD19').")
    inn: str | None = Field(default=None, description="INN or working name, if any.")
    pharmacotherapeutic_group: str | None = Field(
        default=None,
        description=(
            "Pharmaco-therapeutic group (ATC group or its proposal), for the title block of "
            "an EMA briefing document."
        ),
    )
    atmp_class: AtmpClass = Field(
        description="ATMP class (Reg. 1394/2007 Art. 2): GTMP, sCTMP, TEP or cATMP."
    )
    description: Text = Field(description="One-paragraph description of the product.")
    indication: Text = Field(description="Proposed indication for the planned trial.")
    target_population: str | None = Field(
        default=None, description="Patients to be treated in the planned trial."
    )
    cell_origin: CellOrigin = Field(
        description="Origin of the cells: autologous, allogeneic, xenogeneic, or none."
    )
    cell_type: str | None = Field(default=None, description="Cell type(s) of the product.")
    gmo: bool = Field(description="Whether the product is or contains a GMO (drives the permit).")
    vector: Vector | None = Field(default=None, description="Vector, for gene-modified products.")
    gene_editing: GeneEditing = Field(
        default_factory=lambda: GeneEditing(present=False),
        description="Genome editing, if any.",
    )
    pluripotent_derived: bool = Field(
        default=False,
        description="Derived from pluripotent stem cells (iPSC/ESC): triggers tumorigenicity.",
    )
    highly_expanded: bool = Field(
        default=False,
        description="Cells extensively expanded in culture (a tumorigenicity risk factor).",
    )
    combined_device: CombinedDevice = Field(
        default_factory=lambda: CombinedDevice(present=False),
        description="Integral device of a combined ATMP.",
    )
    mechanism_of_action: MechanismOfAction = Field(description="Mechanism of action.")
    route: Route = Field(description="Route of administration in the planned trial.")
    route_detail: str | None = Field(
        default=None, description="Procedure or device used for administration."
    )
    irreversible_administration: bool | None = Field(
        default=None,
        description=(
            "Whether the administration cannot be undone or repeated (e.g. a neurosurgical "
            "or subretinal procedure, a vector given in vivo); left out, it is read from the "
            "route and, for gene transfer in vivo, from the vector. Drives the expectation "
            "that patients given less than the expected pharmacological dose are told why."
        ),
    )
    dose_unit: Unit = Field(
        description="Unit in which the clinical dose is expressed (e.g. 'CAR+ cells/kg')."
    )
    composition: str | None = Field(
        default=None, description="Composition of the finished product (cells, excipients)."
    )
    manufacturing_summary: str | None = Field(
        default=None, description="Short overview of the manufacturing process."
    )
    cat_classification: CatClassification | None = Field(
        default=None, description="CAT classification, if requested."
    )
    orphan_designation: OrphanDesignation | None = Field(
        default=None, description="Orphan designation."
    )
    nl_review_categories: list[CcmoCategory] = Field(
        default_factory=new_list,
        description="CCMO product categories that apply (a product may fall in several).",
    )

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        if self.atmp_class == "GTMP" and self.vector is None and not self.gene_editing.present:
            raise ValueError("a GTMP needs a 'vector' or 'gene_editing' description")
        if self.atmp_class == "cATMP" and not self.combined_device.present:
            raise ValueError("a combined ATMP needs combined_device.present: true")
        return self
