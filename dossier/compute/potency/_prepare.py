"""Checks and transforms shared by the dose-response models.

Problems with the data themselves (too few doses, a missing standard, doses that
cannot be logged, missing values) are raised as located :class:`DataFileError`;
well-formed data that simply give no valid assay are reported by the models as an
invalid analysis with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dossier.compute.potency.fieller import FiellerResult
from dossier.compute.potency.types import DoseResponseData, Observation, Transform
from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import DataFileError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "ZERO_RESIDUAL",
    "check_data",
    "data_error",
    "large_g_warning",
    "refuse_design_factors",
    "residual_is_zero",
    "transform_responses",
]

ZERO_RESIDUAL = 1e-9
"""A root-mean-square residual below this fraction of the largest |response| is rounding
error: the residual variance is zero for the data's scale (no F-test, no limits)."""


def residual_is_zero(rss: float, y: np.ndarray) -> bool:
    """Whether a residual sum of squares is zero relative to the responses' scale
    (round-off only), rather than compared with exactly 0."""
    import numpy as np

    scale = float(np.max(np.abs(y))) if y.size else 0.0
    return not rss > (ZERO_RESIDUAL * scale) ** 2 * y.size


LARGE_G = 0.1
"""Fieller's g above which the slope is poorly determined (Ph. Eur. 5.3, Finney): the
limits are wide and asymmetric, and the analysis warns."""


def large_g_warning(preparation: str, g: float) -> str | None:
    """The warning for a g above :data:`LARGE_G` (None below it)."""
    if not g > LARGE_G:
        return None
    return (
        f"g = {g:.3g} for '{preparation}' is above {LARGE_G:g}: the slope is poorly "
        "determined, so the Fieller limits are wide and asymmetric"
    )


def fieller_limits(
    fl: FiellerResult, ms_err: float, preparation: str, warnings: list[str]
) -> tuple[FiellerResult, list[str]]:
    """A preparation's Fieller result as reported, and the reasons it has no limits.

    Without a residual variance there are no limits (and no g); with g ≥ 1 the interval
    is unbounded; a bounded interval with a large g adds its warning to ``warnings``.
    """
    if not ms_err > 0:
        fl = FiellerResult(fl.ratio, None, None, math.nan)
    if fl.bounded:
        if warning := large_g_warning(preparation, fl.g):
            warnings.append(warning)
        return fl, []
    if not ms_err > 0:
        return fl, ["no confidence limits without a residual variance"]
    return fl, [f"no confidence limits (g = {fl.g:.3g} ≥ 1)"]


def refuse_design_factors(data: DoseResponseData, model: str) -> None:
    """A located error when the data hold block, row or column columns that ``model``
    does not fit (it would analyse them as a completely randomised design)."""
    if data.design == "completely-randomised":
        return
    names = ("block",) if data.design == "randomised-block" else ("row", "column")
    present = [n for n in names if n in data.columns]
    raise data_error(
        data,
        f"the {model} model does not fit {' and '.join(repr(n) for n in names)} effects "
        f"({data.design} design)",
        1,
        data.columns.get(present[0], 0) if present else 0,
        hint="use the parallel-line or slope-ratio model, which fit them, or remove the "
        "column(s) to analyse the run as completely randomised",
    )


def data_error(
    data: DoseResponseData, message: str, row: int = 0, column: int = 0, hint: str | None = None
) -> DataFileError:
    """A located error in a dose-response data file (code DOS-S101)."""
    return DataFileError(
        Diagnostic(
            code="DOS-S101",
            severity=Severity.ERROR,
            message=message,
            location=Location(data.source, row, column),
            hint=hint,
        )
    )


def check_data(
    data: DoseResponseData, standard: str, *, log_dose: bool, min_doses: int = 2
) -> tuple[Observation, ...]:
    """Common checks: data present, standard present, enough doses, finite values."""
    obs = data.observations
    if not obs:
        raise data_error(data, "the data file has no observations")
    dose_col = data.columns.get("dose", 0)
    for o in obs:
        if not (math.isfinite(o.response) and math.isfinite(o.dose)):
            column = dose_col if not math.isfinite(o.dose) else data.columns.get("response", 0)
            raise data_error(data, "a dose or response is missing or not a number", o.row, column)
        if log_dose and o.dose <= 0:
            raise data_error(
                data,
                f"dose {o.dose:g} of '{o.preparation}' cannot be log-transformed",
                o.row,
                dose_col,
                hint="this model works on log dose: doses must be positive",
            )
        if not log_dose and o.dose < 0:
            raise data_error(data, f"dose {o.dose:g} is negative", o.row, dose_col)
    preps = data.preparations
    if standard not in preps:
        raise data_error(
            data,
            f"the standard '{standard}' is not among the preparations ({', '.join(preps)})",
            hint="give --standard with the name used in the 'preparation' column",
        )
    if len(preps) < 2:
        raise data_error(
            data,
            "at least one test preparation besides the standard is needed",
            obs[0].row,
            data.columns.get("preparation", 0),
        )
    for prep in preps:
        rows = [o for o in obs if o.preparation == prep]
        doses = {o.dose for o in rows}
        if len(doses) < min_doses:
            raise data_error(
                data,
                f"preparation '{prep}' has {len(doses)} dose level(s); at least {min_doses} needed",
                rows[0].row,
                dose_col,
            )
    return obs


def transform_responses(
    values: Sequence[float], transform: Transform, data: DoseResponseData
) -> np.ndarray:
    """Apply the response transform; impossible values are located errors."""
    import numpy as np

    y = np.asarray(values, dtype=float)
    if transform == "none":
        return y
    if transform in {"ln", "log10"} and np.any(y <= 0):
        bad = int(np.argmax(y <= 0))
        raise data_error(
            data,
            f"response {y[bad]:g} cannot be log-transformed",
            data.observations[bad].row,
            data.columns.get("response", 0),
        )
    if transform == "sqrt" and np.any(y < 0):
        bad = int(np.argmax(y < 0))
        raise data_error(
            data,
            f"response {y[bad]:g} has no square root",
            data.observations[bad].row,
            data.columns.get("response", 0),
        )
    functions = {"ln": np.log, "log10": np.log10, "sqrt": np.sqrt, "square": np.square}
    result: np.ndarray = functions[transform](y)
    return result
