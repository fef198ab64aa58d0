"""After the first-in-human trial the dose section speaks of the results to date, never
of a first-in-human derivation the project does not have (the MSC example is at the
confirmatory stage without fih_dose)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.drafts.test_truthful_potency import copy, section


def _safety_efficacy(folder: Path) -> str:
    from dossier.analysis.project import compute_project
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text
    from dossier.model.project_io import load_project

    loaded = load_project(folder)
    computed = compute_project(loaded, send=False)
    outline = load_outline(find_outline("impd-nonclinical"))
    return to_text(compose(outline, UnitContext(loaded.project, computed)))


def test_the_confirmatory_dose_rationale_rests_on_the_results_to_date(tmp_path: Path) -> None:
    text = _safety_efficacy(copy(tmp_path, "msc-confirmatory-ema"))
    dose = section(text, "Dose rationale")
    assert dose.startswith("### 2.2.4.4 Dose rationale")
    assert "Dose rationale from the clinical results to date, as concluded by the sponsor: " in dose
    assert "responses did not increase above 2 × 10⁶ cells/kg" in dose
    assert "NMSC-01 plus ruxolitinib | 2.00 × 10⁶ cells/kg | 78 | —" in dose
    assert "first-in-human" not in text.lower()
    assert "first in human" not in text.lower()


def test_without_conclusions_the_later_dose_rationale_is_a_placeholder(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["clinical_experience"]["conclusions"]

    dose = section(_safety_efficacy(copy(tmp_path, "msc-confirmatory-ema", drop)), "Dose rationale")
    assert (
        "[TO DO: why the results to date support the doses of the planned trial — "
        "clinical_experience.conclusions]"
    ) in dose


def test_the_confirmatory_ema_briefing_has_results_and_no_first_in_human_heading(
    tmp_path: Path,
) -> None:
    from dossier.analysis.project import compute_project
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text
    from dossier.model.project_io import load_project

    loaded = load_project(copy(tmp_path, "msc-confirmatory-ema"))
    computed = compute_project(loaded, send=False)
    text = to_text(
        compose(load_outline(find_outline("briefing")), UnitContext(loaded.project, computed))
    )
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert "# I Summary" in headings
    assert any(h.endswith("Clinical results to date") for h in headings)
    assert not [h for h in headings if "first" in h.lower() or "starting dose" in h.lower()]
    assert "Clinical results to date: one trial of the product, 24 patients dosed." in text
