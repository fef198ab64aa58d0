"""The built-in rule catalogue is well-formed: ids, citations, confidence, expressions."""

from __future__ import annotations

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
