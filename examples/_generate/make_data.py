"""Generate the (fictional) raw data files of the example projects, reproducibly.

The examples are fictional products; their assay, validation and biodistribution data
are simulated from stated models with a fixed seed, so anyone can regenerate them and
see exactly how they were made:

    python examples/_generate/make_data.py

Nothing here is real measurement data. The real SEND study of the AAV example is a
copy of public data (see examples/aav-systemic/data/send/README.md).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(20261124)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def logistic(x: np.ndarray, bottom: float, top: float, slope: float, ec50: float) -> np.ndarray:
    """Four-parameter logistic on dose x (increasing curve)."""
    return bottom + (top - bottom) / (1.0 + (ec50 / x) ** slope)


def cytotoxicity_runs() -> None:
    """CAR-T killing of CD19+ Nalm6 targets vs E:T ratio; reference batch REF-WB01."""
    et = np.array([0.3125, 0.625, 1.25, 2.5, 5.0, 10.0, 20.0])
    true_rp = {"R1": {"B-CLIN-01": 0.92}, "R2": {"B-CLIN-02": 1.08}, "R3": {"B-TOX-01": 0.97}}
    for run, tests in true_rp.items():
        rows: list[list[object]] = []
        for prep, rp in [("REF", 1.0), *tests.items()]:
            mean = logistic(et, 3.0, 86.0, 1.6, 2.2 / rp)
            for rep in range(3):
                noise = RNG.normal(0.0, 2.0, size=et.size)
                for dose, y in zip(et, mean + noise, strict=True):
                    rows.append([prep, dose, _fmt(max(y, 0.0)), rep + 1])
        _write(
            HERE / "car-t-nl" / "data" / "potency" / f"cytotoxicity_{run.lower()}.csv",
            ["preparation", "dose", "response", "replicate"],
            rows,
        )


def cytotoxicity_validation() -> None:
    """Qualification data of the relative-potency cytotoxicity assay."""
    # spanning the release specification (50-200 %) minus/plus 20 % (ICH Q2(R2) Table 2)
    levels = [40.0, 63.0, 100.0, 158.0, 250.0]
    acc = []
    for level in levels:
        for _rep in range(3):
            measured = level * math.exp(RNG.normal(0.01, 0.06))
            acc.append([f"L{int(level)}", level, _fmt(measured, 1)])
    _write(
        HERE / "car-t-nl" / "data" / "validation" / "cytotox_accuracy.csv",
        ["level", "nominal", "measured"],
        acc,
    )
    lin = [[row[1], row[2]] for row in acc]
    _write(
        HERE / "car-t-nl" / "data" / "validation" / "cytotox_linearity.csv",
        ["nominal", "measured"],
        lin,
    )
    prec = []
    for day in range(1, 5):
        day_effect = RNG.normal(0.0, 0.07)
        for analyst in ("A", "B"):
            analyst_effect = RNG.normal(0.0, 0.04)
            for rep in range(1, 4):
                value = 100.0 * math.exp(day_effect + analyst_effect + RNG.normal(0.0, 0.06))
                prec.append([f"D{day}", analyst, rep, _fmt(value, 1)])
    _write(
        HERE / "car-t-nl" / "data" / "validation" / "cytotox_precision.csv",
        ["day", "analyst", "replicate", "value"],
        prec,
    )


def biodistribution(
    target: Path,
    tissues: dict[str, float],
    groups: dict[str, float],
    timepoints: list[str],
    decay: float,
    lloq: float,
    animals_per_sex: int,
    rng: np.random.Generator = RNG,
) -> None:
    """Long-format biodistribution table: copies per µg genomic DNA with the LLOQ."""
    rows: list[list[object]] = []
    animal = 0
    for group, dose_factor in groups.items():
        for t_index, timepoint in enumerate(timepoints):
            for sex in ("M", "F"):
                for _ in range(animals_per_sex):
                    animal += 1
                    for tissue, level in tissues.items():
                        if tissue == "testis" and sex == "F":
                            continue
                        if tissue == "ovary" and sex == "M":
                            continue
                        mean = level * dose_factor * math.exp(-decay * t_index)
                        value = mean * math.exp(rng.normal(0.0, 0.5)) if mean > 0 else 0.0
                        shown = _fmt(value, 0) if value >= lloq else "BLQ"
                        rows.append([f"A{animal:03d}", sex, group, timepoint, tissue, shown, lloq])
    _write(
        target,
        ["animal", "sex", "group", "timepoint", "tissue", "copies_per_ug", "lloq"],
        rows,
    )


def enzyme_potency_runs() -> None:
    """AAV potency: enzyme activity after transduction, linear in log dose (parallel lines)."""
    steps = np.array([1.0, 2.0, 4.0, 8.0])  # vector dilution steps (relative MOI)
    for run, rp in (("r1", 0.95), ("r2", 1.04)):
        rows: list[list[object]] = []
        for prep, true_rp in (("REF", 1.0), ("B-GMP-01", rp)):
            for rep in range(4):
                for dose in steps:
                    y = 20.0 + 31.0 * math.log(dose * true_rp) + RNG.normal(0.0, 1.8)
                    rows.append([prep, dose, _fmt(y), rep + 1])
        _write(
            HERE / "aav-systemic" / "data" / "potency" / f"enzyme_activity_{run}.csv",
            ["preparation", "dose", "response", "replicate"],
            rows,
        )


def ipsc_undifferentiated_lod() -> None:
    """Spiking of undifferentiated iPSCs into product cells (LIN28A ddPCR)."""
    rows = []
    for nominal in (0.001, 0.003, 0.01, 0.03, 0.1):
        for _rep in range(1, 4):
            measured = nominal * math.exp(RNG.normal(0.02, 0.12))
            rows.append([f"L{nominal}", nominal, f"{measured:.5f}"])
    _write(
        HERE / "ipsc-local" / "data" / "validation" / "lin28a_accuracy.csv",
        ["level", "nominal", "measured"],
        rows,
    )


STABILITY_RNG = np.random.default_rng(20261203)
"""The stability series draw from their own generator: adding them left every earlier
file's numbers as they were."""


