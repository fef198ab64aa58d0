"""Build every draft of a project: load, compute, check, assemble, write, convert.

One source feeds all documents: an assay or a study is described once in the project
file and appears consistently in every draft. The readiness report lists the
expectation-rule findings; each draft's to-do annex lists its placeholders and the
findings of the sections it covers. A document type whose outline does not apply to the
project (e.g. the GMO risk assessment of a product that is not a GMO) is left out; an
outline with ``data`` also writes a JSON twin of its draft.

Codes: ``DOS-B008`` a document type asked for by name (--only) does not apply to the project.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from dossier.core.diagnostics import (
    Diagnostic,
    DiagnosticCounts,
    DiagnosticList,
    Location,
    Severity,
)
from dossier.core.errors import UserError
from dossier.core.version import __version__

if TYPE_CHECKING:
    from dossier.drafts.outline import Outline
    from dossier.model.project_io import LoadedProject

__all__ = ["BuildReport", "build_project", "document_types", "template_folders"]


@functools.cache
def document_types() -> tuple[str, ...]:
    """The built-in document types: one per outline ``sections/<type>.yaml``, by name."""
    from dossier.core.resources import builtin_dir

    return tuple(sorted(p.stem for p in builtin_dir("sections").glob("*.yaml")))


@dataclass
class BuildReport(DiagnosticCounts):
    """What a build wrote, what it found on the way (the diagnostics of loading and
    computing the project) and how many expectation findings the readiness report lists."""

    out_dir: Path
    written: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)
    findings: int = 0


def template_folders(loaded: LoadedProject, extra: Sequence[Path] = ()) -> list[Path]:
    """User template folders, most specific first: ``--templates`` then the project's."""
    folders = list(extra)
    setting = loaded.project.project.output.templates
    if setting is not None:
        folders.append(loaded.data_path(setting, ("project", "output", "templates"), kind="dir"))
    return folders


def _check_renamed(folders: Sequence[Path]) -> None:
    """A user's template folder or outline named after a renamed document type would be
    silently skipped: it is an error naming the new type (``DOS-T011``)."""
    from dossier.core.resources import RENAMED_DOCUMENTS

    problems = [
        Diagnostic(
            "DOS-T011",
            Severity.ERROR,
            f"'{path.name}' is named after the document type '{old}', now called '{new}'",
            Location(str(path)),
            f"rename it to '{path.name.replace(old, new)}'",
        )
        for folder in folders
        for old, new in RENAMED_DOCUMENTS.items()
        for path in (folder / old, folder / "sections" / f"{old}.yaml")
        if path.exists()
    ]
    if problems:
        raise UserError(problems)


def _input_name(path: Path, root: Path) -> str:
    """How the manifest names a template or outline: relative to the project folder, as
    ``dossier:<folder>/<file>`` for a built-in one, else by its absolute path."""
    from dossier.core.resources import builtin_dir

    resolved = path.resolve()
    for base, prefix in (
        (root.resolve(), ""),
        (builtin_dir("sections").resolve(), "dossier:sections/"),
        (builtin_dir("templates").resolve(), "dossier:templates/"),
    ):
        if resolved.is_relative_to(base):
            return prefix + resolved.relative_to(base).as_posix()
    return resolved.as_posix()


def _check_output_files(outlines: dict[str, Outline], paths: dict[str, Path]) -> None:
    """Two document types writing one file (letter case ignored) is an error."""
    first: dict[str, str] = {}
    problems = []
    for doc_type, outline in outlines.items():
        other = first.setdefault(outline.file.casefold(), doc_type)
        if other != doc_type:
            problems.append(
                Diagnostic(
                    "DOS-B005",
                    Severity.ERROR,
                    f"the outlines of '{other}' and '{doc_type}' both write {outline.file}; "
                    "one draft would replace the other",
                    Location(str(paths[doc_type])),
                    f"give one of them another file name (file: in {paths[doc_type].name})",
                )
            )
    if problems:
        raise UserError(problems)


def _build_id(inputs: dict[str, str]) -> str:
    """The id of a build: a hash of the hashes of its inputs."""
    from dossier.package.outputs import sha256

    return sha256("".join(f"{k}={v}" for k, v in sorted(inputs.items())).encode())[:12]


def _english_source(loaded: LoadedProject) -> bytes | None:
    """The bytes of the project file with its document language written as ``en`` (the
    value replaced where the file has it), or None when the value is not found as a plain
    or quoted scalar there."""
    data = loaded.source.path.read_bytes()
    path = ("project", "document", "language")
    if not loaded.source.has_value(path):
        return None
    where = loaded.locate(path)
    lines = data.split(b"\n")
    if not 1 <= where.line <= len(lines):
        return None
    line = lines[where.line - 1]
    start = len(line.decode("utf-8")[: where.column - 1].encode("utf-8"))
    value = loaded.project.project.document.language.encode()
    for quote in (b"", b'"', b"'"):
        token = quote + value + quote
        if line[start : start + len(token)] == token:
            lines[where.line - 1] = (
                line[:start] + quote + b"en" + quote + line[start + len(token) :]
            )
            return b"\n".join(lines)
    return None


