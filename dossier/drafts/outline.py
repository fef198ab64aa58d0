"""Document outlines as data (``sections/<document>.yaml``) and the section units they name.

An outline lists, in order, the sections of one document type: the key (the
cross-reference target), the heading, CTD numbers where the document uses them, when
the section applies (the vocabulary of the expectation rules: ATMP class, stage,
agency, product features) and the *unit* that builds its content from the project.

Units are registered by name with :func:`section_unit`. The built-in ones are
registered the same way an add-on's are: a package that declares an entry point in the
group ``dossier.sections`` is imported before outlines are built, and its units can be
named in a user's outline. A user's ``sections/`` folder (next to the templates given
with ``--templates``, or named in ``project.output.sections``) overrides a built-in
outline by file name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.core.resources import builtin_dir
from dossier.drafts.blocks import Block, Section
from dossier.rules.schema import AppliesTo

if TYPE_CHECKING:
    from dossier.analysis.project import ComputedProject
    from dossier.model.project import Project
    from dossier.rules.check import CheckResult

__all__ = [
    "Content",
    "Outline",
    "OutlineSection",
    "UnitContext",
    "data_builder",
    "document_data",
    "find_outline",
    "load_outline",
    "section_unit",
    "unit",
]


AnnexName = Literal["todo", "abbreviations", "references", "traceability"]
ANNEX_NAMES: tuple[AnnexName, ...] = ("todo", "abbreviations", "references", "traceability")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CtdNumber(_Strict):
    """CTD numbers of a section: as a drug-substance section and, for a combined S+P
    presentation of a cell product, as a drug-product section."""

    s: str = Field(description="Drug-substance number without prefix, e.g. 'S.4.3'.")
    p: str | None = Field(default=None, description="Drug-product number, e.g. 'P.5.3'.")


class OutlineSection(_Strict):
    """One section of an outline."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="Key of the section.")
    title: str | None = Field(default=None, description="Heading; the unit's when omitted.")
    unit: str | None = Field(default=None, description="Registered unit building the content.")
    ctd: CtdNumber | None = Field(default=None, description="CTD numbers, for CTD documents.")
    number: str | None = Field(
        default=None,
        pattern=r"^[A-Z0-9][A-Za-z0-9./-]*$",
        description=(
            "A fixed number for the heading where a template prescribes one (e.g. 'II' for "
            "the questions of an EMA briefing document); subsections continue it."
        ),
    )
    applies_to: AppliesTo = Field(
        default_factory=AppliesTo, description="When the section is part of the document."
    )
    children: list[OutlineSection] = Field(default_factory=list)


class Outline(_Strict):
    """The outline of one document type."""

    document: str = Field(description="Document type id, e.g. 'impd-quality-potency'.")
    label: str = Field(description="The document type as readers name it.")
    file: str = Field(pattern=r"^[A-Za-z0-9._-]+\.docx$", description="Output file name.")
    title: str = Field(description="Title; '{product}' is replaced by the product name.")
    subtitle: str = Field(
        default="{sponsor} · version {version} · {date}",
        pattern=r"^([^{}]|\{(product|sponsor|version|date|agency)\})*$",
        description="Subtitle; may use {product}, {sponsor}, {version}, {date} and {agency}.",
    )
    template: str = Field(default="house.docx", description="Word template of the document.")
    numbering: Literal["explicit", "word"] = Field(
        default="word",
        description="'explicit': numbers written into headings (CTD); 'word': list numbering.",
    )
    rule_sections: list[str] = Field(
        default_factory=list, description="Readiness sections whose findings the to-do annex lists."
    )
    applies_to: AppliesTo = Field(
        default_factory=AppliesTo,
        description=(
            "Projects the document is built for (e.g. GMO products only); a default build "
            "leaves it out for the others."
        ),
    )
    annexes: list[AnnexName] = Field(
        default_factory=lambda: list(ANNEX_NAMES),
        description="The standard annexes the draft ends with, in this order.",
    )
    data: str | None = Field(
        default=None,
        description=(
            "Registered builder of a JSON twin written next to the draft (same name, "
            "'.json'), with the data the draft shows."
        ),
    )
    sections: list[OutlineSection]


