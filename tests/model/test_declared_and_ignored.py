"""A value the project states but nothing would use is refused with a message, never
accepted and ignored."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dossier.model.regulatory import Annex, Citation


def test_a_guideline_section_belongs_to_a_cited_reference() -> None:
    assert Citation(kind="reference", id="REF-1", section="4.2").section == "4.2"
    with pytest.raises(ValidationError, match="a citation of kind 'study' has none"):
        Citation(kind="study", id="S-1", section="4.2")


def test_a_file_belongs_to_an_attached_annex() -> None:
    assert Annex(id="ANX-1", title="Report", content="file", file="report.pdf").file
    with pytest.raises(ValidationError, match="is generated from the project"):
        Annex(id="ANX-2", title="Dose", content="dose_rationale", file="dose.pdf")
