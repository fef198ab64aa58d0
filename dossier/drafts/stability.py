"""IMPD quality draft: stability (CTD S.7 / P.8), with the ICH Q1E analysis of each attribute.

The studies are listed with their condition, container, batches and time points; each
attribute with its method (marked stability-indicating or not, as the project declares)
and its criterion. The results are tabulated per attribute, and the analysis is stated
from the typed result of :mod:`dossier.analysis.stability`: the model chosen and the
p-values that chose it, where the confidence limit meets the criterion, how far the data
are carried (extrapolation) and whether the proposed shelf life is supported. Without
studies, or with too few results for an attribute, the draft shows a highlighted
placeholder naming the YAML path that would fill it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dossier.core.numfmt import p_text
from dossier.drafts.blocks import Block, Cell, Figure, Inline, Missing, Para, Section, Table, Text
from dossier.drafts.compose import combined_layout
from dossier.drafts.fmt import given, join_words, number, range_text
from dossier.drafts.outline import Content, UnitContext, section_unit

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.analysis.stability_results import AttributeComputed, StudyComputed
    from dossier.compute.stability import Q1EFit
    from dossier.model.project import Project
    from dossier.model.stability import StabilityStudy

__all__ = ["SUBSTANCE_MATERIALS", "stability_product_unit", "stability_substance_unit"]

MATERIAL_WORDS = {
    "drug_substance": "drug substance",
    "drug_product": "drug product",
    "intermediate": "intermediate",
    "vector": "vector",
}
CONDITION_WORDS = {
    "long_term": "long-term",
    "accelerated": "accelerated",
    "stress": "stress",
    "in_use": "in-use / post-thaw hold",
}
MODEL_WORDS = {
    "pooled": "the results of all batches are pooled into one regression line",
    "common_slope": "the batches share a common slope with separate intercepts",
    "separate": "each batch has its own regression line, and the batch whose limit meets "
    "the criterion first decides",
    "single_batch": "one batch: its own regression line, without a test of poolability",
}
REASON_WORDS = {
    "no_data": "no results are given",
    "too_few_points": "too few results for a regression with a residual degree of freedom",
    "one_time_point": "a batch is tested at one time point only",
    "zero_variance": "the results show no scatter about the line, so no confidence "
    "limit can be computed",
}


def _unit(value: float, unit: str) -> str:
    """A computed period in words, three significant figures without padding zeros:
    "21.7 months", "12 months", "1 month"."""
    text = number(value)
    if "." in text and "×" not in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit[:-1] if text == '1' else unit}"


def _given_unit(value: float, unit: str) -> str:
    text = given(value)
    return f"{text} {unit[:-1] if text == '1' else unit}"


def _method(project: Project, method_id: str) -> tuple[Inline, ...]:
    """The method's name and whether it is stability-indicating (a placeholder when the
    project does not say)."""
    q = project.quality
    for i, m in enumerate(q.analytical_methods):
        if m.id == method_id:
            return _marked(m.name, m.stability_indicating, f"quality.analytical_methods[{i}]")
    if q.potency is not None:
        for i, a in enumerate(q.potency.assays):
            if a.id == method_id:
                return _marked(a.name, a.stability_indicating, f"quality.potency.assays[{i}]")
    return (Text(method_id),)  # cross-references are checked before any draft is built


def _marked(name: str, flag: bool | None, path: str) -> tuple[Inline, ...]:
    if flag is None:
        missing = Missing(f"{path}.stability_indicating", "whether it is stability-indicating")
        return (Text(f"{name} "), missing)
    return (Text(f"{name} ({'stability-indicating' if flag else 'not stability-indicating'})"),)


def _overview(studies: Sequence[StabilityStudy], key: str) -> Table:
    rows: list[list[Cell]] = []
    for study in studies:
        c = study.condition
        condition = c.label
        if c.temperature_c is not None:
            condition += f" (set point {given(c.temperature_c).replace('-', '−')} °C)"
        planned = ", ".join(given(t) for t in study.time_points) or "not listed"
        proposed = study.proposed_shelf_life
        rows.append(
            [
                study.id,
                MATERIAL_WORDS[study.material],
                f"{condition}; {CONDITION_WORDS[c.type]}",
                study.container_closure,
                ", ".join(study.batches),
                f"{planned} ({study.time_unit})",
                "none proposed" if proposed is None else _given_unit(proposed.value, proposed.unit),
            ]
        )
    return Table(
        f"tab-stability-studies-{key}",
        "Stability studies",
        [
            "Study",
            "Material",
            "Storage condition",
            "Container closure",
            "Batches",
            "Time points (protocol)",
            "Proposed shelf life / hold",
        ],
        rows,
    )


def _attributes(project: Project, study: StabilityStudy, result: StudyComputed) -> Table:
    rows: list[list[Cell]] = []
    for attribute, computed in zip(study.attributes, result.attributes, strict=True):
        tested = ", ".join(given(t) for t in computed.times) or "none yet"
        rows.append(
            [
                attribute.name,
                _method(project, attribute.method),
                range_text(attribute.lower, attribute.upper, attribute.unit),
                f"{tested} ({study.time_unit})",
                attribute.data or "this project file",
            ]
        )
    return Table(
        f"tab-stability-attributes-{study.id}",
        f"Attributes of stability study {study.id}, their methods and acceptance criteria",
        ["Attribute", "Method", "Acceptance criterion", "Time points tested", "Results from"],
        rows,
    )


def _results(study: StabilityStudy, index: int, computed: AttributeComputed) -> Table:
    """Results with time points as rows and batches as columns (replicates joined)."""
    batches = list(dict.fromkeys(p.batch for p in computed.points))
    rows: list[list[Cell]] = []
    gaps = False
    for t in computed.times:
        row: list[Cell] = [given(t)]
        for batch in batches:
            values = [given(p.value) for p in computed.points if p.batch == batch and p.time == t]
            gaps = gaps or not values
            row.append("; ".join(values) or "—")
        rows.append(row)
    return Table(
        f"tab-stability-{study.id}-{index + 1}",
        f"Stability results: {computed.name} ({computed.unit}), study {study.id}",
        [f"Time ({study.time_unit})", *batches],
        rows,
        note="—: not tested at this time point." if gaps else None,
    )


def _pooling(fit: Q1EFit) -> str:
    """How the model was chosen, with the F tests that chose it."""
    if fit.model == "single_batch" or fit.p_slopes is None or fit.df_slopes is None:
        return "One batch: no test of poolability; the batch's own regression line is used."
    slopes = (
        f"Poolability (ICH Q1E, significance level 0.25): equality of slopes "
        f"F({fit.df_slopes[0]}, {fit.df_slopes[1]}) = {number(fit.f_slopes or 0.0)}, "
        f"{p_text(fit.p_slopes)}"
    )
    if fit.p_intercepts is None or fit.df_intercepts is None:
        return f"{slopes}: the slopes differ, so the batches are not pooled; {MODEL_WORDS['separate']}."
    intercepts = (
        f"equality of intercepts F({fit.df_intercepts[0]}, {fit.df_intercepts[1]}) = "
        f"{number(fit.f_intercepts or 0.0)}, {p_text(fit.p_intercepts)}"
    )
    verdict = (
        "the intercepts are poolable too" if fit.model == "pooled" else "the intercepts differ"
    )
    return f"{slopes}: the slopes are poolable; {intercepts}: {verdict}, so {MODEL_WORDS[fit.model or 'pooled']}."


def _crossing(study: StabilityStudy, computed: AttributeComputed, fit: Q1EFit) -> str:
    unit = study.time_unit
    regression = f"Residual standard deviation {number(fit.sigma or 0.0)} {computed.unit} on {fit.df_residual} degrees of freedom. "
    crossing = fit.crossing
    if crossing is None:
        return regression + (
            "The one-sided 95 % confidence limit of the mean stays within the acceptance "
            f"criterion ({range_text(computed.lower, computed.upper, computed.unit)}) up to "
            f"{_unit(fit.horizon or 0.0, unit)}, the longest period assessed."
        )
    limit = computed.lower if crossing.side == "lower" else computed.upper
    which = (
        ""
        if crossing.batch is None or fit.model in {"pooled", "single_batch"}
        else f" of batch {crossing.batch}"
    )
    if crossing.time == 0:
        return regression + (
            f"The one-sided 95 % {crossing.side} confidence limit{which} is already beyond "
            f"the {crossing.side} limit ({given(limit or 0.0)} {computed.unit}) at time 0."
        )
    return regression + (
        f"The one-sided 95 % {crossing.side} confidence limit of the mean{which} meets the "
        f"{crossing.side} acceptance limit ({given(limit or 0.0)} {computed.unit}) at "
        f"{_unit(crossing.time, unit)}."
    )


def _extrapolation(study: StabilityStudy, computed: AttributeComputed) -> list[Inline]:
    ex = computed.extrapolation
    assert ex is not None
    unit = study.time_unit
    longest = _unit(ex.longest, unit)
    if ex.basis == "real_time":
        return [
            Text(
                f"No extrapolation: the shelf life supported ends at the longest real-time "
                f"time point, {longest} (ICH Q5C: real-time data for biological products; "
                "no justification for extrapolation is given)."
            )
        ]
    justification = "The sponsor justifies an extrapolation (see the study above). "
    if ex.basis == "not_allowed":
        why = (
            "a frozen or sub-ambient condition"
            if study.condition.temperature_c is not None and study.condition.type == "long_term"
            else "a condition other than a long-term one at a nominal temperature"
        )
        return [
            Text(
                justification
                + f"ICH Q1E allows no extrapolation for {why}, so the shelf life supported "
                f"still ends at the real-time data, {longest}."
            )
        ]
    return [
        Text(
            justification
            + f"It is capped at the ICH Q1E limit (section 2.4) of {given(ex.factor or 0.0)} times "
            f"the period covered by long-term data, and not more than "
            f"{given(ex.months_beyond or 0.0)} months beyond it: {_unit(ex.limit, unit)}."
        )
    ]


def _conclusion(study: StabilityStudy, computed: AttributeComputed) -> list[Inline]:
    unit = study.time_unit
    assert computed.supported is not None
    supported = f"Shelf life supported by {computed.name}: {_unit(computed.supported, unit)}. "
    proposed = study.proposed_shelf_life
    if proposed is None:
        return [Text(supported + "The study proposes no shelf life or hold time to judge.")]
    word = "supported" if computed.verdict.met else "not supported"
    return [
        Text(
            supported + f"The proposed {_given_unit(proposed.value, proposed.unit)} is {word} "
            f"by this attribute."
        )
    ]


def _attribute_blocks(
    study: StabilityStudy, i: int, j: int, computed: AttributeComputed
) -> list[Block]:
    blocks: list[Block] = []
    base = f"quality.stability[{i}].attributes[{j}]"
    if computed.points:
        blocks.append(_results(study, j, computed))
    fit = computed.fit
    if fit is None or not fit.analysed:
        reason = REASON_WORDS.get(computed.not_assessed or "no_data", "insufficient data")
        detail = f" ({fit.detail})" if fit is not None and fit.detail else ""
        field = "data" if study.attributes[j].data is not None else "results"
        blocks.append(
            Para.of(
                f"{computed.name[:1].upper()}{computed.name[1:]}: no ICH Q1E analysis, as "
                f"{reason}{detail}. ",
                Missing(
                    f"{base}.{field}",
                    f"results of {computed.name}: at least three per batch at two or more time "
                    "points",
                ),
            )
        )
        return blocks
    blocks.append(Para.of(_pooling(fit)))
    blocks.append(Para.of(_crossing(study, computed, fit)))
    blocks.append(Para(_extrapolation(study, computed)))
    blocks.append(Para(_conclusion(study, computed)))
    from dossier.figures.stability import stability_figure

    proposed = study.proposed_shelf_life
    caption = (
        f"{computed.name} in study {study.id}: results per batch, fitted line(s) (solid), "
        "one-sided 95 % confidence limit(s) (dotted), acceptance limit(s) (dashed red)"
    )
    if fit.crossing is not None:
        caption += ", estimated crossing (dash-dot)"
    if proposed is not None:
        caption += ", proposed shelf life (solid black)"
    caption += "; shaded: beyond the real-time data"
    blocks.append(
        Figure(
            f"fig-stability-{study.id}-{j + 1}",
            caption,
            stability_figure(
                computed, study.time_unit, None if proposed is None else proposed.value
            ),
        )
    )
    return blocks


def _study_section(
    project: Project, i: int, study: StabilityStudy, result: StudyComputed
) -> Section:
    blocks: list[Block] = [_attributes(project, study, result)]
    children = []
    for j, computed in enumerate(result.attributes):
        children.append(
            Section(
                computed.name[:1].upper() + computed.name[1:],
                f"sec-stability-{study.id}-{j + 1}",
                _attribute_blocks(study, i, j, computed),
            )
        )
    if study.extrapolation_justification is not None:
        blocks.append(
            Para.of(
                "Extrapolation beyond the real-time data, as the sponsor justifies it: "
                f"“{study.extrapolation_justification}”"
            )
        )
    proposed = study.proposed_shelf_life
    if proposed is not None:
        verdict = result.verdict
        period = _given_unit(proposed.value, proposed.unit)
        if verdict.met is None:
            words = "cannot be judged yet: not every attribute could be analysed"
        elif verdict.met:
            words = "is supported by every attribute"
        else:
            short = [a.name for a in result.attributes if a.verdict.met is False]
            verb = "supports" if len(short) == 1 else "support"
            words = f"is not supported: {join_words(short)} {verb} a shorter period"
        blocks.append(
            Para.of(f"Proposed shelf life / hold time of study {study.id}, {period}, {words}.")
        )
    title = f"Study {study.id}: {MATERIAL_WORDS[study.material]}, {study.condition.label}"
    return Section(title, f"sec-stability-{study.id}", blocks, children)


SUBSTANCE_MATERIALS = frozenset({"drug_substance", "intermediate", "vector"})
"""Materials whose stability belongs in S.7 (the vector of an in vivo gene therapy is its
active substance); the drug product's goes in P.8."""


