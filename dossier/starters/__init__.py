"""Starter projects for ``dossier init``: one commented, valid project file per archetype.

The starter text is one template (``starter.yaml.tmpl``) filled with the values of an
archetype, so every archetype shares the same comments and structure.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from importlib import resources
from pathlib import Path

from dossier.core.errors import UserError

__all__ = ["ARCHETYPES", "create_project"]

_COMMON = {
    "cell_type_line": "",
    "expanded_line": "",
    "route_detail_line": "",
    "vector_block": "",
    "pluripotent": "false",
}

ARCHETYPES: dict[str, dict[str, str]] = {
    "car-t": {
        "title": "Autologous CD19 CAR-T cells: first-in-human dossier",
        "project_id": "car-t-starter",
        "product_name": "Autologous anti-CD19 CAR-T cells",
        "product_code": "EX-CD19",
        "atmp_class": "GTMP",
        "description": "Autologous T cells transduced with a lentiviral vector encoding an "
        "anti-CD19 chimeric antigen receptor with a 4-1BB co-stimulatory domain.",
        "indication": "Relapsed or refractory CD19-positive B-cell lymphoma",
        "cell_origin": "autologous",
        "cell_type_line": "  cell_type: CD4+ and CD8+ T cells\n",
        "gmo": "true",
        "vector_block": (
            "  vector:\n    type: LV\n    integrating: true\n    replication_competent: false\n"
            "    serotype: VSV-G\n    transgene: anti-CD19 CAR (FMC63 scFv, 4-1BB, CD3-zeta)\n"
        ),
        "moa_statement": "CAR-T cells recognise CD19 on malignant B cells, become activated, "
        "release cytokines, kill the target cells and expand and persist in the patient.",
        "moa_steps": "      - {id: MOA-BIND, name: CD19 recognition}\n"
        "      - {id: MOA-ACT, name: T-cell activation and cytokine release}\n"
        "      - {id: MOA-KILL, name: target-cell killing}\n"
        "      - {id: MOA-PERSIST, name: expansion and persistence}",
        "route": "intravenous",
        "dose_unit": "CAR+ cells/kg",
        "ccmo_categories": "GTMP, GMO-product",
        "potency_rationale": "A matrix of antigen-driven cytokine release and cytotoxicity "
        "covers recognition, activation and killing.",
        "assay_id": "A-IFNG",
        "assay_name": "CD19-driven IFN-gamma release",
        "assay_format": "co_culture",
        "assay_principle": "CAR-T cells are co-cultured with CD19-positive target cells and "
        "IFN-gamma in the supernatant is measured by ELISA.",
        "assay_moa_step": "MOA-ACT",
        "assay_measurand": "IFN-gamma released per 1e5 CAR+ cells after 24 h co-culture",
        "assay_unit": "pg/mL",
    },
    "aav": {
        "title": "Systemic AAV gene therapy: first-in-human dossier",
        "project_id": "aav-starter",
        "product_name": "AAV9 vector encoding a human enzyme",
        "product_code": "EX-AAV9",
        "atmp_class": "GTMP",
        "description": "A recombinant AAV9 vector carrying a codon-optimised human enzyme "
        "cDNA under a liver-specific promoter, given once intravenously.",
        "indication": "A rare monogenic enzyme deficiency",
        "cell_origin": "none",
        "gmo": "true",
        "vector_block": (
            "  vector:\n    type: AAV\n    integrating: false\n    replication_competent: false\n"
            "    serotype: AAV9\n    transgene: human enzyme cDNA (codon-optimised)\n"
        ),
        "moa_statement": "The vector transduces hepatocytes, which express and secrete the "
        "missing enzyme and correct the substrate accumulation.",
        "moa_steps": "      - {id: MOA-TRANSD, name: hepatocyte transduction}\n"
        "      - {id: MOA-EXPR, name: transgene expression}\n"
        "      - {id: MOA-ACTIVITY, name: enzyme activity}",
        "route": "intravenous",
        "dose_unit": "vg/kg",
        "ccmo_categories": "GTMP, GMO-product",
        "potency_rationale": "Enzyme activity after transduction of a human cell line reads "
        "out expression and function together.",
        "assay_id": "A-ENZ",
        "assay_name": "Enzyme activity after in vitro transduction",
        "assay_format": "cell_based",
        "assay_principle": "HepG2 cells are transduced with serial dilutions of vector and "
        "enzyme activity is measured in the lysate with a fluorogenic substrate.",
        "assay_moa_step": "MOA-ACTIVITY",
        "assay_measurand": "enzyme activity per well at a fixed multiplicity of infection",
        "assay_unit": "nmol/h/mg",
    },
    "aav-local": {
        "title": "Subretinal AAV gene therapy: first-in-human dossier",
        "project_id": "aav-local-starter",
        "product_name": "AAV2 vector encoding a human retinal gene",
        "product_code": "EX-AAV2-RET",
        "atmp_class": "GTMP",
        "description": "A recombinant AAV2 vector carrying the cDNA of a human "
        "photoreceptor gene under a photoreceptor-specific promoter, given once by "
        "subretinal injection into one eye.",
        "indication": "Inherited retinal dystrophy caused by biallelic mutations in the gene",
        "cell_origin": "none",
        "gmo": "true",
        "vector_block": (
            "  vector:\n    type: AAV\n    integrating: false\n    replication_competent: false\n"
            "    serotype: AAV2\n    transgene: human photoreceptor gene cDNA\n"
        ),
        "moa_statement": "The vector transduces photoreceptors near the injection bleb, which "
        "express the missing protein and regain their function.",
        "moa_steps": "      - {id: MOA-TRANSD, name: photoreceptor transduction}\n"
        "      - {id: MOA-EXPR, name: transgene expression}\n"
        "      - {id: MOA-FUNC, name: restored photoreceptor function}",
        "route": "subretinal",
        "route_detail_line": "  route_detail: Subretinal injection after pars plana "
        "vitrectomy, one eye\n",
        "dose_unit": "vg/eye",
        "ccmo_categories": "GTMP, GMO-product",
        "potency_rationale": "Expression of the functional protein after transduction of a "
        "human retinal cell line reads out transduction and expression together.",
        "assay_id": "A-EXPR",
        "assay_name": "Transgene protein expression after in vitro transduction",
        "assay_format": "cell_based",
        "assay_principle": "A human retinal cell line is transduced with serial dilutions of "
        "vector and the transgene protein is measured in the lysate by ELISA.",
        "assay_moa_step": "MOA-EXPR",
        "assay_measurand": "transgene protein per mg total protein at a fixed multiplicity "
        "of infection",
        "assay_unit": "ng/mg",
    },
    "ipsc": {
        "title": "iPSC-derived cell product for local administration: first-in-human dossier",
        "project_id": "ipsc-starter",
        "product_name": "iPSC-derived dopaminergic progenitor cells",
        "product_code": "EX-IPSC-DA",
        "atmp_class": "sCTMP",
        "description": "Dopaminergic progenitor cells differentiated from a clinical-grade "
        "human iPSC line and implanted into the putamen.",
        "indication": "Parkinson's disease",
        "cell_origin": "allogeneic",
        "cell_type_line": "  cell_type: FOXA2+/LMX1A+ dopaminergic progenitors\n",
        "gmo": "false",
        "pluripotent": "true",
        "moa_statement": "Implanted progenitors mature into dopaminergic neurons that "
        "reinnervate the striatum and restore dopamine release.",
        "moa_steps": "      - {id: MOA-ENGRAFT, name: engraftment}\n"
        "      - {id: MOA-MATURE, name: maturation into dopaminergic neurons}\n"
        "      - {id: MOA-DA, name: dopamine release}",
        "route": "intraparenchymal",
        "dose_unit": "cells",
        "ccmo_categories": "sCTMP-TEP",
        "potency_rationale": "Dopamine release after in vitro maturation is the functional "
        "readout; marker expression supports identity.",
        "assay_id": "A-DA",
        "assay_name": "Dopamine release after in vitro maturation",
        "assay_format": "cell_based",
        "assay_principle": "Thawed cells are matured for 21 days and KCl-evoked dopamine "
        "release is measured by HPLC.",
        "assay_moa_step": "MOA-DA",
        "assay_measurand": "KCl-evoked dopamine release per 1e6 cells",
        "assay_unit": "pmol/1e6 cells",
    },
    "msc": {
        "title": "Allogeneic, highly expanded MSC product: first-in-human dossier",
        "project_id": "msc-starter",
        "product_name": "Allogeneic bone-marrow mesenchymal stromal cells",
        "product_code": "EX-MSC",
        "atmp_class": "sCTMP",
        "description": "Allogeneic bone-marrow MSCs from one healthy donor, expanded over "
        "several passages into a master and working cell bank and given intravenously "
        "for their immunomodulatory effect.",
        "indication": "Steroid-refractory acute graft-versus-host disease",
        "cell_origin": "allogeneic",
        "cell_type_line": "  cell_type: CD73+ CD90+ CD105+ stromal cells\n",
        "gmo": "false",
        "expanded_line": "  highly_expanded: true                # many population doublings: "
        "a tumorigenicity risk factor\n",
        "moa_statement": "MSCs sense inflammation and suppress T-cell proliferation through "
        "IDO and PGE2, dampening the alloreactive response.",
        "moa_steps": "      - {id: MOA-LICENSE, name: inflammatory licensing}\n"
        "      - {id: MOA-SUPPRESS, name: suppression of T-cell proliferation}",
        "route": "intravenous",
        "dose_unit": "cells/kg",
        "ccmo_categories": "sCTMP-TEP",
        "potency_rationale": "Inhibition of T-cell proliferation is the functional readout "
        "of the immunomodulatory mechanism.",
        "assay_id": "A-TSUP",
        "assay_name": "T-cell proliferation suppression",
        "assay_format": "co_culture",
        "assay_principle": "MSCs are co-cultured with stimulated PBMC and the inhibition of "
        "T-cell proliferation is measured by dye dilution.",
        "assay_moa_step": "MOA-SUPPRESS",
        "assay_measurand": "inhibition of CD3+ T-cell proliferation at MSC:PBMC 1:10",
        "assay_unit": "%",
    },
    "tep": {
        "title": "Tissue-engineered cartilage product: first-in-human dossier",
        "project_id": "tep-starter",
        "product_name": "Autologous chondrocyte spheroids",
        "product_code": "EX-CHONDRO",
        "atmp_class": "TEP",
        "description": "Autologous chondrocytes expanded and formed into spheroids that are "
        "implanted into a cartilage defect of the knee.",
        "indication": "Focal cartilage defects of the knee",
        "cell_origin": "autologous",
        "cell_type_line": "  cell_type: articular chondrocytes\n",
        "gmo": "false",
        "moa_statement": "Implanted spheroids adhere to the defect and produce hyaline-like "
        "extracellular matrix that repairs the defect.",
        "moa_steps": "      - {id: MOA-ADHERE, name: adherence to the defect}\n"
        "      - {id: MOA-MATRIX, name: matrix production}",
        "route": "surgical-implantation",
        "dose_unit": "spheroids/cm²",
        "ccmo_categories": "sCTMP-TEP",
        "potency_rationale": "Glycosaminoglycan production reads out the matrix-forming "
        "capacity that drives repair.",
        "assay_id": "A-GAG",
        "assay_name": "Glycosaminoglycan production",
        "assay_format": "cell_based",
        "assay_principle": "Spheroids are cultured for 14 days and sulphated GAG is measured "
        "by DMMB assay.",
        "assay_moa_step": "MOA-MATRIX",
        "assay_measurand": "sulphated GAG per spheroid after 14 days",
        "assay_unit": "µg/spheroid",
    },
}


def starter_text(archetype: str) -> str:
    """The project-file text of an archetype."""
    if archetype not in ARCHETYPES:
        raise UserError(f"unknown archetype '{archetype}'; choose one of {', '.join(ARCHETYPES)}")
    template = resources.files(__package__).joinpath("starter.yaml.tmpl").read_text("utf-8")
    values = {**_COMMON, **ARCHETYPES[archetype], "archetype": archetype}
    return string.Template(template).substitute(values)


def _write_new(path: Path, text: str) -> None:
    """Write a new file atomically; never replace an existing one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.link(tmp, path)  # fails if the target exists: nothing is overwritten
    finally:
        os.unlink(tmp)


def create_project(target: Path, archetype: str) -> list[Path]:
    """Create a starter project in ``target``; refuse to overwrite anything."""
    from dossier.model.schema import project_json_schema

    text = starter_text(archetype)
    target.mkdir(parents=True, exist_ok=True)
    files = {
        target / "dossier.yaml": text,
        target / "dossier.schema.json": json.dumps(project_json_schema(), indent=2) + "\n",
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise UserError(
            f"{existing[0]} already exists; dossier init never overwrites files "
            "(choose an empty folder)"
        )
    (target / "data").mkdir(exist_ok=True)
    for path, content in files.items():
        _write_new(path, content)
    return list(files)
