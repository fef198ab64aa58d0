"""Evaluate the rule catalogue on a validated project and its computed results.

Expressions (``when``, ``require``) and messages are Jinja, evaluated in a sandbox
over plain data (the project dumped to dicts and lists, the computed results, the
product features and a few helpers), with ``StrictUndefined`` so that a misspelt
field in a rule fails loudly (reported as ``DOS-C900``) instead of passing silently.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dossier.core import jinja_code
from dossier.core.diagnostics import Citation as DiagnosticCitation
from dossier.core.diagnostics import Diagnostic, Location, PathPart, Severity, format_path
from dossier.core.numfmt import number, printed
from dossier.rules.schema import Citation, Rule

Locator = Callable[[tuple[PathPart, ...]], Location]
_SCOPE_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[\*\]")


def finding(
    rule: Rule,
    message: str,
    location: Location,
    *,
    severity: str | None = None,
    citation: Citation | None = None,
    hint: str | None = None,
    extra: dict[str, str] | None = None,
) -> Diagnostic:
    """A rule that is not satisfied, as a diagnostic located at the thing concerned: the
    rule id is its code, and it carries the rule's citation, confidence and section.
    ``severity``, ``citation`` and ``hint`` default to the rule's own."""
    cite = citation or rule.citation
    return Diagnostic(
        code=rule.id,
        severity=Severity(severity or rule.severity),
        message=message,
        location=location,
        hint=rule.hint if hint is None else hint,
        extra={"title": rule.title, **(extra or {})},
        citation=DiagnosticCitation(cite.document, cite.section),
        confidence=rule.confidence,
        section=rule.section,
    )


def _parse_path(text: str) -> list[str | None]:
    """'a.b[*].c' -> ['a', 'b', None, 'c'] (None = every element of a list)."""
    parts: list[str | None] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        match = _SCOPE_TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"bad path {text!r} at {pos}")
        parts.append(match.group(1))
        pos = match.end()
    return parts


def iter_scope(data: Any, scope: str) -> Iterator[tuple[tuple[PathPart, ...], Any, Any]]:
    """Yield (path, item, parent item) for each item a scope path selects."""

    def walk(
        node: Any, parts: list[str | None], path: tuple[PathPart, ...], parent: Any
    ) -> Iterator[tuple[tuple[PathPart, ...], Any, Any]]:
        if not parts:
            yield path, node, parent
            return
        head, rest = parts[0], parts[1:]
        if head is None:
            if isinstance(node, list):
                for i, child in enumerate(node):
                    # the list element is the parent of anything selected below it
                    yield from walk(child, rest, (*path, i), child if rest else parent)
            return
        if isinstance(node, dict) and node.get(head) is not None:
            yield from walk(node[head], rest, (*path, head), parent)

    yield from walk(data, _parse_path(scope), (), None)


