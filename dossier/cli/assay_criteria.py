"""The declared criteria of ``dossier assay potency``: similarity, margins, limits.

``--similarity f-test`` judges parallelism (similarity) by the F-test of non-parallelism
at ``--alpha``; ``--similarity equivalence`` by margins on the slopes (``--slope-ratio``,
``--slope-difference``) or, for the 4PL and 5PL, on the asymptotes (``--asymptote-difference``),
the F-test then reported without deciding. ``--ci-width-ratio`` and ``--r-squared`` are
limits on every run. ``--criteria FILE`` reads criteria in the project file's words (a
YAML mapping with ``validity_criteria`` and ``system_suitability`` lists). Each criterion
is judged by :mod:`dossier.compute.potency.criteria`; one the model cannot judge is a
usage error. Code: ``DOS-S106`` an entry of a criteria file that is not a valid criterion.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from dossier.compute.potency.criteria import Criterion, Outcome
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis

__all__ = ["build_criteria", "criteria_json", "criteria_options", "judged", "print_criteria"]

Similarity = Literal["f-test", "equivalence"]


def _pair(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    low, sep, high = text.partition(",")
    try:
        if not sep:
            raise ValueError
        pair = (float(low), float(high))
    except ValueError:
        raise click.BadParameter(f"'{text}' is not LOWER,UPPER", param_hint=option) from None
    if not pair[0] <= pair[1]:
        raise click.BadParameter(f"{pair[0]:g} is above {pair[1]:g}", param_hint=option)
    return pair


def criteria_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the declared criteria (collected as keyword arguments)."""
    options = [
        click.option(
            "--criteria",
            "criteria_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="YAML/JSON file of validity_criteria and system_suitability, as in the project.",
        ),
        click.option(
            "--r-squared",
            type=click.FloatRange(0, 1, min_open=True),
            help="Minimum R² of the fitted model.",
        ),
        click.option(
            "--ci-width-ratio",
            type=click.FloatRange(1.0),
            help="Maximum ratio of the upper to the lower confidence limit of each potency.",
        ),
        click.option(
            "--asymptote-difference",
            metavar="LOWER,UPPER",
            help="4PL, 5PL: margins of both asymptote differences (test minus standard).",
        ),
        click.option(
            "--slope-difference",
            metavar="LOWER,UPPER",
            help="Margins of the slope difference (test minus standard).",
        ),
        click.option(
            "--slope-ratio",
            metavar="LOWER,UPPER",
            help="Margins of the slope ratio (test over standard), e.g. 0.8,1.25.",
        ),
        click.option(
            "--similarity",
            type=click.Choice(["f-test", "equivalence"]),
            help=(
                "How parallelism is judged: F-test at --alpha, or equivalence (the 90 % "
                "confidence interval within the margins given; TOST at 5 %)."
            ),
        ),
    ]
    for option in options:
        func = option(func)
    return func


def _from_file(path: Path) -> tuple[Criterion, ...]:
    """Criteria in the project file's words, each checked as the project's are."""
    from pydantic import ValidationError

    from dossier.analysis.assays import suitability_criterion, validity_criterion
    from dossier.core.diagnostics import Diagnostic, Severity
    from dossier.core.errors import UserError
    from dossier.load.yaml_source import load_yaml
    from dossier.model.potency import SystemSuitability, ValidityCriterion

    doc = load_yaml(path)

    def refuse(where: tuple[str | int, ...], message: str) -> UserError:
        hint = "write the criteria as in the project file (see docs/reference.md)"
        return UserError(Diagnostic("DOS-S106", Severity.ERROR, message, doc.locate(where), hint))

    data = doc.data
    if set(data) - {"validity_criteria", "system_suitability"}:
        raise refuse((), "give only 'validity_criteria' and/or 'system_suitability' lists")
    out: list[Criterion] = []
    for key, model in (
        ("validity_criteria", ValidityCriterion),
        ("system_suitability", SystemSuitability),
    ):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise refuse((key,), f"'{key}' is not a list")
        for i, item in enumerate(items):
            try:
                entry = model.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = (key, i, *(p for p in first["loc"] if isinstance(p, str | int)))
                raise refuse(where, f"{key}[{i}]: {first['msg']}") from None
            if isinstance(entry, ValidityCriterion):
                out.append(validity_criterion(entry))
            else:
                out.append(suitability_criterion(entry))
    return tuple(out)


def _check_models(criteria: tuple[Criterion, ...], model: str) -> None:
    """A criterion the model cannot judge is a usage error."""
    from dossier.compute.potency import models
    from dossier.model.potency import CRITERION_MODELS, SUITABILITY_MODELS

    name = next(m.name for m in models.POTENCY_MODELS if m.cli_name == model)
    for c in criteria:
        table = SUITABILITY_MODELS if c.suitability else CRITERION_MODELS
        allowed = table.get(c.name)
        if allowed is not None and name not in allowed:
            names = (
                ", ".join(m.cli_name for m in models.POTENCY_MODELS if m.name in allowed)
                or "none computed"
            )
            raise click.UsageError(
                f"criterion '{c.name}' cannot be judged for the {model} model (it applies to: "
                f"{names})"
            )


