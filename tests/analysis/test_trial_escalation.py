"""The fold increase between consecutive cohorts of the planned trial, computed once.

Expected values are the ratios of the doses written in the cases (arithmetic by hand:
3e5 / 1e5 = 3, 1e6 / 3e5 = 3.333..., 2e6 / 1e6 = 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.trial import escalation, fold_increase
from dossier.core.errors import UserError
from dossier.model.base import Quantity
from dossier.model.project_io import load_project
from dossier.model.trial import ClinicalTrial
from tests.drafts.test_truthful_potency import copy


def _q(value: float, unit: str) -> Quantity:
    return Quantity(value=value, unit=unit)


def _trial(*doses: tuple[float, str]) -> ClinicalTrial:
    return ClinicalTrial.model_validate(
        {
            "title": "t",
            "phase": "1",
            "design": "d",
            "population": {"description": "p"},
            "cohorts": [
                {"cohort": f"DL{i}", "dose": {"value": v, "unit": u}}
                for i, (v, u) in enumerate(doses, start=1)
            ],
        }
    )


def test_the_largest_step_of_the_car_t_escalation() -> None:
    unit = "CAR+ T cells/kg"
    result = escalation(_trial((1e5, unit), (3e5, unit), (1e6, unit), (2e6, unit)))
    assert [s.fold for s in result.steps] == pytest.approx([3.0, 10 / 3, 2.0])
    assert result.maximum is not None
    assert (result.maximum.from_cohort, result.maximum.to_cohort) == ("DL2", "DL3")
    assert result.incomparable == ()
    assert result.rule_data()["max_fold"] == pytest.approx(10 / 3)


@pytest.mark.parametrize(
    ("low", "high", "fold"),
    [
        (_q(1.0, "1e6 cells/kg"), _q(2.0e6, "cells/kg"), 2.0),
        (_q(5.0e5, "cells/kg"), _q(1.5, "10^6 cells/kg"), 3.0),
        (_q(1.0, "x 10^6 cells per kg"), _q(4.0e6, "cells/kg"), 4.0),
        (_q(2.0e12, "vg/kg"), _q(6.0e12, "vg/kg"), 3.0),
    ],
)
def test_units_with_a_leading_multiplier_are_compared(
    low: Quantity, high: Quantity, fold: float
) -> None:
    assert fold_increase(low, high) == (pytest.approx(fold), None)


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (_q(1e5, "cells/kg"), _q(7e6, "cells")),
        (_q(1e12, "vg/kg"), _q(1e6, "cells/kg")),
    ],
)
def test_units_that_cannot_be_compared_are_not(low: Quantity, high: Quantity) -> None:
    fold, reason = fold_increase(low, high)
    assert fold is None
    assert reason == f"{low.unit} and {high.unit} cannot be compared"


def test_a_single_cohort_has_no_step() -> None:
    result = escalation(_trial((1e6, "cells")))
    assert result.steps == ()
    assert result.maximum is None


def test_a_cohort_above_the_maximum_dose_is_a_located_error(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["clinical_trial"]["cohorts"][3]["dose"]["value"] = 3.0e6

    with pytest.raises(UserError) as caught:
        load_project(copy(tmp_path, "car-t-nl", edit))
    (diag,) = caught.value.diagnostics
    assert diag.code == "DOS-X010"
    assert diag.message == (
        "cohort 'DL4' (3e+06 CAR+ T cells/kg) is above the maximum dose (2e+06 CAR+ T cells/kg)"
    )
    assert diag.location.path == ("clinical_trial", "cohorts", 3, "dose")


def test_the_dose_plan_shows_the_declared_maximum_fold_increase() -> None:
    from dossier.drafts.blocks import Para, Text
    from dossier.drafts.trial import dose_plan

    project = load_project(Path("examples/car-t-nl/dossier.yaml")).project
    planned = project.clinical_trial
    assert planned is not None

    def sentences(max_fold: float | None) -> list[str]:
        trial = planned.model_copy(update={"max_fold_increase": max_fold})
        blocks = dose_plan(project, trial, escalation(trial), "tab")
        return [
            "".join(p.text for p in b.parts if isinstance(p, Text))
            for b in blocks
            if isinstance(b, Para)
        ]

    declared = "Largest fold increase the protocol allows between consecutive cohorts: 3.5-fold."
    assert declared in sentences(3.5)
    assert not any("protocol allows" in s for s in sentences(None))
