"""No batch vanishes, and the declared reportable value is applied.

Single-fact edits of a copy of the systemic AAV example, whose batch B-GMP-01 is computed
from two runs (R-ENZ-01, R-ENZ-02) of the parallel-line assay A-ENZ: a run made
non-parallel, both runs made non-parallel, a declaration of three runs, a declared
geometric mean, a batch result removed. Each edit must change the typed batch result and
raise its diagnostic.
"""

from __future__ import annotations

import csv
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject, Verdict
from dossier.compute.potency.combine import Condition, Method
from dossier.model.project_io import LoadedProject, load_project

AAV = Path(__file__).resolve().parents[2] / "examples" / "aav-systemic"
ASSAY = "A-ENZ"
BATCH = "B-GMP-01"


def edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """A copy of the AAV example with ``edit`` applied to its project data."""
    folder = tmp_path / "aav"
    shutil.copytree(AAV, folder, ignore=shutil.ignore_patterns("out"))
    if edit is not None:
        yaml = YAML()
        path = folder / "dossier.yaml"
        data = yaml.load(path.read_text("utf-8"))
        edit(data)
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(data, fh)
    return folder


def assay_of(data: dict[str, Any]) -> dict[str, Any]:
    """The A-ENZ assay in the project data."""
    return next(a for a in data["quality"]["potency"]["assays"] if a["id"] == ASSAY)


def make_non_parallel(folder: Path, run_file: str) -> None:
    """Turn the test preparation's responses of one run file into a steeper line, so the
    run fails the non-parallelism test."""
    path = folder / "data" / "potency" / run_file
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["preparation"] != "REF":
            row["response"] = f"{float(row['response']) * float(row['dose']) ** 0.6:.4f}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def computed(folder: Path) -> tuple[LoadedProject, ComputedProject]:
    loaded = load_project(folder)
    return loaded, compute_project(loaded, send=False)


def codes(result: ComputedProject) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_the_example_applies_its_declaration(tmp_path: Path) -> None:
    _, result = computed(edited(tmp_path))
    batch = result.assays[ASSAY].batches[BATCH]
    assert batch.runs == ("R-ENZ-01", "R-ENZ-02")
    assert batch.excluded == ()
    assert (batch.runs_declared, batch.runs_counted) == (2, 2)
    assert not batch.short_of_runs
    assert batch.combination is not None
    assert batch.combination.requested == "auto"
    # the example declares the runs independent: the condition is met, not "not declared"
    assert batch.combination.precondition(Condition.INDEPENDENT).met is True
    assert batch.combination.method is Method.WEIGHTED
    assert not {"DOS-A011", "DOS-A012", "DOS-A013", "DOS-A014"} & set(codes(result))


def test_an_invalid_run_is_left_out_and_listed(tmp_path: Path) -> None:
    folder = edited(tmp_path)
    make_non_parallel(folder, "enzyme_activity_r2.csv")
    loaded, result = computed(folder)
    assay = result.assays[ASSAY]
    run = assay.runs["R-ENZ-02"]
    assert run is not None
    assert not run.valid
    batch = assay.batches[BATCH]
    # reported from the valid run: its own estimate on the reportable scale
    assert batch.runs == ("R-ENZ-01",)
    valid = assay.runs["R-ENZ-01"]
    assert valid is not None
    prep = next(r for r in valid.analysis.results if r.preparation == BATCH)
    assert prep.potency is not None
    assert batch.value == pytest.approx(prep.potency * 100)
    assert batch.verdict is Verdict.MET
    (left_out,) = batch.excluded
    assert left_out.run_id == "R-ENZ-02"
    assert left_out.text.startswith("run R-ENZ-02 invalid: significant non-parallelism")
    # one valid run of the two declared
    assert batch.short_of_runs
    assert batch.runs_text == "1 of the 2 runs the reportable value requires"
    found = {d.code: d for d in result.diagnostics}
    assert "R-ENZ-02 invalid" in found["DOS-A012"].message
    assert found["DOS-A012"].location.yaml_path == "quality.potency.assays[0].batch_results[0].runs"
    assert "1 of the 2 runs" in found["DOS-A014"].message
    data = result.rule_data()["assays"][ASSAY]["batches"][BATCH]
    assert data["excluded_runs"] == [left_out.text]
    assert data["short_of_runs"] is True
    assert data["passes"] is True
    assert loaded.project.quality.potency is not None


