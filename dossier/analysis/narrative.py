"""Narrative against data: sentences of the project file that contradict its computed results.

The free text of a project (key findings, the programme overview, risk assessments,
scientific-advice positions ...) ends up in regulatory drafts as the sponsor's statement.
A sentence that says the gonads were below the LLOQ while the biodistribution table shows
a quantifiable ovary is a wrong statement in a regulatory document. This module reads the
user's sentences, recognises a few kinds of factual claim, and compares each with the
typed results and the structured fields of the same project:

    DOS-A101 a sentence says a tissue is negative, near the LLOQ or not reached; the data disagree
    DOS-A102 a sentence claims GLP (or non-GLP) conduct against a study's declared GLP status
    DOS-A103 a dose quoted in a sentence is none of the structured doses it refers to
    DOS-A104 a number of batches a sentence says exist differs from the batch table

Only the user's text is parsed; the results it is compared with are typed
(:class:`~dossier.compute.biodistribution.BdSummary` cells, ``glp.status``, ``Quantity``
doses, ``quality.batches``). The reading is deliberately conservative, because a false
alarm costs the user's trust as much as a missed one: a claim is only recognised in a
fixed grammar (a tissue list directly next to its predicate), negated, conditional,
hedged ("about"), excepted ("all tissues except liver"), partial ("2 of 3 animals") and
future statements are left alone; a sentence is compared with the study it belongs to or
cites (or, in programme-level text, with the studies the species, strain, type or
duration it names fit), at the time point it names; and a GLP claim only fires when every
study it can refer to contradicts it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from dossier.analysis.results import Contradiction, ContradictionKind
from dossier.core.diagnostics import Diagnostic, Location, PathPart, Severity, format_path
from dossier.core.i18n import N_, Phrase, language
from dossier.core.numfmt import given
from dossier.core.units import amount_kind

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import ComputedProject
    from dossier.compute.biodistribution import BdCell, BdSummary
    from dossier.model.base import Quantity
    from dossier.model.nonclinical import Study
    from dossier.model.project import Project

__all__ = [
    "CODES",
    "NEAR_LLOQ_FACTOR",
    "Contradiction",
    "diagnostics",
    "find_contradictions",
    "sentences",
]

CODES: dict[ContradictionKind, str] = {
    "tissue": "DOS-A101",
    "glp": "DOS-A102",
    "dose": "DOS-A103",
    "batches": "DOS-A104",
}
HINTS: dict[ContradictionKind, str] = {
    "tissue": (
        "say what the biodistribution table shows (e.g. 'ovary: 1 of 3 animals quantifiable "
        "at day 56, testis below LLOQ'), or correct the data file if it is wrong"
    ),
    "glp": "describe the study with its declared GLP status (glp.status), or correct the status",
    "dose": "quote the dose as declared (value and unit), or correct the structured dose",
    "batches": "quote the number of batches in quality.batches, or add the missing batches",
}
NEAR_LLOQ_FACTOR = 3.0
"""A group mean above this multiple of the LLOQ is not 'at or near the LLOQ'."""

Path = tuple[PathPart, ...]

# --------------------------------------------------------------------------- text


_SKIP_KEYS = frozenset(
    {
        "id",
        "schema_version",
        "project",
        "references",
        "abbreviations",
        "glp",
        "data",
        "unit",
        "contacts",
        "attendees",
        "cites",
    }
)


def _texts(model: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string of the project model with its YAML path (free text and more)."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            if name in _SKIP_KEYS:
                continue
            yield from _texts(getattr(model, name), (*path, name))
    elif isinstance(model, list | tuple):
        for i, item in enumerate(model):
            yield from _texts(item, (*path, i))
    elif isinstance(model, dict):
        for key, value in model.items():
            yield from _texts(value, (*path, str(key)))
    elif isinstance(model, str) and " " in model.strip():
        yield path, model


_ABBREVIATIONS = frozenset(
    {"ph", "eur", "e.g", "i.e", "dr", "prof", "vs", "approx", "no", "rev", "fig", "al", "ca"}
)
_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'‘“])")


def sentences(text: str) -> list[str]:
    """The sentences of a text (abbreviations such as 'Ph. Eur.' do not end one)."""
    pieces: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        word = text[start : match.start()].rsplit(None, 1)[-1].rstrip(".").lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [" ".join(p.split()) for p in pieces if p.strip()]


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def _normalise(text: str) -> str:
    """One spelling of numbers and spaces: '1 × 10⁶' -> '1 × 10^6', thin spaces -> ' '."""
    text = re.sub(r"[\u00a0\u2009\u202f\u2007]", " ", text)
    text = text.replace("−", "-").replace("–", "-").replace("·", "×")
    return re.sub(
        r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), text
    )


_CLAUSE = re.compile(r";|\s+-\s+|,?\s+(?:but|whereas|while|although)\s+", re.IGNORECASE)
_MODAL = re.compile(
    r"\b(?:if|unless|would|should|could|will|shall|may|might|expected|anticipated|"
    r"predicted|assumed|planned|hypothes\w+|to be confirmed)\b",
    re.IGNORECASE,
)


# -------------------------------------------------------------------------- numbers

_NUMBER = (
    r"(?<![\w.^])(?:(?P<mant>\d+(?:\.\d+)?)\s*[×xX*]\s*10\^(?P<exp>[-+]?\d+)"
    r"|10\^(?P<exp2>[-+]?\d+)"
    r"|(?P<flt>\d+(?:\.\d+)?)[eE](?P<exp3>[-+]?\d+)"
    r"|(?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?))"
    r"(?:\s+(?P<word>million|billion))?"
)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


@dataclass(frozen=True, slots=True)
class _Number:
    value: float
    digits: int
    """Significant digits written (a rounded quote matches the value it rounds)."""


def _number(match: re.Match[str]) -> _Number:
    g = match.groupdict()
    if g["mant"] is not None:
        text, exp = g["mant"], int(g["exp"])
    elif g["exp2"] is not None:
        text, exp = "1", int(g["exp2"])
    elif g["flt"] is not None:
        text, exp = g["flt"], int(g["exp3"])
    else:
        text, exp = g["int"].replace(",", ""), 0
    value = float(text) * 10.0**exp
    if g["word"]:
        value *= 1e6 if g["word"].lower() == "million" else 1e9
    digits = text.replace(".", "").lstrip("0")
    if "." not in text:
        digits = digits.rstrip("0")
    return _Number(value, max(len(digits), 1))


def _same_value(quoted: _Number, value: float) -> bool:
    """The quoted number is the value, or the value rounded to the digits quoted."""
    if value == 0 or quoted.value == 0:
        return value == quoted.value
    if math.isclose(quoted.value, value, rel_tol=0.01):
        return True
    scale = 10 ** (math.floor(math.log10(abs(value))) - quoted.digits + 1)
    return math.isclose(round(value / scale) * scale, quoted.value, rel_tol=1e-9)


# --------------------------------------------------------------------------- doses

_DENOMINATOR_WORDS = (
    r"kg|animal|mouse|rat|monkey|dog|pig|eye|putamen|side|hemisphere|patient|subject|"
    r"m2|m²|dose|injection"
)
_DOSE = re.compile(
    _NUMBER + r"\s*(?P<unit>"
    r"(?:(?:CAR\+|CAR-positive|viable|transduced|modified|nucleated|human|T|NK|CD\d+\+)\s+)"
    r"{0,3}cells?"
    r"|vg|vector genomes|genome copies|GC|gc|TU|IU|PFU|vp|mg|µg|μg|ug)"
    r"(?P<den>(?:\s*/\s*|\s+per\s+)(?:" + _DENOMINATOR_WORDS + r"))?(?![\w/])",
)
_HEDGE = re.compile(
    r"(?:about|approximately|approx\.?|around|roughly|nearly|some|~|≈|equivalent to|"
    r"corresponding to|i\.e\.|up to|below|above|under|over|less than|more than|<|>)"
    r"\s*\(?\s*$",
    re.IGNORECASE,
)
_DOSING_CUE = re.compile(
    r"(?:\bat|\bdoses?|\bdosed|\bdosing|\breceived|\breceiving|\badministered|\bgiven|"
    r"\binjected|\binfused|\bimplanted|\bof|≥|≤)\s*(?:≥|≤)?\s*$",
    re.IGNORECASE,
)


_HUMAN = re.compile(
    r"\b(?:humans?|patients?|clinical|clinic|trial|subjects?|authori[sz]ed|approved|products?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Dose:
    value: float
    kind: str
    """What is counted: 'cells', 'vector genomes', 'mass', or the count noun ('tu')."""
    per: str
    """'kg', 'm2' or 'absolute' (per animal, per eye, per patient or flat)."""
    text: str
    declared: bool = True
    """False for a human dose the first-in-human derivation computed."""

    def family(self) -> tuple[str, str]:
        return self.kind, self.per


_MASS_SCALE = {"kg": 1e3, "g": 1.0, "mg": 1e-3, "µg": 1e-6, "μg": 1e-6, "ug": 1e-6, "ng": 1e-9}


def _per(denominator: str) -> str:
    word = denominator.strip().lstrip("/").strip().removeprefix("per").strip().lower()
    if word == "kg":
        return "kg"
    if word in {"m2", "m²"}:
        return "m2"
    return "absolute"


def _kind(noun: str) -> tuple[str, float] | None:
    """(what a dose counts, factor to a common scale) from a unit's numerator."""
    noun = noun.strip()
    if noun in _MASS_SCALE:
        return "mass", _MASS_SCALE[noun]
    kind = amount_kind(noun)
    if kind in {"cells", "vector genomes"}:
        return kind, 1.0
    if noun.lower() in {"tu", "iu", "pfu", "vp"}:
        return noun.lower(), 1.0
    return None


