"""Unit strings as written in project files."""

from __future__ import annotations

import pytest

from dossier.core.units import check_unit

GOOD = [
    "cells/kg",
    "CAR+ cells/kg",
    "CAR+ T cells/kg",
    "vg/kg",
    "vg/eye",
    "mg/kg",
    "copies/µg genomic DNA",
    "copies/ug gDNA",
    "pg/mL",
    "%",
    "spheroids/cm²",
    "cells",
    "1e5 cells",
    "x 10^6 cells",
    "pmol/1e6 cells",
    "nmol/h/mg",
    "TU/mL",
    "IU/mL",
    "vg per kg",
    "mg/m2",
]


@pytest.mark.parametrize("unit", GOOD)
def test_units_people_write_are_understood(unit: str) -> None:
    assert check_unit(unit) is None


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("mg/kgg", "'kgg' is not a known unit; did you mean 'kg'?"),
        ("furlongs", "'furlongs' is not a known unit"),
        ("", "a unit is required"),
        ("cels/kg", "did you mean 'cells'?"),
    ],
)
def test_wrong_units_get_a_message_with_a_hint(unit: str, expected: str) -> None:
    message = check_unit(unit)
    assert message is not None
    assert expected in message


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("mg", "mass"),
        ("mg/kg", "mass"),
        ("µg per kg", "mass"),
        ("vg/kg", "vector genomes"),
        ("vg", "vector genomes"),
        ("CAR+ T cells/kg", "cells"),
        ("1e6 cells/kg", "cells"),
        ("mL/kg", "volume"),
        ("TU/kg", None),
        ("IU", None),
    ],
)
def test_amount_kind(unit: str, kind: str | None) -> None:
    from dossier.core.units import amount_kind

    assert amount_kind(unit) == kind
