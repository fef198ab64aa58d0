"""The conditions of Ph. Eur. 5.3 section 6.2, one test each, and what ``auto`` makes of them.

A property test checks that the limits ``auto`` gives for 2 or 3 heterogeneous runs are
never narrower than the semi-weighted interval of Ph. Eur. 5.3 section 6.2.4, computed
here again from the formulas.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from dossier.compute.potency.combine import Condition, Estimate, Method, combine

# three homogeneous runs with 20 residual df each
GOOD = [Estimate(98.5, 91.1, 106.5, 20), Estimate(101.2, 94.0, 109.0, 20)]
GOOD.append(Estimate(96.4, 88.9, 104.5, 20))


def _with(index: int, **changes: float) -> list[Estimate]:
    out = list(GOOD)
    out[index] = dataclasses.replace(out[index], **changes)  # type: ignore[arg-type]
    return out


def test_all_conditions_met_gives_the_weighted_combination() -> None:
    result = combine(
        [Estimate(e.value, e.lower, e.upper, e.df, g=0.02) for e in GOOD], independent=True
    )
    assert result.method is Method.WEIGHTED
    assert [p.met for p in result.preconditions] == [True, True, True, True]
    assert [p.name for p in result.preconditions] == list(Condition)
    assert result.t_df == 60
    assert "not verified" not in result.reason


def test_conditions_that_cannot_be_checked_are_unknown_and_do_not_block() -> None:
    result = combine(GOOD)
    assert result.method is Method.WEIGHTED
    assert result.precondition(Condition.INDEPENDENT).met is None
    assert result.precondition(Condition.C_CLOSE_TO_1).met is None
    assert "not verified" in result.reason
    partly = combine(_with(0, g=0.05), independent=True)
    assert partly.precondition(Condition.C_CLOSE_TO_1).met is None
    assert "not given for 2 of 3" in partly.precondition(Condition.C_CLOSE_TO_1).detail


def test_fewer_than_6_residual_df_gives_the_unweighted_combination() -> None:
    result = combine(_with(1, df=5), independent=True)
    df = result.precondition(Condition.RESIDUAL_DF)
    assert df.met is False
    assert "assay 2: 5 df" in df.detail
    assert result.method is Method.UNWEIGHTED
    assert result.t_df == 2
    assert "6.3" in result.reason
    assert "at least 6 residual df" in result.reason
    # 6 df is enough; up to 15 is reported as fewer than preferred
    six = combine(_with(1, df=6), independent=True)
    assert six.precondition(Condition.RESIDUAL_DF).met is True
    assert "more than 15 preferred" in six.precondition(Condition.RESIDUAL_DF).detail
    assert six.method is Method.WEIGHTED


def test_c_of_1_1_or_more_gives_the_unweighted_combination() -> None:
    # C = 1 / (1 - g): g = 0.1 gives C = 1.111
    result = combine(_with(2, g=0.1), independent=True)
    c = result.precondition(Condition.C_CLOSE_TO_1)
    assert c.met is False
    assert "assay 3: C = 1.11" in c.detail
    assert result.method is Method.UNWEIGHTED
    # g = 0.09 gives C = 1.0989 < 1.1
    below = combine([Estimate(e.value, e.lower, e.upper, e.df, g=0.09) for e in GOOD])
    assert below.precondition(Condition.C_CLOSE_TO_1).met is True
    assert below.method is Method.WEIGHTED


def test_heterogeneous_estimates_give_the_semi_weighted_combination() -> None:
    result = combine(_with(0, value=80.0, lower=76.0, upper=84.0), independent=True)
    homogeneity = result.precondition(Condition.HOMOGENEITY)
    assert homogeneity.met is False
    assert result.heterogeneity.p is not None
    assert result.heterogeneity.p < 0.05
    assert result.method is Method.SEMI_WEIGHTED
    assert result.t_df == 2
    assert result.between_variance is not None
    assert result.between_variance > 0
    # a stricter level turns the same set homogeneous enough
    lenient = combine(_with(0, value=80.0, lower=76.0, upper=84.0), alpha=1e-30)
    assert lenient.method is Method.WEIGHTED


def test_assays_declared_not_independent_give_the_unweighted_combination() -> None:
    result = combine(GOOD, independent=False)
    assert result.precondition(Condition.INDEPENDENT).met is False
    assert result.method is Method.UNWEIGHTED
    assert "independent assays (declared not independent)" in result.reason


def test_a_requested_method_is_used_and_unmet_conditions_are_named() -> None:
    result = combine(_with(1, df=4), method="weighted", independent=True)
    assert result.method is Method.WEIGHTED
    assert result.requested == "weighted"
    assert result.reason.startswith("weighted combination as requested; not met:")
    assert "assay 2: 4 df" in result.reason
    with pytest.raises(ValueError, match="unknown method"):
        combine(GOOD, method="median")  # type: ignore[arg-type]


def test_a_single_assay_is_its_own_result() -> None:
    result = combine(GOOD[:1])
    assert result.method is Method.SINGLE
    assert (result.estimate, result.ci_lower, result.ci_upper) == pytest.approx((98.5, 91.1, 106.5))
    assert result.heterogeneity.chi2 is None
    assert result.precondition(Condition.HOMOGENEITY).met is None


def test_limits_beyond_the_floating_point_range_are_none() -> None:
    result = combine(
        [Estimate(1e-300, 0.9e-300, 1.1e-300, 20), Estimate(1e300, 0.9e300, 1.1e300, 20)]
    )
    assert result.method is Method.SEMI_WEIGHTED
    assert result.ci_upper is None
    assert math.isfinite(result.estimate)


def _reference_semi_weighted_width(runs: list[tuple[float, float, float, int]]) -> float:
    """ln(upper / lower) of the Ph. Eur. 5.3 6.2.4 interval, from the formulas."""
    n = len(runs)
    logs = [math.log(e) for e, _, _, _ in runs]
    var = [
        ((math.log(u) - math.log(lo)) / (2 * stats.t.ppf(0.975, df))) ** 2 for _, lo, u, df in runs
    ]
    mean = sum(logs) / n
    inter = max(sum((m - mean) ** 2 for m in logs) / (n - 1) - sum(var) / n, 0.0)
    total = sum(1 / (v + inter) for v in var)
    return float(2 * stats.t.ppf(0.975, n - 1) / math.sqrt(total))


RUN = st.tuples(
    st.floats(-1.0, 1.0),  # ln estimate
    st.floats(0.005, 0.3),  # ln(upper / estimate)
    st.floats(0.005, 0.3),  # ln(estimate / lower)
    st.integers(2, 40),  # residual df, below 6 too
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runs=st.lists(RUN, min_size=2, max_size=3),
    g=st.one_of(st.none(), st.floats(0.0, 0.3)),
    independent=st.sampled_from([None, True, False]),
)
def test_limits_for_heterogeneous_runs_are_never_narrower_than_semi_weighted(
    runs: list[tuple[float, float, float, int]], g: float | None, independent: bool | None
) -> None:
    data = [(math.exp(m), math.exp(m - down), math.exp(m + up), df) for m, up, down, df in runs]
    estimates = [Estimate(e, lo, u, df, g=g) for e, lo, u, df in data]
    result = combine(estimates, independent=independent)
    assume(result.precondition(Condition.HOMOGENEITY).met is False)
    assert result.ci_lower is not None
    assert result.ci_upper is not None
    width = math.log(result.ci_upper) - math.log(result.ci_lower)
    assert width >= _reference_semi_weighted_width(data) * (1 - 1e-9)
    assert result.method in {Method.SEMI_WEIGHTED, Method.UNWEIGHTED}
