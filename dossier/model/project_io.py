"""Load a project file into the model and report every problem with its location.

``load_project`` = YAML with a source map (:mod:`dossier.load`) -> pydantic model
-> cross-reference integrity -> data-file references. Every problem becomes a
:class:`~dossier.core.diagnostics.Diagnostic` located at ``FILE:LINE:COL`` with
the YAML path; all problems are reported in one run.

Codes of this stage (``M`` = model, ``X`` = cross-references):

======== ===========================================================
DOS-M001 a required field is missing
DOS-M002 an unknown key (with a did-you-mean hint)
DOS-M003 a value of the wrong type
DOS-M004 a value that is not one of the allowed choices
DOS-M005 a value outside its constraints (pattern, length, range)
DOS-M006 an inconsistent combination of values
DOS-M007 a unit that is not understood, or a quantity without unit
DOS-M010 an unsupported ``schema_version``
DOS-X001 an id defined twice
DOS-X002 a reference to an id that does not exist
DOS-X003 a reference to an id of the wrong kind
DOS-X010 sections that are inconsistent with each other (warning)
======== ===========================================================
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from dossier.core.diagnostics import Diagnostic, DiagnosticList, Location, PathPart, Severity
from dossier.core.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from dossier.load.yaml_source import SourceDoc
from dossier.model.crossref import check_references
from dossier.model.project import SCHEMA_VERSION, Project

__all__ = [
    "LoadedProject",
    "data_references",
    "load_model",
    "load_project",
    "project_from_source",
    "pydantic_diagnostics",
    "validate",
]


@dataclass
class LoadedProject:
    """A validated project, its source map and the warnings found on the way."""

    project: Project
    source: SourceDoc
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)

    @property
    def root(self) -> Path:
        """The folder of the project file (data paths are relative to it)."""
        return self.source.path.parent

    def locate(self, path: tuple[PathPart, ...]) -> Location:
        """The source location of a YAML path (nearest existing ancestor)."""
        return self.source.locate(path)

    def data_path(self, ref: str, path: tuple[PathPart, ...], kind: str = "file") -> Path:
        """Resolve a data-file reference found at ``path`` (already checked by validation)."""
        from dossier.load.paths import resolve_data_path

        return resolve_data_path(self.root, ref, self.locate(path), kind=kind)  # type: ignore[arg-type]


def _unwrap(annotation: Any) -> Any:
    """The model class inside Optional[...], list[...], dict[str, ...] and Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                inner = _unwrap(arg)
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    return inner
        return None
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return _unwrap(args[0]) if args else None
    if origin is dict:
        args = typing.get_args(annotation)
        return _unwrap(args[1]) if len(args) == 2 else None
    return annotation


def _model_at(loc: tuple[PathPart, ...], root: type[BaseModel] = Project) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (None if not a model)."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[PathPart, ...]:
    """Drop pydantic's internal location parts (validator names) that are not in the data."""
    out: list[PathPart] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and not part.startswith(("function-", "tagged-union", "json-or-python"))
        ):
            out.append(part)  # a missing key: keep it for the message
            node = None
    return tuple(out)


def _field_description(loc: tuple[PathPart, ...], root: type[BaseModel] = Project) -> str | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _model_at(loc[:-1], root)
    if parent is None:
        return None
    info = parent.model_fields.get(loc[-1])
    return info.description if info is not None else None