def _twin_name(outline: Outline) -> str:
    """The JSON twin of a draft: its file name with '.json'."""
    return Path(outline.file).stem + ".json"


def _applicable(
    outlines: dict[str, Outline], paths: dict[str, Path], loaded: LoadedProject, *, asked: bool
) -> dict[str, Outline]:
    """The outlines whose ``applies_to`` fits the project. A document type named with
    ``--only`` that does not fit is an error; by default it is left out."""
    from dossier.rules.check import matches
    from dossier.rules.features import product_features

    features = product_features(loaded.project)
    kept = {d: o for d, o in outlines.items() if matches(o.applies_to, loaded.project, features)}
    if asked and len(kept) < len(outlines):
        raise UserError(
            [
                Diagnostic(
                    "DOS-B008",
                    Severity.ERROR,
                    f"the document type '{doc_type}' ({o.label}) does not apply to this project",
                    Location(str(paths[doc_type])),
                    "see applies_to in its outline (e.g. the GMO risk assessment is built for "
                    "GMO products only)",
                )
                for doc_type, o in outlines.items()
                if doc_type not in kept
            ]
        )
    return kept


def build_project(
    path: Path | str | LoadedProject,
    *,
    out_dir: Path | None = None,
    only: list[str] | None = None,
    pdf: bool = False,
    force: bool = False,
    templates: Sequence[Path] = (),
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build the drafts of the project at ``path`` (or of a project already loaded);
    raises UserError on invalid input.

    ``jobs`` processes draw the figures that are not in the cache (default: one per core;
    1 draws them in this process)."""
    return _build(path, out_dir, only, pdf, force, templates, jobs, progress)


def _build(
    path: Path | str | LoadedProject,
    out_dir: Path | None,
    only: list[str] | None,
    pdf: bool,
    force: bool,
    templates: Sequence[Path],
    jobs: int | None,
    progress: Callable[[str], None] | None,
) -> BuildReport:
    from dossier.analysis.project import compute_project
    from dossier.core.i18n import TRANSLATED_DOCUMENTS, language, translator
    from dossier.drafts.annexes import add_annexes
    from dossier.drafts.blocks import Document
    from dossier.drafts.compose import compose
    from dossier.drafts.outline import UnitContext, data_builder, find_outline, load_outline
    from dossier.figures.draw import Drawing
    from dossier.figures.pool import FigurePool, available_cores
    from dossier.model.project_io import LoadedProject, data_references, load_project
    from dossier.package.outputs import (
        Output,
        check_editor_locks,
        check_names,
        output_names,
        sha256,
        write_outputs,
    )
    from dossier.rules.check import check_project, compile_ahead
    from dossier.rules.engine import Translation
    from dossier.word.templates import TemplateSearch
    from dossier.word.writer import write_docx

    say = progress or (lambda _message: None)
    loaded = path if isinstance(path, LoadedProject) else load_project(path)
    project = loaded.project
    target = out_dir or loaded.root / "out"
    folders = template_folders(loaded, templates)
    _check_renamed(folders)
    search = TemplateSearch.of(folders)
    outline_paths = {
        doc_type: find_outline(doc_type, [f / "sections" for f in folders])
        for doc_type in (only or project.project.output.documents or document_types())
    }
    outlines = {doc_type: load_outline(p) for doc_type, p in outline_paths.items()}
    outlines = _applicable(outlines, outline_paths, loaded, asked=bool(only))
    _check_output_files(outlines, outline_paths)
    templates_used = {
        o.document: search.find(o.template, o.document, named_in=outline_paths[doc_type])
        for doc_type, o in outlines.items()
    }
    # an open draft stops the build before anything is computed (checked again, with
    # edits, under the output folder's lock before anything is replaced)
    planned = [Output(o.file, b"") for o in outlines.values()]
    planned += [Output(_twin_name(o), b"", pdf=False) for o in outlines.values() if o.data]
    check_names(output_names(planned, pdf=pdf), target)
    check_editor_locks(target, output_names(planned, pdf=pdf))
    say("computing results from the data files")
    compiled = compile_ahead(loaded)
    try:
        computed = compute_project(loaded)
    finally:
        compiled()
    say("checking expectations")
    wanted = project.project.document.language
    translation = None
    if wanted != "en":
        # the findings' messages also in the project's language, for the readiness report
        with language(wanted):
            translation = Translation(wanted, translator(wanted), computed.rule_data())
    result = check_project(loaded, computed.rule_data(), translation=translation)

    def written_in(doc_type: str) -> Literal["en", "nl"]:
        return wanted if doc_type in TRANSLATED_DOCUMENTS else "en"

    context = UnitContext(project, computed, result)
    # names relative to the project folder: moving the folder changes no byte of the drafts
    inputs = {loaded.source.path.name: sha256(loaded.source.path.read_bytes())}
    for ref, ref_path, kind in data_references(project):
        resolved = loaded.data_path(ref, ref_path, kind=kind)
        files = sorted(resolved.rglob("*")) if kind == "dir" else [resolved]
        for file in files:
            if file.is_file():
                inputs[str(file.relative_to(loaded.root))] = sha256(file.read_bytes())
    # the files declared for the CTR dossier map: their hashes decide its statuses
    if computed.netherlands is not None:
        for item in computed.netherlands.items:
            if item.file is not None and item.sha256 is not None:
                inputs[f"declared:{item.file}"] = item.sha256
    # the outlines and templates by path (relative to the project, or to dossier's own
    # folders for the built-in ones), so that two files of one name are two entries
    for outline_path in sorted(set(outline_paths.values())):
        inputs[f"outline:{_input_name(outline_path, loaded.root)}"] = sha256(
            outline_path.read_bytes()
        )
    for template in sorted(set(templates_used.values())):
        inputs[f"template:{_input_name(template, loaded.root)}"] = sha256(template.read_bytes())
    build_id = _build_id(inputs)
    # A document the language setting does not reach (the IMPD, the briefing) carries the
    # build id of the same project in English, so that it is byte-identical to the
    # English build's; the manifest keeps the id of every input as it is.
    english_id = build_id
    if wanted != "en":
        english = _english_source(loaded)
        if english is not None:
            english_id = _build_id({**inputs, loaded.source.path.name: sha256(english)})
    # Each draft's figures missing from the cache go to the worker processes as soon as
    # the draft is composed, so that they are drawn while the build composes and writes
    # the others. A draft is written as soon as it is composed when all its figures are
    # at hand; the others once every draft is composed, the writer waiting for a figure
    # only when it reaches one not yet drawn. A written draft is let go: the build does
    # not hold every composed draft while the workers run.
    allowed = available_cores() if jobs is None else max(1, jobs)
    workers = allowed if allowed > 1 else 0
    docx: dict[str, bytes] = {}
    waiting: list[tuple[str, Document]] = []

    def write(doc_type: str, document: Document) -> None:
        with language(written_in(doc_type)):
            docx[doc_type] = write_docx(
                document, project.project.document.date, templates_used[doc_type]
            )

    with FigurePool(workers, say) as pool:
        for doc_type, outline in outlines.items():
            say(f"assembling {outline.file}")
            with language(written_in(doc_type)):
                document = compose(outline, context)
                doc_id = build_id if written_in(doc_type) != "en" else english_id
                document.properties["build"] = f"dossier {__version__}, inputs {doc_id}"
                if doc_type != "readiness":
                    add_annexes(
                        document,
                        project,
                        computed,
                        result.findings,
                        set(outline.rule_sections),
                        outline.annexes,
                    )
            figures = [(f, f.png) for f in document.figures() if isinstance(f.png, Drawing)]
            pngs = pool.add([drawing for _, drawing in figures])
            for (figure, _), png in zip(figures, pngs, strict=True):
                figure.png = png
            if all(png.done() for png in pngs):
                write(doc_type, document)
            else:
                waiting.append((doc_type, document))
            del document
        while waiting:
            write(*waiting.pop(0))
    outputs = [Output(o.file, docx[doc_type]) for doc_type, o in outlines.items()]
    for outline in outlines.values():
        if outline.data is not None:
            data = data_builder(outline.data)(context)
            text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
            outputs.append(Output(_twin_name(outline), text.encode("utf-8"), pdf=False))
    say(f"writing {len(outputs)} document(s) to {target}")
    written = write_outputs(
        target,
        outputs,
        inputs,
        force=force,
        build_id=build_id,
        when=project.project.document.date,
        pdf=pdf,
        owner={"project": str(loaded.source.path)},
        progress=say,
    )
    built = BuildReport(target, written.written, written.pdfs, backups=written.backups)
    for name in written.left:
        built.diagnostics.append(
            Diagnostic(
                "DOS-B007",
                Severity.WARNING,
                f"{name} was changed while the build was writing; it was left as it is",
                Location(str(target / name)),
                "build again to see whether it was edited",
            )
        )
    for name in written.stale:
        built.diagnostics.append(
            Diagnostic(
                "DOS-B010",
                Severity.WARNING,
                f"{name} was changed since it was written (or is not dossier's) and shows "
                "the draft before this build; it was kept",
                Location(str(target / name)),
                "build with --pdf to replace it (--force keeps a backup), or delete it",
            )
        )
    for name in written.removed:
        say(f"removed {name}: made from the previous draft (build with --pdf for a new one)")
    built.diagnostics.extend(loaded.diagnostics)
    built.diagnostics.extend(computed.diagnostics)
    built.findings = len(result.findings)
    return built