def stability_series(
    path: Path,
    batches: dict[str, tuple[list[float], float, float]],
    sd: float,
    digits: int,
) -> None:
    """Results of a linear change over time per batch (start, change per time unit) with
    normal measurement error; rows 'batch,time,value' as a stability data file, values
    with ``digits`` decimals."""
    rows: list[list[object]] = []
    for batch, (times, start, slope) in batches.items():
        for t in times:
            value = start + slope * t + STABILITY_RNG.normal(0.0, sd)
            # large values (vector genomes) in exponent notation, 4 significant figures
            text = f"{value:.3e}" if abs(value) >= 1e6 else _fmt(value, digits)
            rows.append([batch, f"{t:g}", text])
    _write(path, ["batch", "time", "value"], rows)


def stability_studies() -> None:
    """Stability data of the three examples (see each example's NOTES.md for the story)."""
    cart = HERE / "car-t-nl" / "data" / "stability"
    months = [0, 1, 3, 6, 9, 12]
    # cryopreserved product in LN2 vapour: little change, data to 12, 9 and 6 months
    ln2 = {"B-ENG-01": months, "B-CLIN-01": months[:5], "B-CLIN-02": months[:4]}
    stability_series(
        cart / "ln2_viability.csv",
        {
            b: (t, start, -0.15)
            for (b, t), start in zip(ln2.items(), [89.0, 91.0, 90.0], strict=True)
        },
        sd=0.9,
        digits=1,
    )
    stability_series(
        cart / "ln2_potency.csv",
        {
            b: (t, start, -0.6)
            for (b, t), start in zip(ln2.items(), [98.0, 104.0, 101.0], strict=True)
        },
        sd=5.0,
        digits=0,
    )
    # post-thaw hold in the infusion bag at room temperature, in hours
    hours = [0, 1, 2, 4, 6]
    stability_series(
        cart / "postthaw_viability.csv",
        {"B-ENG-01": (hours, 89.0, -1.1), "B-CLIN-01": (hours, 91.0, -1.1),
         "B-CLIN-02": (hours, 90.0, -1.1)},
        sd=0.7,
        digits=1,
    )  # fmt: skip
    # AAV at <= -60 °C: the research-process batch loses titre and activity faster
    aav = HERE / "aav-systemic" / "data" / "stability"
    quarters = [0, 3, 6, 9, 12]
    stability_series(
        aav / "titre_minus70.csv",
        {"B-RES-01": (quarters, 2.02e13, -0.018e13), "B-TOX-01": (quarters, 1.98e13, -0.002e13),
         "B-GMP-01": (quarters, 2.05e13, -0.003e13)},
        sd=0.025e13,
        digits=0,
    )  # fmt: skip
    stability_series(
        aav / "potency_minus70.csv",
        {"B-RES-01": (quarters, 101.0, -1.4), "B-TOX-01": (quarters, 99.0, -0.2),
         "B-GMP-01": (quarters, 103.0, -0.3)},
        sd=3.0,
        digits=0,
    )  # fmt: skip
    # iPSC progenitors formulated in transplantation buffer, held at 2-8 °C before surgery
    ipsc = HERE / "ipsc-local" / "data" / "stability"
    hold = [0, 2, 4, 6, 8]
    stability_series(
        ipsc / "hold_viability.csv",
        {"B-DEV-03": (hold, 92.0, -0.7), "B-GMP-01": (hold, 93.0, -0.7)},
        sd=0.6,
        digits=1,
    )
    stability_series(
        ipsc / "hold_concentration.csv",
        {"B-DEV-03": (hold, 1.02e5, -0.012e5), "B-GMP-01": (hold, 0.99e5, -0.012e5)},
        sd=0.015e5,
        digits=0,
    )


