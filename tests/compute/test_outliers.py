"""Outlier screening of replicate responses: externally studentized residuals of the
replicate-group model with a Bonferroni limit.

Expected values: R 4.x, ``rstudent`` of ``lm(response ~ group)`` and of
``lm(response ~ group + block)``, with ``qt(1 - 0.05 / (2 m), df.residual - 1)`` as the
limit (tests/reference/r/outliers.R, output in outliers.out), and an independent
leave-one-out computation written below (no hat matrix: each response against the mean of
the other replicates of its group, scaled by the pooled SD without it).
"""

from __future__ import annotations

import math
import statistics

import pytest

from dossier.compute.potency.outliers import (
    screen_outliers,
    studentized_residuals,
    without_rows,
)
from dossier.compute.potency.types import DoseResponseData, Observation

# Two preparations, three doses, four replicates (one per block); row 20 of the file
# (T at dose 2, the 19th response) is 3 units too high.
RESPONSES = [
    10.31, 9.78, 10.05, 9.86, 13.73, 14.18, 14.09, 14.02, 18.12, 17.95, 17.81, 18.11,
    9.21, 8.92, 8.85, 9.03, 12.89, 13.26, 15.98, 12.87, 17.07, 16.76, 17.16, 17.01,
]  # fmt: skip

# R: rstudent(lm(response ~ group))
R_GROUPS = [
    0.5536473744, -0.3911645199, 0.0885240244, -0.2482589625, -0.4901981170, 0.3106406112,
    0.1505564407, 0.0265516389, 0.2171343608, -0.0840959333, -0.3329690801, 0.1993658179,
    0.3687560856, -0.1461226641, -0.2705164322, 0.0486803880, -1.6379881835, -0.8871872179,
    13.6618711303, -1.6823390971, 0.1239610655, -0.4270904315, 0.2838821026, 0.0177008887,
]  # fmt: skip
# R: rstudent(lm(response ~ group + block))
R_BLOCKS = [
    0.7409049100, -0.1320818452, -0.6074135568, 0.0047710747, -0.3917674263, 0.6305989367,
    -0.5382539440, 0.3015520492, 0.3707698683, 0.1974787338, -1.0971438747, 0.4908183377,
    0.5366141179, 0.1304885504, -1.0221518354, 0.3256593364, -1.6452315989, -0.6571834386,
    11.5936687075, -1.5190323267, 0.2694664240, -0.1703444534, -0.3917674263, 0.2919197363,
]  # fmt: skip


def _data(responses: list[float] = RESPONSES, *, blocks: bool = False) -> DoseResponseData:
    obs = []
    for i, y in enumerate(responses):
        prep = "S" if i < 12 else "T"
        dose = (1.0, 2.0, 4.0)[(i % 12) // 4]
        block = f"b{i % 4 + 1}" if blocks else None
        obs.append(Observation(prep, dose, y, row=i + 2, block=block))
    return DoseResponseData(tuple(obs), "run.csv", {"preparation": 1, "dose": 2, "response": 3})


def _leave_one_out(responses: list[float]) -> list[float]:
    """t_i = (y_i − mean of the others in its group) / (s_(i) √(1 + 1/(n_g − 1))), with
    s_(i) the pooled within-group SD of the data without response i."""
    groups = [list(range(k, k + 4)) for k in range(0, 24, 4)]
    out = []
    for i in range(24):
        ss, df = 0.0, 0
        for g in groups:
            values = [responses[j] for j in g if j != i]
            mean = statistics.fmean(values)
            ss += sum((v - mean) ** 2 for v in values)
            df += len(values) - 1
        own = next(g for g in groups if i in g)
        others = [responses[j] for j in own if j != i]
        s = math.sqrt(ss / df)
        out.append((responses[i] - statistics.fmean(others)) / (s * math.sqrt(1 + 1 / 3)))
    return out


def test_studentized_residuals_equal_r_and_the_leave_one_out_definition() -> None:
    fit = studentized_residuals(_data())
    assert fit.df == 18
    assert fit.studentized == pytest.approx(R_GROUPS, abs=1e-9)
    assert fit.studentized == pytest.approx(_leave_one_out(RESPONSES), rel=1e-12)
    blocks = studentized_residuals(_data(blocks=True))
    assert blocks.df == 15
    assert blocks.studentized == pytest.approx(R_BLOCKS, abs=1e-9)


def test_the_outlier_is_flagged_with_the_r_limit() -> None:
    screen = screen_outliers(_data())
    assert screen.limit == pytest.approx(3.6269633975, abs=1e-9)  # R qt(1 - 0.05/48, 17)
    assert screen.df == 17
    assert screen.screened == 24
    [flag] = screen.flagged
    assert flag.row == 20
    assert (flag.preparation, flag.dose, flag.response) == ("T", 2.0, 15.98)
    assert flag.studentized == pytest.approx(13.6618711303, abs=1e-9)
    assert flag.p_bonferroni == pytest.approx(3.241678e-09, rel=1e-6)
    assert flag.attributable
    assert "row 20 (T at dose 2, response 15.98)" in screen.text
    blocks = screen_outliers(_data(blocks=True))
    assert blocks.limit == pytest.approx(3.7667297897, abs=1e-9)
    assert [f.row for f in blocks.flagged] == [20]
    assert blocks.flagged[0].p_bonferroni == pytest.approx(3.488632e-07, rel=1e-6)


def test_clean_data_flag_nothing_and_removal_leaves_the_rest() -> None:
    clean = list(RESPONSES)
    clean[18] -= 3.0
    screen = screen_outliers(_data(clean))
    assert screen.flagged == ()
    assert screen.text.endswith("none beyond it")
    data = _data()
    kept = without_rows(data, {20})
    assert len(kept.observations) == 23
    assert all(o.row != 20 for o in kept.observations)
    assert screen_outliers(kept).flagged == ()


def test_a_pair_cannot_say_which_response_is_outlying() -> None:
    # duplicates: the two responses of a discordant pair have the same |t|
    obs = []
    values = {1.0: (10.0, 10.1), 2.0: (14.0, 14.1), 4.0: (18.0, 18.1)}
    for prep, shift in (("S", 0.0), ("T", -1.0)):
        for dose, pair in values.items():
            for k, y in enumerate(pair):
                bump = 4.0 if (prep, dose, k) == ("T", 2.0, 1) else 0.0
                obs.append(Observation(prep, dose, y + shift + bump, row=len(obs) + 2))
    fit = studentized_residuals(DoseResponseData(tuple(obs)))
    pair = [
        t
        for t, o in zip(fit.studentized, obs, strict=True)
        if (o.preparation, o.dose) == ("T", 2.0)
    ]
    assert pair[0] == pytest.approx(-pair[1])  # type: ignore[operator]
    screen = screen_outliers(DoseResponseData(tuple(obs)), alpha=0.5)
    assert screen.flagged
    assert not any(f.attributable for f in screen.flagged)
    assert screen.attributable == ()
    assert "not attributable" in screen.text


def test_runs_that_cannot_be_screened_say_why() -> None:
    single = DoseResponseData(
        tuple(
            Observation(p, d, d + (p == "T"), row=i)
            for i, (p, d) in enumerate([("S", 1.0), ("S", 2.0), ("T", 1.0), ("T", 2.0)])
        )
    )
    screen = screen_outliers(single)
    assert screen.limit is None
    assert screen.text == (
        "outliers not screened: no replicate responses (each preparation and dose has one)"
    )
    exact = _data([float(i // 4) for i in range(24)])
    assert "no residual variance" in screen_outliers(exact).note
    with pytest.raises(ValueError, match="alpha"):
        screen_outliers(_data(), alpha=0.0)


def test_the_screen_works_on_the_analysis_scale() -> None:
    logged = _data([math.exp(v / 4) for v in RESPONSES])
    plain = screen_outliers(logged)
    on_log = screen_outliers(logged, "ln")
    assert [f.row for f in on_log.flagged] == [20]
    assert on_log.flagged[0].studentized == pytest.approx(13.6618711303, abs=1e-8)
    assert plain.flagged  # the same row, screened on the raw scale, still stands out
