"""IMPD quality draft: manufacture, materials, impurities, container closure and appendices.

The headings of the quality IMPD beyond potency: manufacturers (S.2.1/P.3.1), the
process flow of the active substance and of the finished product with their in-process
controls (S.2.2/P.3.3), control of materials with donors and banks (S.2.3), critical
steps (S.2.4/P.3.4), process validation (S.2.5/P.3.5), impurities (S.3.2/P.5.5),
container closure (S.6/P.7), pharmaceutical development (P.2), excipients (P.4), the
release specification of the product (P.5.1) and the appendices (A.1–A.3). What the
sponsor wrote is reproduced as theirs; ranges across batches are computed from the
declared results; a heading with nothing declared is a highlighted placeholder naming
the YAML path that would fill it and what it should contain.

In the separate S/P layout a product heading whose content is the substance's names
the substance section; in the combined layout (declared by the project) the substance
section is presented in the product section, so that pointer is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from dossier.drafts.blocks import Block, Cell, CrossRef, Inline, Missing, Para, Table, Text
from dossier.drafts.compose import combined_layout
from dossier.drafts.fmt import count_word, given, join_words, or_missing
from dossier.drafts.outline import Content, UnitContext, section_unit
from dossier.drafts.potency import criterion_text, method_criterion

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.manufacture import Impurity, ImpurityResult, Material, ProcessStep
    from dossier.model.project import Project

__all__ = ["process_blocks"]

Part = Literal["active_substance", "finished_product"]
PART_WORDS = {"active_substance": "active substance", "finished_product": "finished product"}
KIND_WORDS = {
    "starting_material": "starting material",
    "raw_material": "raw material",
    "excipient": "excipient",
}
ORIGIN_WORDS = {
    "human": "human",
    "animal": "animal",
    "non_biological": "not biological",
    "recombinant_animal_free": "recombinant, animal-free",
}
BANK_WORDS = {
    "master_cell_bank": "master cell bank",
    "working_cell_bank": "working cell bank",
    "plasmid": "plasmid",
    "viral_vector": "viral vector",
    "cell_line": "cell line",
}
LEGAL_WORDS = {
    "directive_2004_23_ec": "Directive 2004/23/EC",
    "directive_2006_17_ec": "Directive 2006/17/EC",
    "regulation_eu_2024_1938": "Regulation (EU) 2024/1938 (substances of human origin)",
}
STATUS_WORDS = {"planned": "planned", "ongoing": "ongoing", "completed": "completed"}
SAFETY_WORDS = {
    "sterility": "sterility",
    "mycoplasma": "mycoplasma",
    "endotoxin": "endotoxin",
    "adventitious_agents": "adventitious agents",
    "replication_competent_virus": "replication-competent virus",
    "other": "other safety test",
}
SOURCE = "EMA/CAT/22473/2025"
"""The guideline cited in the placeholders (no section number: its numbering is unverified)."""


def _stop(part: str | Missing) -> tuple[str | Missing, ...]:
    """A sentence as written, with a full stop when it has none (a placeholder gets one)."""
    if isinstance(part, Missing):
        return (part, ".")
    text = part.rstrip()
    return (text if text.endswith((".", "!", "?")) else text + ".",)


def _todo(path: str, expectation: str) -> Para:
    return Para.of(Missing(path, expectation))


def _procedure(project: Project, ref: str | None) -> str:
    """An analytical method or potency assay by name, with its id; "—" when none."""
    if ref is None:
        return "—"
    potency = project.quality.potency
    for assay in potency.assays if potency else []:
        if assay.id == ref:
            return f"{assay.name} ({ref})"
    for method in project.quality.analytical_methods:
        if method.id == ref:
            return f"{method.name} ({ref})"
    return ref


def _input_name(project: Project, ref: str) -> str:
    q = project.quality
    for material in q.materials:
        if material.id == ref:
            return material.name
    for bank in q.starting_materials.banks if q.starting_materials else []:
        if bank.id == ref:
            return bank.name
    return ref


def _steps(project: Project, part: Part) -> list[tuple[int, ProcessStep]]:
    """The steps of one part with their number in the whole process (1-based)."""
    steps = project.quality.manufacture.steps if project.quality.manufacture else []
    return [(i, s) for i, s in enumerate(steps, start=1) if s.part == part]


def _controls(project: Project, step: ProcessStep) -> Cell:
    """The in-process controls of a step; a control without a criterion is a placeholder."""
    if not step.controls:
        return "—"
    parts: list[Inline] = []
    for j, control in enumerate(step.controls):
        method = f" by {_procedure(project, control.method)}" if control.method else ""
        parts.append(Text(("; " if j else "") + f"{control.attribute}{method}: "))
        if control.acceptance_criterion is None:
            path = f"quality.manufacture.steps[{step.id}].controls[{j}].acceptance_criterion"
            parts.append(Missing(path, "acceptance criterion"))
        else:
            parts.append(Text(control.acceptance_criterion))
    return tuple(parts)


def process_blocks(project: Project, part: Part) -> list[Block]:
    """The flow of one part of the process: the steps in order with inputs and controls."""
    steps = _steps(project, part)
    key = "s" if part == "active_substance" else "p"
    if not steps:
        return [
            _todo(
                "quality.manufacture.steps",
                f"steps that make the {PART_WORDS[part]}, in order, with inputs, critical "
                f"steps and in-process controls (flow chart and narrative; {SOURCE})",
            )
        ]
    rows: list[list[Cell]] = []
    for number, step in steps:
        inputs = "; ".join(_input_name(project, r) for r in step.inputs) or "—"
        what = step.name + (f": {step.description}" if step.description else "")
        if step.hold_time:
            what += f" Hold time: {step.hold_time}"
        rows.append(
            [
                str(number),
                what,
                inputs,
                "yes" if step.critical else "no",
                _controls(project, step),
            ]
        )
    return [
        Table(
            f"tab-flow-{key}",
            f"Process flow of the {PART_WORDS[part]}: steps, inputs and in-process controls",
            ["Step", "Operation", "Inputs", "Critical", "In-process controls"],
            rows,
        )
    ]


def _see(key: str, what: str) -> Callable[[UnitContext], Content]:
    """A product heading whose content is in the substance section ``key``."""

    def build(ctx: UnitContext) -> Content:
        if combined_layout(ctx.project):
            return Content()
        return Content([Para.of(f"{what} ", CrossRef(key), ".")])

    return build


for _name, _key, _what in (
    ("impd.p31-see-s21", "sec-s21", "The manufacturers are listed in"),
    ("impd.p35-see-s25", "sec-s25", "Process validation and evaluation are described in"),
    ("impd.p23-see-s26", "sec-s26", "Manufacturing process development is described in"),
    ("impd.p52-see-s42", "sec-s42", "The analytical procedures are described in"),
    ("impd.p53-see-s43", "sec-s43", "Their validation is described in"),
    ("impd.p54-see-s44", "sec-s44", "Batch analyses are presented in"),
    ("impd.p55-see-s32", "sec-s32", "Impurities are characterised in"),
    ("impd.p56-see-s45", "sec-s45", "The specification is justified in"),
    ("impd.p6-see-s5", "sec-s5", "Reference standards and materials are described in"),
):
    section_unit(_name)(_see(_key, _what))


@section_unit("manufacture.sites")
def sites_unit(ctx: UnitContext) -> Content:
    """S.2.1: manufacturing, testing and release sites."""
    manufacture = ctx.project.quality.manufacture
    sites = manufacture.sites if manufacture else []
    if not sites:
        return Content(
            [
                _todo(
                    "quality.manufacture.sites",
                    "every manufacturing and testing site with its GMP status (manufacturing "
                    f"authorisation; {SOURCE})",
                )
            ]
        )
    rows: list[list[Cell]] = [
        [
            s.name + (f", {s.address}" if s.address else ""),
            s.activities,
            or_missing(
                s.authorisation,
                f"quality.manufacture.sites[{i}].authorisation",
                "manufacturing authorisation",
            ),
        ]
        for i, s in enumerate(sites)
    ]
    return Content(
        [Table("tab-sites", "Manufacturers", ["Site", "Activities", "GMP status"], rows)]
    )


@section_unit("manufacture.process-product")
def process_product_unit(ctx: UnitContext) -> Content:
    """P.3.3: the steps that make the finished product."""
    return Content(process_blocks(ctx.project, "finished_product"))


def _critical(project: Project, part: Part) -> Content:
    steps = _steps(project, part)
    if not steps:
        return Content(
            [
                _todo(
                    "quality.manufacture.steps",
                    f"critical steps of the {PART_WORDS[part]} and their in-process controls "
                    f"with (provisional) acceptance criteria, hold times ({SOURCE})",
                )
            ]
        )
    critical = [(n, s) for n, s in steps if s.critical]
    if not critical:
        return Content(
            [
                Para.of(
                    (
                        f"The one step of the {PART_WORDS[part]} is not declared critical"
                        if len(steps) == 1
                        else f"The {count_word(len(steps))} steps of the {PART_WORDS[part]} "
                        "are not declared critical"
                    )
                    + " (quality.manufacture.steps[].critical)."
                )
            ]
        )
    key = "s" if part == "active_substance" else "p"
    rows: list[list[Cell]] = [
        [str(n), s.name, _controls(project, s), s.hold_time or "—"] for n, s in critical
    ]
    return Content(
        [
            Table(
                f"tab-critical-{key}",
                f"Critical steps of the {PART_WORDS[part]} and their controls",
                ["Step", "Operation", "In-process controls and acceptance criteria", "Hold time"],
                rows,
            )
        ]
    )


@section_unit("manufacture.critical-substance")
def critical_substance_unit(ctx: UnitContext) -> Content:
    """S.2.4: critical steps of the active substance."""
    return _critical(ctx.project, "active_substance")


@section_unit("manufacture.critical-product")
def critical_product_unit(ctx: UnitContext) -> Content:
    """P.3.4: critical steps of the finished product."""
    return _critical(ctx.project, "finished_product")


@section_unit("manufacture.validation")
def validation_unit(ctx: UnitContext) -> Content:
    """S.2.5: process validation and evaluation activities."""
    manufacture = ctx.project.quality.manufacture
    items = manufacture.validation if manufacture else []
    if not items:
        return Content(
            [
                _todo(
                    "quality.manufacture.validation",
                    "validation of the aseptic process (process simulation) and of the "
                    f"safety-relevant steps ({SOURCE})",
                )
            ]
        )
    rows: list[list[Cell]] = [
        [v.activity, STATUS_WORDS[v.status], v.result or "—", v.reference or "—"] for v in items
    ]
    return Content(
        [
            Table(
                "tab-process-validation",
                "Process validation and evaluation",
                ["Activity", "Status", "Result", "Reference"],
                rows,
            )
        ]
    )


@section_unit("manufacture.batch-formula")
def batch_formula_unit(ctx: UnitContext) -> Content:
    """P.3.2: the batch formula."""
    manufacture = ctx.project.quality.manufacture
    return Content(
        [
            Para.of(
                "Batch formula as stated by the sponsor: ",
                or_missing(
                    manufacture.batch_formula if manufacture else None,
                    "quality.manufacture.batch_formula",
                    "batch formula of the finished product",
                ),
            )
        ]
    )


def _safety_cell(material: Material) -> Cell:
    if material.origin in ("human", "animal"):
        return or_missing(
            material.tse_viral_safety,
            f"quality.materials[{material.id}].tse_viral_safety",
            "TSE and viral safety of a material of human or animal origin (Ph. Eur. 5.2.12)",
        )
    return material.tse_viral_safety or "not applicable"


def _material_rows(materials: list[Material]) -> list[list[Cell]]:
    return [
        [
            f"{m.name} ({m.id})",
            KIND_WORDS[m.kind],
            m.function,
            m.grade or "—",
            m.supplier or "—",
            ORIGIN_WORDS[m.origin],
            _safety_cell(m),
        ]
        for m in materials
    ]


MATERIAL_HEADER = ["Material", "Kind", "Function", "Grade or standard", "Supplier", "Origin"]


def _donors(project: Project) -> list[Block]:
    sm = project.quality.starting_materials
    donors = sm.donors if sm else None
    if project.product.cell_origin in ("none", "xenogeneic") and donors is None:
        return []
    if donors is None:
        return [
            _todo(
                "quality.starting_materials.donors",
                "donor eligibility and testing under Directive 2004/23/EC and 2006/17/EC "
                f"(or the SoHO regulation where it applies) and the collection ({SOURCE})",
            )
        ]
    path = "quality.starting_materials.donors"
    legal: str | Missing = (
        join_words([LEGAL_WORDS[b] for b in donors.legal_basis])
        if donors.legal_basis
        else Missing(f"{path}.legal_basis", "EU rules followed")
    )
    blocks: list[Block] = [
        Para.of(
            f"Donation: {donors.origin}. Collection: ",
            *_stop(or_missing(donors.collection, f"{path}.collection", "collection and transport")),
            " Eligibility criteria: ",
            *_stop(
                or_missing(donors.eligibility, f"{path}.eligibility", "donor eligibility criteria")
            ),
            " Legal basis of donation and testing: ",
            *_stop(legal),
        )
    ]
    if donors.tests:
        blocks.append(
            Table(
                "tab-donor-tests",
                "Donor testing",
                ["Test", "Method", "Timing"],
                [[t.test, t.method or "—", t.timing or "—"] for t in donors.tests],
            )
        )
    else:
        blocks.append(_todo(f"{path}.tests", "donor tests, methods and timing"))
    return blocks


@section_unit("manufacture.materials")
def materials_unit(ctx: UnitContext) -> Content:
    """S.2.3: starting materials (donors, banks) and raw materials."""
    project = ctx.project
    blocks = _donors(project)
    sm = project.quality.starting_materials
    banks = sm.banks if sm else []
    if banks:
        blocks.append(
            Table(
                "tab-banks",
                "Cell banks, plasmids and vectors",
                ["Starting material", "Kind", "Description", "Testing"],
                [
                    [
                        f"{b.name} ({b.id})",
                        BANK_WORDS[b.kind],
                        b.description or "—",
                        or_missing(
                            b.testing,
                            f"quality.starting_materials.banks[{b.id}].testing",
                            "characterisation and testing",
                        ),
                    ]
                    for b in banks
                ],
            )
        )
    elif project.product.vector is not None or project.product.cell_origin == "allogeneic":
        blocks.append(
            _todo(
                "quality.starting_materials.banks",
                "cell banks, plasmids or vectors used as starting materials, with their "
                f"testing ({SOURCE}; EMA/CAT/80183/2014 for vectors)",
            )
        )
    materials = [m for m in project.quality.materials if m.kind != "excipient"]
    if materials:
        blocks.append(
            Table(
                "tab-materials",
                "Starting and raw materials",
                [*MATERIAL_HEADER, "TSE and viral safety"],
                _material_rows(materials),
            )
        )
    else:
        blocks.append(
            _todo(
                "quality.materials",
                "raw materials with grade, supplier and, for biological raw materials, TSE "
                f"and viral safety (Ph. Eur. 5.2.12; {SOURCE})",
            )
        )
    return Content(blocks)


def _shown(result: ImpurityResult) -> str:
    return ("< " if result.below_quantitation else "") + given(result.value)


def _range(impurity: Impurity) -> str:
    """The lowest and highest level across the batches declared, then each batch's."""
    results = impurity.results
    if not results:
        return "—"
    unit = f" {impurity.unit}" if impurity.unit else ""
    # a level below the quantitation limit ranks below a measured level of the same value
    low = min(results, key=lambda r: (r.value, not r.below_quantitation))
    high = max(results, key=lambda r: (r.value, not r.below_quantitation))
    span = _shown(low) if _shown(low) == _shown(high) else f"{_shown(low)} to {_shown(high)}"
    each = "; ".join(f"{r.batch}: {_shown(r)}" for r in results)
    return f"{span}{unit} ({each})"