# The MSC example draws from its own generator, so that adding or changing its data never
# shifts the numbers of the other examples (which share RNG in the order of main()).
MSC_RNG = np.random.default_rng(20261203)

# True relative potency of each MSC batch and the two runs that measure it (with REF).
MSC_RUNS: dict[str, tuple[str, str]] = {
    "r1": ("B-TOX-01", "B-CLIN-01"),
    "r2": ("B-CLIN-02", "B-CLIN-03"),
    "r3": ("B-PPQ-01", "B-PPQ-02"),
    "r4": ("B-PPQ-03", "B-TOX-01"),
    "r5": ("B-CLIN-01", "B-CLIN-02"),
    "r6": ("B-CLIN-03", "B-PPQ-01"),
    "r7": ("B-PPQ-02", "B-PPQ-03"),
}
MSC_TRUE_RP = {
    "B-TOX-01": 0.94,
    "B-CLIN-01": 1.07,
    "B-CLIN-02": 0.88,
    "B-CLIN-03": 1.03,
    "B-PPQ-01": 0.97,
    "B-PPQ-02": 1.11,
    "B-PPQ-03": 0.92,
}


def msc_suppression_runs() -> None:
    """MSC potency: inhibition of anti-CD3/CD28-driven T-cell proliferation vs MSC:PBMC ratio.

    Each plate holds the reference batch and two test batches at seven two-fold MSC:PBMC
    ratios (1:160 to 1:2.5) in triplicate; the response is the % inhibition of CD3+ T-cell
    proliferation (dye dilution) against PBMC stimulated without MSC.
    """
    ratios = np.array([1 / 160, 1 / 80, 1 / 40, 1 / 20, 1 / 10, 1 / 5, 1 / 2.5])
    for run, tests in MSC_RUNS.items():
        rows: list[list[object]] = []
        for prep, rp in [("REF", 1.0), *((b, MSC_TRUE_RP[b]) for b in tests)]:
            mean = logistic(ratios, 4.0, 82.0, 1.3, 0.045 / rp)
            for rep in range(3):
                noise = MSC_RNG.normal(0.0, 2.2, size=ratios.size)
                for dose, y in zip(ratios, mean + noise, strict=True):
                    rows.append([prep, f"{dose:.5f}", _fmt(max(y, 0.0)), rep + 1])
        _write(
            HERE / "msc-confirmatory-ema" / "data" / "potency" / f"tcell_suppression_{run}.csv",
            ["preparation", "dose", "response", "replicate"],
            rows,
        )


