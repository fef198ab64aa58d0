"""Loading the Ph. Eur. 5.3 example files (dose steps to doses) for the tests."""

from __future__ import annotations

import csv
from pathlib import Path

from dossier.compute.potency.types import DoseResponseData, Observation

DATA = Path(__file__).resolve().parents[1] / "data" / "pheur53"

# file, dose ratio between steps, assumed potency of the tests, transform (shared README)
EXAMPLES = {
    "5.1.1": ("ex511_corticotrophin_crd.csv", 4.0, 1.0, "none"),
    "5.1.2": ("ex512_agar_latin_square.csv", 1.5, 5588.7597, "none"),
    "5.1.3": ("ex513_turbidimetric_rbd.csv", 1.5, 17902.4, "none"),
    "5.1.4": ("ex514_hepatitisB_crd.csv", 2.0, 20.0, "ln"),
}


def load(example: str) -> DoseResponseData:
    name, ratio, _, _ = EXAMPLES[example]
    path = DATA / name
    obs = []
    with path.open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            obs.append(
                Observation(
                    row["prep"],
                    ratio ** (int(row["dose_step"]) - 1),
                    float(row["response"]),
                    line,
                    block=row.get("block"),
                    latin_row=row.get("row"),
                    latin_column=row.get("column"),
                )
            )
    return DoseResponseData(tuple(obs), str(path))
