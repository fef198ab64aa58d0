"""Outlier screening of replicate responses in one run of a potency assay.

Method: externally studentized residuals of the replicate-group model with a Bonferroni
limit (the regression outlier test of Cook and Weisberg, *Residuals and Influence in
Regression*, 1982, section 2.2; R: ``rstudent`` of ``lm`` with ``car::outlierTest``).

- The model: one mean per replicate group (preparation × dose), plus the block effects of
  a randomised-block design, or the row and column effects of a Latin square, fitted by
  least squares to the responses on the analysis scale (after the run's transform). It
  assumes nothing about the shape of the dose-response curve, so it screens the data of
  every potency model alike, before any curve is fitted.
- Each response's externally studentized residual is
  ``t_i = e_i / (s_(i) · √(1 − h_i))``, with ``e_i`` its residual, ``h_i`` its leverage
  and ``s_(i)`` the residual standard deviation of the fit without it:
  ``s_(i)² = (SSE − e_i² / (1 − h_i)) / (df − 1)``. Without an outlier it follows
  Student's t on ``df − 1`` degrees of freedom (``df`` the residual df of the fit).
- The limit is two-sided at the family-wise level ``alpha`` (default 0.05) over the ``m``
  responses screened (Bonferroni): ``|t_i| > t(1 − alpha / (2m), df − 1)``.
- A response alone in its group (leverage 1) cannot be screened; a screen needs at least
  2 residual df.
- A flagged response in a group of two is not attributable: both responses of a pair have
  the same ``|t|``, so the data cannot say which one is outlying. It is reported, and never
  removed. Responses of groups of three or more are attributable.

Every run is screened and its outliers reported; the project decides whether they are
removed (:class:`dossier.model.potency.OutlierRule`), never this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dossier.compute.memo import memoized
from dossier.compute.potency._prepare import transform_responses
from dossier.compute.potency.types import DoseResponseData, Transform

__all__ = [
    "METHOD",
    "OutlierScreen",
    "Residuals",
    "ScreenedResponse",
    "screen_outliers",
    "studentized_residuals",
    "without_rows",
]

METHOD = (
    "externally studentized residuals of the replicate-group model (one mean per "
    "preparation and dose, plus the design's block, row and column effects), two-sided "
    "Bonferroni limit over the responses screened"
)
"""The method in words, as reports print it."""

# leverage this close to 1: the response is alone in its group (residual 0 by construction)
_ALONE = 1e-9
# residual sum of squares this small relative to the responses' own: no residual variance
_ZERO_SSE = 1e-20


@dataclass(frozen=True, slots=True)
class ScreenedResponse:
    """One response beyond the limit: where it is, its residual and why it is flagged."""

    row: int
    """1-based data row in the source file."""
    preparation: str
    dose: float
    response: float
    """As in the file (untransformed)."""
    residual: float
    """On the analysis scale (after the run's transform)."""
    studentized: float
    """Externally studentized residual."""
    p_bonferroni: float
    """Two-sided p value times the number of responses screened (at most 1)."""
    group_size: int
    """Responses of its preparation at its dose."""

    @property
    def attributable(self) -> bool:
        """True when the data show that this response, and not its partner, is outlying."""
        return self.group_size >= 3

    def text(self, limit: float) -> str:
        """E.g. "row 14 (T at dose 4, response 97.2): studentized residual 6.1, |t| > 4.3
        (Bonferroni p = 0.002)"."""
        where = (
            f"row {self.row} ({self.preparation} at dose {self.dose:g}, response {self.response:g})"
        )
        found = (
            f"{where}: studentized residual {self.studentized:.3g}, |t| > {limit:.3g} "
            f"(Bonferroni p = {self.p_bonferroni:.2g})"
        )
        if self.attributable:
            return found
        return f"{found}; one of a pair of replicates, so not attributable to this response"


@dataclass(frozen=True, slots=True)
class OutlierScreen:
    """The outcome of screening one run: the limit and the responses beyond it.

    ``limit`` and ``df`` are None when the run could not be screened, with ``note``
    saying why (no replicates, too few residual df, no residual variance).
    """

    alpha: float
    limit: float | None
    df: int | None
    """Degrees of freedom of the t distribution the limit comes from (residual df − 1)."""
    screened: int
    """Responses screened (those sharing their group with another response)."""
    flagged: tuple[ScreenedResponse, ...]
    note: str = ""
    method: str = METHOD

    @property
    def attributable(self) -> tuple[ScreenedResponse, ...]:
        """The flagged responses that a declared rule may remove."""
        return tuple(r for r in self.flagged if r.attributable)

    @property
    def text(self) -> str:
        """The screen in one line: the limit and what is beyond it."""
        if self.limit is None:
            return f"outliers not screened: {self.note}"
        head = (
            f"{self.screened} responses screened, limit |t| > {self.limit:.3g} "
            f"(alpha {self.alpha:g}, {self.df} df)"
        )
        if not self.flagged:
            return f"{head}: none beyond it"
        return f"{head}: " + "; ".join(r.text(self.limit) for r in self.flagged)


def _factors(data: DoseResponseData) -> list[list[str]]:
    """The design factors besides the replicate group, one label per observation."""
    obs = data.observations
    if data.design == "latin-square":
        return [[o.latin_row or "" for o in obs], [o.latin_column or "" for o in obs]]
    if data.design == "randomised-block":
        return [[o.block or "" for o in obs]]
    return []


@dataclass(frozen=True, slots=True)
class Residuals:
    """Every response's externally studentized residual (None where it cannot be
    computed: alone in its group), with the fit's residual df and the group sizes."""

    studentized: tuple[float | None, ...]
    residuals: tuple[float, ...]
    df: int
    group_sizes: tuple[int, ...]
    note: str = ""
    """Why no residual could be studentized ("" when they could)."""


def studentized_residuals(data: DoseResponseData, transform: Transform = "none") -> Residuals:
    """The externally studentized residuals of the replicate-group model, in data order."""
    import numpy as np

    obs = data.observations
    n = len(obs)
    y = transform_responses([o.response for o in obs], transform, data)
    groups: dict[tuple[str, float], list[int]] = {}
    for i, o in enumerate(obs):
        groups.setdefault((o.preparation, o.dose), []).append(i)
    columns = []
    for members in groups.values():
        col = np.zeros(n)
        col[members] = 1.0
        columns.append(col)
    for labels in _factors(data):
        for level in sorted(set(labels))[1:]:
            columns.append(np.array([1.0 if lab == level else 0.0 for lab in labels]))
    x = np.column_stack(columns) if columns else np.zeros((n, 0))
    # leverages and residuals from the thin SVD (rank-safe for any design)
    u, sing, _ = np.linalg.svd(x, full_matrices=False)
    rank = int(np.sum(sing > sing.max() * max(x.shape) * np.finfo(float).eps)) if n else 0
    u = u[:, :rank]
    hat = np.sum(u**2, axis=1)
    resid = y - u @ (u.T @ y)
    df = n - rank
    sizes = [0] * n
    for members in groups.values():
        for i in members:
            sizes[i] = len(members)
    alone = [bool(hat[i] >= 1 - _ALONE) for i in range(n)]
    studentized: list[float | None] = [None] * n
    sse = float(resid @ resid)
    scale = float(np.sum((y - y.mean()) ** 2)) or float(np.sum(y**2)) or 1.0
    note = ""
    if all(alone):
        note = "no replicate responses (each preparation and dose has one)"
    elif df < 2:
        note = f"{df} residual df; studentized residuals need at least 2"
    elif sse <= _ZERO_SSE * scale:
        note = "the replicates agree exactly (no residual variance)"
    else:
        for i in range(n):
            if alone[i]:
                continue
            deleted = (sse - resid[i] ** 2 / (1 - hat[i])) / (df - 1)
            if deleted <= _ZERO_SSE * scale / (df - 1):
                studentized[i] = math.copysign(math.inf, resid[i])
            else:
                studentized[i] = float(resid[i] / math.sqrt(deleted * (1 - hat[i])))
    return Residuals(
        tuple(studentized),
        tuple(float(r) for r in resid),
        df,
        tuple(sizes),
        note,
    )


@memoized
def screen_outliers(
    data: DoseResponseData, transform: Transform = "none", *, alpha: float = 0.05
) -> OutlierScreen:
    """Screen the responses of one run for outliers (see the module docstring).

    The responses are transformed as the run's analysis transforms them; a response
    that cannot be is a located error (:class:`~dossier.core.errors.DataFileError`)."""
    from scipy.special import stdtr, stdtrit

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha:g}")
    fit = studentized_residuals(data, transform)
    screened = [i for i, t in enumerate(fit.studentized) if t is not None]
    if fit.note:
        return OutlierScreen(alpha, None, None, 0, (), fit.note)
    m = len(screened)
    t_df = fit.df - 1
    limit = float(stdtrit(t_df, 1 - alpha / (2 * m)))
    flagged = []
    for i in screened:
        t = fit.studentized[i]
        assert t is not None
        if abs(t) > limit:
            p = min(1.0, 2 * m * float(stdtr(t_df, -abs(t)))) if math.isfinite(t) else 0.0
            o = data.observations[i]
            flagged.append(
                ScreenedResponse(
                    o.row,
                    o.preparation,
                    o.dose,
                    o.response,
                    fit.residuals[i],
                    t,
                    p,
                    fit.group_sizes[i],
                )
            )
    return OutlierScreen(alpha, limit, t_df, m, tuple(flagged))


def without_rows(data: DoseResponseData, rows: set[int]) -> DoseResponseData:
    """The run's data without the observations of the given source rows."""
    kept = tuple(o for o in data.observations if o.row not in rows)
    return DoseResponseData(kept, data.source, dict(data.columns))
