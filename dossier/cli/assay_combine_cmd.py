"""``dossier assay combine``: one potency from independent assay results (Ph. Eur. 5.3, 6).

Exit codes: 0 when the combination was computed (also when a condition of the weighted
method is not met: the output says which, and which method was used instead), 1 for an
unreadable or malformed results file (located errors), 2 for wrong usage.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossier.cli.common import echo_json, user_errors_exit
from dossier.compute.potency.combine_types import METHOD_CHOICES

if TYPE_CHECKING:  # pragma: no cover
    from dossier.compute.potency.combine_types import Combination, Estimate, MethodChoice

__all__ = ["combine_cmd", "combine_json"]


def _finite(value: float | None) -> float | None:
    """A number for JSON: None when it is missing or not finite."""
    return value if value is not None and math.isfinite(value) else None


def _num(value: float | None, digits: int = 5) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if 10**digits <= abs(value) < 1e9:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def combine_json(result: Combination, estimates: list[Estimate], source: str) -> dict[str, Any]:
    """The JSON contract of ``dossier assay combine`` (other tools read it)."""
    h = result.heterogeneity
    return {
        "estimate": _finite(result.estimate),
        "ci_lower": _finite(result.ci_lower),
        "ci_upper": _finite(result.ci_upper),
        "confidence": result.confidence,
        "method": result.method.value,
        "requested_method": result.requested,
        "reason": result.reason,
        "heterogeneity": {"chi2": _finite(h.chi2), "df": h.df, "p": _finite(h.p)},
        "preconditions": [
            {"name": p.name.value, "met": p.met, "detail": p.detail} for p in result.preconditions
        ],
        "n": result.n,
        "log_estimate": _finite(result.log_estimate),
        "standard_error": _finite(result.standard_error),
        "t_df": result.t_df,
        "between_assay_variance": _finite(result.between_variance),
        "assays": [
            {
                "run": a.label,
                "estimate": e.value,
                "lower": e.lower,
                "upper": e.upper,
                "df": e.df,
                "g": e.g,
                "ln_estimate": _finite(a.log_estimate),
                "variance": _finite(a.variance),
                "weight": _finite(a.weight),
                "weight_used": _finite(a.weight_used),
                "share": _finite(a.share),
            }
            for a, e in zip(result.assays, estimates, strict=True)
        ],
        "source": source,
    }


def _print_text(result: Combination, estimates: list[Estimate], source: str) -> None:
    level = f"{result.confidence * 100:g} %"
    click.echo(f"{source}: {result.n} assay results")
    click.echo("")
    limits = f"{_num(result.ci_lower)} – {_num(result.ci_upper)}"
    click.echo(f"  combined estimate {_num(result.estimate)}, {level} limits {limits}")
    click.echo(f"  method: {result.method.value} (requested: {result.requested})")
    click.echo(f"  reason: {result.reason}")
    h = result.heterogeneity
    if h.chi2 is not None:
        click.echo(f"  homogeneity: χ² = {_num(h.chi2, 4)} on {h.df} df, p = {_num(h.p, 3)}")
    if result.between_variance is not None:
        click.echo(f"  inter-assay variance of ln potency: {_num(result.between_variance, 4)}")
    click.echo("")
    click.echo("  conditions of the weighted combination (Ph. Eur. 5.3, 6.2):")
    for p in result.preconditions:
        verdict = "unknown" if p.met is None else "met" if p.met else "NOT MET"
        click.echo(f"    {p.name.label:<22} {verdict:<8} {p.detail}")
    click.echo("")
    click.echo(f"  {'run':<12} {'estimate':>10} {level + ' limits':>22} {'df':>5} {'share %':>8}")
    for a, e in zip(result.assays, estimates, strict=True):
        shown = f"{_num(e.lower)} – {_num(e.upper)}"
        share = _num(a.share * 100, 3)
        click.echo(f"  {a.label:<12} {_num(e.value):>10} {shown:>22} {e.df:>5} {share:>8}")


@click.command("combine")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(METHOD_CHOICES),
    default="auto",
    show_default=True,
    help="auto: weighted when the conditions of Ph. Eur. 5.3, 6.2 hold, semi-weighted when "
    "the estimates are heterogeneous, unweighted when the weights cannot be trusted.",
)
@click.option(
    "--independent/--not-independent",
    default=None,
    help="Declare whether the assays are independent (condition 1 of 6.2); not declared "
    "by default.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0.0001, 0.5),
    default=0.05,
    show_default=True,
    help="Significance level of the homogeneity test.",
)
@click.option("--sheet", help="Sheet of an XLSX file.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@user_errors_exit
def combine_cmd(
    results: Path,
    method: MethodChoice,
    independent: bool | None,
    alpha: float,
    sheet: str | None,
    fmt: str,
) -> None:
    """Combine independent assay results of RESULTS.csv into one potency.

    One row per assay: run,estimate,lower,upper,df and optionally g (for C = 1/(1 - g)).
    The limits are those of the estimate at 95 %, on the same scale.
    """
    from dossier.compute.potency.combine import combine
    from dossier.compute.potency.combine_io import read_results
    from dossier.core.diagnostics import Diagnostic, Location, Severity
    from dossier.core.errors import DataFileError

    estimates = read_results(results, sheet=sheet)
    try:
        result = combine(estimates, method=method, independent=independent, alpha=alpha)
    except ValueError as exc:  # what the file checks cannot see (limits equal on the log scale)
        where = Location(str(results), 0, 0)
        raise DataFileError(Diagnostic("DOS-S103", Severity.ERROR, str(exc), where)) from None
    if fmt == "json":
        echo_json(combine_json(result, estimates, str(results)))
    else:
        _print_text(result, estimates, str(results))
