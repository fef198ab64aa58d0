"""The example drafts equal their golden files (regenerate: python -m tests.drafts.golden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .golden import DOCS, EXAMPLES, GOLDEN, normalized_xml, text_dump


@pytest.mark.parametrize("example", EXAMPLES)
def test_drafts_match_golden_text_and_xml(built: dict[str, Path], example: str) -> None:
    for doc in DOCS:
        docx = built[example] / f"{doc}.docx"
        if not (GOLDEN / example / f"{doc}.txt").exists():
            assert not docx.exists(), f"{example}/{doc}: run python -m tests.drafts.golden"
            continue
        expected_text = (GOLDEN / example / f"{doc}.txt").read_text("utf-8")
        assert text_dump(docx) == expected_text, (
            f"{example}/{doc}: run python -m tests.drafts.golden"
        )
        expected_xml = (GOLDEN / example / f"{doc}.xml").read_text("utf-8")
        assert normalized_xml(docx) == expected_xml, (
            f"{example}/{doc}: run python -m tests.drafts.golden"
        )


def test_no_golden_text_holds_leftovers_or_empty_values() -> None:
    import re

    for path in GOLDEN.rglob("*.txt"):
        text = path.read_text("utf-8")
        assert not re.search(r"\bNone\b|\bnan\b|\{\{|\{%|/tmp/", text), path
