"""The potency draft says only what the data show.

Single-fact edits of copies of the examples, each with the sentence or table cell of the
composed IMPD quality draft (its plain text) that must follow it: a method's lifecycle
status, the analytical methods removed, runs made invalid, a declared number of runs the
data do not reach, a declared geometric mean, a dosed batch without a result.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dossier.analysis.project import compute_project
from dossier.analysis.results import ComputedProject
from dossier.drafts.potency import status_sentence
from dossier.model.project_io import load_project
from tests.analysis.test_batches_reportable import make_non_parallel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OLD_CLAIMS = (
    "analytical procedures are qualified: their suitability",
    "Safety tests are validated or compendial and verified for the product.",
    "analytical procedures are validated according to ICH Q2(R2).",
)


def copy(
    tmp_path: Path, example: str, edit: Callable[[dict[str, Any]], None] | None = None
) -> Path:
    """A copy of an example with ``edit`` applied to its project data."""
    folder = tmp_path / example
    shutil.copytree(EXAMPLES / example, folder, ignore=shutil.ignore_patterns("out"))
    if edit is not None:
        yaml = YAML()
        path = folder / "dossier.yaml"
        data = yaml.load(path.read_text("utf-8"))
        edit(data)
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(data, fh)
    return folder


def table_number(text: str, caption: str) -> int:
    """The number of the table with this caption in a draft's text."""
    match = re.search(rf"Table (\d+): {re.escape(caption)}", text)
    assert match, f"no table '{caption}'"
    return int(match.group(1))


def draft(folder: Path) -> tuple[str, ComputedProject]:
    """The composed IMPD quality (potency) draft as text, and the computed results."""
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, find_outline, load_outline
    from dossier.drafts.text import to_text

    loaded = load_project(folder)
    computed = compute_project(loaded, send=False)
    outline = load_outline(find_outline("impd-quality-potency"))
    return to_text(compose(outline, UnitContext(loaded.project, computed))), computed


