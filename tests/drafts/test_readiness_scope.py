"""The readiness report says what it does not check and how sure its rules are, so that a
short list of findings is never read as a clean bill of health."""

from __future__ import annotations

from pathlib import Path

from dossier.drafts.readiness import CONFIDENCE_WORDS, NOT_CHECKED

ROOT = Path(__file__).resolve().parents[2]


def _readiness_text(example: str) -> tuple[str, dict[str, int]]:
    from dossier.analysis.project import compute_project
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text
    from dossier.model.project_io import load_project
    from dossier.rules.check import check_project

    loaded = load_project(ROOT / "examples" / example)
    computed = compute_project(loaded, send=False)
    result = check_project(loaded, computed.rule_data())
    counts = dict.fromkeys(CONFIDENCE_WORDS, 0)
    for finding in result.findings:
        counts[str(finding.confidence)] += 1
    outline = load_outline(find_outline("readiness"))
    text = to_text(compose(outline, UnitContext(loaded.project, computed, result)))
    return text, counts


def test_the_report_counts_findings_by_confidence_and_states_its_scope() -> None:
    text, counts = _readiness_text("ipsc-local")
    flat = " ".join(text.split())
    assert "Findings by the confidence of the rule behind them" in flat
    for level, meaning in CONFIDENCE_WORDS.items():
        assert f"{level} | {meaning} | {counts[level]}" in flat, level
    for item in NOT_CHECKED:
        assert " ".join(item.split()) in flat
    assert "All applicable expectations are met" not in flat


def test_the_report_lists_text_that_the_data_contradict(tmp_path: Path) -> None:
    """The frozen CAR-T copy says the gonads were below LLOQ at day 56; the report shows
    the sentence's place, the claim and the evidence."""
    from dossier.analysis.project import compute_project
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text
    from dossier.model.project_io import load_project
    from dossier.rules.check import check_project

    loaded = load_project(ROOT / "tests" / "data" / "narrative" / "car-t-nl")
    computed = compute_project(loaded, send=False)
    assert computed.contradictions
    result = check_project(loaded, computed.rule_data())
    outline = load_outline(find_outline("readiness"))
    text = " ".join(
        to_text(compose(outline, UnitContext(loaded.project, computed, result))).split()
    )
    assert "Text contradicted by the data" in text
    assert "nonclinical.overview" in text
    assert f"{len(computed.contradictions)} sentence(s) of the project's text" in text
    fixed, _ = _readiness_text("car-t-nl")
    assert "No sentence of the project's text was found to contradict" in " ".join(fixed.split())
