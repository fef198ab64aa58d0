"""Validation results of a project: unbalanced precision data, precision confidence
intervals, and the mean recovery judged on its confidence interval (USP <1033>).

Expected values: the accuracy interval is the t formula written out below on the example's
data; the precision numbers come from tests/reference/r/precision.R and precision_ci.R
(R 4.2.2, lme4 1.1-31), quoted from their outputs.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from scipy.stats import t

from dossier.analysis.results import ComputedProject, Verdict
from dossier.model.project_io import LoadedProject, load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASSAY = "A-CYTOX"


def _project(folder: Path, edit: Any) -> tuple[LoadedProject, ComputedProject]:
    """The CAR-T example copied to ``folder`` with ``edit(assay, folder)`` applied."""
    from dossier.analysis.project import compute_project

    shutil.copytree(EXAMPLES / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML()
    path = folder / "dossier.yaml"
    data = yaml.load(path.read_text("utf-8"))
    assay = next(a for a in data["quality"]["potency"]["assays"] if a["id"] == ASSAY)
    edit(assay, folder)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    loaded = load_project(folder)
    return loaded, compute_project(loaded, send=False)


def _recoveries() -> list[float]:
    path = EXAMPLES / "car-t-nl" / "data" / "validation" / "cytotox_accuracy.csv"
    with path.open(encoding="utf-8") as fh:
        return [100 * float(r["measured"]) / float(r["nominal"]) for r in csv.DictReader(fh)]


def _criterion(result: ComputedProject, name: str) -> Any:
    return next(c for c in result.assays[ASSAY].validation.criteria if c.name == name)


def _draft_rows(loaded: LoadedProject, result: ComputedProject) -> dict[str, list[str]]:
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text

    outline = load_outline(find_outline("impd-quality"))
    text = to_text(compose(outline, UnitContext(loaded.project, result)))
    return {
        cells[1]: cells
        for line in text.splitlines()
        if (cells := line.split(" | "))[0] == "Relative potency by CD19-specific cytotoxicity"
        and len(cells) == 5
    }


def test_mean_recovery_judged_on_its_90_percent_interval(tmp_path: Path) -> None:
    # the 90 % t-interval of the mean recovery, written out: mean ± t(0.95, n − 1) s / √n
    rec = _recoveries()
    n = len(rec)
    mean = sum(rec) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rec) / (n - 1))
    half = t.ppf(0.95, n - 1) * sd / math.sqrt(n)
    low, high = mean - half, mean + half  # 98.88–102.69 %
    assert low < 99 < mean

    def tighten(by: str) -> Any:
        def edit(assay: dict[str, Any], _folder: Path) -> None:
            assay["validation_criteria"]["recovery_percent"] = [99, 125]
            assay["validation_criteria"]["recovery_judged_by"] = by

        return edit

    loaded, result = _project(tmp_path / "ci", tighten("confidence-interval"))
    recovery = _criterion(result, "mean recovery")
    assert recovery.verdict is Verdict.NOT_MET
    assert recovery.judged_by == "confidence interval"
    assert recovery.interval_confidence == 0.90
    assert recovery.value == pytest.approx(mean, rel=1e-12)
    assert (recovery.interval_lower, recovery.interval_upper) == pytest.approx(
        (low, high), rel=1e-12
    )
    assert recovery.criterion == "mean recovery 90 % CI within 99–125 %"
    assert recovery.reason == "mean recovery 90 % CI 98.9–103 % not within 99–125 %"
    assert result.assays[ASSAY].validation.failures == (
        "accuracy: mean recovery 90 % CI 98.9–103 % not within 99–125 %",
    )
    data = result.rule_data()["assays"][ASSAY]["validation"]
    row = next(r for r in data if r["name"] == "mean recovery")
    assert (row["judged_by"], row["met"]) == ("confidence interval", False)
    rows = _draft_rows(loaded, result)
    assert rows["accuracy"][3] == "mean recovery 90 % CI within 99–125 %"
    assert rows["accuracy"][4] == "no"
    # the same limits on the point estimate are met
    _, point = _project(tmp_path / "point", tighten("point-estimate"))
    recovery = _criterion(point, "mean recovery")
    assert recovery.verdict is Verdict.MET
    assert recovery.judged_by == "point estimate"
    assert recovery.criterion == "mean recovery 99–125 %"


def test_unbalanced_precision_data_give_reml_components_and_intervals(tmp_path: Path) -> None:
    def drop_last_value(_assay: dict[str, Any], folder: Path) -> None:
        path = folder / "data" / "validation" / "cytotox_precision.csv"
        lines = path.read_text("utf-8").splitlines()
        path.write_text("\n".join(lines[:-1]) + "\n", "utf-8")

    loaded, result = _project(tmp_path / "unbalanced", drop_last_value)
    precision = next(
        c
        for c in result.assays[ASSAY].validation.characteristics
        if c.characteristic == "precision"
    )
    assert precision.error is None
    # precision_ci.out (tests/data/validation/precision_unbalanced.csv is this file):
    # REML da 0.00152216308039 day 0.0101022155772 Residual 0.00129905080685
    total = 0.00152216308039 + 0.0101022155772 + 0.00129905080685
    intermediate = _criterion(result, "intermediate precision")
    assert intermediate.value == pytest.approx(100 * math.expm1(math.sqrt(total)), rel=1e-6)
    repeatability = _criterion(result, "repeatability")
    assert repeatability.value == pytest.approx(
        100 * math.expm1(math.sqrt(0.00129905080685)), rel=1e-7
    )
    # the intervals in the summary: repeatability chi-square 95 % CI of the SD
    # 0.0266190185957–0.0557706112335 (15 df), intermediate precision Satterthwaite
    # 0.0679265310112–0.320849634807 (4.06 df), shown as GCV %
    gcv = [f"{100 * math.expm1(x):.3g}" for x in (0.0266190185957, 0.0557706112335)]
    assert f"(95 % CI {gcv[0]}–{gcv[1]} %, chi-square, 15 df)" in precision.summary
    gcv = [f"{100 * math.expm1(x):.3g}" for x in (0.0679265310112, 0.320849634807)]
    assert f"(95 % CI {gcv[0]}–{gcv[1]} %, Satterthwaite, 4.06 df)" in precision.summary
    assert _draft_rows(loaded, result)["precision"][2] == precision.summary
