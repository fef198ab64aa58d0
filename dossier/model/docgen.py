"""Generate the field reference and the JSON Schema file from the model (checked in CI).

``python -m dossier.model.docgen`` writes ``docs/reference.md`` and
``docs/schema/project.schema.json``; ``--check`` exits 1 when either differs from what
the code generates, so the documentation cannot drift from the model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dossier.model.schema import project_json_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"
REFERENCE = DOCS / "reference.md"
SCHEMA_FILE = DOCS / "schema" / "project.schema.json"

_INTRO = """# Project file reference

Generated from the data model by `python -m dossier.model.docgen`; do not edit.

A project is one YAML file, `dossier.yaml`, plus data files next to it. Keys are
case-sensitive; unknown keys are errors (with a did-you-mean hint). *Required* keys must
be present; optional keys may be left out, and the drafts then show a highlighted
placeholder where the information would go. Quantities are written as
`{value: 2.0e6, unit: "CAR+ cells/kg"}`; a number without its unit is an error.
Dates are written `2026-01-15`. The JSON Schema for editors is
[schema/project.schema.json](schema/project.schema.json).
"""


def _anchor(name: str) -> str:
    return name.lower()


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        parts = [_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(parts) or "null"
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if "prefixItems" in prop:
            inner = ", ".join(_type(p) for p in prop["prefixItems"])
            return f"pair [{inner}]"
        return f"list of {_type(items)}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict):
            return f"mapping of text to {_type(extra)}"
        return "mapping"
    if kind == "string" and prop.get("format") == "date":
        return "date"
    if kind == "string" and "pattern" in prop:
        return "text (pattern)"
    return {
        "string": "text",
        "number": "number",
        "integer": "whole number",
        "boolean": "true/false",
    }.get(str(kind), str(kind))


def _limits(prop: dict[str, Any]) -> str:
    bits = []
    for key, label in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in prop:
            bits.append(f"{label} {prop[key]}")
    if prop.get("minItems"):
        bits.append(f"at least {prop['minItems']} item(s)")
    if "default" in prop and prop["default"] not in (None, [], {}):
        bits.append(f"default `{json.dumps(prop['default'], ensure_ascii=False)}`")
    return "; ".join(bits)


def _table(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"\n## {name}\n"]
    if schema.get("description"):
        lines.append(" ".join(str(schema["description"]).split()) + "\n")
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines.append("| key | type | required | description |")
    lines.append("| --- | --- | --- | --- |")
    for key, prop in props.items():
        desc = " ".join(str(prop.get("description", "")).split())
        extra = _limits(prop)
        if extra:
            desc = f"{desc} ({extra})" if desc else extra
        cells = [f"`{key}`", _type(prop), "yes" if key in required else "", desc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def reference_markdown(schema: dict[str, Any] | None = None) -> str:
    """The field reference: the root first, then every model in the order it is reached."""
    schema = schema or project_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    order: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in order:
                    order.append(name)
                    visit(defs.get(name, {}))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema.get("properties", {}))
    lines = [_INTRO]
    lines.extend(_table("Project (the root)", schema))
    for name in order:
        lines.extend(_table(name, defs[name]))
    return "\n".join(lines) + "\n"


def _schema_text() -> str:
    return json.dumps(project_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the generated files, or with ``--check`` report whether they are current."""
    args = sys.argv[1:] if argv is None else argv
    outputs = {REFERENCE: reference_markdown(), SCHEMA_FILE: _schema_text()}
    if "--check" in args:
        stale = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
        for path in stale:
            print(f"{path} is out of date: run python -m dossier.model.docgen", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
