"""Smoke test of the performance benchmark at ×1: it runs and reports every metric.

Times are not judged here (they depend on the machine); only that each metric is a
number, or null with the reason why it could not be measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.generate import counts_for, describe, generate
from benchmarks.report import METRICS

pytestmark = pytest.mark.slow


def test_benchmark_at_scale_1_reports_every_metric(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert (
        main(
            ["--scale", "1", "--repeat", "1", "--json", str(out), "--workdir", str(tmp_path / "w")]
        )
        == 0
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["scale"] == 1
    for key in ("cpu", "cores", "python"):
        assert result["machine"][key]
    for key in METRICS:
        value = result[key]
        if value is None:
            assert result["notes"][key], f"{key} is null without a reason"
        else:
            assert isinstance(value, int | float), key
            assert value >= 0, key
    for key in (
        "validate_cold_s",
        "build_cold_s",
        "check_cold_s",
        "peak_rss_mb",
        "fits_1000_4pl_s",
    ):
        assert isinstance(result[key], float), key
    assert set(result["within_budget"]) == set(result["budgets"])
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| metric | value | budget | within budget |" in table


def test_scaled_project_has_the_target_counts_and_validates(tmp_path: Path) -> None:
    import subprocess

    project = generate(10, tmp_path)
    counts = counts_for(10)
    assert counts is not None
    found = describe(project)
    assert found["batches"] == counts.batches
    assert found["studies"] == counts.studies
    assert found["assays"] == counts.assays
    assert found["questions"] == counts.questions
    assert abs(found["validation_rows"] - counts.validation_rows) <= 0.05 * counts.validation_rows
    done = subprocess.run(
        [sys.executable, "-m", "dossier", "validate", str(project), "--strict"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
