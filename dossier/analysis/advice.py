"""Dates of a scientific-advice request that follow from the agency's procedure.

CBG national advice with a meeting: the briefing document and the list of attendees are
sent at least three weeks before the meeting (CBG "Types of scientific advice", as
summarised in ``regulatory-brief.md`` section 7.3, verified there).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from dossier.model.regulatory import ScientificAdvice

__all__ = ["CBG_DOCUMENTS_BEFORE_MEETING", "documents_due"]

CBG_DOCUMENTS_BEFORE_MEETING = dt.timedelta(weeks=3)


def documents_due(sa: ScientificAdvice) -> dt.date | None:
    """The last day to send the documents of a CBG meeting; None for written advice, for
    EMA (whose timetable starts from the submission) or while no meeting date is set."""
    if sa.agency != "CBG" or sa.format != "meeting" or sa.meeting_date is None:
        return None
    return sa.meeting_date - CBG_DOCUMENTS_BEFORE_MEETING
