"""Generate ``docs/rules.md``, the rule table, and ``dossier/rules/catalogue.json``, the
catalogue as validated JSON, from the catalogue's YAML files (both checked in CI).

``python -m dossier.rules.docs`` writes the files; ``--check`` exits 1 when a committed
file differs from what the catalogue gives.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dossier.rules.check import COMPILED, builtin_rules, compiled_catalogue

TARGET = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

_HEADER = """# Expectation rules

Generated from `dossier/rules/catalogue/*.yaml` by `python -m dossier.rules.docs`; do not edit.

Each rule says what regulators expect, when it applies (product class, product features,
stage, agency) and where the expectation comes from. **Confidence** says how far the
citation was checked:

- *verified*: the passage the rule rests on was read; the source column says where
  ("read at ..."). The catalogue refuses *verified* without that location.
- *known*: expert knowledge of a text whose structure is confirmed, not re-read for the
  rule. EMA/CAT/22473/2025 is cited this way only at the level of its parts (quality,
  non-clinical, clinical documentation), which are confirmed; its text was not available.
- *uncertain*: rests on wording nobody has read, such as an internal section or the stage
  wording of EMA/CAT/22473/2025: a configurable assumption. Every uncertain rule of
  severity error says in its note what is unverified.

EMEA/CHMP/SWP/28367/07 Rev. 1 (first-in-human trials) puts ATMPs outside its scope (§2);
the rules citing it use its general principles and say so. A rule's note (in italics
after its expectation) says what is unverified or how the check reads its source.

A profile (`dossier check --profile FILE`) can switch rules off, re-grade them or add
rules; for example `disable_confidence: [uncertain]` drops every uncertain rule, and
`severity: {POT-013: warning}` re-grades one.

Profile format:

```yaml
profile: my-company-standard
version: "1"
disable: [POT-014]              # rule ids to switch off
severity: {QUA-010: error}      # new severities
disable_confidence: [uncertain] # drop all rules of a confidence level
parameters:                     # new values of rule parameters (params.NAME)
  NCL-045: {lloq_max: 100}
rules: []                       # additional rules, same fields as the catalogue
```

A rule resting on a figure or a list that no verified text fixes reads it from its
`parameters` (listed with the rule below); a profile sets another value of the same kind,
and a name the rule does not have is refused (`DOS-C104`).
"""


_EXPRESSIONS = """
## Writing rule expressions

`when`, `require` and `message` are Jinja expressions (the message a Jinja template),
evaluated in a sandbox with undefined names as errors (a rule that cannot be evaluated is
reported as `DOS-C900`, never passed silently). They see:

- the sections of the project file by name (`product`, `quality`, `nonclinical`,
  `fih_dose`, `risk_profile`, `scientific_advice`, `netherlands`, `stage`, ...), and the
  whole file as `project`;
- `params`: the rule's parameters by name (`params.lloq_max`), as the catalogue or a
  profile sets them;
- `item` (each item the rule's `scope` selects) and `parent` (the list item above it,
  e.g. the assay of an acceptance criterion);
- `computed`: the results dossier computes from the data files (`computed.assays[ID]`
  with runs, batches, range, trend and validation failures; `computed.fih` with the start
  dose, safety limit and incomparable inputs; `computed.gonads_sampled`;
  `computed.netherlands` with the CTR timelines, the GMO permit, the VOV check and the
  traceability retention; `computed.advice` with the dates of a CBG advice meeting);
- `features`: the product features of the applicability conditions (`gmo`,
  `in_vivo_gene_therapy`, `pluripotent`, ...);
- Jinja's filters (`map`, `select`, `selectattr`, `unique`, `length`, ...), the filter
  `number` (a number as the drafts print it, `2.00 × 10¹²`; a message prints every float
  that way), the test `is search('regex')` (true when the regular expression matches the
  value as text), and the helpers below.

`dossier check PROJECT --explain RULE` lists the fields a rule reads and what it
concluded for each item of its scope.

### Expression helpers

| helper | what it gives | reads |
| --- | --- | --- |
"""


def _helpers_markdown() -> list[str]:
    from dossier.rules.engine import helper_docs

    rows = []
    for h in helper_docs():
        reads = ", ".join(f"`{r}`" for r in h.reads) or "only its arguments"
        text = h.text.replace(":func:", "").replace("``", "`")
        cells = [f"`{h.signature}`", text, reads]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return rows


def _applies(rule_applies: dict[str, list[str]]) -> str:
    parts = []
    for key, values in rule_applies.items():
        if values:
            parts.append(f"{key.replace('_', ' ')}: {', '.join(values)}")
    return "; ".join(parts) or "all"


def _value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def rules_markdown() -> str:
    """The whole rule reference as Markdown."""
    rules = builtin_rules()
    lines = [_HEADER, _EXPRESSIONS.strip("\n"), *_helpers_markdown(), ""]
    counts: dict[str, int] = {}
    for r in rules:
        counts[r.confidence] = counts.get(r.confidence, 0) + 1
    summary = ", ".join(f"{n} {c}" for c, n in sorted(counts.items()))
    lines.append(f"{len(rules)} rules ({summary}).\n")
    section = None
    for r in sorted(rules, key=lambda r: (r.section, r.id)):
        if r.section != section:
            section = r.section
            lines.append(f"\n## {section}\n")
            lines.append("| id | severity | confidence | expectation | applies to | source |")
            lines.append("| --- | --- | --- | --- | --- | --- |")
        cite = r.citation.document + (f", {r.citation.section}" if r.citation.section else "")
        if r.citation.quote_location:
            cite += f" (read at: {r.citation.quote_location})"
        title = r.title + (f" *({r.note})*" if r.note else "")
        if r.parameters:
            title += " Parameters: " + "; ".join(
                f"`{name}` = `{_value(p.value)}` ({p.description})"
                for name, p in r.parameters.items()
            )
        applies = _applies(r.applies_to.model_dump())
        row = [r.id, r.severity, r.confidence, title, applies, cite]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) docs/rules.md and dossier/rules/catalogue.json."""
    args = sys.argv[1:] if argv is None else argv
    files = {TARGET: rules_markdown(), COMPILED: compiled_catalogue()}
    if "--check" in args:
        stale = [p for p, text in files.items() if _current(p) != text]
        for path in stale:
            print(f"{path} is out of date: run python -m dossier.rules.docs", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        print(f"wrote {path}")
    return 0


def _current(path: Path) -> str:
    return path.read_text("utf-8") if path.exists() else ""


if __name__ == "__main__":
    raise SystemExit(main())
