"""The first-in-human dose derivation of a project: scaled limits, estimates, verdicts.

Every input (NOAEL/HNSTD, MED/PAD, MABEL, prior human dose) is scaled to a human dose
on the project's declared basis, step by step:

- ``per_kg``: a per-kg animal dose is the per-kg human dose; a per-animal dose is first
  divided by the animal body weight;
- ``organ_mass`` / ``organ_volume`` / ``area``: dose × (human value / animal value) of the
  organ metric given with the input;
- ``flat``: the same total dose;
- ``bsa``: the FDA 2005 Table 1 conversion (:func:`dossier.compute.dose.scale_dose`),
  which needs a species of that table: the Km ratio, or the table's divisor when
  ``scaling.bsa_factor`` asks for it, to the adult or child Km that the patients'
  reference weight and ``scaling.population`` select; FDA 2005's weight-adjusted
  formula when a weight is outside the range of its Km (warning ``DOS-A021``). Every
  human equivalent dose computed (the one used and the cross-checks) is a row of the
  derivation.

The basis each input was actually scaled on is recorded with it
(:class:`~dossier.analysis.results.DoseBasis`), for the drafts to state.

The safety limit is the lowest scaled NOAEL/HNSTD divided by the safety factor; the most
conservative estimate is the lowest of that limit and the activity-based estimates.
Doses are compared only in the same unit; otherwise the comparison is reported as not
possible, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dossier.analysis.results import DoseBasis, DoseStep, FihComputed
from dossier.analysis.verdicts import Verdict
from dossier.core.diagnostics import Diagnostic, Severity
from dossier.core.numfmt import number

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.model.clinical import DoseInput, FihDose
    from dossier.model.project_io import LoadedProject

__all__ = ["run"]

_METRIC_WORDS = {
    "brain_g": "brain mass",
    "csf_ml": "CSF volume",
    "liver_g": "liver mass",
    "retina_mm2": "retinal area",
    "defect_cm2": "defect area",
    "tumour_ml": "tumour volume",
    "other": "value of the organ metric",
}

# a start dose equal to a limit up to rounding is at the limit
_TOLERANCE = 1 + 1e-9


def _at_or_below(dose: float | None, limit: float | None) -> Verdict:
    if dose is None or limit is None:
        return Verdict.NOT_ASSESSED
    return Verdict.of(dose <= limit * _TOLERANCE)


def _norm(unit: str) -> str:
    return re.sub(r"\s+", " ", unit.strip().replace(" per ", "/").replace("µ", "u"))


def _per_kg(unit: str) -> bool:
    return _norm(unit).endswith("/kg")


def _per_animal_base(unit: str) -> str:
    unit = _norm(unit)
    for suffix in ("/animal", "/mouse", "/rat"):
        if unit.endswith(suffix):
            return unit[: -len(suffix)]
    return unit


@dataclass(frozen=True, slots=True)
class _Scaled:
    """One input scaled: the human dose used, the rows of the table, the basis used."""

    value: float | None
    unit: str
    rows: tuple[tuple[str, float | None, str, str], ...]
    """(label, value, unit, formula) of each dose row; the used one gives ``value``."""
    method: str
    basis: str
    warnings: tuple[str, ...] = ()


def _one(value: float | None, unit: str, formula: str, method: str, basis: str) -> _Scaled:
    return _Scaled(value, unit, (("human equivalent dose", value, unit, formula),), method, basis)


def _scale(inp: DoseInput, fih: FihDose) -> _Scaled:
    """The human dose of one input on the project's basis, with the basis used."""
    basis = fih.scaling.basis
    value, unit = inp.dose.value, inp.dose.unit
    if inp.approach == "prior_human_experience" or (inp.species or "").lower() == "human":
        return _one(
            value, _norm(unit), "human dose, used as given", "human", "human dose, used as given"
        )
    if basis == "per_kg":
        if _per_kg(unit):
            return _one(
                value,
                _norm(unit),
                f"{number(value)} {unit} (per kg, unchanged)",
                "per-kg",
                "per kg body weight, the per-kg animal dose taken as the per-kg human dose",
            )
        if inp.animal_body_weight_kg:
            base = _per_animal_base(unit)
            scaled = value / inp.animal_body_weight_kg
            return _one(
                scaled,
                f"{base}/kg",
                f"{number(value)} {unit} / {inp.animal_body_weight_kg:g} kg",
                "per-kg",
                f"per kg body weight, the dose per animal divided by the "
                f"{inp.animal_body_weight_kg:g} kg animal weight taken as the per-kg human dose",
            )
        reason = "per-kg scaling needs a per-kg dose or the animal body weight"
        return _one(None, _norm(unit), reason, "not-scaled", f"not scaled ({reason})")
    if basis in {"organ_mass", "organ_volume", "area"}:
        words = basis.replace("_", " ")
        if inp.organ is None:
            reason = "organ/area scaling needs the organ values of the input"
            return _one(None, _norm(unit), reason, "not-scaled", f"not scaled ({reason})")
        factor = inp.organ.human_value / inp.organ.animal_value
        metric = _METRIC_WORDS[inp.organ.metric]
        return _one(
            value * factor,
            _norm(unit),
            f"{number(value)} {unit} × {inp.organ.human_value:g}/{inp.organ.animal_value:g}",
            "area" if basis == "area" else "organ",
            f"{words}, dose × human / animal {metric} "
            f"({inp.organ.human_value:g} / {inp.organ.animal_value:g})",
        )
    if basis == "flat":
        return _one(
            value,
            _norm(unit),
            f"{number(value)} {unit} (same total dose)",
            "flat",
            "flat, the same total dose",
        )
    from dossier.compute.dose import UnknownSpecies, scale_dose

    if not inp.species:
        reason = "BSA scaling needs the species of the input"
        return _one(None, _norm(unit), reason, "not-scaled", f"not scaled ({reason})")
    scaling = fih.scaling
    try:
        result = scale_dose(
            inp.species,
            value,
            unit,
            "bsa",
            animal_weight_kg=inp.animal_body_weight_kg,
            human_weight_kg=scaling.human_body_weight_kg,
            km="table-divisor" if scaling.bsa_factor == "table_divisor" else "km-ratio",
            population=scaling.population,
        )
    except (UnknownSpecies, ValueError) as exc:
        reason = f"BSA scaling not possible: {exc}"
        return _one(None, _norm(unit), reason, "not-scaled", f"not scaled ({reason})")
    hed_unit = _norm(result.unit)
    # the human equivalent doses (used and cross-checks); the Km values, ratio, divisor
    # and factor are written into their formulas
    rows = tuple(
        (step.label, step.value, hed_unit, step.formula)
        for step in result.steps
        if step.label.startswith("human equivalent dose")
    )
    return _Scaled(
        result.human_equivalent_dose,
        hed_unit,
        rows,
        result.method,
        result.basis_text,
        result.method_warnings,
    )