def msc_suppression_validation() -> None:
    """ICH Q2(R2) validation data of the T-cell suppression relative-potency assay."""
    # beyond the release range (70-143 %) widened by 20 % either side (ICH Q2(R2) Table 2)
    levels = [45.0, 67.0, 100.0, 150.0, 220.0]
    acc = []
    for level in levels:
        for _rep in range(3):
            measured = level * math.exp(MSC_RNG.normal(0.0, 0.05))
            acc.append([f"L{int(level)}", level, _fmt(measured, 1)])
    folder = HERE / "msc-confirmatory-ema" / "data" / "validation"
    _write(folder / "tsup_accuracy.csv", ["level", "nominal", "measured"], acc)
    _write(folder / "tsup_linearity.csv", ["nominal", "measured"], [[r[1], r[2]] for r in acc])
    prec = []
    for day in range(1, 7):
        day_effect = MSC_RNG.normal(0.0, 0.05)
        for analyst in ("A", "B"):
            analyst_effect = MSC_RNG.normal(0.0, 0.03)
            for rep in range(1, 4):
                value = 100.0 * math.exp(day_effect + analyst_effect + MSC_RNG.normal(0.0, 0.06))
                prec.append([f"D{day}", analyst, rep, _fmt(value, 1)])
    _write(folder / "tsup_precision.csv", ["day", "analyst", "replicate", "value"], prec)


def msc_example() -> None:
    """Every generated data file of the MSC example (its own generator)."""
    msc_suppression_runs()
    msc_suppression_validation()
    biodistribution(
        HERE / "msc-confirmatory-ema" / "data" / "biodistribution_nsg.csv",
        tissues={
            "lung": 6.0e4,
            "liver": 2.5e3,
            "spleen": 1.5e3,
            "heart": 600.0,
            "kidney": 400.0,
            "bone marrow": 500.0,
            "brain": 40.0,
            "blood": 300.0,
            "testis": 60.0,
            "ovary": 60.0,
        },
        groups={"G2 2e6 cells/kg": 0.1, "G3 2e7 cells/kg": 1.0},
        timepoints=["day 2", "day 28", "day 91"],
        decay=3.0,
        lloq=30.0,
        animals_per_sex=3,
        rng=MSC_RNG,
    )


def main() -> None:
    """Write every generated data file of the examples."""
    cytotoxicity_runs()
    cytotoxicity_validation()
    biodistribution(
        HERE / "car-t-nl" / "data" / "biodistribution_nsg.csv",
        tissues={
            "blood": 9000.0,
            "bone marrow": 15000.0,
            "spleen": 22000.0,
            "liver": 6000.0,
            "lung": 4000.0,
            "brain": 150.0,
            "testis": 60.0,
            "ovary": 80.0,
        },
        groups={"G2 low": 0.3, "G3 high": 1.0},
        timepoints=["day 7", "day 28", "day 56"],
        decay=0.45,
        lloq=50.0,
        animals_per_sex=3,
    )
    enzyme_potency_runs()
    biodistribution(
        HERE / "aav-systemic" / "data" / "biodistribution_nhp.csv",
        tissues={
            "liver": 4.0e6,
            "spleen": 2.0e5,
            "heart": 6.0e4,
            "kidney": 3.0e4,
            "lung": 2.0e4,
            "brain": 3.0e3,
            "injection site": 1.0e4,
            "testis": 2.5e3,
            "ovary": 3.0e3,
            "blood": 8.0e3,
        },
        groups={"G2 2e13 vg/kg": 0.3, "G3 6e13 vg/kg": 1.0},
        timepoints=["week 4", "week 13", "week 26"],
        decay=0.35,
        lloq=50.0,
        animals_per_sex=2,
    )
    ipsc_undifferentiated_lod()
    biodistribution(
        HERE / "ipsc-local" / "data" / "biodistribution_nog.csv",
        tissues={
            "injection site (striatum)": 2.0e5,
            "contralateral striatum": 400.0,
            "cerebellum": 120.0,
            "spinal cord": 90.0,
            "liver": 60.0,
            "lung": 70.0,
            "spleen": 60.0,
            "testis": 40.0,
            "ovary": 40.0,
        },
        groups={"G2 high": 1.0},
        timepoints=["week 4", "week 26", "week 52"],
        decay=0.05,
        lloq=30.0,
        animals_per_sex=3,
    )
    stability_studies()
    msc_example()


if __name__ == "__main__":
    main()
