"""Manufacture and control of the product: what the IMPD quality headings beyond potency need.

The manufacturing process (sites, steps with their inputs and in-process controls,
process validation), the materials used (starting and raw materials, excipients), the
starting materials of biological origin (donors and their testing; cell banks, plasmids
and vectors), impurities, adventitious-agent safety, container closure, composition,
pharmaceutical development and facilities. Every field is optional: a heading with
nothing declared is a highlighted placeholder in the draft, naming the field that would
fill it. Stage-dependent expectations on these fields are rules, not validation errors.
"""

from typing import Literal

from pydantic import Field, model_validator

from dossier.model.base import Id, IdRef, StrictModel, Text, new_list

__all__ = [
    "AdventitiousAgents",
    "AgentStudy",
    "Bank",
    "Component",
    "ContainerClosure",
    "Development",
    "DonorTest",
    "Donors",
    "Facility",
    "Impurity",
    "ImpurityResult",
    "InProcessControl",
    "Manufacture",
    "ManufacturingSite",
    "Material",
    "ProcessStep",
    "ProcessValidation",
    "StartingMaterials",
]

Part = Literal["active_substance", "finished_product"]


class ManufacturingSite(StrictModel):
    """A site that manufactures, tests or releases the product (S.2.1/P.3.1)."""

    name: Text = Field(description="Name of the site.")
    address: str | None = Field(default=None, description="Address of the site.")
    activities: Text = Field(
        description="What the site does (e.g. 'manufacture, QC testing, batch certification')."
    )
    authorisation: str | None = Field(
        default=None,
        description=(
            "GMP status: manufacturing authorisation or licence (in the Netherlands the "
            "manufacturer's licence, fabrikantenvergunning), with its number."
        ),
    )


class InProcessControl(StrictModel):
    """An in-process control of a step, with its acceptance criterion."""

    attribute: Text = Field(description="What is controlled (e.g. 'viable cell count').")
    method: IdRef | None = Field(
        default=None, description="Analytical method or potency assay used (id), if any."
    )
    acceptance_criterion: str | None = Field(
        default=None, description="Acceptance criterion or action limit (provisional allowed)."
    )


class ProcessStep(StrictModel):
    """One step of the manufacturing process, in process order."""

    id: Id
    name: Text = Field(description="Step name (e.g. 'lentiviral transduction').")
    part: Part = Field(
        default="active_substance",
        description=(
            "Whether the step makes the active substance (S.2.2) or the finished product "
            "(P.3.3, e.g. formulation, fill, cryopreservation)."
        ),
    )
    description: str | None = Field(default=None, description="What happens in the step.")
    inputs: list[IdRef] = Field(
        default_factory=new_list,
        description="Materials, cell banks, plasmids or vectors that enter the step (ids).",
    )
    critical: bool = Field(default=False, description="Whether the step is critical (S.2.4/P.3.4).")
    hold_time: str | None = Field(
        default=None, description="Maximum hold time after the step, and its justification."
    )
    controls: list[InProcessControl] = Field(
        default_factory=new_list, description="In-process controls of the step."
    )


class ProcessValidation(StrictModel):
    """A process validation or evaluation activity (S.2.5/P.3.5)."""

    activity: Text = Field(
        description="What is validated (e.g. 'aseptic process simulation', 'shipping')."
    )
    status: Literal["planned", "ongoing", "completed"] = Field(description="Where it stands.")
    result: str | None = Field(default=None, description="The outcome, when there is one.")
    reference: str | None = Field(default=None, description="Report or protocol reference.")


class Manufacture(StrictModel):
    """The manufacturing process: sites, batch definition, steps and validation."""

    sites: list[ManufacturingSite] = Field(
        default_factory=new_list, description="Manufacturing, testing and release sites."
    )
    batch_definition: str | None = Field(
        default=None,
        description="What one batch is (e.g. 'one patient's apheresis is one batch').",
    )
    batch_formula: str | None = Field(
        default=None, description="Batch formula of the finished product (P.3.2)."
    )
    steps: list[ProcessStep] = Field(
        default_factory=new_list, description="Process steps in process order (the flow)."
    )
    validation: list[ProcessValidation] = Field(
        default_factory=new_list, description="Process validation and evaluation activities."
    )


