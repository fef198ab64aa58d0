"""Scaling an animal dose to a human dose, step by step, with units kept explicit.

Bases:

- ``per-kg``: the per-kg animal dose is the per-kg human dose (cells and vectors are
  usually scaled this way); a per-animal dose is first divided by the animal weight;
- ``bsa``: FDA 2005 Table 1 (body surface area): HED (per kg) = animal dose (per kg) /
  the printed factor (Km human / Km animal, rounded as in the guidance);
- ``organ``/``area``: dose × human value / animal value of the organ metric or area;
- ``flat``: the same total dose.

BSA scaling of a cell or vector product is allowed but flagged: the 2005 guidance was
written for small molecules and biologics, and ATMP exposure follows expansion,
persistence and transduction rather than clearance.
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

__all__ = [
    "DoseScaling",
    "ScaleStep",
    "Species",
    "UnknownSpecies",
    "find_species",
    "scale_dose",
    "species_table",
]

Basis = Literal["per-kg", "bsa", "organ", "area", "flat"]
_COUNT_UNITS = re.compile(r"\b(cells?|vg|gc|GC|TU|PFU|TCID50|vp|spheroids?|CAR\+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Species:
    """One row of FDA 2005 Table 1."""

    name: str
    aliases: tuple[str, ...]
    reference_weight_kg: float
    weight_range_kg: tuple[float, float] | None
    bsa_m2: float
    km: float
    divide_by: float | None
    multiply_by: float | None


class UnknownSpecies(ValueError):
    """A species name that is not in FDA 2005 Table 1 (with the closest names)."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"species '{name}' is not in FDA 2005 Table 1{hint}")


@functools.cache
def species_table() -> tuple[Species, ...]:
    """FDA 2005 Table 1 as shipped in ``dossier/compute/data/fda2005_km.csv``."""
    text = resources.files("dossier.compute").joinpath("data", "fda2005_km.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    out = []
    for row in csv.DictReader(lines):
        rng = row["weight_range_kg"]
        out.append(
            Species(
                name=row["species"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                reference_weight_kg=float(row["reference_weight_kg"]),
                weight_range_kg=tuple(float(v) for v in rng.split("-")) if rng else None,  # type: ignore[arg-type]
                bsa_m2=float(row["bsa_m2"]),
                km=float(row["km"]),
                divide_by=float(row["divide_by"]) if row["divide_by"] else None,
                multiply_by=float(row["multiply_by"]) if row["multiply_by"] else None,
            )
        )
    return tuple(out)


def find_species(name: str) -> Species:
    """A species by name or alias, case-insensitive ("Guinea pig", "cynomolgus")."""
    key = " ".join(name.strip().lower().replace("_", " ").split())
    names: dict[str, Species] = {}
    for sp in species_table():
        names[sp.name] = sp
        for alias in sp.aliases:
            names[alias.lower()] = sp
    if key in names:
        return names[key]
    raise UnknownSpecies(name, difflib.get_close_matches(key, list(names), n=3, cutoff=0.5))


@dataclass(frozen=True, slots=True)
class ScaleStep:
    """One step of the derivation, for the dose-rationale table."""

    label: str
    value: float
    unit: str
    formula: str


@dataclass(frozen=True, slots=True)
class DoseScaling:
    """The human equivalent dose with every step and the warnings."""

    human_equivalent_dose: float
    unit: str
    basis: Basis
    factor: float
    steps: tuple[ScaleStep, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    human_total: float | None = None


def _per_kg_unit(unit: str) -> tuple[str, bool]:
    """(unit without a per-kg suffix, whether it was per kg)."""
    u = unit.strip()
    for suffix in ("/kg", " per kg", "/ kg"):
        if u.endswith(suffix):
            return u[: -len(suffix)].strip(), True
    return u, False


def scale_dose(
    species: str,
    dose: float,
    unit: str,
    basis: Basis,
    *,
    animal_weight_kg: float | None = None,
    human_weight_kg: float = 60.0,
    animal_value: float | None = None,
    human_value: float | None = None,
) -> DoseScaling:
    """Scale ``dose`` (in ``unit``) from ``species`` to humans on ``basis``."""
    if not math.isfinite(dose):
        raise ValueError(f"the dose must be a finite number, not {dose:g}")
    if dose < 0:
        raise ValueError("the dose must not be negative")
    for name, value in (
        ("animal weight", animal_weight_kg),
        ("human weight", human_weight_kg),
        ("animal value", animal_value),
        ("human value", human_value),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"the {name} must be a positive number, not {value:g}")
    sp = find_species(species)
    amount, per_kg = _per_kg_unit(unit)
    steps: list[ScaleStep] = []
    warnings: list[str] = []
    is_atmp = bool(_COUNT_UNITS.search(amount))
    if basis in {"per-kg", "bsa"}:
        if per_kg:
            dose_kg = dose
        else:
            weight = animal_weight_kg or sp.reference_weight_kg
            dose_kg = dose / weight
            source = "given" if animal_weight_kg else f"FDA 2005 reference weight of a {sp.name}"
            steps.append(
                ScaleStep(
                    "animal dose per kg",
                    dose_kg,
                    f"{amount}/kg",
                    f"{dose:g} {amount} / {weight:g} kg ({source})",
                )
            )
        if basis == "per-kg":
            hed, factor = dose_kg, 1.0
            steps.append(
                ScaleStep(
                    "human equivalent dose (per kg)", hed, f"{amount}/kg", "per-kg dose unchanged"
                )
            )
        else:
            if sp.divide_by is None:
                raise ValueError(f"FDA 2005 Table 1 gives no conversion factor for '{sp.name}'")
            factor = 1 / sp.divide_by
            hed = dose_kg / sp.divide_by
            km_human = find_species("human").km
            steps.append(
                ScaleStep(
                    "human equivalent dose (BSA)",
                    hed,
                    f"{amount}/kg",
                    f"{dose_kg:.4g} / {sp.divide_by:g} (FDA 2005 Table 1; "
                    f"Km {sp.km:g}/{km_human:g} = {sp.km / km_human:.4g})",
                )
            )
            if is_atmp:
                warnings.append(
                    "BSA (Km) scaling applied to a cell or vector product: the FDA 2005 method was "
                    "written for small molecules and biologics; justify it or use per-kg, organ "
                    "or flat scaling"
                )
        total = hed * human_weight_kg
        steps.append(
            ScaleStep(
                f"human total dose ({human_weight_kg:g} kg)",
                total,
                amount,
                f"{hed:.4g} × {human_weight_kg:g} kg",
            )
        )
        return DoseScaling(hed, f"{amount}/kg", basis, factor, tuple(steps), tuple(warnings), total)
    if basis in {"organ", "area"}:
        if not animal_value or not human_value:
            raise ValueError(f"{basis} scaling needs the animal and the human value of the {basis}")
        factor = human_value / animal_value
        hed = dose * factor
        steps.append(
            ScaleStep(
                f"human dose ({basis})",
                hed,
                unit,
                f"{dose:g} {unit} × {human_value:g} / {animal_value:g}",
            )
        )
        return DoseScaling(hed, unit, basis, factor, tuple(steps), tuple(warnings), None)
    steps.append(ScaleStep("human dose (flat)", dose, unit, "same total dose"))
    return DoseScaling(dose, unit, basis, 1.0, tuple(steps), tuple(warnings), None)
