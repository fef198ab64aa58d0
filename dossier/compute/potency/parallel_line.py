"""Ph. Eur. 5.3 parallel-line assays: ANOVA, validity tests, potency and Fieller limits.

The response is linear in x = ln(dose); every preparation has its own intercept and all
share one slope. The analysis of variance is computed as sequential least-squares fits,
with the design factors (blocks, or rows and columns of a Latin square) removed first:

1. design factors, 2. preparations, 3. regression (common slope),
4. non-parallelism (one slope per preparation), 5. non-linearity (one mean per
   preparation-dose cell; what the straight lines leave unexplained).

For the balanced designs of Ph. Eur. 5.3 this equals the chapter's contrast formulae;
for unbalanced completely randomised data it is the corresponding regression analysis.
The residual error of the full model estimates s², and the log potency ratio
M = (a_T - a_S) / b gets 95 % Fieller limits from the common-slope fit with that s².
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from dossier.compute.memo import memoized
from dossier.compute.potency._prepare import (
    check_data,
    fieller_limits,
    residual_is_zero,
    transform_responses,
)
from dossier.compute.potency.fieller import fieller
from dossier.compute.potency.types import (
    DoseResponseData,
    PotencyAnalysis,
    PreparationResult,
    TestResult,
    Transform,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["analyse_parallel_line"]

METHOD = (
    "Ph. Eur. 5.3 parallel-line model on ln(dose): sequential least-squares analysis of "
    "variance (design factors, preparations, regression, non-parallelism, non-linearity); "
    "log potency ratio (a_T - a_S)/b with {conf:.0%} Fieller limits using the residual error "
    "of the full model"
)


def _dummies(labels: list[str]) -> np.ndarray:
    """Indicator columns for every level but the first (treatment coding)."""
    import numpy as np

    levels = list(dict.fromkeys(labels))
    out = np.zeros((len(labels), max(len(levels) - 1, 0)))
    for i, lab in enumerate(labels):
        j = levels.index(lab)
        if j > 0:
            out[i, j - 1] = 1.0
    return out


def _rss(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Residual sum of squares and rank of a least-squares fit."""
    import numpy as np

    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    return float(resid @ resid), int(rank)


def _ftest(
    name: str,
    ss: float,
    df: int,
    ms_err: float,
    df_err: int,
    alpha: float,
    must_be_significant: bool,
) -> TestResult:
    from scipy.special import fdtrc

    if df <= 0 or df_err <= 0 or ms_err <= 0:
        return TestResult(name, None, df, df_err, None, False, "not testable")
    f = (ss / df) / ms_err
    p = float(fdtrc(df, df_err, f))
    passed = p < alpha if must_be_significant else p >= alpha
    criterion = f"p < {alpha:g}" if must_be_significant else f"p ≥ {alpha:g}"
    return TestResult(name, float(f), df, df_err, p, passed, criterion)