@section_unit("manufacture.impurities")
def impurities_unit(ctx: UnitContext) -> Content:
    """S.3.2: process- and product-related impurities."""
    project = ctx.project
    impurities = project.quality.impurities
    if not impurities:
        return Content(
            [
                _todo(
                    "quality.impurities",
                    "process-related and product-related impurities with method, levels in "
                    f"batches, limits and clearance or justification ({SOURCE})",
                )
            ]
        )
    blocks: list[Block] = []
    for category, title in (("process", "Process-related"), ("product", "Product-related")):
        chosen = [i for i in impurities if i.category == category]
        if not chosen:
            blocks.append(_todo("quality.impurities", f"{title.lower()} impurities ({SOURCE})"))
            continue
        rows: list[list[Cell]] = [
            [
                i.name,
                _procedure(project, i.method),
                _range(i),
                i.limit or "none set",
                or_missing(
                    i.control,
                    f"quality.impurities[{i.id}].control",
                    "clearance or justification",
                ),
            ]
            for i in chosen
        ]
        blocks.append(
            Table(
                f"tab-impurities-{category}",
                f"{title} impurities",
                ["Impurity", "Method", "Levels in batches", "Limit", "Clearance or justification"],
                rows,
            )
        )
    return Content(blocks)


def _containers(project: Project, part: Part) -> Content:
    items = [c for c in project.quality.container_closure if c.part == part]
    # presented together, the product's container is the one of the substance as well
    together = combined_layout(project) and part == "active_substance"
    if not items and together and project.quality.container_closure:
        return Content()
    if not items:
        return Content(
            [
                _todo(
                    "quality.container_closure",
                    f"container closure of the {PART_WORDS[part]}: material, standard, "
                    f"integrity and suitability at the storage temperature ({SOURCE})",
                )
            ]
        )
    key = "s" if part == "active_substance" else "p"
    rows: list[list[Cell]] = [
        [
            c.description,
            c.material or "—",
            c.supplier or "—",
            c.standard or "—",
            or_missing(
                c.suitability,
                f"quality.container_closure[{i}].suitability",
                "integrity, extractables and leachables",
            ),
        ]
        for i, c in enumerate(project.quality.container_closure)
        if c.part == part
    ]
    return Content(
        [
            Table(
                f"tab-container-{key}",
                f"Container closure of the {PART_WORDS[part]}",
                ["Container", "Material", "Supplier", "Standard", "Suitability"],
                rows,
            )
        ]
    )


