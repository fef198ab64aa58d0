"""The built-in rule catalogue is well-formed: ids, citations, confidence, expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.rules.check import builtin_rules
from dossier.rules.engine import rule_environment


def test_catalogue_has_at_least_sixty_cited_rules() -> None:
    rules = builtin_rules()
    assert len(rules) >= 60
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert r.citation.document.strip(), r.id
        assert r.confidence in {"verified", "known", "uncertain"}
        assert r.severity in {"error", "warning", "info"}


def test_every_uncertain_error_rule_says_what_is_unverified() -> None:
    # An error that rests on wording nobody has read must say so in its note, and that a
    # profile can re-grade it; no citation, not even the ATMP guideline's, exempts it.
    for r in builtin_rules():
        if r.confidence == "uncertain" and r.severity == "error":
            assert r.note, r.id
            assert "not read" in r.note or "unverified" in r.note, r.id
            assert "profile" in r.note, r.id


@pytest.mark.parametrize("rule", builtin_rules(), ids=lambda r: r.id)
def test_expressions_compile(rule) -> None:  # type: ignore[no-untyped-def]
    env = rule_environment()
    env.compile_expression(rule.require)
    if rule.when:
        env.compile_expression(rule.when)
    env.from_string(rule.message)


def test_rule_ids_follow_their_area_prefix() -> None:
    prefixes = {r.id.split("-")[0] for r in builtin_rules()}
    assert prefixes <= {"POT", "QUA", "NCL", "FIH", "RSK", "NLD", "SAQ"}


def test_the_compiled_catalogue_is_the_yaml_catalogue() -> None:
    """dossier/rules/catalogue.json is up to date and gives the rules the YAML gives."""
    from ruamel.yaml import YAML

    from dossier.rules import check
    from dossier.rules.schema import Catalogue

    assert check.COMPILED.read_text("utf-8") == check.compiled_catalogue()
    yaml = YAML(typ="safe")
    from_yaml = [
        rule
        for entry in check._catalogue_files()
        for rule in Catalogue.model_validate(yaml.load(entry.read_text("utf-8"))).rules
    ]
    assert list(check.builtin_rules()) == from_yaml
    # dates in example edits stay dates (JSON has none of its own)
    edits = [
        value
        for rule in from_yaml
        for example in (*rule.examples.fires, *rule.examples.quiet)
        for value in example.set.values()
    ]
    assert any(type(value).__name__ == "date" for value in edits)


def test_a_catalogue_changed_since_it_was_compiled_is_read_from_the_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from dossier.rules import check

    compiled = json.loads(check.COMPILED.read_text("utf-8"))
    name = next(iter(compiled["sources"]))
    compiled["sources"][name] = "0" * 64  # as if the YAML had been edited since
    compiled["catalogues"][name]["rules"] = []
    stale = tmp_path / "catalogue.json"
    stale.write_text(json.dumps(compiled), "utf-8")
    monkeypatch.setattr(check, "COMPILED", stale)
    parsed = check._parsed(check._catalogue_files())
    assert [len(c["rules"]) for c in parsed] == [
        len(c["rules"]) for c in json.loads(check.compiled_catalogue())["catalogues"].values()
    ]
    assert all(parsed_catalogue["rules"] for parsed_catalogue in parsed)
