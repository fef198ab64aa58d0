"""The Dutch route as drafts: the CTR dossier map (with its JSON twin) for every example,
the GMO risk assessment for the GMO products only; valid OOXML; the PDF text says what the
typed results decided."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator
from ruamel.yaml import YAML

from .conftest import EXAMPLES, HAVE_OFFICE, ROOT, build, pdf_text

office = pytest.mark.skipif(not HAVE_OFFICE, reason="LibreOffice and poppler are not installed")
GMO = {
    "car-t-nl": True,
    "aav-systemic": True,
    "ipsc-local": False,
    "msc-confirmatory-ema": False,
}


def _text(pdf: Path) -> str:
    return " ".join(pdf_text(pdf, layout=False).split())


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_map_for_every_example_and_the_risk_assessment_for_gmos(
    built: dict[str, Path], example: str
) -> None:
    out = built[example]
    assert (out / "ctr-map.docx").is_file()
    assert (out / "gmo-risk-assessment.docx").is_file() is GMO[example]
    validator = OpenXmlValidator()
    for name in ("ctr-map.docx", "gmo-risk-assessment.docx"):
        if (out / name).is_file():
            result = validator.validate(str(out / name))
            assert len(result.errors) == 0, [str(e) for e in result.errors][:5]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "ctr-map.json" in manifest["outputs"]
    assert "ctr-map.docx" in manifest["outputs"]
    assert ("gmo-risk-assessment.docx" in manifest["outputs"]) is GMO[example]
    twin = json.loads((out / "ctr-map.json").read_text("utf-8"))
    ids = {item["id"] for item in twin["items"]}
    assert {"I-PROTOCOL", "II-VGO", "II-SIS-ICF", "II-INSURANCE"} <= ids
    assert ("NL-GMO-PERMIT" in ids) is GMO[example]
    assert not (out / "ctr-map.json.pdf").exists()
    assert not (out / "ctr-map.pdf.json").exists()


@office
@pytest.mark.office
def test_car_t_map_and_risk_assessment_read_as_decided(built: dict[str, Path]) -> None:
    out = built["car-t-nl"]
    twin = json.loads((out / "ctr-map.json").read_text("utf-8"))
    status = {item["id"]: item["status"] for item in twin["items"]}
    assert status["I-PROTOCOL"] == "present"
    assert status["I-IB"] == "unconfirmed"
    assert twin["dates"]["ccmo_decision"]["atmp_extension"] == "2027-06-01"
    assert twin["verdicts"]["vov_eligible"] is True
    text = _text(out / "ctr-map.pdf")
    for expected in (
        "Part I documents",
        "Part II documents",
        "Site-suitability declaration (Verklaring Geschiktheid Onderzoeksinstelling, VGO)",
        "present (confirmed)",
        "present, not yet confirmed",
        "not applicable",
        "30 April 2027",  # staggered, without a request for information
        "1 June 2027",  # with the ATMP extension
        "8 February 2027",  # the GMO permit, 56 days after the application
        "The planned first dosing follows the earliest CCMO decision date.",
        "It follows the date by which the GMO permit is due.",
    ):
        assert expected in text, expected
    era = _text(out / "gmo-risk-assessment.pdf")
    for expected in (
        "Common application form for clinical research with human cells genetically modified",
        "VOV check: eligible for VOV (category: human cells genetically modified with "
        "lentiviral vectors)",
        "no residual infectious vector particles were found in the finished product",
        "Human immunodeficiency virus type 1",
        "M-RCL",
        "S-TOX-NSG",
        "Overall, the highest estimated risk of any route is low.",
        "incinerated",
    ):
        assert expected in era, expected
    assert "[TO DO" not in era


@office
@pytest.mark.office
def test_aav_risk_assessment_follows_the_aav_form(built: dict[str, Path]) -> None:
    era = _text(built["aav-systemic"] / "gmo-risk-assessment.pdf")
    assert "investigational medicinal products for human use that contain or consist of AAV" in era
    assert "VOV check: eligible for VOV (category: AAV vectors)" in era
    assert "Residual infectious vector" not in era  # a question for modified cells only
    text = _text(built["ipsc-local"] / "ctr-map.pdf")
    assert "GMO permit" not in text
    assert "Bureau GGO" not in text


@office
@pytest.mark.office
def test_residual_particles_close_the_vov_route_and_late_permit_is_found(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "car-t"
    shutil.copytree(ROOT / "examples" / "car-t-nl", folder, ignore=shutil.ignore_patterns("out"))
    yaml = YAML()
    path = folder / "dossier.yaml"
    data = yaml.load(path.read_text("utf-8"))
    permit = data["netherlands"]["gmo_permit"]
    permit["environment"]["residual_infectious_vector"]["status"] = "present"
    permit["application_date"] = data["netherlands"]["planned_first_dosing"]
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    result = build(folder, "--pdf", "--only", "gmo-era", "--only", "ctr-map", "--only", "readiness")
    assert result.returncode == 0, result.stdout + result.stderr
    era = _text(folder / "out" / "gmo-risk-assessment.pdf")
    assert "VOV check: not eligible for VOV" in era
    assert "residual infectious vector particles remain in the finished product" in era
    assert "the regular procedure applies" in era
    readiness = _text(folder / "out" / "readiness-report.pdf")
    assert "NLD-015" in readiness
    assert "NLD-013" in readiness
    twin = json.loads((folder / "out" / "ctr-map.json").read_text("utf-8"))
    assert twin["verdicts"]["vov_eligible"] is False
    assert twin["verdicts"]["dosing_after_gmo_permit"] is False


def test_the_risk_assessment_asked_for_a_non_gmo_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ipsc"
    shutil.copytree(ROOT / "examples" / "ipsc-local", folder, ignore=shutil.ignore_patterns("out"))
    result = build(folder, "--only", "gmo-era")
    assert result.returncode == 1
    assert "DOS-B008" in result.stdout + result.stderr
    assert not (folder / "out" / "gmo-risk-assessment.docx").exists()
