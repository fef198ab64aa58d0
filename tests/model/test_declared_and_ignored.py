"""A value the project states but nothing would use is refused with a message, never
accepted and ignored."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dossier.model.quality import AnalyticalMethod
from dossier.model.regulatory import Annex, Citation


def test_a_guideline_section_belongs_to_a_cited_reference() -> None:
    assert Citation(kind="reference", id="REF-1", section="4.2").section == "4.2"
    with pytest.raises(ValidationError, match="a citation of kind 'study' has none"):
        Citation(kind="study", id="S-1", section="4.2")


def test_a_file_belongs_to_an_attached_annex() -> None:
    assert Annex(id="ANX-1", title="Report", content="file", file="report.pdf").file
    with pytest.raises(ValidationError, match="is generated from the project"):
        Annex(id="ANX-2", title="Dose", content="dose_rationale", file="dose.pdf")


def _method(**extra: object) -> AnalyticalMethod:
    return AnalyticalMethod.model_validate(
        {
            "id": "M-PSC",
            "name": "Residual iPSCs (LIN28A ddPCR)",
            "type": "impurity_quantitative",
            "attribute": "Residual undifferentiated cells",
            "lifecycle_status": "qualified",
            **extra,
        }
    )


def test_a_numeric_release_limit_is_a_fraction_of_the_cells() -> None:
    residual = {"measures": ["residual_undifferentiated_cells"]}
    limit = _method(**residual, release_limit={"maximum": 100, "unit": "per_million"})
    assert limit.release_limit is not None
    assert limit.release_limit.percent == pytest.approx(0.01)
    with pytest.raises(ValidationError, match="give it for a method that measures residual"):
        _method(release_limit={"maximum": 0.01, "unit": "percent"})
    with pytest.raises(ValidationError, match="more than all the cells"):
        _method(**residual, release_limit={"maximum": 2e6, "unit": "per_million"})
