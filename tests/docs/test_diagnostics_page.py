"""docs/diagnostics.md lists every DOS- code of the sources and is current."""

from __future__ import annotations

from dossier.core import codes


def test_every_code_has_a_meaning_and_the_page_is_current() -> None:
    found, undescribed = codes.collect()
    assert not undescribed
    assert {"DOS-Y001", "DOS-C900", "DOS-X011", "DOS-N101"} <= set(found)
    assert all(meaning.strip() for meaning, _ in found.values())
    assert codes.DOC.read_text("utf-8") == codes.render(found)
    assert codes.main(["--check"]) == 0
