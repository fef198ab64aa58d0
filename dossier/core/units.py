"""Units as users write them in the project file: syntax and vocabulary.

ATMP doses and readouts are counts of things (cells, CAR+ cells, vector genomes,
transducing units) per patient, per kilogram or per eye, which general unit libraries
do not know, so dossier keeps its own small vocabulary. A unit is one or more terms
joined by ``/``, ``*``, ``·`` or ``per``; a term is a known unit symbol with an optional
SI prefix and exponent, a count noun (``cells``, ``CAR+ cells``, ``vg``, ``TU``,
``copies`` ...), or a power-of-ten multiplier (``1e5 cells``). A project adds its own
count nouns with ``project.count_units``. Units are compared as written (with
:func:`amount_kind` telling what a dose counts); nothing converts between them, so a
result is never silently rescaled.

``python -m dossier.core.units`` writes ``docs/units.md``, the list of every accepted
word (``--check`` fails when it is stale).
"""

from __future__ import annotations

import difflib
import re

__all__ = ["check_unit", "known_unit_words"]

# Symbols that take SI prefixes (k, m, µ/u, n, p, c, d) and plain symbols.
_PREFIXABLE = {"g", "L", "l", "m", "mol", "s", "Gy", "Bq", "M", "U", "IU"}
_PREFIXES = ("k", "m", "µ", "μ", "u", "n", "p", "c", "d", "f")
_PLAIN = {
    "%",
    "kg",
    "min",
    "h",
    "hr",
    "hours",
    "hour",
    "d",
    "day",
    "days",
    "week",
    "weeks",
    "wk",
    "month",
    "months",
    "year",
    "years",
    "°C",
    "K",
    "x",
    "fold",
    "ratio",
    "OD",
    "RLU",
    "MFI",
    "AU",
    "CFU",
}
# Count nouns: what ATMP doses and readouts count. Multi-word nouns first.
_COUNT_WORDS = (
    "CAR+ T cells",
    "CAR+ cells",
    "CAR-positive cells",
    "viable CAR+ T cells",
    "viable CAR+ cells",
    "viable cells",
    "viable nucleated cells",
    "nucleated cells",
    "CD34+ cells",
    "CD3+ cells",
    "T cells",
    "cells",
    "cell",
    "vg",
    "gc",
    "GC",
    "vp",
    "TU",
    "IU",
    "PFU",
    "TCID50",
    "spheroids",
    "spheroid",
    "copies",
    "copy",
    "particles",
    "events",
    "colonies",
    "eye",
    "animal",
    "patient",
    "dose",
    "well",
    "vial",
    "bag",
    "lesion",
    "implant",
    "diploid genome",
    "genome",
    "genomes",
    "ng DNA",
    "µg DNA",
    "ug DNA",
    "µg gDNA",
    "ug gDNA",
    "µg genomic DNA",
    "ug genomic DNA",
)
_EXPONENT = re.compile(r"(?:\^?-?[0-9]|[²³⁻¹])*$")
_MULTIPLIER = re.compile(
    r"^(?:[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|10\^?[0-9]+|10[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$"
)
_SEPARATORS = re.compile(r"\s*(?:/|\*|·|×|\bper\b)\s*")


def known_unit_words() -> list[str]:
    """Every plain symbol and count noun the checker knows (for hints and docs)."""
    prefixed = [p + s for s in _PREFIXABLE for p in _PREFIXES]
    return sorted({*_PLAIN, *_PREFIXABLE, *prefixed, *_COUNT_WORDS})


def _atom_ok(atom: str) -> bool:
    base = _EXPONENT.sub("", atom) if atom[-1:].isdigit() or atom[-1:] in "²³" else atom
    base = base or atom
    if base in _PLAIN or base in _PREFIXABLE:
        return True
    return any(base == p + s for s in _PREFIXABLE for p in _PREFIXES)


def _term_ok(term: str, counts: tuple[str, ...] = _COUNT_WORDS) -> bool:
    """A term: optional multiplier, then a count noun or unit symbols separated by spaces."""
    term = term.strip().strip("()").strip()
    term = re.sub(r"^[x×]\s*(?=10)", "", term)  # "x 10^6 cells" reads as "10^6 cells"
    if not term:
        return False
    for noun in counts:
        if term == noun:
            return True
        if term.endswith(" " + noun):
            rest = term[: -len(noun) - 1].strip()
            return bool(_MULTIPLIER.match(rest)) or all(_atom_ok(a) for a in rest.split())
    words = term.split()
    if len(words) > 1 and _MULTIPLIER.match(words[0]):
        words = words[1:]
    return all(_atom_ok(w) or _MULTIPLIER.match(w) is not None for w in words)


