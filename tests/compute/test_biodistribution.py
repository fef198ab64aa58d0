"""Biodistribution summaries on a small hand-checkable table."""

from __future__ import annotations

import pytest

from dossier.compute.biodistribution import BdRow, summarise_biodistribution


def _rows() -> list[BdRow]:
    data = [
        ("A1", "G1", "day 7", "liver", 1000.0),
        ("A2", "G1", "day 7", "liver", 3000.0),
        ("A3", "G1", "day 7", "liver", None),  # BLQ: counted, not averaged
        ("A1", "G1", "day 28", "liver", 200.0),
        ("A2", "G1", "day 28", "liver", None),
        ("A1", "G1", "day 7", "testis", 60.0),
        ("A2", "G1", "day 7", "testis", 40.0),  # below the LLOQ of 50 although a number
        ("A1", "G1", "day 28", "testis", None),
        ("A1", "G1", "day 7", "brain", None),
    ]
    return [BdRow(a, "M", g, t, tissue, c, 50.0) for a, g, t, tissue, c in data]


def test_counts_means_and_maxima_of_quantifiable_values() -> None:
    summary = summarise_biodistribution(_rows())
    cells = {(c.tissue, c.timepoint): c for c in summary.cells}
    liver7 = cells[("liver", "day 7")]
    # by hand: quantifiable 1000 and 3000 -> mean 2000, SD sqrt(2e6) = 1414.21, max 3000
    assert (liver7.n, liver7.n_quantifiable, liver7.mean, liver7.maximum) == (3, 2, 2000.0, 3000.0)
    assert liver7.sd == pytest.approx(1414.2135623730951)
    testis7 = cells[("testis", "day 7")]
    assert (testis7.n, testis7.n_quantifiable, testis7.mean) == (2, 1, 60.0)
    assert cells[("brain", "day 7")].mean is None


def test_persistence_and_gonads() -> None:
    summary = summarise_biodistribution(_rows())
    assert summary.persistence == {"liver": "day 28", "testis": "day 7", "brain": None}
    assert summary.gonads == ["testis"]
    assert summary.gonads_sampled


def test_the_least_sensitive_lloq_and_the_time_points() -> None:
    rows = _rows()
    # one re-assayed sample with a coarser LLOQ sets the study's sensitivity
    rows.append(BdRow("A3", "M", "G1", "day 91", "liver", None, 120.0))
    summary = summarise_biodistribution(rows)
    assert summary.lloq_max == 120.0
    assert summary.timepoints == ["day 7", "day 28", "day 91"]
    assert summarise_biodistribution([]).lloq_max is None