@memoized
def analyse_parallel_line(
    data: DoseResponseData,
    standard: str,
    *,
    assumed: dict[str, float] | None = None,
    transform: Transform = "none",
    alpha: float = 0.05,
    alphas: dict[str, float] | None = None,
    confidence: float = 0.95,
    similarity: Literal["f-test", "equivalence"] = "f-test",
) -> PotencyAnalysis:
    """Analyse a parallel-line assay (several test preparations against one standard).

    ``assumed`` gives the assumed potency of test preparations (default 1); potency and
    limits are returned in those units. ``alphas`` overrides the significance level per
    validity test (keys ``regression``, ``non_parallelism``, ``non_linearity``).
    ``similarity="equivalence"``: the F-tests of non-parallelism are computed and
    reported but do not decide validity; the caller judges parallelism by equivalence
    margins on the slopes (:mod:`dossier.compute.potency.criteria`).
    """
    import numpy as np
    from scipy.special import fdtrc, stdtrit

    obs = check_data(data, standard, log_dose=True)
    y = transform_responses([o.response for o in obs], transform, data)
    preps = [standard, *[p for p in data.preparations if p != standard]]
    prep_of = [o.preparation for o in obs]
    x = np.log(np.array([o.dose for o in obs]))
    n = len(obs)
    alphas = {
        "regression": alpha,
        "non_parallelism": alpha,
        "non_linearity": alpha,
        **(alphas or {}),
    }

    ones = np.ones((n, 1))
    design = data.design
    design_blocks: list[tuple[str, np.ndarray]] = []
    if design == "randomised-block":
        design_blocks.append(("Blocks", _dummies([str(o.block) for o in obs])))
    elif design == "latin-square":
        design_blocks.append(("Rows", _dummies([str(o.latin_row) for o in obs])))
        design_blocks.append(("Columns", _dummies([str(o.latin_column) for o in obs])))
    # preparations in the order standard, tests, so the coefficients are a_T - a_S
    prep_cols = _dummies([preps[0], *prep_of])[1:]
    slopes = prep_cols * x[:, None]
    cells = _dummies([f"{p}\x00{o.dose!r}" for p, o in zip(prep_of, obs, strict=True)])

    x_design = np.hstack([ones, *[d for _, d in design_blocks]])
    rss_total, _ = _rss(ones, y)
    rows: list[dict[str, float | int | str | None]] = []
    current = ones
    rss_prev, rank_prev = rss_total, 1
    for name, block in design_blocks:
        current = np.hstack([current, block])
        rss, rank = _rss(current, y)
        rows.append({"source": name, "df": rank - rank_prev, "ss": rss_prev - rss})
        rss_prev, rank_prev = rss, rank
    stages = [
        ("Preparations", np.hstack([x_design, prep_cols])),
        ("Regression", np.hstack([x_design, prep_cols, x[:, None]])),
        ("Non-parallelism", np.hstack([x_design, prep_cols, x[:, None], slopes])),
        ("Non-linearity", np.hstack([x_design, cells])),
    ]
    ss: dict[str, tuple[float, int]] = {}
    for name, matrix in stages:
        rss, rank = _rss(matrix, y)
        ss[name] = (rss_prev - rss, rank - rank_prev)
        rss_prev, rank_prev = rss, rank
    rss_full, rank_full = rss_prev, rank_prev
    df_err = n - rank_full
    # round-off left by an exact fit is no residual variance (zero for the data's scale)
    zero_residual = df_err > 0 and residual_is_zero(rss_full, y)
    ms_err = (0.0 if zero_residual else rss_full / df_err) if df_err > 0 else math.nan
    treat_ss = sum(v[0] for v in ss.values())
    treat_df = sum(v[1] for v in ss.values())
    for name in ("Preparations", "Regression", "Non-parallelism", "Non-linearity"):
        rows.append({"source": name, "df": ss[name][1], "ss": ss[name][0]})
    rows.append({"source": "Treatments", "df": treat_df, "ss": treat_ss})
    rows.append({"source": "Residual error", "df": df_err, "ss": rss_full})
    rows.append({"source": "Total", "df": n - 1, "ss": rss_total})
    for row in rows:
        df = int(row["df"] or 0)
        ssv = float(row["ss"] or 0.0)
        row["ms"] = ssv / df if df > 0 else None
        if (
            row["source"] not in {"Residual error", "Total"}
            and df > 0
            and df_err > 0
            and ms_err > 0
        ):
            f_value = (ssv / df) / ms_err
            row["F"] = f_value
            row["p"] = float(fdtrc(df, df_err, f_value))
        else:
            row["F"] = None
            row["p"] = None

    tests = {
        "regression": _ftest(
            "regression", *ss["Regression"], ms_err, df_err, alphas["regression"], True
        ),
        "non_parallelism": _ftest(
            "non_parallelism",
            *ss["Non-parallelism"],
            ms_err,
            df_err,
            alphas["non_parallelism"],
            False,
        ),
        "non_linearity": _ftest(
            "non_linearity", *ss["Non-linearity"], ms_err, df_err, alphas["non_linearity"], False
        ),
    }
    reasons: list[str] = []
    if df_err <= 0:
        reasons.append("no residual degrees of freedom: replicate the responses")
    elif not ms_err > 0:
        reasons.append(
            "the residual variance is zero for the responses' scale (identical replicates "
            "or an exact fit): no test or confidence limits"
        )
    for key, label in (
        ("regression", "the regression is not significant"),
        ("non_parallelism", "significant non-parallelism"),
        ("non_linearity", "significant non-linearity"),
    ):
        if key == "non_parallelism" and similarity == "equivalence":
            continue
        t = tests[key]
        if not t.passed and t.p is not None:
            reasons.append(f"{label} (F = {t.F:.3g}, p = {t.p:.3g})")

    # common-slope fit for the estimates and their covariance
    restricted = np.hstack([x_design, prep_cols, x[:, None]])
    coef, *_ = np.linalg.lstsq(restricted, y, rcond=None)
    xtx_inv = np.linalg.pinv(restricted.T @ restricted)
    k0 = x_design.shape[1]
    slope_index = restricted.shape[1] - 1
    b = float(coef[slope_index])
    t_crit = float(stdtrit(df_err, 0.5 + confidence / 2)) if df_err > 0 else math.nan
    results = []
    warnings: list[str] = []
    for j, prep in enumerate(preps[1:]):
        idx = k0 + j
        a = float(coef[idx])
        cov = ms_err * xtx_inv
        fl = fieller(
            a,
            b,
            float(cov[idx, idx]),
            float(cov[slope_index, slope_index]),
            float(cov[idx, slope_index]),
            t_crit,
        )
        prep_tests = (
            _prep_parallelism(
                prep,
                j,
                x_design,
                prep_cols,
                x,
                slopes,
                y,
                ms_err,
                df_err,
                alphas["non_parallelism"],
            ),
        )
        fl, prep_reasons = fieller_limits(fl, ms_err, prep, warnings)
        if not prep_tests[0].passed and prep_tests[0].p is not None and similarity == "f-test":
            prep_reasons.append(
                f"significant non-parallelism with the standard (p = {prep_tests[0].p:.3g})"
            )
        assumed_potency = (assumed or {}).get(prep, 1.0)
        rp = math.exp(fl.ratio) if math.isfinite(fl.ratio) else None
        lower = math.exp(fl.lower) if fl.lower is not None else None
        upper = math.exp(fl.upper) if fl.upper is not None else None
        valid = not reasons and not prep_reasons
        results.append(
            PreparationResult(
                preparation=prep,
                relative_potency=rp,
                potency=rp * assumed_potency if rp is not None else None,
                ci_lower=lower * assumed_potency if lower is not None else None,
                ci_upper=upper * assumed_potency if upper is not None else None,
                valid=valid,
                assumed_potency=assumed_potency,
                log_potency_ratio=fl.ratio,
                log_ci=(fl.lower, fl.upper) if fl.bounded else None,  # type: ignore[arg-type]
                ci_method=f"Fieller, {confidence:.0%}",
                reasons=tuple(prep_reasons),
                tests=prep_tests,
                g=fl.g if fl.bounded else None,
            )
        )
    if results and all(not r.valid for r in results) and not reasons:
        reasons.append("no test preparation has a valid estimate")
    return PotencyAnalysis(
        model="parallel-line",
        standard=standard,
        design=design,
        transform=transform,
        valid=not reasons,
        tests=tests,
        results=tuple(results),
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        anova=tuple(rows),
        residual_df=df_err,
        residual_variance=ms_err,
        parameters={
            "slope": b,
            # intercepts of the common-slope lines (design effects at their reference level)
            **{
                f"a[{p}]": float(coef[0]) + (float(coef[k0 + j - 1]) if j else 0.0)
                for j, p in enumerate(preps)
            },
        },
        method=METHOD.format(conf=confidence),
        source=data.source,
        rows_used=n,
    )


def _prep_parallelism(
    prep: str,
    j: int,
    x_design: np.ndarray,
    prep_cols: np.ndarray,
    x: np.ndarray,
    slopes: np.ndarray,
    y: np.ndarray,
    ms_err: float,
    df_err: int,
    alpha: float,
) -> TestResult:
    """Does this preparation's own slope differ from the common slope? (1-df F-test)."""
    import numpy as np

    common = np.hstack([x_design, prep_cols, x[:, None]])
    own = np.hstack([common, slopes[:, [j]]])
    rss_c, rank_c = _rss(common, y)
    rss_o, rank_o = _rss(own, y)
    return _ftest(
        f"non_parallelism[{prep}]", rss_c - rss_o, rank_o - rank_c, ms_err, df_err, alpha, False
    )
