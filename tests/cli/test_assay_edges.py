"""`dossier assay potency` at its edges: --assumed checked as usage, JSON that always
parses (a number that cannot be computed is null, with the reasons), warnings for a large
g, and warnings of the data files that reach the project's diagnostics."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import dossier
from dossier.compute.potency import models as potency_models

from .conftest import EXAMPLE, ROOT, invoke

CORPUS = sorted(
    path
    for folder in (ROOT / "tests" / "data", ROOT / "examples")
    for path in folder.rglob("*.csv")
    if path.read_text("utf-8").split("\n", 1)[0].startswith("preparation,dose,response")
)


def _write(tmp_path: Path, name: str, rows: list[tuple[str, float, float]]) -> Path:
    path = tmp_path / name
    lines = ["preparation,dose,response"] + [f"{p},{d!r},{r!r}" for p, d, r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _edge_files(tmp_path: Path) -> list[Path]:
    """Data sets that give numbers that cannot be computed: no replication (no residual
    df), identical replicates (zero residual variance), flat responses, blanks."""
    doses = (1.0, 2.0, 4.0, 8.0)
    single = [
        (p, d, 10 + 5 * i + (0.3 if p == "T" else 0)) for p in "ST" for i, d in enumerate(doses)
    ]
    exact = [row for row in single for _ in range(2)]
    flat = [(p, d, 7.0) for p in "ST" for d in doses for _ in range(2)]
    blanks = [(p, d, 3 + d + 0.1 * k) for p in "ST" for d in (0.0, *doses) for k in range(2)]
    return [
        _write(tmp_path, "single.csv", single),
        _write(tmp_path, "exact.csv", exact),
        _write(tmp_path, "flat.csv", flat),
        _write(tmp_path, "blanks.csv", blanks),
    ]


def test_the_corpus_has_the_example_runs() -> None:
    assert len(CORPUS) >= 6


@pytest.mark.parametrize("model", potency_models.cli_names())
def test_json_parses_for_every_data_set(model: str, tmp_path: Path) -> None:
    for path in [*CORPUS, *_edge_files(tmp_path)]:
        standard = path.read_text("utf-8").split("\n")[1].split(",")[0]
        result = invoke(
            "assay", "potency", path, "--model", model, "--standard", standard, "--format", "json"
        )
        # 0: analysed (valid or not); 1: a located data error (e.g. a zero dose on a log scale)
        assert result.exit_code in (0, 1), (path, result.stderr)
        doc = json.loads(result.stdout)
        if result.exit_code == 0:
            for item in doc["results"]:
                if item["ci_lower"] is None:
                    assert item["reasons"] or doc["reasons"], (path, item)


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "x", ""])
def test_an_assumed_potency_that_is_no_potency_is_a_usage_error(value: str) -> None:
    path = CORPUS[0]
    standard = path.read_text("utf-8").split("\n")[1].split(",")[0]
    result = invoke(
        "assay", "potency", path, "--model", "4pl", "--standard", standard,
        "--assumed", f"T={value}",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--assumed" in result.stderr


def test_an_assumed_potency_of_an_unknown_preparation_is_a_usage_error(tmp_path: Path) -> None:
    (path, *_) = _edge_files(tmp_path)
    for name in ("X", "S"):  # not in the data; the standard
        result = invoke(
            "assay", "potency", path, "--model", "parallel-line", "--standard", "S",
            "--assumed", f"{name}=2",
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert f"'{name}'" in result.stderr


def test_a_large_g_is_warned(tmp_path: Path) -> None:
    # a shallow slope (2 per dose step, replicates ±1): valid, with g = 0.346 (computed
    # by this analysis; Fieller's g = t² v22 / b²)
    noise = (1.2, -0.8, 0.5, -1.1, 0.9, -0.4, 1.0, -0.7, 0.3, -1.3, 0.8, -0.2)
    rows = [
        (p, d, 10 + 2.0 * i + noise[(k + 3 * i + 6 * (p == "T")) % 12])
        for p in "ST"
        for i, d in enumerate((1.0, 2.0, 4.0))
        for k in range(2)
    ]
    path = _write(tmp_path, "shallow.csv", rows)
    args = ("assay", "potency", path, "--model", "parallel-line", "--standard", "S")
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    (item,) = doc["results"]
    assert doc["valid"] is True
    assert item["g"] == pytest.approx(0.346, abs=1e-3)
    assert any("g = 0.346" in w for w in doc["warnings"])
    assert "warning: g = 0.346" in invoke(*args).stdout


def test_duplicate_rows_reach_the_projects_diagnostics(tmp_path: Path) -> None:
    project = tmp_path / "car-t-nl"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("out"))
    run = project / "data" / "potency" / "cytotoxicity_r1.csv"
    lines = run.read_text("utf-8").splitlines()
    run.write_text("\n".join([*lines, lines[1]]) + "\n", "utf-8")
    computed = dossier.compute(project)
    codes = [(d.code, d.location.file) for d in computed.diagnostics]
    assert any(code == "DOS-D011" and "cytotoxicity_r1.csv" in file for code, file in codes)
