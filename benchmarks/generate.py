"""Synthetic projects: the CAR-T example scaled ×N with its data files.

At ×1 the project is the example itself (copied). At ×N (N ≥ 2) it holds about
10·N batches, 3·N non-clinical studies, N/2 potency assays, 2·N advice questions and
200·N rows of validation data, so ×100 has 1,000 batches, 300 studies, 50 assays,
20,000 validation rows and 200 questions. Every copy gets fresh ids and its
cross-references point at copies of the same group, so the project validates with
``--strict``. Generated data use a fixed seed: the same scale gives the same files.
"""

from __future__ import annotations

import copy
import math
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = ["EXAMPLE", "Counts", "counts_for", "describe", "generate"]

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "car-t-nl"
SEED = 20261202

Node = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Counts:
    """How many items of each kind a generated project holds."""

    batches: int
    studies: int
    assays: int
    questions: int
    validation_rows: int


def counts_for(scale: int) -> Counts | None:
    """Target counts at ``scale``; ``None`` at ×1 (the example as it is)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if scale == 1:
        return None
    return Counts(
        batches=10 * scale,
        studies=3 * scale,
        assays=max(3, scale // 2),
        questions=2 * scale,
        validation_rows=200 * scale,
    )


def _suffix(ident: str, copy_no: int) -> str:
    """Id of copy ``copy_no`` (copy 0 keeps the original id)."""
    return ident if copy_no == 0 else f"{ident}-C{copy_no:03d}"


def _copies(templates: list[Node], count: int) -> Iterator[tuple[Node, int, Node]]:
    """``count`` items cycling through the templates: (template, copy number, deep copy
    with the copy's id)."""
    for i in range(count):
        template = templates[i % len(templates)]
        j = i // len(templates)
        item = copy.deepcopy(template)
        item["id"] = _suffix(template["id"], j)
        yield template, j, item


class _Scaler:
    """Replicates the example's items and keeps their references consistent."""

    def __init__(self, project: Node, counts: Counts, root: Path) -> None:
        self.project = project
        self.counts = counts
        self.root = root
        self.rng = random.Random(SEED)
        self.templates_batches: list[Node] = project["quality"]["batches"]
        self.n_groups = math.ceil(counts.batches / len(self.templates_batches))
        self.assay_ids: dict[tuple[str, int], str] = {}
        self.study_ids: dict[tuple[str, int], str] = {}

    def batch(self, original: str, group: int) -> str:
        """The copy of batch ``original`` in ``group`` (groups wrap around)."""
        return _suffix(original, group % self.n_groups)

    def scale(self) -> None:
        """Replicate every kind of item in place."""
        self._batches()
        self._assays()
        self._studies()
        self._questions()

    def _batches(self) -> None:
        out = []
        for _template, _j, item in _copies(self.templates_batches, self.counts.batches):
            out.append(item)
        self.project["quality"]["batches"] = out

    def _assays(self) -> None:
        potency = self.project["quality"]["potency"]
        templates: list[Node] = potency["assays"]
        with_validation = [
            i for i in range(self.counts.assays) if templates[i % len(templates)].get("runs")
        ]
        rows_each = self.counts.validation_rows // max(1, len(with_validation))
        absolute_copies: dict[str, int] = {}
        for i in range(self.counts.assays):
            template = templates[i % len(templates)]
            if not template.get("runs"):
                absolute_copies[template["id"]] = absolute_copies.get(template["id"], 0) + 1
        out = []
        for template, j, item in _copies(templates, self.counts.assays):
            self.assay_ids[(template["id"], j)] = item["id"]
            if "reference_standard" in item:
                ref = item["reference_standard"]
                ref["id"] = _suffix(ref["id"], j)
            if item.get("runs"):
                self._runs(item, j)
                self._validation(item, rows_each)
            else:
                self._absolute_results(item, j, absolute_copies[template["id"]])
            out.append(item)
        potency["assays"] = out

    def _runs(self, assay: Node, j: int) -> None:
        rename: dict[str, str] = {}
        for run in assay["runs"]:
            new_id = _suffix(run["id"], j)
            rename[run["id"]] = new_id
            if j:
                target = f"data/potency/{new_id}.csv"
                shutil.copyfile(self.root / run["data"], self.root / target)
                run["data"] = target
            run["id"] = new_id
            run["batches"] = {prep: self.batch(b, j) for prep, b in run["batches"].items()}
        for result in assay.get("batch_results", []):
            result["batch"] = self.batch(result["batch"], j)
            result["runs"] = [rename.get(r, r) for r in result.get("runs", [])]

    def _absolute_results(self, assay: Node, j: int, n_copies: int) -> None:
        """Copy ``j`` of an assay without raw runs reports on every n-th batch group."""
        templates = assay.get("batch_results", [])
        out = []
        for group in range(j, self.n_groups, n_copies):
            for result in templates:
                item = copy.deepcopy(result)
                item["batch"] = self.batch(result["batch"], group)
                if isinstance(item.get("value"), int | float):
                    item["value"] = round(item["value"] * self.rng.uniform(0.9, 1.1), 1)
                out.append(item)
        assay["batch_results"] = out

    def _validation(self, assay: Node, rows: int) -> None:
        """Fresh accuracy, linearity and precision files with about ``rows`` rows."""
        folder = self.root / "data" / "validation"
        folder.mkdir(parents=True, exist_ok=True)
        levels = (40.0, 63.0, 100.0, 160.0, 250.0)
        per_level = max(3, round(rows * 0.35 / len(levels)))
        per_cell = max(3, round(rows * 0.30 / 8))
        rng = self.rng
        stem = assay["id"].lower()
        accuracy = ["level,nominal,measured"]
        linearity = ["nominal,measured"]
        for level in levels:
            for _ in range(per_level):
                accuracy.append(f"L{level:.0f},{level},{level * math.exp(rng.gauss(0, 0.04)):.1f}")
                linearity.append(f"{level},{level * math.exp(rng.gauss(0, 0.04)):.1f}")
        precision = ["day,analyst,replicate,value"]
        for day in range(1, 5):
            day_effect = rng.gauss(0, 0.04)
            for analyst in ("A", "B"):
                analyst_effect = rng.gauss(0, 0.03)
                for rep in range(1, per_cell + 1):
                    value = 100 * math.exp(day_effect + analyst_effect + rng.gauss(0, 0.05))
                    precision.append(f"D{day},{analyst},{rep},{value:.1f}")
        files = {"accuracy": accuracy, "linearity": linearity, "precision": precision}
        for dataset in assay.get("validation_data", []):
            lines = files[dataset["characteristic"]]
            target = f"data/validation/{stem}_{dataset['characteristic']}.csv"
            (self.root / target).write_text("\n".join(lines) + "\n", encoding="utf-8")
            dataset["data"] = target

    def _studies(self) -> None:
        nonclinical = self.project["nonclinical"]
        templates: list[Node] = nonclinical["studies"]
        out = []
        for template, j, item in _copies(templates, self.counts.studies):
            self.study_ids[(template["id"], j)] = item["id"]
            test_item = item.get("test_item", {})
            if "batches" in test_item:
                test_item["batches"] = [self.batch(b, j) for b in test_item["batches"]]
            data = item.get("data", {})
            if j and "biodistribution" in data:
                target = f"data/biodistribution/{item['id'].lower()}.csv"
                (self.root / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.root / data["biodistribution"], self.root / target)
                data["biodistribution"] = target
            out.append(item)
        nonclinical["studies"] = out

    def _questions(self) -> None:
        advice = self.project["scientific_advice"]
        templates: list[Node] = advice["questions"]
        out = []
        for _template, j, item in _copies(templates, self.counts.questions):
            for cite in item.get("cites", []):
                kind, ident = cite["kind"], cite["id"]
                if kind == "study":
                    cite["id"] = self.study_ids.get((ident, j), ident)
                elif kind == "assay":
                    cite["id"] = self.assay_ids.get((ident, j), ident)
                elif kind == "batch":
                    cite["id"] = self.batch(ident, j)
            out.append(item)
        advice["questions"] = out


def generate(scale: int, workdir: Path, source: Path = EXAMPLE) -> Path:
    """Write the project scaled ×``scale`` under ``workdir``; return its folder."""
    target = workdir / f"car-t-x{scale}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(source / "dossier.yaml", target / "dossier.yaml")
    shutil.copytree(source / "data", target / "data")
    counts = counts_for(scale)
    if counts is None:
        return target
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.width = 4096
    project = yaml.load((source / "dossier.yaml").read_text(encoding="utf-8"))
    _Scaler(project, counts, target).scale()
    with (target / "dossier.yaml").open("w", encoding="utf-8") as handle:
        handle.write(f"# The CAR-T example scaled ×{scale} by benchmarks/generate.py.\n")
        yaml.dump(project, handle)
    return target


def describe(project_dir: Path) -> dict[str, int]:
    """Counts of the items in a generated project (for the report)."""
    yaml = YAML(typ="safe")
    project = yaml.load((project_dir / "dossier.yaml").read_text(encoding="utf-8"))
    assays = project["quality"]["potency"]["assays"]
    rows = 0
    for assay in assays:
        for dataset in assay.get("validation_data", []):
            text = (project_dir / dataset["data"]).read_text(encoding="utf-8")
            rows += max(0, len(text.strip().splitlines()) - 1)
    return {
        "batches": len(project["quality"]["batches"]),
        "studies": len(project["nonclinical"]["studies"]),
        "assays": len(assays),
        "questions": len(project["scientific_advice"]["questions"]),
        "validation_rows": rows,
    }