def _structured(quantity: Quantity, role: str, *, declared: bool = True) -> _Dose | None:
    """A structured dose of the project on the scale of quoted doses; ``role`` says what
    it is ('S-TOX-NHP NOAEL')."""
    return _declared_dose(quantity.value, quantity.unit, role, declared=declared)


def _declared_dose(value: float, unit: str, role: str, *, declared: bool = True) -> _Dose | None:
    parts = re.split(r"\s*/\s*|\s+per\s+", unit.strip(), maxsplit=1)
    numerator = _normalise(parts[0])
    factor = 1.0
    multiplier = re.match(
        r"^\s*(?:[x×]\s*)?(?:(\d+(?:\.\d+)?)[eE]([-+]?\d+)|10\^?([-+]?\d+))\s+", numerator
    )
    if multiplier:
        if multiplier.group(1):
            factor = float(multiplier.group(1)) * 10.0 ** int(multiplier.group(2))
        else:
            factor = 10.0 ** int(multiplier.group(3))
        numerator = numerator[multiplier.end() :]
    kind = _kind(numerator)
    if kind is None:
        return None
    per = _per(parts[1]) if len(parts) > 1 else "absolute"
    text = f"{given(value)} {unit} ({role})"
    return _Dose(value * factor * kind[1], kind[0], per, text, declared)


def _as_dose(match: re.Match[str]) -> _Dose | None:
    kind = _kind(re.sub(r"\s+", " ", match.group("unit")))
    if kind is None:
        return None
    den = match.group("den") or ""
    per = _per(den) if den else "absolute"
    number = _number(match)
    unit = " ".join(f"{match.group('unit')}{den}".split())
    return _Dose(number.value * kind[1], kind[0], per, f"{given(number.value)} {unit}")


def _concentration(text: str, match: re.Match[str]) -> bool:
    """'1e5 cells per well', '1e5 cells/µL': an amount per something that is no dose."""
    return not match.group("den") and re.match(r"\s*(?:/|per\s)", text[match.end() :]) is not None


def _quoted_doses(text: str) -> Iterator[tuple[re.Match[str], _Dose]]:
    for match in _DOSE.finditer(text):
        if _concentration(text, match):
            continue
        dose = _as_dose(match)
        if dose is not None:
            yield match, dose


def _dose_verdict(
    quoted: _Dose, digits: int, expected: Sequence[_Dose]
) -> tuple[str, list[_Dose]] | None:
    """None when the quote matches an expected dose (or cannot be compared), else why not.

    Same kind and denominator: the value must be one of the expected values. A value
    that is expected but with another unit is a unit error; another value in another
    unit may be a conversion and is left alone."""
    number = _Number(quoted.value, digits)
    same_family = [d for d in expected if d.family() == quoted.family()]
    if any(_same_value(number, d.value) for d in same_family):
        return None
    if same_family:
        return "value", same_family
    same_value = [d for d in expected if _same_value(number, d.value) and d.kind == quoted.kind]
    if same_value:
        return "unit", same_value
    return None


# ------------------------------------------------------------------------- studies

_SPECIES = {
    "mouse": r"mouse|mice|murine",
    "rat": r"rats?",
    "monkey": r"nhps?|monkeys?|cynomolgus|macaques?|(?:non-human\s+)?primates?",
    "dog": r"dogs?|beagles?|canine",
    "pig": r"(?:mini)?pigs?|porcine",
    "rabbit": r"rabbits?",
    "sheep": r"sheep|ovine",
}
_TYPE_WORDS: dict[str, tuple[str, frozenset[str]]] = {
    "toxicity": (
        r"toxicity|toxicology|tox",
        frozenset(
            {
                "single_dose_toxicity",
                "repeat_dose_toxicity",
                "reproductive_toxicity",
                "local_tolerance",
            }
        ),
    ),
    "tumorigenicity": (r"tumou?rigenicity|teratoma|teratogenicity", frozenset({"tumorigenicity"})),
    "biodistribution": (r"biodistribution", frozenset({"biodistribution", "persistence"})),
    "shedding": (r"shedding", frozenset({"shedding"})),
    "efficacy": (
        r"efficacy|proof[- ]of[- ]concept|pharmacology|dose-response",
        frozenset({"primary_pd_in_vivo", "primary_pd_in_vitro", "secondary_pd"}),
    ),
}
_DURATION = re.compile(r"\b(\d+)[- ](day|week|month)s?\b", re.IGNORECASE)
_DAYS = {"day": 1.0, "d": 1.0, "week": 7.0, "wk": 7.0, "w": 7.0, "month": 30.4, "year": 365.0}


def _species_of(text: str) -> set[str]:
    return {
        name for name, pattern in _SPECIES.items() if re.search(rf"\b(?:{pattern})\b", text, re.I)
    }


def _strain_tokens(study: Study) -> set[str]:
    text = f"{study.strain or ''} {study.species}"
    return {
        t for t in re.findall(r"\b[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*\b", text) if len(t) >= 3
    }


