"""Outliers are reported for every run and removed only under the assay's declared rule.

The CAR-T example's run R-CYTOX-02 holds one response beyond the screen's limit (row 40,
B-CLIN-02 at E:T 2.5, studentized residual −4.12 against 3.62 for 42 responses at 5 %).
Without a rule it is reported and kept; with ``outliers: {}`` it is removed and the
run's estimate changes; a rule allowing fewer removals than the run's outliers makes the
run invalid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject
from dossier.model.project_io import load_project
from tests.drafts.test_truthful_potency import copy

ASSAY, RUN, ROW = "A-CYTOX", "R-CYTOX-02", 40


def _rule(rule: dict[str, Any]) -> Any:
    def edit(data: dict[str, Any]) -> None:
        assay = next(a for a in data["quality"]["potency"]["assays"] if a["id"] == ASSAY)
        assay["outliers"] = rule

    return edit


def _computed(folder: Path) -> ComputedProject:
    return compute_project(load_project(folder), send=False)


def _estimate(computed: ComputedProject) -> float:
    run = computed.assays[ASSAY].runs[RUN]
    assert run is not None
    value = run.analysis.results[0].relative_potency
    assert value is not None
    return value


def test_without_a_rule_the_outlier_is_reported_only(tmp_path: Path) -> None:
    computed = _computed(copy(tmp_path, "car-t-nl"))
    run = computed.assays[ASSAY].runs[RUN]
    assert run is not None
    assert run.outliers is not None
    assert [r.row for r in run.outliers.screen.flagged] == [ROW]
    flag = run.outliers.screen.flagged[0]
    assert flag.studentized == pytest.approx(-4.12, abs=0.005)
    assert run.outliers.screen.limit == pytest.approx(3.62, abs=0.005)
    assert run.outliers.removed == ()
    assert run.analysis.rows_used == 42
    assert run.valid
    assert run.text.endswith("row 40 flagged (|t| = 4.12 > 3.62), kept: no outlier rule declared")
    data = computed.rule_data()["assays"][ASSAY]["runs"][RUN]["outliers"]
    assert data["flagged_rows"] == [ROW]
    assert data["removed_rows"] == []
    assert "reported only" in data["text"]
    # the other runs are screened too, with nothing beyond the limit
    other = computed.assays[ASSAY].runs["R-CYTOX-01"]
    assert other is not None
    assert other.outliers is not None
    assert other.outliers.screen.screened == 42
    assert other.outliers.screen.flagged == ()


def test_a_declared_rule_removes_the_outlier_and_changes_the_run(tmp_path: Path) -> None:
    kept = _estimate(_computed(copy(tmp_path / "a", "car-t-nl")))
    computed = _computed(copy(tmp_path / "b", "car-t-nl", _rule({})))
    run = computed.assays[ASSAY].runs[RUN]
    assert run is not None
    assert run.outliers is not None
    assert [r.row for r in run.outliers.removed] == [ROW]
    assert run.analysis.rows_used == 41
    assert all(o.row != ROW for o in run.data.observations)
    removed = _estimate(computed)
    assert removed != pytest.approx(kept, rel=1e-6)
    assert "removed by the declared outlier rule" in run.text
    assert "removed by the declared outlier rule: row 40" in run.outliers.text


def test_more_outliers_than_the_rule_allows_fail_the_run(tmp_path: Path) -> None:
    # at alpha 0.45 the limit drops and more than one response is beyond it
    computed = _computed(copy(tmp_path, "car-t-nl", _rule({"alpha": 0.45, "max_removed": 1})))
    run = computed.assays[ASSAY].runs[RUN]
    assert run is not None
    assert run.outliers is not None
    assert len(run.outliers.screen.attributable) > 1
    assert run.outliers.too_many
    assert not run.valid
    assert run.reasons[0].text.endswith(
        "more than the 1 the declared outlier rule allows to remove"
    )
    assert run.analysis.rows_used == 42  # analysed on all responses, nothing removed
    assert run.rule_data()["valid"] is False
