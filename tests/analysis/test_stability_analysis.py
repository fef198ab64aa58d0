"""How far stability data may carry a shelf life (ICH Q5C / Q1E), and what rules read.

The limits are ICH Q1E section 2.4: room temperature up to twice the period covered, not
more than 12 months beyond; refrigerated up to 1.5 times, not more than 6 months beyond;
none for frozen storage (2.5) or conditions other than long-term. Expected values are
worked by hand from those rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.analysis.project import compute_project
from dossier.analysis.stability import extrapolation_limit
from dossier.model.project_io import load_project
from dossier.model.stability import StabilityStudy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _study(temperature: float | None, kind: str, unit: str, justified: bool) -> StabilityStudy:
    return StabilityStudy.model_validate(
        {
            "id": "ST-1",
            "material": "drug_product",
            "condition": {"label": "x", "temperature_c": temperature, "type": kind},
            "container_closure": "vial",
            "batches": ["B-1"],
            "time_unit": unit,
            "attributes": [{"name": "x", "method": "M-1", "unit": "%", "lower": 1}],
            "extrapolation_justification": "supportive data" if justified else None,
        }
    )


@pytest.mark.parametrize(
    ("temperature", "kind", "unit", "justified", "longest", "basis", "limit"),
    [
        (25, "long_term", "months", False, 12, "real_time", 12),
        (25, "long_term", "months", True, 6, "q1e_room", 12),  # twice 6
        (25, "long_term", "months", True, 18, "q1e_room", 30),  # 18 + 12, below twice 18
        (5, "long_term", "months", True, 6, "q1e_refrigerated", 9),  # 1.5 × 6
        (5, "long_term", "months", True, 24, "q1e_refrigerated", 30),  # 24 + 6
        (5, "long_term", "days", True, 730.5, "q1e_refrigerated", 730.5 + 6 * 30.4375),
        (25, "long_term", "hours", True, 6, "q1e_room", 12),
        (-150, "long_term", "months", True, 12, "not_allowed", 12),
        (20, "in_use", "hours", True, 6, "not_allowed", 6),
        (None, "long_term", "months", True, 12, "not_allowed", 12),
    ],
)
def test_extrapolation_limits_follow_q1e(
    temperature: float | None,
    kind: str,
    unit: str,
    justified: bool,
    longest: float,
    basis: str,
    limit: float,
) -> None:
    ex = extrapolation_limit(_study(temperature, kind, unit, justified), longest)
    assert ex.basis == basis
    assert ex.limit == pytest.approx(limit)


def test_rules_read_the_verdict_and_the_reason() -> None:
    computed = compute_project(load_project(EXAMPLES / "car-t-nl"), send=False)
    data = computed.rule_data()["stability"]
    cryo = data["ST-DP-LN2"]
    assert cryo["proposed"] == 24
    assert cryo["supported"] == 12
    assert cryo["proposed_supported"] is False
    viability = cryo["attributes"][0]
    assert viability["model"] == "common_slope"
    assert viability["extrapolation"] == "real_time"
    assert viability["longest_time"] == 12
    assert data["ST-DP-THAW"]["proposed_supported"] is True
    ipsc = compute_project(load_project(EXAMPLES / "ipsc-local"), send=False).rule_data()
    cryo_ipsc = ipsc["stability"]["ST-CRYO"]
    assert cryo_ipsc["proposed_supported"] is None
    assert cryo_ipsc["attributes"][0]["reason"] == "too_few_points"