def _duration_days(study: Study) -> float | None:
    if study.duration is None:
        return None
    return study.duration.value * _DAYS[study.duration.unit.rstrip("s")]


def _identify(text: str, studies: Sequence[Study]) -> list[Study] | None:
    """The studies among ``studies`` that a text's clues fit; None without any clue.

    Clues: a study id or report reference (decisive), species, strain, study type and a
    duration written as '52-week'. Each kind of clue that is present must fit."""
    named = [s for s in studies if re.search(rf"(?<![\w-]){re.escape(s.id)}(?![\w-])", text)]
    named += [
        s
        for s in studies
        if s.report and s not in named and re.search(rf"\b{re.escape(s.report)}\b", text)
    ]
    if named:
        return named
    clues = 0
    out = list(studies)
    species = _species_of(text)
    if species:
        clues += 1
        out = [s for s in out if _species_of(f"{s.species} {s.strain or ''}") & species]
    strains = {
        t for s in studies for t in _strain_tokens(s) if re.search(rf"\b{re.escape(t)}\b", text)
    }
    if strains:
        clues += 1
        out = [s for s in out if _strain_tokens(s) & strains]
    kinds = [
        types
        for pattern, types in _TYPE_WORDS.values()
        if re.search(rf"\b(?:{pattern})\b", text, re.I)
    ]
    if kinds:
        clues += 1
        out = [s for s in out if any({s.study_type, *s.also_covers} & types for types in kinds)]
    durations = [float(n) * _DAYS[u.lower()] for n, u in _DURATION.findall(text)]
    if durations:
        clues += 1
        out = [
            s
            for s in out
            if (days := _duration_days(s)) is not None
            and any(math.isclose(days, d, rel_tol=0.02) for d in durations)
        ]
    if re.search(r"\bpivotal\b", text, re.I):
        clues += 1
        out = [s for s in out if s.pivotal]
    return out if clues else None


# ------------------------------------------------------------------------- context


@dataclass
class _Context:
    """What a text at a path is about: its study, the studies it cites, the FIH dose."""

    study: Study | None = None
    cited: tuple[Study, ...] = ()
    fih: bool = False
    fih_input: int | None = None


def _context(project: Project, path: Path) -> _Context:
    studies = project.nonclinical.studies if project.nonclinical else []
    by_id = {s.id: s for s in studies}
    if path[:2] == ("nonclinical", "studies") and len(path) > 2 and isinstance(path[2], int):
        return _Context(study=studies[path[2]])
    if path[:1] == ("fih_dose",):
        ctx = _Context(fih=True)
        if path[1:2] == ("inputs",) and len(path) > 2 and isinstance(path[2], int):
            ctx.fih_input = path[2]
        return ctx
    if path[:2] == ("risk_profile", "cells") and project.risk_profile and len(path) > 2:
        cell = project.risk_profile.cells[int(path[2])]
        refs = [e.ref for e in cell.evidence]
        if path[3:4] == ("evidence",) and len(path) > 4:
            refs = [cell.evidence[int(path[4])].ref]
        return _Context(cited=tuple(by_id[r] for r in refs if r in by_id))
    if (
        path[:2] == ("scientific_advice", "questions")
        and project.scientific_advice
        and len(path) > 2
    ):
        question = project.scientific_advice.questions[int(path[2])]
        cites = [c.id for c in question.cites if c.kind == "study"]
        return _Context(
            cited=tuple(by_id[c] for c in cites if c in by_id),
            fih=any(c.kind == "fih_dose" for c in question.cites),
        )
    return _Context()


# ------------------------------------------------------------------------- tissues

_GONAD_ALIASES = (
    "gonads",
    "gonad",
    "gonadal",
    "gonadal tissue",
    "gonadal tissues",
    "reproductive organs",
    "reproductive tissues",
)
_ADJECTIVES = {
    "ovary": ("ovarian",),
    "testis": ("testicular",),
    "liver": ("hepatic",),
    "lung": ("pulmonary",),
    "kidney": ("renal",),
    "spleen": ("splenic",),
    "heart": ("cardiac",),
}
_INJECTION_SITE = re.compile(
    r"injection[- ]site|site of (?:injection|administration)|implantation site|"
    r"administration site|graft(?: site)?\b|dosing site|application site",
    re.IGNORECASE,
)
_INJECTION_WORDS = (
    r"(?:injection|implantation|administration|graft|dosing|application)\s+sites?"
    r"|sites?\s+of\s+(?:injection|administration|implantation)|grafts?"
)
_LIMIT = (
    r"(?:the\s+)?(?:lloq|loq|lod|llod|lower\s+limits?\s+of\s+(?:quantification|quantitation|detection)"
    r"|limits?\s+of\s+(?:quantification|quantitation|detection)"
    r"|(?:quantification|quantitation|detection)\s+limits?|quantification|quantitation|detection)"
)
_NEGATIVE = (
    r"(?:(?:all\s+)?(?:below|under|<)\s*" + _LIMIT + r"|blq|negative|undetectable|unquantifiable"
    r"|non-?quantifiable|absent"
    r"|(?:not|no\s+longer)\s+(?:detected|detectable|quantifiable|quantified|found|measurable))"
)
_NEAR = r"(?:(?:at\s+or\s+)?(?:near|close\s+to|around|just\s+above|approaching)\s+" + _LIMIT + r")"
_SIGNAL_NOUNS = (
    r"(?:vector(?:\s+(?:genomes|dna|copies))?|signal|(?:human\s+)?dna|transgene(?:\s+copies)?"
    r"|copies|(?:car-?t\s+|car\+\s+|human\s+|modified\s+|transduced\s+)?cells|product)"
)
_GAP_NOUNS = (
    r"(?:biodistribution|levels?|vector|copy\s+numbers?|copies|signals?|dna|tissues?"
    r"|samples?|values?|results?|concentrations?)"
)
_GAP_VERBS = (
    r"(?:were|was|are|is|remained|stayed|fell|dropped|declined|returned|became|had|showed"
    r"|tested|being)"
)
_EXCEPT = re.compile(
    r"(?:except|apart\s+from|other\s+than|besides|excluding|but\s+not|save|"
    r"with\s+the\s+exception\s+of|than)\s+(?:for\s+)?(?:in\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?:\b(?P<prep>at|by|on|in|from|after|since|until|through|beyond|of)\s+)?"
    r"(?:\b(?P<u1>day|week|month|d|wk)\s*(?P<n1>\d+)\b"
    r"|\b(?P<n2>\d+)\s+(?P<u2>days?|weeks?|months?)\b)",
    re.IGNORECASE,
)


def _timepoint_days(label: str) -> float | None:
    """Days of a data time point label ('day 56', 'week 4', 'D28', '6 months')."""
    text = label.strip().lower()
    match = re.fullmatch(r"(day|week|month|d|wk|w|m)\s*[-_ ]?\s*(\d+(?:\.\d+)?)", text)
    if match:
        unit, number = match.group(1), match.group(2)
    else:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[-_ ]?\s*(days?|weeks?|months?|d|wk|w)", text)
        if not match:
            return None
        number, unit = match.group(1), match.group(2)
    unit = {"m": "month"}.get(unit, unit).rstrip("s") if unit not in {"d", "wk", "w"} else unit
    return float(number) * _DAYS[unit]


