"""Combination of assay results against Ph. Eur. 5.3 section 6.4 and an independent R script.

Sources of the expected values:

- ``PUBLISHED``: Ph. Eur. 5.3, section 6.4 "Example of a weighted mean potency with
  confidence limits", Table 6.4.-I and the text under it, as printed (to the digits
  printed) in the Czech Pharmacopoeia 1997, chapter 5.3, section 6.4
  (http://lekopis.cz/Kap_5_3_6_4.htm), the Czech translation of the Ph. Eur. chapter. The
  lower limit of assay 5 is printed there as "170959", a misprint of 17 959: the weight
  printed for that assay, 3175.6, follows from 17 959.
- ``R``: tests/reference/r/combine_pheur6.R, run with R 4.2.2 (the formulas written out in
  base R). The chapter has no worked semi-weighted or unweighted example, so those values,
  and the full-precision weighted ones, come from the script.
"""

from __future__ import annotations

import pytest

from dossier.compute.potency.combine import Condition, Estimate, Method, combine

# Ph. Eur. 5.3 Table 6.4.-I: potency (IU/vial), lower and upper 95 % limits, residual df
TABLE_6_4_I = [
    (18367, 17755, 19002, 20),
    (18003, 17415, 18610, 20),
    (18064, 17319, 18838, 20),
    (17832, 17253, 18429, 20),
    (18635, 17959, 19339, 20),
    (18269, 17722, 18834, 20),
]
EXAMPLE = [
    Estimate(e, lo, up, df, label=str(i)) for i, (e, lo, up, df) in enumerate(TABLE_6_4_I, 1)
]

# combine_pheur6.R, set "three" and set "four"
THREE = [Estimate(80, 76, 84, 30), Estimate(100, 95, 105, 30), Estimate(125, 119, 131, 30)]
FOUR = [
    Estimate(0.92, 0.85, 1.00, 18),
    Estimate(1.08, 1.03, 1.13, 24),
    Estimate(1.01, 0.90, 1.13, 12),
    Estimate(1.15, 1.09, 1.21, 30),
]


def _limits(result: object) -> tuple[float, float, float]:
    return (result.estimate, result.ci_lower, result.ci_upper)  # type: ignore[attr-defined]


def test_the_pheur_example_as_published() -> None:
    result = combine(EXAMPLE, independent=True)
    assert result.method is Method.WEIGHTED
    # PUBLISHED: ln potencies 9.8183 9.7983 9.8017 9.7887 9.8328 9.8130
    assert [round(a.log_estimate, 4) for a in result.assays] == [
        9.8183,
        9.7983,
        9.8017,
        9.7887,
        9.8328,
        9.8130,
    ]
    # PUBLISHED: weights W 3777.7 3951.5 2462.5 4003.0 3175.6 4699.5
    assert [round(a.weight, 1) for a in result.assays] == [
        3777.7,
        3951.5,
        2462.5,
        4003.0,
        3175.6,
        4699.5,
    ]
    # PUBLISHED: chi² = 4.42 on 5 df, p = 0.49: not significant
    h = result.heterogeneity
    assert (round(h.chi2, 2), h.df, round(h.p, 2)) == (4.42, 5, 0.49)  # type: ignore[arg-type]
    assert result.precondition(Condition.HOMOGENEITY).met is True
    # PUBLISHED: weighted mean 9.8085, standard error 0.00673, t with 120 df,
    # limits 9.7951 to 9.8218; potency 18 187 IU/vial, limits 17 946 to 18 431
    assert round(result.log_estimate, 4) == 9.8085
    assert round(result.standard_error, 5) == 0.00673  # type: ignore[arg-type]
    assert result.t_df == 120
    est, low, high = _limits(result)
    assert (round(est), round(low), round(high)) == (18187, 17946, 18431)


def test_the_pheur_example_weighted_to_full_precision() -> None:
    result = combine(EXAMPLE)
    # R: pheur64 weights 3777.697684 3951.544004 2462.471563 4002.971354 3175.628697 4699.516031
    assert [a.weight for a in result.assays] == pytest.approx(
        [3777.697684, 3951.544004, 2462.471563, 4002.971354, 3175.628697, 4699.516031],
        rel=1e-9,
    )
    # R: pheur64 chi2 4.41948881 df 5 p 0.4907272784
    assert result.heterogeneity.chi2 == pytest.approx(4.41948881, rel=1e-9)
    assert result.heterogeneity.p == pytest.approx(0.4907272784, rel=1e-9)
    # R: weighted lnR 9.808454289 se 0.006731324273 estimate 18186.85372
    #    lower 17946.07551 upper 18430.86239
    assert result.log_estimate == pytest.approx(9.808454289, rel=1e-10)
    assert result.standard_error == pytest.approx(0.006731324273, rel=1e-9)
    assert _limits(result) == pytest.approx((18186.85372, 17946.07551, 18430.86239), rel=1e-9)


