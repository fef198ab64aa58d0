"""`dossier assay potency`: the JSON contract, readable text and exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import Result

from dossier.compute.potency import models as potency_models

from .conftest import invoke

DATA = Path(__file__).resolve().parents[1] / "data"


# the turbidimetric example as a parallel-line assay against S, with T assumed 17902.4 IU
TURBIDIMETRIC_PLA = ("--model", "parallel-line", "--standard", "S", "--assumed", "T=17902.4")


def _run(*args: str) -> Result:
    return invoke("assay", "potency", *args)


def test_json_contract_parallel_line(turbidimetric_csv: Path) -> None:
    result = _run(
        str(turbidimetric_csv),
        *TURBIDIMETRIC_PLA,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["model"] == "parallel-line"
    assert doc["standard"] == "S"
    assert doc["valid"] is True
    assert doc["design"] == "randomised-block"
    for test in ("regression", "non_parallelism", "non_linearity"):
        assert set(doc["tests"][test]) >= {"F", "p"}
    (t,) = doc["results"]
    assert set(t) >= {"preparation", "relative_potency", "potency", "ci_lower", "ci_upper", "valid"}
    # tests/reference/r/pla_pheur53.out: T potency 19228.47546 lower 18423.35077 upper 20075.17765
    assert t["potency"] == pytest.approx(19228.47546, rel=1e-6)
    assert t["ci_lower"] == pytest.approx(18423.35077, rel=1e-6)
    assert t["ci_upper"] == pytest.approx(20075.17765, rel=1e-6)
    assert t["relative_potency"] == pytest.approx(19228.47546 / 17902.4, rel=1e-6)


def test_text_names_the_failing_test_and_exits_0_for_an_invalid_assay(tmp_path: Path) -> None:
    src = (DATA / "pheur53" / "ex511_corticotrophin_crd.csv").read_text("utf-8").splitlines()
    rows = ["preparation,dose,response"]
    for line in src[1:]:
        _, prep, step, response = line.split(",")
        rows.append(f"{prep},{4 ** (int(step) - 1)},{response}")
    path = tmp_path / "cortico.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    result = _run(str(path), "--model", "parallel-line", "--standard", "S")
    assert result.exit_code == 0
    assert "verdict: INVALID assay: significant non-parallelism" in result.stdout
    assert "non_parallelism  FAIL" in result.stdout


def test_4pl_on_example_run() -> None:
    run = Path(__file__).resolve().parents[2] / "examples/car-t-nl/data/potency/cytotoxicity_r1.csv"
    result = _run(str(run), "--model", "4pl", "--standard", "REF", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["valid"] is True
    assert doc["results"][0]["preparation"] == "B-CLIN-01"
    assert "delta method" in doc["results"][0]["ci_method"]


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("", "DOS-D002", ":1:"),
        ("preparation,dose\nS,1\n", "DOS-D003", ":1:1:"),
        ("preparation,dose,response\nS,1,abc\nS,2,3\nT,1,2\nT,2,4\n", "DOS-D004", ":2:3:"),
        ("preparation,dose,response\nS,1,\n", "DOS-D005", ":2:3:"),
        # one dose level: at the first row of the preparation, in the dose column
        ("preparation,dose,response\nS,1,2\nS,1,3\nT,1,2\nT,1,4\n", "DOS-S101", ":2:2:"),
        # a zero dose cannot be logged: row 2, dose column 2
        ("preparation,dose,response\nS,0,2\nS,1,3\nT,1,2\nT,2,4\n", "DOS-S101", ":2:2:"),
        ("preparation,dose,response\nS,1,2\nS,-2,3\nT,1,2\nT,2,4\n", "DOS-S101", ":3:2:"),
        # a value split by a decimal comma
        ("preparation,dose,response\nS,1,2,5\nS,2,3\nT,1,2\nT,2,4\n", "DOS-D007", ":2:4:"),
    ],
)
def test_bad_data_files_get_located_errors(
    tmp_path: Path, content: str, code: str, where: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    result = _run(str(path), "--model", "parallel-line", "--standard", "S")
    assert result.exit_code == 1
    assert code in result.stdout
    assert where in result.stdout


BAD_FOR_EVERY_MODEL = {
    "empty": ("", "error DOS-D002"),
    "missing value": ("preparation,dose,response\nS,1,\nS,2,3\n", "error DOS-D005"),
    "text in a number column": ("preparation,dose,response\nS,1,x\nS,2,3\n", "error DOS-D004"),
    "negative dose": (
        "preparation,dose,response\n"
        + "".join(f"{p},{d},{d}\n" for p in "ST" for d in (-1, 1, 2, 4)),
        "error DOS-S101",
    ),
    "all responses equal": (
        "preparation,dose,response\n"
        + "".join(f"{p},{d},5\n" for p in "ST" for d in (1, 2, 4, 8, 16) for _ in (1, 2)),
        "INVALID assay",
    ),
}


@pytest.mark.parametrize("model", potency_models.cli_names())
@pytest.mark.parametrize("case", list(BAD_FOR_EVERY_MODEL))
def test_every_model_gives_a_located_error_or_an_invalid_verdict(
    tmp_path: Path, model: str, case: str
) -> None:
    content, expected = BAD_FOR_EVERY_MODEL[case]
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    result = _run(str(path), "--model", model, "--standard", "S")
    assert expected in result.stdout, result.stdout + result.stderr
    if expected.startswith("error"):
        assert result.exit_code == 1
        assert "bad.csv:" in result.stdout  # located in the file
    else:
        assert result.exit_code == 0


def test_text_shows_untestable_tests_as_such_and_potencies_in_full(
    turbidimetric_csv: Path, tmp_path: Path
) -> None:
    result = _run(
        str(turbidimetric_csv),
        *TURBIDIMETRIC_PLA,
    )
    # Ph. Eur. 5.1.3 (and tests/reference/r/pla_pheur53.out): 19228 IU/vial, 18423 to 20075
    assert "19228" in result.stdout
    assert "18423 – 20075" in result.stdout
    # two dose levels: non-linearity cannot be tested; that is not a failure
    src = (DATA / "pheur53" / "ex511_corticotrophin_crd.csv").read_text("utf-8").splitlines()
    rows = ["preparation,dose,response"]
    for line in src[1:]:
        _, prep, step, response = line.split(",")
        if prep != "U":
            rows.append(f"{prep},{4 ** (int(step) - 1)},{response}")
    path = tmp_path / "two_doses.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    text = _run(str(path), "--model", "parallel-line", "--standard", "S")
    assert "non_linearity    n/a" in text.stdout
    assert "verdict: VALID assay" in text.stdout
    doc = json.loads(
        _run(str(path), "--model", "parallel-line", "--standard", "S", "--format", "json").stdout
    )
    assert doc["tests"]["non_linearity"]["passed"] is None
    assert doc["tests"]["non_parallelism"]["passed"] is True


def test_usage_errors_exit_2(turbidimetric_csv: Path) -> None:
    assert _run(str(turbidimetric_csv), "--model", "probit", "--standard", "S").exit_code == 2
    assert (
        _run(
            str(turbidimetric_csv), "--model", "4pl", "--standard", "S", "--assumed", "T"
        ).exit_code
        == 2
    )


def _validation(*args: str) -> Result:
    return invoke("assay", "validation", *args)


def test_validation_linearity_json_meets_nist_norris() -> None:
    result = _validation(
        str(DATA / "nist" / "norris.csv"), "--characteristic", "linearity", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= {
        "slope",
        "intercept",
        "r_squared",
        "residual_sd",
        "slope_se",
        "intercept_se",
        "slope_ci_lower",
        "slope_ci_upper",
    }
    # NIST StRD Norris certified values
    assert doc["slope"] == pytest.approx(1.00211681802045, rel=1e-10)
    assert doc["residual_sd"] == pytest.approx(0.884796396144373, rel=1e-10)


def test_validation_precision_json_contract() -> None:
    path = DATA / "validation" / "precision_nested.csv"
    result = _validation(
        str(path),
        "--characteristic",
        "precision",
        "--factors",
        "day,analyst",
        "--log-scale",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # on the log scale the fields say what they hold: SD of ln(value) and GCV %
    assert set(doc["repeatability"]) == {"sd_ln", "gcv_percent", "ci"}
    assert set(doc["intermediate_precision"]) == {"sd_ln", "gcv_percent", "ci"}
    # tests/reference/r/precision.out: ANOVA residual 0.001542359548
    assert doc["repeatability"]["sd_ln"] ** 2 == pytest.approx(0.001542359548, rel=1e-8)
    assert set(doc["variance_components"]) == {"day", "analyst", "residual"}
    # tests/reference/r/precision_ci.out: "nested intermediate ... df 4.19593453697
    # 95% CI 0.0724290478949 0.331858087512"
    ci = doc["intermediate_precision"]["ci"]
    assert (ci["level"], ci["df"]) == (0.95, pytest.approx(4.19593453697, rel=1e-10))
    assert ci["sd_ln_upper"] == pytest.approx(0.331858087512, rel=1e-10)
    assert ci["gcv_percent_lower"] == pytest.approx(
        100 * (2.718281828459045**0.0724290478949 - 1), rel=1e-9
    )


def test_validation_accuracy_json_contract_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "acc.csv"
    path.write_text("level,nominal,measured\nA,100,90\nA,100,110\nB,50,50\nB,50,50\n", "utf-8")
    doc = json.loads(
        _validation(str(path), "--characteristic", "accuracy", "--format", "json").stdout
    )
    assert set(doc["overall"]) >= {"mean_recovery_percent", "sd", "ci_lower", "ci_upper"}
    assert doc["overall"]["mean_recovery_percent"] == pytest.approx(100.0)
    assert [lvl["level"] for lvl in doc["levels"]] == ["A", "B"]
    # log scale: the spread is the SD of ln(recovery) and its GCV %, never a GCV named sd
    logged = json.loads(
        _validation(
            str(path), "--characteristic", "accuracy", "--log-scale", "--format", "json"
        ).stdout
    )
    level_a = logged["levels"][0]
    assert "sd" not in level_a
    # recoveries 90 % and 110 %: SD of (ln 0.9, ln 1.1) = |ln 1.1 − ln 0.9| / sqrt(2)
    sd_ln = abs(math.log(1.1) - math.log(0.9)) / math.sqrt(2)
    assert level_a["sd_ln"] == pytest.approx(sd_ln, rel=1e-12)
    assert level_a["gcv_percent"] == pytest.approx(100 * (math.exp(sd_ln) - 1), rel=1e-12)
    missing = _validation(str(path), "--characteristic", "precision")
    assert missing.exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("nominal,measured\n1,x\n", "utf-8")
    located = _validation(str(bad), "--characteristic", "linearity")
    assert located.exit_code == 1
    assert "bad.csv:2:2: error DOS-D004" in located.stdout


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        # recovery divides by the nominal value: row 3, column 1
        ("nominal,measured\n50,49\n0,1\n50,51\n", ("accuracy",), "bad.csv:3:1: error DOS-D008"),
        (
            "nominal,measured\n1,1\n2,-2\n4,4\n",
            ("linearity", "--log-scale"),
            "bad.csv:3:2: error DOS-D008",
        ),
        (
            "day,value\nD1,-5\nD1,3\nD2,4\nD2,5\n",
            ("precision", "--factors", "day", "--log-scale"),
            "bad.csv:2:2: error DOS-D008",
        ),
        # data that cannot give the statistic: the file is named, no traceback
        ("nominal,measured\n50,49\n", ("linearity",), "bad.csv: error DOS-S102"),
        ("nominal,measured\n50,49\n50,48\n50,51\n", ("linearity",), "all nominal values are equal"),
        ("day,value\nD1,5\nD2,6\n", ("precision", "--factors", "day"), "no replicates"),
    ],
)
def test_validation_data_errors_are_located(
    tmp_path: Path, content: str, args: tuple[str, ...], expected: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content, "utf-8")
    result = _validation(str(bad), "--characteristic", *args)
    assert result.exit_code == 1
    assert expected in result.stdout, result.stdout + result.stderr


def test_model_choices_are_the_registry() -> None:
    from dossier.cli.assay_cmd import potency_cmd

    model = next(p for p in potency_cmd.params if p.name == "model")
    assert tuple(model.type.choices) == potency_models.cli_names()  # type: ignore[attr-defined]
    for entry in potency_models.POTENCY_MODELS:
        assert callable(entry.function()), entry.analyse
        assert potency_models.by_name(entry.name) is entry
    assert potency_models.by_name("absolute") is None
    for entry in potency_models.POTENCY_MODELS:
        assert potency_models.by_cli_name(entry.cli_name) is entry
    # every computed model is one the project file can name
    from typing import get_args

    from dossier.model.potency import StatisticalModel

    assert {m.name for m in potency_models.POTENCY_MODELS} <= set(get_args(StatisticalModel))
