"""The procedural rules of the Dutch route, on edited copies of the examples.

- CBG timing: the documents for an advice meeting are due on the meeting date minus 21
  days (CBG, 'Types of scientific advice': at least 3 weeks before the meeting). The
  expected dates below were counted on a calendar, not with the code under test.
- The timeslot request, and the meeting date it allows.
- GCP statements: ICH E6(R3), the GCP guidelines for ATMPs, traceability for 30 years.
- Questions to the CBG on the IMPD or Part I get a note that CCMO decides them.
- The VOV route is never suggested for a product outside its conditions, and a dosing
  date before the GMO permit is due is a finding.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.advice import compute_advice, documents_due
from dossier.analysis.netherlands import route_data
from dossier.analysis.project import compute_project
from dossier.analysis.verdicts import Verdict
from dossier.core.errors import UserError
from dossier.model.project_io import load_project
from dossier.rules.check import builtin_rules, check_project
from tests.drafts.test_truthful_potency import copy as _copy

ROOT = Path(__file__).resolve().parents[2]


def _findings(folder: Path) -> dict[str, list[Any]]:
    """The findings of every rule on the project, by rule code."""
    loaded = load_project(folder)
    result = check_project(loaded, compute_project(loaded, send=False).rule_data())
    found: dict[str, list[Any]] = {}
    for finding in result.findings:
        found.setdefault(finding.code, []).append(finding)
    assert "DOS-C900" not in found, found.get("DOS-C900")
    return found


def _advice(d: dict[str, Any]) -> Any:
    return d["scientific_advice"]


# --- CBG timing: the date arithmetic --------------------------------------------------------


def test_the_lead_time_is_21_days_from_its_source() -> None:
    data = route_data().cbg_advice
    assert data.documents_before_meeting_days == 21
    assert data.confidence == "verified"
    assert "Types of scientific advice" in data.quote_location


@pytest.mark.parametrize(
    ("meeting", "due"),
    [
        (dt.date(2026, 12, 10), dt.date(2026, 11, 19)),  # the car-t-nl meeting
        (dt.date(2027, 1, 5), dt.date(2026, 12, 15)),  # across the turn of the year
        (dt.date(2028, 3, 10), dt.date(2028, 2, 18)),  # across 29 February 2028
        (dt.date(2027, 3, 10), dt.date(2027, 2, 17)),  # February 2027 has 28 days
    ],
)
def test_documents_are_due_three_weeks_before_the_meeting(meeting: dt.date, due: dt.date) -> None:
    assert documents_due(meeting, 21) == due


@pytest.mark.parametrize(
    ("sent", "verdict"),
    [
        (dt.date(2026, 11, 18), Verdict.MET),
        (dt.date(2026, 11, 19), Verdict.MET),  # exactly 21 days before: in time
        (dt.date(2026, 11, 20), Verdict.NOT_MET),  # 20 days before: late
    ],
)
def test_the_boundary_of_the_three_weeks(tmp_path: Path, sent: dt.date, verdict: Verdict) -> None:
    folder = _copy(tmp_path, "car-t-nl", lambda d: _advice(d).update(documents_sent=sent))
    timing = compute_advice(load_project(folder).project)
    assert timing is not None
    assert timing.meeting == dt.date(2026, 12, 10)
    assert timing.documents_due == dt.date(2026, 11, 19)
    assert timing.documents_basis == "documents_sent"
    assert timing.documents_in_time is verdict
    found = _findings(folder)
    assert bool(found.get("SAQ-013")) is (verdict is Verdict.NOT_MET)


def test_without_a_sending_date_the_document_date_counts(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        _advice(d).pop("documents_sent")
        d["project"]["document"]["date"] = dt.date(2026, 11, 25)

    folder = _copy(tmp_path, "car-t-nl", edit)
    timing = compute_advice(load_project(folder).project)
    assert timing is not None
    assert timing.documents_basis == "document_date"
    assert timing.documents_date == dt.date(2026, 11, 25)
    assert timing.documents_in_time is Verdict.NOT_MET
    (finding,) = _findings(folder)["SAQ-013"]
    assert finding.severity == "error"
    assert "2026-11-25" in finding.message
    assert "2026-11-19" in finding.message


def test_no_meeting_date_no_verdict_and_written_advice_has_no_timing(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "car-t-nl", lambda d: _advice(d).pop("meeting_date"))
    timing = compute_advice(load_project(folder).project)
    assert timing is not None
    assert timing.documents_due is None
    assert timing.documents_in_time is Verdict.NOT_ASSESSED
    assert "SAQ-013" not in _findings(folder)
    assert compute_advice(load_project(ROOT / "examples" / "aav-systemic").project) is None


# --- the timeslot -----------------------------------------------------------------------------


def test_a_meeting_sooner_than_six_weeks_after_the_timeslot_is_a_finding(tmp_path: Path) -> None:
    # 2026-10-29 + 42 days = 2026-12-10, the meeting date: just possible
    folder = _copy(
        tmp_path, "car-t-nl", lambda d: _advice(d).update(timeslot_requested=dt.date(2026, 10, 29))
    )
    timing = compute_advice(load_project(folder).project)
    assert timing is not None
    assert timing.earliest_meeting == dt.date(2026, 12, 10)
    assert timing.meeting_after_timeslot is Verdict.MET
    assert "SAQ-015" not in _findings(folder)
    late = _copy(
        tmp_path / "late",
        "car-t-nl",
        lambda d: _advice(d).update(timeslot_requested=dt.date(2026, 10, 30)),
    )
    assert len(_findings(late)["SAQ-015"]) == 1


def test_no_timeslot_request_is_a_warning(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "car-t-nl", lambda d: _advice(d).pop("timeslot_requested"))
    (finding,) = _findings(folder)["SAQ-014"]
    assert finding.severity == "warning"


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda d: _advice(d).update(agency="EMA", procedure="SA", format="written"),
            "planning tool",
        ),
        (
            lambda d: _advice(d).update(timeslot_requested=dt.date(2026, 12, 10)),
            "not before the meeting date",
        ),
        (lambda d: _advice(d).update(format="written"), "documents_sent"),
    ],
)
def test_cbg_dates_that_cannot_hold_are_located_errors(
    tmp_path: Path, edit: Any, words: str
) -> None:
    folder = _copy(tmp_path, "car-t-nl", edit)
    with pytest.raises(UserError) as caught:
        load_project(folder)
    (diagnostic,) = caught.value.diagnostics
    assert words in diagnostic.message
    assert diagnostic.location is not None
    assert diagnostic.location.line > 0


# --- good clinical practice and traceability ---------------------------------------------


def test_the_examples_confirm_gcp_and_traceability() -> None:
    for example in ("car-t-nl", "aav-systemic"):
        found = _findings(ROOT / "examples" / example)
        for code in ("NLD-018", "NLD-019", "NLD-020", "NLD-021", "SAQ-014"):
            assert code not in found, (example, found[code])


def test_without_gcp_statements_each_is_asked_for(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "car-t-nl", lambda d: d["netherlands"].pop("gcp"))
    found = _findings(folder)
    for code in ("NLD-018", "NLD-019", "NLD-020"):
        assert len(found[code]) == 1, code
    # without a system there is no retention to judge
    assert "NLD-021" not in found


@pytest.mark.parametrize(("years", "fires"), [(29, True), (30, False), (40, False)])
def test_traceability_is_kept_30_years(tmp_path: Path, years: int, fires: bool) -> None:
    folder = _copy(
        tmp_path,
        "car-t-nl",
        lambda d: d["netherlands"]["gcp"].update(traceability_years=years),
    )
    found = _findings(folder)
    assert bool(found.get("NLD-021")) is fires
    if fires:
        assert "29 years" in found["NLD-021"][0].message
        assert "30 years" in found["NLD-021"][0].message


def test_traceability_years_are_configured_with_their_source() -> None:
    data = route_data().traceability
    assert data.retention_years == 30
    assert data.confidence == "known"
    assert "1394/2007" in data.source
    assert "7140" in data.source


# --- questions to the CBG on Part I --------------------------------------------------------


def test_a_question_on_the_impd_gets_the_ccmo_note(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        q7 = next(q for q in _advice(d)["questions"] if q["id"] == "Q7")
        q7["position"] = "The IMPD presents the active substance and finished product together."

    (finding,) = _findings(_copy(tmp_path, "car-t-nl", edit))["SAQ-016"]
    assert finding.severity == "info"
    assert "Q7" in finding.message
    assert "CCMO" in finding.message
    # the example's position says that CCMO decides: no note; Q1 to Q6 are not on Part I
    assert "SAQ-016" not in _findings(ROOT / "examples" / "car-t-nl")


# --- the done-when statements of the VOV route and the permit dates -------------------------


def test_car_t_with_residual_infectious_particles_is_not_offered_vov(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        permit = d["netherlands"]["gmo_permit"]
        permit["procedure"] = "regular"
        permit.pop("vov_category")
        permit["environment"]["residual_infectious_vector"]["status"] = "present"

    found = _findings(_copy(tmp_path, "car-t-nl", edit))
    assert "NLD-005" not in found  # the VOV route is not suggested
    # the same project without residual particles is pointed to VOV
    clean = _copy(
        tmp_path / "clean",
        "car-t-nl",
        lambda d: (
            d["netherlands"]["gmo_permit"].update(procedure="regular"),
            d["netherlands"]["gmo_permit"].pop("vov_category"),
        ),
    )
    assert len(_findings(clean)["NLD-005"]) == 1


def test_in_vivo_lentiviral_vector_is_not_offered_vov(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["product"]["cell_origin"] = "none"
        d["netherlands"]["gmo_permit"]["procedure"] = "VOV"

    found = _findings(_copy(tmp_path, "car-t-nl", edit))
    assert "NLD-005" not in found
    (chosen,) = found["NLD-015"]  # choosing VOV for it is a finding
    assert "in vivo" in chosen.message


def test_dosing_before_the_permit_is_due_is_a_finding(tmp_path: Path) -> None:
    # VOV: at most 56 days from 1 June 2027 is 27 July 2027, after the dosing of 5 July
    folder = _copy(
        tmp_path,
        "car-t-nl",
        lambda d: d["netherlands"]["gmo_permit"].update(application_date=dt.date(2027, 6, 1)),
    )
    (finding,) = _findings(folder)["NLD-013"]
    assert finding.severity == "warning"
    assert "2027-07-27" in finding.message
    assert "NLD-013" not in _findings(ROOT / "examples" / "car-t-nl")


def test_the_vov_conditions_are_cited_to_the_regeling() -> None:
    # Staatsblad 2020, 409 amends the Besluit ggo; the fixed VOV conditions are in the
    # Regeling ggo as amended by Staatscourant 2020, 63350 (rule-audit, NLD-004)
    rules = {r.id: r for r in builtin_rules()}
    for rule_id in ("NLD-004", "NLD-005", "NLD-015"):
        document = rules[rule_id].citation.document
        assert "Regeling ggo" in document, rule_id
        assert "Stcrt. 2020, 63350" in document, rule_id
        assert "409" not in document, rule_id
    assert "Stcrt. 2020, 63350" in route_data().vov.source
    assert "Stcrt. 2020, 63350" in route_data().gmo_procedures.source