class Material(StrictModel):
    """A material used in manufacture: starting material, raw material or excipient."""

    id: Id
    name: Text = Field(description="Material name (e.g. 'human AB serum').")
    kind: Literal["starting_material", "raw_material", "excipient"] = Field(
        description="Role in manufacture (excipients are listed under P.4)."
    )
    function: Text = Field(description="What it is used for (e.g. 'T-cell activation').")
    grade: str | None = Field(
        default=None,
        description="Quality grade or standard (e.g. 'Ph. Eur.', 'GMP grade, Ph. Eur. 5.2.12').",
    )
    supplier: str | None = Field(default=None, description="Supplier.")
    origin: Literal["human", "animal", "non_biological", "recombinant_animal_free"] = Field(
        description="Biological origin; human or animal origin needs TSE/viral safety data."
    )
    tse_viral_safety: str | None = Field(
        default=None,
        description=(
            "TSE and viral safety of a material of human or animal origin (certificate, "
            "donor testing, viral inactivation)."
        ),
    )
    novel: bool = Field(
        default=False, description="A novel excipient (first use in a medicinal product, A.3)."
    )

    @model_validator(mode="after")
    def _novel_excipient(self) -> "Material":
        if self.novel and self.kind != "excipient":
            raise ValueError("only an excipient can be novel: set kind to 'excipient'")
        return self


class DonorTest(StrictModel):
    """A test of the donor (e.g. HIV-1/2 antibody and NAT)."""

    test: Text = Field(description="What is tested (e.g. 'HIV-1/2 antibody and NAT').")
    method: str | None = Field(default=None, description="Method or kit.")
    timing: str | None = Field(
        default=None, description="When (e.g. 'within 30 days before collection')."
    )


LegalBasis = Literal["directive_2004_23_ec", "directive_2006_17_ec", "regulation_eu_2024_1938"]


class Donors(StrictModel):
    """The donors of the starting cells or tissue, their eligibility and testing."""

    origin: Literal["autologous", "allogeneic"] = Field(
        description="Autologous or allogeneic donation; must agree with product.cell_origin."
    )
    collection: str | None = Field(
        default=None, description="How and where the cells are collected and transported."
    )
    eligibility: str | None = Field(
        default=None, description="Donor eligibility (selection) criteria."
    )
    legal_basis: list[LegalBasis] = Field(
        default_factory=new_list,
        description=(
            "EU rules the donation and testing follow: Directive 2004/23/EC, Directive "
            "2006/17/EC, or Regulation (EU) 2024/1938 on substances of human origin (SoHO) "
            "where it applies."
        ),
    )
    tests: list[DonorTest] = Field(default_factory=new_list, description="Donor tests.")


class Bank(StrictModel):
    """A cell bank, plasmid or vector used as a starting material."""

    id: Id
    name: Text = Field(description="Name (e.g. 'HEK293 MCB-01').")
    kind: Literal[
        "master_cell_bank", "working_cell_bank", "plasmid", "viral_vector", "cell_line"
    ] = Field(description="Kind of starting material.")
    description: str | None = Field(
        default=None, description="Origin, history and how it was made."
    )
    testing: str | None = Field(
        default=None,
        description="Characterisation and testing (identity, sterility, adventitious agents).",
    )


class StartingMaterials(StrictModel):
    """Starting materials of biological origin (S.2.3)."""

    donors: Donors | None = Field(default=None, description="Donors of cells or tissue.")
    banks: list[Bank] = Field(
        default_factory=new_list, description="Cell banks, plasmids and vectors."
    )


class ImpurityResult(StrictModel):
    """The level of an impurity in one batch."""

    batch: IdRef = Field(description="Batch (id).")
    value: float = Field(ge=0, allow_inf_nan=False, description="Measured level.")
    below_quantitation: bool = Field(
        default=False,
        description="The level is below the quantitation limit; value is that limit.",
    )


