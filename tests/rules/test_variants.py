"""Broken variants of the examples trigger their rule, and no unrelated error (tests as data)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = YAML(typ="safe").load((Path(__file__).parent / "variants.yaml").read_text("utf-8"))
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _walk(data: Any, path: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [
        m.group(1) if m.group(1) else int(m.group(2)) for m in _STEP.finditer(path)
    ]
    node = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def _apply(data: Any, edit: dict[str, Any]) -> None:
    if "set" in edit:
        node, key = _walk(data, edit["set"])
        node[key] = edit["value"]
    elif "delete" in edit:
        node, key = _walk(data, edit["delete"])
        del node[key]
    else:
        node, key = _walk(data, edit["append"])
        node[key].append(edit["value"])


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v["name"])
def test_variant_triggers_its_rule(variant: dict[str, Any], tmp_path: Path) -> None:
    source = ROOT / "examples" / variant["example"]
    target = tmp_path / variant["example"]
    shutil.copytree(source, target)
    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load((target / "dossier.yaml").read_text("utf-8"))
    for edit in variant["edits"]:
        _apply(data, edit)
    with (target / "dossier.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "check", str(target), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    fired = {f["rule"] for f in report["findings"]}
    assert variant["rule"] in fired, fired
    errors = {f["rule"] for f in report["findings"] if f["severity"] == "error"}
    assert errors <= {variant["rule"]}, f"unrelated errors: {errors - {variant['rule']}}"
