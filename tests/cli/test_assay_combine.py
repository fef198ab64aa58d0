"""`dossier assay combine`: text and JSON output, the JSON contract, located errors.

Expected values: Ph. Eur. 5.3 section 6.4 (Table 6.4.-I and its result, 18 187 IU/vial
with limits 17 946 to 18 431) and tests/reference/r/combine_pheur6.R (R 4.2.2); see
tests/compute/test_combine_pheur6.py for the sources.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TABLE_6_4_I = """run,estimate,lower,upper,df
1,18367,17755,19002,20
2,18003,17415,18610,20
3,18064,17319,18838,20
4,17832,17253,18429,20
5,18635,17959,19339,20
6,18269,17722,18834,20
"""

HETEROGENEOUS = (
    "run,estimate,lower,upper,df,g\nA,80,76,84,30,0.02\nB,100,95,105,30,\nC,125,119,131,30,0.03\n"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", "assay", "combine", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _no_nan(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in the JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "results.csv"
    path.write_text(TABLE_6_4_I, "utf-8")
    return path


def test_json_contract_on_the_pheur_example(example: Path) -> None:
    result = _run(str(example), "--independent", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = _no_nan(result.stdout)
    assert set(doc) >= {
        "estimate",
        "ci_lower",
        "ci_upper",
        "method",
        "reason",
        "heterogeneity",
        "preconditions",
        "n",
    }
    assert doc["method"] == "weighted"
    assert doc["n"] == 6
    # Ph. Eur. 5.3 6.4: 18 187 IU/vial, 17 946 to 18 431; chi² 4.42 on 5 df, p 0.49
    assert (round(doc["estimate"]), round(doc["ci_lower"]), round(doc["ci_upper"])) == (
        18187,
        17946,
        18431,
    )
    assert set(doc["heterogeneity"]) == {"chi2", "df", "p"}
    assert round(doc["heterogeneity"]["chi2"], 2) == 4.42
    assert doc["heterogeneity"]["df"] == 5
    conditions = {p["name"]: p for p in doc["preconditions"]}
    assert list(conditions) == ["independent", "c_close_to_1", "residual_df", "homogeneity"]
    assert all(set(p) == {"name", "met", "detail"} for p in doc["preconditions"])
    assert conditions["independent"]["met"] is True
    assert conditions["c_close_to_1"]["met"] is None  # no g column: unknown, JSON null
    assert conditions["residual_df"]["met"] is True
    assert conditions["homogeneity"]["met"] is True
    assert [round(a["weight"], 1) for a in doc["assays"]][:2] == [3777.7, 3951.5]
    assert doc["assays"][0]["run"] == "1"
    assert doc["between_assay_variance"] is None
    assert doc["t_df"] == 120


def test_text_output_names_method_reason_and_conditions(tmp_path: Path) -> None:
    path = tmp_path / "het.csv"
    path.write_text(HETEROGENEOUS, "utf-8")
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # combine_pheur6.R, set "three": semi-weighted 100.0070448 (57.45036604 to 174.0878205)
    assert "combined estimate 100.01, 95 % limits 57.45 – 174.09" in out
    assert "method: semi-weighted (requested: auto)" in out
    assert "heterogeneous estimates" in out
    assert "homogeneity            NOT MET" in out
    assert "independent assays     unknown" in out
    assert "C < 1.1                unknown" in out  # g not given for run B
    assert "Traceback" not in out + result.stderr


def test_declared_method_and_dependence_reach_the_result(tmp_path: Path) -> None:
    path = tmp_path / "het.csv"
    path.write_text(HETEROGENEOUS, "utf-8")
    doc = _no_nan(_run(str(path), "--not-independent", "--format", "json").stdout)
    assert doc["method"] == "unweighted"
    assert doc["preconditions"][0]["met"] is False
    forced = _no_nan(_run(str(path), "--method", "weighted", "--format", "json").stdout)
    assert forced["method"] == "weighted"
    assert forced["requested_method"] == "weighted"
    # combine_pheur6.R, set "three": weighted 100.618211 (97.86794121 to 103.4457685)
    assert forced["estimate"] == pytest.approx(100.618211, rel=1e-8)
    assert "not met: homogeneity" in forced["reason"]


def test_values_out_of_range_are_null_in_json(tmp_path: Path) -> None:
    path = tmp_path / "extreme.csv"
    path.write_text(
        "run,estimate,lower,upper,df\na,1e-300,0.9e-300,1.1e-300,20\nb,1e300,0.9e300,1.1e300,20\n"
    )
    result = _run(str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = _no_nan(result.stdout)
    assert doc["ci_upper"] is None
    assert doc["estimate"] is not None


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        # a missing column: at the header
        ("run,estimate,lower,upper\n1,10,9,11\n2,10,9,11\n", "DOS-D003", ":1:1:"),
        # text in a number column: row 3, column 3 (lower)
        ("run,estimate,lower,upper,df\n1,10,9,11,8\n2,10,abc,11,8\n", "DOS-D004", ":3:3:"),
        # lower limit above the estimate: row 2, column 3
        ("run,estimate,lower,upper,df\n1,10,10.5,11,8\n2,10,9,11,8\n", "DOS-S103", ":2:3:"),
        # upper limit below the estimate: row 3, column 4
        ("run,estimate,lower,upper,df\n1,10,9,11,8\n2,10,9,9.5,8\n", "DOS-S103", ":3:4:"),
        # a non-positive value: row 2, column 2
        ("run,estimate,lower,upper,df\n1,0,9,11,8\n2,10,9,11,8\n", "DOS-D008", ":2:2:"),
        ("run,estimate,lower,upper,df\n1,10,9,11,-3\n2,10,9,11,8\n", "DOS-D008", ":2:5:"),
        # one row: at that row
        ("run,estimate,lower,upper,df\n1,10,9,11,8\n", "DOS-S104", ":2:1:"),
        # no rows
        ("run,estimate,lower,upper,df\n", "DOS-D002", ":1:"),
        # df not whole, g out of range
        ("run,estimate,lower,upper,df\n1,10,9,11,8.5\n2,10,9,11,8\n", "DOS-S105", ":2:5:"),
        ("run,estimate,lower,upper,df,g\n1,10,9,11,8,1.2\n2,10,9,11,8,\n", "DOS-S105", ":2:6:"),
    ],
)
def test_bad_results_files_get_located_errors(
    tmp_path: Path, content: str, code: str, where: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    result = _run(str(path))
    assert result.returncode == 1, result.stdout
    assert f"error {code}" in result.stdout
    assert f"bad.csv{where}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_errors_in_json_and_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("run,estimate,lower,upper,df\n1,10,10.5,11,8\n2,10,9,11,8\n", "utf-8")
    result = _run(str(path), "--format", "json")
    assert result.returncode == 1
    doc = _no_nan(result.stdout)
    (diag,) = doc["diagnostics"]
    assert diag["code"] == "DOS-S103"
    assert (diag["location"]["line"], diag["location"]["column"]) == (2, 3)
    wrong = _run(str(path), "--method", "median")
    assert wrong.returncode == 2
