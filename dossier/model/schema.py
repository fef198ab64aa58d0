"""The JSON Schema (draft 2020-12) of the project file, for editors and other tools.

The schema is derived from :class:`~dossier.model.project.Project` and then tidied for
editors (yaml-language-server, VS Code, JetBrains), which use it for completion, hover
and validation while a project file is typed:

* ``"default": null`` is dropped from optional fields. It means the same as leaving the
  key out, but editors insert the default on completion, and a stray ``key: null`` in a
  project file reads as "filled in" while it is empty.
* Property titles that pydantic makes up from the key (``atmp_class`` -> "Atmp Class")
  are replaced by the key itself, which is what the user typed; without a title,
  yaml-language-server's hover would head the description with the title of the
  enclosing model instead. Model titles are kept.

Everything else (descriptions, examples, enumerations, limits, ``additionalProperties:
false`` from the models' ``extra="forbid"``) is passed through unchanged.
"""

from __future__ import annotations

from typing import Any

from dossier.model.project import SCHEMA_VERSION, Project

__all__ = ["SCHEMA_DIALECT", "SCHEMA_ID", "project_json_schema"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A URN: it names the schema without suggesting a web address that could be fetched.
SCHEMA_ID = f"urn:dossier-atmp:schema:project:{SCHEMA_VERSION}"

_TITLE = "dossier project file"
_DESCRIPTION = (
    "One YAML file describing an ATMP, its potency assays, batches, non-clinical studies, "
    "first-in-human dose, risk profile and scientific-advice questions. "
    "Field reference: docs/reference.md."
)


def _made_up_title(key: str, title: object) -> bool:
    return title == key.replace("_", " ").title()


def _tidy_properties(properties: dict[str, Any]) -> dict[str, Any]:
    tidy: dict[str, Any] = {}
    for key, raw in properties.items():
        prop = _tidy(raw)
        if isinstance(prop, dict):
            if "default" in prop and prop["default"] is None:
                prop = {k: v for k, v in prop.items() if k != "default"}
            if _made_up_title(key, prop.get("title")):
                prop = {**prop, "title": key}
        tidy[key] = prop
    return tidy


def _tidy(node: Any) -> Any:
    """A copy of a schema node with every ``properties`` mapping tidied (see module doc)."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = _tidy_properties(value)
        elif key in {"default", "examples", "const", "enum"}:
            out[key] = value  # data, not schema: never rewritten
        else:
            out[key] = _tidy(value)
    return out


def project_json_schema() -> dict[str, Any]:
    """The schema of ``dossier.yaml`` with ``$schema``, ``$id``, title and description.

    The result is a fresh dictionary on every call; callers may change it.
    """
    schema = _tidy(Project.model_json_schema(mode="validation"))
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": _TITLE,
        "description": _DESCRIPTION,
        **schema,
    }
