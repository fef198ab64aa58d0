"""Stability studies (CTD S.7 / P.8): conditions, batches, attributes and their results.

A study stores one material (drug substance, drug product, an intermediate or the
vector) under one condition and follows the quantitative attributes of its batches over
time. The results are written inline or read from a CSV/XLSX file (columns ``batch``,
``time``, ``value``); the analysis (:mod:`dossier.analysis.stability`) applies ICH Q1E to
each attribute and judges the proposed shelf life or hold time on it.
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from dossier.model.base import (
    DATA_FILE,
    Id,
    IdRef,
    StrictModel,
    Text,
    finite_values,
    new_list,
)
from dossier.model.potency import DataDecimal, DataThousands, check_number_convention

__all__ = [
    "ConditionType",
    "ShelfLife",
    "StabilityAttribute",
    "StabilityResult",
    "StabilityStudy",
    "StorageCondition",
    "StudyMaterial",
    "TimeUnit",
]

StudyMaterial = Literal["drug_substance", "drug_product", "intermediate", "vector"]
ConditionType = Literal["long_term", "accelerated", "stress", "in_use"]
TimeUnit = Literal["hours", "days", "months"]


class StorageCondition(StrictModel):
    """The storage condition of a study."""

    label: Text = Field(
        description="The condition as the protocol names it, e.g. '≤ −150 °C vapour phase LN2'."
    )
    temperature_c: float | None = Field(
        default=None,
        ge=-273.15,
        allow_inf_nan=False,
        description=(
            "Nominal storage temperature in °C (e.g. -150, 5, 25); decides the extrapolation "
            "ICH Q1E allows. Omit when it is not one temperature: then none is allowed."
        ),
    )
    type: ConditionType = Field(
        description=(
            "long_term (the proposed storage), accelerated, stress, or in_use (an in-use, "
            "post-thaw or hold condition)."
        )
    )


class ShelfLife(StrictModel):
    """A proposed shelf life or hold time."""

    value: float = Field(gt=0, allow_inf_nan=False, description="Length of the period.")
    unit: TimeUnit = Field(description="hours, days or months: the study's time unit.")


class StabilityResult(StrictModel):
    """One result of one batch at one time point."""

    batch: IdRef = Field(description="Batch tested (id of quality.batches).")
    time: float = Field(
        ge=0, allow_inf_nan=False, description="Time point, in the study's time unit."
    )
    value: float = Field(allow_inf_nan=False, description="The result, in the attribute's unit.")


class StabilityAttribute(StrictModel):
    """A quantitative attribute followed in a study, with its criterion and results."""

    name: Text = Field(description="The attribute, e.g. 'viability' or 'vector genome titre'.")
    method: IdRef = Field(
        description="The analytical method or potency assay that measures it (id)."
    )
    unit: str = Field(min_length=1, max_length=48, description="Unit of the results.")
    lower: float | None = Field(
        default=None, description="Lower acceptance limit (inclusive), for a falling attribute."
    )
    upper: float | None = Field(
        default=None, description="Upper acceptance limit (inclusive), for a rising attribute."
    )
    results: list[StabilityResult] = Field(
        default_factory=new_list, description="Results per batch and time point, written here."
    )
    data: str | None = Field(
        default=None,
        description=(
            "CSV/XLSX file of the results instead of 'results': columns 'batch', 'time' "
            "(in the study's time unit) and 'value'."
        ),
        json_schema_extra=DATA_FILE,
    )
    sheet: str | None = Field(
        default=None, description="Sheet name for XLSX files.", json_schema_extra=DATA_FILE
    )
    decimal: DataDecimal = "point"
    thousands: DataThousands = "none"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        finite_values(lower=self.lower, upper=self.upper)
        if self.lower is None and self.upper is None:
            raise ValueError(
                f"attribute '{self.name}' needs an acceptance criterion: give 'lower' and/or "
                "'upper'"
            )
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is above upper ({self.upper})")
        if self.results and self.data is not None:
            raise ValueError("give the results inline ('results') or as a file ('data'), not both")
        if self.data is None and self.sheet is not None:
            raise ValueError("'sheet' names a sheet of the 'data' file, which is not given")
        check_number_convention(self.decimal, self.thousands)
        return self


class StabilityStudy(StrictModel):
    """A stability study: one material under one storage condition."""

    id: Id
    material: StudyMaterial = Field(
        description="drug_substance, drug_product, intermediate or vector."
    )
    condition: StorageCondition = Field(description="The storage condition.")
    container_closure: Text = Field(
        description="Container closure system, e.g. 'EVA cryobag, 50 mL, in metal cassette'."
    )
    batches: list[IdRef] = Field(min_length=1, description="Batches on study (ids).")
    time_unit: TimeUnit = Field(
        description="Unit of every time point of the study: hours, days or months."
    )
    time_points: list[float] = Field(
        default_factory=new_list,
        description="Time points of the protocol (planned pulls), in the study's time unit.",
    )
    attributes: list[StabilityAttribute] = Field(
        min_length=1, description="Quantitative attributes studied, with their results."
    )
    proposed_shelf_life: ShelfLife | None = Field(
        default=None,
        description="The shelf life or hold time this study supports, as proposed.",
    )
    extrapolation_justification: str | None = Field(
        default=None,
        description=(
            "Why a shelf life beyond the longest real-time time point is justified; "
            "without it the supported shelf life stops at the real-time data (ICH Q5C)."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for t in self.time_points:
            finite_values(time_point=t)
            if t < 0:
                raise ValueError(f"time point {t:g} is negative")
        if len(set(self.batches)) != len(self.batches):
            raise ValueError("a batch is listed twice in 'batches'")
        shelf = self.proposed_shelf_life
        if shelf is not None and shelf.unit != self.time_unit:
            raise ValueError(
                f"proposed_shelf_life is in {shelf.unit} but the study's time unit is "
                f"{self.time_unit}: state it in {self.time_unit}"
            )
        return self
