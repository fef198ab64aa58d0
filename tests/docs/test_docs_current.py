"""Generated documentation matches the code (the model and the rule catalogue)."""

from __future__ import annotations

from dossier.model import docgen
from dossier.rules import docs as rule_docs


def test_field_reference_and_schema_file_are_current() -> None:
    assert docgen.main(["--check"]) == 0, "run: python -m dossier.model.docgen"


def test_rule_reference_is_current() -> None:
    assert rule_docs.main(["--check"]) == 0, "run: python -m dossier.rules.docs"


def test_reference_documents_every_model_field() -> None:
    from dossier.model.potency import PotencyAssay
    from dossier.model.product import Product

    text = docgen.REFERENCE.read_text("utf-8")
    for model in (Product, PotencyAssay):
        assert f"## {model.__name__}" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text, name
