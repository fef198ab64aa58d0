"""Rendering a Word template with data: docxtpl in the sandbox, then post-processing.

Steps, each for a reason found when documents were tested in Word and LibreOffice:

1. docxtpl renders the template in the sandboxed, autoescaping, strict environment of
   :mod:`dossier.word.env`; its errors become located ``DOS-T`` diagnostics that name
   the template and the text around the failing tag.
2. Post-processing works on docxtpl's document itself, reaching headers and footers
   through the relationships (python-docx's header objects are stale after docxtpl
   replaces their parts); nothing is saved and parsed twice.
3. Anchors (``{{p body }}``) mark where content built in code goes.
4. :func:`finish` sets the core and custom document properties from the data (never
   through Jinja, which would escape them twice), fills the cached text of DOCPROPERTY
   fields, asks Word to update fields on open, refuses leftover template syntax and
   rewrites the zip for byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.word.ooxml import ensure_update_fields
from dossier.word.save import docx_bytes, related_xml_part
from dossier.word.templates import template_error

__all__ = ["Anchor", "DocProperties", "finish", "open_rendered", "render_template"]

_ANCHOR_TEXT = "__dossier_anchor_{}__"


class Anchor:
    """A place in a template (``{{p name }}``) where blocks built in code are inserted."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __html__(self) -> str:  # passes autoescaping unchanged, like docxtpl's own objects
        return f"<w:p><w:r><w:t>{_ANCHOR_TEXT.format(self.name)}</w:t></w:r></w:p>"

    def __str__(self) -> str:
        return self.__html__()


@dataclass
class DocProperties:
    """Core and custom properties of a generated document."""

    title: str
    subject: str = ""
    keywords: str = ""
    comments: str = ""
    version: str = ""
    when: dt.date = dt.date(2000, 1, 1)
    custom: dict[str, str] = field(default_factory=dict)


def _describe(exc: Exception) -> str:
    context = getattr(exc, "docx_context", None)
    if context:
        around = " ".join(str(c) for c in context if c).strip()
        return f"{exc} (near: {around[:160]})"
    return str(exc)


def _render(template: Path, context: Mapping[str, Any]) -> Any:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from dossier.word.env import (
        NoneInDocumentError,
        TemplateBudgetError,
        TemplateRefusedError,
        keep_compiled,
        make_environment,
    )
    from dossier.word.guard import package_refusals

    for refusal in package_refusals(template):
        raise template_error(refusal.code, refusal.message, template)
    try:
        tpl = DocxTemplate(str(template))
        tpl.render(dict(context), jinja_env=make_environment())
        keep_compiled()
    except TemplateRefusedError as exc:
        raise template_error(exc.code, str(exc), template) from None
    except (TemplateBudgetError, MemoryError, OverflowError) as exc:
        raise template_error(
            "DOS-T031",
            f"the template went beyond its budget: {exc}",
            template,
            "templates may only print and loop over the fields of their view model",
        ) from None
    except RecursionError:
        raise template_error(
            "DOS-T032",
            "the template recurses too deep (a recursive loop or macro)",
            template,
        ) from None
    except SecurityError as exc:
        raise template_error(
            "DOS-T004",
            f"the template tries to reach Python internals and was refused: {exc}",
            template,
            "templates may only print and loop over the fields of their view model",
        ) from None
    except UndefinedError as exc:
        raise template_error(
            "DOS-T003",
            f"the template uses a field its data do not have: {_describe(exc)}",
            template,
            "run 'dossier templates check' to list the fields a template may use",
        ) from None
    except TemplateSyntaxError as exc:
        raise template_error(
            "DOS-T002", f"template syntax error: {_describe(exc)}", template
        ) from None
    except NoneInDocumentError as exc:
        raise template_error("DOS-T005", _describe(exc), template) from None
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError) as exc:
        # SyntaxError: lxml's error for a part that is not well-formed XML
        raise template_error("DOS-T006", f"not a readable Word template: {exc}", template) from None
    except (ArithmeticError, TypeError, LookupError) as exc:
        # an expression that fails on the data (a division by zero, a wrong type)
        raise template_error(
            "DOS-T005", f"the template could not be rendered: {_describe(exc)}", template
        ) from None
    return tpl.docx


def open_rendered(template: Path, context: Mapping[str, Any]) -> Any:
    """The rendered template as a python-docx ``Document``, ready for post-processing.

    It is docxtpl's own document, not a saved and reopened copy (which would parse every
    part again). docxtpl swaps the header and footer parts behind python-docx's cached
    ``section.header`` objects, so post-processing reaches them through the document's
    relationships (:func:`stories`), never through ``doc.sections``. Template syntax left
    after rendering is refused here, before any data are added: a value that holds
    ``{{`` is text, not a leftover.
    """
    doc = _render(template, context)
    leftover = _leftover_syntax(doc)
    if leftover is not None:
        raise template_error(
            "DOS-T007",
            f"template syntax was left in the document: '{leftover}'",
            template,
            "a tag may be split over two paragraphs or hidden in tracked changes",
        )
    _restore_braces(doc)
    return doc