@section_unit("manufacture.container-substance")
def container_substance_unit(ctx: UnitContext) -> Content:
    """S.6: container closure of the active substance."""
    return _containers(ctx.project, "active_substance")


@section_unit("manufacture.container-product")
def container_product_unit(ctx: UnitContext) -> Content:
    """P.7: container closure of the finished product."""
    return _containers(ctx.project, "finished_product")


def _development(field: str, expectation: str) -> Callable[[UnitContext], Content]:
    def build(ctx: UnitContext) -> Content:
        development = ctx.project.quality.development
        text = getattr(development, field) if development is not None else None
        return Content(
            [
                Para.of(
                    "As stated by the sponsor: ",
                    or_missing(text, f"quality.development.{field}", expectation),
                )
            ]
        )

    return build


for _field, _expectation in (
    ("components", "choice and compatibility of the components (P.2.1)"),
    ("product", "formulation development, and cryopreservation for a frozen product (P.2.2)"),
    ("container_closure", "suitability of the container closure (P.2.4)"),
    ("microbiological_attributes", "microbiological attributes and aseptic processing (P.2.5)"),
    (
        "compatibility",
        "compatibility with administration devices, in-use and post-thaw stability (P.2.6)",
    ),
):
    section_unit(f"development.{_field.replace('_', '-')}")(
        _development(_field, _expectation.replace(")", f"; {SOURCE})"))
    )


