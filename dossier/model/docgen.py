"""Generate the field reference and the JSON Schema file from the model (checked in CI).

``python -m dossier.model.docgen`` writes ``docs/reference.md`` and
``docs/schema/project.schema.json`` of the source checkout; ``--check`` writes nothing
and exits 1, naming each stale file and showing the start of the difference, when either
differs from what the code generates. The documentation therefore cannot drift from the
model: change a model, re-run the generator, commit both.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import typing
from pathlib import Path
from typing import Any

from dossier.model.base import FIELD_USE_KEY, ID_PATTERN, Text
from dossier.model.schema import project_json_schema

__all__ = ["DOCS", "REFERENCE", "SCHEMA_FILE", "generated_files", "main", "reference_markdown"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
REFERENCE = DOCS / "reference.md"
SCHEMA_FILE = DOCS / "schema" / "project.schema.json"

# The length limit of free text (base.Text); rows leave it out, the introduction says it once.
_TEXT_MAX: int = next(
    m.max_length for m in typing.get_args(Text)[1:] if getattr(m, "max_length", None)
)

# Patterns that have a plain-language name; any other pattern is shown as written.
_PATTERN_NAMES = {
    ID_PATTERN: "an identifier",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an e-mail address",
    r"^\d+(\.\d+){0,2}$": "a version number such as `1`, `0.3` or `1.2.0`",
}

_INTRO = f"""# Project file reference

Generated from the data model by `python -m dossier.model.docgen`; do not edit by hand.

A project is one YAML file, `dossier.yaml`, plus data files next to it. This page lists
every key the file may contain, model by model, starting at the top level.

How to read the tables:

- **key**: the YAML key, case-sensitive. Unknown keys are errors (with a did-you-mean
  hint), so a misspelt key never goes unnoticed.
- **type**: *text*, *number*, *whole number*, *true/false*, *date* (written
  `2026-01-15`), *choice* (one of the allowed values), *list of ...*, or a link to the
  section describing a nested block of keys.
- **required**: *yes* keys must be present. Optional keys may be left out; the drafts
  then show a highlighted placeholder where the information would go.
- **allowed values**: the choices, limits and formats a value must meet. For lists,
  *each:* applies to every item. Free-text fields (names, descriptions, statements)
  must not be empty and take at most {_TEXT_MAX:,} characters; the tables do not repeat
  this. An *identifier* starts with a letter and contains letters, digits, `_`, `.` and
  `-` (at most 64 characters); ids are unique within their kind, and references must
  name an existing id.
- **default**: the value used when an optional key is left out; a dash means none.

Every value entered reaches at least one draft, except the few fields whose description
says otherwise: those used by the checks only, and those that say where or how a data file
is read (the drafts show what the file holds, not its name).

Quantities are written as `{{value: 2.0e6, unit: "CAR+ cells/kg"}}`; a number without its
unit is an error. The JSON Schema for editors (completion, hover, checking while typing)
is [schema/project.schema.json](schema/project.schema.json); the first line of a project
file, `# yaml-language-server: $schema=<path to that file>`, makes editors with the
YAML language server use it.
"""

_SCALARS = {
    "string": "text",
    "number": "number",
    "integer": "whole number",
    "boolean": "true/false",
    "null": "empty",
}


def _anchor(title: str) -> str:
    """The anchor a Markdown renderer (GitHub, pandoc) gives a heading."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _non_null(prop: dict[str, Any]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = prop.get("anyOf", [prop])
    return [p for p in options if p.get("type") != "null"]


