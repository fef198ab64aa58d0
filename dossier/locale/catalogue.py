"""The message catalogue: extraction into ``dossier.pot``, merge into the Dutch ``.po``.

Messages come from four kinds of source, all in English (the source language):

- the Python code: strings in ``_("...")`` and ``N_("...")`` calls (Babel's extractor);
- the outlines of the documents written in Dutch (``sections/ctr-map.yaml``,
  ``gmo-era.yaml``, ``readiness.yaml``): document label, title and section titles;
- the Dutch-route data (``dossier/analysis/data/nl-route.yaml``): the texts the CTR map
  and the GMO risk assessment print (titles, languages, notes, procedure labels);
- the rule catalogue (``dossier/rules/catalogue/*.yaml``): every rule's message, hint and
  section, which the readiness report prints. Messages are Jinja templates: the template is
  translated, then rendered with the same values.

Run ``python -m dossier.locale.catalogue`` to write ``dossier.pot`` and merge it into
``nl/LC_MESSAGES/dossier.po`` (new messages are added untranslated, messages no longer
used are dropped, translations are kept); then fill in each empty ``msgstr``.
``--check`` fails when the template is stale or a message has no Dutch translation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dossier.core.i18n import TRANSLATED_DOCUMENTS
from dossier.core.resources import builtin_dir

__all__ = ["TRANSLATED_DOCUMENTS", "build_template", "main", "merged", "problems"]

_PACKAGE = Path(__file__).resolve().parents[1]
_REPO = _PACKAGE.parent
LOCALE = Path(__file__).resolve().parent
POT = LOCALE / "dossier.pot"
PO_NL = LOCALE / "nl" / "LC_MESSAGES" / "dossier.po"
# fixed header dates: the files change only when a message does
_STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_KEYWORDS = {"_": None, "N_": None}

Entry = tuple[str, str]  # (message, where it comes from)


def _name(path: Path) -> str:
    try:
        return path.relative_to(_REPO).as_posix()
    except ValueError:  # an installed package: named from the package folder
        return path.relative_to(_PACKAGE.parent).as_posix()


def _python() -> Iterator[Entry]:
    from babel.messages.extract import extract_from_file

    for path in sorted(_PACKAGE.rglob("*.py")):
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=_KEYWORDS, comment_tags=()
        ):
            if isinstance(message, str) and message:
                yield message, _name(path)


def _yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text("utf-8"))


def _outline_sections(sections: list[dict[str, Any]]) -> Iterator[str]:
    for section in sections:
        if section.get("title"):
            yield str(section["title"])
        yield from _outline_sections(section.get("children", []))


def _outlines() -> Iterator[Entry]:
    folder = builtin_dir("sections")
    for doc in TRANSLATED_DOCUMENTS:
        path = folder / f"{doc}.yaml"
        data = _yaml(path)
        for key in ("label", "title", "subtitle"):
            if data.get(key):
                yield str(data[key]), _name(path)
        for title in _outline_sections(data.get("sections", [])):
            yield title, _name(path)


def _route_data() -> Iterator[Entry]:
    path = _PACKAGE / "analysis" / "data" / "nl-route.yaml"
    where = _name(path)
    data = _yaml(path)
    for item in data["items"]:
        for key in ("title", "language", "note", "generated_scope"):
            if item.get(key):
                yield str(item[key]), where
    gmo = data["gmo_procedures"]
    yield str(gmo["note"]), where
    for procedure in gmo["procedures"].values():
        yield str(procedure["label"]), where
    for form in data["forms"].values():
        for key in ("version", "scope", "note"):
            if form.get(key):
                yield str(form[key]), where
    yield str(data["risk_matrix"]["note"]), where


def _rules() -> Iterator[Entry]:
    folder = _PACKAGE / "rules" / "catalogue"
    for path in sorted(folder.glob("*.yaml")):
        for rule in _yaml(path).get("rules", []):
            for key in ("message", "hint", "section"):
                if rule.get(key):
                    yield str(rule[key]), _name(path)


def entries() -> list[Entry]:
    """Every message of the documents written in Dutch, with where it comes from."""
    return [*_python(), *_outlines(), *_route_data(), *_rules()]


def _new_catalogue(code: str | None) -> Any:
    from babel.messages.catalog import Catalog

    return Catalog(
        locale=code,
        domain="dossier",
        project="dossier",
        version="",
        copyright_holder="dossier contributors",
        msgid_bugs_address="",
        creation_date=_STAMP,
        revision_date=_STAMP,
        last_translator="dossier contributors",
        language_team="Dutch" if code else "",
        fuzzy=False,
    )


def build_template() -> Any:
    """The template catalogue (``dossier.pot``) of the current sources."""
    pot = _new_catalogue(None)
    for message, where in entries():
        pot.add(message, locations=[(where, None)])
    return pot


def _text(catalogue: Any) -> str:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalogue, width=96, include_lineno=False, sort_output=False)
    return out.getvalue().decode("utf-8")


def _read(path: Path, code: str | None) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def merged(pot: Any, po_path: Path) -> Any:
    """The Dutch catalogue with the template's messages: translations kept, new messages
    empty, messages the sources no longer use dropped."""
    old = _read(po_path, "nl") if po_path.exists() else _new_catalogue("nl")
    new = _new_catalogue("nl")
    for message in pot:
        if not message.id:
            continue
        found = old.get(message.id)
        new.add(
            message.id,
            found.string if found is not None else "",
            locations=message.locations,
            flags=("fuzzy",) if found is not None and found.fuzzy else (),
            auto_comments=found.auto_comments if found is not None else (),
            user_comments=found.user_comments if found is not None else (),
        )
    return new


def problems(pot_path: Path = POT, po_path: Path = PO_NL) -> list[str]:
    """What is out of date: a stale template, untranslated or fuzzy messages, translations
    whose placeholders differ from the English ones."""
    import re

    found: list[str] = []
    pot = build_template()
    if not pot_path.exists() or pot_path.read_text("utf-8") != _text(pot):
        found.append(f"{_name(pot_path)} is not current: run python -m dossier.locale.catalogue")
    if not po_path.exists():
        return [*found, f"{_name(po_path)} is missing"]
    po = _read(po_path, "nl")
    placeholder = re.compile(r"\{\{.*?\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|\{%.*?%\}")
    literal = re.compile(r"'[^']*'")

    def fields(text: str) -> list[str]:
        # a Jinja block may hold words in quotes (translated with the sentence); the
        # names and expressions around them must stay as they are
        return sorted(literal.sub("''", p) for p in placeholder.findall(text))

    for message in pot:
        if not message.id:
            continue
        entry = po.get(message.id)
        if entry is None or not entry.string:
            found.append(f"no Dutch translation: {message.id!r}")
        elif entry.fuzzy:
            found.append(f"fuzzy (unreviewed) Dutch translation: {message.id!r}")
        elif fields(message.id) != fields(entry.string):
            found.append(f"the Dutch translation changes the placeholders of {message.id!r}")
    stale = [m.id for m in po if m.id and pot.get(m.id) is None]
    found += [f"translation of a message no longer used: {m!r}" for m in stale]
    return found


def main(argv: list[str] | None = None) -> int:
    """Write the template and merge the Dutch catalogue, or (``--check``) verify them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the catalogue is stale")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        if found:
            print(
                f"{len(found)} problem(s): run python -m dossier.locale.catalogue, then "
                f"translate the empty msgstr entries of {_name(PO_NL)}",
                file=sys.stderr,
            )
        return 1 if found else 0
    pot = build_template()
    POT.write_text(_text(pot), "utf-8")
    po = merged(pot, PO_NL)
    PO_NL.parent.mkdir(parents=True, exist_ok=True)
    PO_NL.write_text(_text(po), "utf-8")
    missing = sum(1 for m in po if m.id and not m.string)
    print(f"wrote {_name(POT)} and {_name(PO_NL)} ({missing} message(s) to translate)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
