"""Every catalogue rule proves itself: each of its examples fires or stays quiet as declared.

A rule's ``examples`` (see :mod:`dossier.rules.examples`) edit a named example project;
this test applies each edit to a copy of the project data parsed once per session,
validates the edited project as ``dossier validate`` would (an edit must give a valid
project), computes its results and evaluates the rule alone. The data files are read
once: the analyses keep their results by file content. An example that edits data files
is run on a copy of the project folder.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from dossier.analysis.project import compute_project
from dossier.core.errors import UserError
from dossier.load.yaml_source import SourceDoc, load_yaml
from dossier.model.project_io import LoadedProject, project_from_source
from dossier.rules.check import Explanation, builtin_rules, explain_rule
from dossier.rules.engine import _helpers, fields_read, helper_docs
from dossier.rules.examples import (
    EXAMPLE_PROJECTS,
    EditError,
    RuleExample,
    RuleExamples,
    TableEdit,
    apply_example,
    edit_files,
    edit_table,
)
from dossier.rules.schema import Rule
from dossier.starters import ARCHETYPES, create_project

ROOT = Path(__file__).resolve().parents[2]


def _cases() -> list[Any]:
    cases = []
    for rule in builtin_rules():
        if rule.examples is None:
            continue
        for kind in ("fires", "quiet"):
            for i, example in enumerate(getattr(rule.examples, kind)):
                cases.append(pytest.param(rule, kind, example, id=f"{rule.id}-{kind}-{i}"))
    return cases


class _Projects:
    """The named projects, parsed once; edited copies validated and computed once each."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._starters = tmp.mktemp("starters")
        self._sources: dict[str, SourceDoc] = {}
        self._edited: dict[str, tuple[LoadedProject, dict[str, Any]]] = {}

    def folder(self, name: str) -> Path:
        if name in EXAMPLE_PROJECTS:
            return ROOT / "examples" / name
        archetype = name.removeprefix("init/")
        assert archetype in ARCHETYPES, f"no starter for {name}"
        folder = self._starters / archetype
        if not folder.exists():
            create_project(folder, archetype)
        return folder

    def source(self, name: str) -> SourceDoc:
        if name not in self._sources:
            self._sources[name] = load_yaml(self.folder(name) / "dossier.yaml")
        return self._sources[name]

    def _copy(self, example: RuleExample) -> SourceDoc:
        """The project file of a copy of the project folder with the data files edited."""
        copy = self._tmp.mktemp("edited") / example.project.replace("/", "-")
        shutil.copytree(self.folder(example.project), copy)
        try:
            edit_files(copy, example)
        except EditError as exc:
            pytest.fail(f"{example.describe()}: {exc}")
        return load_yaml(copy / "dossier.yaml")

    def edited(self, example: RuleExample) -> tuple[LoadedProject, dict[str, Any]]:
        key = json.dumps(
            [
                example.project,
                example.set,
                example.append,
                example.unset,
                {k: v.model_dump() for k, v in example.files.items()},
            ],
            sort_keys=True,
            default=str,
        )
        if key not in self._edited:
            base = self._copy(example) if example.files else self.source(example.project)
            data = apply_example(base.data, example)
            try:
                loaded = project_from_source(dataclasses.replace(base, data=data))
            except UserError as exc:
                pytest.fail(f"{example.describe()} is not a valid project:\n{exc.diagnostics}")
            computed = compute_project(loaded, send=False).rule_data()
            self._edited[key] = (loaded, computed)
        return self._edited[key]


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> _Projects:
    return _Projects(tmp_path_factory)


def _explain(projects: _Projects, rule: Rule, example: RuleExample) -> Explanation:
    loaded, computed = projects.edited(example)
    return explain_rule(loaded, computed, rule)


@pytest.mark.parametrize(("rule", "kind", "example"), _cases())
def test_rule_example(projects: _Projects, rule: Rule, kind: str, example: RuleExample) -> None:
    found = _explain(projects, rule, example)
    assert found.error is None, f"{rule.id} on {example.describe()}: {found.error}"
    if kind == "fires":
        assert found.applies, f"{rule.id} does not apply to {example.describe()}: " + "; ".join(
            found.conditions
        )
        assert found.findings, f"{rule.id} stays quiet on {example.describe()}"
        return
    if not example.applies:
        assert not found.applies, f"{rule.id} applies to {example.describe()}"
        return
    assert found.applies, f"{rule.id} does not apply to {example.describe()}: " + "; ".join(
        found.conditions
    )
    messages = [f.message for f in found.findings]
    assert not messages, f"{rule.id} fires on {example.describe()}: {messages}"


