"""One benchmark run at one scale: generate the project, time the commands, collect
the in-process figures, judge them against the budgets."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import inprocess
from benchmarks.generate import describe, generate
from benchmarks.measure import dossier_command, median, time_command
from benchmarks.report import GROWTH, budgets_for, machine, within_budget

__all__ = ["command_times", "run"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def compile_package() -> None:
    """Byte-compile dossier's modules, as installing the package does.

    A source checkout run with PYTHONDONTWRITEBYTECODE (set on some machines) never gets
    ``.pyc`` files, and every "cold" command would then also compile dossier's code.
    """
    import compileall

    import dossier

    compileall.compile_dir(Path(dossier.__file__).parent, quiet=1)


def command_times(project: Path, work: Path, repeat: int) -> dict[str, Any]:
    """Median cold times of validate, build (all drafts, no PDF) and check, and the
    build's peak memory, each run in a fresh process."""
    outs = work / f"out-{project.name}"

    def build(i: int) -> list[str]:
        out = outs / str(i)
        if out.exists():
            shutil.rmtree(out)
        return dossier_command("build", str(project), "--out", str(out))

    validate = time_command(lambda _: dossier_command("validate", str(project)), repeat)
    built = time_command(build, repeat)
    check = time_command(lambda _: dossier_command("check", str(project)), repeat)
    shutil.rmtree(outs, ignore_errors=True)
    return {
        "validate_cold_s": median([s.seconds for s in validate]),
        "build_cold_s": median([s.seconds for s in built]),
        "check_cold_s": median([s.seconds for s in check]),
        "peak_rss_mb": max(s.max_rss_mb for s in built),
        "samples": {
            "validate_cold_s": [s.seconds for s in validate],
            "build_cold_s": [s.seconds for s in built],
            "check_cold_s": [s.seconds for s in check],
            "peak_rss_mb": [s.max_rss_mb for s in built],
        },
    }


def run(
    scale: int,
    work: Path,
    repeat: int = 5,
    *,
    growth: bool = True,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Every metric at ``scale`` as a JSON-ready dict (see the README's Performance)."""
    work.mkdir(parents=True, exist_ok=True)
    progress(f"generating the project ×{scale}")
    project = generate(scale, work)
    progress("timing validate, build and check in fresh processes")
    compile_package()
    result: dict[str, Any] = {"scale": scale, "repeat": repeat, "project": describe(project)}
    result["machine"] = machine()
    timings = command_times(project, work, repeat)
    samples: dict[str, list[float]] = timings.pop("samples")
    result |= timings
    notes: dict[str, str] = {}
    micro = repeat if repeat < 3 else 3
    measures: list[tuple[str, str, Callable[[], inprocess.Result]]] = [
        (
            "render_overhead_ratio",
            "rendering overhead",
            lambda: inprocess.render_overhead(work, repeat),
        ),
        ("table_10k_rows_s", "10,000-row table", lambda: inprocess.table_10k_rows(repeat)),
        ("fits_1000_4pl_s", "1,000 4PL fits", lambda: inprocess.fits_1000_4pl(micro)),
        ("figures_200_s", "200 figures", lambda: inprocess.figures_200(micro)),
        ("pandoc_10k_rows_s", "pandoc", lambda: inprocess.pandoc_table(work, micro)),
    ]
    for key, label, measure in measures:
        progress(f"measuring the {label}")
        measured = measure()
        result[key] = measured.value
        samples[key] = measured.samples
        if measured.note:
            notes[key] = measured.note
    result["growth"] = None
    if growth and scale >= 10 and scale % 10 == 0:
        smaller = scale // 10
        progress(f"timing ×{smaller} for the growth to ×{scale}")
        base = command_times(generate(smaller, work), work, repeat)
        result["growth"] = {
            "from_scale": smaller,
            **{f"{key}_at_from_scale": base[key] for key in GROWTH},
            **{key: result[key] / base[key] for key in GROWTH},
        }
    result["budgets"] = budgets_for(scale)
    result["within_budget"] = within_budget(result, result["budgets"])
    result["notes"] = notes
    result["samples"] = samples
    return result