def _restore_braces(doc: Any) -> None:
    """Put back the braces of printed values (see :data:`dossier.word.env.BRACES`)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    from dossier.word.env import BRACES

    back = str.maketrans({v: k for k, v in BRACES.items()})
    footnotes = related_xml_part(doc.part, RT.FOOTNOTES)
    for element in [*stories(doc), *([] if footnotes is None else [footnotes.element])]:
        for t in element.iter(qn("w:t")):
            if t.text and ("\ue000" in t.text or "\ue001" in t.text):
                t.text = t.text.translate(back)


def stories(doc: Any) -> list[Any]:
    """The root elements of the body, headers and footers of a document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    parts = [doc.element]
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            parts.append(rel.target_part.element)
    return parts


def anchor_paragraph(doc: Any, name: str, template: Path) -> Any:
    """The ``w:p`` element of an anchor; an error if the template lacks it."""
    from docx.oxml.ns import qn

    text = _ANCHOR_TEXT.format(name)
    for p in doc.element.body.iter(qn("w:p")):
        if "".join(t.text or "" for t in p.iter(qn("w:t"))) == text:
            return p
    raise template_error(
        "DOS-T008",
        f"the template has no '{{{{p {name} }}}}' paragraph, where the sections go",
        template,
        "add a paragraph holding only {{p " + name + " }} to the template",
    )


def _custom_properties_xml(custom: Mapping[str, str]) -> bytes:
    from xml.sax.saxutils import escape, quoteattr

    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(sorted(custom.items()), start=2)
    )
    return (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode()


def _set_custom_properties(doc: Any, custom: Mapping[str, str]) -> None:
    """The custom properties of the document: exactly ``custom`` (a template's own
    custom properties are replaced)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    package = doc.part.package
    properties = parse_xml(_custom_properties_xml(custom))
    part = related_xml_part(package, RT.CUSTOM_PROPERTIES)
    if part is None:
        part = XmlPart(
            PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, properties, package
        )
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
    else:
        part.element[:] = list(properties)


_DOCPROPERTY = re.compile(r"^\s*DOCPROPERTY\s+\"?([^\"\s\\]+)\"?")


def _fill_docproperty_fields(element: Any, values: Mapping[str, str]) -> None:
    """Set the cached text of every DOCPROPERTY field to the property's value."""
    from docx.oxml.ns import qn

    paragraphs = []
    for instr in element.iter(qn("w:instrText")):
        p = instr.getparent().getparent() if "DOCPROPERTY" in (instr.text or "") else None
        if p is not None and p.tag == qn("w:p") and p not in paragraphs:
            paragraphs.append(p)
    for p in paragraphs:
        name: str | None = None
        state = "none"
        for r in p.iter(qn("w:r")):
            char = r.find(qn("w:fldChar"))
            instr = r.find(qn("w:instrText"))
            if char is not None:
                kind = char.get(qn("w:fldCharType"))
                state = {"begin": "instr", "separate": "result", "end": "none"}.get(kind, state)
                if kind == "end":
                    name = None
                continue
            if state == "instr" and instr is not None:
                match = _DOCPROPERTY.match(instr.text or "")
                name = match.group(1) if match else None
            elif state == "result" and name is not None:
                t = r.find(qn("w:t"))
                if t is not None and name in values:
                    t.text = values[name]
                    name = None  # only the first result run carries the text


def _leftover_syntax(doc: Any) -> str | None:
    from docx.oxml.ns import qn

    for element in stories(doc):
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        for token in ("{{", "{%", "}}", "%}"):
            if token in text:
                at = text.index(token)
                return text[max(0, at - 40) : at + 40]
    return None


_CORE_LIMIT = 255
"""Characters of a core property (title, subject, ...) that Word and python-docx take."""


def _core_text(value: str) -> str:
    """A core property's text, shortened with an ellipsis to the limit; the full text
    stays in the custom properties and in the document itself."""
    return value if len(value) <= _CORE_LIMIT else value[: _CORE_LIMIT - 1] + "\u2026"


def finish(
    doc: Any,
    properties: DocProperties | None = None,
    *,
    template: Path,
    splices: Sequence[bytes] = (),
) -> bytes:
    """Properties, field caches and update-on-open set; the reproducible bytes (with
    ``splices`` written into the main document, see :func:`~dossier.word.save.docx_bytes`)."""
    if properties is not None:
        core = doc.core_properties
        moment = dt.datetime.combine(properties.when, dt.time(0, 0))
        core.title = _core_text(properties.title)
        core.subject = _core_text(properties.subject)
        core.keywords = _core_text(properties.keywords)
        core.comments = _core_text(properties.comments)
        core.version = _core_text(properties.version)
        core.author = core.last_modified_by = "dossier"
        core.created = core.modified = moment
        core.revision = 1
        _set_custom_properties(doc, properties.custom)
        values = {"Title": properties.title, **properties.custom}
        for element in stories(doc):
            _fill_docproperty_fields(element, values)
    ensure_update_fields(doc)
    return docx_bytes(doc, splices)


def render_template(
    template: Path, context: Mapping[str, Any], properties: DocProperties | None = None
) -> bytes:
    """Render a template with plain data and return the finished .docx bytes."""
    return finish(open_rendered(template, context), properties, template=template)