def pydantic_diagnostics(
    exc: ValidationError, source: SourceDoc, root: type[BaseModel] = Project
) -> Iterator[Diagnostic]:
    """Turn a pydantic ValidationError into located diagnostics (all of them)."""
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]), source.data)
        etype = err["type"]
        msg = err["msg"]
        hint: str | None = None
        if etype == "missing":
            code = "DOS-M001"
            parent = ".".join(str(p) for p in loc[:-1]) or "the root"
            msg = f"required field '{loc[-1]}' is missing in {parent}"
            desc = _field_description(loc, root)
            hint = f"{loc[-1]}: {desc}" if desc else None
            location = source.locate_key(loc[:-1]) if loc[:-1] else source.locate(())
        elif etype == "extra_forbidden":
            code = "DOS-M002"
            key = str(loc[-1]) if loc else "?"
            msg = f"unknown key '{key}'"
            model = _model_at(loc[:-1], root)
            if model is not None:
                allowed = list(model.model_fields)
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "allowed keys: " + ", ".join(allowed)
                )
            moved = _MOVED.get((*(str(p) for p in loc[:-1] if isinstance(p, str)), key))
            if moved is not None and root is Project:
                msg = f"'{'.'.join(str(p) for p in loc)}' has moved to '{moved[0]}'"
                hint = moved[1]
            if " " in key or key.endswith("."):
                hint = (
                    "this looks like part of a text value: inside { ... } a comma separates "
                    "entries, so put the whole value in quotes"
                )
            location = source.locate_key(loc)
        else:
            location = source.locate(loc)
            code, msg, hint = _classify(etype, msg, loc, err, root)
        yield Diagnostic(
            code=code,
            severity=Severity.ERROR,
            message=msg,
            location=Location(location.file, location.line, location.column, loc),
            hint=hint,
        )


# Keys of earlier project files whose fact now lives elsewhere: refused with the new
# place, so that nothing is read from two places and nothing moved is silently lost.
_MOVED: dict[tuple[str, ...], tuple[str, str]] = {
    ("fih_dose", "escalation"): (
        "clinical_trial.cohorts",
        "the cohorts belong to the planned trial: list them under clinical_trial.cohorts "
        "(same cohort, dose and patients keys)",
    ),
    ("fih_dose", "staggering"): (
        "clinical_trial.staggering",
        "move the block unchanged to clinical_trial.staggering",
    ),
    ("fih_dose", "stopping_rules"): (
        "clinical_trial.stopping_rules",
        "move the list unchanged to clinical_trial.stopping_rules",
    ),
    ("fih_dose", "population"): (
        "clinical_trial.population.description",
        "the trial population, with its key inclusion and exclusion criteria, is "
        "clinical_trial.population",
    ),
}


# Settings a user may reasonably expect but that the drafts cannot honour yet: refused
# with the reason, never accepted and ignored.
_NOT_AVAILABLE: dict[tuple[tuple[str, ...], str], str] = {
    (("document", "language"), "nl"): (
        "Dutch drafts are not produced yet: 'nl' would be ignored, so it is refused "
        "(the IMPD and the briefing document are English in any case)"
    ),
}


