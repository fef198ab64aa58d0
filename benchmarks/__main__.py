"""``python -m benchmarks --scale N --json OUT.json``: the performance benchmark.

Writes OUT.json (every metric, its samples, the budgets and verdicts, the machine) and
OUT.md (the same as a Markdown table) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.report import markdown
from benchmarks.suite import run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time dossier on the CAR-T example scaled ×N and judge the budgets.",
    )
    parser.add_argument("--scale", type=int, default=1, help="1, 10 or 100 (default 1)")
    parser.add_argument(
        "--json",
        dest="json_path",
        type=Path,
        default=Path("benchmark.json"),
        help="where to write the results (the Markdown table goes next to it, .md)",
    )
    parser.add_argument("--repeat", type=int, default=7, help="runs per metric (median)")
    parser.add_argument(
        "--workdir", type=Path, help="folder for the generated projects (default: a temp dir)"
    )
    parser.add_argument(
        "--no-growth", action="store_true", help="skip timing ×N/10 for the growth ratios"
    )
    parser.add_argument(
        "--fail-over-budget", action="store_true", help="exit 1 when a budget is missed"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when done (and, with --fail-over-budget, all budgets met)."""
    args = _parser().parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        print("--scale and --repeat must be at least 1", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    if args.workdir is not None:
        result = run(
            args.scale, args.workdir, args.repeat, growth=not args.no_growth, progress=progress
        )
    else:
        with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
            result = run(
                args.scale, Path(tmp), args.repeat, growth=not args.no_growth, progress=progress
            )
    args.json_path.parent.mkdir(parents=True, exist_ok=True)
    args.json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = markdown(result)
    args.json_path.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    missed = [key for key, ok in result["within_budget"].items() if ok is False]
    if missed:
        print(f"over budget: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed and args.fail_over_budget else 0


if __name__ == "__main__":
    sys.exit(main())
