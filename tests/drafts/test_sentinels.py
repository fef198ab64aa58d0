"""Nothing entered is lost: every renderable field of the project file reaches a draft.

The test walks the pydantic model of the project file over a copy of the CAR-T example
(with the few blocks it lacks added), puts a unique sentinel into every free-text and
number field of every block present (adding the optional ones left out), builds the
drafts and reads their text back with python-docx. A sentinel that no draft shows is a
fact entered and lost, unless the schema marks its field as used by the checks only or
as the address or reading convention of a data file (``dossier.model.base.FIELD_USE``).

Not renderable, and so not filled: identifiers and references to them, choices, true/false
flags, dates, units (a unit must be one the vocabulary knows) and the version number.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML

from dossier.drafts.fmt import given, number
from dossier.model.base import FIELD_USE_KEY, ID_PATTERN, check_unit_text
from dossier.model.project import Project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "car-t-nl"

FIGURE_ONLY = {
    # printed on the axes of the dose-response figures, which the text of a .docx does
    # not contain
    "PotencyAssay.dose_unit",
    "PotencyAssay.response_unit",
}

# Fields whose value the block's other fields fix (left as entered when the test holds).
FIXED = {
    "ReportableValue.runs": lambda block: block.get("combination") == "single-run",
    # a guideline section belongs to a cited reference, a file to an attached annex
    "Citation.section": lambda block: block.get("kind") != "reference",
    "Annex.file": lambda block: block.get("content") != "file",
    # a dossier-map document has a file or the reason it does not apply, never both
    "DeclaredDocument.file": lambda block: block.get("not_applicable") is not None,
    "DeclaredDocument.not_applicable": lambda block: block.get("file") is not None,
    # a system-suitability limit is numeric only with a computed measure, and names a
    # preparation only for the control potency
    "SystemSuitability.preparation": lambda block: block.get("measure") != "control_potency",
    "SystemSuitability.lower": lambda block: block.get("measure") is None,
    "SystemSuitability.upper": lambda block: block.get("measure") is None,
    # an impurity's unit is the unit of its results: without results it is refused
    "Impurity.unit": lambda block: not block.get("results"),
    # an EMA request places a regulatory question with a group; the example asks the CBG
    "Question.ema_group_reason": lambda block: block.get("ema_group") is None,
}


def _add_missing_blocks(data: dict[str, Any]) -> None:
    """Blocks the CAR-T example does not have, added so that every model is filled at
    least once (ids refer to the example's own batches, assays and methods)."""
    product = data["product"]
    data["quality"]["potency"]["assays"][0]["outliers"] = {}  # the screening rule declared
    product["gene_editing"] = {"present": True, "editor": "x"}
    product["combined_device"] = {"present": True}
    product["vector"]["neutralising_antibodies"] = {"assay": "x", "handling": "x"}
    data["nonclinical"]["studies"][0]["spiking"] = [
        {"fraction_percent": 1, "animals_with_tumours": 0, "animals": 1}
    ]
    data["netherlands"]["hospital_exemption"] = {"applicable": True}
    data["quality"]["adventitious_agents"]["studies"] = [{"agent": "x", "tested_on": "x"}]
    data["quality"]["development"] = {}
    data["quality"]["analytical_methods"][0]["validation"] = [
        {
            "characteristic": "specificity",
            "design": "x",
            "result": "x",
            "criterion": "x",
            "met": True,
        }
    ]
    # a residual cell population with its release limit as a number
    data["quality"]["analytical_methods"].append(
        {
            "id": "M-BLASTS",
            "name": "x",
            "type": "impurity_quantitative",
            "attribute": "x",
            "measures": ["residual_malignant_cells"],
            "lifecycle_status": "qualified",
            "release_limit": {"unit": "per_million"},
        }
    )
    data["quality"]["comparability"] = [
        {
            "id": "C-1",
            "change": "x",
            "pre_batches": ["B-ENG-01"],
            "post_batches": ["B-CLIN-01"],
            "attributes": ["x"],
            "methods": ["A-CYTOX"],
            "approach": "descriptive",
            "results": [
                {"attribute": "x", "method": "A-CYTOX", "pre_change": "x", "post_change": "x"}
            ],
            "method_bridging": [
                {"attribute": "x", "previous_method": "x", "new_method": "x", "effect_on_dose": "x"}
            ],
            "outcome": "comparable",
            "conclusion": "x",
        }
    ]
    data["quality"]["stability"].append(
        {
            "id": "ST-1",
            "material": "intermediate",
            "condition": {"label": "x", "type": "stress"},
            "container_closure": "x",
            "batches": ["B-ENG-01"],
            "time_unit": "days",
            "attributes": [
                {
                    "name": "x",
                    "method": "M-VIAB",
                    "unit": "%",
                    "lower": 1,
                    "results": [{"batch": "B-ENG-01", "time": 0, "value": 1}],
                }
            ],
        }
    )
    data["clinical_experience"] = {
        "trials": [
            {
                "id": "T-1",
                "title": "x",
                "phase": "1",
                "status": "ongoing",
                "dose_levels": [{"dose": {"value": 1, "unit": "CAR+ T cells/kg"}, "patients": 1}],
                "safety": "x",
            }
        ]
    }
    data["fih_dose"]["inputs"][0]["organ"] = {
        "metric": "other",
        "animal_value": 1,
        "human_value": 1,
    }


@dataclass
class Walk:
    """The sentinels put into a project, by the model field they fill."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, list[float]] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)
    counter: int = 0

    def text(self, where: str) -> str:
        self.counter += 1
        value = f"zq{self.counter:03d}x"
        self.texts.setdefault(where, []).append(value)
        return value

    def number(self, where: str, info: FieldInfo, integer: bool) -> float | int:
        self.counter += 1
        upper = _bound(info, "le", "lt")
        lower = _bound(info, "ge", "gt")
        value: float | int
        if upper is not None and upper <= 1:
            value = round(0.01 + self.counter / 10000, 4)
        elif upper is not None and upper <= 100:  # a percentage
            value = round(1 + self.counter / 1000, 3)
        elif upper is not None and upper <= 2100 and lower is not None and lower >= 1900:
            value = 1900 + self.counter % 200
        else:
            value = 100 + self.counter if integer else 100 + self.counter + 0.5
        self.numbers.setdefault(where, []).append(value)
        return value


def _bound(info: FieldInfo, *names: str) -> float | None:
    for meta in info.metadata:
        for name in names:
            value = getattr(meta, name, None)
            if value is not None:
                return float(value)
    return None


def _core(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None``, and whether it is a list of it."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _core(args[0])
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner, _ = _core(item)
        return inner, True
    if origin is typing.Annotated:
        return _core(typing.get_args(annotation)[0])
    return annotation, False


def _metadata(annotation: Any) -> Iterator[Any]:
    """The constraints of every ``Annotated`` layer of an annotation."""
    yield from getattr(annotation, "__metadata__", ())
    for arg in typing.get_args(annotation):
        yield from _metadata(arg)


def _constrained(info: FieldInfo) -> bool:
    """A text field with a format of its own (identifiers, units, e-mail, version)."""
    for meta in (*info.metadata, *_metadata(info.annotation)):
        if getattr(meta, "pattern", None) is not None:
            return True
        if getattr(meta, "func", None) is check_unit_text:
            return True
    return False


def _fill(model: type[BaseModel], data: dict[str, Any], walk: Walk) -> None:
    walk.models.add(model.__name__)
    for name, info in model.model_fields.items():
        where = f"{model.__name__}.{name}"
        extra = info.json_schema_extra
        if isinstance(extra, dict) and FIELD_USE_KEY in extra:
            continue
        if where in FIGURE_ONLY or (where in FIXED and FIXED[where](data)):
            continue
        core, many = _core(info.annotation)
        if isinstance(core, type) and issubclass(core, BaseModel):
            value = data.get(name)
            if many:
                for item in value or []:
                    _fill(core, item, walk)
            elif isinstance(value, dict):
                _fill(core, value, walk)
            continue
        if typing.get_origin(core) is typing.Literal or core in (bool, dt.date):
            continue
        if core is str:
            if _constrained(info):
                continue
            if many:
                count = max(len(data.get(name) or []), 1)
                data[name] = [walk.text(where) for _ in range(count)]
            else:
                data[name] = walk.text(where)
        elif core in (int, float):
            if many:
                continue
            data[name] = walk.number(where, info, core is int)
        elif typing.get_origin(core) is dict:
            _, value_type = typing.get_args(core)
            if value_type is str and data.get(name):
                data[name] = {k: walk.text(f"{where}[{k}]") for k in data[name]}
        elif typing.get_origin(core) is tuple:
            data[name] = [walk.number(where, info, False) for _ in typing.get_args(core)]
    # a confidence interval must contain its value: the three numbers drawn, in order
    trio = ("ci_lower", "value", "ci_upper")
    if all(isinstance(data.get(k), (int, float)) for k in trio):
        for key, value in zip(trio, sorted(data[k] for k in trio), strict=True):
            data[key] = value


def _docx_text(path: Path) -> str:
    """Every paragraph of a draft (body, tables, headers, footers) read with python-docx."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    lines = []
    for part in parts:
        lines += [Paragraph(p, document).text for p in part.iter(qn("w:p"))]
    return "\n".join(lines)


def _renderings(value: float) -> Iterator[str]:
    yield given(value)
    yield number(value)
    yield f"{value:g}"


@pytest.fixture(scope="module")
def sentinel_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Walk, str]:
    from dossier.api import BuildOptions, build

    folder = tmp_path_factory.mktemp("sentinels") / "car-t"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load((folder / "dossier.yaml").read_text("utf-8"))
    _add_missing_blocks(data)
    walk = Walk()
    _fill(Project, data, walk)
    # the cohorts are drawn after the maximum dose they must stay under: raise it above them
    top = data["fih_dose"]["maximum_dose"]
    highest = max(c["dose"]["value"] for c in data["clinical_trial"]["cohorts"])
    walk.numbers["Quantity.value"].remove(top["value"])
    top["value"] = highest + 1000
    walk.numbers["Quantity.value"].append(top["value"])
    with (folder / "dossier.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    report = build(folder, BuildOptions(out_dir=folder / "out", jobs=1))
    # each draft's text after a form feed and its file name
    text = "\n".join(f"\f{p.name}\n{_docx_text(p)}" for p in report.written if p.suffix == ".docx")
    return walk, text


def _models(model: type[BaseModel], seen: set[str]) -> set[str]:
    if model.__name__ in seen:
        return seen
    seen.add(model.__name__)
    for info in model.model_fields.values():
        core, _ = _core(info.annotation)
        if isinstance(core, type) and issubclass(core, BaseModel):
            _models(core, seen)
    return seen


def test_every_model_is_filled(sentinel_build: tuple[Walk, str]) -> None:
    walk, _ = sentinel_build
    assert _models(Project, set()) - walk.models == set()


def test_every_sentinel_reaches_a_draft(sentinel_build: tuple[Walk, str]) -> None:
    walk, text = sentinel_build
    # the readiness report lists no abbreviations: a term only its findings use is not one
    # a draft must explain
    listing = "".join(p for p in text.split("\f") if not p.startswith("readiness-report"))
    lost: dict[str, list[str]] = {}
    for where, values in walk.texts.items():
        key = re.fullmatch(r"Project\.abbreviations\[(.+)\]", where)
        if key and not re.search(rf"\b{re.escape(key[1])}\b", listing):
            continue  # an abbreviation is listed when a draft uses it
        missing = [v for v in values if v not in text]
        if missing:
            lost[where] = missing
    for where, numbers in walk.numbers.items():
        gone = [
            str(v)
            for v in numbers
            if not any(
                re.search(rf"(?<![\d.]){re.escape(r)}(?![\d])", text) for r in _renderings(v)
            )
        ]
        if gone:
            lost[where] = gone
    assert not lost, "entered and lost:\n" + "\n".join(f"{k}: {v}" for k, v in sorted(lost.items()))


def test_marked_fields_are_few() -> None:
    """The fields marked as not printed stay a short, reviewed list."""
    marked = []
    for name in sorted(_models(Project, set())):
        model = next(m for m in _model_classes() if m.__name__ == name)
        for key, info in model.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and FIELD_USE_KEY in extra:
                marked.append(f"{name}.{key}")
    assert len(marked) <= 20, marked


def _model_classes() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for info in model.model_fields.values():
            core, _ = _core(info.annotation)
            if isinstance(core, type) and issubclass(core, BaseModel):
                visit(core)

    visit(Project)
    return found


assert ID_PATTERN  # identifiers are never filled (see _constrained)
