"""The timing of a CBG scientific-advice meeting, computed once.

The CBG asks for the meeting documentation, with the list of attendees, at least three
weeks before the meeting, and proposes a meeting date six weeks to three months after it
accepts the request; since 1 July 2025 a request is processed only after a timeslot was
requested in its planning tool. From the project's dates this module derives the date by
which the documents are due and whether the briefing document meets it, and whether the
meeting date can follow the timeslot request. The day counts come from
``analysis/data/nl-route.yaml`` (``cbg_advice``), with their source.

The rules read the result as ``computed.advice``; they decide nothing again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from dossier.analysis.netherlands import route_data
from dossier.analysis.verdicts import Verdict
from dossier.model.project import Project

__all__ = ["CbgTiming", "compute_advice"]

DocumentsBasis = Literal["documents_sent", "document_date"]


@dataclass(frozen=True)
class CbgTiming:
    """The dates of a CBG advice meeting and the verdicts on them.

    ``documents_in_time``: MET when the documents are dated on or before ``documents_due``
    (the meeting date minus the CBG's lead time), NOT_MET when later, NOT_ASSESSED without
    a meeting date. ``meeting_after_timeslot``: MET when the meeting is at least the CBG's
    scheduling time after the timeslot request, NOT_ASSESSED without either date."""

    meeting: dt.date | None
    lead_days: int
    documents_due: dt.date | None
    documents_date: dt.date
    documents_basis: DocumentsBasis
    """Where ``documents_date`` comes from: scientific_advice.documents_sent, or the
    document date of the project when no sending date is given."""
    documents_in_time: Verdict
    timeslot: dt.date | None
    earliest_meeting: dt.date | None
    """The timeslot request plus the CBG's shortest scheduling time."""
    meeting_after_timeslot: Verdict

    def rule_data(self) -> dict[str, Any]:
        """Plain data for rules (dates as ISO text)."""

        def iso(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "meeting": iso(self.meeting),
            "lead_days": self.lead_days,
            "documents_due": iso(self.documents_due),
            "documents_date": iso(self.documents_date),
            "documents_basis": self.documents_basis,
            "documents_in_time": self.documents_in_time.met,
            "timeslot": iso(self.timeslot),
            "earliest_meeting": iso(self.earliest_meeting),
            "meeting_after_timeslot": self.meeting_after_timeslot.met,
        }


def documents_due(meeting: dt.date, lead_days: int) -> dt.date:
    """The last day on which the documents for a meeting on ``meeting`` may be sent."""
    return meeting - dt.timedelta(days=lead_days)


def compute_advice(project: Project) -> CbgTiming | None:
    """The timing of a CBG advice meeting (None for written advice or another agency)."""
    advice = project.scientific_advice
    if advice is None or advice.agency != "CBG" or advice.format != "meeting":
        return None
    data = route_data().cbg_advice
    lead = data.documents_before_meeting_days
    meeting = advice.meeting_date
    basis: DocumentsBasis = "documents_sent"
    sent = advice.documents_sent
    if sent is None:
        sent, basis = project.project.document.date, "document_date"
    due = documents_due(meeting, lead) if meeting is not None else None
    in_time = Verdict.NOT_ASSESSED if due is None else Verdict.of(sent <= due)
    timeslot = advice.timeslot_requested
    earliest = (
        timeslot + dt.timedelta(days=data.meeting_after_acceptance_days)
        if timeslot is not None
        else None
    )
    after = (
        Verdict.NOT_ASSESSED
        if earliest is None or meeting is None
        else Verdict.of(meeting >= earliest)
    )
    return CbgTiming(meeting, lead, due, sent, basis, in_time, timeslot, earliest, after)
