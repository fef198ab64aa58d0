"""One truth for exit codes: an error in the project's data makes ``build`` exit 1 (the
drafts are still written) and ``check`` report the same error; findings alone do not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import run_entry_point

ROOT = Path(__file__).resolve().parents[2]


def test_a_data_error_fails_build_and_check_alike(tmp_path: Path) -> None:
    folder = tmp_path / "cart"
    shutil.copytree(ROOT / "examples" / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    run = folder / "data" / "potency" / "cytotoxicity_r1.csv"
    lines = run.read_text("utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("9.90", "n/a")
    run.write_text("".join(lines), "utf-8")

    built = run_entry_point("build", str(folder), "--only", "impd-quality")
    assert built.returncode == 1, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert "cytotoxicity_r1.csv:3:" in built.stdout
    assert "the drafts were written with highlighted placeholders" in built.stderr
    assert (folder / "out" / "impd-quality.docx").is_file()

    checked = run_entry_point("check", str(folder), "--format", "json")
    assert checked.returncode == 1
    report = json.loads(checked.stdout)
    built_codes = {line.split()[2] for line in built.stdout.splitlines() if " error DOS-" in line}
    assert built_codes
    assert built_codes <= {p["code"] for p in report["problems"]}


def test_findings_alone_do_not_fail_build(tmp_path: Path) -> None:
    """A new starter has open expectation findings but no data errors: exit 0."""
    folder = tmp_path / "new"
    assert run_entry_point("init", str(folder), "--archetype", "msc").returncode == 0
    checked = run_entry_point("check", str(folder), "--format", "json")
    assert json.loads(checked.stdout)["findings"]
    built = run_entry_point("build", str(folder), "--only", "readiness")
    assert built.returncode == 0, built.stdout + built.stderr


def test_an_output_folder_that_cannot_be_made_is_a_located_error(tmp_path: Path) -> None:
    folder = tmp_path / "cart"
    shutil.copytree(ROOT / "examples" / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder's parent should be", "utf-8")
    built = run_entry_point(
        "build", str(folder), "--only", "readiness", "--out", str(blocker / "out")
    )
    assert built.returncode == 1, built.stdout + built.stderr
    assert "internal error" not in built.stderr
    assert "DOS-B009" in built.stdout + built.stderr
    assert "the output folder cannot be created" in built.stdout + built.stderr
    assert blocker.read_text("utf-8").startswith("a file where")


def test_the_renamed_document_type_is_refused_with_its_new_name() -> None:
    """``--only impd-quality-potency`` (the old id) is a usage error naming 'impd-quality'."""
    built = run_entry_point(
        "build", str(ROOT / "examples" / "aav-systemic"), "--only", "impd-quality-potency"
    )
    assert built.returncode == 2
    assert "Traceback" not in built.stderr
    assert "'impd-quality-potency' is now called 'impd-quality'" in built.stderr
