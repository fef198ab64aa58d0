"""The adversarial corpus: every input that once crashed dossier, hung it or exhausted memory.

Each case is a small edit of a copy of an example project, of one of its data files or of
the house template (or a malformed project file), run through ``python -m dossier`` in a
fresh process with its address space capped at 1 GiB and a 30 s timeout. Whatever the
input, the command ends with exit 0 (handled), 1 (a located error) or 2 (the command line
was used wrongly), never with an internal error, and within the memory and time budget.
Where the case has a stable answer, the diagnostic code it must report is named too.
"""

from __future__ import annotations

import io
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.load.cases import CASES as MALFORMED_YAML
from tests.word.helpers import HOUSE, house_with_paragraphs

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 1 << 30
"""Address space of a run (RLIMIT_AS): a run that needs more fails, it does not swap."""
TIMEOUT = 30.0
LOCATED = re.compile(r"^\S.*?: (error|warning) (DOS-[A-Z]\d{3})\b", re.M)
"""A diagnostic line of the text format: ``FILE[:LINE:COL]: error DOS-X000 message``."""


@dataclass(frozen=True)
class Setup:
    """What a case runs: the command's arguments and extra environment variables."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    before: list[list[str]] = field(default_factory=list)
    """Commands run first (not judged), e.g. a build that fills the figure cache."""


Prepare = Callable[[Path], Setup]


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Prepare
    exits: frozenset[int] = frozenset({1})
    code: str | None = None
    """The diagnostic code the run must report (None: any located message)."""


# ---------------------------------------------------------------- helpers to build inputs


def _example(tmp: Path, name: str = "car-t-nl") -> Path:
    target = tmp / name
    shutil.copytree(ROOT / "examples" / name, target, ignore=shutil.ignore_patterns("out"))
    return target


def _starter(tmp: Path) -> Path:
    """A small valid project (the msc starter): fast to build."""
    target = tmp / "starter"
    done = subprocess.run(
        [sys.executable, "-m", "dossier", "init", str(target), "--archetype", "msc"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return target


def _edit(folder: Path, old: str, new: str, file: str = "dossier.yaml", count: int = 1) -> None:
    path = folder / file
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, count), "utf-8")


def _yaml_edit(old: str, new: str, command: str = "check") -> Prepare:
    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        _edit(folder, old, new)
        return Setup([command, str(folder)])

    return prepare


def _fih_edit(old: str, new: str) -> Prepare:
    return _yaml_edit(old, new, "validate")


def _bd_value(value: str) -> Prepare:
    """A biodistribution value of the car-t-nl example replaced."""

    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        _edit(
            folder,
            "A001,M,G2 low,day 7,blood,5431,",
            f"A001,M,G2 low,day 7,blood,{value},",
            "data/biodistribution_nsg.csv",
        )
        return Setup(["validate", "--deep", str(folder)])

    return prepare


def _run_value(value: str) -> Prepare:
    """A response of a potency run of the car-t-nl example replaced."""

    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        _edit(
            folder, "REF,0.625,9.90,1", f"REF,0.625,{value},1", "data/potency/cytotoxicity_r1.csv"
        )
        return Setup(["validate", "--deep", str(folder)])

    return prepare


def _xlsx_run(rows: list[list[object]], dimension: str | None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>',
                    b'<dimension ref="' + dimension.encode() + b'"/>',
                    data,
                )
            z.writestr(info.filename, data)
    return out.getvalue()


def _xlsx_case(dimension: str) -> Prepare:
    """The first cytotoxicity run as an XLSX whose stored dimension is ``dimension``."""

    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        csv_rows = (folder / "data/potency/cytotoxicity_r1.csv").read_text("utf-8").splitlines()
        rows: list[list[object]] = [csv_rows[0].split(",")]
        for line in csv_rows[1:]:
            prep, dose, response, replicate = line.split(",")
            rows.append([prep, float(dose), float(response), int(replicate)])
        (folder / "data/potency/cytotoxicity_r1.xlsx").write_bytes(_xlsx_run(rows, dimension))
        _edit(
            folder,
            "data: data/potency/cytotoxicity_r1.csv",
            "data: data/potency/cytotoxicity_r1.xlsx",
        )
        return Setup(["validate", "--deep", str(folder)])

    return prepare


def _big_csv(tmp: Path) -> Setup:
    folder = _example(tmp)
    path = folder / "data/potency/cytotoxicity_r1.csv"
    with path.open("r+b") as file:  # sparse: 60 MB on paper, nothing on disk
        file.truncate(60_000_000)
    return Setup(["validate", "--deep", str(folder)])


def _million_rows(tmp: Path) -> Setup:
    folder = _example(tmp)
    path = folder / "data/potency/cytotoxicity_r1.csv"
    with path.open("a", encoding="utf-8") as file:
        file.write("REF,1,1,1\n" * 1_000_000)
    return Setup(["validate", "--deep", str(folder)])


def _data_path(make: Callable[[Path], str]) -> Prepare:
    """The first run's data path replaced by what ``make`` creates in the project folder."""

    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        ref = make(folder)
        _edit(folder, "data: data/potency/cytotoxicity_r1.csv", f"data: {ref}")
        return Setup(["validate", str(folder)])

    return prepare