def run(loaded: LoadedProject, computed: ComputedProject) -> None:
    """Scale every input and judge the proposed start dose."""
    fih = loaded.project.fih_dose
    if fih is None:
        return
    target = _norm(fih.proposed_start_dose.unit)
    result = FihComputed(unit=fih.proposed_start_dose.unit, start=fih.proposed_start_dose.value)
    safety: list[float] = []
    activity: list[float] = []
    for i, inp in enumerate(fih.inputs):
        scaled = _scale(inp, fih)
        human, unit = scaled.value, scaled.unit
        source = f"study {inp.study}" if inp.study else (inp.description or "project file")
        for label, value, row_unit, formula in scaled.rows:
            result.steps.append(
                DoseStep(inp.id, inp.approach, label, value, row_unit, formula, source)
            )
        result.bases.append(DoseBasis(inp.id, scaled.method, scaled.basis))
        for warning in scaled.warnings:
            computed.diagnostics.append(
                Diagnostic(
                    "DOS-A021",
                    Severity.WARNING,
                    f"dose input '{inp.id}': {warning}",
                    loaded.locate(("fih_dose", "inputs", i)),
                    "check the animal and patient weights; the derivation shows the Km "
                    "ratio as a cross-check",
                )
            )
        if human is None:
            continue
        if unit != target:
            result.incomparable.append(inp.id)
            computed.diagnostics.append(
                Diagnostic(
                    "DOS-A020",
                    Severity.WARNING,
                    f"dose input '{inp.id}' scales to {unit}, but the start dose is in "
                    f"{fih.proposed_start_dose.unit}: they cannot be compared",
                    loaded.locate(("fih_dose", "inputs", i, "dose", "unit")),
                    "express the inputs so that they scale to the clinical dose unit",
                )
            )
            continue
        if inp.approach in {"noael", "hnstd"}:
            limit = human / fih.safety_factor.value
            safety.append(limit)
            result.steps.append(
                DoseStep(
                    inp.id,
                    inp.approach,
                    "scaled safety limit",
                    limit,
                    unit,
                    f"{number(human)} / safety factor {fih.safety_factor.value:g}",
                    source,
                )
            )
        else:
            activity.append(human)
    result.safety_limit = min(safety) if safety else None
    candidates = [*safety, *activity]
    result.most_conservative = min(candidates) if candidates else None
    result.start_within_limit = _at_or_below(result.start, result.safety_limit)
    result.start_at_or_below_most_conservative = _at_or_below(
        result.start, result.most_conservative
    )
    computed.fih = result
