"""Outliers of a potency run: screened always, removed only under the project's rule.

Every run's replicate responses are screened
(:func:`dossier.compute.potency.outliers.screen_outliers`) and what lies beyond the
limit is reported with the run. Without an outlier rule on the assay
(``quality.potency.assays[].outliers``) nothing is removed. With one, the attributable
outliers (:attr:`~dossier.compute.potency.outliers.ScreenedResponse.attributable`) are
removed before the run is analysed; a run with more of them than the rule's
``max_removed`` is invalid, analysed on all of its responses.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dossier.analysis.outlier_results import RunOutliers
from dossier.analysis.potency_results import RunReason

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.potency_results import RunResult
    from dossier.compute.potency.types import DoseResponseData
    from dossier.model.potency import AssayRun, PotencyAssay

__all__ = ["RunOutliers", "attach", "screen_run"]

DEFAULT_ALPHA = 0.05
"""The level of the screen of an assay that declares no rule (reported only)."""


def screen_run(
    assay: PotencyAssay, run: AssayRun, data: DoseResponseData
) -> tuple[RunOutliers, DoseResponseData]:
    """The screen of one run's data and the data to analyse (without the responses the
    assay's declared rule removes)."""
    from dossier.compute.potency.outliers import screen_outliers, without_rows

    rule = assay.outliers
    screen = screen_outliers(data, run.transform, alpha=rule.alpha if rule else DEFAULT_ALPHA)
    if rule is None:
        return RunOutliers(screen, declared=False), data
    found = screen.attributable
    if len(found) > rule.max_removed:
        return RunOutliers(screen, True, (), rule.max_removed, too_many=True), data
    outcome = RunOutliers(screen, True, found, rule.max_removed)
    if not found:
        return outcome, data
    return outcome, without_rows(data, {r.row for r in found})


def attach(result: RunResult, outliers: RunOutliers) -> RunResult:
    """The run result with its outlier screen; invalid when the rule says so."""
    reason = outliers.reason
    if reason is None:
        return replace(result, outliers=outliers)
    return replace(
        result, valid=False, reasons=(RunReason(reason), *result.reasons), outliers=outliers
    )
