"""The typed outcome of a run's outlier screen (:mod:`dossier.analysis.outliers`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.compute.potency.outliers import OutlierScreen, ScreenedResponse

__all__ = ["RunOutliers"]


@dataclass(frozen=True, slots=True)
class RunOutliers:
    """The outlier screen of one run and what the project's rule did with it.

    ``declared``: the assay declares an outlier rule; ``removed``: the responses it
    removed before the analysis; ``too_many``: more attributable outliers than the rule
    allows (the run is then invalid and nothing is removed).
    """

    screen: OutlierScreen
    declared: bool
    removed: tuple[ScreenedResponse, ...] = ()
    max_removed: int | None = None
    too_many: bool = False

    @property
    def reason(self) -> str | None:
        """Why the rule makes the run invalid (None when it does not)."""
        if not self.too_many:
            return None
        n = len(self.screen.attributable)
        return (
            f"{n} outlying responses, more than the {self.max_removed} the declared outlier "
            "rule allows to remove"
        )

    @property
    def action(self) -> str:
        """What was done with the flagged responses, and why."""
        if not self.screen.flagged:
            return "nothing to remove"
        if not self.declared:
            return "reported only: the assay declares no outlier rule, so none is removed"
        if self.too_many:
            return f"none removed: {self.reason}"
        kept = len(self.screen.flagged) - len(self.removed)
        done = (
            "removed by the declared outlier rule: "
            + ", ".join(f"row {r.row}" for r in self.removed)
            if self.removed
            else "none removed"
        )
        if kept:
            done += f"; {kept} kept, not attributable to one response of a pair"
        return done

    @property
    def summary(self) -> str:
        """The flagged responses in short, e.g. "row 40 flagged (|t| = 4.12 > 3.62), kept:
        no outlier rule declared" ("" when none is flagged)."""
        if not self.screen.flagged or self.screen.limit is None:
            return ""
        removed = {r.row for r in self.removed}
        parts = []
        for r in self.screen.flagged:
            if r.row in removed:
                fate = "removed by the declared outlier rule"
            elif not self.declared:
                fate = "kept: no outlier rule declared"
            elif self.too_many:
                fate = f"kept: more outliers than the {self.max_removed} the rule allows"
            else:
                fate = "kept: one of a pair of replicates"
            parts.append(
                f"row {r.row} flagged (|t| = {abs(r.studentized):.3g} > "
                f"{self.screen.limit:.3g}), {fate}"
            )
        return "; ".join(parts)

    @property
    def text(self) -> str:
        """The screen and the action in one line."""
        return f"{self.screen.text}; {self.action}" if self.screen.flagged else self.screen.text

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules."""
        return {
            "screened": self.screen.screened,
            "limit": self.screen.limit,
            "flagged_rows": [r.row for r in self.screen.flagged],
            "removed_rows": [r.row for r in self.removed],
            "declared": self.declared,
            "too_many": self.too_many,
            "text": self.text,
        }
