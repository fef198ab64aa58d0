"""Single-fact edits of the examples: the drafts and ``dossier check`` follow each one.

Each mutation changes one fact of a copy of an example (a method's status, a validity
criterion, a value in a data file, a sentence, a removed block ...) and names what an
assessor would expect to change with it: a sentence or table cell that must appear in a
named draft, one that must disappear, and the finding code (rule id or ``DOS-`` code)
that ``dossier check`` must report. Every expectation is checked against the unedited
example too, so each one is a change the edit made, not a line that was always there.

The drafts are composed in this process, as ``dossier build`` composes them (annexes
included), from the same computed results and findings that ``dossier.check`` returns.
For the edits that make the data invalid, and for one that does not, ``dossier build``
runs as a command: it exits 1 for invalid data (still writing the drafts, with their
placeholders) and 0 for a finding alone.
"""

from __future__ import annotations

import csv
import functools
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import dossier
from dossier.core.diagnostics import DiagnosticList
from dossier.rules.examples import RuleExample, apply_example
from tests.analysis.test_batches_reportable import make_non_parallel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

DataEdit = Callable[[Path], None]


@dataclass(frozen=True)
class Mutation:
    """One fact changed in a copy of an example, and what must follow it."""

    name: str
    example: str
    document: str
    """The outline (document type) whose text is read: ``impd-quality`` ..."""
    finding: str
    """A code that ``dossier check`` reports after the edit and not before."""
    appears: tuple[str, ...] = ()
    """Text of the draft after the edit that was not in it before."""
    disappears: tuple[str, ...] = ()
    """Text of the draft before the edit that is not in it after."""
    keeps: tuple[str, ...] = ()
    """Text of the draft that must stay as it was (a fact the edit does not touch)."""
    readiness: tuple[str, ...] = ()
    """Text the readiness report shows after the edit (a contradiction, with its evidence)."""
    quiet: tuple[str, ...] = ()
    """Codes that must not be reported after the edit."""
    set: dict[str, Any] = field(default_factory=dict)
    append: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    edit: Callable[[Any], None] | None = None
    """An edit of the project data in code (after set, append and unset)."""
    data: DataEdit | None = None
    """An edit of the copy's data files (after the project-file edits)."""
    build: int | None = None
    """The exit code of ``dossier build`` on the edited copy, for the cases run as a command."""
    xfail: str | None = None

    def __str__(self) -> str:
        return self.name


def replace_cell(relative: str, match: dict[str, str], column: str, value: str) -> DataEdit:
    """An edit setting ``column`` to ``value`` in the one row of a CSV file that has
    every value of ``match``."""

    def edit(folder: Path) -> None:
        path = folder / relative
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
        assert len(hits) == 1, f"{relative}: {len(hits)} rows match {match}"
        hits[0][column] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    return edit


def non_parallel(run_file: str) -> DataEdit:
    """Make one potency run of the AAV example fail its non-parallelism test."""
    return lambda folder: make_non_parallel(folder, run_file)


Q, N, CTR = "impd-quality", "impd-nonclinical", "ctr-map"
CYTOX = "quality.potency.assays.A-CYTOX"
UPPER = CYTOX + ".validity_criteria.criterion=upper_asymptote_difference"
EXPLORATORY = (
    "For an exploratory trial, EU practice under the guideline on investigational ATMPs "
    "(EMA/CAT/22473/2025) expects analytical procedures to be qualified"
)
CONFIRMATORY = (
    "For a confirmatory trial, EU practice under the guideline on investigational ATMPs "
    "(EMA/CAT/22473/2025) expects analytical procedures to be validated according to "
    "ICH Q2(R2)."
)
AAV_ASSAY = "Relative PAH activity after transduction of HepG2 cells"
BRIDGE = "Research process R1 (10 L adherent) to GMP-like process P1 (200 L suspension)"


def _append(path: tuple[str, ...], sentence: str) -> Callable[[Any], None]:
    """An edit adding a sentence to the free text at ``path``."""

    def edit(data: Any) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = f"{str(node[path[-1]]).rstrip()} {sentence}"

    return edit


