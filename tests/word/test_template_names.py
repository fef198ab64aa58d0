"""A template named in an outline stays inside the template folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.core.errors import UserError
from dossier.word.templates import TemplateSearch, check_template_name


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../house.docx",
        "briefing/../../house.docx",
        "..\\house.docx",
        "C:house.docx",
        " ",
    ],
)
def test_a_template_name_that_leaves_the_folders_is_refused(name: str, tmp_path: Path) -> None:
    outline = tmp_path / "sections" / "briefing.yaml"
    with pytest.raises(UserError) as caught:
        TemplateSearch.of([tmp_path]).find(name, "briefing", named_in=outline)
    [problem] = caught.value.diagnostics
    assert problem.code == "DOS-T017"
    assert problem.location.file == str(outline)


@pytest.mark.parametrize("name", ["house.docx", "briefing/house.docx", "my..house.docx"])
def test_a_relative_template_name_is_accepted(name: str) -> None:
    check_template_name(name)
