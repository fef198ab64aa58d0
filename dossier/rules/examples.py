"""Worked examples of a rule: edits of a named example project that make it fire or not.

Every catalogue rule carries ``examples`` (see :class:`RuleExamples`): at least one edit
of a named project after which the rule must fire, and one after which it must stay
quiet. The named projects are the examples of the repository (``car-t-nl``,
``aav-systemic``, ``ipsc-local``, ``msc-confirmatory-ema``) and the starters of
``dossier init`` (``init/car-t``, ``init/aav`` ...). The test suite runs every example
of every rule, so a rule that cannot fire, or fires where it should not, is caught when
it is written.

An example may also edit a CSV data file of the project (``files``: the file's path in
the project folder, with columns to scale and rows to drop, see :class:`TableEdit`), for
a rule that reads what the analyses compute from the data; the test applies such edits to
a copy of the project folder.

An edit addresses a value by a dotted path over the project file as written:
``quality.potency.assays.A-CYTOX.reference_standard``. In a list, a segment of digits is
an index (``studies.0``; ``-1`` is the last element), ``key=value`` selects the element
whose ``key`` has that value (``acceptance_criteria.role=release``), and any other
segment selects the element with that ``id`` (``assays.A-CYTOX``). An id that contains
a dot cannot be a segment: address its element by index.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "EXAMPLE_PROJECTS",
    "EditError",
    "RuleExample",
    "RuleExamples",
    "TableEdit",
    "apply_example",
    "edit_files",
    "edit_table",
    "parse_edit_path",
]

EXAMPLE_PROJECTS = ("car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema")
"""The example projects of the repository (folders under ``examples/``)."""

_PROJECT = re.compile(
    r"^(car-t-nl|aav-systemic|ipsc-local|msc-confirmatory-ema|init/[a-z][a-z-]*)$"
)
_SEGMENT = re.compile(r"^[^.\s]+$")


class EditError(ValueError):
    """An edit that does not fit the project it is applied to."""


def parse_edit_path(text: str) -> list[str]:
    """The segments of an edit path ('a.b.0.c' -> ['a', 'b', '0', 'c'])."""
    parts = text.split(".")
    if not text or not all(_SEGMENT.match(p) for p in parts):
        raise ValueError(f"bad edit path {text!r}: dotted keys, list indexes, ids or key=value")
    return parts


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableEdit(_Strict):
    """An edit of a CSV data file: numeric cells of columns multiplied by a factor (text
    such as 'BLQ' is left as it is), then the rows whose column holds one of the values
    given removed."""

    scale: dict[str, float] = Field(
        default_factory=dict, description="Column -> factor its numbers are multiplied by."
    )
    drop: dict[str, list[str]] = Field(
        default_factory=dict, description="Column -> values; rows holding one are removed."
    )

    def describe(self) -> str:
        """The edit in words, e.g. 'lloq × 4; without timepoint day 28'."""
        parts = [f"{column} × {factor:g}" for column, factor in self.scale.items()]
        parts += [f"without {column} {', '.join(values)}" for column, values in self.drop.items()]
        return "; ".join(parts)


def _relative_file(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or pure.suffix.lower() != ".csv":
        raise ValueError(f"{path!r}: give a CSV file's path inside the project folder")
    return path


class RuleExample(_Strict):
    """One project, edited: the edits are applied in the order set, append, unset."""

    project: str = Field(
        description=(
            "The project edited: car-t-nl, aav-systemic or ipsc-local (examples/), or "
            "init/ARCHETYPE for the starter of 'dossier init --archetype ARCHETYPE'."
        )
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Values to set by path (missing mapping keys on the way are created).",
    )
    append: dict[str, Any] = Field(
        default_factory=dict, description="One item to append to the list at each path."
    )
    unset: list[str] = Field(
        default_factory=list, description="Paths of the keys or list items to remove."
    )
    files: dict[str, TableEdit] = Field(
        default_factory=dict,
        description=(
            "Edits of CSV data files of the project, by their path in the project folder "
            "(e.g. data/biodistribution_nhp.csv); applied to a copy of the folder."
        ),
    )
    why: str | None = Field(default=None, description="What the edit shows, when not obvious.")
    applies: bool = Field(
        default=True,
        description=(
            "quiet examples only: false when the rule does not apply to the edited project "
            "at all (wrong class, stage or features), rather than being satisfied."
        ),
    )

    @field_validator("project")
    @classmethod
    def _known_project(cls, value: str) -> str:
        if not _PROJECT.match(value):
            raise ValueError(
                f"unknown example project {value!r}: car-t-nl, aav-systemic, ipsc-local or "
                "init/ARCHETYPE"
            )
        return value

    @field_validator("set", "append")
    @classmethod
    def _paths(cls, value: dict[str, Any]) -> dict[str, Any]:
        for path in value:
            parse_edit_path(path)
        return value

    @field_validator("unset")
    @classmethod
    def _unset_paths(cls, value: list[str]) -> list[str]:
        for path in value:
            parse_edit_path(path)
        return value

    @field_validator("files")
    @classmethod
    def _files(cls, value: dict[str, TableEdit]) -> dict[str, TableEdit]:
        for path in value:
            _relative_file(path)
        return value

    def describe(self) -> str:
        """The example in one line, e.g. 'car-t-nl with stage = confirmatory'."""
        edits = [f"{path} = {_short(value)}" for path, value in self.set.items()]
        edits += [f"{path} += {_short(value)}" for path, value in self.append.items()]
        edits += [f"{path}: {edit.describe()}" for path, edit in self.files.items()]
        text = self.project + (" with " + "; ".join(edits) if edits else "")
        if self.unset:
            text += (", " if edits else " ") + "without " + ", ".join(self.unset)
        if not edits and not self.unset:
            text += " as it is"
        notes = [n for n in (self.why, None if self.applies else "the rule does not apply") if n]
        return text + (f" ({'; '.join(notes)})" if notes else "")


class RuleExamples(_Strict):
    """Edits of example projects that make a rule fire, and that leave it quiet."""

    fires: list[RuleExample] = Field(
        min_length=1, description="Projects on which the rule must report at least one finding."
    )
    quiet: list[RuleExample] = Field(
        min_length=1,
        description=(
            "Projects on which the rule must report nothing; at least one of them must be "
            "one the rule applies to (the unedited project counts when it is quiet there)."
        ),
    )

    @field_validator("fires")
    @classmethod
    def _fires_apply(cls, value: list[RuleExample]) -> list[RuleExample]:
        if any(not e.applies for e in value):
            raise ValueError("'applies: false' is for quiet examples only")
        return value

    @field_validator("quiet")
    @classmethod
    def _one_applies(cls, value: list[RuleExample]) -> list[RuleExample]:
        if not any(e.applies for e in value):
            raise ValueError("at least one quiet example must be a project the rule applies to")
        return value


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _step(node: Any, segment: str, path: str) -> tuple[Any, Any]:
    """(container, key or index) that ``segment`` addresses in ``node``."""
    if isinstance(node, dict):
        return node, segment
    if not isinstance(node, list):
        raise EditError(f"{path}: '{segment}' goes into a {type(node).__name__}")
    if re.fullmatch(r"-?\d+", segment):
        index = int(segment)
        if not -len(node) <= index < len(node):
            raise EditError(f"{path}: index {index} outside a list of {len(node)}")
        return node, index % len(node)
    key, sep, wanted = segment.partition("=")
    if not sep:
        key, wanted = "id", segment
    hits = [i for i, e in enumerate(node) if isinstance(e, dict) and str(e.get(key)) == wanted]
    if len(hits) != 1:
        raise EditError(f"{path}: {len(hits)} list items have {key} = {wanted!r}, not one")
    return node, hits[0]


def _walk(data: Any, path: str, *, create: bool) -> tuple[Any, Any]:
    """The container and key of the last segment of ``path``."""
    parts = parse_edit_path(path)
    node = data
    for segment in parts[:-1]:
        container, key = _step(node, segment, path)
        if isinstance(container, dict) and container.get(key) is None:
            if not create:
                raise EditError(f"{path}: '{segment}' is not in the project")
            container[key] = {}
        node = container[key]
    return _step(node, parts[-1], path)


def apply_example(data: Any, example: RuleExample) -> Any:
    """A copy of the project data (as read from the project file) with the example's
    edits applied; :class:`EditError` when a path does not fit."""
    out = copy.deepcopy(data)
    for path, value in example.set.items():
        container, key = _walk(out, path, create=True)
        container[key] = copy.deepcopy(value)
    for path, value in example.append.items():
        container, key = _walk(out, path, create=True)
        if isinstance(container, dict) and container.get(key) is None:
            container[key] = []
        target = container[key]
        if not isinstance(target, list):
            raise EditError(f"{path}: append needs a list, found {type(target).__name__}")
        target.append(copy.deepcopy(value))
    for path in example.unset:
        container, key = _walk(out, path, create=False)
        if isinstance(container, dict) and key not in container:
            raise EditError(f"{path}: nothing to remove")
        del container[key]
    return out


def edit_table(text: str, edit: TableEdit, name: str = "the file") -> str:
    """The CSV ``text`` with ``edit`` applied; :class:`EditError` for a column the file
    does not have, or a drop that removes no row (the example would prove nothing)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise EditError(f"{name} is empty")
    header = rows[0]
    missing = [c for c in [*edit.scale, *edit.drop] if c not in header]
    if missing:
        raise EditError(f"{name} has no column {', '.join(missing)}")
    body = rows[1:]
    for column, factor in edit.scale.items():
        at = header.index(column)
        for row in body:
            try:
                value = float(row[at])
            except (ValueError, IndexError):
                continue  # 'BLQ' and other text stay as written
            row[at] = f"{value * factor:g}"
    for column, values in edit.drop.items():
        at = header.index(column)
        kept = [row for row in body if len(row) <= at or row[at] not in values]
        if len(kept) == len(body):
            raise EditError(f"{name}: no row has {column} {', '.join(values)}")
        body = kept
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue()


def edit_files(folder: Path, example: RuleExample) -> None:
    """Apply the example's file edits to the CSV files of a project folder (a copy)."""
    for name, edit in example.files.items():
        path = folder / _relative_file(name)
        if not path.is_file():
            raise EditError(f"{name}: no such file in the project folder")
        path.write_text(edit_table(path.read_text("utf-8"), edit, name), "utf-8")