@section_unit("manufacture.excipients")
def excipients_unit(ctx: UnitContext) -> Content:
    """P.4: control of excipients."""
    project = ctx.project
    excipients = [m for m in project.quality.materials if m.kind == "excipient"]
    if not excipients:
        return Content(
            [
                _todo(
                    "quality.materials",
                    "excipients (kind 'excipient') with grade or standard, supplier and, for "
                    f"human or animal origin, TSE and viral safety ({SOURCE})",
                )
            ]
        )
    return Content(
        [
            Table(
                "tab-excipients",
                "Excipients",
                [*MATERIAL_HEADER, "TSE and viral safety"],
                _material_rows(excipients),
            )
        ]
    )


@section_unit("quality.release-specification")
def release_specification_unit(ctx: UnitContext) -> Content:
    """P.5.1: the release specification of the product: every analytical method with a
    criterion and every potency assay with a release role."""
    project = ctx.project
    rows: list[list[Cell]] = []
    without = []
    for method in project.quality.analytical_methods:
        criterion = method_criterion(method)
        if criterion is None:
            without.append(f"{method.name} ({method.id})")
            continue
        rows.append(
            [
                method.attribute,
                f"{method.name} ({method.id})"
                + (f", {method.compendial_reference}" if method.compendial_reference else ""),
                criterion,
            ]
        )
    potency = project.quality.potency
    for assay in potency.assays if potency else []:
        if "release" in assay.roles:
            rows.append(
                [
                    f"Potency: {assay.measurand}",
                    f"{assay.name} ({assay.id})",
                    criterion_text(assay, "release"),
                ]
            )
    if not rows:
        return Content(
            [
                _todo(
                    "quality.analytical_methods",
                    "release tests of the finished product with acceptance criteria: identity, "
                    f"content, potency, purity, safety (CTR Annex I; {SOURCE})",
                )
            ]
        )
    blocks: list[Block] = [
        Table(
            "tab-release-spec",
            "Release specification of the finished product",
            ["Attribute", "Method", "Acceptance criterion"],
            rows,
        )
    ]
    if without:
        blocks.append(
            Para.of(
                "Procedures without an acceptance criterion (quality.analytical_methods[]."
                "specification), not in the specification: " + join_words(without) + "."
            )
        )
    return Content(blocks)


