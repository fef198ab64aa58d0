"""`dossier init`, `dossier validate` and `dossier schema` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ARCHETYPES = ["car-t", "aav", "ipsc", "msc", "tep"]


def run(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_init_creates_a_project_that_validates(tmp_path: Path, archetype: str) -> None:
    target = tmp_path / archetype
    result = run("init", str(target), "--archetype", archetype)
    assert result.returncode == 0, result.stderr
    assert (target / "dossier.yaml").is_file()
    schema = json.loads((target / "dossier.schema.json").read_text("utf-8"))
    assert schema["type"] == "object"
    first_line = (target / "dossier.yaml").read_text("utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./dossier.schema.json"
    checked = run("validate", str(target))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "valid (0 error(s)" in checked.stderr


def test_init_never_overwrites(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).returncode == 0
    before = (tmp_path / "dossier.yaml").read_bytes()
    again = run("init", str(tmp_path), "--archetype", "aav")
    assert again.returncode == 1
    assert "already exists" in again.stdout + again.stderr
    assert (tmp_path / "dossier.yaml").read_bytes() == before
    assert "Traceback" not in again.stderr


def test_unknown_key_is_located_with_a_did_you_mean_hint(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).returncode == 0
    project = tmp_path / "dossier.yaml"
    text = project.read_text("utf-8").replace("  indication:", "  indicaton:")
    project.write_text(text, "utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("  indicaton:"))
    result = run("validate", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    codes = {
        (d["code"], d["location"]["line"], d["location"]["column"]) for d in report["diagnostics"]
    }
    assert ("DOS-M002", line, 3) in codes
    unknown = next(d for d in report["diagnostics"] if d["code"] == "DOS-M002")
    assert unknown["hint"] == "did you mean 'indication'?"
    assert unknown["location"]["path"] == "product.indicaton"
    # the now-missing required field is reported in the same run
    assert any(d["code"] == "DOS-M001" for d in report["diagnostics"])


def test_dangling_reference_and_wrong_choice_are_reported_together(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).returncode == 0
    project = tmp_path / "dossier.yaml"
    text = project.read_text("utf-8")
    text = text.replace("moa_steps: [MOA-ACT]", "moa_steps: [MOA-ACTT]")
    text = text.replace("atmp_class: GTMP ", "atmp_class: GTMX ")
    project.write_text(text, "utf-8")
    result = run("validate", str(tmp_path))
    assert result.returncode == 1
    assert "DOS-M004" in result.stdout
    assert "did you mean 'GTMP'?" in result.stdout
    # the model error stops before cross-references; fix it and the reference error shows
    project.write_text(text.replace("GTMX", "GTMP"), "utf-8")
    result = run("validate", str(tmp_path))
    assert result.returncode == 1
    assert "DOS-X002" in result.stdout
    assert "did you mean 'MOA-ACT'?" in result.stdout
    assert "quality.potency.assays[0].moa_steps[0]" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate", str(tmp_path / "nope")).returncode == 2
    assert run("validate", "--format", "xml", str(tmp_path)).returncode == 2
    assert run("no-such-command").returncode == 2


def test_schema_is_json_schema_2020_12_and_validates_a_starter(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert run("init", str(tmp_path)).returncode == 0
    data = YAML(typ="safe").load((tmp_path / "dossier.yaml").read_text("utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as ISO strings, as in JSON
    jsonschema.Draft202012Validator(schema).validate(data)


def test_version() -> None:
    from dossier import __version__

    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout
