"""The combination as the project analysis calls it, input checks, and geometric statistics.

Expected values: the combination, tests/reference/r/combine_pheur6.R (R 4.2.2; see
test_combine_pheur6.py); the geometric statistics, tests/reference/r/combine.R, output
combine.out (R 4.2.2).
"""

from __future__ import annotations

import math

import pytest

from dossier.compute.potency.combine import (
    Combination,
    Estimate,
    Method,
    combine,
    combine_estimates,
    geometric_summary,
)

THREE = [Estimate(80, 76, 84, 30), Estimate(100, 95, 105, 30), Estimate(125, 119, 131, 30)]


def test_the_analysis_wrapper_gives_numbers_and_a_description() -> None:
    combined = combine_estimates(THREE)
    # combine_pheur6.R, set "three": semi-weighted estimate 100.0070448 lower 57.45036604
    # upper 174.0878205; chi2 172.7392761 on 2 df
    assert (combined.value, combined.lower, combined.upper) == pytest.approx(
        (100.0070448, 57.45036604, 174.0878205), rel=1e-9
    )
    assert combined.chi2 == pytest.approx(172.7392761, rel=1e-9)
    assert combined.chi2_df == 2
    assert combined.heterogeneous is True
    assert combined.n == 3
    assert combined.method.startswith("semi-weighted mean of ln potencies (Ph. Eur. 5.3, 6.2.4)")
    assert isinstance(combined.result, Combination)
    assert combined.result.method is Method.SEMI_WEIGHTED


def test_the_analysis_wrapper_passes_a_declared_method_and_independence() -> None:
    combined = combine_estimates(THREE, method="unweighted", independent=True)
    # combine_pheur6.R, set "three": unweighted estimate 100 lower 57.44631589 upper 174.0755668
    assert (combined.value, combined.lower, combined.upper) == pytest.approx(
        (100.0, 57.44631589, 174.0755668), rel=1e-9
    )
    assert combined.result.requested == "unweighted"
    assert combined.method.startswith("unweighted mean of ln potencies (Ph. Eur. 5.3, 6.3)")
    single = combine_estimates(THREE[:1])
    assert (single.value, single.lower, single.upper) == (80, 76, 84)
    assert single.chi2 is None
    assert single.heterogeneous is False


def test_the_combination_is_frozen() -> None:
    result = combine(THREE)
    with pytest.raises(AttributeError):
        result.estimate = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("estimate", "message"),
    [
        (Estimate(-1, 1, 2, 10), "positive"),
        (Estimate(1, 0, 2, 10), "positive"),
        (Estimate(1, 1, 2, 0), "positive"),
        (Estimate(math.nan, 1, 2, 10), "positive"),
        (Estimate(3, 1, 2, 10), "enclose"),
        (Estimate(1, 1.5, 2, 10), "enclose"),
        (Estimate(1, 1, 1, 10), "enclose"),
        (Estimate(1.5, 1, 2, 10, g=1.0), "g must lie"),
        (Estimate(1.5, 1, 2, 10, g=-0.1), "g must lie"),
    ],
)
def test_invalid_estimates_are_refused(estimate: Estimate, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        combine([estimate, THREE[0]])


def test_nothing_to_combine_and_bad_levels_are_refused() -> None:
    with pytest.raises(ValueError, match="nothing"):
        combine([])
    with pytest.raises(ValueError, match="between 0 and 1"):
        combine(THREE, alpha=0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        combine(THREE, confidence=1.0)


def test_geometric_mean_and_gcv() -> None:
    summary = geometric_summary([98.5, 101.2, 96.4, 104.1])
    # combine.out: mean 100.0083188 gcv 3.387533896 lower 94.84491019 upper 105.4528262
    assert summary.geometric_mean == pytest.approx(100.0083188, rel=1e-9)
    assert summary.gcv_percent == pytest.approx(3.387533896, rel=1e-8)
    assert (summary.lower, summary.upper) == pytest.approx((94.84491019, 105.4528262), rel=1e-8)
    one = geometric_summary([5.0])
    assert (one.n, one.gcv_percent, one.lower) == (1, None, None)
    with pytest.raises(ValueError, match="positive"):
        geometric_summary([1.0, 0.0])
