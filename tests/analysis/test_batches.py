"""Batch results in the computed view: the criterion for the batch's use, OOS and trends."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.analysis.batches import criterion_for_batch
from dossier.analysis.project import compute_project
from dossier.model.project_io import load_project

CAR_T = Path(__file__).resolve().parents[2] / "examples" / "car-t-nl"


@pytest.fixture(scope="module")
def computed():  # type: ignore[no-untyped-def]
    loaded = load_project(CAR_T)
    return loaded, compute_project(loaded)


def test_the_criterion_follows_the_batch_use(computed) -> None:  # type: ignore[no-untyped-def]
    loaded, _ = computed
    assay = loaded.project.quality.potency.assays[0]  # A-CYTOX: release and stability
    assert criterion_for_batch(assay, ["stability"])[0] == "stability"
    assert criterion_for_batch(assay, ["clinical", "stability"])[0] == "release"
    assert criterion_for_batch(assay, ["toxicology"])[0] == "release"
    # no criterion for that role: the release criterion applies
    role, criterion = criterion_for_batch(assay, ["comparability"])
    assert role == "release"
    assert criterion is not None


def test_batch_results_carry_oos_flags_and_the_trend(computed) -> None:  # type: ignore[no-untyped-def]
    _, result = computed
    car = result.assays["A-CAR"]
    assert {b: c.out_of_specification for b, c in car.batches.items()} == {
        "B-TOX-01": False,
        "B-CLIN-01": False,
        "B-CLIN-02": False,
    }
    assert car.trend is not None
    trend = car.trend.result
    # tests/reference/r/trend.out: car-t A-CAR slope 0.008043421397 p 0.84169276
    assert trend.slope_per_day == pytest.approx(0.008043421397, rel=1e-8)
    assert trend.p == pytest.approx(0.84169276, rel=1e-6)
    assert not trend.flagged
    data = result.rule_data()["assays"]["A-CAR"]
    assert data["trend"]["batches"] == ["B-TOX-01", "B-CLIN-01", "B-CLIN-02"]
    assert data["batches"]["B-CLIN-02"]["out_of_specification"] is False
