"""One benchmark run at one scale: generate the project, time the commands, collect
the in-process figures, judge them against the budgets."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import inprocess
from benchmarks.generate import describe, generate
from benchmarks.measure import Sample, dossier_command, median, run_once
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
    """Median times of validate, build (all drafts, no PDF) and check, each run in a
    fresh process, and the build's peak memory.

    ``*_cold_s``: a fresh process after an edit of the project file (a comment line
    added), with dossier's cache folder as earlier runs left it, as in the loop of
    editing and rebuilding: the project is loaded, its results computed and its rules
    evaluated again, while the figures whose data did not change are taken from the
    cache. ``*_first_run_s``: a fresh process with an empty cache folder of its own, as
    on a new machine: every figure drawn.
    """
    outs = work / f"out-{project.name}"
    caches = work / f"caches-{project.name}"
    shutil.rmtree(caches, ignore_errors=True)
    source = project / "dossier.yaml" if project.is_dir() else project
    original = source.read_bytes()

    def empty(name: str) -> Callable[[int], dict[str, str]]:
        return lambda i: {"DOSSIER_CACHE_DIR": str(caches / f"{name}-{i}")}

    def edited(i: int) -> dict[str, str]:
        source.write_bytes(original + f"# edit {i}\n".encode())
        return {"DOSSIER_CACHE_DIR": str(caches / "kept")}

    def build(i: int) -> list[str]:
        out = outs / str(i)
        if out.exists():
            shutil.rmtree(out)
        return dossier_command("build", str(project), "--out", str(out))

    def validate(_: int) -> list[str]:
        return dossier_command("validate", str(project))

    def check(_: int) -> list[str]:
        return dossier_command("check", str(project))

    samples: dict[str, list[Sample]] = {}
    commands = (("validate", validate), ("build", build), ("check", check))
    try:
        for _, command in commands:
            run_once(command(-1), env=edited(-1))  # fills the shared cache
        # the runs of the six cases take turns, and each turn starts one case further on,
        # so that a slow spell of a shared machine (or what one run leaves the next, such
        # as files still being written out) falls on every case alike
        cases = [(name, command, kind) for name, command in commands for kind in ("first", "cold")]
        for i in range(repeat):
            start = i % len(cases)
            for name, command, kind in cases[start:] + cases[:start]:
                if kind == "first":
                    sample = run_once(command(i), env=empty(name)(i))
                    samples.setdefault(f"{name}_first_run_s", []).append(sample)
                else:
                    sample = run_once(command(i), env=edited(i))
                    samples.setdefault(f"{name}_cold_s", []).append(sample)
        # the build's memory with every process it starts, on a first run (every figure
        # drawn) and after an edit
        memory = [
            run_once(build(repeat), env=empty("memory")(0), tree_memory=True),
            run_once(build(repeat), env=edited(repeat), tree_memory=True),
        ]
    finally:
        source.write_bytes(original)
        shutil.rmtree(outs, ignore_errors=True)
        shutil.rmtree(caches, ignore_errors=True)
    timings: dict[str, Any] = {
        key: median([s.seconds for s in runs]) for key, runs in samples.items()
    }
    timings["peak_rss_mb"] = max(s.max_rss_mb for s in memory)
    timings["samples"] = {key: [s.seconds for s in runs] for key, runs in samples.items()}
    timings["samples"]["peak_rss_mb"] = [s.max_rss_mb for s in memory]
    return timings


def run(
    scale: int,
    work: Path,
    repeat: int = 7,
    *,
    growth: bool = True,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Every metric at ``scale`` as a JSON-ready dict (see benchmarks/README.md)."""
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
        (
            "fits_1000_4pl_r_nls_s",
            "same fits with R's nls",
            lambda: inprocess.fits_1000_4pl_r_nls(work, micro),
        ),
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