def build_criteria(
    model: str, alpha: float, **options: Any
) -> tuple[tuple[Criterion, ...], Similarity]:
    """The declared criteria of the command line, and how similarity is judged."""
    from dossier.compute.potency.criteria import (
        SIMILARITY,
        Criterion,
        similarity_by_equivalence,
    )

    criteria: list[Criterion] = []
    if options.get("criteria_file") is not None:
        criteria += _from_file(options["criteria_file"])
    margins = {
        "slope_ratio": _pair(options.get("slope_ratio"), "--slope-ratio"),
        "slope_difference": _pair(options.get("slope_difference"), "--slope-difference"),
        "asymptote_difference": _pair(
            options.get("asymptote_difference"), "--asymptote-difference"
        ),
    }
    if margins["slope_ratio"] is not None and margins["slope_ratio"][0] <= 0:
        raise click.BadParameter("a ratio's margins must be > 0", param_hint="--slope-ratio")
    criteria += [
        Criterion(name, "equivalence", pair[0], pair[1]) for name, pair in margins.items() if pair
    ]
    if options.get("ci_width_ratio") is not None:
        criteria.append(Criterion("ci_width_ratio", "limit", upper=options["ci_width_ratio"]))
    if options.get("r_squared") is not None:
        criteria.append(Criterion("r_squared", "limit", lower=options["r_squared"]))
    similarity: Similarity | None = options.get("similarity")
    has_margins = any(c.name in SIMILARITY and c.method == "equivalence" for c in criteria)
    if similarity == "equivalence" and not has_margins:
        raise click.UsageError(
            "--similarity equivalence needs margins: --slope-ratio, --slope-difference, "
            "--asymptote-difference (4PL, 5PL) or a --criteria file"
        )
    if similarity == "f-test" and not any(c.name == "non_parallelism" for c in criteria):
        criteria.insert(0, Criterion("non_parallelism", "significance", alpha=alpha))
    if similarity == "equivalence":
        criteria = [
            c for c in criteria if not (c.name == "non_parallelism" and c.method == "significance")
        ]
    if similarity == "equivalence" and model == "slope-ratio":
        raise click.UsageError("the slope-ratio model has no similarity by equivalence")
    _check_models(tuple(criteria), model)
    judged_by: Similarity = "equivalence" if similarity_by_equivalence(criteria) else "f-test"
    return tuple(criteria), judged_by


def judged(
    criteria: tuple[Criterion, ...], analysis: PotencyAnalysis, data: DoseResponseData
) -> tuple[PotencyAnalysis, tuple[Outcome, ...]]:
    """The analysis with the criteria's verdict folded in, and the declared outcomes."""
    from dataclasses import replace

    from dossier.compute.potency.criteria import evaluate, judge

    outcomes = evaluate(criteria, analysis, data)
    judgement = judge(analysis, outcomes)
    results = tuple(
        replace(r, valid=False, reasons=(*r.reasons, *judgement.preparation_reasons[r.preparation]))
        if r.preparation in judgement.preparation_reasons
        else r
        for r in analysis.results
    )
    folded = replace(
        analysis,
        valid=judgement.valid,
        reasons=(*analysis.reasons, *judgement.reasons),
        results=results,
    )
    return folded, tuple(o for o in outcomes if o.kind != "model")


def criteria_json(outcomes: tuple[Outcome, ...]) -> list[dict[str, Any]]:
    """``criteria`` of the JSON output: one entry per criterion (and preparation)."""
    import math

    def number(value: float | None) -> float | None:
        return value if value is not None and math.isfinite(value) else None

    return [
        {
            "name": o.criterion,
            "quantity": o.quantity,
            "kind": o.kind,
            "preparation": o.preparation,
            "value": number(o.value),
            "ci": None if o.ci is None else [number(o.ci[0]), number(o.ci[1])],
            "confidence": o.confidence,
            "limits": [o.lower, o.upper],
            "limit": o.limit,
            "met": o.met,
            "decides": o.decides,
            "reason": o.reason,
        }
        for o in outcomes
    ]


def print_criteria(outcomes: tuple[Outcome, ...]) -> None:
    """The declared criteria, one line each."""
    if not outcomes:
        return
    click.echo("")
    click.echo("  declared criteria:")
    for o in outcomes:
        verdict = (
            "n/a" if not o.decides else "pass" if o.met else "n/a" if o.met is None else "FAIL"
        )
        click.echo(f"    {verdict:<5} {o.reason}" + (f"  ({o.limit})" if o.limit else ""))
