"""Narrative against data: sentences that must and must not be reported.

Each case puts one sentence into a field of a frozen example project (whose data files
are kept with it in tests/data/narrative) and compares it with that project's computed
results: the CAR-T NSG study has ovary 1 of 3 quantifiable at day 56 and testis below
the LLOQ at day 56; the iPSC NOG study has signal outside the injection site at every
time point; the NHP ovary has a group mean of 6 to 24 times the LLOQ.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.narrative import find_contradictions, sentences
from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject, Contradiction
from dossier.model.project import Project
from dossier.model.project_io import load_project

FROZEN = Path(__file__).resolve().parents[1] / "data" / "narrative"

# where the sentence goes, per example
CART_TOX = ("nonclinical", "studies", 3, "key_findings")  # S-TOX-NSG
CART_POC = ("nonclinical", "studies", 1, "key_findings")  # S-POC-NSG, doses per animal
CART_OVERVIEW = ("nonclinical", "overview")
CART_SA_DEV = ("scientific_advice", "background", "development_summary")
CART_Q5 = ("scientific_advice", "questions", 4, "position")  # cites fih_dose
IPSC_TUMOR = ("nonclinical", "studies", 1, "key_findings")  # S-TUMOR-NOG
AAV_TOX = ("nonclinical", "studies", 1, "key_findings")  # S-TOX-NHP
AAV_SA_DEV = ("scientific_advice", "background", "development_summary")


@functools.cache
def _computed(example: str) -> tuple[Project, ComputedProject]:
    loaded = load_project(FROZEN / example)
    return loaded.project, compute_project(loaded, send=False)


def _set(model: Any, path: tuple[str | int, ...], value: str) -> None:
    for part in path[:-1]:
        model = model[part] if isinstance(part, int) else getattr(model, part)
    setattr(model, str(path[-1]), value)


def found(example: str, path: tuple[str | int, ...], text: str) -> list[Contradiction]:
    """The contradictions of one sentence put at ``path`` of a frozen example."""
    project, computed = _computed(example)
    project = project.model_copy(deep=True)
    _set(project, path, text)
    return [c for c in find_contradictions(project, computed) if c.path == path]


# ----------------------------------------------------------------- must fire

FIRES = [
    # tissues said negative while quantifiable
    ("car-t-nl", CART_TOX, "Testis and ovary were below LLOQ at day 56.", "tissue"),
    ("car-t-nl", CART_TOX, "The ovaries were not detected by day 56.", "tissue"),
    ("car-t-nl", CART_TOX, "Below the LLOQ in the gonads at day 56.", "tissue"),
    ("car-t-nl", CART_OVERVIEW, "No vector DNA was detected in the ovary.", "tissue"),
    ("car-t-nl", CART_OVERVIEW, "Gonadal levels were BLQ from day 28 in mice.", "tissue"),
    ("car-t-nl", CART_TOX, "Ovarian copies remained below the LOQ.", "tissue"),
    ("car-t-nl", CART_TOX, "Ovary: negative at day 7 in the high-dose group.", "tissue"),
    # confined to the injection site
    ("ipsc-local", IPSC_TUMOR, "Human DNA remained at the injection site.", "tissue"),
    ("ipsc-local", IPSC_TUMOR, "Cells stayed at the injection site up to week 52.", "tissue"),
    (
        "ipsc-local",
        IPSC_TUMOR,
        "Human DNA was restricted to the cerebellum and spinal cord.",
        "tissue",
    ),
    # near the LLOQ while a group mean is far above it
    ("aav-systemic", AAV_TOX, "Ovary levels were at or near LLOQ at week 26.", "tissue"),
    ("aav-systemic", AAV_TOX, "Gonads close to the LLOQ by week 13.", "tissue"),
    # GLP
    ("car-t-nl", CART_TOX, "The study was GLP-compliant.", "glp"),
    ("car-t-nl", CART_TOX, "It was conducted under GLP at the animal facility.", "glp"),
    ("car-t-nl", CART_SA_DEV, "A GLP toxicity study in NSG mice is complete.", "glp"),
    ("aav-systemic", AAV_SA_DEV, "The 26-week non-GLP NHP toxicity study is complete.", "glp"),
    ("car-t-nl", CART_OVERVIEW, "The pivotal studies ran under GLP.", "glp"),
    # doses
    ("car-t-nl", CART_POC, "Tumours cleared at 1 × 10^6 CAR+ cells/kg.", "dose"),
    ("car-t-nl", CART_POC, "Mice dosed at 3e6 CAR+ T cells per mouse cleared the tumour.", "dose"),
    ("aav-systemic", AAV_TOX, "ALT rose at 2e14 vg/kg in week 4.", "dose"),
    ("aav-systemic", AAV_TOX, "ALT rose at 6.0 × 10¹³ vg in week 4.", "dose"),
    ("car-t-nl", CART_Q5, "The starting dose of 1E6 CAR+ T cells/kg is justified.", "dose"),
    ("aav-systemic", AAV_SA_DEV, "The NOAEL was 2 × 10¹⁴ vg/kg in NHPs.", "dose"),
    ("car-t-nl", CART_SA_DEV, "Cohort DL3 receives 5 × 10⁶ CAR+ T cells/kg.", "dose"),
    # batches
    (
        "car-t-nl",
        CART_SA_DEV,
        "Process P1 is established at full scale with three batches.",
        "batches",
    ),
    ("car-t-nl", CART_SA_DEV, "Five GMP batches have been manufactured.", "batches"),
    ("aav-systemic", AAV_SA_DEV, "Two clinical batches were produced.", "batches"),
    ("aav-systemic", AAV_SA_DEV, "In total 4 batches exist.", "batches"),
]


@pytest.mark.parametrize(("example", "path", "text", "kind"), FIRES, ids=[f[2] for f in FIRES])
def test_a_contradicted_sentence_is_reported(
    example: str, path: tuple[str | int, ...], text: str, kind: str
) -> None:
    hits = found(example, path, text)
    assert [c.kind for c in hits] == [kind], hits
    hit = hits[0]
    assert hit.sentence == text
    assert hit.severity == "error"
    assert hit.claim
    assert hit.evidence
    assert hit.hint


# ------------------------------------------------------------- must not fire

QUIET = [
    # tissues: true statements, lists of sampled tissues, negation, exceptions
    ("car-t-nl", CART_TOX, "Testis was below LLOQ at day 56."),
    ("car-t-nl", CART_TOX, "Histopathology of 30 tissues including testis and ovary."),
    ("car-t-nl", CART_TOX, "Vector copies were measured in blood, liver, testis and ovary."),
    ("car-t-nl", CART_TOX, "Ovary was not below LLOQ at day 56."),
    ("car-t-nl", CART_TOX, "All tissues except ovary were below LLOQ at day 56."),
    ("car-t-nl", CART_TOX, "Apart from ovary, signal was below LLOQ at day 56."),
    ("car-t-nl", CART_TOX, "Brain was below LLOQ in the low-dose group at day 56."),
    ("car-t-nl", CART_TOX, "No test-item-related findings in testis or ovary."),
    ("car-t-nl", CART_TOX, "Ovary will be below LLOQ if the cells are cleared."),
    ("car-t-nl", CART_TOX, "Ovary below LLOQ at day 90."),  # no such time point
    ("car-t-nl", CART_TOX, "Ovary: 1 of 3 animals quantifiable at day 56; testis below LLOQ."),
    ("car-t-nl", CART_TOX, "Ki-67 index below 1 % in testis sections."),
    ("car-t-nl", CART_TOX, "Shedding was below LLOQ after day 28."),
    ("ipsc-local", IPSC_TUMOR, "Human DNA was not confined to the injection site."),
    ("ipsc-local", IPSC_TUMOR, "Most human DNA stayed near the graft, with traces elsewhere."),
    ("aav-systemic", AAV_TOX, "Testis levels were well above LLOQ at week 26."),
    ("aav-systemic", AAV_TOX, "Low and declining levels in gonads."),
    ("car-t-nl", CART_TOX, "Samples below LLOQ in the ovary were re-assayed."),
    ("car-t-nl", CART_TOX, "No vector in the gonads of control animals."),
    ("car-t-nl", CART_TOX, "Testis was below LLOQ in 2 of 3 animals at day 28."),
    ("car-t-nl", CART_TOX, "Testis and brain: below LLOQ at all time points except day 7."),
    ("car-t-nl", CART_TOX, "Testis biopsies were negative for tumour cells."),
    ("car-t-nl", CART_TOX, "Histopathology of the ovary was negative."),
    ("aav-systemic", AAV_TOX, "PAH expression was confined to the liver."),
    ("ipsc-local", IPSC_TUMOR, "Injection-site reactions were confined to the injection site."),
    # GLP: facilities, the Q&A, comparisons, the right status
    ("car-t-nl", CART_TOX, "No GLP facility can house NSG mice with human tumours."),
    ("car-t-nl", CART_TOX, "As described in the GLP Q&A for ATMPs, QA audited the study."),
    ("car-t-nl", CART_TOX, "Data reliability is comparable to GLP."),
    ("car-t-nl", CART_TOX, "The study was not GLP-compliant."),
    ("car-t-nl", CART_SA_DEV, "The non-GLP toxicity study in NSG mice is complete."),
    (
        "aav-systemic",
        AAV_SA_DEV,
        "A GLP NHP toxicity, biodistribution and shedding study is complete.",
    ),
    (
        "aav-systemic",
        AAV_SA_DEV,
        "The NHP study ran under GLP.",
    ),  # the pilot is not, the pivotal is
    ("aav-systemic", AAV_SA_DEV, "The test facility is GLP-certified."),
    ("aav-systemic", AAV_SA_DEV, "The non-GLP pilot study was followed by a GLP pivotal study."),
    # doses: conversions, hedges, ranges of other products, counts that are not doses
    (
        "car-t-nl",
        CART_POC,
        "Clearance at 1e6 and 4e6 CAR+ T cells per mouse (about 4e7 and 1.6e8 per kg).",
    ),
    ("car-t-nl", CART_POC, "Grafts contained 8,000 to 12,000 CAR+ T cells per section."),
    (
        "car-t-nl",
        ("nonclinical", "previous_human_experience"),
        "Doses of 0.6 to 6.0 × 10⁸ CAR+ T cells flat are authorised.",
    ),
    ("car-t-nl", CART_Q5, "The starting dose of 1.0e5 CAR+ T cells/kg is justified."),
    ("car-t-nl", CART_Q5, "A starting dose of 1 × 10⁵ CAR+ T cells/kg, scaled per kg body weight."),
    ("aav-systemic", AAV_TOX, "Transient ALT elevation at 6 × 10¹³ vg/kg in week 4."),
    ("aav-systemic", AAV_TOX, "Up to 1e14 vg/kg may be tolerated."),
    ("aav-systemic", AAV_SA_DEV, "The NOAEL of 6E13 vg/kg supports the start dose."),
    ("car-t-nl", CART_TOX, "Splenocytes were restimulated at 1e5 cells per well."),
    ("car-t-nl", CART_POC, "This matches a clinical dose of 2e6 CAR+ T cells/kg in patients."),
    # batches: subsets, the future, kinds the table does not classify
    ("car-t-nl", CART_SA_DEV, "No growth after cytokine withdrawal in three batches."),
    ("car-t-nl", CART_SA_DEV, "Limits will be tightened after 12 clinical batches."),
    ("car-t-nl", CART_SA_DEV, "Only four full-scale batches exist."),
    ("car-t-nl", CART_SA_DEV, "Seven development batches were made before the GMP process."),
    (
        "car-t-nl",
        CART_SA_DEV,
        "Integration-site analysis of two batches showed a polyclonal profile.",
    ),
    ("aav-systemic", AAV_SA_DEV, "Three batches have been manufactured."),
    ("car-t-nl", CART_SA_DEV, "Three batches were used for toxicology and characterisation."),
]


@pytest.mark.parametrize(("example", "path", "text"), QUIET, ids=[q[2] for q in QUIET])
def test_a_sentence_the_data_support_is_not_reported(
    example: str, path: tuple[str | int, ...], text: str
) -> None:
    assert found(example, path, text) == []


def test_the_time_point_named_is_the_one_compared() -> None:
    # testis was quantifiable at day 28 (2 of 3 in the high dose), not at day 56
    assert found("car-t-nl", CART_TOX, "Testis below LLOQ at day 56.") == []
    [hit] = found("car-t-nl", CART_TOX, "Testis below LLOQ at day 28.")
    assert "testis: 2 of 3 animals quantifiable at day 28" in hit.evidence
    [hit] = found("car-t-nl", CART_TOX, "Testis below LLOQ.")  # no time: any time point
    assert "testis" in hit.evidence


def test_the_evidence_names_the_study_and_the_numbers() -> None:
    [hit] = found("car-t-nl", CART_TOX, "Ovary below LLOQ by day 56.")
    assert hit.evidence == (
        "the biodistribution data of S-TOX-NSG show ovary: 1 of 3 animals quantifiable at "
        "day 56 (group G3 high; up to 56 copies/µg, LLOQ 50)"
    )
    [near] = found("aav-systemic", AAV_TOX, "Ovary at or near LLOQ at week 26.")
    assert (
        "ovary at a mean of 1 217 copies/µg at week 26 (group G3 6e13 vg/kg), 24×" in near.evidence
    )
    [glp] = found("car-t-nl", CART_TOX, "The study was GLP-compliant.")
    assert glp.evidence == "S-TOX-NSG is declared 'non_GLP_quality_assured' (glp.status)"
    [batches] = found("aav-systemic", AAV_SA_DEV, "Two clinical batches were produced.")
    assert batches.claim == "‘Two clinical batches were produced’"
    assert batches.evidence == "quality.batches lists 1 batch used for clinical: B-GMP-01"


def test_a_dose_with_the_right_value_and_the_wrong_unit_is_reported() -> None:
    [hit] = found("aav-systemic", AAV_TOX, "ALT rose at 6.0 × 10¹³ vg in week 4.")
    assert "another unit" in hit.evidence
    assert "6.00 × 10¹³ vg/kg (S-TOX-NHP dose level)" in hit.evidence


def test_sentences_split_at_full_stops_but_not_at_abbreviations() -> None:
    text = "Sterility per Ph. Eur. 2.6.1 was met. Dr. K. Smit signed. Dose 1.5 × 10⁵ cells."
    assert sentences(text) == [
        "Sterility per Ph. Eur. 2.6.1 was met.",
        "Dr. K. Smit signed.",
        "Dose 1.5 × 10⁵ cells.",
    ]


def test_after_a_time_point_means_later_than_it() -> None:
    """'after day 56' speaks of later time points only (the frozen CAR-T study ends at day
    56, where the ovary is quantifiable): nothing to compare; 'from day 56' includes it."""
    assert found("car-t-nl", CART_TOX, "The ovaries were below the LLOQ after day 56.") == []
    [hit] = found("car-t-nl", CART_TOX, "The ovaries were below the LLOQ from day 56.")
    assert hit.kind == "tissue"
