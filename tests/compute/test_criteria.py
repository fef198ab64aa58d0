"""Similarity by equivalence in the parallel-line model (TOST on the slopes).

Expected values: tests/reference/r/pla_equivalence.R (base R lm() of the separate-slopes
model, Fieller limits written in R), output in tests/reference/r/pla_equivalence.out,
R 4.2.2 (Debian 12); 90 % limits (two one-sided tests at 5 %). Tolerance 1e-8 relative:
the R output carries 10 significant figures.
"""

from __future__ import annotations

import pytest

from dossier.compute.potency.criteria import Criterion, evaluate, judge
from dossier.compute.potency.parallel_line import analyse_parallel_line

from .pheur53 import EXAMPLES, load

# (example, preparation): (ratio, lower, upper, difference, lower, upper), pla_equivalence.out
R_VALUES = {
    ("5.1.1", "T"): (
        0.9557416268,
        0.6590703353,
        1.377369861,
        2.668985826,
        -18.45666917,
        23.79464082,
    ),
    ("5.1.1", "U"): (
        0.3851674641,
        0.1352031852,
        0.6854898599,
        37.07726255,
        15.95160756,
        58.20291754,
    ),
    ("5.1.2", "T"): (
        1.097674419,
        0.9322486404,
        1.295720341,
        4.316031059,
        -3.245453869,
        11.87751599,
    ),
    ("5.1.3", "T"): (
        0.9690091663,
        0.8952302117,
        1.048661906,
        3.502150917,
        -5.282804005,
        12.28710584,
    ),
    ("5.1.4", "T"): (
        1.02543774,
        0.9689698367,
        1.085283969,
        0.02241788331,
        -0.02812438707,
        0.07296015368,
    ),
    ("5.1.4", "U"): (
        1.052838779,
        0.9956137254,
        1.113532431,
        0.04656599079,
        -0.003976279587,
        0.09710826116,
    ),
    ("5.1.4", "V"): (
        1.04515591,
        0.9881441728,
        1.105610934,
        0.03979519815,
        -0.01074707223,
        0.09033746852,
    ),
}
MARGINS = (Criterion("slope_ratio", "equivalence", 0.8, 1.25),)


def _judged(example: str, criteria: tuple[Criterion, ...]):  # type: ignore[no-untyped-def]
    data = load(example)
    analysis = analyse_parallel_line(
        data,
        "S",
        transform=EXAMPLES[example][3],
        similarity="equivalence",  # type: ignore[arg-type]
    )
    return analysis, evaluate(criteria, analysis, data)


@pytest.mark.parametrize(("example", "prep"), sorted(R_VALUES))
def test_slope_ratio_and_difference_limits_match_r(example: str, prep: str) -> None:
    criteria = (*MARGINS, Criterion("slope_difference", "equivalence", -1.0, 1.0))
    _, outcomes = _judged(example, criteria)
    ratio, low, high, diff, d_low, d_high = R_VALUES[(example, prep)]
    (r,) = [o for o in outcomes if o.criterion == "slope_ratio" and o.preparation == prep]
    (d,) = [o for o in outcomes if o.criterion == "slope_difference" and o.preparation == prep]
    assert r.value == pytest.approx(ratio, rel=1e-8)
    assert r.ci == pytest.approx((low, high), rel=1e-8)
    assert d.value == pytest.approx(diff, rel=1e-8)
    assert d.ci == pytest.approx((d_low, d_high), rel=1e-8)
    assert r.confidence == pytest.approx(0.9)
    assert r.met is (low >= 0.8 and high <= 1.25)


def test_equivalence_decides_where_the_f_test_would_not() -> None:
    # 5.1.1: U's slope ratio 0.385 (90 % CI 0.135 to 0.685) fails 0.8 to 1.25, T's
    # (0.659 to 1.377) fails too: no preparation is left, the run is invalid
    analysis, outcomes = _judged("5.1.1", MARGINS)
    verdict = judge(analysis, outcomes)
    assert not verdict.valid
    assert set(verdict.preparation_reasons) == {"T", "U"}
    f_tests = [o for o in outcomes if o.criterion == "non_parallelism"]
    assert f_tests
    assert not any(o.decides for o in f_tests)
    # 5.1.4: every slope ratio within 0.8 to 1.25: valid
    analysis, outcomes = _judged("5.1.4", MARGINS)
    assert judge(analysis, outcomes).valid


def test_margins_that_the_interval_straddles_fail() -> None:
    # 5.1.3: 90 % CI 0.895 to 1.049 is not inside 0.95 to 1.05
    _, outcomes = _judged("5.1.3", (Criterion("slope_ratio", "equivalence", 0.95, 1.05),))
    (r,) = [o for o in outcomes if o.criterion == "slope_ratio"]
    assert r.met is False
    assert "not within 0.95 to 1.05" in r.reason
