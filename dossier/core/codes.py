"""Every diagnostic code (``DOS-…``) and what it means; ``docs/diagnostics.md`` from it.

A code is described where it is defined: in a module docstring, either as a table line
(``DOS-Y001 the file cannot be read``) or inline (````DOS-B001`` edited draft,``), or,
for codes raised without such a docstring, in :data:`MEANINGS` below. The generator reads
the package's sources (nothing is imported), so it also finds a ``"DOS-…"`` literal that is
described nowhere, and ``--check`` fails on it as it does on a page that is out of date::

    python -m dossier.core.codes            # write docs/diagnostics.md
    python -m dossier.core.codes --check    # exit 1 when the page is not current
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

__all__ = ["MEANINGS", "collect", "render"]

MEANINGS: dict[str, str] = {
    "DOS-A010": "runs of an assay are not analysed (dossier does not compute its model)",
    "DOS-A011": "no result can be computed for a batch of an assay",
    "DOS-A012": "a batch result is computed from its valid runs only; the invalid runs "
    "listed for it are left out",
    "DOS-A013": "a batch used in toxicology or clinical studies has no result of a release assay",
    "DOS-A014": "a batch result rests on fewer runs than the assay's declared reportable "
    "value requires",
    "DOS-A020": "a first-in-human dose input scales to another unit than the start dose",
    "DOS-A021": "a first-in-human dose input is scaled by FDA 2005's weight-adjusted formula "
    "(a weight outside the range of its Table 1 Km), or a Table 1 divisor requested for a "
    "child is replaced by the Km ratio",
    "DOS-A030": "the analysis of a potency run warns (e.g. Fieller's g above 0.1: a poorly "
    "determined slope)",
    "DOS-C101": "a profile disables, re-grades or sets parameters of a rule that is not in "
    "the catalogue",
    "DOS-C102": "a rule added by a profile has the id of a catalogue rule",
    "DOS-C103": "the expression or message of a rule added by a profile does not parse",
    "DOS-C104": "a profile sets a rule parameter the rule does not have, or to a value of "
    "another kind than the catalogue's",
    "DOS-C900": "a rule could not be evaluated (e.g. it names a field that does not exist); "
    "located at the rule in its profile",
    "DOS-E000": "the command line was used wrongly",
    "DOS-S101": "a dose-response data file has a located error (row and column)",
    "DOS-S102": "validation data cannot give the statistic asked for",
    "DOS-S103": "the confidence limits of an assay result to combine do not enclose its "
    "estimate, or are equal (located at the limit)",
    "DOS-S104": "fewer than two assay results to combine",
    "DOS-S105": "an assay result to combine has residual df that are not a whole number, "
    "or a g outside [0, 1)",
    "DOS-T001": "a template was not found (every place searched is listed)",
    "DOS-T002": "template syntax error",
    "DOS-T003": "a template uses a field that its view model does not have",
    "DOS-T004": "a template tries to reach Python internals (refused by the sandbox)",
    "DOS-T005": "a template could not be rendered",
    "DOS-T006": "not a readable Word template",
    "DOS-T007": "template syntax was left in the rendered document",
    "DOS-T008": "the template has no paragraph holding only {{p body }}",
    "DOS-T010": "an outline names a section unit that is not registered",
    "DOS-T011": "no outline for a document type, or a renamed type",
    "DOS-T012": "an outline section has no title nor unit, or a unit and a placeholder",
    "DOS-T013": "a template has tracked changes",
    "DOS-T014": "a template tag is split over paragraphs",
    "DOS-T015": "Jinja in a template's document properties",
    "DOS-T016": "a style that the drafts use is missing from the template",
    "DOS-X011": "a first-in-human dose input counts something else than the product's dose "
    "unit (e.g. mg for a product dosed in vg/kg)",
}

_CODE = re.compile(r"DOS-[A-Z]\d{3}")
_TABLE = re.compile(r"^\s*(DOS-[A-Z]\d{3})\s+(\S.*?)\s*$", re.M)
_INLINE = re.compile(r"``(DOS-[A-Z]\d{3})``\s+([^,`]+?)(?:,|\.\s|\.$|$)", re.M)
_GROUPS = {
    "A": "Analyses of the data files",
    "B": "Building the drafts",
    "C": "Checks and profiles",
    "D": "Data files",
    "E": "The command line",
    "L": "Data paths",
    "M": "The project model",
    "N": "SEND packages",
    "S": "Statistics",
    "T": "Templates and outlines",
    "X": "Cross-references",
    "Y": "YAML files",
}
_PACKAGE = Path(__file__).resolve().parents[1]
DOC = _PACKAGE.parent / "docs" / "diagnostics.md"


def collect(package: Path = _PACKAGE) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """(code -> (meaning, module), codes used in the sources but described nowhere)."""
    found = {code: (meaning, "dossier.core.codes") for code, meaning in MEANINGS.items()}
    used: set[str] = set()
    for file in sorted(package.rglob("*.py")):
        text = file.read_text("utf-8")
        module = ".".join(file.relative_to(package.parent).with_suffix("").parts)
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.update(_CODE.findall(node.value))
        doc = "" if file.name == "codes.py" else ast.get_docstring(tree) or ""
        for pattern in (_TABLE, _INLINE):
            for code, meaning in pattern.findall(doc):
                found.setdefault(code, (" ".join(meaning.split()).rstrip("."), module))
    return found, used - set(found)


def render(found: dict[str, tuple[str, str]]) -> str:
    """The Markdown page."""
    lines = [
        "# Diagnostic codes",
        "",
        "<!-- generated by `python -m dossier.core.codes`; do not edit -->",
        "",
        "Every problem dossier reports has a stable code `DOS-` + a letter for the stage "
        "+ three digits. Rule findings of `dossier check` carry the rule's id instead "
        "(see [rules.md](rules.md)).",
        "",
    ]
    for letter in sorted({code[4] for code in found}):
        lines += [f"## {letter}: {_GROUPS.get(letter, 'Other')}", ""]
        lines += ["| code | meaning | defined in |", "| --- | --- | --- |"]
        for code in sorted(c for c in found if c[4] == letter):
            meaning, module = found[code]
            cell = meaning.replace("|", r"\|")
            lines.append(f"| `{code}` | {cell} | `{module}` |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) docs/diagnostics.md."""
    args = sys.argv[1:] if argv is None else argv
    found, undescribed = collect()
    if undescribed:
        print(f"codes without a meaning: {', '.join(sorted(undescribed))}", file=sys.stderr)
        return 1
    text = render(found)
    if "--check" in args:
        current = DOC.read_text("utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is not current: run python -m dossier.core.codes", file=sys.stderr)
            return 1
        print("diagnostic codes page is current")
        return 0
    DOC.write_text(text, "utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
