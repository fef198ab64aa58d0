"""The Dutch route computed once: dossier-map statuses, CCMO timelines, GMO permit, VOV."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from dossier.analysis.netherlands import compute_netherlands, route_data
from dossier.analysis.verdicts import Verdict
from dossier.model.project_io import load_project
from tests.drafts.test_truthful_potency import copy as _project

ROOT = Path(__file__).resolve().parents[2]


def _nl(folder: Path) -> Any:
    computed, diagnostics = compute_netherlands(load_project(folder))
    assert computed is not None
    return computed, diagnostics


def test_every_item_has_a_source_and_a_confidence_and_verified_ones_say_where() -> None:
    data = route_data()
    ids = [i.id for i in data.items]
    assert len(ids) == len(set(ids))
    annex = {i.annex for i in data.items if i.annex}
    assert annex == set("BCDEFGHIJKLMNOPQR")  # every section of CTR Annex I after A
    for item in data.items:
        assert item.source
        assert item.confidence
        if item.confidence == "verified":
            assert item.quote_location, item.id


def test_car_t_statuses_from_the_declared_files(tmp_path: Path) -> None:
    folder = _project(tmp_path, "car-t-nl")
    computed, diagnostics = _nl(folder)
    status = {i.spec.id: i.status for i in computed.items}
    assert status["I-PROTOCOL"] == "present"
    assert status["I-IB"] == "unconfirmed"
    assert status["I-AXMP"] == "not_applicable"
    assert status["I-IMPD-Q"] == "generated"
    assert status["II-VGO"] == "missing"
    assert status["NL-GMO-PERMIT"] == "generated"
    assert not diagnostics
    # the protocol edited after its confirmation is out of date; a declared file that is
    # not there is missing
    (folder / "ctis" / "protocol-lum-cd19-v0.4.txt").write_text("changed\n", "utf-8")
    (folder / "ctis" / "investigators-brochure-v0.2.txt").unlink()
    computed, _ = _nl(folder)
    status = {i.spec.id: i for i in computed.items}
    assert status["I-PROTOCOL"].status == "out_of_date"
    assert status["I-PROTOCOL"].sha256 == hashlib.sha256(b"changed\n").hexdigest()
    assert status["I-IB"].status == "missing"


def test_an_unknown_item_is_a_located_warning(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "ipsc-local",
        lambda d: d["netherlands"].update(
            documents=[{"item": "NL-GMO-PERMIT", "not_applicable": "not a GMO"}]
        ),
    )
    computed, diagnostics = _nl(folder)
    assert [d.code for d in diagnostics] == ["DOS-A040"]
    assert diagnostics[0].location.line > 0
    assert "GMO" in diagnostics[0].message
    assert all(not i.spec.gmo_only for i in computed.items)


def test_staggered_timelines_and_the_dosing_verdicts(tmp_path: Path) -> None:
    computed, _ = _nl(_project(tmp_path, "car-t-nl"))
    ctr = computed.ctr
    # Part I 11 Jan 2027, Part II 1 Mar 2027: Part II decides (10 + 45 + 5 days)
    assert ctr.earliest == dt.date(2027, 3, 1) + dt.timedelta(days=60)
    # with the ATMP extension Part I (10 + 126) ends after Part II (10 + 76)
    assert ctr.latest == dt.date(2027, 1, 11) + dt.timedelta(days=141)
    assert computed.dosing.after_earliest_decision is Verdict.MET
    assert computed.dosing.after_latest_decision is Verdict.MET
    # VOV: 56 days from the application of 14 December 2026
    assert computed.gmo.permit.due == dt.date(2027, 2, 8)
    assert computed.dosing.after_permit is Verdict.MET


def test_a_full_submission_decides_with_part_i(tmp_path: Path) -> None:
    def full(d: dict[str, Any]) -> None:
        d["netherlands"]["ctr"]["staggered_submission"] = False
        del d["netherlands"]["ctr"]["planned_part_ii_submission"]

    computed, _ = _nl(_project(tmp_path, "car-t-nl", full))
    start = dt.date(2027, 1, 11)
    assert [s.decision for s in computed.ctr.scenarios] == [
        start + dt.timedelta(days=10 + 45 + 5),
        start + dt.timedelta(days=10 + 76 + 5),
        start + dt.timedelta(days=10 + 126 + 5),
    ]


def test_dosing_before_the_permit_is_due_is_not_met(tmp_path: Path) -> None:
    def late(d: dict[str, Any]) -> None:
        d["netherlands"]["gmo_permit"]["application_date"] = dt.date(2027, 6, 1)

    computed, _ = _nl(_project(tmp_path, "car-t-nl", late))
    assert computed.gmo.permit.due == dt.date(2027, 7, 27)
    assert computed.dosing.after_permit is Verdict.NOT_MET


def _environment(d: dict[str, Any]) -> Any:
    return d["netherlands"]["gmo_permit"]["environment"]


@pytest.mark.parametrize(
    ("edit", "verdict", "reason"),
    [
        (None, Verdict.MET, "no residual infectious vector particles"),
        (
            lambda d: _environment(d)["residual_infectious_vector"].update(status="present"),
            Verdict.NOT_MET,
            "residual infectious vector particles remain",
        ),
        (
            lambda d: _environment(d)["replication_competence"].update(result="detected"),
            Verdict.NOT_MET,
            "replication-competent virus was detected",
        ),
        (
            lambda d: _environment(d).pop("residual_infectious_vector"),
            Verdict.NOT_ASSESSED,
            "not yet shown",
        ),
        (
            lambda d: d["product"].update(cell_origin="none"),
            Verdict.NOT_MET,
            "given in vivo",
        ),
    ],
)
def test_vov_eligibility_of_modified_cells(
    tmp_path: Path, edit: Any, verdict: Verdict, reason: str
) -> None:
    computed, _ = _nl(_project(tmp_path, "car-t-nl", edit))
    vov = computed.gmo.vov
    assert vov.eligible is verdict
    assert any(reason in r for r in vov.reasons), vov.reasons


def test_aav_is_a_vov_category_and_its_risks_are_estimated(tmp_path: Path) -> None:
    computed, _ = _nl(_project(tmp_path, "aav-systemic"))
    gmo = computed.gmo
    assert gmo.form == "aav"
    assert gmo.vov.eligible is Verdict.MET
    assert gmo.vov.category == "AAV vectors"
    table = route_data().risk_matrix.table
    for row in gmo.risks:
        assert row.risk == table[row.consequence][row.likelihood]
    assert gmo.overall_risk == "low"
    assert gmo.groups_without_route == []
    assert "S-TOX-NHP" in gmo.distribution_studies


def test_ipsc_has_no_gmo_part(tmp_path: Path) -> None:
    computed, _ = _nl(_project(tmp_path, "ipsc-local"))
    assert computed.gmo is None
    assert computed.dosing.after_permit is Verdict.NOT_ASSESSED
    assert "NL-GMO-PERMIT" not in {i.spec.id for i in computed.items}