class Impurity(StrictModel):
    """A process- or product-related impurity (S.3.2/P.5.5)."""

    id: Id
    name: Text = Field(description="Impurity (e.g. 'residual anti-CD3/CD28 beads').")
    category: Literal["process", "product"] = Field(
        description="Process-related or product-related."
    )
    method: IdRef | None = Field(
        default=None, description="Analytical method or assay that measures it (id)."
    )
    unit: str | None = Field(
        default=None, description="Unit of the results (required with results, only then)."
    )
    results: list[ImpurityResult] = Field(
        default_factory=new_list, description="Levels measured in batches."
    )
    limit: str | None = Field(default=None, description="Limit or action level, if set.")
    control: str | None = Field(
        default=None,
        description="Clearance by the process, or the justification of the level or limit.",
    )

    @model_validator(mode="after")
    def _unit_for_results(self) -> "Impurity":
        if self.results and self.unit is None:
            raise ValueError("results need a 'unit'")
        if self.unit is not None and not self.results:
            raise ValueError(
                "a 'unit' without results would not be shown: give the results or remove it "
                "(write the unit into the limit)"
            )
        return self


class AgentStudy(StrictModel):
    """A test or study of an adventitious agent on a material or stage."""

    agent: Text = Field(description="Agent(s) tested (e.g. 'adventitious viruses in vitro').")
    tested_on: Text = Field(description="Material or stage tested (e.g. 'MCB', 'harvest').")
    method: IdRef | None = Field(default=None, description="Analytical method (id), if any.")
    result: str | None = Field(default=None, description="Result.")


class AdventitiousAgents(StrictModel):
    """Adventitious-agent safety evaluation (A.2)."""

    studies: list[AgentStudy] = Field(
        default_factory=new_list,
        description=(
            "Tests of starting materials, banks and intermediates (the release safety tests "
            "are taken from quality.analytical_methods)."
        ),
    )
    evaluation: str | None = Field(
        default=None, description="The sponsor's overall viral and TSE safety evaluation."
    )


class ContainerClosure(StrictModel):
    """A container closure system (S.6 for the active substance, P.7 for the product)."""

    part: Part = Field(description="Active substance or finished product.")
    description: Text = Field(description="Container and closure (e.g. '50 mL EVA cryobag').")
    material: str | None = Field(default=None, description="Material of contact.")
    supplier: str | None = Field(default=None, description="Supplier.")
    standard: str | None = Field(
        default=None, description="Standard met (e.g. CE mark, Ph. Eur. 3.2.x)."
    )
    suitability: str | None = Field(
        default=None,
        description=(
            "Integrity, extractables and leachables, suitability at the storage temperature."
        ),
    )


class Component(StrictModel):
    """A component of the finished product (P.1)."""

    name: Text = Field(description="Component (e.g. 'DMSO').")
    function: Text = Field(description="Function (e.g. 'cryoprotectant').")
    amount: Text = Field(description="Amount per unit or concentration.")
    material: IdRef | None = Field(
        default=None, description="The material (id) it is, when listed in quality.materials."
    )


class Development(StrictModel):
    """Pharmaceutical development of the product (P.2), as the sponsor summarises it."""

    components: str | None = Field(default=None, description="P.2.1 Components.")
    product: str | None = Field(
        default=None, description="P.2.2 Formulation development and cryopreservation."
    )
    container_closure: str | None = Field(
        default=None, description="P.2.4 Suitability of the container closure."
    )
    microbiological_attributes: str | None = Field(
        default=None, description="P.2.5 Microbiological attributes (aseptic processing)."
    )
    compatibility: str | None = Field(
        default=None,
        description="P.2.6 Compatibility with administration devices; in-use and post-thaw.",
    )


class Facility(StrictModel):
    """A facility or piece of equipment (A.1)."""

    name: Text = Field(description="Facility or equipment (e.g. 'grade A isolator').")
    description: Text = Field(description="Classification, segregation, shared use and cleaning.")
