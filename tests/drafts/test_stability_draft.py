"""The stability section (S.7 / P.8) of the IMPD quality draft says what the analysis found.

The draft text is composed from copies of the examples (single-fact edits where needed)
and read back; the numbers it must show come from the typed results, whose statistics
are checked against R in tests/compute/test_stability.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dossier.core.numfmt import p_text
from tests.drafts.conftest import HAVE_OFFICE, pdf_text
from tests.drafts.test_truthful_potency import copy, draft, section


def subsection(text: str, title: str) -> str:
    """The text of the subsection with this heading, up to the next heading of any level."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and line.endswith(title))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def test_car_t_proposal_beyond_the_real_time_data_is_not_supported(tmp_path: Path) -> None:
    text, computed = draft(copy(tmp_path, "car-t-nl"))
    stability = section(text, "Stability (2.1.S.7)")
    cryo = section(stability, "Study ST-DP-LN2")
    assert "Viable nucleated cell count and viability (stability-indicating)" in cryo
    assert "Relative potency by CD19-specific cytotoxicity (stability-indicating)" in cryo
    assert (
        "No extrapolation: the shelf life supported ends at the longest real-time time "
        "point, 12 months"
    ) in cryo
    assert "The proposed 24 months is not supported by this attribute." in cryo
    assert (
        "Proposed shelf life / hold time of study ST-DP-LN2, 24 months, is not supported: "
        "viability and relative cytotoxic potency support a shorter period."
    ) in cryo
    result = computed.stability["ST-DP-LN2"]
    assert result.verdict.met is False
    assert result.supported == 12
    # the post-thaw hold in hours is within its real-time data
    hold = section(stability, "Study ST-DP-THAW")
    assert "The proposed 4 hours is supported by this attribute." in hold
    assert "is supported by every attribute" in hold


def test_aav_batches_that_do_not_pool_are_stated_with_their_test(tmp_path: Path) -> None:
    text, computed = draft(copy(tmp_path, "aav-systemic"))
    titre = subsection(text, " Vector genome titre")
    fit = computed.stability["ST-AAV-70"].attributes[0].fit
    assert fit is not None
    assert fit.model == "separate"
    assert fit.df_slopes == (2, 9)
    assert f"equality of slopes F(2, 9) = 11.0, {p_text(fit.p_slopes or 1.0)}" in titre
    assert "the slopes differ, so the batches are not pooled" in titre
    assert "limit of the mean of batch B-RES-01 meets the lower acceptance limit" in titre
    assert "at 21.7 months" in titre
    # a method whose stability-indicating status is not declared is an open point
    assert (
        "[TO DO: whether it is stability-indicating — "
        "quality.analytical_methods[4].stability_indicating]"
    ) in text


def _justify_cold_storage(data: dict[str, Any]) -> None:
    study = data["quality"]["stability"][0]
    study["condition"]["temperature_c"] = 5
    study["extrapolation_justification"] = "Supportive data on two development batches."
    study["proposed_shelf_life"]["value"] = 18


def test_a_justified_extrapolation_is_capped_at_the_q1e_limit(tmp_path: Path) -> None:
    text, computed = draft(copy(tmp_path, "aav-systemic", _justify_cold_storage))
    study = section(text, "Study ST-AAV-70")
    assert (
        "It is capped at the ICH Q1E limit (section 2.4) of 1.5 times the period covered by "
        "long-term data, and not more than 6 months beyond it: 18 months."
    ) in study
    assert "“Supportive data on two development batches.”" in study
    potency = computed.stability["ST-AAV-70"].attributes[1]
    assert potency.fit is not None
    assert potency.fit.crossing is not None
    assert potency.supported == potency.fit.crossing.time < 18
    assert "The proposed 18 months is not supported by this attribute." in subsection(
        study, " Relative potency"
    )
    assert "The proposed 18 months is supported by this attribute." in subsection(
        study, " Vector genome titre"
    )


def test_frozen_storage_allows_no_extrapolation_even_when_justified(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["quality"]["stability"][0]["extrapolation_justification"] = "Prior knowledge."

    text, computed = draft(copy(tmp_path, "aav-systemic", edit))
    assert "ICH Q1E allows no extrapolation for a frozen or sub-ambient condition" in text
    assert computed.stability["ST-AAV-70"].supported == 12


def test_too_few_results_and_no_study_are_placeholders(tmp_path: Path) -> None:
    text, computed = draft(copy(tmp_path, "ipsc-local"))
    cryo = section(text, "Study ST-CRYO")
    assert "no ICH Q1E analysis, as too few results for a regression" in cryo
    assert (
        "[TO DO: results of post-thaw viability: at least three per batch at two or more "
        "time points — quality.stability[1].attributes[0].results]"
    ) in cryo
    assert "cannot be judged yet: not every attribute could be analysed" in cryo
    assert computed.stability["ST-CRYO"].verdict.met is None

    def drop(data: dict[str, Any]) -> None:
        del data["quality"]["stability"]

    empty, _ = draft(copy(tmp_path / "none", "ipsc-local", drop))
    assert (
        "[TO DO: stability of the active substance: real-time data at the storage condition "
        "covering the trial's storage time, with stability-indicating methods including "
        "potency (EMA/CAT/22473/2025) — quality.stability]"
    ) in subsection(empty, "S.7 Stability")
    assert (
        "[TO DO: shelf life of the investigational medicinal product, post-thaw and in-use "
        "stability, with stability-indicating potency (EMA/CAT/22473/2025) — "
        "quality.stability]"
    ) in subsection(empty, "P.8 Stability")


def test_studies_go_to_s7_or_p8_by_material_and_combined_shows_them_once(
    tmp_path: Path,
) -> None:
    def to_substance(data: dict[str, Any]) -> None:
        data["quality"]["stability"][0]["material"] = "drug_substance"

    text, _ = draft(copy(tmp_path, "ipsc-local", to_substance))
    assert "Study ST-HOLD-2-8: drug substance" in section(text, "# S.7 Stability")
    assert "ST-HOLD-2-8" not in section(text, "# P.8 Stability")
    assert "Study ST-CRYO: drug product" in text
    # combined layout (the CAR-T example): the product's studies are the programme, and
    # no placeholder asks for a separate active-substance study
    combined, _ = draft(copy(tmp_path / "cart", "car-t-nl"))
    assert "stability of the active substance" not in combined
    assert "Study ST-DP-LN2: drug product" in section(combined, "Stability (2.1.S.7)")


@pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are not installed")
@pytest.mark.office
def test_the_built_pdf_carries_the_stability_section(built: dict[str, Path]) -> None:
    text = " ".join(pdf_text(built["car-t-nl"] / "impd-quality.pdf").split())
    assert "2.1.P.8 Stability (2.1.S.7)" in text
    assert "The proposed 24 months is not supported by this attribute." in text
    assert "viability in study ST-DP-LN2: results per batch" in text
