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
from typing import Any

from dossier.core.diagnostics import Citation as DiagnosticCitation
from dossier.core.diagnostics import Diagnostic, Location, PathPart, Severity, format_path
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
        extra={"title": rule.title},
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


class RuleEvaluator:
    """Compiles and evaluates rules against one project's data."""

    def __init__(
        self,
        data: dict[str, Any],
        computed: dict[str, Any],
        features: frozenset[str],
        locate: Locator,
    ) -> None:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        # optimized=False: Jinja's constant folding finds little to fold in rule
        # expressions but slows down compiling them, which every check does
        self._env = ImmutableSandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, optimized=False
        )
        self._env.tests["search"] = lambda value, pattern: (
            re.search(pattern, str(value)) is not None
        )
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

    def _expr(self, source: str) -> Any:
        """A rule expression, compiled once and evaluated for every item of its scope."""
        compiled = self._expressions.get(source)
        if compiled is None:
            compiled = self._env.compile_expression(source, undefined_to_none=False)
            self._expressions[source] = compiled
        return compiled

    def _message(self, source: str) -> Any:
        compiled = self._messages.get(source)
        if compiled is None:
            compiled = self._env.from_string(source)
            self._messages[source] = compiled
        return compiled

    def evaluate(self, rule: Rule) -> list[Diagnostic]:
        """Findings of one rule (empty when satisfied or not applicable)."""
        items: Iterator[tuple[tuple[PathPart, ...], Any, Any]] = (
            iter_scope(self._data, rule.scope) if rule.scope else iter([((), None, None)])
        )
        findings = []
        for path, item, parent in items:
            ctx = {**self._base, "item": item, "parent": parent}
            part = "when"
            try:
                if rule.when and not self._expr(rule.when)(**ctx):
                    continue
                part = "require"
                if self._expr(rule.require)(**ctx):
                    continue
                part = "message"
                message = self._message(rule.message).render(**ctx)
            except Exception as exc:  # reported by the caller as DOS-C900
                raise RuleExpressionError(part, exc) from exc
            target = path + tuple(_parse_target(rule.at)) if rule.at else path
            loc = self._locate(target)
            findings.append(
                finding(rule, message, Location(loc.file, loc.line, loc.column, target))
            )
        return findings


def _parse_target(at: str) -> list[PathPart]:
    return [p for p in _parse_path(at) if p is not None]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _helpers(data: dict[str, Any]) -> dict[str, Any]:
    """Functions available to rule expressions."""
    nonclinical = data.get("nonclinical") or {}
    all_studies: list[dict[str, Any]] = _as_list(nonclinical.get("studies"))
    quality = data.get("quality") or {}
    potency = quality.get("potency") or {}
    all_assays: list[dict[str, Any]] = _as_list(potency.get("assays"))
    batches: list[dict[str, Any]] = _as_list(quality.get("batches"))

    def studies(*types: str, status: str | None = None) -> list[dict[str, Any]]:
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
        return [a for a in all_assays if not categories or a.get("category") in categories]

    def assays_with_role(role: str) -> list[dict[str, Any]]:
        return [a for a in all_assays if role in _as_list(a.get("roles"))]

    def batches_used_for(use: str) -> list[dict[str, Any]]:
        return [b for b in batches if use in _as_list(b.get("uses"))]

    def mentions(text: Any, *words: str) -> bool:
        if not isinstance(text, str):
            return False
        lower = text.lower()
        return any(re.search(r"\b" + re.escape(w.lower()), lower) for w in words)

    def filled(value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, str):
            return bool(value.strip())
        if isinstance(value, (list, dict)):
            return bool(value)
        return True

    def path_text(path: list[PathPart]) -> str:
        return format_path(path)

    def covered_moa_steps() -> list[str]:
        covered = {step for a in all_assays for step in _as_list(a.get("moa_steps"))}
        strategy = potency.get("strategy") or {}
        covered.update(nc.get("moa_step") for nc in _as_list(strategy.get("not_covered")))
        return sorted(str(c) for c in covered)

    methods: list[dict[str, Any]] = _as_list(quality.get("analytical_methods"))

    def safety_tests() -> list[str]:
        return sorted(
            {str(m.get("safety_test")) for m in methods if m.get("type") == "safety"} - {"None"}
        )

    def method_mentions(*words: str) -> bool:
        return any(
            mentions(
                " ".join(str(m.get(k) or "") for k in ("name", "attribute", "principle")), *words
            )
            for m in methods
        )

    def study_mentions(types: list[str], *words: str) -> bool:
        keys = ("title", "objective", "key_findings", "model_relevance")
        for s in studies(*types):
            text = " ".join([*(str(s.get(k) or "") for k in keys), *_as_list(s.get("endpoints"))])
            if mentions(text, *words):
                return True
        return False

    def studies_addressing(risk_id: str) -> list[dict[str, Any]]:
        return [s for s in all_studies if risk_id in _as_list(s.get("addresses_risks"))]

    def tox_clinical_linked() -> bool:
        """Tox and clinical batches share a process version, or a comparability covers it."""
        tox = {b.get("process_version") for b in batches_used_for("toxicology")}
        clinical = {b.get("process_version") for b in batches_used_for("clinical")}
        if not tox or not clinical or clinical <= tox:
            return True
        comparable = [
            c for c in _as_list(quality.get("comparability")) if c.get("outcome") == "comparable"
        ]
        return bool(comparable)

    def increasing(values: list[Any]) -> bool:
        nums = [float(v) for v in values]
        return all(a < b for a, b in itertools.pairwise(nums))

    return {
        "covered_moa_steps": covered_moa_steps,
        "assays_with_role": assays_with_role,
        "safety_tests": safety_tests,
        "method_mentions": method_mentions,
        "study_mentions": study_mentions,
        "studies_addressing": studies_addressing,
        "tox_clinical_linked": tox_clinical_linked,
        "increasing": increasing,
        "studies": studies,
        "assays": assays,
        "batches_used_for": batches_used_for,
        "mentions": mentions,
        "filled": filled,
        "path_text": path_text,
    }
