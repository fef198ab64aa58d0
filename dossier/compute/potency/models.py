"""The relative-potency models dossier computes: one registry for the project file and
the command line.

Each model has the name the project file uses (``statistical_model: parallel_line``),
the name ``dossier assay potency --model`` takes (``parallel-line``) and the function
that analyses one run. The function is named by its module path and imported only when
a run is analysed, so reading the registry costs no numpy or scipy.

A project may declare a model that is not here (``absolute``): its runs are then not
analysed, and the project analysis says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["POTENCY_MODELS", "PotencyModel", "by_cli_name", "by_name", "cli_names"]


@dataclass(frozen=True, slots=True)
class PotencyModel:
    """One relative-potency model: its names and the function that analyses a run."""

    name: str
    """As in the project file (``quality.potency.assays[].statistical_model``)."""
    cli_name: str
    """As ``dossier assay potency --model`` takes it."""
    analyse: str
    """``module:function`` analysing one run (data, standard, keyword options)."""

    def function(self) -> Callable[..., Any]:
        """The analysis function (its module is imported on first use)."""
        module, _, attribute = self.analyse.partition(":")
        fn: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
        return fn


POTENCY_MODELS: tuple[PotencyModel, ...] = (
    PotencyModel(
        "parallel_line",
        "parallel-line",
        "dossier.compute.potency.parallel_line:analyse_parallel_line",
    ),
    PotencyModel(
        "slope_ratio",
        "slope-ratio",
        "dossier.compute.potency.slope_ratio:analyse_slope_ratio",
    ),
    PotencyModel(
        "four_parameter_logistic",
        "4pl",
        "dossier.compute.potency.logistic:analyse_4pl",
    ),
    PotencyModel(
        "five_parameter_logistic",
        "5pl",
        "dossier.compute.potency.logistic:analyse_5pl",
    ),
)


def by_name(name: str) -> PotencyModel | None:
    """The model a project file names, or None when dossier does not compute it."""
    return next((m for m in POTENCY_MODELS if m.name == name), None)


def by_cli_name(cli_name: str) -> PotencyModel | None:
    """The model ``dossier assay potency --model`` names, or None."""
    return next((m for m in POTENCY_MODELS if m.cli_name == cli_name), None)


def cli_names() -> tuple[str, ...]:
    """The names ``dossier assay potency --model`` accepts, in registry order."""
    return tuple(m.cli_name for m in POTENCY_MODELS)
