"""Fuzzing the data-file readers: random and mutated CSV bytes never crash or hang.

The only acceptable outcomes of reading a dose-response or validation file are data or a
DataFileError whose diagnostics name the file (and a row where one applies).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.compute.potency.io import read_dose_response
from dossier.core.errors import DataFileError

EXAMPLES = int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "600"))
SEED = (
    Path(__file__).resolve().parents[2] / "examples/car-t-nl/data/potency/cytotoxicity_r1.csv"
).read_bytes()
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def _check(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.csv"
        path.write_bytes(content)
        try:
            data = read_dose_response(path)
        except DataFileError as exc:
            assert exc.diagnostics
            assert all(str(path) in d.location.file for d in exc.diagnostics)
            return
        assert all(o.row >= 2 for o in data.observations)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 5))):
        pos = draw(st.integers(0, len(data)))
        choice = draw(
            st.sampled_from(
                [b",", b"\n", b'"', b";", b"\t", b"nan", b"-", b"1e999", b"\xff", b"\x00", b""]
            )
        )
        data[pos : pos + draw(st.integers(0, 12))] = choice
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_dose_response_files(content: bytes) -> None:
    _check(content)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_bytes_as_data_files(content: bytes) -> None:
    _check(content)