def _symlink_loop(folder: Path) -> str:
    (folder / "data/loop_a.csv").symlink_to("loop_b.csv")
    (folder / "data/loop_b.csv").symlink_to("loop_a.csv")
    return "data/loop_a.csv"


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "data/pipe.csv")
    return "data/pipe.csv"


def _project_fifo(tmp: Path) -> Setup:
    folder = tmp / "pipe"
    folder.mkdir()
    os.mkfifo(folder / "dossier.yaml")
    return Setup(["validate", str(folder)])


def _malformed_yaml(content: bytes) -> Prepare:
    def prepare(tmp: Path) -> Setup:
        (tmp / "dossier.yaml").write_bytes(content)
        return Setup(["validate", str(tmp)])

    return prepare


def _build(folder: Path, *extra: str, only: str = "readiness") -> list[str]:
    return ["build", str(folder), "--jobs", "1", "--only", only, *extra]


def _build_edit(old: str, new: str, only: str = "impd-quality") -> Prepare:
    def prepare(tmp: Path) -> Setup:
        folder = _example(tmp)
        _edit(folder, old, new)
        return Setup(_build(folder, only=only))

    return prepare


def _manifest_not_object(tmp: Path) -> Setup:
    folder = _starter(tmp)
    (folder / "out").mkdir()
    (folder / "out/manifest.json").write_text("[1, 2, 3]\n", "utf-8")
    return Setup(_build(folder))


def _output_is_folder(tmp: Path) -> Setup:
    folder = _starter(tmp)
    (folder / "out/readiness-report.docx").mkdir(parents=True)
    return Setup(_build(folder))


