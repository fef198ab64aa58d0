"""``dossier templates check``: lint Word templates against the data they are given.

For every template it reads the body, headers, footers and footnotes (docxtpl itself only
reports the first three) and reports, each as a located diagnostic:

- a field the template's view model does not have (``doc.titel``), with loop variables
  mapped back to the lists they iterate over (``row.label`` is ``doc.cover[].label``);
- an attribute that reaches Python internals (``__class__``), which the sandbox refuses;
- Jinja syntax errors, tags split over two paragraphs, tracked changes (whose deleted text
  docxtpl would still evaluate) and Jinja in the core properties (rendered there it
  would be escaped twice);
- a missing ``{{p body }}`` anchor or a style the drafts need;
- everything the build refuses before or while rendering (:mod:`dossier.word.guard`):
  parts beyond their size limit, external relationships, ``include``/``import``,
  ``|safe`` and ``autoescape false``, macros that call themselves, constant expressions
  beyond the budget.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.word.env import make_environment
from dossier.word.guard import package_refusals, source_refusals

__all__ = ["HOUSE_FIELDS", "lint_template"]

HOUSE_FIELDS = frozenset(
    {
        "body",
        "doc",
        "doc.title",
        "doc.subtitle",
        "doc.cover",
        "doc.cover[]",
        "doc.cover[].label",
        "doc.cover[].value",
        "doc.has_tables",
        "doc.has_figures",
        "doc.draft",
        "doc.build",
        "doc.words",
        "doc.words.contents",
        "doc.words.contents_note",
        "doc.words.tables",
        "doc.words.tables_note",
        "doc.words.figures",
        "doc.words.figures_note",
        "doc.words.version",
        "doc.words.page",
        "doc.words.page_of",
        "doc.words.draft_mark",
    }
)
"""Every path the house template may use (its view model: see the writer's context)."""

_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _diag(code: str, severity: Severity, template: Path, part: str, message: str) -> Diagnostic:
    return Diagnostic(code, severity, f"{part}: {message}", Location(str(template)))


_JINJA_NAMES = frozenset({"range", "dict", "cycler", "joiner", "namespace", "loop", "caller"})
"""Names a template may use that are not fields of its view model."""


def _local_names(tree: nodes.Template) -> set[str]:
    """Names a template defines itself: macros and their arguments, ``set`` targets,
    loop variables over something other than a field, ``with`` targets."""
    names = set(_JINJA_NAMES)
    for macro in tree.find_all(nodes.Macro):
        names.add(macro.name)
        names.update(arg.name for arg in macro.args)
    for block in tree.find_all(nodes.CallBlock):
        names.update(arg.name for arg in block.args)
    for node in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.For, nodes.With)):
        targets = (
            node.targets
            if isinstance(node, nodes.With)
            else [node.target]
            if isinstance(node, (nodes.Assign, nodes.AssignBlock, nodes.For))
            else []
        )
        for t in targets:
            names.update(n.name for n in t.find_all(nodes.Name))
            if isinstance(t, nodes.Name):
                names.add(t.name)
    return names


def _paths(node: nodes.Node, scope: dict[str, str]) -> Iterator[tuple[str, nodes.Node]]:
    """Attribute paths a template reads, with loop variables resolved to their lists."""
    if isinstance(node, nodes.For):
        yield from _paths(node.iter, scope)
        inner = dict(scope)
        base = _dotted(node.iter, scope)
        if isinstance(node.target, nodes.Name) and base is not None:
            inner[node.target.name] = base + "[]"
        for child in [*node.body, *node.else_]:
            yield from _paths(child, inner)
        return
    dotted = _dotted(node, scope) if isinstance(node, (nodes.Getattr, nodes.Name)) else None
    if dotted is not None:
        yield dotted, node
        return
    for child in node.iter_child_nodes():
        yield from _paths(child, scope)


