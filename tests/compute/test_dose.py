"""Dose scaling against FDA CDER (2005) Table 1 and the documented worked example."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dossier.compute.dose import UnknownSpecies, find_species, human_km_range, scale_dose

# FDA CDER (July 2005), "Estimating the Maximum Safe Starting Dose in Initial Clinical
# Trials for Therapeutics in Adult Healthy Volunteers", Table 1, typed from the guidance:
# species: (reference weight kg, BSA m², Km, divide animal dose by, multiply by)
TABLE_1 = {
    "mouse": (0.02, 0.007, 3, 12.3, 0.081),
    "hamster": (0.08, 0.016, 5, 7.4, 0.135),
    "rat": (0.15, 0.025, 6, 6.2, 0.162),
    "ferret": (0.30, 0.043, 7, 5.3, 0.189),
    "guinea pig": (0.40, 0.05, 8, 4.6, 0.216),
    "rabbit": (1.8, 0.15, 12, 3.1, 0.324),
    "dog": (10, 0.50, 20, 1.8, 0.541),
    "monkey": (3, 0.25, 12, 3.1, 0.324),
    "marmoset": (0.35, 0.06, 6, 6.2, 0.162),
    "squirrel monkey": (0.60, 0.09, 7, 5.3, 0.189),
    "baboon": (12, 0.60, 20, 1.8, 0.541),
    "micro-pig": (20, 0.74, 27, 1.4, 0.730),
    "mini-pig": (40, 1.14, 35, 1.1, 0.946),
}


# HED of 10 mg/kg by the Km ratio, worked by hand from the Km column of Table 1 above and
# the adult human Km 37 (60 kg): 10 × Km animal / 37, to 10 significant digits.
KM_RATIO_HED_OF_10 = {
    "mouse": 0.8108108108,  # 30/37
    "hamster": 1.351351351,  # 50/37
    "rat": 1.621621622,  # 60/37
    "ferret": 1.891891892,  # 70/37
    "guinea pig": 2.162162162,  # 80/37
    "rabbit": 3.243243243,  # 120/37
    "dog": 5.405405405,  # 200/37
    "monkey": 3.243243243,  # 120/37
    "marmoset": 1.621621622,  # 60/37
    "squirrel monkey": 1.891891892,  # 70/37
    "baboon": 5.405405405,  # 200/37
    "micro-pig": 7.297297297,  # 270/37
    "mini-pig": 9.459459459,  # 350/37
}


@pytest.mark.parametrize("name", list(TABLE_1))
def test_every_species_reproduces_table_1(name: str) -> None:
    weight, bsa, km, divide, multiply = TABLE_1[name]
    sp = find_species(name)
    assert (sp.reference_weight_kg, sp.bsa_m2, sp.km, sp.divide_by, sp.multiply_by) == (
        weight,
        bsa,
        km,
        divide,
        multiply,
    )
    # the printed divisors are Km(human 37) / Km(animal) to one decimal (the guidance
    # prints 1.8 for 37/20 = 1.85, so they are within 0.1 rather than strictly rounded)
    assert abs(37 / km - divide) <= 0.1
    # the printed "multiply by" column is the Km ratio to three decimals
    assert round(km / 37, 3) == multiply


@pytest.mark.parametrize("name", list(TABLE_1))
def test_every_species_scales_by_the_km_ratio_by_default(name: str) -> None:
    result = scale_dose(name, 10.0, "mg/kg", "bsa")
    assert result.method == "km-ratio"
    assert result.human_equivalent_dose == pytest.approx(KM_RATIO_HED_OF_10[name], rel=1e-9)
    assert result.factor == pytest.approx(KM_RATIO_HED_OF_10[name] / 10, rel=1e-9)
    assert result.unit == "mg/kg"
    assert result.warnings == ()
    km = TABLE_1[name][2]
    assert f"{name} Km {km:g} / adult Km 37" in result.basis_text
    # both conversions are in the steps, the divisor as a cross-check
    steps = {s.label: s for s in result.steps}
    assert steps["human equivalent dose, Km ratio (used)"].used
    cross = steps["human equivalent dose, Table 1 divisor (cross-check)"]
    assert not cross.used
    assert cross.value == pytest.approx(10.0 / TABLE_1[name][3], rel=1e-12)
    assert steps["Km ratio"].value == pytest.approx(km / 37, rel=1e-12)


@pytest.mark.parametrize("name", list(TABLE_1))
def test_the_table_divisor_on_request(name: str) -> None:
    divide = TABLE_1[name][3]
    result = scale_dose(name, 10.0, "mg/kg", "bsa", km="table-divisor")
    assert result.method == "table-divisor"
    assert result.human_equivalent_dose == pytest.approx(10.0 / divide, rel=1e-12)
    assert result.factor == pytest.approx(1 / divide, rel=1e-12)
    assert f"Table 1 divisor for the {name}, dose / {divide:g}" in result.basis_text
    steps = {s.label: s for s in result.steps}
    assert steps["human equivalent dose, Table 1 divisor (used)"].used
    ratio = steps["human equivalent dose, Km ratio (cross-check)"]
    assert ratio.value == pytest.approx(KM_RATIO_HED_OF_10[name], rel=1e-9)


def test_the_rounded_divisors_differ_from_the_km_ratio_by_up_to_4_percent() -> None:
    # issue 15: dog, baboon, micro-pig and mini-pig are 2-4 % off the Km ratio
    off = {
        name: scale_dose(name, 10.0, "mg/kg", "bsa", km="table-divisor").human_equivalent_dose
        / KM_RATIO_HED_OF_10[name]
        - 1
        for name in TABLE_1
    }
    assert off["mini-pig"] == pytest.approx(37 / 35 / 1.1 - 1)  # -3.9 %
    assert off["dog"] == pytest.approx(37 / 20 / 1.8 - 1)  # +2.8 %
    assert max(abs(v) for v in off.values()) < 0.04


# FDA 2005, Table 1 footnote: HED = animal dose (mg/kg) × (animal weight / human weight)^0.33.
# A 0.4 kg rat (working range 0.080-0.270 kg) given 50 mg/kg, 60 kg human, by hand:
# ln(0.4 / 60) = -5.0106353; × 0.33 = -1.6535097; exp = 0.1913771; × 50 = 9.568853 mg/kg
# (the Km ratio would give 50 × 6 / 37 = 8.108108, the Table 1 divisor 50 / 6.2 = 8.064516).
def test_an_animal_outside_its_working_range_gets_the_weight_adjusted_formula() -> None:
    result = scale_dose("rat", 50.0, "mg/kg", "bsa", animal_weight_kg=0.4)
    assert result.method == "weight-adjusted"
    assert result.human_equivalent_dose == pytest.approx(9.568853, rel=1e-6)
    assert result.factor == pytest.approx(0.1913771, rel=1e-6)
    assert len(result.warnings) == 1
    assert result.method_warnings == result.warnings
    assert (
        "0.4 kg is outside its FDA 2005 Table 1 working range 0.08–0.27 kg" in (result.warnings[0])
    )
    assert "weight-adjusted formula" in result.basis_text
    assert "(0.4 kg / 60 kg)^0.33" in result.basis_text
    steps = {s.label: s for s in result.steps}
    assert steps["human equivalent dose, weight-adjusted formula (used)"].used
    assert steps["human equivalent dose, Km ratio (cross-check)"].value == pytest.approx(
        8.108108, rel=1e-6
    )
    assert not steps["human equivalent dose, Km ratio (cross-check)"].used
    assert steps["human equivalent dose, Table 1 divisor (cross-check)"].value == pytest.approx(
        8.064516, rel=1e-6
    )
    # a requested divisor does not override the formula outside the range
    divisor = scale_dose("rat", 50.0, "mg/kg", "bsa", animal_weight_kg=0.4, km="table-divisor")
    assert divisor.method == "weight-adjusted"
    assert divisor.human_equivalent_dose == pytest.approx(9.568853, rel=1e-6)
    # inside the range the Km ratio holds, whatever the animal's weight
    inside = scale_dose("rat", 50.0, "mg/kg", "bsa", animal_weight_kg=0.25)
    assert inside.method == "km-ratio"
    assert inside.human_equivalent_dose == pytest.approx(8.108108, rel=1e-6)


def test_a_per_animal_dose_outside_the_range_is_divided_by_the_weight_given() -> None:
    # 2 mg to a 0.005 kg mouse (below 0.011 kg): 400 mg/kg, then × (0.005 / 60)^0.33;
    # by hand: ln(0.005 / 60) = -9.3926619, × 0.33 = -3.0995784, exp = 0.0450682
    result = scale_dose("mouse", 2.0, "mg", "bsa", animal_weight_kg=0.005)
    assert result.steps[0].value == pytest.approx(400.0)
    assert result.human_equivalent_dose == pytest.approx(400 * 0.0450682, rel=1e-5)


def test_human_km_ranges() -> None:
    # the weights whose Km (∝ weight^0.33) is within ±20 % of the Table 1 human Km
    adult = human_km_range(find_species("human"))
    child = human_km_range(find_species("child"))
    assert adult == pytest.approx((60 * 0.8 ** (1 / 0.33), 60 * 1.2 ** (1 / 0.33)))
    assert adult == pytest.approx((30.51, 104.25), abs=0.01)
    assert child == pytest.approx((10.17, 34.75), abs=0.01)
    # the same ±20 % holds, about, for the animal working ranges of Table 1 (their ends
    # are within -26 % and +27 % of the reference Km)
    for name in TABLE_1:
        sp = find_species(name)
        assert sp.weight_range_kg is not None
        low, high = (w / sp.reference_weight_kg for w in sp.weight_range_kg)
        assert 0.73 < low**0.33 < 0.86
        assert 1.16 < high**0.33 < 1.28


# Paediatric: Table 1 child Km 25 (20 kg child). A rat dose of 50 mg/kg (0.15 kg, in range):
# 20 kg or 15 kg child: 50 × 6 / 25 = 12 mg/kg; 50 kg adolescent: adult Km, 50 × 6 / 37;
# 5 kg infant (outside the child Km's 10.2-34.8 kg), by hand: ln(0.15 / 5) = -3.5065579,
# × 0.33 = -1.1571641, exp = 0.3143764, × 50 = 15.71882 mg/kg (never 8.108 of the adult Km).
def test_a_child_gets_the_child_km() -> None:
    for weight in (20.0, 15.0):
        result = scale_dose(
            "rat", 50.0, "mg/kg", "bsa", human_weight_kg=weight, population="paediatric"
        )
        assert result.method == "km-ratio"
        assert result.human_equivalent_dose == pytest.approx(12.0, rel=1e-12)
        assert "rat Km 6 / child Km 25" in result.basis_text
        assert f"the {weight:g} kg patient reference weight" in result.basis_text
        assert result.human_total == pytest.approx(12.0 * weight)
        assert result.warnings == ()
    teen = scale_dose("rat", 50.0, "mg/kg", "bsa", human_weight_kg=50.0, population="paediatric")
    assert teen.human_equivalent_dose == pytest.approx(50 * 6 / 37, rel=1e-12)
    assert "adult Km 37" in teen.basis_text


def test_an_infant_gets_the_weight_adjusted_formula_not_the_adult_km() -> None:
    result = scale_dose("rat", 50.0, "mg/kg", "bsa", human_weight_kg=5.0, population="paediatric")
    assert result.method == "weight-adjusted"
    assert result.human_equivalent_dose == pytest.approx(15.71882, rel=1e-6)
    assert result.human_total == pytest.approx(15.71882 * 5, rel=1e-6)
    assert "(0.15 kg / 5 kg)^0.33" in result.basis_text
    assert "paediatric patient reference weight 5 kg is outside" in result.basis_text
    assert "child Km 25: 10.2–34.8 kg" in result.warnings[0]
    # no adult Km anywhere in what the result uses
    assert all("adult" not in s.formula for s in result.steps if s.used)
    # an adult population of 5 kg is refused the adult Km too
    adult = scale_dose("rat", 50.0, "mg/kg", "bsa", human_weight_kg=5.0)
    assert adult.method == "weight-adjusted"


def test_a_divisor_asked_for_a_child_gives_the_child_km_ratio_with_a_warning() -> None:
    result = scale_dose(
        "dog",
        10.0,
        "mg/kg",
        "bsa",
        human_weight_kg=20.0,
        population="paediatric",
        km="table-divisor",
    )
    assert result.method == "km-ratio"
    assert result.human_equivalent_dose == pytest.approx(10 * 20 / 25, rel=1e-12)
    assert result.method_warnings
    assert "assume a 60 kg adult" in result.method_warnings[0]
    # the adult divisor is not shown as a cross-check for a child
    assert not any("Table 1 divisor" in s.label for s in result.steps)


def test_per_kg_scaling_is_exact() -> None:
    for name in TABLE_1:
        result = scale_dose(name, 2.5e13, "vg/kg", "per-kg")
        assert result.human_equivalent_dose == 2.5e13
        assert result.factor == 1.0


def test_documented_worked_example_cells_in_a_25_g_mouse() -> None:
    # brief section 6.3: 1e6 cells in a 25 g mouse = 4e7 cells/kg; BSA gives 12x less
    per_kg = scale_dose("mouse", 1e6, "cells", "per-kg", animal_weight_kg=0.025)
    assert per_kg.human_equivalent_dose == pytest.approx(4e7, rel=1e-12)
    assert per_kg.warnings == ()
    bsa = scale_dose("mouse", 1e6, "cells", "bsa", animal_weight_kg=0.025)
    # the Km ratio 3/37 by default; the Table 1 divisor 12.3 as a cross-check
    assert bsa.human_equivalent_dose == pytest.approx(4e7 * 3 / 37, rel=1e-12)
    assert per_kg.human_equivalent_dose / bsa.human_equivalent_dose == pytest.approx(37 / 3)
    divisor = scale_dose("mouse", 1e6, "cells", "bsa", animal_weight_kg=0.025, km="table-divisor")
    assert per_kg.human_equivalent_dose / divisor.human_equivalent_dose == pytest.approx(12.3)
    assert any("BSA (Km) scaling applied to a cell or vector product" in w for w in bsa.warnings)


def test_species_names_are_case_insensitive_with_aliases() -> None:
    assert find_species("Guinea Pig").name == "guinea pig"
    assert find_species("cynomolgus").name == "monkey"
    assert find_species("MINIPIG").name == "mini-pig"
    with pytest.raises(UnknownSpecies, match="did you mean 'guinea pig'"):
        find_species("guinea pigg")


def test_organ_and_flat_scaling() -> None:
    organ = scale_dose("rat", 1.5e5, "cells", "organ", animal_value=0.09, human_value=10.0)
    assert organ.human_equivalent_dose == pytest.approx(1.5e5 * 10.0 / 0.09)
    assert scale_dose("mouse", 5.0, "mg", "flat").human_equivalent_dose == 5.0
    with pytest.raises(ValueError, match="needs the animal and the human value"):
        scale_dose("rat", 1.0, "cells", "area")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", "dose", "scale", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_json_contract_and_errors() -> None:
    result = _cli(
        "--species",
        "mouse",
        "--dose",
        "1e6",
        "--unit",
        "cells",
        "--animal-weight",
        "0.025",
        "--basis",
        "bsa",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= {"human_equivalent_dose", "unit", "basis", "factor", "steps"}
    assert doc["human_equivalent_dose"] == pytest.approx(4e7 * 3 / 37)
    assert doc["unit"] == "cells/kg"
    assert doc["method"] == "km-ratio"
    assert "mouse Km 3 / adult Km 37" in doc["basis_used"]
    assert [s["label"] for s in doc["steps"] if not s["used"]] == [
        "Table 1 divisor",
        "human equivalent dose, Table 1 divisor (cross-check)",
    ]
    assert doc["warnings"]
    unknown = _cli("--species", "unicorn", "--dose", "1", "--unit", "mg/kg", "--basis", "bsa")
    assert unknown.returncode == 1
    assert "not in FDA 2005 Table 1" in unknown.stdout
    bad_unit = _cli("--species", "rat", "--dose", "1", "--unit", "mg/kgg", "--basis", "bsa")
    assert bad_unit.returncode == 1
    assert "did you mean 'kg'" in bad_unit.stdout
    assert (
        _cli("--species", "rat", "--dose", "1", "--unit", "mg/kg", "--basis", "weird").returncode
        == 2
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dose": float("nan")}, "finite"),
        ({"dose": float("inf")}, "finite"),
        ({"dose": -1.0}, "negative"),
        ({"animal_weight_kg": 0.0}, "animal weight"),
        ({"animal_weight_kg": -0.025}, "animal weight"),
        ({"human_weight_kg": -60.0}, "human weight"),
        ({"human_weight_kg": float("nan")}, "human weight"),
    ],
)
def test_impossible_inputs_are_refused_not_scaled(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {"dose": 1e6, **kwargs}
    dose = args.pop("dose")
    with pytest.raises(ValueError, match=message):
        scale_dose("mouse", dose, "cells", "per-kg", **args)  # type: ignore[arg-type]


def test_organ_values_must_be_positive() -> None:
    with pytest.raises(ValueError, match="animal value"):
        scale_dose("mouse", 1e9, "vg", "organ", animal_value=-1.5, human_value=1500.0)


def test_cli_divisor_weight_range_and_paediatric() -> None:
    base = ("--species", "rat", "--dose", "50", "--unit", "mg/kg", "--basis", "bsa")
    divisor = _cli(*base, "--km", "divisor", "--format", "json")
    assert divisor.returncode == 0, divisor.stderr
    assert json.loads(divisor.stdout)["human_equivalent_dose"] == pytest.approx(50 / 6.2)
    heavy = _cli(*base, "--animal-weight", "0.4")
    assert heavy.returncode == 0, heavy.stderr
    assert "human equivalent dose: 9.569 mg/kg" in heavy.stdout
    assert "basis used: body surface area by the FDA 2005 weight-adjusted formula" in heavy.stdout
    assert "outside its FDA 2005 Table 1 working range" in heavy.stderr
    infant = _cli(*base, "--population", "paediatric", "--human-weight", "5", "--format", "json")
    assert infant.returncode == 0, infant.stderr
    doc = json.loads(infant.stdout)
    assert doc["method"] == "weight-adjusted"
    assert doc["human_equivalent_dose"] == pytest.approx(15.71882, rel=1e-6)
    assert doc["warnings"]
    # a paediatric population without the patients' weight is a usage error
    missing = _cli(*base, "--population", "paediatric")
    assert missing.returncode == 2
    assert "--human-weight" in missing.stderr
    assert "Traceback" not in missing.stderr