MUTATIONS: list[Mutation] = [
    # ----------------------------------------------------------------- car-t-nl, quality
    Mutation(
        "method-status-in-development",
        "car-t-nl",
        Q,
        "QUA-005",
        set={"quality.analytical_methods.M-MYCO.lifecycle_status": "in_development"},
        appears=(
            "Of the seven other analytical procedures, Replication-competent lentivirus "
            "(VSV-G qPCR) is validated, two are compendial and verified for the product, three "
            "are qualified and Mycoplasma (NAT) is in development (Table 27).",
            "Mycoplasma (NAT) | Mycoplasma contamination | Ph. Eur. 2.6.7 | in development | "
            "Not detected",
        ),
        disappears=(
            "Of the seven other analytical procedures, two are validated, two are compendial "
            "and verified for the product and three are qualified (Table 27).",
        ),
        build=0,
    ),
    Mutation(
        "potency-assay-in-development",
        "car-t-nl",
        Q,
        "POT-012",
        set={CYTOX + ".lifecycle_status": "in_development"},
        appears=(
            "Of the three potency assays, two are qualified and Relative potency by "
            "CD19-specific cytotoxicity is in development (Table 26).",
            "| REF-WB01 | release, stability, characterisation | 50–200 % relative potency "
            "(provisional) | in development",
        ),
        disappears=("All three potency assays are qualified (Table 26).",),
    ),
    Mutation(
        "analytical-methods-removed",
        "car-t-nl",
        Q,
        "QUA-006",
        # the risk-profile evidence, the stability studies and the studies' dose method
        # that cited the methods go with them
        unset=(
            "quality.analytical_methods",
            "quality.stability",
            "risk_profile.cells.1.evidence.2",
            "risk_profile.cells.3.evidence",
            # and so do the in-process controls and impurities measured by them
            "quality.manufacture.steps.ST-APH.controls.1.method",
            "quality.manufacture.steps.ST-EXP.controls.0.method",
            "quality.manufacture.steps.ST-HARV.controls.0.method",
            "quality.impurities.IMP-VECTOR.method",
            "quality.impurities.IMP-DEAD.method",
            "nonclinical.studies.S-POC-NSG.test_item.dose_method",
            "nonclinical.studies.S-TOX-NSG.test_item.dose_method",
        ),
        appears=(
            "[TO DO: analytical procedures for safety, identity and purity, with their status "
            "— quality.analytical_methods]",
        ),
        disappears=(
            "Table 27: Other analytical procedures and their status",
            "Sterility (automated blood-culture system) | Microbial contamination of the "
            "finished product | Ph. Eur. 2.6.27 | compendial, verified for the product | No "
            "growth",
        ),
    ),
    Mutation(
        "reference-standard-removed",
        "car-t-nl",
        Q,
        "POT-005",
        unset=(CYTOX + ".reference_standard",),
        appears=(
            "Reference standard: [TO DO: reference standard — "
            "quality.potency.assays[0].reference_standard]",
        ),
        disappears=("Reference standard: REF-WB01, in house batch; assigned potency 100 %.",),
        # the relative potencies are the data's: a missing standard does not rescale them
        keeps=(
            "B-TOX-01 | toxicology, characterisation | 98.50 % relative potency | "
            "91.13–106.5 | yes | computed from R-CYTOX-03",
        ),
        quiet=("POT-019",),
    ),
    Mutation(
        "surrogate-justification-removed",
        "car-t-nl",
        Q,
        "POT-004",
        unset=("quality.potency.assays.A-CAR.surrogate_justification",),
        appears=(
            "Justification of the surrogate readout, as stated by the sponsor: [TO DO: "
            "evidence that the surrogate readout reflects biological activity — "
            "quality.potency.assays[2].surrogate_justification]",
        ),
        disappears=(
            "Justification of the surrogate readout, as stated by the sponsor: In seven "
            "engineering and development batches CAR expression correlated",
        ),
    ),
    Mutation(
        "batch-result-out-of-specification",
        "car-t-nl",
        Q,
        "POT-019",
        set={"quality.potency.assays.A-IFNG.batch_results.batch=B-CLIN-01.value": 420},
        appears=("B-CLIN-01 | engineering, clinical | 420 pg/mL | — | no | entered (1 run)",),
        disappears=("B-CLIN-01 | engineering, clinical | 1420 pg/mL | — | yes | entered (1 run)",),
    ),
    Mutation(
        "toxicology-batch-of-another-process",
        "car-t-nl",
        Q,
        "QUA-002",
        set={"quality.batches.B-TOX-01.process_version": "P0"},
        appears=(
            "Link between non-clinical and clinical material: toxicology batch B-TOX-01 (made "
            "with process version P0) and clinical batches B-CLIN-01 and B-CLIN-02 (made with "
            "process version P1): the process versions differ.",
        ),
        disappears=("(made with process version P1): the same process version.",),
    ),
    Mutation(
        "validity-criterion-every-run-fails",
        "car-t-nl",
        Q,
        "POT-029",
        set={UPPER + ".lower": -0.5, UPPER + ".upper": 0.5},
        appears=(
            "R-CYTOX-01 | upper-asymptote difference of B-CLIN-01 | -1.469 (90 % CI -5.41 to "
            "2.471) | 90 % CI within -0.5 to 0.5 | not met",
            "B-CLIN-01 | engineering, clinical | no valid result | — | not judged | no valid "
            "run: run R-CYTOX-01 invalid: no test preparation meets the declared criteria",
        ),
        disappears=(
            "R-CYTOX-01 | upper-asymptote difference of B-CLIN-01 | -1.469 (90 % CI -5.41 to "
            "2.471) | 90 % CI within -15 to 15 | met",
            "B-CLIN-01 | engineering, clinical | 98.85 % relative potency",
        ),
        # an invalid run is a finding, not invalid data
        build=0,
    ),
    Mutation(
        "potency-data-non-numeric-cell",
        "car-t-nl",
        Q,
        "DOS-D004",
        data=replace_cell(
            "data/potency/cytotoxicity_r1.csv",
            {"preparation": "REF", "dose": "2.5", "replicate": "1"},
            "response",
            "n/a",
        ),
        appears=(
            "R-CYTOX-01 | — | — | — | not analysed",
            "B-CLIN-01 | engineering, clinical | no valid result | — | not judged | no valid "
            "run: run R-CYTOX-01 could not be analysed",
        ),
        disappears=("B-CLIN-01 | engineering, clinical | 98.85 % relative potency",),
        build=1,
    ),
    Mutation(
        "run-with-unknown-standard",
        "car-t-nl",
        Q,
        "DOS-S101",
        set={CYTOX + ".runs.R-CYTOX-02.standard": "REF-X"},
        appears=(
            "B-CLIN-02 | engineering, clinical, stability | no valid result | — | not judged | "
            "no valid run: run R-CYTOX-02 could not be analysed",
        ),
        disappears=(
            "B-CLIN-02 | engineering, clinical, stability | 114.1 % relative potency | "
            "106.9–121.8 | yes",
        ),
        build=1,
    ),
    Mutation(
        "undeclared-batch-added",
        "car-t-nl",
        Q,
        "DOS-A104",
        append={
            "quality.batches": {
                "id": "B-CLIN-03",
                "uses": ["clinical"],
                "process_version": "P1",
                "manufacture_date": "2026-05-04",
            }
        },
        appears=(
            "B-CLIN-03 | clinical | [TO DO: result of batch B-CLIN-03 — "
            "quality.potency.assays[0].batch_results] | — | not judged | no result in the "
            "project file",
            "clinical batches B-CLIN-01, B-CLIN-02 and B-CLIN-03 (made with process version P1)",
        ),
        readiness=(
            "scientific_advice.background.development_summary | ‘established at full scale "
            "with four batches’ | quality.batches lists 5 batches of process P1",
        ),
    ),
    Mutation(
        "stage-confirmatory",
        "car-t-nl",
        Q,
        "POT-011",
        set={"stage": "confirmatory"},
        appears=(CONFIRMATORY,),
        disappears=(EXPLORATORY,),
        # the declared statuses stay what they are; only the expectation changes
        keeps=("All three potency assays are qualified (Table 26).",),
    ),
    # ------------------------------------------------- car-t-nl, non-clinical and route
    Mutation(
        "gonad-quantifiable-at-day-56",
        "car-t-nl",
        N,
        "DOS-A101",
        data=replace_cell(
            "data/biodistribution_nsg.csv",
            {"animal": "A031", "tissue": "testis"},
            "copies_per_ug",
            "240",
        ),
        appears=(
            "G3 high | testis (gonad) | 3/3: 65.0 (max 86.0) | 2/3: 61.5 (max 68.0) | 1/3: 240 "
            "(max 240)",
            "testis: day 56; ovary: day 56.",
        ),
        disappears=(
            "G3 high | testis (gonad) | 3/3: 65.0 (max 86.0) | 2/3: 61.5 (max 68.0) | 0/3 ≥ LLOQ",
            "testis: day 28;",
        ),
        readiness=(
            "nonclinical.studies[3].key_findings | ‘testis below LLOQ (at day 56)’ | the "
            "biodistribution data of S-TOX-NSG show testis: 1 of 3 animals quantifiable at day "
            "56 (group G3 high; up to 240 copies/µg, LLOQ 50)",
        ),
    ),
    Mutation(
        "glp-justification-removed",
        "car-t-nl",
        N,
        "NCL-012",
        unset=("nonclinical.studies.S-TOX-NSG.glp.justification",),
        appears=(
            "S-TOX-NSG | yes | non-GLP, quality-assured | [TO DO: GLP justification — "
            "nonclinical.studies[S-TOX-NSG].glp.justification]",
        ),
        disappears=(
            "Justification of the GLP status, as stated by the sponsor: No GLP facility can "
            "house NSG mice",
        ),
    ),
    Mutation(
        "glp-claimed-in-text",
        "car-t-nl",
        N,
        "DOS-A102",
        edit=_append(
            ("nonclinical", "studies", 3, "key_findings"),
            "The study was conducted in compliance with GLP.",
        ),
        appears=("(56 copies/µg, LLOQ 50). The study was conducted in compliance with GLP.",),
        # the sponsor's sentence is quoted, never turned into the study's status
        keeps=("S-TOX-NSG | yes | non-GLP, quality-assured |",),
        readiness=(
            "nonclinical.studies[3].key_findings | that the study ran under GLP | S-TOX-NSG is "
            "declared 'non_GLP_quality_assured' (glp.status)",
        ),
    ),
    Mutation(
        "study-dose-level-changed",
        "car-t-nl",
        N,
        "DOS-A103",
        set={"nonclinical.studies.S-POC-NSG.dose_levels.1.value": 2.0e6},
        appears=(
            "Dose levels | 2.50 × 10⁵ CAR+ T cells/animal (low); 2.00 × 10⁶ CAR+ T "
            "cells/animal (mid); 4.00 × 10⁶ CAR+ T cells/animal (high)",
        ),
        disappears=("1.00 × 10⁶ CAR+ T cells/animal (mid)",),
        readiness=("fih_dose.inputs[0].description | a dose of ‘1.00 × 10⁶ CAR+ T cells’",),
    ),
    Mutation(
        "escalation-does-not-increase",
        "car-t-nl",
        N,
        "FIH-011",
        set={"clinical_trial.cohorts.cohort=DL2.dose.value": 1.0e5},
        appears=("DL2 | 1.00 × 10⁵ CAR+ T cells/kg | 3",),
        disappears=("DL2 | 3.00 × 10⁵ CAR+ T cells/kg | 3",),
    ),
    Mutation(
        "risk-conclusion-removed",
        "car-t-nl",
        N,
        "RSK-002",
        unset=("risk_profile.conclusions.risk=R7",),
        appears=(
            "R7 Germline transmission. Why it applies: Integrating vector given as modified "
            "cells. Conclusion: [TO DO: conclusion for R7 — risk_profile.conclusions]",
        ),
        disappears=("Conclusion: Negligible; contraception advised.",),
    ),
    Mutation(
        "first-dosing-before-ccmo-decision",
        "car-t-nl",
        CTR,
        "NLD-011",
        set={"netherlands.planned_first_dosing": "2027-03-01"},
        appears=(
            "Planned first dosing: 1 March 2027.",
            "The plan cannot hold: the planned first dosing precedes the earliest date on "
            "which CCMO can decide.",
        ),
        disappears=(
            "Planned first dosing: 5 July 2027.",
            "The planned first dosing follows the earliest CCMO decision date.",
        ),
    ),
    # ------------------------------------------------------------------ aav-systemic
    Mutation(
        "safety-test-in-development",
        "aav-systemic",
        Q,
        "QUA-005",
        set={"quality.analytical_methods.M-STER.lifecycle_status": "in_development"},
        appears=(
            "Of the seven other analytical procedures, two are validated, Bacterial endotoxins "
            "is compendial and verified for the product, three are qualified and Sterility is "
            "in development (Table 22).",
            "Sterility | Microbial contamination | Ph. Eur. 2.6.1 | in development | No growth",
        ),
        disappears=(
            "Sterility | Microbial contamination | Ph. Eur. 2.6.1 | compendial, verified for "
            "the product | No growth",
        ),
    ),
    Mutation(
        "batch-with-one-invalid-run",
        "aav-systemic",
        Q,
        "DOS-A012",
        data=non_parallel("enzyme_activity_r2.csv"),
        appears=(
            "R-ENZ-02 | non-parallelism | F = 14760 (1, 24), p < 0.001 | p ≥ 0.05 | not met",
            "B-GMP-01 | clinical, stability | 98.09 % relative potency (1 of 2 runs) | "
            "93.93–102.4 | yes | computed from R-ENZ-01; left out: run R-ENZ-02 invalid: "
            "significant non-parallelism",
        ),
        disappears=(
            "B-GMP-01 | clinical, stability | 101.4 % relative potency | 98.90–103.9 | yes | "
            "computed from R-ENZ-01, R-ENZ-02",
        ),
    ),
    Mutation(
        "reportable-value-needs-three-runs",
        "aav-systemic",
        Q,
        "DOS-A014",
        set={"quality.potency.assays.A-ENZ.reportable.runs": 3},
        appears=(
            "B-TOX-01 | toxicology | 97 % relative potency (2 of 3 runs) | 84.00–112.0 | yes | "
            "entered (2 runs)",
            "Reportable value as applied to the batch results: the combination of three "
            "independent runs",
        ),
        disappears=(
            "Reportable value as applied to the batch results: the combination of two "
            "independent runs",
        ),
    ),
    Mutation(
        "dosed-batch-result-removed",
        "aav-systemic",
        Q,
        "DOS-A013",
        unset=("quality.potency.assays.A-ENZ.batch_results.batch=B-TOX-01",),
        appears=(
            "B-TOX-01 | toxicology | [TO DO: result of batch B-TOX-01 — "
            "quality.potency.assays[0].batch_results] | — | not judged | no result in the "
            "project file",
            f"{AAV_ASSAY} | B-TOX-01 | after | no result in the project file",
        ),
        disappears=("B-TOX-01 | toxicology | 97 % relative potency | 84.00–112.0 | yes",),
    ),
    Mutation(
        "comparability-not-comparable",
        "aav-systemic",
        N,
        "QUA-003",
        set={"quality.comparability.0.outcome": "not_comparable"},
        appears=(
            f"made with an earlier manufacturing process; not bridged to the clinical product: "
            f"the comparability of {BRIDGE} concluded that the batches are not comparable",
        ),
        disappears=(f"bridged to the clinical product by the comparability of: {BRIDGE}",),
    ),
    Mutation(
        "biodistribution-non-numeric-cell",
        "aav-systemic",
        N,
        "DOS-D004",
        data=replace_cell(
            "data/biodistribution_nhp.csv",
            {"animal": "A001", "timepoint": "week 4", "tissue": "liver"},
            "copies_per_ug",
            "2.4e6?",
        ),
        appears=(
            "Biodistribution in S-TOX-NHP: [TO DO: biodistribution summary of S-TOX-NHP; its "
            "data file data/biodistribution_nhp.csv could not be analysed",
        ),
        disappears=("G2 2e13 vg/kg | ovary (gonad) | 2/2: 868 (max 1364)",),
        build=1,
    ),
    Mutation(
        "gonad-said-near-lloq",
        "aav-systemic",
        N,
        "DOS-A101",
        edit=_append(
            ("nonclinical", "studies", 1, "key_findings"),
            "Ovary vector levels at week 26 were at or near LLOQ in the high-dose group.",
        ),
        appears=("Ovary vector levels at week 26 were at or near LLOQ in the high-dose group.",),
        readiness=(
            "‘Ovary vector levels at week 26 were at or near LLOQ’ | the biodistribution data "
            "of S-TOX-NHP show ovary at a mean of 1 217 copies/µg at week 26 (group G3 6e13 "
            "vg/kg), 24× the LLOQ of 50",
        ),
    ),
    # -------------------------------------------------------------------- ipsc-local
    Mutation(
        "residual-ipsc-method-removed",
        "ipsc-local",
        Q,
        "QUA-013",
        unset=(
            "quality.analytical_methods.M-RESIDUAL-PSC",
            "risk_profile.cells.0.evidence.0",
            "scientific_advice.questions.Q1.cites.id=M-RESIDUAL-PSC",
            "quality.manufacture.steps.ST-HARV.controls.0.method",
            "quality.impurities.IMP-PSC.method",
        ),
        appears=(
            "Of the six other analytical procedures, Mycoplasma (NAT) is validated, two are "
            "compendial and verified for the product and three are qualified (Table 14).",
        ),
        disappears=("Residual undifferentiated iPSCs (LIN28A ddPCR) | Residual undifferentiated",),
    ),
    Mutation(
        "report-only-criterion-at-confirmatory",
        "ipsc-local",
        Q,
        "POT-013",
        set={"stage": "confirmatory"},
        appears=(CONFIRMATORY,),
        disappears=(EXPLORATORY,),
    ),
    Mutation(
        "gonads-said-negative",
        "ipsc-local",
        N,
        "DOS-A101",
        edit=_append(
            ("nonclinical", "overview"), "Human DNA was not detected in the gonads at week 52."
        ),
        appears=("in this population. Human DNA was not detected in the gonads at week 52.",),
        readiness=(
            "nonclinical.overview | ‘not detected in the gonads (at week 52)’ | the "
            "biodistribution data of S-TUMOR-NOG show ovary: 3 of 3 animals quantifiable at "
            "week 52",
        ),
    ),
    Mutation(
        "biodistribution-ambiguous-number",
        "ipsc-local",
        N,
        "DOS-D009",
        data=replace_cell(
            "data/biodistribution_nog.csv",
            {"animal": "A001", "timepoint": "week 4", "tissue": "contralateral striatum"},
            "copies_per_ug",
            "1,090",
        ),
        appears=(
            "Biodistribution in S-TUMOR-NOG: [TO DO: biodistribution summary of S-TUMOR-NOG; "
            "its data file data/biodistribution_nog.csv could not be analysed",
        ),
        disappears=("G2 high | cerebellum | 6/6: 116 (max 224)",),
        build=1,
    ),
    # ---------------------------------------------------------- msc-confirmatory-ema
    Mutation(
        "msc-run-fails-asymptote-equivalence",
        "msc-confirmatory-ema",
        Q,
        "POT-029",
        data=non_parallel("tcell_suppression_r7.csv"),
        appears=(
            "R-TSUP-07 | upper-asymptote difference of B-PPQ-02 | 29.56 (90 % CI -7.005 to "
            "66.12) | 90 % CI within -15 to 15 | not met",
            "B-PPQ-02 | engineering, comparability, stability | 112.3 % relative potency (1 of "
            "2 runs) | 103.6–121.7 | yes | computed from R-TSUP-03; left out: run R-TSUP-07 "
            "invalid: no test preparation meets the declared criteria",
        ),
        disappears=(
            "B-PPQ-02 | engineering, comparability, stability | 111.6 % relative potency | "
            "105.5–118.0 | yes | computed from R-TSUP-03, R-TSUP-07",
        ),
        keeps=(
            "B-PPQ-01 | engineering, comparability, stability | 95.56 % relative potency | "
            "89.72–101.8 | yes | computed from R-TSUP-03, R-TSUP-06",
        ),
    ),
]