def _aliases(tissue: str) -> set[str]:
    name = " ".join(tissue.lower().split())
    base = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    out = {name, base}
    for word in (base,):
        if word.endswith("is"):
            out.add(word[:-2] + "es")
        elif word.endswith("y"):
            out.add(word[:-1] + "ies")
        elif word.endswith("s"):
            out.add(word[:-1])
        else:
            out.add(word + "s")
    out.update(_ADJECTIVES.get(base, ()))
    return {a for a in out if len(a) >= 3}


@dataclass
class _Lexicon:
    """Tissue words of the project's biodistribution data, with the tissues they name."""

    names: dict[str, dict[str, set[str]]]
    """alias -> study id -> tissue names of that study's table."""
    pattern: str

    def resolve(self, words: Iterable[str], study: str) -> set[str]:
        out: set[str] = set()
        for word in words:
            out |= self.names.get(" ".join(word.lower().split()), {}).get(study, set())
        return out


def _lexicon(summaries: dict[str, BdSummary]) -> _Lexicon | None:
    names: dict[str, dict[str, set[str]]] = {}
    for study, summary in summaries.items():
        for tissue in {c.tissue for c in summary.cells}:
            for alias in _aliases(tissue):
                names.setdefault(alias, {}).setdefault(study, set()).add(tissue)
        for alias in _GONAD_ALIASES:
            for tissue in summary.gonads:
                names.setdefault(alias, {}).setdefault(study, set()).add(tissue)
    if not names:
        return None
    words = sorted(names, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return _Lexicon(names, rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@dataclass(frozen=True, slots=True)
class _TissueClaim:
    kind: str  # "negative", "near" or "confined"
    words: tuple[str, ...]
    """Tissue words claimed (negative, near), or allowed (confined)."""
    start: int
    end: int
    text: str
    """The claim as written."""
    injection_site: bool = False


_OTHER_READOUTS = re.compile(
    r"histo|patholog|microscop|macroscop|lesion|finding|tumou?r|teratoma|weight|expression|"
    r"protein|mrna|activity|inflammation|reaction|toxicity|effect|change",
    re.IGNORECASE,
)
"""Words saying that a clause is about another readout than vector or cell copies."""
_PARTIAL = re.compile(
    r"\b\d+\s*(?:of|/)\s*\d+\b|\b(?:most|some|several|majority|minority|few|half|"
    r"all\s+but)\b|%",
    re.IGNORECASE,
)
_EXCEPTION_WORDS = re.compile(
    r"\b(?:except|apart\s+from|other\s+than|besides|excluding|with\s+the\s+exception)\b",
    re.IGNORECASE,
)
_GAP_TIME = r"(?:at|by|on|in|from|after)\s+(?:day|week|month)\s*\d+"
_GAP_ADVERBS = r"(?:all|already|consistently|again|still|then|later|also|both|uniformly|each)"


def _tissue_claims(clause: str, lexicon: _Lexicon) -> Iterator[_TissueClaim]:
    """The tissue claims of a clause, in a fixed grammar: a tissue list right before or
    after its predicate ('testis and ovary were below LLOQ', 'below LLOQ in testis',
    'no vector in gonads', 'confined to the injection site')."""
    tissue = lexicon.pattern
    tissue_list = (
        rf"(?:the\s+)?{tissue}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*)"
        rf"(?:the\s+)?{tissue})*"
    )
    predicate = rf"(?P<pred>{_NEGATIVE}|{_NEAR})"
    before = re.compile(
        rf"(?P<list>{tissue_list})(?:\s+{_GAP_NOUNS}){{0,2}}(?:\s+{_GAP_TIME})?\s*:?"
        rf"(?:\s+(?:and\s+)?{_GAP_VERBS}){{0,2}}"
        rf"(?:\s+{_GAP_ADVERBS}){{0,2}}\s+{predicate}(?![\w-])(?!\s+for\b)",
        re.IGNORECASE,
    )
    after = re.compile(
        rf"(?<!\w)(?P<pred>{_NEGATIVE}|{_NEAR})\s+(?:in|for|at)\s+(?:(?:all|both|the|any)\s+)?"
        rf"(?P<list>{tissue_list})",
        re.IGNORECASE,
    )
    nothing = re.compile(
        rf"\bno\s+(?:detectable\s+|quantifiable\s+|measurable\s+)?{_SIGNAL_NOUNS}\s+"
        rf"(?:(?:was|were|is|are)\s+)?(?:(?:detected|found|measured|quantified|present|seen)\s+)?"
        rf"in\s+(?:(?:the|any)\s+)?(?P<list>{tissue_list})",
        re.IGNORECASE,
    )
    confined = re.compile(
        rf"(?:(?:confined|restricted|limited|locali[sz]ed)\s+to\s+(?:the\s+)?"
        rf"(?:(?P<site>{_INJECTION_WORDS})|(?P<list>{tissue_list}))"
        rf"|(?:remained|stayed|remains|stays)\s+(?:only\s+|exclusively\s+)?(?:at|in|within)\s+"
        rf"(?:the\s+)?(?P<site2>{_INJECTION_WORDS}))(?![\w-])",
        re.IGNORECASE,
    )
    word = re.compile(tissue, re.IGNORECASE)

    def listed(text: str) -> tuple[str, ...]:
        return tuple(m.group(0) for m in word.finditer(text))

    if not (_PARTIAL.search(clause) or _EXCEPTION_WORDS.search(clause)):
        for pattern in (before, after, nothing):
            for m in pattern.finditer(clause):
                lead = clause[: m.start()]
                if _OTHER_READOUTS.search(" ".join(lead.split()[-4:]) + " " + m.group(0)):
                    continue
                if _EXCEPT.search(clause[max(0, m.start("list") - 30) : m.start("list")]):
                    continue
                if re.search(r"\b(?:not|never)\s*$", lead, re.IGNORECASE):
                    continue
                if pattern is after and re.search(
                    r"\b(?:samples?|values?|results?|measurements?|readings?|animals?|data|"
                    r"replicates?|those|any|some|copies)\s*$",
                    lead,
                    re.IGNORECASE,
                ):
                    continue  # 'samples below LLOQ in liver were re-assayed'
                pred = m.groupdict().get("pred") or "not detected"
                kind = "near" if re.match(_NEAR, pred, re.IGNORECASE) else "negative"
                yield _TissueClaim(kind, listed(m.group("list")), m.start(), m.end(), m.group(0))
    for m in confined.finditer(clause):
        lead = clause[: m.start()]
        if re.search(r"\b(?:not|never)\s+(?:\w+\s+)?$", lead, re.IGNORECASE):
            continue
        if _OTHER_READOUTS.search(" ".join(lead.split()[-4:])):
            continue  # 'expression was confined to the liver' is not about copies
        site = bool(m.group("site") or m.group("site2"))
        allowed = listed(m.group("list")) if m.group("list") else ()
        others = listed(lead + " " + clause[m.end() :])
        yield _TissueClaim(
            "confined", allowed + others, m.start(), m.end(), m.group(0), injection_site=site
        )


def _claim_times(clause: str, claim: _TissueClaim) -> tuple[str, float, str] | None:
    """The time a claim names: ('=' or '>=', days, as written); None when it names none.

    The time expression nearest to the claim in its clause is taken."""
    best: tuple[int, re.Match[str]] | None = None
    for m in _TIME.finditer(clause):
        if m.end() <= claim.start:
            distance = claim.start - m.end()
        elif m.start() >= claim.end:
            distance = m.start() - claim.end
        else:
            distance = 0
        if best is None or distance < best[0]:
            best = (distance, m)
    return None if best is None else _time_of(best[1])


def _sentence_time(text: str, clause: str) -> tuple[str, float, str] | None:
    """The time a sentence names outside a clause that names none ('Ovary: 1 of 3
    quantifiable at day 56; testis below LLOQ' speaks of day 56 throughout): the last
    time before the clause, else the first after it."""
    at = text.find(clause)
    if at < 0:
        return None
    times = list(_TIME.finditer(text))
    earlier = [m for m in times if m.end() <= at]
    later = [m for m in times if m.start() >= at + len(clause)]
    if earlier:
        return _time_of(earlier[-1])
    return _time_of(later[0]) if later else None


def _time_of(m: re.Match[str]) -> tuple[str, float, str]:
    unit = (m.group("u1") or m.group("u2")).lower().rstrip("s")
    days = float(m.group("n1") or m.group("n2")) * _DAYS[unit]
    prep = (m.group("prep") or "").lower()
    # 'from day 2' and 'since day 2' include day 2; 'after day 2' and 'beyond' do not
    op = ">=" if prep in {"from", "since"} else ">" if prep in {"after", "beyond"} else "="
    return op, days, m.group(0).strip()


def _cells_at(
    summary: BdSummary, tissues: set[str], when: tuple[str, float, str] | None
) -> list[BdCell] | None:
    """The summary cells of the tissues at the time named (None when that time is not
    one of the study's time points: nothing to compare with)."""
    if when is None:
        return [c for c in summary.cells if c.tissue in tissues]
    op, days, _ = when
    chosen = set()
    for label in summary.timepoints:
        d = _timepoint_days(label)
        if d is None:
            continue
        if (
            (op == "=" and math.isclose(d, days, rel_tol=0.05))
            or (op == ">=" and d >= days - 0.5)
            or (op == ">" and d > days + 0.5)
        ):
            chosen.add(label)
    if not chosen:
        return None
    return [c for c in summary.cells if c.tissue in tissues and c.timepoint in chosen]


def _groups(clause: str, summary: BdSummary) -> set[str] | None:
    """Groups a clause restricts a claim to ('in the high-dose group'); None for all."""
    groups = {c.group for c in summary.cells}
    for word in re.findall(
        r"\b(control|vehicle|untreated|sham|placebo|naive|recovery)\b", clause, re.IGNORECASE
    ):
        if not any(re.search(rf"\b{word}\b", g, re.IGNORECASE) for g in groups):
            return set()  # a group the table does not have: nothing to compare
    named = {g for g in groups if g.lower() in clause.lower()}
    levels = re.findall(
        r"\b(low|lowest|mid|middle|intermediate|high|highest)[- ]dose\b", clause, re.IGNORECASE
    )
    for level in levels:
        word = level.lower().removesuffix("est")
        labelled = {g for g in groups if re.search(rf"\b{word}", g, re.IGNORECASE)}
        if not labelled and word in {"low", "high"}:
            labelled = _by_dose(groups, lowest=word == "low")
        if not labelled:
            return set()  # a dose level the group names do not show: nothing to compare
        named |= labelled
    return named or None


def _by_dose(groups: set[str], *, lowest: bool) -> set[str]:
    """The group with the lowest (or highest) dose written in its name ('G2 2e13 vg/kg')."""
    doses: dict[str, float] = {}
    for group in groups:
        found = [_number(m).value for m in re.finditer(_NUMBER, _normalise(group))]
        found = [v for v in found if v >= 100]  # a dose, not a group number
        if len(found) == 1:
            doses[group] = found[0]
    if len(doses) != len(groups) or len(set(doses.values())) != len(doses):
        return set()
    pick = min(doses, key=doses.__getitem__) if lowest else max(doses, key=doses.__getitem__)
    return {pick}


def _copies(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}".replace(",", " ")


def _quantifiable(cell: BdCell) -> Phrase:
    return Phrase(
        N_(
            "{tissue}: {n} of {total} animals quantifiable at {timepoint} (group {group}; up "
            "to {maximum} copies/µg, LLOQ {lloq})"
        ),
        (
            ("tissue", cell.tissue),
            ("n", str(cell.n_quantifiable)),
            ("total", str(cell.n)),
            ("timepoint", cell.timepoint),
            ("group", cell.group),
            ("maximum", _copies(cell.maximum)),
            ("lloq", _copies(cell.lloq)),
        ),
    )


def _joined(phrases: list[Phrase]) -> Phrase:
    """Phrases joined by "; " (each put into words in the document's language)."""
    template = "; ".join(f"{{p{i}}}" for i in range(len(phrases)))
    return Phrase(template, tuple((f"p{i}", p) for i, p in enumerate(phrases)))


def _english(phrase: Phrase) -> str:
    with language("en"):
        return phrase.text()


# ----------------------------------------------------------------------- the checks


@dataclass
class _Finder:
    project: Project
    computed: ComputedProject
    found: list[Contradiction]
    _context_cache: dict[tuple[Any, ...], list[_Dose]] = field(default_factory=dict)

    @functools.cached_property
    def studies(self) -> list[Study]:
        return list(self.project.nonclinical.studies) if self.project.nonclinical else []

    def add(
        self,
        kind: ContradictionKind,
        path: Path,
        sentence: str,
        claim: str | Phrase,
        evidence: Phrase,
    ) -> None:
        said = claim if isinstance(claim, Phrase) else Phrase("{text}", (("text", claim),))
        item = Contradiction(
            path,
            sentence,
            _english(said),
            _english(evidence),
            "error",
            kind,
            HINTS[kind],
            said=(said, evidence),
        )
        if item not in self.found:
            self.found.append(item)

    # -- tissues

    def tissues(self, path: Path, sentence: str, ctx: _Context, lexicon: _Lexicon) -> None:
        summaries = self.computed.biodistribution
        if ctx.study is not None:
            candidates = [ctx.study] if ctx.study.id in summaries else []
        else:
            pool = [s for s in (ctx.cited or self.studies) if s.id in summaries]
            candidates = pool
        if not candidates:
            return
        text = _normalise(sentence)
        for clause in _CLAUSE.split(text):
            if not clause or _MODAL.search(clause):
                continue
            for claim in _tissue_claims(clause, lexicon):
                chosen = candidates
                if ctx.study is None:
                    picked = _identify(clause, candidates)
                    if picked is not None:
                        chosen = picked
                when = _claim_times(clause, claim) or _sentence_time(text, clause)
                for study in chosen:
                    evidence = self._tissue_evidence(
                        study, summaries[study.id], clause, claim, when, lexicon
                    )
                    if evidence:
                        self.add("tissue", path, sentence, _claim_words(claim, when), evidence)

    def _tissue_evidence(
        self,
        study: Study,
        summary: BdSummary,
        clause: str,
        claim: _TissueClaim,
        when: tuple[str, float, str] | None,
        lexicon: _Lexicon,
    ) -> Phrase | None:
        named = lexicon.resolve(claim.words, study.id)
        all_tissues = {c.tissue for c in summary.cells}
        if claim.kind == "confined":
            site = (
                {t for t in all_tissues if _INJECTION_SITE.search(t)}
                if claim.injection_site
                else set()
            )
            tissues = all_tissues - site - named
        else:
            tissues = named
        if not tissues:
            return None
        cells = _cells_at(summary, tissues, when)
        if not cells:
            return None
        groups = _groups(clause, summary)
        if groups is not None:  # restricted to the groups named (or to none)
            cells = [c for c in cells if c.group in groups]
        if claim.kind == "near":
            over = [c for c in cells if c.mean is not None and c.mean > NEAR_LLOQ_FACTOR * c.lloq]
            if not over:
                return None
            worst = max(over, key=lambda c: (c.mean or 0) / c.lloq)
            return Phrase(
                N_(
                    "the biodistribution data of {study} show {tissue} at a mean of {mean} "
                    "copies/µg at {timepoint} (group {group}), {ratio}× the LLOQ of {lloq}"
                ),
                (
                    ("study", study.id),
                    ("tissue", worst.tissue),
                    ("mean", _copies(worst.mean)),
                    ("timepoint", worst.timepoint),
                    ("group", worst.group),
                    ("ratio", f"{(worst.mean or 0) / worst.lloq:.0f}"),
                    ("lloq", _copies(worst.lloq)),
                ),
            )
        positive = [c for c in cells if c.n_quantifiable > 0]
        if not positive:
            return None
        order = {t: i for i, t in enumerate(summary.timepoints)}
        if when is None:
            # per tissue, the last time point with a quantifiable animal
            last: dict[str, BdCell] = {}
            for c in positive:
                seen = last.get(c.tissue)
                if seen is None or (order[c.timepoint], c.n_quantifiable) > (
                    order[seen.timepoint],
                    seen.n_quantifiable,
                ):
                    last[c.tissue] = c
            positive = [last[t] for t in sorted(last)]
        shown = _joined([_quantifiable(c) for c in positive])
        return Phrase(
            N_("the biodistribution data of {study} show {shown}"),
            (("study", study.id), ("shown", shown)),
        )

    # -- GLP

    def glp(self, path: Path, sentence: str, ctx: _Context) -> None:
        for polarity, descriptor in _glp_claims(sentence):
            if ctx.study is not None:
                candidates = [ctx.study]
            else:
                pool = list(ctx.cited) or self.studies
                picked = _identify(descriptor, pool)
                if picked is None and ctx.cited:
                    picked = list(ctx.cited)
                if picked is None:
                    picked = self.studies
                if not picked and ctx.cited:
                    picked = _identify(descriptor, self.studies) or []
                candidates = picked
            if not candidates:
                continue
            wrong = [s for s in candidates if (s.glp.status == "GLP") != polarity]
            if len(wrong) != len(candidates):
                continue
            claim = Phrase(
                N_("that the study ran under GLP") if polarity else N_("that the study was not GLP")
            )
            evidence = _joined(
                [
                    Phrase(
                        N_("{study} is declared '{status}' (glp.status)"),
                        (("study", s.id), ("status", s.glp.status)),
                    )
                    for s in candidates
                ]
            )
            self.add("glp", path, sentence, claim, evidence)

    # -- doses

    def doses(self, path: Path, sentence: str, ctx: _Context) -> None:
        text = _normalise(sentence)
        seen: set[int] = set()
        for expected, match, dose in self._anchored_doses(text):
            seen.add(match.start())
            self._compare_dose(path, sentence, expected, match, dose)
        expected = self._context_doses(ctx)
        if not expected or (_MODAL.search(text) and not ctx.fih):
            return
        if ctx.study is not None and _HUMAN.search(text):
            return  # a study's text quoting human doses
        for match, dose in _quoted_doses(text):
            if match.start() in seen:
                continue
            lead = text[max(0, match.start() - 30) : match.start()]
            if _HEDGE.search(lead) or re.search(r"\bper\s*$", lead):
                continue
            if dose.per == "absolute" and not ctx.fih and not _DOSING_CUE.search(lead):
                continue
            self._compare_dose(path, sentence, expected, match, dose)

    def _compare_dose(
        self,
        path: Path,
        sentence: str,
        expected: Sequence[_Dose],
        match: re.Match[str],
        dose: _Dose,
    ) -> None:
        verdict = _dose_verdict(dose, _number(match).digits, expected)
        if verdict is None:
            return
        why, near = verdict
        shown = [d for d in near if d.declared] or list(near)
        listed = ", ".join(dict.fromkeys(d.text for d in shown))
        if why == "value":
            evidence = Phrase(
                N_("the declared doses in this unit are {doses}"), (("doses", listed),)
            )
        else:
            evidence = Phrase(
                N_("this value is declared in another unit: {doses}"), (("doses", listed),)
            )
        self.add(
            "dose",
            path,
            sentence,
            Phrase(N_("a dose of \u2018{dose}\u2019"), (("dose", dose.text),)),
            evidence,
        )

    @functools.cached_property
    def _anchors(self) -> list[tuple[re.Pattern[str], list[_Dose]]]:
        """The words after which a quoted dose must be a declared one ('start dose',
        'maximum dose', 'NOAEL', 'MED', 'HNSTD', a cohort label), with those doses."""
        fih = self.project.fih_dose
        anchors: list[tuple[str, list[_Dose | None]]] = []
        if fih is not None:
            start = _structured(fih.proposed_start_dose, "proposed start dose")
            anchors.append((r"start(?:ing)?\s+doses?", [start]))
            if fih.maximum_dose is not None:
                top = _structured(fih.maximum_dose, "maximum dose")
                anchors.append((r"maximum(?:\s+planned)?\s+doses?", [top]))
            trial = self.project.clinical_trial
            for step in trial.cohorts if trial is not None else ():
                if len(step.cohort) >= 2:
                    label = rf"(?:cohort\s+)?{re.escape(step.cohort)}"
                    anchors.append((label, [_structured(step.dose, f"cohort {step.cohort}")]))
        for word, name, label in (
            (r"noaels?|no[- ]observed[- ]adverse[- ]effect\s+levels?", "noael", "NOAEL"),
            (r"meds?|minimal(?:ly)?\s+effective\s+doses?", "med", "MED"),
            (r"hnstds?", "hnstd", "HNSTD"),
        ):
            values: list[_Dose | None] = [
                _structured(q, f"{s.id} {label}")
                for s in self.studies
                if (q := getattr(s, name)) is not None
            ]
            values += self._fih_inputs(name)
            anchors.append((word, [*values, *self._scaled] if any(values) else []))
        out = []
        for word, doses in anchors:
            expected = [d for d in doses if d is not None]
            if expected:
                pattern = re.compile(
                    rf"(?<![\w-])(?:{word})(?![\w-])\s*(?:\(|:|=|,)?\s*"
                    r"(?:(?:is|was|of|at|were|are|set\s+at|established\s+at|equal\s+to"
                    r"|receives?|received|dosed\s+at|with)\s+){0,2}(?:≥|≤)?\s*",
                    re.IGNORECASE,
                )
                out.append((pattern, expected))
        return out

    def _anchored_doses(self, text: str) -> list[tuple[list[_Dose], re.Match[str], _Dose]]:
        """Doses quoted right after an anchor word, with the doses they must be one of."""
        out = []
        for pattern, expected in self._anchors:
            for anchor in pattern.finditer(text):
                lead = text[max(0, anchor.start() - 40) : anchor.start()]
                if re.search(
                    r"(?:human\s+equivalent|hed|scaled|converted|fold|below|above|of\s+the)\s*$",
                    lead,
                    re.IGNORECASE,
                ):
                    continue
                match = _DOSE.match(text, anchor.end())
                dose = _as_dose(match) if match and not _concentration(text, match) else None
                if match is not None and dose is not None:
                    out.append((expected, match, dose))
        return out

    def _fih_inputs(self, field: str) -> list[_Dose | None]:
        fih = self.project.fih_dose
        if fih is None:
            return []
        approach = {"noael": "noael", "med": "pad_med", "hnstd": "hnstd"}[field]
        return [
            _structured(i.dose, f"first-in-human input {i.id}")
            for i in fih.inputs
            if i.approach == approach
        ]

    @functools.cached_property
    def _scaled(self) -> list[_Dose | None]:
        """The human doses the first-in-human derivation computed (quoted when scaled)."""
        fih = self.computed.fih
        if fih is None:
            return []
        out = [
            _declared_dose(step.value, step.unit, f"scaled {step.label}", declared=False)
            for step in fih.steps
            if step.value is not None
        ]
        out += [
            _declared_dose(value, fih.unit, "computed first-in-human dose", declared=False)
            for value in (fih.safety_limit, fih.most_conservative)
            if value is not None
        ]
        return out

    def _study_doses(self, study: Study) -> list[_Dose | None]:
        doses = [_structured(q, f"{study.id} dose level") for q in study.dose_levels]
        doses += [
            _structured(q, f"{study.id} {name.upper()}")
            for name in ("noael", "med", "hnstd")
            if (q := getattr(study, name)) is not None
        ]
        fih = self.project.fih_dose
        if fih is not None:
            doses += [
                _structured(i.dose, f"first-in-human input {i.id}")
                for i in fih.inputs
                if i.study == study.id
            ]
        return doses

    def _context_doses(self, ctx: _Context) -> list[_Dose]:
        key = (ctx.study.id if ctx.study else None, ctx.fih, ctx.fih_input, bool(ctx.cited))
        if key not in self._context_cache:
            self._context_cache[key] = self._doses_for(ctx)
        return self._context_cache[key]

    def _doses_for(self, ctx: _Context) -> list[_Dose]:
        """The structured doses a dose quoted in a study's or the FIH rationale's text
        must be one of (none elsewhere: other text quotes other products' doses)."""
        fih = self.project.fih_dose
        doses: list[_Dose | None] = []
        if ctx.study is not None:
            doses = self._study_doses(ctx.study)
        elif ctx.fih and fih is not None and not ctx.cited:
            inputs = fih.inputs if ctx.fih_input is None else [fih.inputs[ctx.fih_input]]
            if ctx.fih_input is None:
                doses = [_structured(fih.proposed_start_dose, "proposed start dose")]
                trial = self.project.clinical_trial
                cohorts = trial.cohorts if trial is not None else []
                doses += [_structured(s.dose, f"cohort {s.cohort}") for s in cohorts]
                if fih.maximum_dose is not None:
                    doses.append(_structured(fih.maximum_dose, "maximum dose"))
            for item in inputs:
                doses.append(_structured(item.dose, f"first-in-human input {item.id}"))
                study = next((s for s in self.studies if s.id == item.study), None)
                if study is not None:
                    doses += self._study_doses(study)
            doses += self._scaled
        return [d for d in doses if d is not None]

    # -- batches

    def batches(self, path: Path, sentence: str) -> None:
        table = self.project.quality.batches
        text = _normalise(sentence)
        for clause in _CLAUSE.split(text):
            if (
                not clause
                or _MODAL.search(clause)
                or re.search(
                    r"\b(?:after|further|additional|more|next|another|per\s+year|each)\b",
                    clause,
                    re.I,
                )
            ):
                continue
            for number, qualifier, written in _batch_claims(clause):
                counted = _count_batches(table, qualifier, clause)
                if counted is None:
                    continue
                exact, chosen, description = counted
                if len(chosen) == number or (not exact and number <= len(chosen)):
                    continue
                listed = ", ".join(b.id for b in chosen) or N_("none")
                values: tuple[tuple[str, str | Phrase], ...] = (
                    ("count", str(len(chosen))),
                    ("which", description),
                    ("batches", Phrase(listed) if not chosen else listed),
                )
                if exact:
                    template = (
                        N_("quality.batches lists {count} batch{which}: {batches}")
                        if len(chosen) == 1
                        else N_("quality.batches lists {count} batches{which}: {batches}")
                    )
                else:
                    template = (
                        N_("quality.batches lists only {count} batch in all: {batches}")
                        if len(chosen) == 1
                        else N_("quality.batches lists only {count} batches in all: {batches}")
                    )
                evidence = Phrase(template, values)
                self.add("batches", path, sentence, f"\u2018{written}\u2019", evidence)


def _claim_words(claim: _TissueClaim, when: tuple[str, float, str] | None) -> str:
    """What a tissue claim says, as written, with the time it names."""
    text = " ".join(claim.text.split())
    if when is not None and when[2].lower() not in text.lower():
        text += f" ({when[2]})"
    return f"‘{text}’"


_GLP_PREFIX = re.compile(
    r"\b(?:under|according\s+to|in\s+compliance\s+with|in\s+accordance\s+with|compliant\s+with|"
    r"following)\s+(?:the\s+)?(?:OECD\s+)?GLP\b(?!-)",
)
_GLP_WORD = re.compile(r"(?P<non>\bnon[- ]?)?\bGLP\b(?P<suffix>-[\w]+)?")
_GLP_NOT_ABOUT_A_STUDY = re.compile(
    r"^\s*(?:facilit|test\s+facilit|q&a|questions|principles|guidance|guideline|regulation|"
    r"inspection|monitoring|certificat|status|requirement|standard|compliance\s+monitoring|"
    r"archive|quality\s+assurance|environment|laborator)",
    re.IGNORECASE,
)
_STUDY_NOUN = re.compile(
    r"\b(?:stud(?:y|ies)|toxicity|toxicology|tumou?rigenicity|biodistribution|package|"
    r"safety\s+pharmacology)\b",
    re.IGNORECASE,
)


def _glp_claims(sentence: str) -> Iterator[tuple[bool, str]]:
    """(claims GLP, words describing the study) for each GLP claim of a sentence."""
    taken: list[tuple[int, int]] = []
    for m in _GLP_PREFIX.finditer(sentence):
        lead = sentence[: m.start()]
        if re.search(r"\b(?:comparable|equivalent|similar|close|analogous)\s+to\s*$", lead, re.I):
            continue
        polarity = not re.search(r"\b(?:not|never|without)\b(?:\s+\w+){0,3}\s*$", lead, re.I)
        descriptor = " ".join(lead.split()[-14:])
        taken.append((m.start(), m.end()))
        yield polarity, descriptor
    for m in _GLP_WORD.finditer(sentence):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        suffix = (m.group("suffix") or "").lower()
        if suffix and suffix not in {"-compliant"}:
            continue
        rest = sentence[m.end() :]
        lead = sentence[: m.start()]
        if re.search(r"\b(?:comparable|equivalent|similar|close|analogous)\s+to\s*$", lead, re.I):
            continue
        if re.search(r"\bno\s*$", lead, re.I) or _GLP_NOT_ABOUT_A_STUDY.match(rest.lstrip(" ,")):
            continue
        words = rest.split()
        noun = next(
            (i for i, w in enumerate(words[:7]) if _STUDY_NOUN.search(w.strip(",.;:"))), None
        )
        if suffix != "-compliant" and noun is None:
            continue
        negative = bool(m.group("non")) or bool(
            re.search(r"\b(?:not|never)\b(?:\s+(?:a|an|the|been|be))?\s*$", lead, re.I)
        )
        # the study meant: the words before 'GLP' up to its noun, and 'in NSG mice' after it
        phrase = words[: noun + 1] if noun is not None else []
        tail = words[len(phrase) :]
        if tail and tail[0].lower() in {"in", "of", "on", "with"}:
            for w in tail[:5]:
                phrase.append(w)
                if w[-1:] in ",.;:":
                    break
        descriptor = " ".join([*lead.split()[-4:], m.group(0), *phrase])
        yield not negative, descriptor


_NUMBER_WORD = r"(?P<n>\d+|" + "|".join(_WORD_NUMBERS) + r")"
_BATCH_EXIST = re.compile(
    rf"\b(?:only\s+)?{_NUMBER_WORD}\s+(?P<q>(?:[\w+-]+\s+){{0,3}}?)batch(?:es)?\s+"
    r"(?:have\s+been\s+|has\s+been\s+|were\s+|was\s+|are\s+|is\s+|had\s+been\s+|so\s+far\s+)?"
    r"(?:exist|exists|existed|manufactured|produced|made|released|completed|available)\b",
    re.IGNORECASE,
)
_BATCH_PROCESS = re.compile(
    r"\b(?:manufactured|produced|made|established|released|demonstrated|validated)\b"
    rf"[^.;]{{0,40}}?\b(?:with|in|by|from|as)\s+{_NUMBER_WORD}\s+(?P<q>(?:[\w+-]+\s+){{0,3}}?)"
    r"batch(?:es)?\b",
    re.IGNORECASE,
)
_BATCH_TOTAL = re.compile(
    rf"\b(?:a\s+total\s+of|in\s+total|altogether)\s+{_NUMBER_WORD}\s+"
    r"(?P<q>(?:[\w+-]+\s+){0,3}?)batch(?:es)?\b",
    re.IGNORECASE,
)
_USE_WORDS = {
    "toxicology": "toxicology",
    "tox": "toxicology",
    "engineering": "engineering",
    "clinical": "clinical",
    "stability": "stability",
    "characterisation": "characterisation",
    "characterization": "characterisation",
    "comparability": "comparability",
    "reference": "reference",
}
_USE_NAMES = {
    "toxicology": N_("toxicology"),
    "engineering": N_("engineering"),
    "clinical": N_("clinical"),
    "stability": N_("stability"),
    "characterisation": N_("characterisation"),
    "comparability": N_("comparability"),
    "reference": N_("reference"),
}
"""The uses of a batch (quality.batches[].uses) as the evidence names them."""
_SUBSET_WORDS = frozenset(
    {"gmp", "full-scale", "full", "scale", "consecutive", "ppq", "commercial-scale", "of"}
)


def _batch_claims(clause: str) -> Iterator[tuple[int, str, str]]:
    """(number, the words between number and 'batches', the claim as written)."""
    taken: list[tuple[int, int]] = []
    for pattern in (_BATCH_EXIST, _BATCH_PROCESS, _BATCH_TOTAL):
        for m in pattern.finditer(clause):
            if any(a < m.end("n") and m.start("n") < b for a, b in taken):
                continue
            taken.append(m.span("n"))
            word = m.group("n").lower()
            number = int(word) if word.isdigit() else _WORD_NUMBERS[word]
            yield number, m.group("q").strip().lower(), m.group(0)


def _count_batches(
    batches: Sequence[Any], qualifier: str, clause: str
) -> tuple[bool, list[Any], Phrase] | None:
    """(exact comparison, the batches the claim counts, how they were chosen) for the
    words before 'batches'; None when the batch table cannot say (a kind of batch it
    does not classify, such as 'development batches'). 'GMP' or 'full-scale' batches
    are some of the table's batches: a claim of more than the table holds is wrong."""
    chosen = list(batches)
    parts: list[Phrase] = []
    exact = True
    versions = {b.process_version for b in batches if re.search(r"[A-Za-z]", b.process_version)}
    named = {v for v in versions if re.search(rf"(?<![\w.-]){re.escape(v)}(?![\w-])", clause)}
    if len(named) == 1:
        version = named.pop()
        chosen = [b for b in chosen if b.process_version == version]
        parts.append(Phrase(N_(" of process {version}"), (("version", version),)))
    for written in qualifier.split():
        word = written.strip(",")
        if word in _USE_WORDS:
            use = _USE_WORDS[word]
            chosen = [b for b in chosen if use in b.uses]
            parts.append(Phrase(N_(" used for {use}"), (("use", Phrase(_USE_NAMES[use])),)))
        elif word in _SUBSET_WORDS:
            exact = False
        elif word not in {v.lower() for v in versions}:
            return None
    template = "".join(f"{{p{i}}}" for i in range(len(parts)))
    return exact, chosen, Phrase(template, tuple((f"p{i}", p) for i, p in enumerate(parts)))


# --------------------------------------------------------------------------- entry


_DIGIT = re.compile(r"\d")
_DOSE_HINT = re.compile(r"(?:cells?|vg|genomes|GC|gc|TU|IU|PFU|vp|[mµμu]g)\b")


_TISSUE_HINTS = (
    "lloq",
    "loq",
    "lod",
    "quantif",
    "detect",
    "negative",
    "blq",
    "confined",
    "restricted",
    "limited to",
    "locali",
    "remain",
    "stay",
    "absent",
    "no ",
)
"""Words without which a sentence makes no tissue claim (a cheap first filter)."""


def find_contradictions(project: Project, computed: ComputedProject) -> list[Contradiction]:
    """The sentences of the project that contradict its computed results or its own
    structured fields, in the order of the project file."""
    finder = _Finder(project, computed, [])
    lexicon = _lexicon(computed.biodistribution)
    for path, text in _texts(project):
        ctx = _context(project, path)
        for sentence in sentences(text):
            lower = sentence.lower()
            if lexicon is not None and any(word in lower for word in _TISSUE_HINTS):
                finder.tissues(path, sentence, ctx, lexicon)
            if "GLP" in sentence:
                finder.glp(path, sentence, ctx)
            if _DIGIT.search(sentence) and _DOSE_HINT.search(sentence):
                finder.doses(path, sentence, ctx)
            if "batch" in lower:
                finder.batches(path, sentence)
    return finder.found


def diagnostics(
    contradictions: Iterable[Contradiction], locate: Callable[[Path], Location]
) -> list[Diagnostic]:
    """One located diagnostic per contradiction, at the YAML path of its text."""
    out = []
    for c in contradictions:
        where = locate(c.path)
        out.append(
            Diagnostic(
                CODES[c.kind],
                Severity(c.severity),
                f"{format_path(c.path)} says {c.claim}, but {c.evidence} "
                f"(sentence: \u201c{c.sentence}\u201d)",
                Location(where.file, where.line, where.column, c.path),
                c.hint,
            )
        )
    return out