def test_the_pheur_example_semi_weighted_and_unweighted() -> None:
    semi = combine(EXAMPLE, method="semi-weighted")
    # R: pheur64 semi-weighted s2M 0 (negative estimate taken as 0) estimate 18186.85372
    #    lower 17874.86596 upper 18504.2869 (t on 5 df)
    assert semi.method is Method.SEMI_WEIGHTED
    assert semi.between_variance == 0
    assert semi.t_df == 5
    assert _limits(semi) == pytest.approx((18186.85372, 17874.86596, 18504.2869), rel=1e-9)
    assert "taken as 0" in semi.reason
    plain = combine(EXAMPLE, method="unweighted")
    # R: pheur64 unweighted estimate 18193.10712 lower 17894.1048 upper 18497.10564
    assert plain.method is Method.UNWEIGHTED
    assert _limits(plain) == pytest.approx((18193.10712, 17894.1048, 18497.10564), rel=1e-9)
    assert plain.weights == (1.0,) * 6


def test_three_heterogeneous_runs_are_semi_weighted() -> None:
    result = combine(THREE, independent=True)
    # R: three chi2 172.7392761 df 2 p 3.091311607e-38
    assert result.heterogeneity.chi2 == pytest.approx(172.7392761, rel=1e-9)
    assert result.heterogeneity.p == pytest.approx(3.091311607e-38, rel=1e-8)
    assert result.method is Method.SEMI_WEIGHTED
    # R: three semi-weighted s2M 0.04920836371 estimate 100.0070448 lower 57.45036604
    #    upper 174.0878205; semi-weights 20.07679012 20.07679012 20.09581058
    assert result.between_variance == pytest.approx(0.04920836371, rel=1e-9)
    assert _limits(result) == pytest.approx((100.0070448, 57.45036604, 174.0878205), rel=1e-9)
    assert list(result.weights) == pytest.approx([20.07679012, 20.07679012, 20.09581058], rel=1e-9)
    weighted = combine(THREE, method="weighted")
    # R: three weighted estimate 100.618211 lower 97.86794121 upper 103.4457685
    assert _limits(weighted) == pytest.approx((100.618211, 97.86794121, 103.4457685), rel=1e-9)
    assert "not met: homogeneity" in weighted.reason


def test_four_runs_of_unequal_precision() -> None:
    auto = combine(FOUR, independent=True)
    # R: four weights 668.4546668 1984.554634 366.6390508 1529.436588
    assert [a.weight for a in auto.assays] == pytest.approx(
        [668.4546668, 1984.554634, 366.6390508, 1529.436588], rel=1e-9
    )
    # R: four chi2 24.58403543 df 3 p 1.886283071e-05
    assert auto.heterogeneity.chi2 == pytest.approx(24.58403543, rel=1e-9)
    assert auto.heterogeneity.p == pytest.approx(1.886283071e-05, rel=1e-8)
    # R: four semi-weighted s2M 0.007779627113 estimate 1.041115899 lower 0.8949096952
    #    upper 1.211208596; semi-weights 107.8095645 120.7216474 95.173692 118.5752568
    assert auto.method is Method.SEMI_WEIGHTED
    assert auto.between_variance == pytest.approx(0.007779627113, rel=1e-9)
    assert _limits(auto) == pytest.approx((1.041115899, 0.8949096952, 1.211208596), rel=1e-9)
    assert list(auto.weights) == pytest.approx(
        [107.8095645, 120.7216474, 95.173692, 118.5752568], rel=1e-9
    )
    assert sum(a.share for a in auto.assays) == pytest.approx(1.0)
    # R: four weighted estimate 1.071557492 lower 1.040424824 upper 1.103621745
    weighted = combine(FOUR, method="weighted")
    assert _limits(weighted) == pytest.approx((1.071557492, 1.040424824, 1.103621745), rel=1e-9)
    # R: four unweighted estimate 1.036472298 lower 0.8903168843 upper 1.206620748
    plain = combine(FOUR, method="unweighted")
    assert _limits(plain) == pytest.approx((1.036472298, 0.8903168843, 1.206620748), rel=1e-9)