class RuleExpressionError(Exception):
    """A rule's ``when``, ``require`` or ``message`` that could not be evaluated."""

    def __init__(self, part: str, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.part = part
        self.cause = cause


def code_store() -> jinja_code.CodeStore:
    """The store of compiled rule code (made for :func:`rule_environment`, which this
    module sets up: a change to it is a new store)."""
    return jinja_code.CodeStore("rules", [Path(__file__)])


def rule_environment() -> Any:
    """The sandboxed Jinja environment every rule expression and message is compiled in:
    strict about undefined names, with the ``number`` filter and the ``search`` test."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # optimized=False: Jinja's constant folding finds little to fold in rule expressions
    # but slows down compiling them, which every check does; finalize: a number a message
    # prints is written as the drafts write it
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, optimized=False, finalize=printed
    )
    env.filters["number"] = lambda value, digits=3: number(value, digits)
    env.tests["search"] = lambda value, pattern: re.search(pattern, str(value)) is not None
    return env


@dataclass(frozen=True)
class Translation:
    """A second language for the findings' messages: the language code, the function
    translating a message template, and the computed results put into words in that
    language (``computed`` of the rule context). A finding then also carries
    ``extra["message:<code>"]`` (the translated template rendered with the same values)
    and ``extra["hint:<code>"]``."""

    code: str
    translate: Callable[[str], str]
    computed: dict[str, Any]


class RuleEvaluator:
    """Compiles and evaluates rules against one project's data."""

    def __init__(
        self,
        data: dict[str, Any],
        computed: dict[str, Any],
        features: frozenset[str],
        locate: Locator,
        translation: Translation | None = None,
    ) -> None:
        self._env = rule_environment()
        self._data = data
        self._locate = locate
        self._base: dict[str, Any] = {
            **data,
            "project": data,
            "computed": computed,
            "features": sorted(features),
        }
        self._base.update(_helpers(data))
        self._expressions: dict[str, Any] = {}
        self._messages: dict[str, Any] = {}
        self._translation = translation
        self._code = code_store()

    def _expr(self, source: str) -> Any:
        """A rule expression, compiled once and evaluated for every item of its scope."""
        compiled = self._expressions.get(source)
        if compiled is None:
            compiled = jinja_code.expression(self._env, self._code, source)
            self._expressions[source] = compiled
        return compiled

    def _message(self, source: str) -> Any:
        compiled = self._messages.get(source)
        if compiled is None:
            compiled = jinja_code.template(self._env, self._code, source)
            self._messages[source] = compiled
        return compiled

    def keep_compiled(self) -> None:
        """Keep the code compiled by this evaluator for the next run (dossier's cache)."""
        self._code.save()

    def evaluate(self, rule: Rule) -> list[Diagnostic]:
        """Findings of one rule (empty when satisfied or not applicable)."""
        return [o.finding for o in self.trace(rule) if o.finding is not None]

    def trace(self, rule: Rule) -> list[ItemOutcome]:
        """What the rule concluded for each item of its scope (or the project as a whole):
        left out by ``when``, satisfied, or a finding."""
        items: Iterator[tuple[tuple[PathPart, ...], Any, Any]] = (
            iter_scope(self._data, rule.scope) if rule.scope else iter([((), None, None)])
        )
        outcomes = []
        params = rule.params
        for path, item, parent in items:
            ctx = {**self._base, "item": item, "parent": parent, "params": params}
            part = "when"
            try:
                if rule.when and not self._expr(rule.when)(**ctx):
                    outcomes.append(ItemOutcome(path, "when"))
                    continue
                part = "require"
                if self._expr(rule.require)(**ctx):
                    outcomes.append(ItemOutcome(path, "satisfied"))
                    continue
                part = "message"
                message = self._message(rule.message).render(**ctx)
                extra = self._translated(rule, ctx)
            except Exception as exc:  # reported by the caller as DOS-C900
                raise RuleExpressionError(part, exc) from exc
            target = path + tuple(_parse_target(rule.at)) if rule.at else path
            loc = self._locate(target)
            found = finding(
                rule, message, Location(loc.file, loc.line, loc.column, target), extra=extra
            )
            outcomes.append(ItemOutcome(path, "finding", found))
        return outcomes

    def _translated(self, rule: Rule, ctx: dict[str, Any]) -> dict[str, str]:
        """The message and hint in the second language: the template is translated before
        it is rendered, so the values are filled in as in the English message."""
        tr = self._translation
        if tr is None:
            return {}
        message = self._message(tr.translate(rule.message)).render(
            **{**ctx, "computed": tr.computed}
        )
        extra = {f"message:{tr.code}": message}
        if rule.hint:
            extra[f"hint:{tr.code}"] = tr.translate(rule.hint)
        return extra


@dataclass(frozen=True)
class ItemOutcome:
    """What a rule concluded for one item of its scope (path () = the whole project):
    ``when`` (left out by the rule's condition), ``satisfied`` or ``finding``."""

    path: tuple[PathPart, ...]
    outcome: str
    finding: Diagnostic | None = None


def _parse_target(at: str) -> list[PathPart]:
    return [p for p in _parse_path(at) if p is not None]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_DONOR_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HIV-1/2", ("HIV",)),
    ("hepatitis B", ("hepatitis B", "HBV", "HBsAg", "anti-HBc")),
    ("hepatitis C", ("hepatitis C", "HCV")),
    ("syphilis", ("syphilis", "treponem")),
)
"""The laboratory tests every tissue and cell donor needs (Directive 2006/17/EC Annex II),
each with the words by which a donor test is recognised."""