# ---------------------------------------------------------------------------- helpers


def mutate(tmp_path: Path, mutation: Mutation) -> Path:
    """A copy of the mutation's example with its edits applied."""
    folder = tmp_path / mutation.example
    shutil.copytree(EXAMPLES / mutation.example, folder, ignore=shutil.ignore_patterns("out"))
    if mutation.set or mutation.append or mutation.unset or mutation.edit:
        yaml = YAML()
        path = folder / "dossier.yaml"
        example = RuleExample(
            project=mutation.example,
            set=mutation.set,
            append=mutation.append,
            unset=list(mutation.unset),
        )
        data = apply_example(yaml.load(path.read_text("utf-8")), example)
        if mutation.edit is not None:
            mutation.edit(data)
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(data, fh)
    if mutation.data is not None:
        mutation.data(folder)
    return folder


@dataclass
class Outcome:
    """The drafts' text by document type and the check of one project."""

    texts: dict[str, str]
    check: dossier.CheckReport

    @property
    def codes(self) -> set[str]:
        return {d.code for d in self.check.diagnostics}


def outcome(folder: Path) -> Outcome:
    """Every draft composed as ``dossier build`` composes it, and the check report."""
    from dossier.build import document_types
    from dossier.drafts.annexes import add_annexes
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text
    from dossier.rules.check import CheckResult

    computed = dossier.compute(folder)
    report = dossier.check(computed)
    findings = DiagnosticList(report.findings)
    result = CheckResult(findings, report.rules_applied, report.rules_skipped)
    context = UnitContext(computed.loaded.project, computed.computed, result)
    texts = {}
    for doc_type in document_types():
        outline = load_outline(find_outline(doc_type))
        document = compose(outline, context)
        if doc_type != "readiness":
            add_annexes(
                document,
                computed.loaded.project,
                computed.computed,
                findings,
                set(outline.rule_sections),
                outline.annexes,
            )
        texts[doc_type] = to_text(document)
    return Outcome(texts, report)


