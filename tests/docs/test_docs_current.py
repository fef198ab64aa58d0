"""Generated documentation matches the code (the model and the rule catalogue).

The expected rows of the field reference are read from the pydantic models themselves
(``model_fields``, ``Literal`` choices), not from the JSON Schema the generator works
from, so a generator that drops or garbles a field is caught.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from dossier.model import docgen
from dossier.model.project import Project
from dossier.rules import docs as rule_docs


def test_field_reference_and_schema_file_are_current() -> None:
    assert docgen.main(["--check"]) == 0, "run: python -m dossier.model.docgen"


def test_rule_reference_is_current() -> None:
    assert rule_docs.main(["--check"]) == 0, "run: python -m dossier.rules.docs"


# --- --check itself ---------------------------------------------------------------------


def test_check_passes_on_freshly_written_files(tmp_path: Path) -> None:
    assert docgen.main(["--docs-dir", str(tmp_path)]) == 0
    assert (tmp_path / "reference.md").is_file()
    assert (tmp_path / "schema" / "project.schema.json").is_file()
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 0


def test_check_fails_with_a_clear_message_on_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docgen.main(["--docs-dir", str(tmp_path)])
    reference = tmp_path / "reference.md"
    text = reference.read_text("utf-8")
    reference.write_text(text.replace("| `atmp_class` |", "| `atmp_klass` |"), "utf-8")
    capsys.readouterr()

    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{reference} is out of date" in err
    # the difference itself
    assert "-| `atmp_klass` |" in err
    assert "+| `atmp_class` |" in err
    assert "python -m dossier.model.docgen" in err  # how to fix it
    assert "project.schema.json" not in err  # the schema file is still current


def test_check_fails_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docgen.main(["--docs-dir", str(tmp_path)])
    (tmp_path / "schema" / "project.schema.json").unlink()
    capsys.readouterr()
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert "project.schema.json is missing" in capsys.readouterr().err


def test_check_writes_nothing(tmp_path: Path) -> None:
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == []


# --- the reference documents every field of every model ---------------------------------


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _all_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [Project]
    while pending:
        model = pending.pop()
        if model in found:
            continue
        found.append(model)
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return found


def _choices(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is Literal:
        return [str(v) for v in typing.get_args(annotation)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _choices(arg)]
    return []


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no section '## {title}' in the reference"
    return match.group(1)


def _rows(section: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        found = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if found:
            rows[found.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", found.group(2))]
    return rows


REFERENCE_TEXT = docgen.REFERENCE.read_text("utf-8")


def test_reference_has_a_section_for_every_model_reachable_from_the_root() -> None:
    models = _all_models()
    assert len(models) > 40  # the walk really went through the nested models
    for model in models[1:]:
        _section(REFERENCE_TEXT, model.__name__)
    _section(REFERENCE_TEXT, "Project (top level)")


@pytest.mark.parametrize("model", _all_models(), ids=lambda m: m.__name__)
def test_every_field_has_a_faithful_row(model: type[BaseModel]) -> None:
    title = "Project (top level)" if model is Project else model.__name__
    rows = _rows(_section(REFERENCE_TEXT, title))
    assert list(rows) == list(model.model_fields), "keys, in declaration order"
    for name, field in model.model_fields.items():
        _type, required, description, allowed, _default = rows[name]
        assert required == ("yes" if field.is_required() else "no"), name
        if field.description:
            assert " ".join(field.description.split()) in description, name
        for choice in _choices(field.annotation):
            assert f"`{choice}`" in allowed, (name, choice)
        for nested in _models_in(field.annotation):
            assert f"(#{nested.__name__.lower()})" in _type, (name, nested)


def test_product_rows_read_as_expected() -> None:
    rows = _rows(_section(REFERENCE_TEXT, "Product"))
    assert rows["atmp_class"][:2] == ["choice", "yes"]
    assert rows["atmp_class"][3] == "`GTMP`, `sCTMP`, `TEP`, `cATMP`"
    assert rows["vector"][:2] == ["[Vector](#vector)", "no"]
    assert rows["pluripotent_derived"][4] == "`false`"  # Field(default=False)
    assert rows["inn"][4] == "—"  # optional, no default


def test_every_link_in_the_reference_has_a_target() -> None:
    anchors = {
        re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", REFERENCE_TEXT, re.M)
    }
    targets = set(re.findall(r"\]\(#([^)]+)\)", REFERENCE_TEXT))
    assert len(targets) > 40
    assert targets <= anchors, targets - anchors