def _helpers(data: dict[str, Any]) -> dict[str, Any]:
    """Functions available to rule expressions."""
    nonclinical = data.get("nonclinical") or {}
    all_studies: list[dict[str, Any]] = _as_list(nonclinical.get("studies"))
    quality = data.get("quality") or {}
    potency = quality.get("potency") or {}
    all_assays: list[dict[str, Any]] = _as_list(potency.get("assays"))
    batches: list[dict[str, Any]] = _as_list(quality.get("batches"))

    def studies(*types: str, status: str | None = None) -> list[dict[str, Any]]:
        """The non-clinical studies of any of the given types (all studies without types),
        a study counting for its study_type and for each type it also_covers; with
        ``status``, only studies of that status. Reads: nonclinical.studies[*].study_type,
        nonclinical.studies[*].also_covers, nonclinical.studies[*].status."""
        out = []
        for s in all_studies:
            covered = {s.get("study_type"), *_as_list(s.get("also_covers"))}
            if types and not covered.intersection(types):
                continue
            if status is not None and s.get("status") != status:
                continue
            out.append(s)
        return out

    def assays(*categories: str) -> list[dict[str, Any]]:
        """The potency assays of any of the given categories (all assays without).
        Reads: quality.potency.assays[*].category."""
        return [a for a in all_assays if not categories or a.get("category") in categories]

    def assays_with_role(role: str) -> list[dict[str, Any]]:
        """The potency assays that have the role (release, stability, characterisation,
        ...). Reads: quality.potency.assays[*].roles."""
        return [a for a in all_assays if role in _as_list(a.get("roles"))]

    def batches_used_for(use: str) -> list[dict[str, Any]]:
        """The batches used for a purpose (toxicology, clinical, engineering, ...).
        Reads: quality.batches[*].uses."""
        return [b for b in batches if use in _as_list(b.get("uses"))]

    def mentions(text: Any, *words: str) -> bool:
        """Whether a text contains any of the words at the start of a word, ignoring case
        ('insertional' matches 'insertional mutagenesis', not 'noninsertional'); false
        for a missing text. Reads: the text it is given."""
        if not isinstance(text, str):
            return False
        lower = text.lower()
        return any(re.search(r"\b" + re.escape(w.lower()), lower) for w in words)

    def filled(value: Any) -> bool:
        """Whether a value is given: not missing, not blank text, not an empty list or
        mapping (false and 0 count as given). Reads: the value it is given."""
        if value is None:
            return False
        if isinstance(value, str):
            return bool(value.strip())
        if isinstance(value, (list, dict)):
            return bool(value)
        return True

    def path_text(path: list[PathPart]) -> str:
        """A YAML path as text, e.g. ['quality', 'batches', 0] -> 'quality.batches[0]'.
        Reads: nothing."""
        return format_path(path)

    def covered_moa_steps() -> list[str]:
        """The mechanism-of-action steps that a potency assay reads out or that the
        strategy lists as not covered (with its reason). Reads:
        quality.potency.assays[*].moa_steps, quality.potency.strategy.not_covered[*].moa_step."""
        covered = {step for a in all_assays for step in _as_list(a.get("moa_steps"))}
        strategy = potency.get("strategy") or {}
        covered.update(nc.get("moa_step") for nc in _as_list(strategy.get("not_covered")))
        return sorted(str(c) for c in covered)

    methods: list[dict[str, Any]] = _as_list(quality.get("analytical_methods"))

    def safety_tests() -> list[str]:
        """The safety tests among the analytical methods (sterility, mycoplasma,
        endotoxin, replication_competent_virus, ...). Reads:
        quality.analytical_methods[*].type, quality.analytical_methods[*].safety_test."""
        return sorted(
            {str(m.get("safety_test")) for m in methods if m.get("type") == "safety"} - {"None"}
        )

    def methods_measuring(*attributes: str) -> list[dict[str, Any]]:
        """The analytical methods that declare they measure any of the class-specific
        attributes (vector_genome_titre, capsid_content, ...). Reads:
        quality.analytical_methods[*].measures."""
        wanted = set(attributes)
        return [m for m in methods if wanted.intersection(_as_list(m.get("measures")))]

    def dose_methods() -> list[str]:
        """The ids of the analytical methods that set the clinical dose. Reads:
        quality.analytical_methods[*].dose_defining."""
        return [str(m.get("id")) for m in methods if m.get("dose_defining")]

    def studies_assessing(*aspects: str) -> list[dict[str, Any]]:
        """The non-clinical studies that declare they assess any of the safety aspects
        (cytokine_release, ectopic_tissue, ...). Reads: nonclinical.studies[*].assesses."""
        wanted = set(aspects)
        return [s for s in all_studies if wanted.intersection(_as_list(s.get("assesses")))]

    def method_mentions(*words: str) -> bool:
        """Whether the name, attribute or principle of any analytical method mentions one
        of the words (as :func:`mentions`). Reads: quality.analytical_methods[*].name,
        quality.analytical_methods[*].attribute, quality.analytical_methods[*].principle."""
        return any(
            mentions(
                " ".join(str(m.get(k) or "") for k in ("name", "attribute", "principle")), *words
            )
            for m in methods
        )

    def study_mentions(types: list[str], *words: str) -> bool:
        """Whether a study of one of the types (as :func:`studies`) mentions one of the
        words in its title, objective, key findings, model relevance or endpoints.
        Reads: nonclinical.studies[*].title, nonclinical.studies[*].objective,
        nonclinical.studies[*].key_findings, nonclinical.studies[*].model_relevance,
        nonclinical.studies[*].endpoints."""
        keys = ("title", "objective", "key_findings", "model_relevance")
        for s in studies(*types):
            text = " ".join([*(str(s.get(k) or "") for k in keys), *_as_list(s.get("endpoints"))])
            if mentions(text, *words):
                return True
        return False

    def studies_addressing(risk_id: str) -> list[dict[str, Any]]:
        """The studies that name the risk in addresses_risks.
        Reads: nonclinical.studies[*].addresses_risks."""
        return [s for s in all_studies if risk_id in _as_list(s.get("addresses_risks"))]

    def tox_clinical_linked() -> bool:
        """Whether every process version of the clinical batches was also used for a
        toxicology batch, or a comparability exercise concluded 'comparable' (true when
        either kind of batch is missing). Reads: quality.batches[*].uses,
        quality.batches[*].process_version, quality.comparability[*].outcome."""
        tox = {b.get("process_version") for b in batches_used_for("toxicology")}
        clinical = {b.get("process_version") for b in batches_used_for("clinical")}
        if not tox or not clinical or clinical <= tox:
            return True
        comparable = [
            c for c in _as_list(quality.get("comparability")) if c.get("outcome") == "comparable"
        ]
        return bool(comparable)

    not_conducted = {nc.get("study_type") for nc in _as_list(nonclinical.get("not_conducted"))}

    def unaddressed_study_types(*types: str) -> list[str]:
        """The study types, of those given, that neither a study covers (as
        :func:`studies`) nor a not-conducted statement answers. Reads:
        nonclinical.studies[*].study_type, nonclinical.studies[*].also_covers,
        nonclinical.not_conducted[*].study_type."""
        return [t for t in types if t not in not_conducted and not studies(t)]

    donors = (quality.get("starting_materials") or {}).get("donors") or {}
    donor_text = " ".join(str(t.get("test") or "") for t in _as_list(donors.get("tests")))

    def donor_tests_missing() -> list[str]:
        """The mandatory donor markers of Directive 2006/17/EC Annex II (HIV-1/2, HBV, HCV,
        syphilis) that no donor test names. Reads:
        quality.starting_materials.donors.tests[*].test."""
        return [marker for marker, words in _DONOR_MARKERS if not mentions(donor_text, *words)]

    impurity_names = [str(i.get("name") or "") for i in _as_list(quality.get("impurities"))]

    def impurities_not_named(expected: dict[str, list[str]]) -> list[str]:
        """The labels of ``expected`` (label -> words) for which no impurity's name
        mentions one of the words (as :func:`mentions`), in the order given. Reads:
        quality.impurities[*].name."""
        return [
            label
            for label, words in expected.items()
            if not any(mentions(name, *words) for name in impurity_names)
        ]

    def lowest_tumour_forming_fraction() -> float | None:
        """The lowest spiked fraction (per cent of the cells dosed) that formed a teratoma
        or tumour in any study's spiking arm; None when no spiked group formed one.
        Reads: nonclinical.studies[*].spiking."""
        fractions = [
            float(arm["fraction_percent"])
            for s in all_studies
            for arm in _as_list(s.get("spiking"))
            if (arm.get("animals_with_tumours") or 0) > 0
        ]
        return min(fractions, default=None)

    def limit_percent(limit: Any) -> float | None:
        """A numeric release limit of a residual cell population (release_limit of an
        analytical method) in per cent of the cells: a limit per million cells divided by
        10,000; None without a limit. Reads: the limit it is given."""
        if not isinstance(limit, dict) or limit.get("maximum") is None:
            return None
        value = float(limit["maximum"])
        return value if limit.get("unit") == "percent" else value / 10_000

    def increasing(values: list[Any]) -> bool:
        """Whether the numbers strictly increase. Reads: the values it is given."""
        nums = [float(v) for v in values]
        return all(a < b for a, b in itertools.pairwise(nums))

    return {
        "covered_moa_steps": covered_moa_steps,
        "assays_with_role": assays_with_role,
        "safety_tests": safety_tests,
        "method_mentions": method_mentions,
        "methods_measuring": methods_measuring,
        "dose_methods": dose_methods,
        "studies_assessing": studies_assessing,
        "study_mentions": study_mentions,
        "studies_addressing": studies_addressing,
        "tox_clinical_linked": tox_clinical_linked,
        "increasing": increasing,
        "lowest_tumour_forming_fraction": lowest_tumour_forming_fraction,
        "limit_percent": limit_percent,
        "impurities_not_named": impurities_not_named,
        "donor_tests_missing": donor_tests_missing,
        "unaddressed_study_types": unaddressed_study_types,
        "studies": studies,
        "assays": assays,
        "batches_used_for": batches_used_for,
        "mentions": mentions,
        "filled": filled,
        "path_text": path_text,
    }