def _type(prop: dict[str, Any]) -> str:
    """The type of a value in words, with links to the sections of nested models."""
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in _non_null(prop)) or "empty"
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        return f"[{name}](#{_anchor(name)})"
    if "enum" in prop or "const" in prop:
        return "choice"
    kind = prop.get("type")
    if kind == "array":
        if "prefixItems" in prop:
            return "pair [" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict):
            return f"mapping of text to {_type(extra)}"
        return "mapping"
    if kind == "string" and prop.get("format") == "date":
        return "date"
    if kind == "string" and prop.get("pattern") == ID_PATTERN:
        return "identifier"
    return _SCALARS.get(str(kind), str(kind))


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`"


def _allowed(prop: dict[str, Any]) -> list[str]:
    """Choices, limits and formats of one value (of each item, for lists)."""
    bits: list[str] = []
    for option in _non_null(prop):
        if "enum" in option:
            bits.append(", ".join(_code(v) for v in option["enum"]))
        elif "const" in option:
            bits.append(_code(option["const"]))
        elif "pattern" in option and option["pattern"] != ID_PATTERN:
            pattern = option["pattern"]
            bits.append(_PATTERN_NAMES.get(pattern, f"pattern `{pattern}`"))
        for key, label in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        ):
            if key in option:
                bits.append(f"{label} {option[key]:g}")
        if option.get("minLength", 0) > 1:
            bits.append(f"at least {option['minLength']} characters")
        if "maxLength" in option and option["maxLength"] != _TEXT_MAX:
            bits.append(f"at most {option['maxLength']} characters")
        if option.get("type") == "array":
            if option.get("minItems") and "prefixItems" not in option:
                bits.append(f"at least {option['minItems']} item(s)")
            if "maxItems" in option and "prefixItems" not in option:
                bits.append(f"at most {option['maxItems']} item(s)")
            items = option.get("items", {})
            inner = _allowed(items) if isinstance(items, dict) else []
            if inner:
                bits.append("each: " + "; ".join(inner))
    return bits


def _default(prop: dict[str, Any], required: bool) -> str:
    if required or "default" not in prop:
        return "—"
    value = prop["default"]
    if value == "":
        return "empty text"
    return _code(value)


_USE_NOTES = {
    "checks": "Used by the checks only; not printed in the drafts.",
    "data-file": "Where or how a data file is read; the drafts show what the file holds.",
}


def _description(prop: dict[str, Any]) -> str:
    text = " ".join(str(prop.get("description", "")).split())
    use = prop.get(FIELD_USE_KEY)
    if use in _USE_NOTES:
        text += (" " if text else "") + f"*{_USE_NOTES[use]}*"
    examples = prop.get("examples") or []
    if examples:
        text += (" " if text else "") + "Example: " + ", ".join(_code(e) for e in examples) + "."
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(title: str, schema: dict[str, Any], used_in: list[str]) -> list[str]:
    lines = [f"\n## {title}\n"]
    if schema.get("description"):
        lines.append(" ".join(str(schema["description"]).split()) + "\n")
    if used_in:
        links = ", ".join(f"[{name}](#{_anchor(name)})" for name in used_in)
        lines.append(f"Used in: {links}.\n")
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines.append("| key | type | required | description | allowed values | default |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for key, prop in props.items():
        is_required = key in required
        cells = [
            f"`{key}`",
            _type(prop),
            "yes" if is_required else "no",
            _description(prop),
            "; ".join(_allowed(prop)),
            _default(prop, is_required),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _refs(node: Any) -> list[str]:
    """Names of the models referred to in a schema node, in order of appearance."""
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.append(_ref_name(ref))
        for value in node.values():
            found.extend(n for n in _refs(value) if n not in found)
    elif isinstance(node, list):
        for value in node:
            found.extend(n for n in _refs(value) if n not in found)
    return found


def reference_markdown(schema: dict[str, Any] | None = None) -> str:
    """The field reference: the root first, then every model in the order it is reached."""
    schema = schema if schema is not None else project_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    root_title = "Project (top level)"

    order: list[str] = []
    used_in: dict[str, list[str]] = {}

    def visit(parent: str, node: dict[str, Any]) -> None:
        # depth first: a model's section follows the section that first uses it, and
        # the sections of its own nested models follow it in turn
        for name in _refs(node.get("properties", {})):
            users = used_in.setdefault(name, [])
            if parent not in users:
                users.append(parent)
            if name not in order:
                order.append(name)
                visit(name, defs[name])

    visit(root_title, schema)

    lines = [_INTRO, "## Contents\n", f"- [{root_title}](#{_anchor(root_title)})"]
    lines.extend(f"- [{name}](#{_anchor(name)})" for name in order)
    lines.extend(_table(root_title, schema, []))
    for name in order:
        lines.extend(_table(name, defs[name], used_in[name]))
    return "\n".join(lines) + "\n"


def schema_text() -> str:
    """The schema file's content: stable key order, two-space indent, final newline."""
    return json.dumps(project_json_schema(), indent=2, ensure_ascii=False) + "\n"


def generated_files(docs: Path = DOCS) -> dict[Path, str]:
    """The generated files under ``docs`` and the content the code gives them."""
    return {
        docs / "reference.md": reference_markdown(),
        docs / "schema" / "project.schema.json": schema_text(),
    }


def _difference(path: Path, expected: str) -> str:
    if not path.exists():
        return f"{path} is missing"
    diff = list(
        difflib.unified_diff(
            path.read_text("utf-8").splitlines(),
            expected.splitlines(),
            f"{path.name} (committed)",
            f"{path.name} (generated)",
            lineterm="",
            n=1,
        )
    )
    if not diff:
        return ""
    shown = diff[:30]
    if len(diff) > len(shown):
        shown.append(f"... {len(diff) - len(shown)} more diff lines")
    return f"{path} is out of date with the model:\n" + "\n".join(shown)


def main(argv: list[str] | None = None) -> int:
    """Write the generated files, or with ``--check`` report whether they are current."""
    parser = argparse.ArgumentParser(
        prog="python -m dossier.model.docgen",
        description="Generate docs/reference.md and docs/schema/project.schema.json.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=DOCS, help="the docs folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    outputs = generated_files(args.docs_dir)
    if args.check:
        problems = [p for p in (_difference(path, text) for path, text in outputs.items()) if p]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("Regenerate with: python -m dossier.model.docgen", file=sys.stderr)
            return 1
        print("generated documentation is current")
        return 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