def test_a_batch_without_a_valid_run_keeps_its_place_and_reason(tmp_path: Path) -> None:
    folder = edited(tmp_path)
    make_non_parallel(folder, "enzyme_activity_r1.csv")
    make_non_parallel(folder, "enzyme_activity_r2.csv")
    _, result = computed(folder)
    batches = result.assays[ASSAY].batches
    assert list(batches) == [BATCH, "B-TOX-01"]
    batch = batches[BATCH]
    assert batch.value is None
    assert batch.verdict is Verdict.NOT_ASSESSED
    assert batch.runs == ()
    assert [e.run_id for e in batch.excluded] == ["R-ENZ-01", "R-ENZ-02"]
    assert batch.note.startswith("no valid run: run R-ENZ-01 invalid: significant non-parallelism")
    assert "; run R-ENZ-02 invalid: " in batch.note
    assert not batch.short_of_runs  # no value, nothing to mark
    (diagnostic,) = [d for d in result.diagnostics if d.code == "DOS-A011"]
    assert diagnostic.severity.value == "warning"
    assert f"'{BATCH}'" in diagnostic.message
    assert "no valid run" in diagnostic.message
    data = result.rule_data()["assays"][ASSAY]["batches"][BATCH]
    assert data["value"] is None
    assert data["passes"] is None


def test_fewer_runs_than_declared_is_a_finding(tmp_path: Path) -> None:
    def three_runs(data: dict[str, Any]) -> None:
        assay_of(data)["reportable"]["runs"] = 3

    _, result = computed(edited(tmp_path, three_runs))
    batches = result.assays[ASSAY].batches
    assert batches[BATCH].short_of_runs
    assert (batches[BATCH].runs_counted, batches[BATCH].runs_declared) == (2, 3)
    # the entered result says it rests on two runs (n_runs: 2)
    assert batches["B-TOX-01"].short_of_runs
    short = [d for d in result.diagnostics if d.code == "DOS-A014"]
    assert [d.location.yaml_path for d in short] == [
        "quality.potency.assays[0].batch_results[0].runs",
        "quality.potency.assays[0].batch_results[1].n_runs",
    ]
    assert "rests on 2 of the 3 runs the reportable value requires" in short[0].message


def test_a_declared_geometric_mean_is_the_unweighted_combination(tmp_path: Path) -> None:
    def geometric(data: dict[str, Any]) -> None:
        assay_of(data)["reportable"] = {"combination": "geometric-mean", "runs": 2}

    _, declared = computed(edited(tmp_path, geometric))
    assay = declared.assays[ASSAY]
    estimates = []
    for run_id in ("R-ENZ-01", "R-ENZ-02"):
        run = assay.runs[run_id]
        assert run is not None
        prep = next(r for r in run.analysis.results if r.preparation == BATCH)
        assert prep.potency is not None
        estimates.append(prep.potency * 100)
    geometric_mean = math.exp(sum(math.log(e) for e in estimates) / len(estimates))
    batch = assay.batches[BATCH]
    assert batch.value == pytest.approx(geometric_mean, rel=1e-12)
    assert batch.combination is not None
    assert batch.combination.method is Method.UNWEIGHTED
    assert batch.combination.requested == "unweighted"
    # not declared independent here: the condition is unknown, never assumed
    assert batch.combination.precondition(Condition.INDEPENDENT).met is None
    # the example's own Ph. Eur. 5.3 declaration weights the runs: another value
    _, automatic = computed(edited(tmp_path / "auto"))
    weighted = automatic.assays[ASSAY].batches[BATCH]
    assert weighted.combination is not None
    assert weighted.combination.method is Method.WEIGHTED
    assert weighted.value != pytest.approx(geometric_mean, rel=1e-6)


def test_a_dosed_batch_without_a_result_of_a_release_assay_is_kept(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        results = assay_of(data)["batch_results"]
        results[:] = [r for r in results if r["batch"] != "B-TOX-01"]

    _, result = computed(edited(tmp_path, drop))
    batch = result.assays[ASSAY].batches["B-TOX-01"]
    assert batch.missing
    assert batch.value is None
    assert batch.verdict is Verdict.NOT_ASSESSED
    (diagnostic,) = [d for d in result.diagnostics if d.code == "DOS-A013"]
    assert "'B-TOX-01' (toxicology)" in diagnostic.message
    assert diagnostic.location.yaml_path == "quality.potency.assays[0].batch_results"
    # a batch made only for characterisation is not asked for
    assert "B-RES-01" not in result.assays[ASSAY].batches
    assert result.rule_data()["assays"][ASSAY]["batches"]["B-TOX-01"]["missing"] is True


@pytest.mark.parametrize(
    ("declaration", "error"),
    [
        ({"combination": "geometric-mean"}, "give 'runs'"),
        ({"combination": "single-run", "runs": 3}, "runs: 1"),
        ({"combination": "median", "runs": 3}, "'median' is not allowed"),
    ],
)
def test_a_reportable_declaration_is_checked(
    tmp_path: Path, declaration: dict[str, Any], error: str
) -> None:
    from dossier.core.errors import UserError

    def declare(data: dict[str, Any]) -> None:
        assay_of(data)["reportable"] = declaration

    with pytest.raises(UserError) as caught:
        load_project(edited(tmp_path, declare))
    messages = " ".join(d.message for d in caught.value.diagnostics)
    assert error in messages