_SUBSTANCE_EXPECTED = (
    "stability of the active substance: real-time data at the storage condition covering "
    "the trial's storage time, with stability-indicating methods including potency "
    "(EMA/CAT/22473/2025)"
)
_PRODUCT_EXPECTED = (
    "shelf life of the investigational medicinal product, post-thaw and in-use stability, "
    "with stability-indicating potency (EMA/CAT/22473/2025)"
)


def _programme(
    project: Project,
    computed: ComputedProject,
    materials: frozenset[str],
    expectation: str,
    key: str,
) -> Content:
    studies = [
        (i, study)
        for i, study in enumerate(project.quality.stability)
        if study.material in materials
    ]
    if not studies:
        if materials is SUBSTANCE_MATERIALS and combined_layout(project):
            # one continuous process: the product's studies in P.8 are the programme
            return Content()
        return Content([Para.of(Missing("quality.stability", expectation))])
    blocks: list[Block] = [
        Para.of(
            "Each quantitative attribute is analysed as ICH Q1E describes: a regression of "
            "the results on time per batch, batches pooled when an analysis of covariance "
            "finds their slopes (and then their intercepts) equal at a significance level "
            "of 0.25, and the shelf life read where the one-sided 95 % confidence limit of "
            "the mean meets the acceptance criterion."
        ),
        _overview([study for _, study in studies], key),
    ]
    children = [
        _study_section(project, i, study, computed.stability[study.id])
        for i, study in studies
        if study.id in computed.stability
    ]
    return Content(blocks, children)


@section_unit("stability.substance")
def stability_substance_unit(ctx: UnitContext) -> Content:
    """S.7: the stability studies of the active substance (and of intermediates and an
    in vivo vector), their results and the ICH Q1E analysis."""
    assert ctx.computed is not None, "the stability section needs the computed analysis"
    return _programme(ctx.project, ctx.computed, SUBSTANCE_MATERIALS, _SUBSTANCE_EXPECTED, "s")


@section_unit("stability.product")
def stability_product_unit(ctx: UnitContext) -> Content:
    """P.8: the stability studies of the investigational medicinal product, their results
    and the ICH Q1E analysis."""
    assert ctx.computed is not None, "the stability section needs the computed analysis"
    return _programme(
        ctx.project, ctx.computed, frozenset({"drug_product"}), _PRODUCT_EXPECTED, "p"
    )
