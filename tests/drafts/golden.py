"""Golden files of the example drafts: normalized document XML and a text dump.

Regenerate after an intended change with:

    python -m tests.drafts.golden

which builds every example into a temporary folder and rewrites tests/drafts/golden/.
The comparison never looks at zip bytes (see the determinism test for that).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = ["car-t-nl", "aav-systemic", "ipsc-local", "msc-confirmatory-ema"]
DOCS = [
    "impd-quality",
    "impd-nonclinical",
    "briefing-document",
    "readiness-report",
    "ctr-map",
    "gmo-risk-assessment",
]
"""Every draft type; one an example does not get (the GMO risk assessment of a product that
is not a GMO) has no golden files there."""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DUTCH_EXAMPLE = "car-t-nl"
DUTCH_DOCS = ["readiness-report", "ctr-map", "gmo-risk-assessment"]
DUTCH_GOLDEN = GOLDEN / f"{DUTCH_EXAMPLE}.nl"
"""The documents written in Dutch with ``language: nl``: text goldens of one example."""


def dutch_copy(target: Path) -> Path:
    """A copy of the Dutch example with ``project.document.language: nl``."""
    folder = target / f"{DUTCH_EXAMPLE}-nl"
    shutil.copytree(ROOT / "examples" / DUTCH_EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
    project = folder / "dossier.yaml"
    text = project.read_text("utf-8")
    assert text.count("language: en") == 1
    project.write_text(text.replace("language: en", "language: nl"), "utf-8")
    return folder


def normalized_xml(docx: Path) -> str:
    """document.xml pretty-printed (image data lives in other parts and is left out)."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    etree.indent(root, space=" ")
    return etree.tostring(root, encoding="unicode") + "\n"


def text_dump(docx: Path) -> str:
    """Paragraph and table text in reading order, read back from the .docx."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    body = root.find(f"{W}body")
    assert body is not None
    lines = []
    for element in body:
        if element.tag == f"{W}p":
            text = "".join(t.text or "" for t in element.iter(f"{W}t"))
            if text.strip():
                lines.append(text)
        elif element.tag == f"{W}tbl":
            for row in element.iter(f"{W}tr"):
                cells = [
                    "".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")
                ]
                lines.append(" | ".join(cells))
    return "\n".join(lines) + "\n"


def build_all(target: Path) -> dict[str, Path]:
    """Copy and build every example (without PDF); returns example -> out folder."""
    out = {}
    for name in EXAMPLES:
        folder = target / name
        shutil.copytree(ROOT / "examples" / name, folder, ignore=shutil.ignore_patterns("out"))
        subprocess.run(
            [sys.executable, "-m", "dossier", "build", str(folder)], check=True, capture_output=True
        )
        out[name] = folder / "out"
    return out


def regenerate() -> None:
    """Rewrite every golden file from fresh builds."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, out in build_all(Path(tmp)).items():
            folder = GOLDEN / name
            folder.mkdir(parents=True, exist_ok=True)
            for doc in DOCS:
                docx = out / f"{doc}.docx"
                if not docx.exists():
                    continue
                (folder / f"{doc}.xml").write_text(normalized_xml(docx), "utf-8")
                (folder / f"{doc}.txt").write_text(text_dump(docx), "utf-8")
        dutch = dutch_copy(Path(tmp))
        subprocess.run(
            [sys.executable, "-m", "dossier", "build", str(dutch)], check=True, capture_output=True
        )
        DUTCH_GOLDEN.mkdir(parents=True, exist_ok=True)
        for doc in DUTCH_DOCS:
            text = text_dump(dutch / "out" / f"{doc}.docx")
            (DUTCH_GOLDEN / f"{doc}.txt").write_text(text, "utf-8")
    print(f"golden files rewritten in {GOLDEN}")


if __name__ == "__main__":
    regenerate()
