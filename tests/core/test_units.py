"""Unit strings as written in project files."""

from __future__ import annotations

from pathlib import Path

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


def test_a_project_declares_its_own_count_nouns() -> None:
    """'CAR+ viable T cells' is not built in; declared, it is a count noun in any unit,
    and the longer declared noun wins over the built-in 'T cells'."""
    from dossier.core.units import amount_kind

    message = check_unit("CAR+ viable T cells/kg")
    assert message is not None
    assert "project.count_units" in message
    assert check_unit("CAR+ viable T cells/kg", extra_counts=("CAR+ viable T cells",)) is None
    assert check_unit("1e6 transduced cells per kg", extra_counts=("transduced cells",)) is None
    assert amount_kind("CAR+ viable T cells/kg") == "cells"


def test_the_units_page_is_current() -> None:
    """docs/units.md lists every accepted word (regenerate: python -m dossier.core.units)."""
    from dossier.core.units import main

    assert main(["--check"]) == 0


def test_declared_count_units_reach_every_unit_of_the_project(tmp_path: Path) -> None:
    """Through the loader: an undeclared noun is a located error, a declared one is not."""
    import shutil

    from dossier.core.errors import UserError
    from dossier.model.project_io import load_project

    example = Path(__file__).resolve().parents[2] / "examples" / "car-t-nl"
    folder = tmp_path / "cart"
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("out"))
    project_file = folder / "dossier.yaml"
    text = project_file.read_text("utf-8")
    text = text.replace("dose_unit: CAR+ T cells/kg", "dose_unit: CAR+ viable T cells/kg")
    project_file.write_text(text, "utf-8")
    with pytest.raises(UserError) as info:
        load_project(folder)
    assert [d.location.path for d in info.value.diagnostics] == [("product", "dose_unit")]
    text = text.replace("  title: ", "  count_units: [CAR+ viable T cells]\n  title: ", 1)
    project_file.write_text(text, "utf-8")
    assert load_project(folder).project.product.dose_unit == "CAR+ viable T cells/kg"