def _classify(
    etype: str, msg: str, loc: tuple[PathPart, ...], err: Any, root: type[BaseModel]
) -> tuple[str, str, str | None]:
    last = loc[-1] if loc else ""
    if etype in {"literal_error", "enum"}:
        expected = err.get("ctx", {}).get("expected", "")
        got = err.get("input")
        options = [o.strip().strip("'") for o in str(expected).replace(" or ", ",").split(",")]
        refused = _NOT_AVAILABLE.get((tuple(str(p) for p in loc[-2:]), str(got)))
        if refused is not None:
            return "DOS-M004", refused, f"allowed: {expected}"
        close = difflib.get_close_matches(str(got), options, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {expected}"
        return "DOS-M004", f"'{got}' is not allowed here", hint
    if etype == "model_type" and err.get("ctx", {}).get("class_name") in {"Quantity", "DoseLevel"}:
        got = err.get("input")
        number = isinstance(got, int | float) and not isinstance(got, bool)
        shown = f"{got:g}" if number else f"'{got}'"
        return (
            "DOS-M007",
            f"{shown} has no unit: a quantity needs a value and a unit",
            f"write it as {{value: {shown if number else 1}, unit: ...}} with its unit "
            "(e.g. vg/kg, cells/kg, CAR+ cells)",
        )
    if last in {"unit", "dose_unit"} or (etype == "value_error" and "unit" in msg.lower()):
        return "DOS-M007", msg.removeprefix("Value error, "), None
    if etype in {"value_error", "assertion_error"}:
        return "DOS-M006", msg.removeprefix("Value error, "), None
    if etype.startswith(("string_", "greater", "less", "too_", "multiple_of")) or etype in {
        "string_pattern_mismatch",
    }:
        return "DOS-M005", msg, _field_description(loc, root)
    return "DOS-M003", msg, _field_description(loc, root)


def data_references(project: Project) -> Iterator[tuple[str, tuple[PathPart, ...], str]]:
    """Every data-file reference: (reference, YAML path, 'file' or 'dir')."""
    potency = project.quality.potency
    if potency is not None:
        for i, assay in enumerate(potency.assays):
            base: tuple[PathPart, ...] = ("quality", "potency", "assays", i)
            for j, run in enumerate(assay.runs):
                yield run.data, (*base, "runs", j, "data"), "file"
            for j, vd in enumerate(assay.validation_data):
                yield vd.data, (*base, "validation_data", j, "data"), "file"
    if project.nonclinical is not None:
        for i, study in enumerate(project.nonclinical.studies):
            if study.data is None:
                continue
            base = ("nonclinical", "studies", i, "data")
            if study.data.send:
                yield study.data.send, (*base, "send"), "dir"
            if study.data.biodistribution:
                yield study.data.biodistribution, (*base, "biodistribution"), "file"


def _check_data_files(project: Project, source: SourceDoc) -> Iterator[Diagnostic]:
    from dossier.load.paths import resolve_data_path

    for ref, path, kind in data_references(project):
        try:
            resolve_data_path(source.path.parent, ref, source.locate(path), kind=kind)  # type: ignore[arg-type]
        except UserError as exc:
            yield from exc.diagnostics


def _schema_version_problem(source: SourceDoc) -> Diagnostic | None:
    data = source.data
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version is None or str(version) == SCHEMA_VERSION:
        return None
    return Diagnostic(
        code="DOS-M010",
        severity=Severity.ERROR,
        message=f"schema_version '{version}' is not supported by this release",
        location=source.locate(("schema_version",)),
        hint=f"this release reads schema_version '{SCHEMA_VERSION}'",
    )


def _declared_count_units(data: object) -> tuple[str, ...]:
    """The count nouns of ``project.count_units`` as written, for checking every unit of
    the project (the field itself is validated with the rest of the model)."""
    project = data.get("project") if isinstance(data, dict) else None
    declared = project.get("count_units") if isinstance(project, dict) else None
    if not isinstance(declared, list):
        return ()
    return tuple(d.strip() for d in declared if isinstance(d, str) and d.strip())


def load_project(path: Path | str) -> LoadedProject:
    """Load and validate a project file; raise :class:`UserError` with all errors.

    ``path`` may be the project file or a folder containing one. Warnings are returned
    in ``LoadedProject.diagnostics``.
    """
    from dossier.load.paths import find_project_file
    from dossier.load.yaml_source import load_yaml

    return project_from_source(load_yaml(find_project_file(Path(path))))


def project_from_source(source: SourceDoc) -> LoadedProject:
    """Validate a parsed project file (its data may have been edited after parsing, as
    the rule examples do); raise :class:`UserError` with all errors."""
    diags = DiagnosticList()
    version_problem = _schema_version_problem(source)
    if version_problem is not None:
        raise UserError([version_problem])
    try:
        project = Project.model_validate(
            source.data, context={"count_units": _declared_count_units(source.data)}
        )
    except ValidationError as exc:
        raise UserError(list(pydantic_diagnostics(exc, source))) from None
    for problem in check_references(project):
        loc = source.locate(problem.path)
        diags.append(
            Diagnostic(
                code=problem.code,
                severity=problem.severity,
                message=problem.message,
                location=Location(loc.file, loc.line, loc.column, problem.path),
                hint=problem.hint,
            )
        )
    diags.extend(_check_data_files(project, source))
    if diags.errors:
        raise UserError(diags)
    return LoadedProject(project=project, source=source, diagnostics=diags)


def validate(path: Path | str) -> DiagnosticList:
    """All diagnostics of a project (empty when it is valid without warnings)."""
    try:
        loaded = load_project(path)
    except UserError as exc:
        return DiagnosticList(exc.diagnostics)
    return loaded.diagnostics


M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M]) -> tuple[M, SourceDoc]:
    """Read a YAML file other than the project (a profile, an outline) into a model;
    located errors as :class:`UserError`. Returns the model and its source map."""
    from pydantic import ValidationError

    from dossier.load.yaml_source import load_yaml

    source = load_yaml(path)
    try:
        return model.model_validate(source.data), source
    except ValidationError as exc:
        raise UserError(list(pydantic_diagnostics(exc, source, model))) from None
