"""Scaling an animal dose to a human dose, step by step, with units kept explicit.

Bases:

- ``per-kg``: the per-kg animal dose is the per-kg human dose (cells and vectors are
  usually scaled this way); a per-animal dose is first divided by the animal weight;
- ``bsa``: FDA 2005 Table 1 (body surface area, Km = body weight / surface area, kg/m²).
  By default HED (per kg) = animal dose (per kg) × Km animal / Km human (the Km ratio);
  on request the divisor printed in the table (Km human / Km animal rounded to one
  decimal: 1.8 for the dog where 37/20 = 1.85). Both are computed and shown in the
  steps; the result says which one it uses;
- ``bsa`` with a weight outside the working range: when the animal's weight lies outside
  its Table 1 working range, or the patient's reference weight outside the range of the
  adult and child Km, FDA 2005's weight-adjusted formula (Table 1, footnote) is used with
  a warning: HED (per kg) = animal dose (per kg) × (animal weight / human weight)^0.33;
- ``organ``/``area``: dose × human value / animal value of the organ metric or area;
- ``flat``: the same total dose.

Table 1 prints no working range for the adult (60 kg, Km 37) and the child (20 kg,
Km 25). dossier applies a human Km to the reference weights whose own Km (Km grows with
weight^0.33) stays within ±20 % of it, as the animal working ranges of Table 1 do (their
ends lie between −26 % and +27 % of the reference Km, most within ±20 %): the adult Km to
30.5–104 kg, the child Km to 10.2–34.8 kg. A paediatric population takes the child Km
inside its range, the adult Km inside the adult range (adolescents), and the
weight-adjusted formula otherwise (a 5 kg infant never gets the adult Km).

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
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Literal

from dossier.core.numfmt import number

__all__ = [
    "HUMAN_KM_TOLERANCE",
    "WEIGHT_EXPONENT",
    "DoseScaling",
    "ScaleStep",
    "Species",
    "UnknownSpecies",
    "find_species",
    "human_km_range",
    "human_reference",
    "scale_dose",
    "species_table",
]

Basis = Literal["per-kg", "bsa", "organ", "area", "flat"]
KmFactor = Literal["km-ratio", "table-divisor"]
Population = Literal["adult", "paediatric"]
Method = Literal["per-kg", "km-ratio", "table-divisor", "weight-adjusted", "organ", "area", "flat"]
"""How the human dose was obtained: the basis actually used."""

HUMAN_KM_TOLERANCE = 0.20
"""A human Km of Table 1 applies while the patient's own Km is within ±20 % of it."""
WEIGHT_EXPONENT = 0.33
"""FDA 2005, Table 1 footnote: HED = animal dose × (animal weight / human weight)^0.33."""
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
    used: bool = True
    """False for a cross-check that is shown but does not give the result."""


