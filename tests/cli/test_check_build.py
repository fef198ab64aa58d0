"""`dossier check` and `dossier build` on the command line: what each format shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dossier.api import document_types
from dossier.rules.check import builtin_rules

from .conftest import EXAMPLE, Invoke, copy_example


def _pot_024() -> tuple[str, str]:
    """The citation (as printed) and confidence of the rule the example triggers."""
    rule = next(r for r in builtin_rules() if r.id == "POT-024")
    section = f", {rule.citation.section}" if rule.citation.section else ""
    return rule.citation.document + section, rule.confidence


def test_check_text_shows_place_rule_source_and_hint(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if " POT-024 " in line)
    head, source, hint = lines[start : start + 3]
    # FILE:LINE:COL: severity RULE [yaml path] message
    assert re.match(
        r"^\S*dossier\.yaml:\d+:\d+: info POT-024 "
        r"\[quality\.potency\.assays\[2\]\.clinical_correlation\] Assay 'A-CAR' says",
        head,
    ), head
    citation, confidence = _pot_024()
    assert source == f"    source: {citation} ({confidence})"
    assert hint.startswith("    hint: ")
    assert "0 error(s), " in result.stderr
    assert " 1 note(s) from" in result.stderr


def test_check_json_keeps_its_fields(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == [
        "project",
        "errors",
        "warnings",
        "infos",
        "rules_applied",
        "problems",
        "findings",
    ]
    assert (report["errors"], report["infos"]) == (0, 1)
    warned = [f for f in report["findings"] if f["severity"] == "warning"]
    assert report["warnings"] == len(report["problems"]) + len(warned)
    assert report["rules_applied"] > 50
    (finding,) = [f for f in report["findings"] if f["severity"] == "info"]
    assert finding["rule"] == finding["code"] == "POT-024"
    citation, confidence = _pot_024()
    assert finding["citation"]["document"] in citation
    assert finding["confidence"] == confidence
    assert finding["section"] == "Potency"
    assert finding["location"]["path"] == "quality.potency.assays[2].clinical_correlation"


def test_check_github_annotations(invoke: Invoke) -> None:
    result = invoke("check", EXAMPLE, "--format", "github")
    assert result.exit_code == 0
    (line,) = [line for line in result.stdout.splitlines() if "title=POT-" in line]
    assert line.startswith("::notice file=")
    assert "title=POT-024::" in line
    assert f"(source: {_pot_024()[0]})" in line


def test_check_profile_regrades_and_strict_fails(invoke: Invoke, tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text('profile: house\nversion: "1"\nseverity: {POT-024: warning}\n', "utf-8")
    relaxed = invoke("check", EXAMPLE, "--profile", profile)
    assert relaxed.exit_code == 0, relaxed.output
    assert " warning POT-024 " in relaxed.stdout
    strict = invoke("check", EXAMPLE, "--profile", profile, "--strict")
    assert strict.exit_code == 1


def test_check_of_an_invalid_project_prints_its_errors(invoke: Invoke, tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    text = project.read_text("utf-8")
    project.write_text(text.replace("  route:", "  rout:", 1), "utf-8")
    result = invoke("check", project, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] >= 1
    assert any(d["code"] == "DOS-M002" for d in report["diagnostics"])


def test_rule_listing(invoke: Invoke) -> None:
    listed = invoke("check", "--list-rules", "--format", "json")
    assert listed.exit_code == 0
    rules = json.loads(listed.stdout)
    assert {"id", "title", "severity", "confidence", "citation"} <= set(rules[0])
    assert invoke("check").exit_code == 2  # neither a project nor --list-rules


def test_build_only_the_readiness_report(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("build", EXAMPLE, "--out", out, "--only", "readiness", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'readiness-report.docx'}" in result.stdout
    assert "4 expectation finding(s)" in result.stderr  # QUA-020, QUA-021, QUA-027, POT-024
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "readiness-report.docx"]


def test_build_offers_the_document_types_of_the_outlines(invoke: Invoke) -> None:
    from dossier.core.resources import builtin_dir

    outlines = sorted(p.stem for p in builtin_dir("sections").glob("*.yaml"))
    assert list(document_types()) == outlines
    result = invoke("build", EXAMPLE, "--only", "no-such-document")
    assert result.exit_code == 2
    for name in outlines:
        assert name in result.stderr
