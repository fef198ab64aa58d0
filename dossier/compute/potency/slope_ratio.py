"""Ph. Eur. 5.3 slope-ratio assays: response linear in dose, common intercept.

y = a + b_p · dose for every preparation p, with one intercept a shared by all (the
response at zero dose, measured by blanks where present). The potency ratio is
R = b_T / b_S with Fieller limits. The sequential analysis of variance:

1. design factors, 2. regression (common intercept, one slope per preparation),
3. intersection (separate intercepts: the lines do not meet at zero dose),
4. non-linearity (one mean per preparation-dose cell).

Validity: regression significant; intersection and non-linearity not significant.
"""

from __future__ import annotations

import math

from dossier.compute.memo import memoized
from dossier.compute.potency._prepare import (
    check_data,
    fieller_limits,
    residual_is_zero,
    transform_responses,
)
from dossier.compute.potency.fieller import fieller
from dossier.compute.potency.parallel_line import _dummies, _ftest, _rss
from dossier.compute.potency.types import (
    DoseResponseData,
    PotencyAnalysis,
    PreparationResult,
    Transform,
)

__all__ = ["analyse_slope_ratio"]


@memoized
def analyse_slope_ratio(
    data: DoseResponseData,
    standard: str,
    *,
    assumed: dict[str, float] | None = None,
    transform: Transform = "none",
    alpha: float = 0.05,
    alphas: dict[str, float] | None = None,
    confidence: float = 0.95,
) -> PotencyAnalysis:
    """Analyse a slope-ratio assay; zero doses (blanks) belong to every preparation."""
    import numpy as np
    from scipy.special import fdtrc, stdtrit

    obs = check_data(data, standard, log_dose=False)
    y = transform_responses([o.response for o in obs], transform, data)
    preps = [standard, *[p for p in data.preparations if p != standard]]
    dose = np.array([o.dose for o in obs])
    n = len(obs)
    alphas = {"regression": alpha, "intersection": alpha, "non_linearity": alpha, **(alphas or {})}
    ones = np.ones((n, 1))
    design: list[np.ndarray] = []
    if data.design == "randomised-block":
        design.append(_dummies([str(o.block) for o in obs]))
    elif data.design == "latin-square":
        design.append(_dummies([str(o.latin_row) for o in obs]))
        design.append(_dummies([str(o.latin_column) for o in obs]))
    x_design = np.hstack([ones, *design])
    # one slope column per preparation: dose where the row belongs to it, else 0
    slope_cols = np.column_stack(
        [np.where([o.preparation == p for o in obs], dose, 0.0) for p in preps]
    )
    blank = dose == 0
    # separate intercepts for the non-blank responses of each preparation but the first
    icpt = np.column_stack(
        [
            np.where(
                [(o.preparation == p) and not b for o, b in zip(obs, blank, strict=True)], 1.0, 0.0
            )
            for p in preps[1:]
        ]
    )
    cells = _dummies(
        [
            ("blank" if b else f"{o.preparation}\x00{o.dose!r}")
            for o, b in zip(obs, blank, strict=True)
        ]
    )
    rss_total, _ = _rss(ones, y)
    rss_prev, rank_prev = _rss(x_design, y)
    rows: list[dict[str, float | int | str | None]] = []
    if design:
        rows.append({"source": "Design factors", "df": rank_prev - 1, "ss": rss_total - rss_prev})
    stages = [
        ("Regression", np.hstack([x_design, slope_cols])),
        ("Intersection", np.hstack([x_design, slope_cols, icpt])),
        ("Non-linearity", np.hstack([x_design, cells])),
    ]
    ss: dict[str, tuple[float, int]] = {}
    for name, matrix in stages:
        rss, rank = _rss(matrix, y)
        ss[name] = (max(rss_prev - rss, 0.0), rank - rank_prev)
        rss_prev, rank_prev = rss, rank
    df_err = n - rank_prev
    # round-off left by an exact fit is no residual variance (zero for the data's scale)
    zero_residual = df_err > 0 and residual_is_zero(rss_prev, y)
    ms_err = (0.0 if zero_residual else rss_prev / df_err) if df_err > 0 else math.nan
    for name, (ssv, df) in ss.items():
        rows.append({"source": name, "df": df, "ss": ssv})
    rows.append({"source": "Residual error", "df": df_err, "ss": rss_prev})
    rows.append({"source": "Total", "df": n - 1, "ss": rss_total})
    for row in rows:
        df = int(row["df"] or 0)
        ms = float(row["ss"] or 0) / df if df > 0 else None
        testable = row["source"] not in {"Residual error", "Total"} and ms_err > 0
        f_value = ms / ms_err if ms is not None and testable else None
        row["ms"] = ms
        row["F"] = f_value
        row["p"] = float(fdtrc(df, df_err, f_value)) if f_value is not None else None
    tests = {
        "regression": _ftest(
            "regression", *ss["Regression"], ms_err, df_err, alphas["regression"], True
        ),
        "intersection": _ftest(
            "intersection", *ss["Intersection"], ms_err, df_err, alphas["intersection"], False
        ),
        "non_linearity": _ftest(
            "non_linearity", *ss["Non-linearity"], ms_err, df_err, alphas["non_linearity"], False
        ),
    }
    reasons = []
    if df_err <= 0 or not ms_err > 0:
        reasons.append(
            "no estimate of the residual error (no replication, or a residual variance that "
            "is zero for the responses' scale)"
        )
    for key, label in (
        ("regression", "the regression is not significant"),
        ("intersection", "the lines do not intersect at zero dose (significant intersection)"),
        ("non_linearity", "significant non-linearity"),
    ):
        t = tests[key]
        if not t.passed and t.p is not None:
            reasons.append(f"{label} (F = {t.F:.3g}, p = {t.p:.3g})")
    common = np.hstack([x_design, slope_cols])
    coef, *_ = np.linalg.lstsq(common, y, rcond=None)
    cov = ms_err * np.linalg.pinv(common.T @ common)
    k0 = x_design.shape[1]
    t_crit = float(stdtrit(df_err, 0.5 + confidence / 2)) if df_err > 0 else math.nan
    b_s = float(coef[k0])
    results = []
    warnings: list[str] = []
    for j, prep in enumerate(preps[1:], start=1):
        i = k0 + j
        fl = fieller(
            float(coef[i]), b_s, float(cov[i, i]), float(cov[k0, k0]), float(cov[i, k0]), t_crit
        )
        fl, prep_reasons = fieller_limits(fl, ms_err, prep, warnings)
        a_t = (assumed or {}).get(prep, 1.0)
        rp = fl.ratio if math.isfinite(fl.ratio) else None
        results.append(
            PreparationResult(
                preparation=prep,
                relative_potency=rp,
                potency=rp * a_t if rp is not None else None,
                ci_lower=fl.lower * a_t if fl.lower is not None else None,
                ci_upper=fl.upper * a_t if fl.upper is not None else None,
                valid=not reasons and not prep_reasons,
                assumed_potency=a_t,
                ci_method=f"Fieller, {confidence:.0%}",
                reasons=tuple(prep_reasons),
                g=fl.g if fl.bounded else None,
            )
        )
    return PotencyAnalysis(
        model="slope-ratio",
        standard=standard,
        design=data.design,
        transform=transform,
        valid=not reasons,
        tests=tests,
        results=tuple(results),
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        anova=tuple(rows),
        residual_df=df_err,
        residual_variance=ms_err,
        parameters={"intercept": float(coef[0]), "slope_standard": b_s},
        method=(
            "Ph. Eur. 5.3 slope-ratio model: common intercept, one slope per preparation; "
            f"sequential least-squares ANOVA; ratio of slopes with {confidence:.0%} Fieller limits"
        ),
        source=data.source,
        rows_used=n,
    )