def section(text: str, heading: str) -> str:
    """The text of the section whose heading contains ``heading`` (up to the next one)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if heading in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("# ")), len(lines))
    return "\n".join(lines[start:end])


def row(text: str, first: str, cells: int) -> list[str]:
    """The table row that starts with ``first`` and has ``cells`` cells."""
    return next(
        parts
        for line in text.splitlines()
        if (parts := line.split(" | "))[0] == first and len(parts) == cells
    )


def set_status(method_id: str, status: str) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        method = next(m for m in data["quality"]["analytical_methods"] if m["id"] == method_id)
        method["lifecycle_status"] = status

    return edit


@pytest.fixture(scope="module")
def car_t(tmp_path_factory: pytest.TempPathFactory) -> str:
    return draft(copy(tmp_path_factory.mktemp("car-t"), "car-t-nl"))[0]


def test_the_status_sentence_is_counted_from_the_declared_statuses(car_t: str) -> None:
    validation = section(car_t, "Validation of analytical procedures")
    for claim in OLD_CLAIMS:
        assert claim not in car_t
    # the stage's expectation is attributed to the guidance, not claimed
    assert (
        "For an exploratory trial, EU practice under the guideline on investigational ATMPs "
        "(EMA/CAT/22473/2025) expects analytical procedures to be qualified"
    ) in validation
    methods = table_number(validation, "Other analytical procedures and their status")
    assert (
        "Of the seven other analytical procedures, two are validated, two are compendial and "
        f"verified for the product and three are qualified (Table {methods})."
    ) in validation
    potency = re.search(r"All three potency assays are qualified \(Table (\d+)\)\.", validation)
    assert potency
    assert f"Table {potency.group(1)}: " in validation
    # the table the sentence points to is there, with the same statuses
    assert row(validation, "Mycoplasma (NAT)", 5)[3] == "validated"


def test_a_method_in_development_is_named_and_nothing_says_all_are_qualified(
    tmp_path: Path,
) -> None:
    text, _ = draft(copy(tmp_path, "car-t-nl", set_status("M-MYCO", "in_development")))
    validation = section(text, "Validation of analytical procedures")
    sentence = next(line for line in validation.splitlines() if line.startswith("Of the seven"))
    assert sentence == (
        "Of the seven other analytical procedures, Replication-competent lentivirus (VSV-G "
        "qPCR) is validated, two are compendial and verified for the product, three are "
        "qualified and Mycoplasma (NAT) is in development "
        f"(Table {table_number(validation, 'Other analytical procedures and their status')})."
    )
    assert row(validation, "Mycoplasma (NAT)", 5)[3] == "in development"
    for claim in OLD_CLAIMS:
        assert claim not in text
    assert not re.search(r"\ball (\w+ )?(other )?analytical procedures are", text, re.I)


def test_at_the_confirmatory_stage_the_expectation_changes_not_the_statuses(
    tmp_path: Path,
) -> None:
    def confirmatory(data: dict[str, Any]) -> None:
        data["stage"] = "confirmatory"

    text, _ = draft(copy(tmp_path, "car-t-nl", confirmatory))
    validation = section(text, "Validation of analytical procedures")
    assert (
        "For a confirmatory trial, EU practice under the guideline on investigational ATMPs "
        "(EMA/CAT/22473/2025) expects analytical procedures to be validated according to "
        "ICH Q2(R2)."
    ) in validation
    # still three qualified: the declared statuses, whatever the stage
    methods = table_number(validation, "Other analytical procedures and their status")
    assert f"and three are qualified (Table {methods})." in validation
    for claim in OLD_CLAIMS:
        assert claim not in text


def test_without_analytical_methods_no_reference_dangles(tmp_path: Path) -> None:
    def remove(data: dict[str, Any]) -> None:
        methods = {m["id"] for m in data["quality"].pop("analytical_methods")}
        for cell in data["risk_profile"]["cells"]:  # evidence that cited them goes too
            cell["evidence"] = [e for e in cell.get("evidence", []) if e["ref"] not in methods]
        for study in data["nonclinical"]["studies"]:  # and the method that measured doses
            study["test_item"].pop("dose_method", None)

    text, _ = draft(copy(tmp_path, "car-t-nl", remove))
    assert "Other analytical procedures and their status" not in text
    # every table the text names is a table of the draft (an unknown key would not compose)
    captions = set(re.findall(r"^Table (\d+):", text, re.M))
    named = {
        number
        for line in text.splitlines()
        if not re.match(r"Table \d+:", line)
        for number in re.findall(r"\bTable (\d+)\b", line)
    }
    assert named
    assert named <= captions
    placeholder = (
        "[TO DO: analytical procedures for safety, identity and purity, with their status — "
        "quality.analytical_methods]"
    )
    assert placeholder in section(text, "Validation of analytical procedures")
    procedures = section(text, "Analytical procedures: potency assays")
    assert "[TO DO: analytical procedures for safety, identity and purity — " in procedures


def test_a_compendial_method_without_its_chapter_is_not_called_in_house(tmp_path: Path) -> None:
    def drop_chapter(data: dict[str, Any]) -> None:
        method = next(m for m in data["quality"]["analytical_methods"] if m["id"] == "M-ENDO")
        del method["compendial_reference"]

    text, _ = draft(copy(tmp_path, "car-t-nl", drop_chapter))
    cells = row(text, "Bacterial endotoxins (kinetic chromogenic LAL)", 5)
    assert cells[2] == (
        "[TO DO: pharmacopoeial chapter of the compendial method — "
        "quality.analytical_methods[2].compendial_reference]"
    )


def test_status_sentence_names_single_statuses_and_counts_groups() -> None:
    one = status_sentence("potency assay", "potency assays", [("A", "qualified")], None)
    assert one == ["The potency assay, A, is qualified", "."]
    mixed = status_sentence(
        "procedure",
        "procedures",
        [
            ("Sterility", "compendial_verified"),
            ("Mycoplasma", "in_development"),
            ("Identity", "qualified"),
            ("Purity", "qualified"),
            ("Endotoxin", "in_development"),
        ],
        None,
    )
    assert "".join(str(p) for p in mixed) == (
        "Of the five procedures, Sterility is compendial and verified for the product, two "
        "are qualified and two are in development (Mycoplasma and Endotoxin)."
    )


def _batch_table(text: str, assay: str) -> str:
    """The batch-results table of an assay with the note below it."""
    lines = text.splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.endswith(f"Batch results: {assay} (95 % confidence limits)")
    )
    end = next(
        i
        for i in range(start + 1, len(lines))
        if lines[i].startswith(("Figure", "[figure]", "Link", "Table"))
    )
    return "\n".join(lines[start:end])


AAV_ASSAY = "Relative PAH activity after transduction of HepG2 cells"


def test_one_invalid_run_the_batch_is_reported_from_the_valid_one(tmp_path: Path) -> None:
    folder = copy(tmp_path, "aav-systemic")
    make_non_parallel(folder, "enzyme_activity_r2.csv")
    text, computed = draft(folder)
    table = _batch_table(text, AAV_ASSAY)
    cells = row(table, "B-GMP-01", 6)
    value = computed.assays["A-ENZ"].batches["B-GMP-01"].value
    assert value is not None
    assert cells[2] == f"{value:.4g} % relative potency (1 of 2 runs)"
    assert cells[4] == "yes"
    assert cells[5].startswith(
        "computed from R-ENZ-01; left out: run R-ENZ-02 invalid: significant non-parallelism"
    )
    assert "A result from fewer runs than the reportable value requires is marked" in table
    assert {"DOS-A012", "DOS-A014"} <= {d.code for d in computed.diagnostics}


def test_no_valid_run_the_batch_row_stays_with_its_reason(tmp_path: Path) -> None:
    folder = copy(tmp_path, "aav-systemic")
    make_non_parallel(folder, "enzyme_activity_r1.csv")
    make_non_parallel(folder, "enzyme_activity_r2.csv")
    text, computed = draft(folder)
    cells = row(_batch_table(text, AAV_ASSAY), "B-GMP-01", 6)
    assert cells[2:5] == ["no valid result", "—", "not judged"]
    assert cells[5].startswith("no valid run: run R-ENZ-01 invalid: significant non-parallelism")
    assert "; run R-ENZ-02 invalid: significant non-parallelism" in cells[5]
    (diagnostic,) = [d for d in computed.diagnostics if d.code == "DOS-A011"]
    assert "B-GMP-01" in diagnostic.message


def test_three_runs_declared_two_given_is_marked(tmp_path: Path) -> None:
    def three(data: dict[str, Any]) -> None:
        assay = data["quality"]["potency"]["assays"][0]
        assay["reportable"]["runs"] = 3

    text, computed = draft(copy(tmp_path, "aav-systemic", three))
    table = _batch_table(text, AAV_ASSAY)
    assert row(table, "B-GMP-01", 6)[2].endswith("% relative potency (2 of 3 runs)")
    assert row(table, "B-TOX-01", 6)[2] == "97 % relative potency (2 of 3 runs)"
    assert "Reportable value as declared: the combination of three independent runs" in table
    procedures = section(text, "Analytical procedures: potency assays")
    assert (
        "Reportable value as applied to the batch results: the combination of three "
        "independent runs per Ph. Eur. 5.3 section 6"
    ) in procedures
    assert [d.code for d in computed.diagnostics].count("DOS-A014") == 2


def test_declared_geometric_mean_is_applied_and_said(tmp_path: Path) -> None:
    def geometric(data: dict[str, Any]) -> None:
        data["quality"]["potency"]["assays"][0]["reportable"] = {
            "combination": "geometric-mean",
            "runs": 2,
        }

    text, computed = draft(copy(tmp_path, "aav-systemic", geometric))
    assay = computed.assays["A-ENZ"]
    estimates = []
    for run_id in ("R-ENZ-01", "R-ENZ-02"):
        run = assay.runs[run_id]
        assert run is not None
        prep = next(r for r in run.analysis.results if r.preparation == "B-GMP-01")
        assert prep.potency is not None
        estimates.append(prep.potency * 100)
    geometric_mean = math.exp(sum(map(math.log, estimates)) / 2)
    table = _batch_table(text, AAV_ASSAY)
    assert row(table, "B-GMP-01", 6)[2] == f"{geometric_mean:.4g} % relative potency"
    assert (
        "Reportable value as declared: the geometric mean of two runs (unweighted "
        "combination, Ph. Eur. 5.3, 6.3)."
    ) in table
    assert (
        "B-GMP-01, two runs: unweighted combination, as the declared reportable value defines it."
    ) in table


def test_the_automatic_combination_states_its_reason(tmp_path: Path) -> None:
    text, computed = draft(copy(tmp_path, "aav-systemic"))
    combination = computed.assays["A-ENZ"].batches["B-GMP-01"].combination
    assert combination is not None
    table = _batch_table(text, AAV_ASSAY)
    assert f"B-GMP-01, two runs: {combination.reason}." in table
    assert "weighted combination (6.2.3)" in combination.reason


def test_a_dosed_batch_without_a_result_shows_a_placeholder(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        results = data["quality"]["potency"]["assays"][0]["batch_results"]
        results[:] = [r for r in results if r["batch"] != "B-TOX-01"]

    text, computed = draft(copy(tmp_path, "aav-systemic", drop))
    cells = row(_batch_table(text, AAV_ASSAY), "B-TOX-01", 6)
    assert cells[2] == (
        "[TO DO: result of batch B-TOX-01 — quality.potency.assays[0].batch_results]"
    )
    assert cells[5] == "no result in the project file"
    assert "DOS-A013" in {d.code for d in computed.diagnostics}


def test_a_report_only_criterion_draws_no_limits_and_the_caption_says_none(
    tmp_path: Path,
) -> None:
    text, _ = draft(copy(tmp_path, "ipsc-local"))
    caption = next(line for line in text.splitlines() if "Batch results of KCl-evoked" in line)
    assert "dashed lines" not in caption
    assert (
        "No reference standard is used: the potency assay reports absolute readouts against "
        "controls."
    ) in text


def test_a_run_that_could_not_be_analysed_says_why(tmp_path: Path) -> None:
    folder = copy(tmp_path, "car-t-nl")
    data = folder / "data" / "potency" / "cytotoxicity_r1.csv"
    lines = data.read_text("utf-8").splitlines()
    fields = lines[4].split(",")
    fields[2] = "abc"  # the response of the fifth line
    lines[4] = ",".join(fields)
    data.write_text("\n".join(lines) + "\n", "utf-8")
    text, _ = draft(folder)
    why = "'response' is 'abc', not a number (cytotoxicity_r1.csv, line 5)"
    assert f"R-CYTOX-01 | — | — | — | not analysed: {why}" in text
    assert f"no valid run: run R-CYTOX-01 could not be analysed: {why}" in text