def test_every_rule_is_shown_satisfied_somewhere(projects: _Projects) -> None:
    # a quiet example proves more when the requirement is met on an item than when the
    # rule's condition leaves every item out; a rule whose condition is its test (require
    # 'false') can only be left out
    unproven = []
    for rule in builtin_rules():
        if rule.examples is None or rule.require.strip() == "false":
            continue
        outcomes = [
            o.outcome
            for e in rule.examples.quiet
            if e.applies
            for o in _explain(projects, rule, e).outcomes
        ]
        if "satisfied" not in outcomes:
            unproven.append(rule.id)
    assert not unproven, f"no quiet example meets the requirement of {', '.join(unproven)}"


def test_every_catalogue_rule_has_examples() -> None:
    missing = [r.id for r in builtin_rules() if r.examples is None]
    assert not missing, f"rules without examples: {', '.join(missing)}"
    assert len(_cases()) >= 2 * len(builtin_rules())


def test_edits_address_items_by_index_id_and_key() -> None:
    data = {
        "a": {"xs": [{"id": "X1", "v": 1}, {"id": "X2", "v": 2, "role": "release"}]},
        "n": [1, 2, 3],
    }
    example = RuleExample.model_validate(
        {
            "project": "car-t-nl",
            "set": {"a.xs.X1.v": 10, "a.xs.role=release.w": 5, "b.c": "new", "n.-1": 30},
            "append": {"a.xs": {"id": "X3"}, "d.e": 1},
            "unset": ["a.xs.X2.v", "n.0"],
        }
    )
    out = apply_example(data, example)
    assert out == {
        "a": {"xs": [{"id": "X1", "v": 10}, {"id": "X2", "role": "release", "w": 5}, {"id": "X3"}]},
        "n": [2, 30],
        "b": {"c": "new"},
        "d": {"e": [1]},
    }
    assert data["a"]["xs"][0]["v"] == 1  # the parsed project is left as it was
    with pytest.raises(EditError, match="0 list items have id = 'X9'"):
        apply_example(data, RuleExample(project="car-t-nl", set={"a.xs.X9.v": 1}))
    with pytest.raises(EditError, match="nothing to remove"):
        apply_example(data, RuleExample(project="car-t-nl", unset=["a.missing"]))


def test_a_table_edit_scales_numbers_and_drops_rows(tmp_path: Path) -> None:
    text = "animal,timepoint,copies_per_ug,lloq\nA1,day 7,120,50.0\nA1,day 28,BLQ,50\n"
    edit = TableEdit(scale={"lloq": 4, "copies_per_ug": 0.5})
    assert edit_table(text, edit) == (
        "animal,timepoint,copies_per_ug,lloq\nA1,day 7,60,200\nA1,day 28,BLQ,200\n"
    )
    dropped = edit_table(text, TableEdit(drop={"timepoint": ["day 7"]}))
    assert dropped == "animal,timepoint,copies_per_ug,lloq\nA1,day 28,BLQ,50\n"
    with pytest.raises(EditError, match="no column dose"):
        edit_table(text, TableEdit(scale={"dose": 2}))
    with pytest.raises(EditError, match="no row has timepoint day 3"):
        edit_table(text, TableEdit(drop={"timepoint": ["day 3"]}))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bd.csv").write_text(text, "utf-8")
    example = RuleExample.model_validate(
        {"project": "car-t-nl", "files": {"data/bd.csv": {"drop": {"timepoint": ["day 28"]}}}}
    )
    edit_files(tmp_path, example)
    assert "day 28" not in (tmp_path / "data" / "bd.csv").read_text("utf-8")
    assert example.describe() == "car-t-nl with data/bd.csv: without timepoint day 28"
    with pytest.raises(ValidationError, match="inside the project folder"):
        RuleExample.model_validate({"project": "car-t-nl", "files": {"../x.csv": {}}})


def test_the_example_format_refuses_what_proves_nothing() -> None:
    with pytest.raises(ValidationError, match="unknown example project"):
        RuleExample.model_validate({"project": "my-lab"})
    with pytest.raises(ValidationError, match="bad edit path"):
        RuleExample.model_validate({"project": "init/car-t", "unset": ["a..b"]})
    with pytest.raises(ValidationError, match="at least one quiet example"):
        RuleExamples.model_validate(
            {
                "fires": [{"project": "car-t-nl"}],
                "quiet": [{"project": "car-t-nl", "applies": False}],
            }
        )
    with pytest.raises(ValidationError, match="fires"):
        RuleExamples.model_validate({"fires": [], "quiet": [{"project": "car-t-nl"}]})


def test_every_helper_says_what_it_does_and_reads() -> None:
    docs = helper_docs()
    assert {h.name for h in docs} == set(_helpers({}))
    for h in docs:
        assert h.text, h.name
    assert "nonclinical.studies[*].study_type" in {r for h in docs for r in h.reads}
    rules = {r.id: r for r in builtin_rules()}
    assert "studies()" in fields_read(rules["NCL-004"])
    assert "quality.potency.assays[*].reference_standard" in fields_read(rules["POT-005"])
    assert "computed.fih.start" in fields_read(rules["FIH-015"])
