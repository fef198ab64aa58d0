"""``language: nl``: the CTR map, the GMO risk assessment and the readiness report in Dutch.

The Dutch build of the CAR-T example is read back from its .docx files (body, headers,
footers) and checked for English: no message of the catalogue whose Dutch differs may
appear as it is in English, and no English function word may stand in running text once
the text the user entered (and what stays English by design: citations, CTIS document
types, the titles of EU forms) is taken out. The IMPD and the briefing document of the
Dutch build are the files of the English build, byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from lxml import etree

from dossier.core.i18n import TRANSLATED_DOCUMENTS
from dossier.locale.catalogue import PO_NL, problems

from .golden import DUTCH_DOCS, DUTCH_EXAMPLE, DUTCH_GOLDEN, ROOT, dutch_copy, text_dump

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ENGLISH_ONLY = ["impd-quality", "impd-nonclinical", "briefing-document"]
# English words that are not Dutch words too (so "is", "of", "in", "over" are left out)
FUNCTION_WORDS = (
    "the",
    "and",
    "with",
    "for",
    "not",
    "which",
    "this",
    "that",
    "from",
    "has",
    "have",
    "are",
    "been",
    "should",
    "must",
    "when",
    "where",
    "whether",
    "its",
    "their",
    "than",
)
# proper names the Dutch catalogue keeps in English on purpose (bodies and systems)
PROPER_NAMES = (
    "Committee for Advanced Therapies",
    "International Council for Harmonisation",
    "Clinical Trials Information System",
)


def _build(folder: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(folder), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "out"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The CAR-T example built in English and, from a copy that says ``language: nl``,
    in Dutch."""
    base = tmp_path_factory.mktemp("dutch")
    english = base / DUTCH_EXAMPLE
    example = ROOT / "examples" / DUTCH_EXAMPLE
    shutil.copytree(example, english, ignore=shutil.ignore_patterns("out"))
    return {"en": _build(english), "nl": _build(dutch_copy(base))}


def _all_text(docx: Path) -> str:
    """The text of every paragraph of the body, headers, footers and footnotes."""
    parts = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
    lines = []
    with zipfile.ZipFile(docx) as z:
        for name in sorted(n for n in z.namelist() if parts.match(n)):
            root = etree.fromstring(z.read(name))
            for p in root.iter(f"{W}p"):
                text = "".join(t.text or "" for t in p.iter(f"{W}t"))
                if text.strip():
                    lines.append(text)
    return "\n".join(lines)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _kept_as_written() -> list[str]:
    """Text that stays as it is in a Dutch document: what the user entered in the project
    file, citations, CTIS document types and the titles of EU forms."""
    from ruamel.yaml import YAML

    from dossier.analysis.netherlands import route_data
    from dossier.rules.check import builtin_rules

    source = ROOT / "examples" / DUTCH_EXAMPLE / "dossier.yaml"
    project = YAML(typ="safe").load(source.read_text("utf-8"))
    kept = _strings(project)
    data = route_data()
    kept += [i.ctis_type for i in data.items] + [i.source for i in data.items]
    kept += [data.timelines.source, data.gmo_procedures.source, data.risk_matrix.source]
    kept += [f.title for f in data.forms.values()]
    for rule in builtin_rules():
        kept.append(rule.citation.document)
        if rule.citation.section:
            kept.append(rule.citation.section)
    kept += PROPER_NAMES
    # longest first, so that a text is removed before a part of it
    return sorted({k for k in kept if len(k) >= 3}, key=len, reverse=True)


def _dutch_text(docx: Path) -> str:
    text = _all_text(docx)
    for kept in _kept_as_written():
        text = text.replace(kept, " ")
    return text


def _catalogue() -> dict[str, str]:
    with PO_NL.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def test_every_message_has_a_dutch_translation_and_the_template_is_current() -> None:
    assert problems() == []