def _corrupt_figure_cache(tmp: Path) -> Setup:
    folder = _example(tmp)
    cache = tmp / "cache"
    env = {"DOSSIER_CACHE_DIR": str(cache)}
    first = subprocess.run(
        [sys.executable, "-m", "dossier", *_build(folder, only="impd-quality")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert first.returncode == 0, first.stdout + first.stderr
    pngs = sorted((cache / "figures").glob("*.png"))
    assert pngs
    for png in pngs:
        png.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    shutil.rmtree(folder / "out")
    return Setup(_build(folder, only="impd-quality"), env)


# ---------------------------------------------------------------- templates


def _template_folder(tmp: Path, *paragraphs: str) -> Path:
    folder = tmp / "templates"
    house_with_paragraphs(folder / "house.docx", *paragraphs)
    return folder


def _rezip(
    source: Path, target: Path, change: Callable[[str, bytes], bytes], extra: int = 0
) -> None:
    """A copy of a .docx with ``change`` applied to each member; ``extra`` bytes of blank
    space streamed into the main document part (a large part in a small file)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if info.filename == "word/document.xml" and extra:
                head, tail = data.split(b"<w:body>", 1)
                with zout.open(info.filename, "w", force_zip64=True) as part:
                    part.write(head + b"<w:body>")
                    chunk = b" " * (1 << 20)
                    for _ in range(extra >> 20):
                        part.write(chunk)
                    part.write(tail)
            else:
                zout.writestr(info.filename, data)


def _big_part(folder: Path) -> None:
    house = folder / "house.docx"
    house.parent.mkdir(parents=True, exist_ok=True)
    _rezip(HOUSE, house, lambda _name, data: data, extra=40 << 20)


_EXTERNAL = (
    b'<Relationship Id="rIdRemote9" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
    b'Target="http://example.invalid/remote.dotm" TargetMode="External"/>'
)


def _external_relationship(folder: Path) -> None:
    house = folder / "house.docx"
    house.parent.mkdir(parents=True, exist_ok=True)

    def change(name: str, data: bytes) -> bytes:
        if name == "word/_rels/document.xml.rels":
            return data.replace(b"</Relationships>", _EXTERNAL + b"</Relationships>")
        return data

    _rezip(HOUSE, house, change)


def _template_case(
    *paragraphs: str, build: bool, make: Callable[[Path], None] | None = None
) -> Prepare:
    """A house template with ``paragraphs`` (or made by ``make``): checked with
    ``templates check``, or used by a build of the starter project."""

    def prepare(tmp: Path) -> Setup:
        if make is not None:
            folder = tmp / "templates"
            make(folder)
        else:
            folder = _template_folder(tmp, *paragraphs)
        if not build:
            return Setup(["templates", "check", str(folder)])
        return Setup(_build(_starter(tmp), "--templates", str(folder)))

    return prepare


TEMPLATE_PAYLOADS: list[tuple[str, tuple[str, ...], str]] = [
    ("huge-string", ("{{ 'a' * 999999999 }}",), "DOS-T031"),
    ("huge-list", ("{{ ([1] * 999999999) | length }}",), "DOS-T031"),
    ("huge-power", ("{{ 10 ** 999999 }}",), "DOS-T031"),
    ("huge-format", ("{{ '%999999999s' % 'a' }}",), "DOS-T031"),
    ("huge-range", ("{% for i in range(999999999) %}x{% endfor %}",), "DOS-T031"),
    (
        "nested-loops",
        ("{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}",),
        "DOS-T031",
    ),
    (
        "recursive-macro",
        ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",),
        "DOS-T032",
    ),
    (
        "mutual-macros",
        (
            "{% macro a() %}{{ b() }}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}"
            "{{ a() }}",
        ),
        "DOS-T032",
    ),
    ("include", ("{% include 'other.docx' %}",), "DOS-T030"),
    ("import", ("{% import 'macros.xml' as m %}",), "DOS-T030"),
    ("from-import", ("{% from 'macros.xml' import x %}",), "DOS-T030"),
    ("extends", ("{% extends 'base.xml' %}",), "DOS-T030"),
    ("safe-filter", ("{{ doc.title | safe }}",), "DOS-T033"),
    ("autoescape-false", ("{% autoescape false %}{{ doc.title }}{% endautoescape %}",), "DOS-T033"),
    ("python-internals", ("{{ doc.__class__.__mro__ }}",), "DOS-T004"),
    ("cycler-globals", ("{{ cycler.__init__.__globals__ }}",), "DOS-T004"),
    ("unknown-field", ("{{ doc.secret }}",), "DOS-T003"),
    ("split-tag", ("{{ doc.title ",), "DOS-T014"),
    ("syntax-error", ("{{ doc.title ) }}",), "DOS-T002"),
    ("huge-padding", ("{{ doc.title | center(999999999) }}",), "DOS-T031"),
    ("huge-batch", ("{{ doc.cover | batch(999999999, 'x') | list }}",), "DOS-T031"),
    ("huge-str-format", ("{{ '{:999999999}'.format(doc.title) }}",), "DOS-T031"),
]


_BUILT_PAYLOADS = {
    "huge-string",
    "huge-padding",
    "nested-loops",
    "mutual-macros",
    "include",
    "safe-filter",
}
"""The payloads also built: one of each kind of refusal (the check shares the build's code)."""

# ---------------------------------------------------------------- the corpus

_ASSUMED = "batches: {B-CLIN-01: B-CLIN-01}"
_ASSIGNED = 'assigned_potency: {value: 100, unit: "%"}'
_NAME = "name: LUM-CD19 CAR-T cells"
_COHORT_1 = "dose: {value: 1.0e5, unit: CAR+ T cells/kg}, patients: 3}"
_ASSAY_RUN = str(ROOT / "examples/car-t-nl/data/potency/cytotoxicity_r1.csv")


def _assay_cli(value: str) -> Prepare:
    return lambda _tmp: Setup(
        [
            "assay",
            "potency",
            _ASSAY_RUN,
            "--model",
            "4pl",
            "--standard",
            "REF",
            "--assumed",
            f"B-CLIN-01={value}",
        ]
    )


CASES: list[Case] = [
    # exit 3 on input that validates: now refused where it is written
    Case("batch-result-nan", _yaml_edit("value: 1650", "value: .nan"), code="DOS-M006"),
    Case("batch-result-inf", _yaml_edit("value: 1650", "value: .inf"), code="DOS-M006"),
    Case("limit-inf", _yaml_edit("  lower: 500\n", "  lower: 500\n            upper: .inf\n")),
    Case("limit-nan", _yaml_edit("  lower: 500\n", "  lower: .nan\n"), code="DOS-M006"),
    Case(
        "ci-excludes-value",
        _yaml_edit(
            "value: 1650", "value: 1650\n            ci_lower: 1700\n            ci_upper: 1900"
        ),
        code="DOS-M006",
    ),
    Case(
        "assigned-potency-zero",
        _yaml_edit(_ASSIGNED, _ASSIGNED.replace("100", "0")),
        code="DOS-M006",
    ),
    *[
        Case(
            f"assumed-potency-{label}",
            _yaml_edit(
                _ASSUMED, f"{_ASSUMED}\n            assumed_potency: {{B-CLIN-01: {value}}}"
            ),
            code="DOS-M006",
        )
        for label, value in (("nan", ".nan"), ("negative", "-1"), ("zero", "0"), ("inf", ".inf"))
    ],
    *[
        Case(f"name-{label}", _yaml_edit(_NAME, f'name: "LUM{escape}CD19"'), code="DOS-Y004")
        for label, escape in (
            ("control-char", "\\x01"),
            ("nul", "\\0"),
            ("fffe", "\\uFFFE"),
            ("ffff", "\\uFFFF"),
        )
    ],
    Case("name-surrogate", _yaml_edit(_NAME, 'name: "LUM\\uD800CD19"')),
    Case(
        "nul-in-data-path",
        _data_path(lambda _f: '"data/potency/cytotoxicity_r1\\0.csv"'),
        code="DOS-Y004",
    ),
    Case(
        "control-char-in-data-path",
        _data_path(lambda _f: '"data/potency/\\tr1.csv"'),
        code="DOS-L007",
    ),
    Case("symlink-loop", _data_path(_symlink_loop), code="DOS-L008"),
    Case("fifo-data-file", _data_path(_fifo), code="DOS-L006"),
    # computed on: handled (a located warning or error), never a crash
    Case("batch-result-zero", _yaml_edit("value: 1650", "value: 0", "check"), frozenset({0, 1})),
    Case(
        "batch-result-subnormal",
        _yaml_edit("value: 1650", "value: 5.0e-324", "check"),
        frozenset({0, 1}),
    ),
    Case(
        "assigned-potency-subnormal",
        _yaml_edit(_ASSIGNED, _ASSIGNED.replace("100", "5.0e-324"), "check"),
        frozenset({0, 1}),
    ),
    # built on
    Case("name-240-chars", _build_edit(_NAME, "name: " + "L" * 240, "readiness"), frozenset({0})),
    Case(
        "payloads-in-fields",
        _build_edit(
            _NAME,
            "name: \"{{ 'a' * 999999999 }} {% for i in range(10**9) %}{% endfor %} "
            "{{ cycler.__init__.__globals__ }} {% include 'x' %} <w:p/> &amp;\"",
            "readiness",
        ),
        frozenset({0}),
    ),
    Case("manifest-not-object", _manifest_not_object, frozenset({0, 1})),
    Case("output-name-is-folder", _output_is_folder),
    Case("corrupt-figure-cache", _corrupt_figure_cache, frozenset({0})),
    # resources
    Case("xlsx-whole-sheet-dimension", _xlsx_case("A1:XFD1048576"), frozenset({0})),
    Case("xlsx-stale-dimension", _xlsx_case("A1:D5"), frozenset({0})),
    Case("csv-60-mb", _big_csv, code="DOS-D010"),
    Case("csv-million-rows", _million_rows, code="DOS-D010"),
    Case("project-dev-zero", lambda _tmp: Setup(["validate", "/dev/zero"]), code="DOS-Y001"),
    Case("project-fifo", _project_fifo, code="DOS-Y001"),
    # values read from data files
    Case("csv-underscore-number", _run_value("1_000"), code="DOS-D004"),
    Case("csv-arabic-indic-digits", _run_value("\u0669\u066b\u0669"), code="DOS-D004"),
    Case("csv-nan", _run_value("nan"), code="DOS-D004"),
    Case("biodistribution-nan", _bd_value("nan"), code="DOS-D004"),
    Case("biodistribution-negative", _bd_value("-5"), code="DOS-D008"),
    # dose plans
    Case(
        "start-dose-zero",
        _yaml_edit("proposed_start_dose: {value: 1.0e5", "proposed_start_dose: {value: 0"),
        code="DOS-M006",
    ),
    Case("noael-zero", _yaml_edit("noael: {value: 2.0e8", "noael: {value: 0"), code="DOS-M006"),
    Case(
        "cohort-above-maximum",
        _yaml_edit("maximum_dose: {value: 2.0e6", "maximum_dose: {value: 1.5e6"),
        code="DOS-X010",  # the cohorts are clinical_trial's, checked against fih_dose
    ),
    Case(
        "maximum-below-start",
        _yaml_edit("maximum_dose: {value: 2.0e6", "maximum_dose: {value: 5.0e4"),
        code="DOS-M006",
    ),
    Case(
        "cohort-below-start",
        _yaml_edit(_COHORT_1, _COHORT_1.replace("1.0e5", "5.0e4")),
        code="DOS-X010",
    ),
    Case(
        "dose-input-zero",
        _yaml_edit(
            "dose: {value: 2.0e8, unit: CAR+ T cells/kg}", "dose: {value: 0, unit: CAR+ T cells/kg}"
        ),
        code="DOS-M006",
    ),
    # command-line misuse
    *[Case(f"cli-assumed-{v}", _assay_cli(v), frozenset({2})) for v in ("nan", "-1", "0", "inf")],
    # template payloads in a user template: refused by templates check and by the build
    *[
        Case(f"template-check-{name}", _template_case(*texts, build=False), code=code)
        for name, texts, code in TEMPLATE_PAYLOADS
    ],
    *[
        Case(f"template-build-{name}", _template_case(*texts, build=True), code=code)
        for name, texts, code in TEMPLATE_PAYLOADS
        if name in _BUILT_PAYLOADS
    ],
    Case("template-check-big-part", _template_case(build=False, make=_big_part), code="DOS-T034"),
    Case("template-build-big-part", _template_case(build=True, make=_big_part), code="DOS-T034"),
    Case(
        "template-check-external",
        _template_case(build=False, make=_external_relationship),
        code="DOS-T035",
    ),
    Case(
        "template-build-external",
        _template_case(build=True, make=_external_relationship),
        code="DOS-T035",
    ),
    # the malformed-YAML corpus
    *[Case(f"yaml-{c.name}", _malformed_yaml(c.content), code=c.code) for c in MALFORMED_YAML],
]


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@dataclass(frozen=True)
class Outcome:
    returncode: int
    output: str
    peak_rss: int
    timed_out: bool


def _run(args: list[str], env: dict[str, str], cwd: Path) -> Outcome:
    """``python -m dossier ARGS`` under the memory cap and the timeout, with its peak RSS."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dossier", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **env},
            preexec_fn=_cap,  # noqa: PLW1509 (the test starts no thread before this)
        )
        timer = threading.Timer(TIMEOUT, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    timed_out = process.returncode == -9
    return Outcome(process.returncode, output, usage.ru_maxrss * 1024, timed_out)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_input_crashes_hangs_or_exhausts_memory(case: Case, tmp_path: Path) -> None:
    setup = case.prepare(tmp_path)
    outcome = _run(setup.args, setup.env, tmp_path)
    shown = f"exit {outcome.returncode}\n{outcome.output[-3000:]}"
    assert not outcome.timed_out, f"no answer within {TIMEOUT:.0f} s\n{shown}"
    assert outcome.returncode in case.exits, shown
    assert "internal error" not in outcome.output.lower(), shown
    assert "Traceback" not in outcome.output, shown
    assert outcome.peak_rss < MEMORY_CAP, f"peak RSS {outcome.peak_rss:,} bytes\n{shown}"
    codes = [code for _, code in LOCATED.findall(outcome.output)]
    if outcome.returncode == 1:
        assert codes, f"no located diagnostic\n{shown}"
    if outcome.returncode == 2:
        assert "Error" in outcome.output or "DOS-E000" in outcome.output, shown
    if case.code is not None:
        assert case.code in codes, f"expected {case.code}\n{shown}"
