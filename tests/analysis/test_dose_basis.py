"""The first-in-human derivation states the basis it used, from typed fields.

Copies of the AAV example scaled on body surface area: the NHP NOAEL given for 6 kg
monkeys (outside the FDA 2005 Table 1 working range of 1.4-4.9 kg) is scaled by the
weight-adjusted formula with a warning; a paediatric population of 5 kg infants takes the
same formula for every input, never the adult Km. The non-clinical draft says which
basis each input used, as the typed result holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject, FihComputed
from dossier.model.project_io import load_project
from tests.drafts.test_truthful_potency import copy


def _bsa(**scaling: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        fih = data["fih_dose"]
        fih["scaling"]["basis"] = "bsa"
        fih["scaling"].update(scaling)
        noael = next(i for i in fih["inputs"] if i["id"] == "D-NOAEL")
        noael["animal_body_weight_kg"] = 6.0

    return edit


def _nonclinical(folder: Path) -> tuple[str, ComputedProject]:
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text

    loaded = load_project(folder)
    computed = compute_project(loaded, send=False)
    outline = load_outline(find_outline("impd-nonclinical"))
    return to_text(compose(outline, UnitContext(loaded.project, computed))), computed


def test_adult_bsa_km_ratio_and_the_weight_adjusted_formula(tmp_path: Path) -> None:
    text, computed = _nonclinical(copy(tmp_path, "aav-systemic", _bsa()))
    fih = computed.fih
    assert isinstance(fih, FihComputed)
    bases = {b.input_id: b for b in fih.bases}
    # the mouse MED (no weight given: Table 1 reference weight) by the Km ratio 3/37
    assert bases["D-MED"].method == "km-ratio"
    assert "mouse Km 3 / adult Km 37" in bases["D-MED"].text
    # the 6 kg monkeys: 6e13 × (6 / 70)^0.33, the project's 70 kg reference patient
    assert bases["D-NOAEL"].method == "weight-adjusted"
    assert "(6 kg / 70 kg)^0.33" in bases["D-NOAEL"].text
    used = {s.input_id: s for s in fih.steps if s.label.endswith("(used)")}
    assert used["D-MED"].value == pytest.approx(6.0e12 * 3 / 37, rel=1e-12)
    assert used["D-NOAEL"].value == pytest.approx(6.0e13 * (6 / 70) ** 0.33, rel=1e-12)
    # the safety limit rests on the dose used, not on the cross-checks
    assert fih.safety_limit == pytest.approx(6.0e13 * (6 / 70) ** 0.33 / 10, rel=1e-12)
    warnings = [d for d in computed.diagnostics if d.code == "DOS-A021"]
    assert len(warnings) == 1
    assert "D-NOAEL" in warnings[0].message
    assert "1.4–4.9 kg" in warnings[0].message
    assert warnings[0].location.path == ("fih_dose", "inputs", 1)
    # the draft says the basis each input used, as the typed field holds it
    assert f"Basis used for each input: {fih.bases_text}." in text
    assert "the monkey weight 6 kg is outside its FDA 2005 Table 1 working range" in text
    assert "D-NOAEL | noael | human equivalent dose, Km ratio (cross-check)" in text
    assert computed.rule_data()["fih"]["bases"][1]["method"] == "weight-adjusted"


def test_the_table_divisor_on_request(tmp_path: Path) -> None:
    text, computed = _nonclinical(copy(tmp_path, "aav-systemic", _bsa(bsa_factor="table_divisor")))
    assert computed.fih is not None
    bases = {b.input_id: b for b in computed.fih.bases}
    assert bases["D-MED"].method == "table-divisor"
    assert "Table 1 divisor for the mouse, dose / 12.3" in text


def test_an_infant_population_never_gets_the_adult_km(tmp_path: Path) -> None:
    edit = _bsa(population="paediatric", human_body_weight_kg=5)
    text, computed = _nonclinical(copy(tmp_path, "aav-systemic", edit))
    assert computed.fih is not None
    for basis in computed.fih.bases:
        assert basis.method == "weight-adjusted"
        assert "5 kg)^0.33" in basis.text
        assert "adult Km" not in basis.text.split(" (")[0]
    used = {s.input_id: s for s in computed.fih.steps if s.label.endswith("(used)")}
    assert used["D-MED"].value == pytest.approx(6.0e12 * (0.02 / 5) ** 0.33, rel=1e-12)
    assert "paediatric patient reference weight 5 kg is outside" in text
    # a child of 20 kg: the Table 1 child Km
    edit = _bsa(population="paediatric", human_body_weight_kg=20)
    _, child = _nonclinical(copy(tmp_path / "child", "aav-systemic", edit))
    assert child.fih is not None
    med = next(b for b in child.fih.bases if b.input_id == "D-MED")
    assert med.method == "km-ratio"
    assert "mouse Km 3 / child Km 25" in med.text


def test_a_paediatric_population_needs_the_patients_weight(tmp_path: Path) -> None:
    from dossier.api import validate

    report = validate(copy(tmp_path, "aav-systemic", _bsa(population="paediatric")))
    assert not report.valid
    assert any("human_body_weight_kg" in d.message for d in report.diagnostics)
    report = validate(
        copy(
            tmp_path / "b",
            "aav-systemic",
            lambda d: d["fih_dose"]["scaling"].update(bsa_factor="table_divisor"),
        )
    )
    assert any("applies to basis bsa only" in d.message for d in report.diagnostics)
