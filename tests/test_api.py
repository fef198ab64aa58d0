"""The front door (`dossier.validate`, `compute`, `check`, `build`): typed reports that
hold their diagnostics and counts."""

from __future__ import annotations

import dataclasses
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dossier
from dossier.api import (
    BuildOptions,
    BuildReport,
    CheckReport,
    ComputeReport,
    ValidationReport,
)
from dossier.core.diagnostics import (
    Citation,
    Diagnostic,
    DiagnosticList,
    Location,
    Severity,
    format_diagnostics,
)
from dossier.core.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "car-t-nl"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the CAR-T example with an unknown key (an error)."""
    target = tmp_path / "car-t-nl"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("out"))
    project = target / "dossier.yaml"
    project.write_text(project.read_text("utf-8").replace("  route:", "  rout:", 1), "utf-8")
    return project


def test_importing_dossier_imports_no_model_or_numerics() -> None:
    script = (
        "import sys, dossier; dossier.validate, dossier.build;"
        "print(sorted(m for m in ('pydantic', 'ruamel', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_package_re_exports_the_front_door() -> None:
    from dossier import api

    for name in api.__all__:
        assert getattr(dossier, name) is getattr(api, name), name
    # the build conductor's module and the compute stage's package, once imported, do
    # not hide the functions of the same names
    importlib.import_module("dossier.build")
    importlib.import_module("dossier.compute.potency.models")
    from dossier.build import build_project

    assert callable(build_project)
    assert dossier.build is api.build
    assert dossier.compute is api.compute


def test_validate_returns_a_typed_report() -> None:
    report = dossier.validate(EXAMPLE)
    assert isinstance(report, ValidationReport)
    assert dataclasses.is_dataclass(report)
    assert isinstance(report.diagnostics, DiagnosticList)
    assert (report.errors, report.warnings, report.infos) == (0, 0, 0)
    assert report.valid
    assert not report.failed(strict=True)
    assert report.loaded is not None
    assert report.project.endswith("dossier.yaml")
    assert not report.deep


def test_validate_reports_errors_instead_of_raising(broken: Path) -> None:
    report = dossier.validate(broken)
    assert not report.valid
    assert report.loaded is None
    assert report.errors == len(report.diagnostics.errors) >= 1
    assert "DOS-M002" in {d.code for d in report.diagnostics}
    assert report.diagnostics == report.diagnostics.sorted()
    as_json = report.to_dict()
    assert as_json["project"] == str(broken)
    assert as_json["errors"] == report.errors
    json.dumps(as_json)


def test_validate_deep_of_a_loaded_project() -> None:
    loaded = dossier.load_project(EXAMPLE)
    report = dossier.validate(loaded, deep=True)
    assert report.deep
    assert report.loaded is loaded
    assert report.valid


def test_compute_holds_the_results_and_their_project() -> None:
    report = dossier.compute(EXAMPLE, send=False)
    assert isinstance(report, ComputeReport)
    assert report.computed.assays  # the example's assays were analysed
    assert report.loaded.project.product.name
    assert report.errors == 0
    assert isinstance(report.diagnostics, DiagnosticList)


def test_compute_check_and_build_raise_for_a_project_that_does_not_load(broken: Path) -> None:
    for call in (dossier.compute, dossier.check, dossier.build):
        with pytest.raises(UserError) as caught:
            call(broken)
        assert "DOS-M002" in {d.code for d in caught.value.diagnostics}


def test_check_gives_findings_as_diagnostics() -> None:
    report = dossier.check(EXAMPLE)
    assert isinstance(report, CheckReport)
    assert report.errors == 0
    assert len(report.rules_applied) > 50
    assert report.rules_skipped
    # the data's own problems come first, then the rule findings
    assert [d.citation is not None for d in report.diagnostics] == sorted(
        d.citation is not None for d in report.diagnostics
    )
    # the intentional findings of the example (examples/car-t-nl/NOTES.md)
    assert sorted(f.code for f in report.findings) == ["POT-024", "QUA-020", "QUA-021", "QUA-027"]
    (finding,) = [f for f in report.findings if f.code == "POT-024"]
    assert isinstance(finding, Diagnostic)
    assert finding.code == finding.rule_id == "POT-024"
    assert finding.severity is Severity.INFO
    rule = next(r for r in report.rules_applied if r.id == "POT-024")
    assert finding.citation == Citation(rule.citation.document, rule.citation.section)
    assert finding.confidence == rule.confidence
    assert finding.section == "Potency"
    assert finding.location.yaml_path == "quality.potency.assays[2].clinical_correlation"


def test_check_takes_a_path_a_loaded_project_or_computed_results(tmp_path: Path) -> None:
    by_path = dossier.check(EXAMPLE)
    loaded = dossier.load_project(EXAMPLE)
    by_loaded = dossier.check(loaded)
    by_computed = dossier.check(dossier.compute(loaded))
    assert by_path.to_dict() == by_loaded.to_dict() == by_computed.to_dict()
    profile = tmp_path / "profile.yaml"
    profile.write_text('profile: house\nversion: "1"\ndisable: [POT-024]\n', "utf-8")
    quiet = dossier.check(loaded, profile=profile)
    assert quiet.infos == 0
    assert "POT-024" not in {f.code for f in quiet.findings}
    assert len(quiet.rules_applied) == len(by_path.rules_applied) - 1


def test_check_reads_current_files_every_time(tmp_path: Path) -> None:
    """No results are kept between checks: an edit shows at once."""
    target = tmp_path / "car-t-nl"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("out"))
    assert "POT-024" in {d.code for d in dossier.check(target).findings}
    project = target / "dossier.yaml"
    text = project.read_text("utf-8")
    old = "        name: CAR expression on CD3+ T cells\n"
    assert old in text
    added = old + "        clinical_correlation: Compared with expansion in vivo.\n"
    project.write_text(text.replace(old, added), "utf-8")
    assert "POT-024" not in {d.code for d in dossier.check(target).findings}


def test_build_returns_what_it_wrote(tmp_path: Path) -> None:
    options = BuildOptions(out_dir=tmp_path / "out", only=["readiness"], jobs=1)
    messages: list[str] = []
    options.progress = messages.append
    report = dossier.build(EXAMPLE, options)
    assert isinstance(report, BuildReport)
    assert report.written == [tmp_path / "out" / "readiness-report.docx"]
    assert report.written[0].is_file()
    assert report.findings == 4  # QUA-020, QUA-021, QUA-027, POT-024
    assert report.errors == 0
    assert not report.failed()
    assert messages
    assert messages[0] == "computing results from the data files"


def test_document_types_come_from_the_outlines() -> None:
    from dossier.core.resources import builtin_dir

    assert dossier.document_types() == tuple(
        sorted(p.stem for p in builtin_dir("sections").glob("*.yaml"))
    )
    assert "readiness" in dossier.document_types()


def test_one_formatter_for_problems_and_findings() -> None:
    where = Location("dossier.yaml", 3, 5, ("product", "name"))
    problem = Diagnostic("DOS-M002", Severity.ERROR, "unknown key 'nam'", where, "did you mean?")
    finding = Diagnostic(
        "POT-001",
        Severity.WARNING,
        "no potency assay",
        where,
        "add one",
        citation=Citation("EMA/CAT/22473/2025", "4.6"),
        confidence="verified",
        section="Potency",
    )
    text = format_diagnostics([problem, finding], "text")
    assert text.splitlines() == [
        "dossier.yaml:3:5: error DOS-M002 [product.name] unknown key 'nam'",
        "    hint: did you mean?",
        "dossier.yaml:3:5: warning POT-001 [product.name] no potency assay",
        "    source: EMA/CAT/22473/2025, 4.6 (verified)",
        "    hint: add one",
    ]
    github = format_diagnostics([finding], "github")
    assert github.startswith("::warning file=dossier.yaml,line=3,col=5,title=POT-001::")
    document = json.loads(format_diagnostics([problem, finding], "json"))
    assert (document["errors"], document["warnings"], document["infos"]) == (1, 1, 0)
    plain, rule = document["diagnostics"]
    assert "rule" not in plain
    assert problem.rule_id is None
    assert rule["rule"] == "POT-001"
    assert rule["citation"] == {"document": "EMA/CAT/22473/2025", "section": "4.6"}
    with pytest.raises(ValueError, match="unknown diagnostics format"):
        format_diagnostics([problem], "xml")
