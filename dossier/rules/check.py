"""``check``: evaluate the expectation catalogue (and profiles) on a project.

The built-in catalogue lives in ``dossier/rules/catalogue/*.yaml``; a profile (a YAML
file validated like the project file) can disable, re-grade or add rules. A rule whose
expression cannot be evaluated is reported as ``DOS-C900`` (an error in the rule, never
a silent pass).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from dossier.core.diagnostics import DiagnosticList, Location, PathPart
from dossier.core.errors import UserError
from dossier.model.project import Project
from dossier.model.project_io import LoadedProject
from dossier.rules.engine import (
    ItemOutcome,
    RuleEvaluator,
    RuleExpressionError,
    Translation,
    finding,
)
from dossier.rules.features import product_features
from dossier.rules.schema import AppliesTo, Catalogue, Citation, Profile, Rule, RuleParameter

__all__ = [
    "CheckResult",
    "Explanation",
    "applies",
    "applies_reasons",
    "builtin_rules",
    "check_project",
    "compile_ahead",
    "compiled_catalogue",
    "explain_rule",
    "load_profile",
    "matches",
    "ruleset",
]


COMPILED = Path(__file__).with_name("catalogue.json")
"""The built-in catalogue's YAML files as JSON, with the hash of each file it was made
from; written with ``docs/rules.md`` by ``python -m dossier.rules.docs`` (checked in CI).
Reading it is much quicker than parsing the YAML, which every check and build would
otherwise do; when a YAML file has changed since, the YAML is read instead. Both give
the validator the same data: the JSON holds what the YAML parser gives, dates tagged."""


def _catalogue_files() -> list[Any]:
    folder = resources.files("dossier.rules").joinpath("catalogue")
    return sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _tagged(value: Any) -> dict[str, str]:
    """A date in the JSON (the YAML parser's only values that JSON lacks)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"the catalogue holds a {type(value).__name__}, which JSON cannot")


def _untagged(obj: dict[str, Any]) -> Any:
    import datetime as dt

    if len(obj) == 1:
        if "$date" in obj:
            return dt.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return dt.datetime.fromisoformat(obj["$datetime"])
    return obj


def compiled_catalogue() -> str:
    """The text of :data:`COMPILED` for the catalogue's YAML files as they are now."""
    import json

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    sources: dict[str, str] = {}
    catalogues: dict[str, Any] = {}
    for entry in _catalogue_files():
        data = entry.read_bytes()
        sources[entry.name] = _sha256(data)
        catalogues[entry.name] = yaml.load(data.decode("utf-8"))
    compiled = {"sources": sources, "catalogues": catalogues}
    return json.dumps(compiled, ensure_ascii=False, default=_tagged) + "\n"


def _parsed(entries: list[Any]) -> list[Any]:
    """What the parser gives for each catalogue file: from :data:`COMPILED` when it was
    made from these very files, else from the YAML."""
    import json

    try:
        compiled = json.loads(COMPILED.read_text("utf-8"), object_hook=_untagged)
    except (OSError, ValueError):
        compiled = {}
    sources = {entry.name: _sha256(entry.read_bytes()) for entry in entries}
    if compiled.get("sources") == sources:
        return [compiled["catalogues"][name] for name in sources]
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    return [yaml.load(entry.read_text("utf-8")) for entry in entries]


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """Every rule of the built-in catalogue, in file and then rule order."""
    catalogues = [Catalogue.model_validate(data) for data in _parsed(_catalogue_files())]
    rules = [rule for catalogue in catalogues for rule in catalogue.rules]
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:  # pragma: no cover - guarded by tests
        raise RuntimeError(f"duplicate rule ids in the catalogue: {duplicates}")
    return tuple(rules)


def load_profile(path: Path) -> Profile:
    """Read and validate a profile file; located errors as :class:`UserError`."""
    from dossier.model.project_io import load_model

    profile, source = load_model(path, Profile)
    problems = list(_profile_problems(profile, source))
    if problems:
        raise UserError(problems)
    for i, rule in enumerate(profile.rules):
        profile._locations[(rule.id, "")] = source.locate(("rules", i))
        for part in ("when", "require", "message"):
            if getattr(rule, part) is not None:
                profile._locations[(rule.id, part)] = source.locate(("rules", i, part))
    return profile


def _profile_problems(profile: Profile, source: Any) -> Any:
    """Located errors for rule ids a profile names but the catalogue lacks (or re-uses),
    and for expressions of added rules that do not parse (DOS-C101 to DOS-C103)."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    from dossier.core.diagnostics import Diagnostic, Severity

    known = {r.id for r in builtin_rules()}

    def close(rule_id: str) -> str:
        import difflib

        match = difflib.get_close_matches(rule_id, sorted(known), n=1, cutoff=0.85)
        return f"did you mean '{match[0]}'?" if match else "dossier check --list-rules lists them"

    def problem(code: str, message: str, where: Location, hint: str) -> Diagnostic:
        return Diagnostic(code, Severity.ERROR, message, where, hint)

    # the rule ids a profile names: what it does with each, and how to locate the id
    named: list[tuple[str, str, tuple[PathPart, ...], Any]] = [
        (rid, "disables", ("disable", i), source.locate) for i, rid in enumerate(profile.disable)
    ]
    named += [(rid, "re-grades", ("severity", rid), source.locate_key) for rid in profile.severity]
    named += [
        (rid, "sets parameters of", ("parameters", rid), source.locate_key)
        for rid in profile.parameters
    ]
    for rule_id, verb, path, locate in named:
        if rule_id not in known:
            yield problem(
                "DOS-C101",
                f"profile {verb} rule '{rule_id}', which is not in the catalogue",
                locate(path),
                close(rule_id),
            )
    catalogue = {r.id: r for r in builtin_rules()}
    for rule_id, values in profile.parameters.items():
        rule = catalogue.get(rule_id)
        if rule is None:
            continue  # reported above
        for name, value in values.items():
            declared = rule.parameters.get(name)
            why = (
                declared.accepts(value)
                if declared is not None
                else "its parameters: " + (", ".join(rule.parameters) or "none")
            )
            if why is not None:
                yield problem(
                    "DOS-C104",
                    f"profile sets parameter '{name}' of rule '{rule_id}'"
                    + (", which it does not have" if declared is None else " to a wrong kind"),
                    # an unknown name at the name, a wrong value at the value
                    (source.locate_key if declared is None else source.locate)(
                        ("parameters", rule_id, name)
                    ),
                    why,
                )
    env = SandboxedEnvironment()
    for i, rule in enumerate(profile.rules):
        if rule.id in known:
            yield problem(
                "DOS-C102",
                f"added rule '{rule.id}' has the id of a catalogue rule",
                source.locate(("rules", i, "id")),
                "give the added rule an id of its own (e.g. with a house prefix: HSE-001)",
            )
        fields = {"require": rule.require, "when": rule.when}
        texts = {"message": rule.message}  # the hint is plain text
        for name, text in [*fields.items(), *texts.items()]:
            if text is None:
                continue
            try:
                env.parse("{{ (" + text + ") }}" if name in fields else text)
            except TemplateSyntaxError as exc:
                yield problem(
                    "DOS-C103",
                    f"the {name} of added rule '{rule.id}' does not parse: {exc.message}",
                    source.locate(("rules", i, name)),
                    "rules use Jinja expressions over the project data (e.g. "
                    "item.status == 'completed'); messages use {{ item.id }} fields",
                )


def ruleset(profile: Profile | None = None) -> list[Rule]:
    """The built-in rules with a profile applied (disabled, re-graded, added)."""
    rules = list(builtin_rules())
    if profile is None:
        return rules
    known = {r.id for r in rules}
    named = [*profile.disable, *profile.severity, *profile.parameters]
    unknown = [rid for rid in named if rid not in known]
    added = [r.id for r in profile.rules]
    clashes = [rid for rid in added if rid in known]
    if unknown or clashes:
        problems = []
        if unknown:
            problems.append(f"unknown rule id(s) {', '.join(sorted(set(unknown)))}")
        if clashes:
            problems.append(f"added rule id(s) {', '.join(clashes)} already exist")
        raise UserError(f"profile '{profile.profile}': " + "; ".join(problems))
    out = []
    for rule in [*rules, *profile.rules]:
        if rule.id in profile.disable or rule.confidence in profile.disable_confidence:
            continue
        update: dict[str, Any] = {}
        if rule.id in profile.severity:
            update["severity"] = profile.severity[rule.id]
        if rule.id in profile.parameters:
            update["parameters"] = _with_values(rule, profile.parameters[rule.id])
        out.append(rule.model_copy(update=update) if update else rule)
    return out


def _with_values(rule: Rule, values: dict[str, Any]) -> dict[str, RuleParameter]:
    """The rule's parameters with a profile's values (unknown names and wrong kinds are
    refused, as :func:`load_profile` locates them)."""
    out = dict(rule.parameters)
    for name, value in values.items():
        declared = rule.parameters.get(name)
        why = "no such parameter" if declared is None else declared.accepts(value)
        if declared is None or why is not None:
            raise UserError(f"rule {rule.id}, parameter '{name}': {why}")
        out[name] = declared.model_copy(update={"value": value})
    return out


def applies(rule: Rule, project: Project, features: frozenset[str]) -> bool:
    """Whether a rule applies to this product class, stage, agency and features."""
    return matches(rule.applies_to, project, features)


def matches(a: AppliesTo, project: Project, features: frozenset[str]) -> bool:
    """Whether a project is of the class, stage, agency and features an ``AppliesTo`` names
    (shared by the rules and by the document outlines)."""
    if a.atmp_class and project.product.atmp_class not in a.atmp_class:
        return False
    if a.stage and project.stage not in a.stage:
        return False
    if a.agency:
        agency = project.scientific_advice.agency if project.scientific_advice else None
        if agency not in a.agency:
            return False
    if a.features and not set(a.features) <= features:
        return False
    if a.any_features and not set(a.any_features) & features:
        return False
    return not (a.not_features and set(a.not_features) & features)


def applies_reasons(a: AppliesTo, project: Project, features: frozenset[str]) -> list[str]:
    """Each condition of an ``AppliesTo`` with the project's value and whether it holds,
    e.g. 'stage is confirmatory (project: exploratory_fih): no'."""
    agency = project.scientific_advice.agency if project.scientific_advice else None
    checks: list[tuple[str, str, bool]] = []
    if a.atmp_class:
        cls = project.product.atmp_class
        checks.append((f"ATMP class is {' or '.join(a.atmp_class)}", cls, cls in a.atmp_class))
    if a.stage:
        checks.append((f"stage is {' or '.join(a.stage)}", project.stage, project.stage in a.stage))
    if a.agency:
        checks.append(
            (f"advice agency is {' or '.join(a.agency)}", str(agency), agency in a.agency)
        )
    present = ", ".join(sorted(features)) or "none"
    if a.features:
        checks.append(
            (
                f"features include all of {', '.join(a.features)}",
                present,
                set(a.features) <= features,
            )
        )
    if a.any_features:
        checks.append(
            (
                f"features include one of {', '.join(a.any_features)}",
                present,
                bool(set(a.any_features) & features),
            )
        )
    if a.not_features:
        checks.append(
            (
                f"features include none of {', '.join(a.not_features)}",
                present,
                not set(a.not_features) & features,
            )
        )
    return [f"{what} (project: {value}): {'yes' if ok else 'no'}" for what, value, ok in checks]


@dataclass
class Explanation:
    """Why a rule fired or not for one project: whether it applies (and each condition),
    and what it concluded for each item of its scope."""

    rule: Rule
    applies: bool
    conditions: list[str]
    outcomes: list[ItemOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def findings(self) -> list[Any]:
        """The rule's findings on the project."""
        return [o.finding for o in self.outcomes if o.finding is not None]


def explain_rule(loaded: LoadedProject, computed: dict[str, Any], rule: Rule) -> Explanation:
    """Evaluate one rule on a project and keep the reasons: applicability condition by
    condition, and the outcome for every item of the rule's scope."""
    project = loaded.project
    features = product_features(project)
    conditions = applies_reasons(rule.applies_to, project, features)
    if not applies(rule, project, features):
        return Explanation(rule, False, conditions)
    data = project.model_dump(mode="json")
    evaluator = RuleEvaluator(data, computed, features, loaded.locate)
    try:
        outcomes = evaluator.trace(rule)
    except RuleExpressionError as exc:
        return Explanation(rule, True, conditions, error=f"the {exc.part} failed: {exc}")
    return Explanation(rule, True, conditions, outcomes)


@dataclass
class CheckResult:
    """Findings of a check run (diagnostics whose code is the rule id, errors first),
    with the rules that applied."""

    findings: DiagnosticList
    applied: list[Rule]
    skipped: list[Rule] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """Number of findings of one severity."""
        return self.findings.severity_count(severity)

    def failed(self, *, strict: bool = False) -> bool:
        """True with errors, or (strict) with warnings."""
        return self.findings.has_errors(strict=strict)


def compile_ahead(loaded: LoadedProject, profile: Profile | None = None) -> Callable[[], None]:
    """Compile the expressions of the rules that apply to this project in a child process
    while this one goes on (computing the results); the function returned waits for it.

    A first check, or the first after an upgrade, compiles every applicable expression,
    work that does not depend on the computed results: on a second core it is done while
    they are computed, and the evaluator then finds the code in the cache folder's store
    (:mod:`dossier.core.jinja_code`). Nothing is started without a cache folder, a second
    core or ``os.fork`` (Windows), or when the store already holds every expression; a
    child that fails leaves the expressions to be compiled here, as without it.
    """
    import contextlib
    import os

    from dossier.core import jinja_code
    from dossier.core.cores import available_cores
    from dossier.rules.engine import code_store, rule_environment

    store = code_store()
    if not hasattr(os, "fork") or available_cores() < 2 or not store.enabled:
        return lambda: None
    project = loaded.project
    features = product_features(project)
    sources = [
        text
        for rule in ruleset(profile)
        if applies(rule, project, features)
        for text in (rule.when, rule.require)
        if text and not store.holds_expression(text)
    ]
    if not sources:
        return lambda: None
    try:
        pid = os.fork()
    except OSError:
        return lambda: None
    if pid == 0:  # the child: compile, keep, and leave without running any exit handler
        try:
            env = rule_environment()
            for text in sources:
                # a broken expression is reported by the check itself
                with contextlib.suppress(Exception):
                    jinja_code.expression(env, store, text)
            store.save()
        finally:
            os._exit(0)

    def wait() -> None:
        with contextlib.suppress(ChildProcessError):  # already collected
            os.waitpid(pid, 0)

    return wait


def check_project(
    loaded: LoadedProject,
    computed: dict[str, Any],
    *,
    profile: Profile | None = None,
    translation: Translation | None = None,
) -> CheckResult:
    """Evaluate the applicable rules on a loaded project and its computed results;
    with a ``translation``, every finding also carries its message in that language."""
    project = loaded.project
    features = product_features(project)
    data = project.model_dump(mode="json")
    evaluator = RuleEvaluator(data, computed, features, loaded.locate, translation)
    findings = DiagnosticList()
    applied: list[Rule] = []
    skipped: list[Rule] = []
    for rule in ruleset(profile):
        if not applies(rule, project, features):
            skipped.append(rule)
            continue
        applied.append(rule)
        try:
            findings.extend(evaluator.evaluate(rule))
        except Exception as exc:  # a broken rule must be visible, never a silent pass
            part = exc.part if isinstance(exc, RuleExpressionError) else ""
            cause = exc.cause if isinstance(exc, RuleExpressionError) else exc
            where = profile.location_of(rule.id, part) if profile is not None else None
            if where is None:  # a catalogue rule: the project file stands in
                loc = loaded.locate(())
                where = Location(loc.file, 1, 1, ())
            what = f"the {part} of rule {rule.id}" if part else f"rule {rule.id}"
            findings.append(
                finding(
                    rule,
                    f"DOS-C900 {what} could not be evaluated: {type(cause).__name__}: {cause}",
                    where,
                    severity="error",
                    citation=Citation(document="dossier rule catalogue"),
                    hint="fix the rule's expression (or the profile that adds it)",
                )
            )
    evaluator.keep_compiled()
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order[f.severity], f.location.line, f.code))
    return CheckResult(findings=findings, applied=applied, skipped=skipped)