def test_the_catalogue_covers_the_messages_of_the_three_documents() -> None:
    from dossier.analysis.netherlands import STATUS_WORDS
    from dossier.drafts.readiness import CONFIDENCE_WORDS
    from dossier.rules.check import builtin_rules

    catalogue = _catalogue()
    for rule in builtin_rules():
        assert catalogue.get(rule.message), rule.id
        assert not rule.hint or catalogue.get(rule.hint), rule.id
        assert catalogue.get(rule.section), rule.id
    for word in [*STATUS_WORDS.values(), *CONFIDENCE_WORDS.values()]:
        assert catalogue.get(word), word


@pytest.mark.slow
@pytest.mark.parametrize("doc", DUTCH_DOCS)
def test_no_english_message_is_left_in_a_dutch_document(builds: dict[str, Path], doc: str) -> None:
    text = _dutch_text(builds["nl"] / f"{doc}.docx")
    placeholder = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{[a-z_]+\}")
    leaks = []
    for english, dutch in _catalogue().items():
        if english == dutch:
            continue
        for part in placeholder.split(english):
            fragment = part.strip(" .,;:()")
            # a single short word ("no", "low") could be part of a Dutch or kept text
            if len(fragment) < 4 or (" " not in fragment and len(fragment) < 6):
                continue
            if fragment in dutch:  # the same word in both languages ("status")
                continue
            if re.search(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", text):
                leaks.append(fragment)
    assert leaks == [], f"{doc}: English messages in the Dutch document: {leaks}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", DUTCH_DOCS)
def test_no_english_function_word_in_the_running_text(builds: dict[str, Path], doc: str) -> None:
    text = _dutch_text(builds["nl"] / f"{doc}.docx")
    found = [
        text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
        for word in FUNCTION_WORDS
        for m in re.finditer(rf"\b{word}\b", text, flags=re.IGNORECASE)
    ]
    assert found == [], f"{doc}: English in the Dutch document: {found}"


@pytest.mark.slow
def test_the_dutch_documents_are_dutch_and_dated_in_dutch(builds: dict[str, Path]) -> None:
    ctr = _all_text(builds["nl"] / "ctr-map.docx")
    assert "Overzicht van het CTR-onderzoeksdossier" in ctr
    assert "Deel I" in ctr
    assert "15 oktober 2026" in ctr  # the document date, in Dutch
    assert "Pagina" in ctr
    era = _all_text(builds["nl"] / "gmo-risk-assessment.docx")
    assert "milieurisicobeoordeling" in era
    readiness = _all_text(builds["nl"] / "readiness-report.docx")
    assert "Gereedheid per dossieronderdeel" in readiness
    # the English build says the same in English
    assert "15 October 2026" in _all_text(builds["en"] / "ctr-map.docx")


@pytest.mark.slow
@pytest.mark.parametrize("doc", ENGLISH_ONLY)
def test_the_impd_and_the_briefing_are_the_english_files(builds: dict[str, Path], doc: str) -> None:
    english = (builds["en"] / f"{doc}.docx").read_bytes()
    dutch = (builds["nl"] / f"{doc}.docx").read_bytes()
    assert dutch == english, doc


@pytest.mark.slow
@pytest.mark.parametrize("doc", DUTCH_DOCS)
def test_the_dutch_documents_match_their_golden_text(builds: dict[str, Path], doc: str) -> None:
    expected = (DUTCH_GOLDEN / f"{doc}.txt").read_text("utf-8")
    assert text_dump(builds["nl"] / f"{doc}.docx") == expected, "run python -m tests.drafts.golden"


def test_the_schema_says_which_documents_change() -> None:
    from dossier.model.project_meta import DocumentControl

    description = DocumentControl.model_fields["language"].description or ""
    for doc in TRANSLATED_DOCUMENTS:
        assert f"({doc})" in description, doc
    for doc in ("impd-quality", "impd-nonclinical", "briefing"):
        assert doc in description, doc
    assert "byte-identical" in description
    assert "decimal point" in description


