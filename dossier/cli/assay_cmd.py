"""``dossier assay``: analyse one assay run before it goes into the project.

Exit codes: 0 when the analysis ran (also when the assay is *invalid*: the verdict says
so, with the failing test named), 1 for unreadable or malformed data (located errors),
2 for wrong usage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from dossier.cli.assay_combine_cmd import combine_cmd
from dossier.cli.assay_criteria import (
    build_criteria,
    criteria_json,
    criteria_options,
    judged,
    print_criteria,
)
from dossier.cli.common import echo_json, user_errors_exit
from dossier.compute.potency import models as potency_models
from dossier.load.numbers import DECIMALS, THOUSANDS

if TYPE_CHECKING:  # pragma: no cover
    from dossier.compute.potency.types import Transform
    from dossier.core.diagnostics import Diagnostic
    from dossier.load.numbers import DecimalSeparator, ThousandsSeparator

MODELS = potency_models.cli_names()


@click.group("assay")
def assay_group() -> None:
    """Analyse assay data: relative potency and validation statistics."""


assay_group.add_command(combine_cmd)


def _parse_assumed(values: tuple[str, ...]) -> dict[str, float]:
    """PREP=VALUE pairs; a value must be a finite number above zero (a potency)."""
    out: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            value = float(number)
        except ValueError:
            raise click.BadParameter(
                f"'{item}' is not PREP=VALUE", param_hint="--assumed"
            ) from None
        if not (math.isfinite(value) and value > 0):
            raise click.BadParameter(
                f"'{item}': an assumed potency is a finite number above zero",
                param_hint="--assumed",
            )
        if name in out:
            raise click.BadParameter(f"'{name}' is given twice", param_hint="--assumed")
        out[name] = value
    return out


def _check_assumed(assumed: dict[str, float], preparations: Sequence[str], standard: str) -> None:
    """Every --assumed name is a test preparation of the data (usage errors otherwise)."""
    for name in assumed:
        if name == standard:
            raise click.BadParameter(
                f"'{name}' is the standard; an assumed potency belongs to a test preparation",
                param_hint="--assumed",
            )
        if name not in preparations:
            known = ", ".join(p for p in preparations if p != standard)
            raise click.BadParameter(
                f"'{name}' is not a preparation of the data (test preparations: {known})",
                param_hint="--assumed",
            )


def _finite(value: Any) -> Any:
    """The JSON form of a value: every float that is not finite becomes null (the reasons
    of the analysis say why it could not be computed)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _fmt(value: float | None, digits: int = 4) -> str:
    """At least ``digits`` significant figures; whole units up to a billion, no exponent."""
    if value is None:
        return "—"
    if 10**digits <= abs(value) < 1e9:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def _not_testable(t: Any) -> bool:
    """A validity test that the design or the fits cannot perform (e.g. non-linearity with
    2 doses): not assessed, neither passed nor failed."""
    return (
        t.F is None
        and t.p is None
        and not t.passed
        and t.criterion.startswith(("not testable", "not assessed"))
    )


