"""In-process micro-benchmarks: one large table, many 4PL fits, template rendering
overhead, and pandoc on an equivalent Markdown table for comparison.

Each function returns a :class:`Result`: the median seconds (or ratio) and the samples,
or ``None`` with the reason when the thing measured is not available.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import math
import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.measure import median

__all__ = [
    "Result",
    "figures_200",
    "fits_1000_4pl",
    "fits_1000_4pl_r_nls",
    "make_template",
    "pandoc_table",
    "render_overhead",
    "table_10k_rows",
]

SEED = 20261202
FITS = 1000
TABLE_ROWS = 10_000
TABLE_COLUMNS = 5


@dataclass(frozen=True, slots=True)
class Result:
    """A measured value with its samples, or ``value is None`` and the reason."""

    value: float | None
    samples: list[float] = field(default_factory=list)
    note: str | None = None


def _uncached_timed(func: Callable[[], object], repeat: int) -> list[float]:
    """:func:`_timed` with dossier's cache off, so that every figure is drawn and every
    computation done (a repeat would otherwise take them from the cache)."""
    before = os.environ.get("DOSSIER_CACHE_DIR")
    os.environ["DOSSIER_CACHE_DIR"] = ""
    try:
        return _timed(func, repeat)
    finally:
        if before is None:
            del os.environ["DOSSIER_CACHE_DIR"]
        else:
            os.environ["DOSSIER_CACHE_DIR"] = before


def _timed(func: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def _table_rows() -> list[list[str]]:
    rng = random.Random(SEED)
    return [
        [
            f"B-{i:05d}",
            f"{rng.uniform(50, 200):.1f}",
            f"{rng.uniform(40, 180):.1f} to {rng.uniform(60, 220):.1f}",
            rng.choice(("complies", "does not comply", "pending")),
            f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        ]
        for i in range(TABLE_ROWS)
    ]


def table_10k_rows(repeat: int) -> Result:
    """Seconds to write a Word document holding one 10,000-row, 5-column table."""
    try:
        from dossier.drafts.blocks import Document, Section, Table
        from dossier.word.writer import write_docx
    except ImportError as exc:
        return Result(None, note=f"the Word writer cannot be imported: {exc}")
    rows = _table_rows()
    header = ["Batch", "Relative potency (%)", "95 % limits (%)", "Verdict", "Test date"]

    def document(n: int) -> Any:
        table = Table(key="tab-big", caption="Batch results", header=header, rows=rows[:n])
        section = Section(title="Batch analyses", key="sec-batches", blocks=[table])
        return Document(
            doc_type="benchmark",
            title="Benchmark",
            subtitle="One large table",
            properties={},
            sections=[section],
        )

    when = dt.date(2026, 1, 1)
    write_docx(document(10), when)  # warm-up: imports and the template
    big = document(TABLE_ROWS)
    samples = _timed(lambda: write_docx(big, when), repeat)
    return Result(median(samples), samples)


def _dose_response(rng: random.Random) -> Any:
    from dossier.compute.potency.types import DoseResponseData, Observation

    doses = [0.3125 * 2**k for k in range(8)]
    lower, upper, slope, log_ec50 = 5.0, 95.0, 1.6, math.log(2.5)
    shift = math.log(rng.uniform(0.7, 1.4))
    observations = []
    row = 1
    for prep, c in (("REF", log_ec50), ("TEST", log_ec50 + shift)):
        for dose in doses:
            for _ in range(3):
                mean = upper + (lower - upper) / (1 + math.exp(slope * (math.log(dose) - c)))
                observations.append(Observation(prep, dose, mean + rng.gauss(0, 3.0), row))
                row += 1
    return DoseResponseData(tuple(observations), source="<benchmark>")


def _fits_datasets() -> list[Any]:
    """The 1,000 data sets of the 4PL benchmark (the same for dossier and R)."""
    rng = random.Random(SEED)
    return [_dose_response(rng) for _ in range(FITS)]


def fits_1000_4pl(repeat: int) -> Result:
    """Seconds for 1,000 4PL similarity analyses (2 preparations × 8 doses × 3 replicates)."""
    from dossier.compute.potency.logistic import analyse_4pl

    datasets = _fits_datasets()

    def run() -> None:
        for data in datasets:
            analyse_4pl(data, "REF")

    _uncached_timed(lambda: analyse_4pl(datasets[0], "REF"), 1)  # warm-up: the imports
    samples = _uncached_timed(run, repeat)
    return Result(median(samples), samples)


def fits_1000_4pl_r_nls(workdir: Path, repeat: int) -> Result:
    """Seconds base R's ``nls`` takes for the same 1,000 4PL similarity analyses, the
    loop timed inside one R process (start-up and reading the data excluded); only
    when ``Rscript`` is on PATH. For comparison, not a budget."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return Result(None, note="Rscript not on PATH")
    folder = workdir / "fits-4pl-r"
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "datasets.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["set", "prep", "dose", "response"])
        for number, data in enumerate(_fits_datasets(), start=1):
            for o in data.observations:
                out.writerow([number, o.preparation, repr(o.dose), repr(o.response)])
    script = Path(__file__).with_name("fits_4pl.R")
    samples: list[float] = []
    failed = "0"
    for _ in range(repeat):
        done = subprocess.run(
            [rscript, "--vanilla", str(script), str(table)],
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        words = done.stdout.split()
        if done.returncode != 0 or len(words) != 4 or words[0] != "fits":
            return Result(None, note=f"Rscript failed: {done.stderr.strip()[-200:]}")
        samples.append(float(words[1]))
        failed = words[3]
    version = subprocess.run([rscript, "--version"], capture_output=True, text=True, check=False)
    first = (version.stdout or version.stderr).strip().splitlines()
    note = f"{first[0] if first else 'R'}; {failed} of {FITS} analyses failed in nls"
    return Result(median(samples), samples, note)


def _figure_inputs(rng: random.Random) -> list[tuple[Callable[..., object], tuple[Any, ...]]]:
    """The drafts' three kinds of figure, 200 in all: 50 dose-response runs (4PL),
    50 batch plots of 20 results and 100 biodistribution plots (8 tissues, 3 times)."""
    from dossier.analysis.results import BatchComputed, Verdict
    from dossier.compute.biodistribution import BdCell, BdSummary
    from dossier.compute.potency.logistic import analyse_4pl
    from dossier.figures.draw import (
        batch_figure,
        biodistribution_figure,
        dose_response_figure,
    )
    from dossier.model.potency import AcceptanceCriterion

    calls: list[tuple[Callable[..., object], tuple[Any, ...]]] = []
    for _ in range(50):
        data = _dose_response(rng)
        calls.append((dose_response_figure, (data, analyse_4pl(data, "REF"), "dose", "response")))
    criterion = AcceptanceCriterion(
        role="release", lower=50.0, upper=200.0, unit="%", basis="benchmark"
    )
    for _ in range(50):
        results = []
        for i in range(20):
            value = rng.uniform(70, 130)
            half = rng.uniform(5, 15)
            results.append(
                BatchComputed(
                    f"B-CLIN-{i:03d}", value, value - half, value + half, "%", (), "", Verdict.MET
                )
            )
        calls.append((batch_figure, (results, criterion, "% relative potency")))
    tissues = ["blood", "bone marrow", "brain", "liver", "lung", "ovary", "spleen", "testis"]
    times = ["day 7", "day 28", "day 56"]
    for _ in range(50):
        cells = [
            BdCell(group, tissue, tp, 5, 3, mean, None, mean, 50.0)
            for group in ("low dose", "high dose")
            for tissue in tissues
            for tp in times
            for mean in [None if rng.random() < 0.2 else 10 ** rng.uniform(1.8, 4.2)]
        ]
        summary = BdSummary(cells, times)
        calls += [(biodistribution_figure, (summary, g)) for g in ("low dose", "high dose")]
    return calls


def figures_200(repeat: int) -> Result:
    """Seconds to draw 200 figures as a build does, with the figure cache off so that
    each is drawn: described, then drawn by :func:`dossier.figures.pool.draw_all` (in
    worker processes, one per core)."""
    try:
        calls = _figure_inputs(random.Random(SEED))
        from dossier.figures.draw import Drawing
        from dossier.figures.pool import available_cores, draw_all
    except ImportError as exc:
        return Result(None, note=f"the figures cannot be imported: {exc}")

    def run() -> None:
        drawings = [figure(*args) for figure, args in calls]
        draw_all([d for d in drawings if isinstance(d, Drawing)])

    samples = _uncached_timed(run, repeat)
    return Result(median(samples), samples, note=f"{available_cores()} worker(s)")


def make_template(path: Path) -> Path:
    """A docxtpl template: a heading, 10 tagged paragraphs and a 200-row table loop."""
    from docx import Document

    doc = Document()
    doc.add_heading("{{ title }}", level=1)
    for i in range(10):
        doc.add_paragraph(f"Paragraph {i}: {{{{ paragraphs[{i}] }}}} ({{{{ product }}}}).")
    table = doc.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Batch", "Value", "Verdict"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    for cell, text in zip(
        table.rows[2].cells, ("{{ r.batch }}", "{{ r.value }}", "{{ r.verdict }}"), strict=True
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.save(str(path))
    return path


def _template_context() -> dict[str, Any]:
    rng = random.Random(SEED)
    return {
        "title": "Potency of LUM-CD19",
        "product": "LUM-CD19 CAR-T cells",
        "paragraphs": [
            f"relative potency of batch {i} is {rng.uniform(50, 200):.1f} %" for i in range(10)
        ],
        "rows": [
            {"batch": f"B-{i:04d}", "value": f"{rng.uniform(50, 200):.1f}", "verdict": "complies"}
            for i in range(200)
        ],
    }


def render_overhead(workdir: Path, repeat: int) -> Result:
    """Median time of the project's ``render_template`` over a plain docxtpl render."""
    try:
        engine = importlib.import_module("dossier.word.engine")
        render_template = engine.render_template
    except (ImportError, AttributeError) as exc:
        return Result(None, note=f"dossier.word.engine.render_template is not available: {exc}")
    from docxtpl import DocxTemplate

    template = make_template(workdir / "benchmark-template.docx")
    context: Mapping[str, Any] = _template_context()

    def plain() -> None:
        tpl = DocxTemplate(str(template))
        tpl.render(dict(context))
        tpl.save(io.BytesIO())

    def project() -> None:
        render_template(template, context)

    plain()
    project()
    rounds = max(21, 2 * repeat + 1)  # short renders: many rounds steady the medians
    plain_samples: list[float] = []
    project_samples: list[float] = []
    for _ in range(rounds):  # interleaved, so drift affects both alike
        plain_samples.extend(_timed(plain, 1))
        project_samples.extend(_timed(project, 1))
    ratio = median(project_samples) / median(plain_samples)
    return Result(ratio, [median(plain_samples), median(project_samples)])


def pandoc_table(workdir: Path, repeat: int) -> Result:
    """Seconds for ``pandoc in.md -o out.docx`` on an equivalent 10,000-row pipe table."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return Result(None, note="pandoc not installed")
    rows = _table_rows()
    lines = [
        "# Batch analyses",
        "",
        "| Batch | Relative potency (%) | 95 % limits (%) | Verdict | Test date |",
        "| --- | --- | --- | --- | --- |",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        ": Batch results",
        "",
    ]
    source = workdir / "pandoc-table.md"
    source.write_text("\n".join(lines), encoding="utf-8")
    target = workdir / "pandoc-table.docx"

    def run() -> None:
        subprocess.run([pandoc, str(source), "-o", str(target)], check=True)

    version = subprocess.run(
        [pandoc, "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    samples = _timed(run, repeat)
    note = f"{version[0] if version else 'pandoc'}, for comparison (not a budget)"
    return Result(median(samples), samples, note)