@functools.cache
def baseline(example: str) -> Outcome:
    return outcome(EXAMPLES / example)


# ------------------------------------------------------------------------------ tests


def _params(mutations: list[Mutation]) -> list[Any]:
    return [
        pytest.param(
            m, id=m.name, marks=[pytest.mark.xfail(reason=m.xfail, strict=True)] if m.xfail else []
        )
        for m in mutations
    ]


def test_the_table_covers_every_example_and_enough_edits() -> None:
    assert len(MUTATIONS) >= 30
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS)
    assert {m.example for m in MUTATIONS} == {
        "car-t-nl",
        "aav-systemic",
        "ipsc-local",
        "msc-confirmatory-ema",
    }
    assert {m.build for m in MUTATIONS} >= {0, 1}


@pytest.mark.parametrize("mutation", _params(MUTATIONS))
def test_the_drafts_and_check_follow_the_edit(tmp_path: Path, mutation: Mutation) -> None:
    before = baseline(mutation.example)
    after = outcome(mutate(tmp_path, mutation))
    old, new = before.texts[mutation.document], after.texts[mutation.document]
    for text in mutation.appears:
        assert text not in old, f"already in the unedited draft: {text}"
        assert text in new, f"not in the draft after the edit: {text}"
    for text in mutation.disappears:
        assert text in old, f"not in the unedited draft: {text}"
        assert text not in new, f"still in the draft after the edit: {text}"
    for text in mutation.keeps:
        assert text in old, f"not in the unedited draft: {text}"
        assert text in new, f"changed by the edit: {text}"
    for text in mutation.readiness:
        assert text not in before.texts["readiness"], f"already in the readiness report: {text}"
        assert text in after.texts["readiness"], f"not in the readiness report: {text}"
    assert mutation.finding not in before.codes
    assert mutation.finding in after.codes, sorted(after.codes)
    assert not set(mutation.quiet) & after.codes
    # check fails exactly where build must: on errors of the data, not on findings
    if mutation.build is not None:
        problems = [d for d in after.check.diagnostics if d.citation is None]
        assert any(d.severity.value == "error" for d in problems) is (mutation.build == 1)


@pytest.mark.parametrize("mutation", _params([m for m in MUTATIONS if m.build is not None]))
def test_build_exits_1_for_invalid_data_only(tmp_path: Path, mutation: Mutation) -> None:
    folder = mutate(tmp_path, mutation)
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(folder), "--jobs", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == mutation.build, output
    assert "Traceback" not in output
    # the drafts are written either way, with placeholders where the data fail
    assert (folder / "out" / "impd-quality.docx").is_file()
    if mutation.build == 1:
        assert mutation.finding in output