def check_unit(unit: str, extra_counts: tuple[str, ...] = ()) -> str | None:
    """None when ``unit`` is understood, else a message with a did-you-mean hint.

    ``extra_counts`` are count nouns a project declares (``project.count_units``); longer
    nouns are tried first, so 'CAR+ viable T cells' is not read as '... T cells'."""
    counts = tuple(sorted({*_COUNT_WORDS, *extra_counts}, key=len, reverse=True))
    text = unit.strip()
    if not text:
        return "a unit is required (e.g. 'cells/kg', 'vg/kg', 'mg/kg')"
    if len(text) > 60:
        return "the unit is too long to be a unit"
    terms = _SEPARATORS.split(text)
    for term in terms:
        if not _term_ok(term, counts):
            words = [*known_unit_words(), *extra_counts]
            guess = difflib.get_close_matches(term.strip(), words, n=1, cutoff=0.6)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            if any(ch.isalpha() for ch in term) and not _MULTIPLIER.match(term.strip()):
                hint += " (a project declares its own count nouns in project.count_units)"
            return f"unit '{unit}' is not understood: '{term.strip()}' is not a known unit{hint}"
    return None


_MASS = re.compile(r"^(?:k|m|µ|μ|u|n|p|f)?g$")
_VOLUME = re.compile(r"^(?:m|µ|μ|u|n)?[lL]$")
_AMOUNT = re.compile(r"^(?:m|µ|μ|u|n|p)?mol$")
_GENOMES = ("vg", "gc", "genome copies", "vector genomes", "viral genomes")


def amount_kind(unit: str) -> str | None:
    """What the dose of a unit counts: 'mass', 'volume', 'amount of substance',
    'vector genomes' or 'cells' (the part before any '/' or 'per'); None when it is
    none of those (activity units, particles, ...), so that nothing is guessed.

    ``amount_kind("mg/kg") == "mass"``, ``amount_kind("1e6 CAR+ cells/kg") == "cells"``.
    """
    term = _SEPARATORS.split(unit.strip())[0].strip().strip("()").strip()
    term = re.sub(r"^[x×]\s*(?=10)", "", term)
    words = term.split()
    while words and _MULTIPLIER.match(words[0]):
        words = words[1:]
    if not words:
        return None
    text = " ".join(words)
    if len(words) == 1 and _MASS.match(text):
        return "mass"
    if len(words) == 1 and _VOLUME.match(text):
        return "volume"
    if len(words) == 1 and _AMOUNT.match(text):
        return "amount of substance"
    if text.lower() in _GENOMES:
        return "vector genomes"
    if words[-1].lower() in {"cell", "cells"}:
        return "cells"
    return None


def units_page() -> str:
    """The Markdown page listing every accepted unit word (``docs/units.md``)."""
    prefixed = sorted(p + s for s in _PREFIXABLE for p in _PREFIXES)
    lines = [
        "# Units",
        "",
        "Generated by `python -m dossier.core.units` from `dossier/core/units.py`; do not edit.",
        "",
        "A unit is one or more terms joined by `/`, `*`, `·` or `per` (`cells/kg`,",
        "`vg per eye`, `pg/mL`). A term is a count noun, a unit symbol with an optional SI",
        "prefix and exponent (`mL`, `cm2`, `cm²`), or either of them after a power-of-ten",
        "multiplier (`1e6 cells`, `10^6 cells`, `10⁶ cells`). Units are compared as",
        "written and never converted, so a value is never silently rescaled.",
        "",
        "A project declares what else it counts in `project.count_units`, for example",
        "`count_units: [CAR+ viable T cells]`, and may then write `CAR+ viable T cells/kg`.",
        "",
        "## Count nouns",
        "",
        *[f"- `{w}`" for w in _COUNT_WORDS],
        "",
        "## Symbols without prefixes",
        "",
        ", ".join(f"`{w}`" for w in sorted(_PLAIN)),
        "",
        "## Symbols that take an SI prefix",
        "",
        ", ".join(f"`{w}`" for w in sorted(_PREFIXABLE))
        + f" (prefixes {', '.join(f'`{p}`' for p in _PREFIXES)}), for example "
        + ", ".join(f"`{w}`" for w in prefixed[:8])
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/units.md``; with ``--check`` only report whether it is current."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m dossier.core.units", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--docs-dir", type=Path, default=Path(__file__).parents[2] / "docs")
    args = parser.parse_args(argv)
    page = args.docs_dir / "units.md"
    text = units_page()
    current = page.read_text("utf-8") if page.exists() else ""
    if args.check:
        if current != text:
            print(f"{page} is out of date: regenerate with python -m dossier.core.units")
            return 1
        print("units page is current")
        return 0
    page.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
