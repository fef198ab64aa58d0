"""Property-based fuzzing: random and mutated files never crash or hang the loader/validator.

The only acceptable outcomes are a parsed document (then a model result) or a
UserError whose diagnostics carry a line >= 1. ``DOSSIER_FUZZ_EXAMPLES`` raises the
number of examples for a longer run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dossier.core.errors import UserError
from dossier.load.yaml_source import load_yaml_text
from dossier.model.project import Project
from dossier.model.project_io import pydantic_diagnostics
from dossier.starters import starter_text

EXAMPLES = int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "1500"))
SEED = starter_text("car-t").encode("utf-8")
TOKENS = [
    b":",
    b"-",
    b'"',
    b"'",
    b"&a",
    b"*a",
    b"\t",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\n",
    b"  ",
    b"!!python/object ",
    b"<<: ",
    b"? ",
    b"---\n",
    b"\x00",
    b"\xff",
    b"9" * 200,
    b"#",
]


def _check(content: bytes) -> None:
    try:
        doc = load_yaml_text(content, "fuzz.yaml")
    except UserError as exc:
        assert exc.diagnostics
        assert all(d.location.line >= 1 for d in exc.diagnostics)
        return
    try:
        Project.model_validate(doc.data)
    except ValidationError as exc:
        diags = list(pydantic_diagnostics(exc, doc))
        assert diags
        assert all(d.location.line >= 1 and d.code.startswith("DOS-M") for d in diags)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "swap", "replace"]))
        pos = draw(st.integers(0, len(data)))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            data[pos : pos + draw(st.integers(1, 40))] = b""
        elif op == "replace":
            data[pos : pos + 1] = draw(st.binary(min_size=1, max_size=3))
        else:
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@FUZZ
@given(mutated())
def test_mutated_project_files(content: bytes) -> None:
    _check(content)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(content: bytes) -> None:
    _check(content)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list(":-[]{}\"'&*!?|># \n\tabc019.~")), max_size=400))
def test_random_yaml_like_text(content: str) -> None:
    _check(content.encode("utf-8"))