def _tests_json(tests: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {
        name: {
            "F": t.F,
            "p": t.p,
            "df": [t.df_num, t.df_den],
            "passed": None if _not_testable(t) else t.passed,
            "criterion": t.criterion,
        }
        for name, t in tests
    }


def potency_json(analysis: Any) -> dict[str, Any]:
    """The JSON contract of ``dossier assay potency`` (other tools read it); a number
    that could not be computed is null, with the reason among the ``reasons``."""
    tests = _tests_json(analysis.tests.items())
    doc: dict[str, Any] = _finite(
        {
            "model": analysis.model,
            "standard": analysis.standard,
            "design": analysis.design,
            "transform": analysis.transform,
            "valid": analysis.valid,
            "reasons": list(analysis.reasons),
            "tests": tests,
            "results": [
                {
                    "preparation": r.preparation,
                    "relative_potency": r.relative_potency,
                    "potency": r.potency,
                    "ci_lower": r.ci_lower,
                    "ci_upper": r.ci_upper,
                    "assumed_potency": r.assumed_potency,
                    "ci_method": r.ci_method,
                    "g": r.g,
                    "valid": r.valid,
                    "reasons": list(r.reasons),
                    "tests": _tests_json((t.name, t) for t in r.tests),
                }
                for r in analysis.results
            ],
            "anova": [dict(row) for row in analysis.anova],
            "residual_df": analysis.residual_df,
            "parameters": dict(analysis.parameters),
            "warnings": list(analysis.warnings),
            "method": analysis.method,
            "source": analysis.source,
            "rows_used": analysis.rows_used,
        }
    )
    return doc


def _print_text(analysis: Any) -> None:
    click.echo(
        f"{analysis.source}: {analysis.model} model, {analysis.design} design, "
        f"standard '{analysis.standard}', {analysis.rows_used} responses"
    )
    if analysis.anova:
        click.echo("")
        click.echo(f"  {'source':<16} {'df':>4} {'SS':>14} {'MS':>14} {'F':>10} {'p':>10}")
        for row in analysis.anova:
            click.echo(
                f"  {row['source']:<16} {row['df']:>4} {_fmt(row['ss'], 6):>14} "
                f"{_fmt(row.get('ms'), 6):>14} {_fmt(row.get('F')):>10} {_fmt(row.get('p'), 3):>10}"
            )
    click.echo("")
    click.echo("  validity tests:")
    for name, t in analysis.tests.items():
        verdict = "n/a" if _not_testable(t) else "pass" if t.passed else "FAIL"
        stat = f"F = {_fmt(t.F)}, p = {_fmt(t.p, 3)}" if t.F is not None else "-"
        click.echo(f"    {name:<16} {verdict:<5} {stat}  ({t.criterion})")
    click.echo("")
    click.echo(
        f"  {'preparation':<14} {'rel. potency':>12} {'potency':>12} {'95 % limits':>26}  valid"
    )
    for r in analysis.results:
        limits = f"{_fmt(r.ci_lower)} – {_fmt(r.ci_upper)}"
        click.echo(
            f"  {r.preparation:<14} {_fmt(r.relative_potency):>12} {_fmt(r.potency):>12} "
            f"{limits:>26}  {'yes' if r.valid else 'NO'}"
        )
        for reason in r.reasons:
            click.echo(f"      {reason}")
    for warning in analysis.warnings:
        click.echo(f"  warning: {warning}")
    click.echo("")
    if analysis.valid:
        click.echo("  verdict: VALID assay")
    else:
        click.echo("  verdict: INVALID assay: " + "; ".join(analysis.reasons))
    ci = analysis.results[0].ci_method if analysis.results else ""
    click.echo(f"  method: {analysis.method}" + (f"; limits: {ci}" if ci else ""))


def _number_options(func: Any) -> Any:
    """--decimal and --thousands: the number convention of the data file."""
    func = click.option(
        "--thousands",
        type=click.Choice(THOUSANDS),
        default="none",
        show_default=True,
        help="Thousands separator of numbers written as text in the file.",
    )(func)
    return click.option(
        "--decimal",
        type=click.Choice(DECIMALS),
        default="point",
        show_default=True,
        help="Decimal separator of numbers written as text in the file.",
    )(func)


def _convention(decimal: str, thousands: str) -> tuple[DecimalSeparator, ThousandsSeparator]:
    if decimal == thousands:
        raise click.UsageError(f"--decimal and --thousands cannot both be '{decimal}'")
    return cast("DecimalSeparator", decimal), cast("ThousandsSeparator", thousands)


def _warn(warnings: Sequence[Diagnostic]) -> None:
    """Warnings about the data file, on standard error (standard output stays the result)."""
    for warning in warnings:
        click.echo(warning.format_text(), err=True)


@assay_group.command("potency")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", type=click.Choice(MODELS), required=True, help="Statistical model.")
@click.option("--standard", required=True, help="Name of the standard in the 'preparation' column.")
@click.option(
    "--assumed",
    multiple=True,
    metavar="PREP=VALUE",
    help="Assumed potency of a test preparation (repeatable; default 1).",
)
@click.option(
    "--transform",
    type=click.Choice(["none", "ln", "log10", "sqrt", "square"]),
    default="none",
    show_default=True,
    help="Response transform before analysis.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0.0001, 0.5),
    default=0.05,
    show_default=True,
    help="Significance level of the validity tests.",
)
@click.option("--sheet", help="Sheet of an XLSX file.")
@_number_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@criteria_options
@user_errors_exit
def potency_cmd(
    data: Path,
    model: str,
    standard: str,
    assumed: tuple[str, ...],
    transform: str,
    alpha: float,
    sheet: str | None,
    decimal: str,
    thousands: str,
    fmt: str,
    **criteria_args: Any,
) -> None:
    """Relative potency of DATA.csv (columns preparation,dose,response[,block|row,column]).

    The design follows from the columns: 'block' gives a randomised block design, 'row'
    and 'column' a Latin square, neither a completely randomised design.
    """
    from dossier.compute.potency.io import read_dose_response

    assumed_map = _parse_assumed(assumed)
    criteria, similarity = build_criteria(model, alpha, **criteria_args)
    kind = cast("Transform", transform)
    number_decimal, number_thousands = _convention(decimal, thousands)
    warnings: list[Diagnostic] = []
    dataset = read_dose_response(
        data, sheet=sheet, decimal=number_decimal, thousands=number_thousands, warnings=warnings
    )
    _warn(warnings)
    _check_assumed(assumed_map, dataset.preparations, standard)
    if model == "parallel-line":
        from dossier.compute.potency.parallel_line import analyse_parallel_line

        analysis = analyse_parallel_line(
            dataset,
            standard,
            assumed=assumed_map,
            transform=kind,
            alpha=alpha,
            similarity=similarity,
        )
    elif model == "slope-ratio":
        from dossier.compute.potency.slope_ratio import analyse_slope_ratio

        analysis = analyse_slope_ratio(
            dataset,
            standard,
            assumed=assumed_map,
            transform=kind,
            alpha=alpha,
        )
    else:
        # the logistic models (4pl, 5pl) by the registry's function
        entry = potency_models.by_cli_name(model)
        if entry is None:  # pragma: no cover - click allows the registry's names only
            raise click.UsageError(f"unknown model '{model}'")
        analysis = entry.function()(
            dataset,
            standard,
            assumed=assumed_map,
            transform=kind,
            alpha=alpha,
            similarity=similarity,
        )
    analysis, outcomes = judged(criteria, analysis, dataset)
    if fmt == "json":
        echo_json({**potency_json(analysis), "criteria": criteria_json(outcomes)})
    else:
        _print_text(analysis)
        print_criteria(outcomes)


def _validation_json(characteristic: str, result: Any) -> dict[str, Any]:
    """The JSON contract of ``dossier assay validation``.

    Fields are named for what they hold: on the log scale an SD is of natural logarithms
    (``sd_ln``) and a coefficient of variation is geometric (``gcv_percent``).
    """
    if characteristic == "accuracy":

        def level(item: Any) -> dict[str, Any]:
            spread = (
                {"sd_ln": item.sd, "gcv_percent": item.gcv_percent}
                if result.log_scale
                else {"sd": item.sd}
            )
            return {
                "level": item.level,
                "n": item.n,
                "mean_recovery_percent": item.mean_recovery_percent,
                "relative_bias_percent": item.relative_bias_percent,
                **spread,
                "ci_lower": item.ci_lower,
                "ci_upper": item.ci_upper,
            }

        return {
            "overall": level(result.overall),
            "levels": [level(x) for x in result.levels],
            "log_scale": result.log_scale,
            "ci_level": 0.95,
            "method": result.method,
        }
    if characteristic == "precision":
        sd_key, cv_key = ("sd_ln", "gcv_percent") if result.log_scale else ("sd", "cv_percent")

        def interval(ci: Any) -> dict[str, Any] | None:
            if ci is None:
                return None
            return {
                "level": ci.confidence,
                "df": ci.df,
                f"{sd_key}_lower": ci.sd_lower,
                f"{sd_key}_upper": ci.sd_upper,
                f"{cv_key}_lower": ci.cv_lower_percent,
                f"{cv_key}_upper": ci.cv_upper_percent,
                "method": ci.method,
            }

        def part(sd: float, cv: float, ci: Any) -> dict[str, Any]:
            return {sd_key: sd, cv_key: cv, "ci": interval(ci)}

        return {
            "repeatability": part(
                result.repeatability_sd, result.repeatability_cv_percent, result.repeatability_ci
            ),
            "intermediate_precision": part(
                result.intermediate_sd, result.intermediate_cv_percent, result.intermediate_ci
            ),
            "variance_components": result.components,
            "log_scale": result.log_scale,
            "n": result.n,
            "method": result.method,
            "interval_note": result.interval_note or None,
        }
    return {
        "slope": result.slope,
        "intercept": result.intercept,
        "r_squared": result.r_squared,
        "residual_sd": result.residual_sd,
        "slope_se": result.slope_se,
        "intercept_se": result.intercept_se,
        "slope_ci_lower": result.slope_ci_lower,
        "slope_ci_upper": result.slope_ci_upper,
        "n": result.n,
        "log_scale": result.log_scale,
        "residuals": list(result.residuals),
    }


@assay_group.command("validation")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--characteristic",
    type=click.Choice(["accuracy", "precision", "linearity"]),
    required=True,
    help="ICH Q2(R2) characteristic the data support.",
)
@click.option("--factors", help="Precision: factor columns, outermost first (e.g. day,analyst).")
@click.option("--log-scale", is_flag=True, help="Analyse on the log scale (relative potency; GCV).")
@click.option("--sheet", help="Sheet of an XLSX file.")
@_number_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@user_errors_exit
def validation_cmd(
    data: Path,
    characteristic: str,
    factors: str | None,
    log_scale: bool,
    sheet: str | None,
    decimal: str,
    thousands: str,
    fmt: str,
) -> None:
    """ICH Q2(R2) statistics of DATA.csv.

    Accuracy and linearity: columns nominal,measured (accuracy optionally level).
    Precision: one column per factor (listed with --factors, outermost first) and value.
    """
    from dossier.compute import validation_stats as vs
    from dossier.load.tables import read_table, require_positive

    number_decimal, number_thousands = _convention(decimal, thousands)
    result: Any
    try:
        if characteristic == "precision":
            names = [f.strip() for f in (factors or "").split(",") if f.strip()]
            if not names:
                raise click.UsageError(
                    "--factors is required for precision (e.g. --factors day,analyst)"
                )
            table = read_table(
                data,
                required=(*names, "value"),
                numeric=("value",),
                sheet=sheet,
                decimal=number_decimal,
                thousands=number_thousands,
            )
            _warn(table.warnings)
            if log_scale:
                require_positive(table, ("value",), "the log scale needs positive values")
            result = vs.precision(
                [[r.text[f] for f in names] for r in table.rows],
                [r.numbers["value"] for r in table.rows],
                names,
                log_scale=log_scale,
            )
        else:
            table = read_table(
                data,
                required=("nominal", "measured"),
                numeric=("nominal", "measured"),
                optional=("level",),
                sheet=sheet,
                decimal=number_decimal,
                thousands=number_thousands,
            )
            _warn(table.warnings)
            if log_scale:
                require_positive(
                    table, ("nominal", "measured"), "the log scale needs positive values"
                )
            elif characteristic == "accuracy":
                require_positive(table, ("nominal",), "recovery divides by the nominal value")
            nominal = [r.numbers["nominal"] for r in table.rows]
            measured = [r.numbers["measured"] for r in table.rows]
            if characteristic == "accuracy":
                levels = [r.text.get("level") or f"{r.numbers['nominal']:g}" for r in table.rows]
                result = vs.accuracy(nominal, measured, levels, log_scale=log_scale)
            else:
                result = vs.linearity(nominal, measured, log_scale=log_scale)
    except ValueError as exc:
        from dossier.core.diagnostics import Diagnostic, Location, Severity
        from dossier.core.errors import DataFileError

        raise DataFileError(
            Diagnostic("DOS-S102", Severity.ERROR, str(exc), Location(str(data), 0, 0))
        ) from None
    doc = _validation_json(characteristic, result)
    if fmt == "json":
        echo_json(doc)
        return
    click.echo(f"{data}: {characteristic}")
    if characteristic == "accuracy":
        spread = "GCV %" if result.log_scale else "SD"
        click.echo(f"  {'level':<10} {'n':>3} {'recovery %':>11} {spread:>8} {'95 % CI':>18}")
        for item in [*result.levels, result.overall]:
            ci = f"{_fmt(item.ci_lower)} – {_fmt(item.ci_upper)}"
            recovery = _fmt(item.mean_recovery_percent)
            shown = _fmt(item.gcv_percent if result.log_scale else item.sd)
            click.echo(f"  {item.level:<10} {item.n:>3} {recovery:>11} {shown:>8} {ci:>18}")
    elif characteristic == "precision":
        word = "GCV %" if result.log_scale else "CV %"
        rep, inter = result.repeatability_cv_percent, result.intermediate_cv_percent
        click.echo(
            f"  repeatability:          SD {_fmt(result.repeatability_sd)}, {word} {_fmt(rep)}"
        )
        click.echo(
            f"  intermediate precision: SD {_fmt(result.intermediate_sd)}, {word} {_fmt(inter)}"
        )
        for name, ci in (
            ("repeatability", result.repeatability_ci),
            ("intermediate precision", result.intermediate_ci),
        ):
            if ci is not None:
                click.echo(
                    f"  {name} {ci.confidence * 100:g} % CI: SD {_fmt(ci.sd_lower)} – "
                    f"{_fmt(ci.sd_upper)}, {word} {_fmt(ci.cv_lower_percent)} – "
                    f"{_fmt(ci.cv_upper_percent)} ({ci.method}; {_fmt(ci.df)} df)"
                )
        if result.interval_note:
            click.echo(f"  note: {result.interval_note}")
        for name, value in result.components.items():
            click.echo(f"  variance component {name}: {_fmt(value)}")
        click.echo(f"  method: {result.method}")
    else:
        ci = f"{_fmt(result.slope_ci_lower)} – {_fmt(result.slope_ci_upper)}"
        click.echo(f"  slope {_fmt(result.slope)} (SE {_fmt(result.slope_se)}; 95 % CI {ci})")
        click.echo(f"  intercept {_fmt(result.intercept)} (SE {_fmt(result.intercept_se)})")
        click.echo(
            f"  R² {result.r_squared:.6f}; residual SD {_fmt(result.residual_sd)}; n = {result.n}"
        )
