"""The computed results as plain data for rule expressions.

Every assay, run and batch-result id of the project appears as a key, with ``None``
where nothing could be computed, so a rule can say "when computed ... is not none"
without tripping over missing keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.project import ComputedProject


def rule_view(computed: ComputedProject) -> dict[str, Any]:
    """Plain dicts, lists, strings, numbers and booleans for the rule engine."""
    assays: dict[str, Any] = {}
    for assay_id, result in computed.assays.items():
        assays[assay_id] = result.rule_data() if hasattr(result, "rule_data") else result
    fih = computed.fih.rule_data() if computed.fih is not None else None
    gonads = any(
        getattr(summary, "gonads_sampled", False) for summary in computed.biodistribution.values()
    )
    return {"assays": assays, "fih": fih, "gonads_sampled": gonads}
