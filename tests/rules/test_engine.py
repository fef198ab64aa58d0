"""The rule engine: scope paths, applicability, profiles and broken rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dossier.core.diagnostics import Location
from dossier.core.errors import UserError
from dossier.model.project import Project
from dossier.rules.check import applies, builtin_rules, ruleset
from dossier.rules.engine import RuleEvaluator, iter_scope
from dossier.rules.features import product_features
from dossier.rules.schema import Profile, Rule
from dossier.starters import starter_text


def _project(archetype: str) -> Project:
    return Project.model_validate(YAML(typ="safe").load(starter_text(archetype)))


def _locate(path: tuple[Any, ...]) -> Location:
    return Location("p.yaml", 1, 1, path)


def test_iter_scope_walks_nested_lists_with_parents() -> None:
    data = {"a": {"b": [{"id": "x", "c": [{"v": 1}, {"v": 2}]}, {"id": "y", "c": []}]}}
    found = list(iter_scope(data, "a.b[*].c[*]"))
    assert [(p, item["v"], parent["id"]) for p, item, parent in found] == [
        (("a", "b", 0, "c", 0), 1, "x"),
        (("a", "b", 0, "c", 1), 2, "x"),
    ]
    assert list(iter_scope(data, "missing[*]")) == []


def test_features_of_the_archetypes() -> None:
    cart = product_features(_project("car-t"))
    assert {"gmo", "integrating_vector", "ex_vivo_gene_modified", "autologous"} <= cart
    assert "in_vivo_gene_therapy" not in cart
    aav = product_features(_project("aav"))
    assert {"in_vivo_gene_therapy", "viral_vector", "systemic"} <= aav
    ipsc = product_features(_project("ipsc"))
    assert {"pluripotent", "allogeneic", "local"} <= ipsc


def test_applicability_by_feature_and_stage() -> None:
    rules = {r.id: r for r in builtin_rules()}
    ipsc = _project("ipsc")
    cart = _project("car-t")
    # tumorigenicity for pluripotent-derived products only
    assert applies(rules["NCL-004"], ipsc, product_features(ipsc))
    assert not applies(rules["NCL-004"], cart, product_features(cart))
    # confirmatory-only rule does not apply at first-in-human
    assert not applies(rules["POT-011"], cart, product_features(cart))


def _rule(**kw: Any) -> Rule:
    base = {
        "id": "TST-001",
        "title": "a test rule",
        "severity": "error",
        "confidence": "known",
        "citation": {"document": "test"},
        "section": "Test",
        "require": "true",
        "message": "m",
    }
    base.update(kw)
    return Rule.model_validate(base)


def test_scoped_rule_reports_each_failing_item_at_its_path() -> None:
    data = {"xs": [{"id": "a", "ok": True}, {"id": "b", "ok": False}]}
    ev = RuleEvaluator(data, {}, frozenset(), _locate)
    rule = _rule(scope="xs[*]", require="item.ok", message="{{ item.id }} bad", at="ok")
    findings = ev.evaluate(rule)
    assert [(f.message, f.location.path) for f in findings] == [("b bad", ("xs", 1, "ok"))]


def test_misspelt_field_in_a_rule_fails_loudly() -> None:
    ev = RuleEvaluator({"xs": [{"id": "a"}]}, {}, frozenset(), _locate)
    with pytest.raises(Exception, match="idd"):
        ev.evaluate(_rule(scope="xs[*]", require="item.idd == 'a'"))


def test_profile_disables_regrades_and_adds() -> None:
    profile = Profile.model_validate(
        {
            "profile": "house",
            "version": "1",
            "disable": ["POT-014"],
            "severity": {"QUA-010": "error"},
            "disable_confidence": ["uncertain"],
            "rules": [_rule(id="HSE-001").model_dump()],
        }
    )
    rules = {r.id: r for r in ruleset(profile)}
    assert "POT-014" not in rules
    assert "HSE-001" in rules
    assert all(r.confidence != "uncertain" for r in rules.values())
    assert "QUA-010" not in rules  # uncertain, dropped before re-grading matters
    regrade = Profile.model_validate(
        {"profile": "p", "version": "1", "severity": {"QUA-001": "error"}}
    )
    assert {r.id: r for r in ruleset(regrade)}["QUA-001"].severity == "error"


def test_profile_with_unknown_rule_id_is_a_user_error() -> None:
    bad = Profile.model_validate({"profile": "p", "version": "1", "disable": ["POT-999"]})
    with pytest.raises(UserError, match="POT-999"):
        ruleset(bad)


def test_starter_projects_evaluate_every_rule_without_errors_in_rules(tmp_path: Path) -> None:
    from dossier.analysis.project import compute_project
    from dossier.rules.check import check_project

    class _Source:
        def __init__(self, data: Any) -> None:
            self.data = data
            self.path = tmp_path / "dossier.yaml"
            self.display_path = "dossier.yaml"

        def locate(self, path: tuple[Any, ...]) -> Location:
            return _locate(path)

    from dossier.model.project_io import LoadedProject

    for archetype in ("car-t", "aav", "ipsc", "msc", "tep"):
        data = YAML(typ="safe").load(starter_text(archetype))
        loaded = LoadedProject(project=Project.model_validate(data), source=_Source(data))  # type: ignore[arg-type]
        result = check_project(loaded, compute_project(loaded).rule_data())
        assert not [f for f in result.findings if "DOS-C900" in f.message], archetype
        # a bare starter is not ready: the missing non-clinical programme is an error
        assert "NCL-001" in {f.rule_id for f in result.findings}


def _profile_errors(tmp_path: Path, text: str) -> list[tuple[str, int, int, str]]:
    from dossier.rules.check import load_profile

    path = tmp_path / "house.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(UserError) as info:
        load_profile(path)
    return [(d.code, d.location.line, d.location.column, d.message) for d in info.value.diagnostics]


def test_profile_names_of_missing_rules_are_located_in_the_profile(tmp_path: Path) -> None:
    errors = _profile_errors(
        tmp_path,
        'profile: house\nversion: "1"\ndisable: [POT-014, POT-999]\n'
        "severity:\n  QUA-001: error\n  NCL-998: info\n",
    )
    # 'disable: [POT-014, POT-999]': the second id starts in column 20 of line 3
    assert [e[:3] for e in errors] == [("DOS-C101", 3, 20), ("DOS-C101", 6, 3)]
    assert "POT-999" in errors[0][3]
    assert "NCL-998" in errors[1][3]


def test_profile_rules_that_clash_or_do_not_parse_are_located(tmp_path: Path) -> None:
    errors = _profile_errors(
        tmp_path,
        'profile: house\nversion: "1"\nrules:\n'
        "  - id: POT-014\n"
        "    title: A clashing rule\n"
        "    severity: error\n"
        "    confidence: known\n"
        "    citation: {document: House SOP 12}\n"
        "    section: Potency\n"
        '    require: "item.id and"\n'
        '    message: "Assay {{ item.id } is wrong."\n',
    )
    assert [e[:3] for e in errors] == [
        ("DOS-C102", 4, 9),
        ("DOS-C103", 10, 14),
        ("DOS-C103", 11, 14),
    ]


def test_a_valid_profile_loads(tmp_path: Path) -> None:
    from dossier.rules.check import load_profile

    path = tmp_path / "house.yaml"
    path.write_text('profile: house\nversion: "1"\ndisable: [POT-014]\n', "utf-8")
    assert load_profile(path).disable == ["POT-014"]


def test_a_profile_rule_on_a_missing_field_is_reported_at_the_rule(tmp_path: Path) -> None:
    from dossier.model.project_io import load_project
    from dossier.rules.check import check_project, load_profile

    examples = Path(__file__).resolve().parents[2] / "examples"
    profile_file = tmp_path / "house.yaml"
    profile_file.write_text(
        'profile: house\nversion: "1"\nrules:\n'
        "  - id: HSE-001\n    title: A house rule\n    severity: warning\n"
        "    confidence: known\n    citation: {document: house SOP}\n    section: quality\n"
        "    when: product is defined\n"
        "    require: product.no_such_field == 'x'\n"
        "    message: broken\n",
        "utf-8",
    )
    loaded = load_project(examples / "car-t-nl")
    result = check_project(loaded, {}, profile=load_profile(profile_file))
    broken = [f for f in result.findings if f.rule_id == "HSE-001"]
    assert len(broken) == 1
    finding = broken[0]
    assert "DOS-C900" in finding.message
    assert "the require of rule HSE-001" in finding.message
    assert "no_such_field" in finding.message
    assert finding.location.file.endswith("house.yaml")
    assert (finding.location.line, finding.location.column) == (11, 14)
    assert finding.location.path == ("rules", 0, "require")


def test_study_types_answered_by_a_study_or_a_not_conducted_statement() -> None:
    from dossier.rules.engine import _helpers

    data = {
        "nonclinical": {
            "studies": [
                {"study_type": "single_dose_toxicity", "also_covers": ["local_tolerance"]},
                {"study_type": "genotoxicity"},
            ],
            "not_conducted": [{"study_type": "safety_pharmacology", "justification": "x"}],
        }
    }
    missing = _helpers(data)["unaddressed_study_types"](
        "safety_pharmacology", "genotoxicity", "tumorigenicity", "local_tolerance"
    )
    # local tolerance is covered by the integrated study, safety pharmacology by the statement
    assert missing == ["tumorigenicity"]


def test_donor_markers_are_recognised_by_their_usual_names() -> None:
    from dossier.rules.engine import _helpers

    tests = [{"test": "Anti-HIV-1/2 and HIV NAT"}, {"test": "HBsAg, anti-HBc"}]
    data = {"quality": {"starting_materials": {"donors": {"tests": tests}}}}
    assert _helpers(data)["donor_tests_missing"]() == ["hepatitis C", "syphilis"]
    assert _helpers({})["donor_tests_missing"]() == [
        "HIV-1/2",
        "hepatitis B",
        "hepatitis C",
        "syphilis",
    ]


def test_impurities_not_named_keeps_the_order_of_the_labels() -> None:
    from dossier.rules.engine import _helpers

    data = {"quality": {"impurities": [{"name": "Residual host-cell DNA"}]}}
    expected = {
        "protein": ["host-cell protein", "HCP"],
        "DNA": ["host-cell DNA"],
        "plasmid": ["plasmid"],
    }
    assert _helpers(data)["impurities_not_named"](expected) == ["protein", "plasmid"]


def _outcomes(project: Project, monkeypatch: pytest.MonkeyPatch, cache: str) -> list[Any]:
    """Every catalogue rule's outcome per item, with the given cache folder."""
    monkeypatch.setenv("DOSSIER_CACHE_DIR", cache)
    data = project.model_dump(mode="json")
    evaluator = RuleEvaluator(data, {}, product_features(project), _locate)
    outcomes = []
    for rule in builtin_rules():
        try:
            trace = evaluator.trace(rule)
        except Exception as exc:  # an error is an outcome to compare too
            outcomes.append((rule.id, type(exc).__name__, str(exc)))
            continue
        outcomes.append(
            (rule.id, [(o.path, o.outcome, o.finding and o.finding.message) for o in trace])
        )
    evaluator.keep_compiled()
    return outcomes