@section_unit("manufacture.facilities")
def facilities_unit(ctx: UnitContext) -> Content:
    """A.1: facilities and equipment."""
    facilities = ctx.project.quality.facilities
    if not facilities:
        return Content(
            [
                _todo(
                    "quality.facilities",
                    "facilities and equipment: classification, segregation of GMO or "
                    f"autologous material, shared use and cleaning ({SOURCE})",
                )
            ]
        )
    return Content(
        [
            Table(
                "tab-facilities",
                "Facilities and equipment",
                ["Facility or equipment", "Description"],
                [[f.name, f.description] for f in facilities],
            )
        ]
    )


@section_unit("manufacture.adventitious-agents")
def adventitious_agents_unit(ctx: UnitContext) -> Content:
    """A.2: adventitious-agent safety: release safety tests, materials of biological
    origin, tests of starting materials and the sponsor's evaluation."""
    project = ctx.project
    blocks: list[Block] = []
    safety = [m for m in project.quality.analytical_methods if m.type == "safety"]
    if safety:
        blocks.append(
            Table(
                "tab-aa-release",
                "Safety tests of the release specification",
                ["Test", "Method", "Acceptance criterion"],
                [
                    [
                        (
                            SAFETY_WORDS[m.safety_test] if m.safety_test else "safety test"
                        ).capitalize(),
                        f"{m.name} ({m.id})"
                        + (f", {m.compendial_reference}" if m.compendial_reference else ""),
                        or_missing(
                            m.specification,
                            f"quality.analytical_methods[{m.id}].specification",
                            "acceptance criterion",
                        ),
                    ]
                    for m in safety
                ],
            )
        )
    else:
        blocks.append(
            _todo(
                "quality.analytical_methods",
                "release safety tests: sterility, mycoplasma, endotoxin and, for vectors, "
                "replication-competent virus",
            )
        )
    biological = [m for m in project.quality.materials if m.origin in ("human", "animal")]
    if biological:
        blocks.append(
            Table(
                "tab-aa-materials",
                "Materials of human or animal origin",
                [*MATERIAL_HEADER, "TSE and viral safety"],
                _material_rows(biological),
            )
        )
    aa = project.quality.adventitious_agents
    if aa is not None and aa.studies:
        blocks.append(
            Table(
                "tab-aa-studies",
                "Adventitious-agent tests of starting materials and intermediates",
                ["Agents", "Tested on", "Method", "Result"],
                [
                    [s.agent, s.tested_on, _procedure(project, s.method), s.result or "pending"]
                    for s in aa.studies
                ],
            )
        )
    sm = project.quality.starting_materials
    if sm is not None and sm.donors is not None and sm.donors.tests:
        blocks.append(Para.of("Donor testing is listed in ", CrossRef("tab-donor-tests"), "."))
    if sm is not None and sm.banks:
        blocks.append(
            Para.of(
                "The testing of the cell banks, plasmids and vectors is listed in ",
                CrossRef("tab-banks"),
                ".",
            )
        )
    blocks.append(
        Para.of(
            "Overall evaluation by the sponsor: ",
            or_missing(
                aa.evaluation if aa is not None else None,
                "quality.adventitious_agents.evaluation",
                "viral and TSE safety evaluation of the materials and process "
                f"(Ph. Eur. 5.1.7, 5.2.12; {SOURCE})",
            ),
        )
    )
    return Content(blocks)


@section_unit("manufacture.novel-excipients")
def novel_excipients_unit(ctx: UnitContext) -> Content:
    """A.3: novel excipients."""
    excipients = [m for m in ctx.project.quality.materials if m.kind == "excipient"]
    novel = [m for m in excipients if m.novel]
    if not excipients:
        return Content(
            [
                _todo(
                    "quality.materials",
                    "the excipients, each marked novel or not (a novel excipient needs full "
                    "quality data)",
                )
            ]
        )
    if not novel:
        n = len(excipients)
        said = (
            "The one excipient declared (quality.materials) is not marked novel."
            if n == 1
            else f"The {count_word(n)} excipients declared (quality.materials) are not "
            "marked novel."
        )
        return Content([Para.of(said)])
    return Content(
        [
            Table(
                "tab-novel-excipients",
                "Novel excipients",
                MATERIAL_HEADER,
                [row[:-1] for row in _material_rows(novel)],
            )
        ]
    )
