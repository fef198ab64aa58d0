"""The study record of a SEND package, and checks that domains agree with each other.

The record is what a project file's ``nonclinical.studies`` entry needs: title,
species, strain, route, dose groups with values and units, animals per sex and group,
duration, GLP statement, sponsor reference, test articles. The checks never fix
anything: each disagreement becomes a located warning naming the subject and domain.

Codes: ``DOS-N201`` subject without exposure record, ``DOS-N202`` duplicate exposure
record, ``DOS-N203`` exposure for a subject not in DM, ``DOS-N204`` findings for a
subject not in DM, ``DOS-N205`` dose units that disagree between EX and TX,
``DOS-N206`` a test reported in more than one unit.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from dossier.core.diagnostics import Diagnostic, Severity
from dossier.importers.send.reader import SendPackage

__all__ = ["DoseGroup", "StudyRecord", "check_consistency", "study_record"]

_POWER = re.compile(r"^\s*([\d.]+)\s*[x×*]\s*10\s*[Ee^]?\s*([-+]?\d+)\s*$")
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)([YMWD]))$")
_DURATION_UNITS = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}


def parse_dose(text: str | float | None) -> float | None:
    """ "1 x 10E13", "1e13", 5 → a float (None when absent or unreadable)."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    text = str(text)
    match = _POWER.match(text)
    if match:
        return float(match.group(1)) * 10.0 ** int(match.group(2))
    try:
        return float(text)
    except ValueError:
        return None


def parse_duration(text: str | None) -> tuple[float, str] | None:
    """ISO 8601 durations such as "P24W" → (24, "weeks")."""
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if not match:
        return None
    return float(match.group(1)), _DURATION_UNITS[match.group(2)]


@dataclass
class DoseGroup:
    """One trial set (dose group) of the study."""

    set_code: str
    arm_code: str | None
    label: str
    dose: float | None
    unit: str | None
    control: bool
    animals: dict[str, int] = field(default_factory=dict)


@dataclass
class StudyRecord:
    """What the project file needs about the study."""

    study_id: str
    title: str | None
    species: str | None
    strain: str | None
    route: str | None
    duration: tuple[float, str] | None
    glp: str
    sponsor_reference: str | None
    study_type: str | None
    test_articles: list[str]
    groups: list[DoseGroup]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _ts(package: SendPackage) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in package.records("ts"):
        code = row.get("TSPARMCD")
        if code and code not in out and row.get("TSVAL") is not None:
            out[str(code)] = str(row["TSVAL"])
    return out


def study_record(package: SendPackage) -> StudyRecord:
    """The study record from TS, TX and DM."""
    ts = _ts(package)
    sets: dict[str, dict[str, str]] = defaultdict(dict)
    for row in package.records("tx"):
        sets[str(row.get("SETCD"))][str(row.get("TXPARMCD"))] = str(row.get("TXVAL") or "")
    dm = package.records("dm")
    groups = []
    for set_code, params in sets.items():
        arm = params.get("ARMCD")
        members = [
            r
            for r in dm
            if (r.get("SETCD") == set_code)
            or (not r.get("SETCD") and arm and r.get("ARMCD") == arm)
        ]
        counts = Counter(str(r.get("SEX") or "U") for r in members)
        control = params.get("TCNTRL", "").strip().lower() not in {"", "none"}
        groups.append(
            DoseGroup(
                set_code=set_code,
                arm_code=arm,
                label=params.get("GRPLBL") or params.get("SETLBL") or set_code,
                dose=parse_dose(params.get("TRTDOS")),
                unit=params.get("TRTDOSU") or None,
                control=control,
                animals={"male": counts.get("M", 0), "female": counts.get("F", 0)},
            )
        )
    glp_flag = ts.get("GLPFL", "").upper()
    glp = ts.get("GLPTYP") or (
        "GLP" if glp_flag == "Y" else "not GLP" if glp_flag == "N" else "not stated"
    )
    if glp_flag == "N" and glp.upper() == "NONE":
        glp = "not GLP"
    studyid = next((str(r.get("STUDYID")) for r in dm if r.get("STUDYID")), ts.get("STUDYID", ""))
    return StudyRecord(
        study_id=studyid,
        title=ts.get("STITLE"),
        species=ts.get("SPECIES"),
        strain=ts.get("STRAIN"),
        route=ts.get("ROUTE"),
        duration=parse_duration(ts.get("SLENGTH") or ts.get("DOSDUR")),
        glp=glp,
        sponsor_reference=ts.get("SPREFID") or studyid or None,
        study_type=ts.get("SSTYP"),
        test_articles=sorted({str(r.get("EXTRT")) for r in package.records("ex") if r.get("EXTRT")})
        or ([ts["TRT"]] if "TRT" in ts else []),
        groups=groups,
    )


