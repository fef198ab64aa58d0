"""Product features that decide which expectations apply.

Derived once from the validated project, so rules can say "applies to products with
an integrating vector" without repeating how that is read from the product record.
"""

from __future__ import annotations

from dossier.model.project import Project

VIRAL_VECTORS = frozenset({"AAV", "LV", "gammaRV", "AdV", "HSV"})
SYSTEMIC_ROUTES = frozenset({"intravenous", "intra-arterial"})


def product_features(project: Project) -> frozenset[str]:
    """The set of feature names (see :data:`dossier.rules.schema.Feature`) of a project."""
    p = project.product
    out: set[str] = set()
    if p.gmo:
        out.add("gmo")
    if p.cell_origin != "none":
        out.add("cell_based")
    if p.cell_origin == "autologous":
        out.add("autologous")
    if p.cell_origin in {"allogeneic", "xenogeneic"}:
        out.add("allogeneic")
    if p.vector is not None:
        if p.vector.type in VIRAL_VECTORS:
            out.add("viral_vector")
        if p.vector.integrating:
            out.add("integrating_vector")
        if p.vector.replication_competent:
            out.add("replication_competent")
        if p.cell_origin == "none":
            out.add("in_vivo_gene_therapy")
        else:
            out.add("ex_vivo_gene_modified")
    if p.gene_editing.present:
        out.add("gene_editing")
    if p.pluripotent_derived:
        out.add("pluripotent")
    if p.highly_expanded:
        out.add("highly_expanded")
    if p.combined_device.present:
        out.add("combined_device")
    out.add("systemic" if p.route in SYSTEMIC_ROUTES else "local")
    if project.netherlands is not None or (project.project.sponsor.country or "").upper() == "NL":
        out.add("netherlands")
    sa = project.scientific_advice
    if sa is not None:
        out.add("scientific_advice")
        if sa.agency == "CBG":
            out.add("cbg_advice")
        if sa.format == "meeting":
            out.add("advice_meeting")
        if sa.annexes:
            out.add("advice_annexes")
    return frozenset(out)
