"""The first-in-human dose derivation of a project: scaled limits, estimates, verdicts.

Every input (NOAEL/HNSTD, MED/PAD, MABEL, prior human dose) is scaled to a human dose
on the project's declared basis, step by step:

- ``per_kg``: a per-kg animal dose is the per-kg human dose; a per-animal dose is first
  divided by the animal body weight;
- ``organ_mass`` / ``organ_volume`` / ``area``: dose × (human value / animal value) of the
  organ metric given with the input;
- ``flat``: the same total dose;
- ``bsa``: the FDA 2005 Table 1 conversion (:func:`dossier.compute.dose.scale_dose`),
  which needs a species of that table.

The safety limit is the lowest scaled NOAEL/HNSTD divided by the safety factor; the most
conservative estimate is the lowest of that limit and the activity-based estimates.
Doses are compared only in the same unit; otherwise the comparison is reported as not
possible, never guessed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dossier.analysis.results import DoseStep, FihComputed
from dossier.analysis.verdicts import Verdict
from dossier.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.model.clinical import DoseInput, FihDose
    from dossier.model.project_io import LoadedProject

__all__ = ["run"]

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


def _scale(inp: DoseInput, fih: FihDose) -> tuple[float | None, str, str]:
    """(human dose, its unit, formula) for one input on the project's basis."""
    basis = fih.scaling.basis
    value, unit = inp.dose.value, inp.dose.unit
    if inp.approach == "prior_human_experience" or (inp.species or "").lower() == "human":
        return value, _norm(unit), "human dose, used as given"
    if basis == "per_kg":
        if _per_kg(unit):
            return value, _norm(unit), f"{value:.3g} {unit} (per kg, unchanged)"
        if inp.animal_body_weight_kg:
            base = _per_animal_base(unit)
            scaled = value / inp.animal_body_weight_kg
            return scaled, f"{base}/kg", f"{value:.3g} {unit} / {inp.animal_body_weight_kg:g} kg"
        return None, _norm(unit), "per-kg scaling needs a per-kg dose or the animal body weight"
    if basis in {"organ_mass", "organ_volume", "area"}:
        if inp.organ is None:
            return None, _norm(unit), "organ/area scaling needs the organ values of the input"
        factor = inp.organ.human_value / inp.organ.animal_value
        return (
            value * factor,
            _norm(unit),
            f"{value:.3g} {unit} × {inp.organ.human_value:g}/{inp.organ.animal_value:g}",
        )
    if basis == "flat":
        return value, _norm(unit), f"{value:.3g} {unit} (same total dose)"
    from dossier.compute.dose import UnknownSpecies, scale_dose

    if not inp.species:
        return None, _norm(unit), "BSA scaling needs the species of the input"
    try:
        result = scale_dose(
            inp.species, value, unit, "bsa", animal_weight_kg=inp.animal_body_weight_kg
        )
    except (UnknownSpecies, ValueError) as exc:
        return None, _norm(unit), f"BSA scaling not possible: {exc}"
    return result.human_equivalent_dose, _norm(result.unit), result.steps[-2].formula


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
        human, unit, formula = _scale(inp, fih)
        source = f"study {inp.study}" if inp.study else (inp.description or "project file")
        result.steps.append(
            DoseStep(inp.id, inp.approach, "human equivalent dose", human, unit, formula, source)
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
                    f"{human:.3g} / safety factor {fih.safety_factor.value:g}",
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
