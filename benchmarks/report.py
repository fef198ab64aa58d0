"""Budgets, the machine description and the Markdown table of a benchmark run."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

__all__ = ["METRICS", "budgets_for", "machine", "markdown", "within_budget"]

# metric key -> (label, unit)
METRICS: dict[str, tuple[str, str]] = {
    "validate_cold_s": ("dossier validate, cold (after an edit)", "s"),
    "build_cold_s": ("dossier build (all drafts, no PDF), cold (after an edit)", "s"),
    "check_cold_s": ("dossier check, cold (after an edit)", "s"),
    "validate_first_run_s": ("dossier validate, first run (empty cache)", "s"),
    "build_first_run_s": ("dossier build, first run (empty cache: every figure drawn)", "s"),
    "check_first_run_s": ("dossier check, first run (empty cache)", "s"),
    "peak_rss_mb": ("peak memory of the build (all its processes)", "MB"),
    "render_overhead_ratio": ("rendering overhead against plain docxtpl", "×"),
    "table_10k_rows_s": ("one 10,000-row table through the Word writer", "s"),
    "fits_1000_4pl_s": ("1,000 4PL similarity fits", "s"),
    "fits_1000_4pl_r_nls_s": ("base R nls, the same 1,000 4PL fits (comparison)", "s"),
    "figures_200_s": ("200 figures (dose-response, batch, biodistribution)", "s"),
    "pandoc_10k_rows_s": ("pandoc, the same table from Markdown (comparison)", "s"),
}
GROWTH = ("validate_cold_s", "build_cold_s", "check_cold_s")


def budgets_for(scale: int) -> dict[str, float]:
    """The budgets that apply at ``scale`` (on a 2-core machine)."""
    budgets = {"render_overhead_ratio": 1.2, "table_10k_rows_s": 0.5, "fits_1000_4pl_s": 8.0}
    if scale == 1:
        budgets |= {
            "validate_cold_s": 0.25,
            "check_first_run_s": 1.5,
            "build_cold_s": 1.5,
            "build_first_run_s": 4.0,
        }
    if scale == 100:
        budgets |= {"build_cold_s": 15.0, "build_first_run_s": 15.0, "peak_rss_mb": 500.0}
        # and the cold commands should grow about linearly with the project
        budgets |= {f"growth_{key}": 11.0 for key in GROWTH}
    return budgets


def within_budget(result: dict[str, Any], budgets: dict[str, float]) -> dict[str, bool | None]:
    """Per budgeted metric: within its budget, or ``None`` when it was not measured."""
    verdicts: dict[str, bool | None] = {}
    for key, limit in budgets.items():
        if key.startswith("growth_"):
            value = (result.get("growth") or {}).get(key.removeprefix("growth_"))
        else:
            value = result.get(key)
        verdicts[key] = None if value is None else bool(value <= limit)
    return verdicts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def machine() -> dict[str, Any]:
    """CPU model, usable cores, memory, Python and OS of this machine."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def markdown(result: dict[str, Any]) -> str:
    """The run as a Markdown table: metric, value, budget, verdict."""
    budgets: dict[str, float] = result["budgets"]
    verdicts: dict[str, bool | None] = result["within_budget"]
    notes: dict[str, str] = result.get("notes", {})
    m = result["machine"]
    lines = [
        f"Scale ×{result['scale']} ({_counts(result['project'])}), "
        f"median of {result['repeat']} runs; {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB, Python {m['python']}.",
        "",
        "| metric | value | budget | within budget |",
        "| --- | --- | --- | --- |",
    ]

    def row(key: str, label: str, value: float | None, unit: str) -> None:
        limit = budgets.get(key)
        verdict = verdicts.get(key)
        mark = "—" if limit is None else {True: "yes", False: "**no**", None: "n/a"}[verdict]
        text = _fmt(value, unit)
        if value is None and key.removeprefix("growth_") in notes:
            text = f"n/a ({notes[key.removeprefix('growth_')]})"
        lines.append(
            f"| {label} | {text} | {'—' if limit is None else _fmt(limit, unit)} | {mark} |"
        )

    for key, (label, unit) in METRICS.items():
        row(key, label, result.get(key), unit)
    growth = result.get("growth") or {}
    if growth:
        for key in GROWTH:
            label = f"growth ×{growth['from_scale']} → ×{result['scale']}: {METRICS[key][0]}"
            row(f"growth_{key}", label, growth.get(key), "×")
    return "\n".join(lines) + "\n"


def _counts(project: dict[str, int]) -> str:
    return ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in project.items())
