"""A validation verdict is decided once: the typed field, the IMPD table and `dossier check`.

The CAR-T example's repeatability criterion is tightened below its repeatability GCV
(4.01 %) while intermediate precision (12.7 %) stays within its criterion: the typed
criterion says not met, the potency draft's validation table says "no" for precision, and
`dossier check` reports the same criterion with the same words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dossier.analysis.results import ComputedProject, Verdict
from dossier.model.project_io import LoadedProject, load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASSAY = "A-CYTOX"


@pytest.fixture(scope="module")
def tightened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CAR-T example with a repeatability criterion of at most 3 %."""
    folder = tmp_path_factory.mktemp("typed") / "car-t"
    shutil.copytree(EXAMPLES / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML()
    path = folder / "dossier.yaml"
    data = yaml.load(path.read_text("utf-8"))
    assay = next(a for a in data["quality"]["potency"]["assays"] if a["id"] == ASSAY)
    assay["validation_criteria"]["repeatability_cv_percent_max"] = 3
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return folder


@pytest.fixture(scope="module")
def computed(tightened: Path) -> tuple[LoadedProject, ComputedProject]:
    from dossier.analysis.project import compute_project

    loaded = load_project(tightened)
    return loaded, compute_project(loaded, send=False)


def test_the_typed_criterion_is_not_met_with_its_reason(computed) -> None:  # type: ignore[no-untyped-def]
    _, result = computed
    criteria = {c.name: c for c in result.assays[ASSAY].validation.criteria}
    repeatability = criteria["repeatability"]
    assert repeatability.characteristic == "precision"
    assert repeatability.verdict is Verdict.NOT_MET
    assert repeatability.met is False
    assert repeatability.value == pytest.approx(4.01, abs=0.005)
    assert repeatability.upper == 3
    assert repeatability.reason == "repeatability GCV 4.01 % above 3 %"
    assert repeatability.criterion == "repeatability ≤ 3 %"
    # intermediate precision is still within its criterion
    assert criteria["intermediate precision"].verdict is Verdict.MET
    assert criteria["mean recovery"].verdict is Verdict.MET
    assert criteria["slope"].verdict is Verdict.MET
    assert criteria["R²"].verdict is Verdict.MET
    precision = next(
        c
        for c in result.assays[ASSAY].validation.characteristics
        if c.characteristic == "precision"
    )
    assert precision.verdict is Verdict.NOT_MET
    assert result.assays[ASSAY].validation.failures == (
        "precision: repeatability GCV 4.01 % above 3 %",
    )
    view = result.rule_data()["assays"][ASSAY]
    assert view["validation_failures"] == [repeatability.text]
    rows = {c["name"]: c for c in view["validation"]}
    assert rows["repeatability"]["met"] is False
    assert rows["intermediate precision"]["met"] is True


def _potency_draft_text(loaded: LoadedProject, result: ComputedProject) -> str:
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text

    outline = load_outline(find_outline("impd-quality"))
    return to_text(compose(outline, UnitContext(loaded.project, result)))


def test_the_impd_validation_table_prints_the_verdict(computed) -> None:  # type: ignore[no-untyped-def]
    loaded, result = computed
    text = _potency_draft_text(loaded, result)
    rows = {
        cells[1]: cells
        for line in text.splitlines()
        if (cells := line.split(" | "))[0] == "Relative potency by CD19-specific cytotoxicity"
        and len(cells) == 5
    }
    assert rows["precision"][3] == "repeatability ≤ 3 % ; intermediate precision ≤ 25 %"
    assert rows["precision"][4] == "no"
    for characteristic in ("accuracy", "linearity", "range"):
        assert rows[characteristic][4] == "yes", characteristic
    assert rows["linearity"][3] == "slope 0.8–1.25 ; R² ≥ 0.95"


def test_dossier_check_reports_the_same_criterion(tightened: Path, computed) -> None:  # type: ignore[no-untyped-def]
    _, result = computed
    repeatability = next(
        c for c in result.assays[ASSAY].validation.criteria if c.name == "repeatability"
    )
    env = {**os.environ, "DOSSIER_CACHE_DIR": ""}
    checked = subprocess.run(
        [sys.executable, "-m", "dossier", "check", str(tightened)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    lines = [line for line in checked.stdout.splitlines() if "POT-020" in line]
    assert len(lines) == 1, checked.stdout + checked.stderr
    assert f"misses validation criteria: {repeatability.text}." in lines[0]
    assert "intermediate precision" not in lines[0]


def test_the_example_as_given_meets_every_criterion() -> None:
    from dossier.analysis.project import compute_project

    result = compute_project(load_project(EXAMPLES / "car-t-nl"), send=False)
    validation = result.assays[ASSAY].validation
    assert {c.verdict for c in validation.criteria} == {Verdict.MET}
    assert validation.failures == ()
    assert validation.range is not None
    assert validation.range.verdict is Verdict.MET