def test_kept_compiled_code_evaluates_as_code_compiled_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code kept between runs gives every rule the outcome compiling gives."""
    project = _project("car-t")
    cache = tmp_path / "cache"
    anew = _outcomes(project, monkeypatch, "")
    first = _outcomes(project, monkeypatch, str(cache))
    (kept,) = (cache / "jinja").iterdir()
    again = _outcomes(project, monkeypatch, str(cache))
    assert again == first == anew
    traced = [o[1] for o in anew if isinstance(o[1], list)]
    assert len(traced) > 100
    assert any(step[1] == "finding" for trace in traced for step in trace)
    # a damaged file is ignored (and replaced)
    kept.write_bytes(b"not marshal data")
    assert _outcomes(project, monkeypatch, str(cache)) == anew
    assert kept.read_bytes() != b"not marshal data"


def test_a_syntax_error_is_reported_with_the_cache_as_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jinja2 import TemplateSyntaxError

    from dossier.core import jinja_code
    from dossier.rules.engine import rule_environment

    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path))
    env = rule_environment()
    store = jinja_code.CodeStore("rules", [])
    for source in ("a ==", "a b"):
        with pytest.raises(TemplateSyntaxError):
            jinja_code.expression(env, store, source)
        with pytest.raises(TemplateSyntaxError):
            env.compile_expression(source)
    assert jinja_code.expression(env, store, "x + 1")(x=2) == 3


def _explained(example: str, rule: Rule) -> list[str]:
    from dossier import api
    from dossier.analysis.project import compute_project
    from dossier.rules.check import explain_rule

    examples = Path(__file__).resolve().parents[2] / "examples"
    loaded = api.load_project(examples / example / "dossier.yaml")
    found = explain_rule(loaded, compute_project(loaded, send=False).rule_data(), rule)
    assert found.error is None, found.error
    return [f.message for f in found.findings]


def test_a_profile_sets_a_rule_parameter() -> None:
    # the AAV example's biodistribution data have an LLOQ of 50 copies per µg DNA
    catalogue = {r.id: r for r in builtin_rules()}["NCL-045"]
    assert catalogue.params == {"lloq_max": 50, "min_timepoints": 3}
    assert _explained("aav-systemic", catalogue) == []
    stricter = Profile.model_validate(
        {"profile": "house", "version": "1", "parameters": {"NCL-045": {"lloq_max": 20}}}
    )
    rule = {r.id: r for r in ruleset(stricter)}["NCL-045"]
    assert rule.params == {"lloq_max": 20, "min_timepoints": 3}
    assert rule.parameters["lloq_max"].description == catalogue.parameters["lloq_max"].description
    (message,) = _explained("aav-systemic", rule)
    assert "LLOQ of up to 50 copies/µg genomic DNA, above 20" in message
    # a list parameter: accuracy is asked for, and the interferon-gamma assay lacks it
    accuracy = Profile.model_validate(
        {
            "profile": "house",
            "version": "1",
            "parameters": {"POT-042": {"characteristics": ["specificity", "accuracy"]}},
        }
    )
    messages = _explained("car-t-nl", {r.id: r for r in ruleset(accuracy)}["POT-042"])
    assert messages == [
        "Release assay 'A-IFNG' is not shown to be qualified for accuracy: neither its "
        "report (qualified_characteristics) nor its validation data show it.",
        "Release assay 'A-CAR' is not shown to be qualified for accuracy: neither its "
        "report (qualified_characteristics) nor its validation data show it.",
    ]


def test_profile_parameters_of_the_wrong_name_or_kind_are_located(tmp_path: Path) -> None:
    errors = _profile_errors(
        tmp_path,
        'profile: house\nversion: "1"\nparameters:\n'
        "  NCL-045: {lloq_maximum: 20, min_timepoints: three}\n"
        "  POT-042: {characteristics: specificity}\n"
        "  POT-998: {x: 1}\n",
    )
    # an unknown name is located at the name (column 13 of line 4), a value of the wrong
    # kind at the value ('three' in column 47, 'specificity' in column 30 of line 5)
    assert [e[:3] for e in errors] == [
        ("DOS-C101", 6, 3),
        ("DOS-C104", 4, 13),
        ("DOS-C104", 4, 47),
        ("DOS-C104", 5, 30),
    ]
    assert "'lloq_maximum' of rule 'NCL-045', which it does not have" in errors[1][3]
    with pytest.raises(UserError, match="give a number"):
        ruleset(
            Profile.model_validate(
                {"profile": "p", "version": "1", "parameters": {"NCL-045": {"lloq_max": "x"}}}
            )
        )


def test_rules_compiled_ahead_in_a_child_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check with an empty cache compiles the applicable expressions in a child process
    while it computes; it finds what a check without any cache finds, and leaves the code
    of every applicable expression in the store."""
    from dossier import api
    from dossier.rules.check import applies, ruleset
    from dossier.rules.engine import code_store
    from tests.cli.conftest import copy_example

    project = copy_example(tmp_path, "car-t-nl")

    def found(report: api.CheckReport) -> list[tuple[str, str, int]]:
        return [(d.code, d.message, d.location.line) for d in report.findings]

    monkeypatch.setenv("DOSSIER_CACHE_DIR", "")
    without = api.check(project)
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    ahead = api.check(project)
    assert found(ahead) == found(without)
    assert found(without)  # the example has findings to compare
    loaded = api.load_project(project)
    features = product_features(loaded.project)
    store = code_store()
    applicable = [r for r in ruleset() if applies(r, loaded.project, features)]
    assert all(store.holds_expression(r.require) for r in applicable)
