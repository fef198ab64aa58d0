"""Units as users write them in the project file, checked without importing pint.

Validation must stay fast (pint alone takes ~180 ms to import), so this module checks
unit *syntax and vocabulary*: a unit is one or more terms joined by ``/``, ``*``, ``·``
or ``per``; a term is a known unit symbol with an optional SI prefix and exponent, a
count noun (``cells``, ``CAR+ cells``, ``vg``, ``TU``, ``copies`` ...), or a
power-of-ten multiplier (``1e5 cells``). Conversions, where the compute stage needs
them, use pint.
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


def _term_ok(term: str) -> bool:
    """A term: optional multiplier, then a count noun or unit symbols separated by spaces."""
    term = term.strip().strip("()").strip()
    term = re.sub(r"^[x×]\s*(?=10)", "", term)  # "x 10^6 cells" reads as "10^6 cells"
    if not term:
        return False
    for noun in _COUNT_WORDS:
        if term == noun:
            return True
        if term.endswith(" " + noun):
            rest = term[: -len(noun) - 1].strip()
            return bool(_MULTIPLIER.match(rest)) or all(_atom_ok(a) for a in rest.split())
    words = term.split()
    if len(words) > 1 and _MULTIPLIER.match(words[0]):
        words = words[1:]
    return all(_atom_ok(w) or _MULTIPLIER.match(w) is not None for w in words)


def check_unit(unit: str) -> str | None:
    """None when ``unit`` is understood, else a message with a did-you-mean hint."""
    text = unit.strip()
    if not text:
        return "a unit is required (e.g. 'cells/kg', 'vg/kg', 'mg/kg')"
    if len(text) > 60:
        return "the unit is too long to be a unit"
    terms = _SEPARATORS.split(text)
    for term in terms:
        if not _term_ok(term):
            guess = difflib.get_close_matches(term.strip(), known_unit_words(), n=1, cutoff=0.6)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
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