def _warn(
    package: SendPackage, code: str, message: str, domain: str, record: int, subject: str
) -> Diagnostic:
    return Diagnostic(
        code, Severity.WARNING, message, package.location(domain, record, "USUBJID", subject)
    )


def check_consistency(package: SendPackage) -> list[Diagnostic]:
    """Disagreements between domains, as located warnings (nothing is changed)."""
    out: list[Diagnostic] = []
    dm_subjects = {str(r.get("USUBJID")): i for i, r in enumerate(package.records("dm"), start=1)}
    ex = package.records("ex")
    exposed: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(ex, start=1):
        subject = str(row.get("USUBJID"))
        exposed[subject].append(i)
        if subject not in dm_subjects:
            out.append(
                _warn(
                    package,
                    "DOS-N203",
                    f"EX has an exposure record for {subject}, who is not in DM",
                    "ex",
                    i,
                    subject,
                )
            )
    if "ex" in package.files:
        for subject, record in dm_subjects.items():
            if subject not in exposed:
                out.append(
                    _warn(
                        package,
                        "DOS-N201",
                        f"subject {subject} (DM) has no exposure record in EX",
                        "dm",
                        record,
                        subject,
                    )
                )
        seen: dict[tuple[str, str, str], int] = {}
        for i, row in enumerate(ex, start=1):
            key = (str(row.get("USUBJID")), str(row.get("EXTRT")), str(row.get("EXSTDTC")))
            if key in seen:
                out.append(
                    _warn(
                        package,
                        "DOS-N202",
                        f"subject {key[0]} has a second exposure record for {key[1]} on "
                        f"{key[2]} (first: record {seen[key]})",
                        "ex",
                        i,
                        key[0],
                    )
                )
            else:
                seen[key] = i
    tx_units = {
        str(r.get("TXVAL"))
        for r in package.records("tx")
        if r.get("TXPARMCD") == "TRTDOSU" and r.get("TXVAL")
    }
    ex_units: dict[str, int] = {}
    for i, row in enumerate(ex, start=1):
        unit = row.get("EXDOSU")
        if unit and str(unit) not in ex_units:
            ex_units[str(unit)] = i
    for unit, record in ex_units.items():
        if tx_units and unit not in tx_units:
            out.append(
                Diagnostic(
                    "DOS-N205",
                    Severity.WARNING,
                    f"EX reports doses in '{unit}' but TX gives the dose unit as "
                    + ", ".join(repr(u) for u in sorted(tx_units)),
                    package.location("ex", record, "EXDOSU", unit),
                )
            )
    for domain in ("bw", "lb", "mi", "ma", "cl"):
        reported: set[str] = set()
        for i, row in enumerate(package.records(domain), start=1):
            subject = str(row.get("USUBJID"))
            if (
                subject
                and subject != "None"
                and subject not in dm_subjects
                and subject not in reported
            ):
                reported.add(subject)
                out.append(
                    _warn(
                        package,
                        "DOS-N204",
                        f"{domain.upper()} has findings for {subject}, who is not in DM",
                        domain,
                        i,
                        subject,
                    )
                )
    units: dict[str, set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    for i, row in enumerate(package.records("lb"), start=1):
        test, unit = row.get("LBTESTCD"), row.get("LBSTRESU")
        if test and unit:
            units[str(test)].add(str(unit))
            first.setdefault(str(test), i)
    for test, found in sorted(units.items()):
        if len(found) > 1:
            out.append(
                Diagnostic(
                    "DOS-N206",
                    Severity.WARNING,
                    f"LB test {test} is reported in several units: {', '.join(sorted(found))}",
                    package.location("lb", first[test], "LBTESTCD", test),
                )
            )
    return out
