"""The JSON Schema of the project file: a valid 2020-12 schema that editors can rely on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dossier.model.schema import project_json_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests/editor/fixtures/minimal.dossier.yaml"
EXAMPLES = sorted(ROOT.glob("examples/*/dossier.yaml"))


def _objects(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node that declares properties (models), with its JSON pointer."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield path, node
        for key, value in node.items():
            if key not in {"enum", "examples", "default", "const"}:
                yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{path}/{i}")


def _as_json(path: Path) -> Any:
    data = YAML(typ="safe").load(path.read_text("utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as ISO text, as an editor sees


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return project_json_schema()


def test_header(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:")  # names the schema, never fetched
    assert schema["title"]
    assert schema["description"]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_mapping_is_closed_and_every_key_described(schema: dict[str, Any]) -> None:
    objects = list(_objects(schema))
    assert len(objects) > 40
    for path, node in objects:
        # unknown keys are errors in the model (extra="forbid"): the editor must agree
        assert node.get("additionalProperties") is False, path
        for key, prop in node["properties"].items():
            assert prop.get("description"), f"{path}/properties/{key}"


def test_no_null_defaults_for_editors_to_insert(schema: dict[str, Any]) -> None:
    for path, node in _objects(schema):
        for key, prop in node["properties"].items():
            assert prop.get("default", "unset") is not None, f"{path}/properties/{key}"


def test_hover_titles_are_the_keys_the_user_types(schema: dict[str, Any]) -> None:
    for path, node in _objects(schema):
        for key, prop in node["properties"].items():
            assert prop.get("title", key) == key, f"{path}/properties/{key}"


def test_examples_are_kept(schema: dict[str, Any]) -> None:
    unit = schema["$defs"]["Quantity"]["properties"]["unit"]
    assert unit["examples"] == ["cells/kg", "vg/kg"]


def test_fresh_copy_on_every_call() -> None:
    first = project_json_schema()
    first["$defs"].clear()
    assert project_json_schema()["$defs"]


def test_editor_fixture_is_a_valid_project_pointing_at_the_committed_schema() -> None:
    from dossier.model.project_io import validate

    assert list(validate(FIXTURE)) == []
    modeline = "# yaml-language-server: $schema="
    first = FIXTURE.read_text("utf-8").splitlines()[0]
    assert first.startswith(modeline)
    target = (FIXTURE.parent / first.removeprefix(modeline)).resolve()
    assert target == ROOT / "docs/schema/project.schema.json"


@pytest.mark.parametrize("path", [FIXTURE, *EXAMPLES], ids=lambda p: p.parent.name)
def test_valid_project_files_pass(schema: dict[str, Any], path: Path) -> None:
    jsonschema.Draft202012Validator(schema).validate(_as_json(path))


@pytest.mark.parametrize(
    ("where", "value", "expected_path"),
    [
        (("product", "atmp_class"), "GTMX", ["product", "atmp_class"]),
        (("product", "cell_orgin"), "autologous", ["product"]),
        (("stage",), "phase-1", ["stage"]),
    ],
)
def test_broken_project_files_fail_at_the_right_place(
    schema: dict[str, Any], where: tuple[str, ...], value: str, expected_path: list[str]
) -> None:
    data = _as_json(FIXTURE)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [expected_path], errors