def test_a_finding_is_rendered_from_the_translated_template() -> None:
    """The template is translated before rendering: the values are filled into Dutch."""
    from dossier.analysis.project import compute_project
    from dossier.core.i18n import language, translator
    from dossier.model.project_io import load_project
    from dossier.rules.check import check_project
    from dossier.rules.engine import Translation

    loaded = load_project(ROOT / "examples" / DUTCH_EXAMPLE)
    computed = compute_project(loaded)
    with language("nl"):
        dutch = computed.rule_data()
    result = check_project(
        loaded, computed.rule_data(), translation=Translation("nl", translator("nl"), dutch)
    )
    assert result.findings, "the example has findings"
    catalogue = _catalogue()
    for finding in result.findings:
        said = finding.extra["message:nl"]
        assert said != finding.message
        assert "{{" not in said
        if finding.hint:
            assert finding.extra["hint:nl"] == catalogue[finding.hint]


@pytest.mark.parametrize(
    ("written", "english"),
    [
        ("language: nl", "language: en"),
        ('language: "nl"', 'language: "en"'),
        ("language: 'nl'", "language: 'en'"),
    ],
)
def test_the_english_twin_of_a_flow_style_project_file(
    tmp_path: Path, written: str, english: str
) -> None:
    """The English documents of a Dutch build carry the build id of the project file with
    the language written as 'en' (here in a one-line mapping, as the iPSC example has it)."""
    from dossier.build import _english_source
    from dossier.model.project_io import load_project

    folder = tmp_path / "ipsc"
    shutil.copytree(ROOT / "examples" / "ipsc-local", folder, ignore=shutil.ignore_patterns("out"))
    project = folder / "dossier.yaml"
    text = project.read_text("utf-8")
    assert text.count("language: en}") == 1
    project.write_text(text.replace("language: en}", written + "}"), "utf-8")
    assert _english_source(load_project(folder)) == text.replace(
        "language: en}", english + "}"
    ).encode("utf-8")


def test_every_dutch_rule_message_is_a_valid_template() -> None:
    """A translation that broke the Jinja of a rule message would turn the rule into a
    DOS-C900 error in Dutch builds only."""
    from dossier.rules.check import builtin_rules
    from dossier.rules.engine import rule_environment

    env = rule_environment()
    catalogue = _catalogue()
    for rule in builtin_rules():
        env.parse(catalogue[rule.message])


@pytest.mark.parametrize("example", ["car-t-nl", "ipsc-local"])
def test_contradicted_sentences_are_put_into_dutch(example: str) -> None:
    """The frozen copies of the examples (their free text before it was corrected) hold
    contradictions; the readiness report prints claim and evidence in Dutch, values as
    computed, and the English strings of the result stay as they were."""
    from dossier.analysis.project import compute_project
    from dossier.core.i18n import language
    from dossier.model.project_io import load_project

    loaded = load_project(ROOT / "tests" / "data" / "narrative" / example)
    found = compute_project(loaded, send=False).contradictions
    assert found
    for c in found:
        assert c.in_words() == (c.claim, c.evidence)
        with language("nl"):
            claim, evidence = c.in_words()
        assert evidence != c.evidence, evidence
        assert not re.search(r"\b(the|show|lists|declared|animals|of process)\b", evidence)
        numbers = re.findall(r"\d+", c.evidence)
        assert sorted(re.findall(r"\d+", evidence)) == sorted(numbers), (evidence, c.evidence)
        if c.kind in {"glp", "dose"}:
            assert claim != c.claim


def test_the_check_names_a_stale_template_and_a_missing_translation(tmp_path: Path) -> None:
    from dossier.locale.catalogue import POT

    pot = tmp_path / "dossier.pot"
    pot.write_text(POT.read_text("utf-8").replace('msgid "Overview"', 'msgid "Outline"'), "utf-8")
    po = tmp_path / "dossier.po"
    text = PO_NL.read_text("utf-8")
    assert text.count('msgstr "Overzicht"') == 1
    po.write_text(text.replace('msgstr "Overzicht"', 'msgstr ""'), "utf-8")
    found = problems(pot, po)
    assert any("is not current" in p for p in found), found
    assert "no Dutch translation: 'Overview'" in found