@dataclass
class UnitContext:
    """What a unit may read: the validated project, its computed results, the findings."""

    project: Project
    computed: ComputedProject | None = None
    check: CheckResult | None = None


@dataclass
class Content:
    """What a unit builds: blocks, subsections and, when the outline gives none, a title."""

    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    title: str | None = None


UnitFn = Callable[[UnitContext], Content]
DataFn = Callable[[UnitContext], dict[str, Any]]
_UNITS: dict[str, UnitFn] = {}
_DATA: dict[str, DataFn] = {}
_LOADED: list[bool] = []  # non-empty once the built-in and add-on units are imported


def section_unit(name: str) -> Callable[[UnitFn], UnitFn]:
    """Register a function as the section unit ``name`` (built-ins and add-ons alike)."""

    def register(fn: UnitFn) -> UnitFn:
        if name in _UNITS and _UNITS[name] is not fn:
            raise ValueError(f"section unit '{name}' is registered twice")
        _UNITS[name] = fn
        return fn

    return register


def document_data(name: str) -> Callable[[DataFn], DataFn]:
    """Register a function as the JSON-twin builder ``name`` (an outline's ``data``)."""

    def register(fn: DataFn) -> DataFn:
        if name in _DATA and _DATA[name] is not fn:
            raise ValueError(f"document data '{name}' is registered twice")
        _DATA[name] = fn
        return fn

    return register


def data_builder(name: str) -> DataFn:
    """The registered JSON-twin builder ``name`` (outlines are checked when loaded)."""
    _load_units()
    return _DATA[name]


def _load_units() -> None:
    if _LOADED:
        return
    _LOADED.append(True)
    import importlib
    from importlib.metadata import entry_points

    for module in ("quality", "potency", "nonclinical", "briefing", "readiness", "netherlands"):
        importlib.import_module(f"dossier.drafts.{module}")
    for entry in entry_points(group="dossier.sections"):
        entry.load()


def unit(name: str) -> UnitFn:
    """The registered unit ``name``; an error naming the known ones otherwise."""
    _load_units()
    try:
        return _UNITS[name]
    except KeyError:
        known = ", ".join(sorted(_UNITS))
        raise UserError(
            Diagnostic(
                "DOS-T010",
                Severity.ERROR,
                f"no section unit '{name}' is registered (known: {known})",
                Location("<outline>"),
            )
        ) from None


def find_outline(document: str, folders: Sequence[Path] = ()) -> Path:
    """The outline file of a document type: user folders first, then the built-in one."""
    tried = [folder / f"{document}.yaml" for folder in (*folders, builtin_dir("sections"))]
    for path in tried:
        if path.is_file():
            return path
    raise UserError(
        Diagnostic(
            "DOS-T011",
            Severity.ERROR,
            f"no outline for document type '{document}'; searched: " + ", ".join(map(str, tried)),
            Location(str(tried[0])),
        )
    )


def load_outline(path: Path) -> Outline:
    """Read and validate an outline file, with located errors; every unit must exist."""
    from dossier.model.project_io import load_model

    outline, source = load_model(path, Outline)
    _load_units()
    problems = []

    def walk(sections: list[OutlineSection], base: tuple[str | int, ...]) -> None:
        for i, s in enumerate(sections):
            here = (*base, i)
            if s.unit is not None and s.unit not in _UNITS:
                problems.append(
                    Diagnostic(
                        "DOS-T010",
                        Severity.ERROR,
                        f"no section unit '{s.unit}' is registered",
                        source.locate((*here, "unit")),
                        "known units: " + ", ".join(sorted(_UNITS)),
                    )
                )
            if s.unit is None and s.title is None:
                problems.append(
                    Diagnostic(
                        "DOS-T012",
                        Severity.ERROR,
                        f"section '{s.id}' has neither a title nor a unit",
                        source.locate(here),
                    )
                )
            walk(s.children, (*here, "children"))

    walk(outline.sections, ("sections",))
    if outline.data is not None and outline.data not in _DATA:
        problems.append(
            Diagnostic(
                "DOS-T010",
                Severity.ERROR,
                f"no document data '{outline.data}' is registered",
                source.locate(("data",)),
                "known: " + ", ".join(sorted(_DATA)),
            )
        )
    if problems:
        raise UserError(problems)
    return outline
