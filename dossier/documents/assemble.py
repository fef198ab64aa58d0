"""Build every draft of a project: load, compute, check, assemble, write, convert.

One source feeds all documents: an assay or a study is described once in the project
file and appears consistently in every draft. The readiness report lists the
expectation-rule findings; each draft's to-do annex lists its placeholders and the
findings of the sections it covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dossier.core.diagnostics import DiagnosticList

__all__ = ["DOC_TYPES", "BuildResult", "build_project"]

# document type -> (file name, rule sections it covers)
DOC_TYPES: dict[str, tuple[str, set[str]]] = {
    "impd-quality-potency": (
        "impd-quality-potency.docx",
        {"Potency", "Analytical methods", "Batches and comparability"},
    ),
    "impd-nonclinical": (
        "impd-nonclinical.docx",
        {
            "Non-clinical overview",
            "Pharmacology",
            "Kinetics",
            "Toxicology",
            "First-in-human dose",
            "Risk profile",
        },
    ),
    "briefing": ("briefing-document.docx", {"Scientific advice", "Netherlands"}),
    "readiness": ("readiness-report.docx", set()),
}


@dataclass
class BuildResult:
    """What a build wrote, and what it found on the way."""

    out_dir: Path
    written: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    diagnostics: DiagnosticList = field(default_factory=DiagnosticList)
    findings: int = 0


def build_project(
    path: Path,
    *,
    out_dir: Path | None = None,
    only: list[str] | None = None,
    pdf: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the drafts of the project at ``path``; raises UserError on invalid input."""
    from dossier.analysis.project import compute_project
    from dossier.documents.annexes import add_annexes
    from dossier.documents.briefing import build_briefing
    from dossier.documents.nonclinical import build_nonclinical
    from dossier.documents.package import (
        Output,
        convert_to_pdf,
        normalize_docx,
        sha256,
        write_outputs,
    )
    from dossier.documents.potency import build_potency
    from dossier.documents.readiness import build_readiness
    from dossier.documents.word.writer import write_docx
    from dossier.model.project_io import data_references, load_project
    from dossier.rules.check import check_project

    say = progress or (lambda _message: None)
    loaded = load_project(path)
    project = loaded.project
    target = out_dir or loaded.root / "out"
    say("computing results from the data files")
    computed = compute_project(loaded)
    say("checking expectations")
    result = check_project(loaded, computed.rule_data())
    wanted = only or project.project.output.documents or list(DOC_TYPES)
    builders = {
        "impd-quality-potency": lambda: build_potency(project, computed),
        "impd-nonclinical": lambda: build_nonclinical(project, computed),
        "briefing": lambda: build_briefing(project, computed),
        "readiness": lambda: build_readiness(project, result),
    }
    inputs = {loaded.source.display_path: sha256(loaded.source.path.read_bytes())}
    for ref, ref_path, kind in data_references(project):
        resolved = loaded.data_path(ref, ref_path, kind=kind)
        files = sorted(resolved.rglob("*")) if kind == "dir" else [resolved]
        for file in files:
            if file.is_file():
                inputs[str(file.relative_to(loaded.root))] = sha256(file.read_bytes())
    outputs = []
    build_id = sha256("".join(f"{k}={v}" for k, v in sorted(inputs.items())).encode())[:12]
    for doc_type in wanted:
        name, covered = DOC_TYPES[doc_type]
        say(f"assembling {name}")
        document = builders[doc_type]()
        document.properties["build"] = (
            f"dossier {__import__('dossier').__version__}, inputs {build_id}"
        )
        if doc_type != "readiness":
            add_annexes(document, project, computed, result.findings, covered)
        data = normalize_docx(write_docx(document, project.project.document.date))
        outputs.append(Output(name, data))
    say(f"writing {len(outputs)} document(s) to {target}")
    _, backups = write_outputs(target, outputs, inputs, force=force)
    built = BuildResult(target, [target / o.name for o in outputs], backups=backups)
    built.diagnostics.extend(loaded.diagnostics)
    built.diagnostics.extend(computed.diagnostics)
    built.findings = len(result.findings)
    if pdf:
        say("converting to PDF with LibreOffice")
        built.pdfs = convert_to_pdf(built.written, target)
    return built