@dataclass(frozen=True, slots=True)
class DoseScaling:
    """The human equivalent dose with every step and the warnings.

    ``method`` is the basis actually used (``km-ratio``, ``table-divisor`` or
    ``weight-adjusted`` for a ``bsa`` request) and ``basis_text`` says it in words with
    its source; ``factor`` is what the per-kg animal dose was multiplied by.
    """

    human_equivalent_dose: float
    unit: str
    basis: Basis
    factor: float
    steps: tuple[ScaleStep, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    human_total: float | None = None
    method: Method = "per-kg"
    basis_text: str = ""
    method_warnings: tuple[str, ...] = ()
    """The warnings about the method itself (a weight outside the range of its Km, a
    divisor asked for a child), also in ``warnings``."""


def _per_kg_unit(unit: str) -> tuple[str, bool]:
    """(unit without a per-kg suffix, whether it was per kg)."""
    u = unit.strip()
    for suffix in ("/kg", " per kg", "/ kg"):
        if u.endswith(suffix):
            return u[: -len(suffix)].strip(), True
    return u, False


def human_km_range(row: Species) -> tuple[float, float]:
    """The weights (kg) a human Km of Table 1 is applied to: those whose own Km
    (proportional to weight^0.33) is within ±20 % of it."""
    power = 1 / WEIGHT_EXPONENT
    ref = row.reference_weight_kg
    return ref * (1 - HUMAN_KM_TOLERANCE) ** power, ref * (1 + HUMAN_KM_TOLERANCE) ** power


def human_reference(population: Population, weight_kg: float) -> Species | None:
    """The Table 1 human row (adult or child) whose Km applies to a patient of
    ``weight_kg``, or None when neither does (the weight-adjusted formula then applies).

    A paediatric population takes the child Km inside its range, else the adult Km
    inside the adult range (adolescents); an adult population only the adult Km."""
    adult, child = find_species("human"), find_species("child")
    for row in (child, adult) if population == "paediatric" else (adult,):
        low, high = human_km_range(row)
        if low <= weight_kg <= high:
            return row
    return None


def _who(row: Species) -> str:
    return "adult" if row.name == "human" else "child"


def _range_text(low: float, high: float) -> str:
    return f"{low:.3g}–{high:.3g} kg"


def _bsa(
    sp: Species,
    dose_kg: float,
    amount: str,
    *,
    animal_weight_kg: float | None,
    human_weight_kg: float,
    km: KmFactor,
    population: Population,
) -> tuple[float, Method, str, list[ScaleStep], list[str]]:
    """(HED per kg, method, basis in words, steps, warnings) of a BSA request."""
    if sp.divide_by is None:
        raise ValueError(f"FDA 2005 Table 1 gives no conversion factor for '{sp.name}'")
    steps: list[ScaleStep] = []
    warnings: list[str] = []
    unit = f"{amount}/kg"
    animal_w = animal_weight_kg or sp.reference_weight_kg
    low, high = sp.weight_range_kg or (0.0, math.inf)
    animal_in = low <= animal_w <= high
    human = human_reference(population, human_weight_kg)
    steps.append(
        ScaleStep(
            "animal Km",
            sp.km,
            "kg/m²",
            f"FDA 2005 Table 1, {sp.name}: {sp.reference_weight_kg:g} kg reference, "
            f"working range {_range_text(low, high)}; animal weight {animal_w:g} kg"
            + ("" if animal_weight_kg else " (reference weight, none given)"),
        )
    )
    reasons: list[str] = []
    if not animal_in:
        reasons.append(
            f"the {sp.name} weight {animal_w:g} kg is outside its FDA 2005 Table 1 working "
            f"range {_range_text(low, high)}"
        )
    if human is None:
        ranges = "; ".join(
            f"{_who(r)} Km {r.km:g}: {_range_text(*human_km_range(r))}"
            for r in (
                (find_species("child"), find_species("human"))
                if population == "paediatric"
                else (find_species("human"),)
            )
        )
        reasons.append(
            f"the {population} patient reference weight {human_weight_kg:g} kg is outside "
            f"the weights a Table 1 human Km applies to ({ranges})"
        )
    else:
        h_low, h_high = human_km_range(human)
        steps.append(
            ScaleStep(
                "human Km",
                human.km,
                "kg/m²",
                f"FDA 2005 Table 1, {_who(human)} ({human.reference_weight_kg:g} kg reference; "
                f"applied to {_range_text(h_low, h_high)}); patient {human_weight_kg:g} kg",
            )
        )
    ratio = sp.km / human.km if human is not None else None
    divisor_applies = human is not None and human.name == "human"
    if km == "table-divisor" and human is not None and not divisor_applies:
        warnings.append(
            "the FDA 2005 Table 1 divisors assume a 60 kg adult; the child Km ratio is used "
            "for this paediatric patient"
        )
    if reasons:
        method: Method = "weight-adjusted"
    elif km == "table-divisor" and divisor_applies:
        method = "table-divisor"
    else:
        method = "km-ratio"
    if ratio is not None and human is not None:
        steps.append(
            ScaleStep("Km ratio", ratio, "", f"{sp.km:g} / {human.km:g}", used=method == "km-ratio")
        )
        if divisor_applies:
            off = (1 / sp.divide_by) / ratio - 1
            steps.append(
                ScaleStep(
                    "Table 1 divisor",
                    sp.divide_by,
                    "",
                    f"printed for the {sp.name}: 1 / {sp.divide_by:g} = "
                    f"{1 / sp.divide_by:.4g}, {100 * off:+.1f} % from the Km ratio",
                    used=method == "table-divisor",
                )
            )
        steps.append(
            ScaleStep(
                "human equivalent dose, Km ratio"
                + (" (used)" if method == "km-ratio" else " (cross-check)"),
                dose_kg * ratio,
                unit,
                f"{number(dose_kg, 4)} × {sp.km:g} / {human.km:g} "
                f"(Km {sp.name} / Km {_who(human)})",
                used=method == "km-ratio",
            )
        )
        if divisor_applies:
            steps.append(
                ScaleStep(
                    "human equivalent dose, Table 1 divisor"
                    + (" (used)" if method == "table-divisor" else " (cross-check)"),
                    dose_kg / sp.divide_by,
                    unit,
                    f"{number(dose_kg, 4)} / {sp.divide_by:g} (Table 1 divisor)",
                    used=method == "table-divisor",
                )
            )
    if method == "weight-adjusted":
        # the Km steps stay in the table as a cross-check of the formula
        steps = [replace(step, used=False) for step in steps]
    adjusted = (animal_w / human_weight_kg) ** WEIGHT_EXPONENT
    if method == "weight-adjusted":
        steps.append(
            ScaleStep(
                "weight-adjusted factor",
                adjusted,
                "",
                f"({animal_w:g} kg / {human_weight_kg:g} kg)^{WEIGHT_EXPONENT:g} "
                "(FDA 2005 Table 1 footnote)",
            )
        )
        steps.append(
            ScaleStep(
                "human equivalent dose, weight-adjusted formula (used)",
                dose_kg * adjusted,
                unit,
                f"{number(dose_kg, 4)} × ({animal_w:g} kg / {human_weight_kg:g} kg)^"
                f"{WEIGHT_EXPONENT:g} = {number(dose_kg, 4)} × {adjusted:.4g}",
            )
        )
        why = " and ".join(reasons)
        warnings.append(f"{why}: the FDA 2005 weight-adjusted formula is used")
        text = (
            f"body surface area by the FDA 2005 weight-adjusted formula, dose × "
            f"({animal_w:g} kg / {human_weight_kg:g} kg)^{WEIGHT_EXPONENT:g} = × {adjusted:.4g}, "
            f"because {why}"
        )
        return dose_kg * adjusted, method, text, steps, warnings
    assert human is not None
    assert ratio is not None
    patient = (
        f" (the Table 1 child Km, for the {human_weight_kg:g} kg patient reference weight)"
        if human.name == "child"
        else ""
    )
    if method == "table-divisor":
        text = (
            f"body surface area by the FDA 2005 Table 1 divisor for the {sp.name}, dose / "
            f"{sp.divide_by:g} (the Km ratio {sp.km:g}/{human.km:g} = {ratio:.4g} is shown "
            "as a cross-check)"
        )
        return dose_kg / sp.divide_by, method, text, steps, warnings
    text = (
        f"body surface area by the Km ratio of FDA 2005 Table 1, {sp.name} Km {sp.km:g} / "
        f"{_who(human)} Km {human.km:g} = {ratio:.4g}{patient}"
    )
    return dose_kg * ratio, method, text, steps, warnings


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
    km: KmFactor = "km-ratio",
    population: Population = "adult",
) -> DoseScaling:
    """Scale ``dose`` (in ``unit``) from ``species`` to humans on ``basis``.

    ``human_weight_kg`` is the patient's reference weight: it gives the total dose, and
    for ``bsa`` it chooses the Table 1 human Km (adult, or child for a ``paediatric``
    population) or the weight-adjusted formula. ``km`` chooses the Km ratio (default) or
    the rounded Table 1 divisor; both are in the steps."""
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
        method: Method
        method_warnings: tuple[str, ...] = ()
        if basis == "per-kg":
            hed, factor, method = dose_kg, 1.0, "per-kg"
            text = "per kg body weight, the per-kg animal dose taken as the per-kg human dose"
            steps.append(
                ScaleStep(
                    "human equivalent dose (per kg)", hed, f"{amount}/kg", "per-kg dose unchanged"
                )
            )
        else:
            hed, method, text, bsa_steps, bsa_warnings = _bsa(
                sp,
                dose_kg,
                amount,
                animal_weight_kg=animal_weight_kg,
                human_weight_kg=human_weight_kg,
                km=km,
                population=population,
            )
            factor = hed / dose_kg if dose_kg else 0.0
            steps.extend(bsa_steps)
            warnings.extend(bsa_warnings)
            method_warnings = tuple(bsa_warnings)
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
        return DoseScaling(
            hed,
            f"{amount}/kg",
            basis,
            factor,
            tuple(steps),
            tuple(warnings),
            total,
            method=method,
            basis_text=text,
            method_warnings=method_warnings,
        )
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
        return DoseScaling(
            hed,
            unit,
            basis,
            factor,
            tuple(steps),
            tuple(warnings),
            None,
            method=basis,  # type: ignore[arg-type]
            basis_text=f"{basis} scaling, dose × human value / animal value",
        )
    steps.append(ScaleStep("human dose (flat)", dose, unit, "same total dose"))
    return DoseScaling(
        dose,
        unit,
        basis,
        1.0,
        tuple(steps),
        tuple(warnings),
        None,
        method="flat",
        basis_text="flat, the same total dose",
    )
