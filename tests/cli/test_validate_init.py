"""`dossier init`, `dossier validate` and `dossier schema` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLE, Invoke, copy_example

ARCHETYPES = ["car-t", "aav", "ipsc", "msc", "tep"]


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_init_creates_a_project_that_validates(
    invoke: Invoke, tmp_path: Path, archetype: str
) -> None:
    target = tmp_path / archetype
    result = invoke("init", target, "--archetype", archetype)
    assert result.exit_code == 0, result.stderr
    assert (target / "dossier.yaml").is_file()
    schema = json.loads((target / "dossier.schema.json").read_text("utf-8"))
    assert schema["type"] == "object"
    first_line = (target / "dossier.yaml").read_text("utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./dossier.schema.json"
    checked = invoke("validate", target)
    assert checked.exit_code == 0, checked.output
    assert "valid (0 error(s)" in checked.stderr


def test_init_never_overwrites(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init", tmp_path).exit_code == 0
    before = (tmp_path / "dossier.yaml").read_bytes()
    again = invoke("init", tmp_path, "--archetype", "aav")
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert (tmp_path / "dossier.yaml").read_bytes() == before


def test_unknown_key_is_located_with_a_did_you_mean_hint(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init", tmp_path).exit_code == 0
    project = tmp_path / "dossier.yaml"
    text = project.read_text("utf-8").replace("  indication:", "  indicaton:")
    project.write_text(text, "utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("  indicaton:"))
    result = invoke("validate", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["project"] == str(tmp_path)
    assert report["errors"] == len([d for d in report["diagnostics"] if d["severity"] == "error"])
    codes = {
        (d["code"], d["location"]["line"], d["location"]["column"]) for d in report["diagnostics"]
    }
    assert ("DOS-M002", line, 3) in codes
    unknown = next(d for d in report["diagnostics"] if d["code"] == "DOS-M002")
    assert unknown["hint"] == "did you mean 'indication'?"
    assert unknown["location"]["path"] == "product.indicaton"
    # the now-missing required field is reported in the same run
    assert any(d["code"] == "DOS-M001" for d in report["diagnostics"])


def test_dangling_reference_and_wrong_choice_are_reported_together(
    invoke: Invoke, tmp_path: Path
) -> None:
    assert invoke("init", tmp_path).exit_code == 0
    project = tmp_path / "dossier.yaml"
    text = project.read_text("utf-8")
    text = text.replace("moa_steps: [MOA-ACT]", "moa_steps: [MOA-ACTT]")
    text = text.replace("atmp_class: GTMP ", "atmp_class: GTMX ")
    project.write_text(text, "utf-8")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert "DOS-M004" in result.stdout
    assert "did you mean 'GTMP'?" in result.stdout
    # the model error stops before cross-references; fix it and the reference error shows
    project.write_text(text.replace("GTMX", "GTMP"), "utf-8")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert "DOS-X002" in result.stdout
    assert "did you mean 'MOA-ACT'?" in result.stdout
    assert "quality.potency.assays[0].moa_steps[0]" in result.stdout


def test_github_format_annotates_each_problem(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init", tmp_path).exit_code == 0
    project = tmp_path / "dossier.yaml"
    project.write_text(project.read_text("utf-8").replace("  route:", "  rout:"), "utf-8")
    result = invoke("validate", tmp_path, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines, result.output
    assert all(line.startswith("::error file=") for line in lines)
    assert any("title=DOS-M002::unknown key 'rout'" in line for line in lines)


def test_strict_fails_on_warnings(invoke: Invoke, tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    text = project.read_text("utf-8")
    old = "  gmo_permit:\n    required: true"
    assert old in text
    project.write_text(text.replace(old, "  gmo_permit:\n    required: false"), "utf-8")
    relaxed = invoke("validate", project)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning DOS-X010" in relaxed.stdout
    assert "valid (0 error(s), 1 warning(s))" in relaxed.stderr
    strict = invoke("validate", project, "--strict")
    assert strict.exit_code == 1
    assert "invalid (0 error(s), 1 warning(s))" in strict.stderr


def test_deep_validation_analyses_the_data_files(invoke: Invoke) -> None:
    result = invoke("validate", EXAMPLE, "--deep", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["errors"] == 0
    assert report["project"].endswith("dossier.yaml")


def test_usage_errors_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("validate", tmp_path / "nope").exit_code == 2
    assert invoke("validate", "--format", "xml", tmp_path).exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_schema_is_json_schema_2020_12_and_validates_a_starter(
    invoke: Invoke, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert invoke("init", tmp_path).exit_code == 0
    data = YAML(typ="safe").load((tmp_path / "dossier.yaml").read_text("utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as ISO strings, as in JSON
    jsonschema.Draft202012Validator(schema).validate(data)


def test_version(invoke: Invoke) -> None:
    from dossier import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout
