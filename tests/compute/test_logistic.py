"""Four-parameter logistic relative potency against independent fits with R's nls.

Expected values: tests/reference/r/fourpl_drc.R (base R nls, same parameterisation,
Wald limits on the log scale), output tests/reference/r/fourpl_drc.out, R 4.2.2.
Tolerance: 4 significant figures (relative 1e-4) on estimates and limits; the F
statistic to relative 1e-6. Data: drc datasets S.alba and spinach (GPL-2).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dossier.compute.potency.logistic import Margins, analyse_4pl
from dossier.compute.potency.types import DoseResponseData, Observation
from dossier.core.errors import DataFileError

DRC = Path(__file__).resolve().parents[1] / "data" / "drc"


def _s_alba() -> DoseResponseData:
    with (DRC / "S_alba.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    obs = tuple(
        Observation(r["Herbicide"], float(r["Dose"]), float(r["DryMatter"]), i)
        for i, r in enumerate(rows, start=2)
    )
    return DoseResponseData(obs, "S_alba.csv")


def _spinach(curves: tuple[str, ...]) -> DoseResponseData:
    with (DRC / "spinach.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["CURVE"] in curves]
    obs = tuple(
        Observation("curve" + r["CURVE"], float(r["DOSE"]), float(r["SLOPE"]), i)
        for i, r in enumerate(rows, start=2)
    )
    return DoseResponseData(obs, "spinach.csv")


def test_s_alba_relative_potency_matches_r_nls() -> None:
    analysis = analyse_4pl(_s_alba(), "Glyphosate")
    (bentazone,) = analysis.results
    # fourpl_drc.out: Bentazone RP 2.350737961 lower 1.938614694 upper 2.850473061
    assert bentazone.relative_potency == pytest.approx(2.350737961, rel=1e-4)
    assert bentazone.ci_lower == pytest.approx(1.938614694, rel=1e-4)
    assert bentazone.ci_upper == pytest.approx(2.850473061, rel=1e-4)
    # fourpl_drc.out: A 3.824865047 B 3.864159475 D 0.7536594836
    assert analysis.parameters["A"] == pytest.approx(3.824865047, rel=1e-4)
    assert analysis.parameters["B"] == pytest.approx(3.864159475, rel=1e-4)
    assert analysis.parameters["D"] == pytest.approx(0.7536594836, rel=1e-4)
    # fourpl_drc.out: similarity F 2.747127529 df 3 60 p 0.05065651719
    sim = analysis.tests["non_parallelism"]
    assert (sim.df_num, sim.df_den) == (3, 60)
    assert pytest.approx(2.747127529, rel=1e-6) == sim.F
    assert sim.p == pytest.approx(0.05065651719, rel=1e-5)
    assert analysis.valid  # p just above 0.05: similar at the 5 % level


def test_spinach_curves_are_not_similar_and_the_assay_is_invalid() -> None:
    analysis = analyse_4pl(_spinach(("1", "2")), "curve1")
    # fourpl_drc.out: similarity F 115.7645614 df 3 34; curve2 RP 9.949811224
    assert pytest.approx(115.7645614, rel=1e-6) == analysis.tests["non_parallelism"].F
    assert analysis.results[0].relative_potency == pytest.approx(9.949811224, rel=1e-4)
    assert analysis.valid is False
    assert any("non-similarity" in r for r in analysis.reasons)
    assert analysis.results[0].valid is False


def test_equivalence_similarity_uses_the_margins() -> None:
    wide = analyse_4pl(
        _s_alba(),
        "Glyphosate",
        similarity="equivalence",
        margins=Margins(slope=(-50, 50), lower_asymptote=(-50, 50), upper_asymptote=(-50, 50)),
    )
    assert wide.tests["equivalence"].passed
    narrow = analyse_4pl(
        _s_alba(),
        "Glyphosate",
        similarity="equivalence",
        margins=Margins(slope=(-0.01, 0.01)),
    )
    assert narrow.valid is False
    assert any("equivalence_slope[Bentazone]" in r for r in narrow.reasons)


def test_flat_and_too_short_data() -> None:
    data = _s_alba()
    flat = DoseResponseData(
        tuple(Observation(o.preparation, o.dose, 1.0, o.row) for o in data.observations),
        data.source,
    )
    analysis = analyse_4pl(flat, "Glyphosate")
    assert analysis.valid is False
    assert "flat" in analysis.reasons[0]
    short = DoseResponseData(
        tuple(o for o in data.observations if o.dose in (0.0, 10.0, 20.0)), data.source
    )
    with pytest.raises(DataFileError, match="at least 4 needed"):
        analyse_4pl(short, "Glyphosate")
