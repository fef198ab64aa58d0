"""IMPD quality draft: the product, its manufacture and the comparability exercises.

S.1 (nomenclature, structure, general properties), P.1 (description and composition),
S.2.2 (the manufacturing process in summary, with the steps that make the active
substance) and S.2.6 (process development and comparability). The sponsor's free
text (composition, manufacturing summary, the change, the conclusion of a comparability
exercise) is reproduced as written and labelled as the sponsor's; the potency results
of the batches compared are the ones the analysis computed or read, and the outcome of
an exercise is the one the project declares. A missing fact is a highlighted
placeholder naming the YAML path that would fill it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.drafts.blocks import Block, Cell, Missing, Para, Section, Table, Text
from dossier.drafts.fmt import given, join_words, number, or_missing, quantity
from dossier.drafts.manufacture import process_blocks
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.model.project import Project
    from dossier.model.quality import ComparabilityExercise, MethodBridging

__all__ = [
    "comparability_unit",
    "description_unit",
    "manufacture_unit",
    "nomenclature_unit",
    "properties_unit",
    "structure_unit",
]

ORIGIN_WORDS = {
    "autologous": "autologous",
    "allogeneic": "allogeneic",
    "xenogeneic": "xenogeneic",
    "none": "no cells",
}
APPROACH_WORDS = {
    "equivalence_margins": "equivalence margins",
    "quality_ranges": "quality ranges",
    "descriptive": "descriptive comparison",
}
OUTCOME_WORDS = {
    "comparable": "comparable",
    "not_comparable": "not comparable",
    "pending": "pending",
}


def _nomenclature(project: Project) -> list[Block]:
    p = project.product
    rows: list[list[Cell]] = [
        ["Name", p.name],
        ["Code", p.code],
        ["INN or working name", p.inn or "none assigned"],
    ]
    return [Table("tab-nomenclature", "Nomenclature", ["Item", "Details"], rows)]


def _structure(project: Project) -> list[Block]:
    p = project.product
    rows: list[list[Cell]] = [
        [
            "Cell origin and type",
            ORIGIN_WORDS[p.cell_origin] + (f"; {p.cell_type}" if p.cell_type else ""),
        ],
    ]
    if p.vector is not None:
        v = p.vector
        parts = [
            v.type + (f", {v.serotype}" if v.serotype else ""),
            "integrating" if v.integrating else "non-integrating",
            "replication-competent" if v.replication_competent else "replication-incompetent",
            f"transgene: {v.transgene}",
        ]
        if v.promoter:
            parts.append(f"promoter: {v.promoter}")
        rows.append(["Vector", "; ".join(parts) + (f". {v.description}" if v.description else "")])
        nab = v.neutralising_antibodies
        if nab is not None:
            threshold = f" (cut-off {nab.threshold})" if nab.threshold else ""
            rows.append(
                ["Pre-existing antibodies to the vector", f"{nab.assay}{threshold}. {nab.handling}"]
            )
    if p.novel_components:
        rows.append(["Components new to medicinal use", "; ".join(p.novel_components)])
    editing = p.gene_editing
    if editing.present or editing.editor or editing.delivery or editing.target_locus:
        rows.append(
            [
                "Genome editing",
                "; ".join(
                    part
                    for part in (
                        "present" if editing.present else "not applied",
                        f"editor: {editing.editor}" if editing.editor else "",
                        f"delivery: {editing.delivery}" if editing.delivery else "",
                        f"target: {editing.target_locus}" if editing.target_locus else "",
                    )
                    if part
                ),
            ]
        )
    device = p.combined_device
    if device.present or device.description or device.ce_mark:
        ce = f"; CE mark: {device.ce_mark}" if device.ce_mark else ""
        if device.description:
            lead = "" if device.present else "not an integral part of the product: "
            rows.append(["Device part", lead + device.description + ce])
        elif device.present:
            missing = Missing("product.combined_device.description", "the device")
            rows.append(["Device part", (missing, Text(ce))])
        else:
            rows.append(["Device part", "none" + ce])
    return [
        Para.of(p.description),
        Table("tab-structure", "Structure of the active substance", ["Item", "Details"], rows),
    ]


def _properties(project: Project) -> list[Block]:
    p = project.product
    rows: list[list[Cell]] = [
        ["ATMP class", p.atmp_class],
        ["Route", p.route.replace("-", " ") + (f"; {p.route_detail}" if p.route_detail else "")],
        ["Dose unit", p.dose_unit],
    ]
    return [Table("tab-properties", "General properties", ["Item", "Details"], rows)]


def _description(project: Project) -> list[Block]:
    """P.1: the composition as the sponsor states it, and the components declared."""
    p = project.product
    blocks: list[Block] = [
        Para.of(
            "Composition as stated by the sponsor: ",
            or_missing(p.composition, "product.composition", "composition of the finished product"),
        )
    ]
    components = project.quality.composition
    if components:
        names = {m.id: m.name for m in project.quality.materials}
        blocks.append(
            Table(
                "tab-composition",
                "Composition of the finished product",
                ["Component", "Function", "Amount", "Material"],
                [
                    [
                        c.name,
                        c.function,
                        c.amount,
                        f"{names[c.material]} ({c.material})" if c.material else "—",
                    ]
                    for c in components
                ],
            )
        )
    else:
        blocks.append(
            Para.of(
                Missing(
                    "quality.composition",
                    "components with function and amount per unit (CTR Annex I; "
                    "EMA/CAT/22473/2025)",
                )
            )
        )
    return blocks


def _manufacture(project: Project) -> list[Block]:
    p = project.product
    blocks: list[Block] = [
        Para.of(
            "Manufacturing process as summarised by the sponsor: ",
            or_missing(
                p.manufacturing_summary,
                "product.manufacturing_summary",
                "overview of the manufacturing process",
            ),
        )
    ]
    definition = project.quality.manufacture and project.quality.manufacture.batch_definition
    blocks.append(
        Para.of(
            "Batch definition: ",
            or_missing(
                definition or None,
                "quality.manufacture.batch_definition",
                "what one batch is, e.g. one patient's starting material (EMA/CAT/22473/2025)",
            ),
        )
    )
    blocks.extend(process_blocks(project, "active_substance"))
    rows: list[list[Cell]] = [
        [
            b.id,
            b.process_version,
            b.scale or "—",
            b.starting_material or "—",
            b.notes or "—",
        ]
        for b in project.quality.batches
    ]
    blocks.append(
        Table(
            "tab-batch-history",
            "Batches manufactured: process version, scale and starting material",
            ["Batch", "Process", "Scale", "Starting material", "Notes"],
            rows,
        )
    )
    return blocks


def _procedure_name(project: Project, ref: str) -> str:
    """An assay or method by name (the id in brackets, as the tables list them)."""
    potency = project.quality.potency
    for assay in potency.assays if potency else []:
        if assay.id == ref:
            return assay.name
    for method in project.quality.analytical_methods:
        if method.id == ref:
            return method.name
    return ref


def _batches_text(project: Project, ids: list[str]) -> str:
    versions = {b.id: b.process_version for b in project.quality.batches}
    return join_words([f"{b} ({versions[b]})" if b in versions else b for b in ids])


def _potency_rows(
    project: Project, computed: ComputedProject, exercise: ComparabilityExercise
) -> list[list[Cell]]:
    """The potency result of every batch compared, as the analysis has it."""
    potency = project.quality.potency
    rows: list[list[Cell]] = []
    for assay in potency.assays if potency else []:
        comp = computed.assays.get(assay.id)
        for side, ids in (("before", exercise.pre_batches), ("after", exercise.post_batches)):
            for batch in ids:
                bc = comp.batches.get(batch) if comp is not None else None
                if bc is None or bc.missing:
                    shown: Cell = "no result in the project file"
                elif bc.value is None:
                    shown = "no valid result" + (f" ({bc.note})" if bc.note else "")
                elif bc.entered:
                    shown = f"{given(bc.value)} {bc.unit}"
                else:
                    shown = quantity(bc.value, bc.unit, 4)
                    if bc.ci_lower is not None and bc.ci_upper is not None:
                        shown += f" (95 % limits {number(bc.ci_lower, 4)}–{number(bc.ci_upper, 4)})"
                rows.append([assay.name, batch, side, shown])
    return rows


def _bridging(bridge: MethodBridging) -> list[Block]:
    ratio = "no ratio of the two methods is given"
    if bridge.ratio is not None:
        ratio = f"ratio of the new to the previous method: {given(bridge.ratio)}"
        if bridge.ratio_ci_lower is not None and bridge.ratio_ci_upper is not None:
            ratio += f" (95 % limits {given(bridge.ratio_ci_lower)}–{given(bridge.ratio_ci_upper)})"
    return [
        Para.of(
            f"Method bridging, {bridge.attribute}: {bridge.previous_method} replaced by "
            f"{bridge.new_method}; {ratio}.",
            *([" Design: ", bridge.design] if bridge.design else []),
        ),
        Para.of("Effect on the dose, as stated by the sponsor: ", bridge.effect_on_dose),
    ]


def _exercise(
    project: Project, computed: ComputedProject, index: int, exercise: ComparabilityExercise
) -> Section:
    path = f"quality.comparability[{index}]"
    rows: list[list[Cell]] = [
        ["Change", exercise.change],
        [
            "Before the change",
            or_missing(
                exercise.pre_change, f"{path}.pre_change", "process or material before the change"
            ),
        ],
        [
            "After the change",
            or_missing(
                exercise.post_change, f"{path}.post_change", "process or material after the change"
            ),
        ],
        ["Batches before", _batches_text(project, exercise.pre_batches)],
        ["Batches after", _batches_text(project, exercise.post_batches)],
        ["Attributes compared", "; ".join(exercise.attributes)],
        [
            "Procedures",
            "; ".join(_procedure_name(project, m) for m in exercise.methods)
            or Missing(f"{path}.methods", "assays and methods used"),
        ],
        ["Approach", APPROACH_WORDS[exercise.approach]],
        ["Outcome declared", OUTCOME_WORDS[exercise.outcome]],
    ]
    key = f"tab-comp-{exercise.id}"
    blocks: list[Block] = [
        Table(key, f"Comparability exercise: {exercise.change}", ["Item", "Details"], rows)
    ]
    if exercise.results:
        blocks.append(
            Table(
                f"tab-comp-results-{exercise.id}",
                "Attributes before and after the change, as reported by the sponsor",
                ["Attribute", "Procedure", "Before", "After", "Criterion", "Met"],
                [
                    [
                        r.attribute,
                        _procedure_name(project, r.method) if r.method else "—",
                        r.pre_change,
                        r.post_change,
                        r.criterion or "—",
                        "pending" if r.met is None else ("yes" if r.met else "no"),
                    ]
                    for r in exercise.results
                ],
            )
        )
    else:
        blocks.append(
            Para.of(Missing(f"{path}.results", "results per attribute before and after the change"))
        )
    potency_rows = _potency_rows(project, computed, exercise)
    if potency_rows:
        blocks.append(
            Table(
                f"tab-comp-potency-{exercise.id}",
                "Potency of the batches compared (batch analyses of the potency assays)",
                ["Assay", "Batch", "Change", "Result"],
                potency_rows,
            )
        )
    for bridge in exercise.method_bridging:
        blocks.extend(_bridging(bridge))
    blocks.append(Para.of("Conclusion of the sponsor: ", exercise.conclusion))
    return Section(exercise.change, f"sec-comp-{exercise.id}", blocks)


def _comparability(project: Project, computed: ComputedProject) -> Content:
    exercises = project.quality.comparability
    if not exercises:
        return Content(
            [
                Para.of(
                    "The project file declares no comparability exercise; the process versions "
                    "of the toxicology and clinical batches are compared in the batch analyses."
                )
            ]
        )
    n = len(exercises)
    intro = Para.of(
        f"{'One comparability exercise is' if n == 1 else f'{n} comparability exercises are'} "
        "declared. Results and conclusions are the sponsor's; the potency results are those "
        "of the batch analyses."
    )
    return Content(
        [intro],
        [_exercise(project, computed, i, e) for i, e in enumerate(exercises)],
    )


@section_unit("quality.nomenclature")
def nomenclature_unit(ctx: UnitContext) -> Content:
    """S.1.1: name, code and INN."""
    return Content(_nomenclature(ctx.project))


@section_unit("quality.structure")
def structure_unit(ctx: UnitContext) -> Content:
    """S.1.2: the active substance: cells, vector, editing, device part."""
    return Content(_structure(ctx.project))


@section_unit("quality.properties")
def properties_unit(ctx: UnitContext) -> Content:
    """S.1.3: ATMP class, route and dose unit."""
    return Content(_properties(ctx.project))


@section_unit("quality.description")
def description_unit(ctx: UnitContext) -> Content:
    """P.1: description and composition of the finished product."""
    return Content(_description(ctx.project))


@section_unit("quality.manufacture")
def manufacture_unit(ctx: UnitContext) -> Content:
    """S.2.2: the manufacturing process in summary, its flow and the batches made."""
    return Content(_manufacture(ctx.project))


@section_unit("quality.comparability")
def comparability_unit(ctx: UnitContext) -> Content:
    """S.2.6: process development and the comparability exercises."""
    assert ctx.computed is not None, "comparability needs the computed batch results"
    return _comparability(ctx.project, ctx.computed)
