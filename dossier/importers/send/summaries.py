"""Summary tables of a SEND study for the documents.

- Body weight: first and last weight per animal (terminal weights included, ordered by
  study day); per group and sex n, mean first, mean last, mean change and its SD.
- Laboratory: per test and group, the mean of baseline values (LBBLFL = Y, else the
  first value) and of the last value; a change is *notable* when the group mean moves by
  at least ``threshold_percent`` (default 50 %) from baseline, or from the control group
  when there is one. The threshold is printed with the table.
- Microscopic (MI) and macroscopic (MA) findings: per group, specimen and finding the
  incidence (animals affected / animals examined for that specimen) and the severity
  grades seen. "NORMAL" and "UNREMARKABLE" results are not findings.
- Clinical signs (CL): incidence per group.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from dossier.importers.send.reader import SendPackage

__all__ = ["SendSummary", "summarise"]

NORMAL = {"NORMAL", "UNREMARKABLE", "NO ABNORMALITIES DETECTED", "WITHIN NORMAL LIMITS", ""}


@dataclass
class SendSummary:
    """All summary tables, as rows of plain values."""

    body_weight: list[dict[str, Any]] = field(default_factory=list)
    laboratory: list[dict[str, Any]] = field(default_factory=list)
    microscopic: list[dict[str, Any]] = field(default_factory=list)
    macroscopic: list[dict[str, Any]] = field(default_factory=list)
    clinical_signs: list[dict[str, Any]] = field(default_factory=list)
    threshold_percent: float = 50.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _groups(package: SendPackage) -> dict[str, str]:
    """Subject → group label (TX group label of the subject's set or arm)."""
    labels: dict[str, str] = {}
    set_label: dict[str, str] = {}
    arm_label: dict[str, str] = {}
    params: dict[str, dict[str, str]] = defaultdict(dict)
    for row in package.records("tx"):
        params[str(row.get("SETCD"))][str(row.get("TXPARMCD"))] = str(row.get("TXVAL") or "")
    for set_code, p in params.items():
        label = p.get("GRPLBL") or p.get("SETLBL") or set_code
        set_label[set_code] = label
        if p.get("ARMCD"):
            arm_label[p["ARMCD"]] = label
    for row in package.records("dm"):
        subject = str(row.get("USUBJID"))
        labels[subject] = (
            set_label.get(str(row.get("SETCD")), "")
            or arm_label.get(str(row.get("ARMCD")), "")
            or str(row.get("ARMCD") or "unassigned")
        )
    return labels


def _mean_sd(values: list[float]) -> tuple[float, float | None]:
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def _order(row: dict[str, Any], prefix: str) -> tuple[float, float]:
    day = row.get(f"{prefix}DY")
    seq = row.get(f"{prefix}SEQ")
    return (
        float(day) if isinstance(day, (int, float)) else math.inf,
        float(seq) if isinstance(seq, (int, float)) else 0.0,
    )


def _body_weight(
    package: SendPackage, groups: dict[str, str], sexes: dict[str, str]
) -> list[dict[str, Any]]:
    per_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in package.records("bw"):
        # body weights and the terminal body weight (TERMBW), ordered by study day
        if isinstance(row.get("BWSTRESN"), (int, float)) and row.get("BWTESTCD") in (
            None,
            "BW",
            "TERMBW",
        ):
            per_subject[str(row["USUBJID"])].append(row)
    cells: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    unit = ""
    for subject, rows in per_subject.items():
        rows.sort(key=lambda r: _order(r, "BW"))
        first, last = float(rows[0]["BWSTRESN"]), float(rows[-1]["BWSTRESN"])
        unit = str(rows[0].get("BWSTRESU") or unit)
        cells[(groups.get(subject, "unassigned"), sexes.get(subject, "U"))].append((first, last))
    out = []
    for (group, sex), pairs in sorted(cells.items()):
        first_mean, _ = _mean_sd([p[0] for p in pairs])
        last_mean, _ = _mean_sd([p[1] for p in pairs])
        change_mean, change_sd = _mean_sd([p[1] - p[0] for p in pairs])
        out.append(
            {
                "group": group,
                "sex": sex,
                "n": len(pairs),
                "first_mean": first_mean,
                "last_mean": last_mean,
                "change_mean": change_mean,
                "change_sd": change_sd,
                "unit": unit,
            }
        )
    return out


def _laboratory(
    package: SendPackage, groups: dict[str, str], threshold: float
) -> list[dict[str, Any]]:
    per: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in package.records("lb"):
        if isinstance(row.get("LBSTRESN"), (int, float)) and row.get("LBTESTCD"):
            per[(str(row["USUBJID"]), str(row["LBTESTCD"]))].append(row)
    base: dict[tuple[str, str], list[float]] = defaultdict(list)
    last: dict[tuple[str, str], list[float]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for (subject, test), rows in per.items():
        rows.sort(key=lambda r: _order(r, "LB"))
        baseline = [r for r in rows if r.get("LBBLFL") == "Y"] or rows[:1]
        group = groups.get(subject, "unassigned")
        base[(group, test)].append(float(baseline[-1]["LBSTRESN"]))
        last[(group, test)].append(float(rows[-1]["LBSTRESN"]))
        names[test] = (str(rows[0].get("LBTEST") or test), str(rows[0].get("LBSTRESU") or ""))
    out = []
    for key in sorted(base):
        group, test = key
        b, _ = _mean_sd(base[key])
        e, _ = _mean_sd(last[key])
        change = 100 * (e - b) / abs(b) if b else math.inf if e else 0.0
        out.append(
            {
                "group": group,
                "test": test,
                "name": names[test][0],
                "unit": names[test][1],
                "n": len(base[key]),
                "baseline_mean": b,
                "last_mean": e,
                "change_percent": change,
                "notable": abs(change) >= threshold,
            }
        )
    return out


def _findings(package: SendPackage, domain: str, groups: dict[str, str]) -> list[dict[str, Any]]:
    prefix = domain.upper()
    examined: dict[tuple[str, str], set[str]] = defaultdict(set)
    affected: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    severities: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for row in package.records(domain):
        subject = str(row.get("USUBJID"))
        specimen = str(row.get(f"{prefix}SPEC") or row.get(f"{prefix}LOC") or "unspecified")
        group = groups.get(subject, "unassigned")
        examined[(group, specimen)].add(subject)
        result = str(row.get(f"{prefix}STRESC") or row.get(f"{prefix}ORRES") or "").upper()
        if result in NORMAL or row.get(f"{prefix}STAT") == "NOT DONE":
            continue
        key = (group, specimen, result)
        affected[key].add(subject)
        severity = row.get(f"{prefix}SEV")
        if severity:
            severities[key][str(severity)] += 1
    out = []
    for key in sorted(affected):
        group, specimen, finding = key
        out.append(
            {
                "group": group,
                "specimen": specimen,
                "finding": finding.lower(),
                "affected": len(affected[key]),
                "examined": len(examined[(group, specimen)]),
                "severity": dict(sorted(severities[key].items())),
            }
        )
    return out


def _clinical_signs(package: SendPackage, groups: dict[str, str]) -> list[dict[str, Any]]:
    subjects_per_group: dict[str, set[str]] = defaultdict(set)
    for subject, group in groups.items():
        subjects_per_group[group].add(subject)
    affected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in package.records("cl"):
        result = str(row.get("CLSTRESC") or row.get("CLORRES") or "").upper()
        if result in NORMAL:
            continue
        subject = str(row.get("USUBJID"))
        affected[(groups.get(subject, "unassigned"), result.lower())].add(subject)
    return [
        {
            "group": g,
            "sign": sign,
            "affected": len(subjects),
            "animals": len(subjects_per_group.get(g, set())),
        }
        for (g, sign), subjects in sorted(affected.items())
    ]


def summarise(package: SendPackage, *, threshold_percent: float = 50.0) -> SendSummary:
    """All summary tables of the package."""
    groups = _groups(package)
    sexes = {str(r.get("USUBJID")): str(r.get("SEX") or "U") for r in package.records("dm")}
    return SendSummary(
        body_weight=_body_weight(package, groups, sexes),
        laboratory=_laboratory(package, groups, threshold_percent),
        microscopic=_findings(package, "mi", groups),
        macroscopic=_findings(package, "ma", groups),
        clinical_signs=_clinical_signs(package, groups),
        threshold_percent=threshold_percent,
    )
