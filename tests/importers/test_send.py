"""SEND import on the real CBER pilot study, checked with a second, independent reader.

The study (PHUSE phuse-scripts, FDA CBER SEND proof-of-concept pilot, MIT licence) is the
copy in examples/aav-systemic/data/send. Expected values are computed here from pandas'
own SAS XPORT reader (pandas.read_sas), not from dossier's pyreadstat-based reader.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from dossier.core.errors import DataFileError
from dossier.importers.send import check_consistency, read_send_package, study_record, summarise

STUDY = (
    Path(__file__).resolve().parents[2]
    / "examples/aav-systemic/data/send/CBER-POC-Pilot-Study3-Gene-Therapy"
)


def _pandas(domain: str) -> pd.DataFrame:
    frame = pd.read_sas(STUDY / f"{domain}.xpt", format="xport", encoding="latin-1")
    return frame


@pytest.fixture(scope="module")
def package():  # type: ignore[no-untyped-def]
    return read_send_package(STUDY)


def test_every_domain_reads_identically_with_two_readers(package) -> None:  # type: ignore[no-untyped-def]
    disagreements = []
    for domain, records in package.domains.items():
        other = _pandas(domain)
        assert len(records) == len(other), domain
        for column in other.columns:
            ours = [r.get(column) for r in records]
            theirs = other[column].tolist()
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                if isinstance(b, float) and b != b:
                    assert a is None, (domain, column)
                elif isinstance(b, float):
                    if a != b:  # exact comparison; disagreements are adjudicated below
                        disagreements.append((domain, column, i, a, b))
                else:
                    assert a == (b.strip() if isinstance(b, str) else b), (domain, column)
    # pandas decodes some IBM-float zeros as 16**-65 (5.4e-79): two LB results, six PC
    # results and six PC time-point numbers. Where a character result exists for the same
    # record (LBSTRESC "0.00", PCSTRESC "0"), it shows that dossier's 0.0 is the recorded value.
    assert len(disagreements) == 14
    assert {(d, c) for d, c, *_ in disagreements} == {
        ("lb", "LBSTRESN"),
        ("pc", "PCSTRESN"),
        ("pc", "PCTPTNUM"),
    }
    for domain, column, i, ours_value, theirs in disagreements:
        assert (ours_value, theirs) == (0.0, 16.0**-65)
        record = package.domains[domain][i]
        if column.endswith("STRESN"):
            assert float(record[column.replace("STRESN", "STRESC")]) == 0.0


def test_study_record(package) -> None:  # type: ignore[no-untyped-def]
    record = study_record(package)
    ts = dict(zip(_pandas("ts")["TSPARMCD"], _pandas("ts")["TSVAL"], strict=True))
    assert (record.species, record.strain, record.route) == (
        ts["SPECIES"],
        ts["STRAIN"],
        ts["ROUTE"],
    )
    assert (record.species, record.route) == ("MONKEY", "INTRAVENOUS")
    assert record.duration == (24.0, "weeks")  # TS SLENGTH = P24W
    assert record.glp == "not GLP"  # TS GLPFL = N, GLPTYP = NONE
    assert record.test_articles == ["Vector A", "Vector B"]
    groups = {g.set_code: g for g in record.groups}
    # TX: S1 and S2, TRTDOS "1 x 10E13", TRTDOSU "vg/kg"; DM: three males per arm
    assert {k: (g.dose, g.unit, g.animals) for k, g in groups.items()} == {
        "S1": (1e13, "vg/kg", {"male": 3, "female": 0}),
        "S2": (1e13, "vg/kg", {"male": 3, "female": 0}),
    }


def test_exposure_records_that_disagree_with_dm_are_warned_about(package) -> None:  # type: ignore[no-untyped-def]
    warnings = check_consistency(package)
    found = {(w.code, w.location.path[1] if w.location.path else "") for w in warnings}
    # in EX, VECTORSTUDYU1-P0402 has no record and P0403 has two (read off ex.xpt with pandas)
    ex = _pandas("ex")
    counts = ex["USUBJID"].value_counts()
    assert counts.get("VECTORSTUDYU1-P0403") == 2
    assert "VECTORSTUDYU1-P0402" not in counts
    assert ("DOS-N201", "VECTORSTUDYU1-P0402") in found
    assert ("DOS-N202", "VECTORSTUDYU1-P0403") in found
    assert ("DOS-N205", "10^13 vg/kg") in found
    assert all(w.severity.value == "warning" for w in warnings)


def test_summaries_equal_values_from_the_second_reader(package) -> None:  # type: ignore[no-untyped-def]
    summary = summarise(package)
    bw = _pandas("bw").dropna(subset=["BWSTRESN"])  # BW and TERMBW records
    dm = _pandas("dm")
    arm_of = dict(zip(dm["USUBJID"], dm["ARMCD"], strict=True))
    changes: dict[str, list[float]] = defaultdict(list)
    for subject, rows in bw.sort_values(["USUBJID", "BWDY", "BWSEQ"]).groupby("USUBJID"):
        changes[arm_of[subject]].append(float(rows["BWSTRESN"].iloc[-1] - rows["BWSTRESN"].iloc[0]))
    ours = {r["group"]: r["change_mean"] for r in summary.body_weight}
    assert ours["Group 1 - 1E13 vg/kg Vector A"] == sum(changes["A1"]) / len(changes["A1"])
    assert ours["Group 5 - 1E13 vg/kg Vector B"] == sum(changes["A2"]) / len(changes["A2"])
    mi = _pandas("mi")
    mi = mi[~mi["MISTRESC"].str.upper().isin(["NORMAL", "UNREMARKABLE", ""])]
    kidney = mi[(mi["MISPEC"] == "KIDNEY") & (mi["USUBJID"].map(arm_of) == "A1")]
    row = next(
        r
        for r in summary.microscopic
        if r["specimen"] == "KIDNEY" and r["group"].startswith("Group 1")
    )
    assert row["affected"] == kidney["USUBJID"].nunique()


def test_malformed_packages_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no SEND"):
        read_send_package(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(STUDY, broken)
    data = (broken / "lb.xpt").read_bytes()
    (broken / "lb.xpt").write_bytes(data[:1000])
    (broken / "dm.xpt").unlink()
    with pytest.raises(DataFileError) as info:
        read_send_package(broken)
    messages = [d.format_text() for d in info.value.diagnostics]
    assert any("lb.xpt" in m and "DOS-N101" in m for m in messages)
    assert any("DOS-N102" in m and "DM is missing" in m for m in messages)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "ts.xpt").write_text("this is not an XPORT file", "utf-8")
    (junk / "dm.xpt").write_bytes(b"\x00" * 400)
    with pytest.raises(DataFileError, match=r"cannot read ts\.xpt as SAS XPORT"):
        read_send_package(junk)


def test_truncated_domain_is_an_error_naming_the_record(tmp_path: Path) -> None:
    # Both readers silently return a short domain for a file cut inside the data; dossier
    # must refuse it. lb.xpt: observations start at byte 8,480 (after the OBS header),
    # 261 bytes each (the 55 namestr lengths), so byte 418,480 lies in record
    # (418,480 - 8,480) // 261 + 1 = 1,571; pandas reads the 1,570 complete ones.
    cut = tmp_path / "cut"
    shutil.copytree(STUDY, cut)
    data = (STUDY / "lb.xpt").read_bytes()
    (cut / "lb.xpt").write_bytes(data[:418_480])
    complete = len(pd.read_sas(cut / "lb.xpt", format="xport", encoding="latin-1"))
    assert complete == 1570
    with pytest.raises(DataFileError) as info:
        read_send_package(cut)
    (diag,) = info.value.diagnostics
    assert diag.code == "DOS-N105"
    assert diag.location.file.endswith("lb.xpt")
    assert diag.location.line == complete + 1
    assert "record 1,571" in diag.message
    # every record complete but the end-of-file padding cut: still an error
    (cut / "lb.xpt").write_bytes(data[:-10])
    with pytest.raises(DataFileError, match="truncated after record 3,174"):
        read_send_package(cut)
    # the intact files pass the same check
    assert len(read_send_package(STUDY).records("lb")) == 3174


def test_text_that_is_not_utf8_is_read_as_latin1_with_a_located_warning(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "latin1"
    shutil.copytree(STUDY, copy)
    raw = (copy / "ts.xpt").read_bytes()
    at = raw.index(b"Redacted Sponsor")
    (copy / "ts.xpt").write_bytes(raw[:at] + b"R\xe9dacted Sponsor" + raw[at + 16 :])
    package = read_send_package(copy)
    assert package.encodings["ts"] == "latin1"
    # the second reader, told the encoding, finds the same value in the same record
    frame = _pandas("ts")
    record = int(frame.index[frame["TSPARMCD"] == "SSPONSOR"][0]) + 1
    sponsor = next(r for r in package.records("ts") if r["TSPARMCD"] == "SSPONSOR")
    assert sponsor["TSVAL"] == "Rédacted Sponsor"
    (warning,) = [d for d in package.diagnostics if d.code == "DOS-N106"]
    assert warning.location.file.endswith("ts.xpt")
    assert warning.location.line == record
    assert "TSVAL" in warning.message


def test_cli_formats(tmp_path: Path) -> None:
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "dossier", "import", "send", str(STUDY), *a],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    text = run()
    assert text.returncode == 0
    assert "MONKEY" in text.stdout
    assert "DOS-N201" in text.stderr
    doc = json.loads(run("--format", "json").stdout)
    assert doc["study"]["species"] == "MONKEY"
    assert {d["code"] for d in doc["diagnostics"]} >= {"DOS-N201", "DOS-N202", "DOS-N205"}
    from ruamel.yaml import YAML

    block = YAML(typ="safe").load(run("--format", "yaml").stdout)
    assert block[0]["dose_levels"][0] == {
        "value": 1e13,
        "unit": "vg/kg",
        "label": "Group 1 - 1E13 vg/kg Vector A",
    }
    missing = subprocess.run(
        [sys.executable, "-m", "dossier", "import", "send", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
