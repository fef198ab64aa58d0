"""Building blocks shared by every part of the project model.

All models forbid unknown keys (a misspelt key is an error with a did-you-mean
hint, never silently ignored) and every field carries a description, which feeds
the JSON Schema, editor completion and the generated field reference.
"""

import math
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)
from pydantic.config import JsonDict

from dossier.core.units import check_unit

__all__ = [
    "CHECKS_ONLY",
    "DATA_FILE",
    "FIELD_USE_KEY",
    "CountNoun",
    "Duration",
    "Id",
    "IdRef",
    "Quantity",
    "StrictModel",
    "Text",
    "above_zero",
    "check_unit_text",
    "finite_values",
]

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$"

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(
        description=(
            "Identifier, unique within its kind: starts with a letter; letters, digits, "
            "'_', '.', '-'; at most 64 characters."
        ),
    ),
]
IdRef = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Reference to the id of another item in this project file."),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]

# Every field of the project file reaches a draft, except the few marked here (the
# sentinel test in tests/drafts/test_sentinels.py enforces it; the field reference
# lists them). Each mark is a reviewed decision, given as the field's json_schema_extra.
FIELD_USE_KEY = "x-dossier-use"
CHECKS_ONLY: JsonDict = {FIELD_USE_KEY: "checks"}
"""Read by the expectation checks (and the analysis), not printed in the drafts."""
DATA_FILE: JsonDict = {FIELD_USE_KEY: "data-file"}
"""Where or how a data file is read; the drafts print what the file holds."""


class StrictModel(BaseModel):
    """Base of all project models: unknown keys are errors; values are validated on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=False,
        validate_assignment=False,
        str_strip_whitespace=True,
        populate_by_name=False,
        use_enum_values=False,
        defer_build=True,
    )


def check_unit_text(unit: str, info: ValidationInfo) -> str:
    """Check a unit string; raise ``ValueError`` with a hint when it is not understood.

    The vocabulary is :mod:`dossier.core.units` plus the count nouns the project declares
    in ``project.count_units``, passed by the loader as the validation context
    (``{"count_units": [...]}``).
    """
    declared: tuple[str, ...] = ()
    if isinstance(info.context, dict):
        declared = tuple(info.context.get("count_units", ()))
    unit = unit.strip()
    problem = check_unit(unit, extra_counts=declared)
    if problem:
        raise ValueError(problem)
    return unit


CountNoun = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9+\-][A-Za-z0-9+\- ]{0,47}$"),
    Field(
        description=(
            "A count noun (what is counted), e.g. 'CAR+ viable T cells': letters, digits, "
            "'+', '-' and spaces, at most 48 characters."
        ),
        examples=["CAR+ viable T cells", "transduced cells"],
    ),
]


Unit = Annotated[
    str,
    AfterValidator(check_unit_text),
    Field(
        description=(
            "Unit of measure, e.g. 'cells/kg', 'CAR+ cells', 'vg/kg', 'mg/kg', 'copies/µg'."
        ),
        examples=["cells/kg", "vg/kg"],
    ),
]


class Quantity(StrictModel):
    """A number with its unit. A dose without a unit is a validation error."""

    value: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="The numeric value, zero or more (use 1.0e14 notation for large numbers).",
    )
    unit: Unit

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def finite_values(**values: float | None) -> None:
    """A ``ValueError`` naming the first of ``values`` that is NaN or infinite (``.nan``,
    ``.inf`` in YAML): a limit or a result that no comparison can judge."""
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise ValueError(f"'{name}' is {value}, not a number that can be compared")


def above_zero(quantity: Quantity, what: str) -> Quantity:
    """``quantity`` when its value is above zero (for a field validator: a dose, a NOAEL);
    a ``ValueError`` naming ``what`` otherwise."""
    if quantity.value <= 0:
        raise ValueError(f"{what} must be above zero, not {quantity}")
    return quantity


class Duration(StrictModel):
    """A time span with its unit."""

    value: float = Field(gt=0, description="Length of the time span.")
    unit: str = Field(
        description="Unit of the time span.",
        json_schema_extra={"enum": ["hours", "days", "weeks", "months", "years"]},
        pattern=r"^(hours|days|weeks|months|years)$",
    )

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        unit = self.unit[:-1] if value == 1 else self.unit
        return f"{value} {unit}"


def new_list() -> list[Any]:
    """A new empty list, as the ``default_factory`` of list fields.

    pydantic looks at a factory's signature to see whether it takes the validated data;
    for the built-in ``list`` that means parsing its text signature, which for the
    model's ~40 list fields was a measurable part of every start of the command line.
    """
    return []


def new_dict() -> dict[Any, Any]:
    """A new empty dict, as the ``default_factory`` of dict fields (see :func:`new_list`)."""
    return {}


def ids_of(items: list[Any]) -> list[str]:
    """The ``id`` attribute of each item (helper for cross-reference checks)."""
    return [item.id for item in items]
