"""Combination of potency estimates and geometric run statistics against base R.

Expected values: tests/reference/r/combine.R, output combine.out (R 4.2.2).
"""

from __future__ import annotations

import pytest

from dossier.compute.potency.combine import Estimate, combine_estimates, geometric_summary


def test_homogeneous_estimates_are_weighted_by_their_variance() -> None:
    result = combine_estimates(
        [
            Estimate(98.5, 91.1, 106.5, 40),
            Estimate(101.2, 94.0, 109.0, 28),
            Estimate(96.4, 88.9, 104.5, 36),
        ]
    )
    # combine.out: combined 98.84125751 lower 94.66869479 upper 103.1977277 chi2 0.8275612899
    assert (result.value, result.lower, result.upper) == pytest.approx(
        (98.84125751, 94.66869479, 103.1977277), rel=1e-8
    )
    assert result.chi2 == pytest.approx(0.8275612899, rel=1e-8)
    assert result.chi2_p == pytest.approx(0.6611459611, rel=1e-8)
    assert result.heterogeneous is False


def test_heterogeneous_estimates_are_semi_weighted() -> None:
    result = combine_estimates(
        [Estimate(80, 76, 84, 30), Estimate(100, 95, 105, 30), Estimate(125, 119, 131, 30)]
    )
    # combine.out: combined 100.0069513 lower 77.55920711 upper 128.9516832 chi2 172.7392761
    assert result.heterogeneous is True
    assert (result.value, result.lower, result.upper) == pytest.approx(
        (100.0069513, 77.55920711, 128.9516832), rel=1e-8
    )
    assert "semi-weighted" in result.method


def test_geometric_mean_and_gcv() -> None:
    summary = geometric_summary([98.5, 101.2, 96.4, 104.1])
    # combine.out: mean 100.0083188 gcv 3.387533896 lower 94.84491019 upper 105.4528262
    assert summary.geometric_mean == pytest.approx(100.0083188, rel=1e-9)
    assert summary.gcv_percent == pytest.approx(3.387533896, rel=1e-8)
    assert (summary.lower, summary.upper) == pytest.approx((94.84491019, 105.4528262), rel=1e-8)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        combine_estimates([Estimate(-1, 1, 2, 10)])
    with pytest.raises(ValueError, match="positive"):
        geometric_summary([1.0, 0.0])