@dataclass(frozen=True)
class HelperDoc:
    """A function rule expressions can call: its call signature, what it does and the
    project fields it reads (from its docstring)."""

    name: str
    signature: str
    text: str
    reads: tuple[str, ...]


def helper_docs() -> list[HelperDoc]:
    """The functions available to rule expressions, documented from their docstrings
    (the text before 'Reads:' says what they do, the paths after it what they read)."""
    import inspect

    out = []
    for name, fn in sorted(_helpers({}).items()):
        doc = " ".join((inspect.getdoc(fn) or "").split())
        text, _, reads = doc.partition(" Reads: ")
        parts = [p.strip().rstrip(".") for p in reads.split(",")]
        paths = tuple(p for p in parts if "." in p or "[" in p)
        sig = str(inspect.signature(fn)).split(" -> ")[0].replace("'", "")
        out.append(HelperDoc(name, f"{name}{sig}", text.strip(), paths))
    return out


def fields_read(rule: Rule) -> list[str]:
    """The project fields and computed results a rule reads, as paths over the project
    file ('quality.potency.assays[*].roles', 'computed.fih.start') and the helpers it
    calls ('studies()'), from its applies-to scope, ``when``, ``require`` and message."""
    from jinja2 import Environment, nodes

    env = Environment()
    helpers = set(_helpers({}))
    scope = rule.scope or ""
    parent_scope = scope.rsplit("[*]", 2)[0] + "[*]" if scope.count("[*]") >= 2 else ""
    found: list[str] = []

    def chain(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = chain(node.node)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, nodes.Getitem):
            base = chain(node.node)
            if base is None:
                return None
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return f"{base}.{arg.value}"
            if isinstance(arg, nodes.Const) and isinstance(arg.value, int):
                return base  # a part of the value (words of a text)
            return f"{base}[*]"
        if isinstance(node, nodes.Filter) and node.node is not None:
            base = chain(node.node)
            if base is None:
                return None
            # the items of a list mapped before are addressed without a further [*]
            items = (
                base
                if isinstance(node.node, nodes.Filter) and node.node.name == "map"
                else f"{base}[*]"
            )
            if node.name in {"first", "last"}:
                return items
            attr = next((k.value for k in node.kwargs if k.key == "attribute"), None)
            if node.name in {"selectattr", "rejectattr"} and node.args:
                attr = node.args[0]
                if isinstance(attr, nodes.Const) and isinstance(attr.value, str):
                    path = resolve(f"{items}.{attr.value}")
                    if path is not None:
                        found.append(path)
                return base
            if node.name == "map" and isinstance(attr, nodes.Const):
                return f"{items}.{attr.value}"
            return base
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            return chain(node.node.node)  # a method of a value (text.count): the value
        return None

    def resolve(text: str) -> str | None:
        head, _, rest = text.partition(".")
        if head in {"item", "parent"}:
            base = scope if head == "item" else parent_scope
            if not base:
                return None
            return f"{base}.{rest}" if rest else base
        if head == "project":
            return rest or None
        if head in {"features", "loop", "range", "true", "false", "none"} or head in local:
            return "product features" if head == "features" else None
        return text

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
            if node.node.name in helpers:
                found.append(f"{node.node.name}()")
            for child in node.iter_child_nodes():
                if child is not node.node:
                    visit(child)
            return
        text = chain(node)
        if text is not None:
            path = resolve(text)
            if path is not None:
                found.append(path)
            # the arguments of item lookups and filters are read too
            for child in node.iter_child_nodes():
                if isinstance(node, nodes.Getitem) and child is node.arg:
                    visit(child)
                elif isinstance(node, nodes.Filter) and child is not node.node:
                    visit(child)
                elif isinstance(node, nodes.Call) and child is not node.node:
                    visit(child)
                elif isinstance(child, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
                    inner = child
                    while isinstance(inner, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
                        if isinstance(inner, nodes.Getitem):
                            visit(inner.arg)
                        elif isinstance(inner, nodes.Filter):
                            for c in inner.iter_child_nodes():
                                if c is not inner.node:
                                    visit(c)
                        inner = inner.node  # type: ignore[assignment]
            return
        for child in node.iter_child_nodes():
            visit(child)

    sources = [(rule.when, True), (rule.require, True), (rule.message, False)]
    local: set[str] = set()
    for source, is_expression in sources:
        if not source:
            continue
        tree = env.parse("{{ (" + source + ") }}" if is_expression else source)
        local |= {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
        visit(tree)
    if rule.scope:
        found.insert(0, rule.scope)
    return list(dict.fromkeys(found))
