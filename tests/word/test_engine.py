"""The rendering engine: sandbox, strictness, escaping, template search, properties, lint."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from dossier.core.errors import UserError
from dossier.word.engine import DocProperties, render_template
from dossier.word.lint import lint_template
from dossier.word.templates import TemplateSearch
from dossier.word.writer import HOUSE_WORDS
from tests.word.helpers import HOUSE, house_with_paragraphs, replace_member


def _context(**doc: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "T",
        "subtitle": "S",
        "cover": [{"label": "Product", "value": "P"}],
        "has_tables": False,
        "has_figures": False,
        "draft": True,
        "build": "b",
        "words": dict(HOUSE_WORDS),
    }
    base.update(doc)
    return {"doc": base, "body": ""}


def _codes(exc: pytest.ExceptionInfo[UserError]) -> list[str]:
    return [d.code for d in exc.value.diagnostics]


def test_ampersand_and_angle_brackets_in_data_stay_text() -> None:
    data = render_template(HOUSE, _context(title="A & B <c> 5 &lt; 6", build="x & y"))
    doc = docx.Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert "A & B <c> 5 &lt; 6" in texts
    footer = " ".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert "x & y" in footer


def test_a_misspelt_field_fails_instead_of_rendering_blank(tmp_path: Path) -> None:
    template = house_with_paragraphs(tmp_path / "house.docx", "Lot {{ doc.titel }}")
    with pytest.raises(UserError) as exc:
        render_template(template, _context())
    assert _codes(exc) == ["DOS-T003"]
    assert "titel" in str(exc.value)


def test_a_sandbox_escape_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "escaped"
    template = house_with_paragraphs(
        tmp_path / "house.docx",
        "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}",
    )
    with pytest.raises(UserError) as exc:
        render_template(template, _context())
    assert _codes(exc) == ["DOS-T004"]
    assert not marker.exists()
    assert any(d.code == "DOS-T004" for d in lint_template(template))


def test_none_never_reaches_a_document() -> None:
    with pytest.raises(UserError) as exc:
        render_template(HOUSE, _context(title=None))
    assert _codes(exc) == ["DOS-T005"]


def test_a_missing_template_lists_every_place_searched(tmp_path: Path) -> None:
    search = TemplateSearch.of([tmp_path / "team"])
    with pytest.raises(UserError) as exc:
        search.find("cover.docx", "briefing")
    message = str(exc.value)
    for place in (
        tmp_path / "team" / "briefing" / "cover.docx",
        tmp_path / "team" / "cover.docx",
        HOUSE.parent / "briefing" / "cover.docx",
        HOUSE.parent / "cover.docx",
    ):
        assert str(place) in message


def test_user_folders_override_built_ins_most_specific_first(tmp_path: Path) -> None:
    general = house_with_paragraphs(tmp_path / "team" / "house.docx", "general")
    specific = house_with_paragraphs(tmp_path / "team" / "briefing" / "house.docx", "specific")
    search = TemplateSearch.of([tmp_path / "team"])
    assert search.find("house.docx", "briefing") == specific
    assert search.find("house.docx", "readiness") == general
    assert TemplateSearch.of().find("house.docx", "briefing") == HOUSE


def test_properties_are_set_from_data_and_shown_through_docproperty_fields() -> None:
    props = DocProperties(
        title="Title & more",
        version="1.0",
        custom={
            "Product": "LUM & CD19",
            "DocumentType": "IMPD",
            "Version": "1.0",
            "Status": "final",
        },
    )
    data = render_template(HOUSE, _context(draft=False), props)
    doc = docx.Document(io.BytesIO(data))
    assert doc.core_properties.title == "Title & more"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        custom = z.read("docProps/custom.xml").decode()
        header = z.read("word/header1.xml").decode()
    assert 'name="Product"><vt:lpwstr>LUM &amp; CD19</vt:lpwstr>' in custom
    assert "DOCPROPERTY Product" in header
    assert "LUM &amp; CD19" in header  # cached value for readers that do not update fields
    assert "DRAFT" not in header  # no watermark once final


def test_the_watermark_is_there_while_draft() -> None:
    data = render_template(HOUSE, _context(draft=True))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert 'string="DRAFT"' in z.read("word/header1.xml").decode()


def test_built_in_templates_and_outlines_pass_the_lint() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "templates", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "house.docx: ok" in result.stdout


def test_the_lint_reads_footnotes_and_reports_each_problem(tmp_path: Path) -> None:
    step = house_with_paragraphs(
        tmp_path / "a.docx", "{{ doc.cover }}", "{% for r in doc.cover %}{{ r.lable }}{% endfor %}"
    )
    bad = replace_member(
        step,
        tmp_path / "team" / "house.docx",
        "word/footnotes.xml",
        b"<w:continuationSeparator/></w:r>",
        b"<w:continuationSeparator/></w:r><w:r><w:t>{{ doc.secret }}</w:t></w:r>",
    )
    found = {(d.code, d.message.split(":")[0]) for d in lint_template(bad)}
    assert ("DOS-T003", "word/footnotes.xml") in found  # docxtpl's own listing misses footnotes
    messages = " ".join(d.message for d in lint_template(bad))
    assert "doc.cover[].lable" in messages  # loop variables are mapped to their list
    assert "'doc.cover' is not" not in messages
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "templates", "check", str(tmp_path / "team")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_the_committed_house_template_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dossier.word.house", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_braces_in_data_are_text_not_leftover_template_syntax() -> None:
    import datetime as dt

    from dossier.drafts.blocks import Document, Para, Section
    from dossier.word.writer import write_docx

    doc = Document(
        "t",
        "Title {{ x }}",
        "S",
        {"product": "p", "version": "1", "status": "final"},
        [Section("Study {% raw %}", "sec-a", [Para.of("Study code {{A-1}} & <B>")])],
        label="L",
    )
    data = write_docx(doc, dt.date(2026, 1, 1))
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Study code {{A-1}} & <B>" in texts
    assert "Title {{ x }}" in texts


def test_a_template_without_the_body_anchor_is_named(tmp_path: Path) -> None:
    import datetime as dt

    from dossier.drafts.blocks import Document
    from dossier.word.writer import write_docx

    doc = docx.Document(str(HOUSE))
    anchor = next(p for p in doc.paragraphs if p.text.strip() == "{{p body }}")
    anchor._p.getparent().remove(anchor._p)
    template = tmp_path / "house.docx"
    doc.save(str(template))
    plain = Document("t", "T", "S", {"status": "final"}, [], label="L")
    with pytest.raises(UserError) as exc:
        write_docx(plain, dt.date(2026, 1, 1), template)
    assert _codes(exc) == ["DOS-T008"]
    assert str(template) in str(exc.value)


def test_a_projects_template_folder_and_templates_option_override_the_house_style(
    tmp_path: Path,
) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "car-t"
    shutil.copytree(root / "examples" / "car-t-nl", project, ignore=shutil.ignore_patterns("out"))
    text = (project / "dossier.yaml").read_text("utf-8")
    text = text.replace(
        "    combined_s_p: true\n", "    combined_s_p: true\n    templates: team\n", 1
    )
    (project / "dossier.yaml").write_text(text, "utf-8")
    house_with_paragraphs(project / "team" / "house.docx", "Team house style")
    house_with_paragraphs(tmp_path / "cli" / "briefing" / "house.docx", "Briefing style")

    def build(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "dossier", "build", str(project), "--force", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def paragraphs(name: str) -> list[str]:
        return [p.text for p in docx.Document(str(project / "out" / name)).paragraphs]

    build("--only", "briefing", "--only", "readiness")
    assert "Team house style" in paragraphs("briefing-document.docx")
    build("--only", "briefing", "--only", "readiness", "--templates", str(tmp_path / "cli"))
    briefing = paragraphs("briefing-document.docx")
    assert "Briefing style" in briefing  # --templates first, document-specific first
    assert "Team house style" not in briefing
    assert "Team house style" in paragraphs("readiness-report.docx")


def test_kept_template_code_renders_as_code_compiled_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code of template parts kept between builds gives the same document, and a
    template part the guard refuses is refused again (it is never kept)."""
    from dossier.word import env

    def rendered(cache: str) -> bytes:
        monkeypatch.setenv("DOSSIER_CACHE_DIR", cache)
        env._code_store.cache_clear()  # a new process reads the store anew
        try:
            return render_template(HOUSE, _context(title="Lot 7 & <b>"))
        finally:
            env._code_store.cache_clear()

    cache = tmp_path / "cache"
    anew = rendered("")
    first = rendered(str(cache))
    (kept,) = (cache / "jinja").iterdir()
    assert rendered(str(cache)) == first == anew
    refused = house_with_paragraphs(tmp_path / "house.docx", "{% include 'other.xml' %}")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(cache))
    for _ in range(2):
        env._code_store.cache_clear()
        with pytest.raises(UserError) as exc:
            render_template(refused, _context())
        assert _codes(exc) == ["DOS-T030"]
    env._code_store.cache_clear()
    assert kept.exists()
