"""The JSON Schema (draft 2020-12) of the project file, for editors and other tools."""

from __future__ import annotations

from typing import Any

from dossier.model.project import SCHEMA_VERSION, Project

SCHEMA_ID = f"urn:dossier-atmp:schema:project:{SCHEMA_VERSION}"


def project_json_schema() -> dict[str, Any]:
    """The schema of ``dossier.yaml`` with ``$schema``, ``$id``, title and description."""
    schema = Project.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "dossier project file",
        "description": (
            "One YAML file describing an ATMP, its potency assays, batches, non-clinical "
            "studies, first-in-human dose, risk profile and scientific-advice questions. "
            "Field reference: docs/reference.md."
        ),
    }