def _dotted(node: nodes.Node, scope: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        if node.name == "loop":
            return None
        return scope.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node, scope)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _check_source(
    template: Path, part: str, source: str, fields: frozenset[str]
) -> Iterator[Diagnostic]:
    env = make_environment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        yield _diag("DOS-T002", Severity.ERROR, template, part, f"syntax error: {exc.message}")
        return
    for refusal in source_refusals(tree):
        line = f" (line {refusal.line})" if refusal.line else ""
        yield _diag(refusal.code, Severity.ERROR, template, part, refusal.message + line)
    local = _local_names(tree)
    for path, _node in _paths(tree, {}):
        if path.split(".")[0].removesuffix("[]") in local and not any(
            segment.startswith("_") for segment in path.split(".")
        ):
            continue
        if any(segment.startswith("_") for segment in path.split(".")):
            yield _diag(
                "DOS-T004",
                Severity.ERROR,
                template,
                part,
                f"'{path}' reaches Python internals; the sandbox refuses it",
            )
        elif path not in fields:
            known = ", ".join(sorted(f for f in fields if "." in f))
            yield _diag(
                "DOS-T003",
                Severity.ERROR,
                template,
                part,
                f"'{path}' is not a field of the view model (fields: {known})",
            )


def _paragraph_texts(xml: bytes) -> Iterator[str]:
    from lxml import etree

    root = etree.fromstring(xml)
    for p in root.iter(f"{_W}p"):
        yield "".join(t.text or "" for t in p.iter(f"{_W}t"))


def lint_template(template: Path, fields: frozenset[str] = HOUSE_FIELDS) -> list[Diagnostic]:
    """Every problem of one template (an empty list when it is fine)."""
    out: list[Diagnostic] = []
    try:
        archive = zipfile.ZipFile(template)
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        return [_diag("DOS-T006", Severity.ERROR, template, "file", f"not a Word file: {exc}")]
    refused = package_refusals(template)
    if any(r.code == "DOS-T034" for r in refused):  # its parts are not read
        return [_diag(r.code, Severity.ERROR, template, "file", r.message) for r in refused]
    out.extend(_diag(r.code, Severity.ERROR, template, "file", r.message) for r in refused)
    try:
        out.extend(_lint_parts(template, archive, names, fields))
    except (ValueError, SyntaxError, KeyError, zipfile.BadZipFile) as exc:
        # SyntaxError: lxml's error for a part that is not well-formed XML
        out.append(_diag("DOS-T006", Severity.ERROR, template, "file", f"not readable: {exc}"))
    finally:
        archive.close()
    return out


def _lint_parts(
    template: Path, archive: zipfile.ZipFile, names: list[str], fields: frozenset[str]
) -> list[Diagnostic]:
    from docxtpl import DocxTemplate

    from dossier.word.house import REQUIRED_STYLES

    out: list[Diagnostic] = []
    tpl = DocxTemplate(str(template))
    tpl.init_docx()
    anchor = False
    for name in sorted(n for n in names if _PARTS.match(n)):
        xml = archive.read(name)
        if b"<w:ins " in xml or b"<w:del " in xml:
            out.append(
                _diag(
                    "DOS-T013",
                    Severity.ERROR,
                    template,
                    name,
                    "has tracked changes; accept or reject them (deleted text is still rendered)",
                )
            )
        for text in _paragraph_texts(xml):
            for opening, closing in (("{{", "}}"), ("{%", "%}")):
                if text.count(opening) != text.count(closing):
                    out.append(
                        _diag(
                            "DOS-T014",
                            Severity.ERROR,
                            template,
                            name,
                            f"a tag is split over paragraphs near '{text[:60]}'",
                        )
                    )
            if re.fullmatch(r"\s*\{\{p\s+body\s*\}\}\s*", text):
                anchor = True
        source = tpl.patch_xml(xml.decode("utf-8"))
        out.extend(_check_source(template, name, source, fields))
    core = archive.read("docProps/core.xml") if "docProps/core.xml" in names else b""
    if b"{{" in core or b"{%" in core:
        out.append(
            _diag(
                "DOS-T015",
                Severity.ERROR,
                template,
                "docProps/core.xml",
                "Jinja in the document properties; dossier sets them from the project",
            )
        )
    if "body" in fields and not anchor:
        out.append(
            _diag(
                "DOS-T008",
                Severity.ERROR,
                template,
                "word/document.xml",
                "no paragraph holding only {{p body }}, where the sections go",
            )
        )
    styles = {s.name for s in tpl.docx.styles}
    for style in REQUIRED_STYLES:
        if style not in styles:
            out.append(
                _diag(
                    "DOS-T016",
                    Severity.ERROR,
                    template,
                    "word/styles.xml",
                    f"the style '{style}' that the drafts use is missing",
                )
            )
    return out
