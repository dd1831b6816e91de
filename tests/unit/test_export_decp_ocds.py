"""DECP v2.0.3 and OCDS 1.1 exports of the bundled example, validated against the shipped schemas."""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.errors import InputError
from lotsmarche.export.attribution import read_attribution
from lotsmarche.export.decp import (
    DECP_FILE,
    MISSING_FILE,
    PREFILLED_FILE,
    decp_document,
    decp_files,
    decp_lots,
    record_id,
)
from lotsmarche.export.ocds import ocds_package, package_text
from lotsmarche.export.schemas import (
    load_schema,
    merge_patch,
    ocds_release_schema,
    validate_decp_document,
    validate_decp_record,
    validate_ocds_package,
)
from lotsmarche.models import LotPlan
from lotsmarche.resources import schemas_dir

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
AWARD = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "attribution.csv"


@pytest.fixture(scope="module")
def plan() -> LotPlan:
    from lotsmarche.pipeline import plan_lots

    return plan_lots([])[0]


def _codes(name: str) -> set[str]:
    with (schemas_dir() / "ocds" / "codelists" / name).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


# ------------------------------------------------------------------------------------------ schemas


def test_merge_patch_follows_rfc_7386() -> None:
    # examples of RFC 7386, appendix A
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch(["a", "b"], ["c", "d"]) == ["c", "d"]
    assert merge_patch({"a": "foo"}, "bar") == "bar"
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}
    assert merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}
    target = {"a": {"b": 1}}
    merge_patch(target, {"a": {"b": None}})
    assert target == {"a": {"b": 1}}  # inputs untouched


def test_merged_release_schema_has_both_extensions() -> None:
    schema = ocds_release_schema()
    tender = schema["definitions"]["Tender"]["properties"]
    assert {"lots", "lotDetails", "hasSustainability", "sustainability"} <= set(tender)
    assert "sustainability" in schema["definitions"]["Lot"]["properties"]
    assert "relatedLot" in schema["definitions"]["Item"]["properties"]
    assert "lots" not in load_schema("ocds/release-schema.json")["definitions"]["Tender"]["properties"]


def test_shipped_schemas_are_the_reference_copies() -> None:
    shared = Path("/work/shared/data")
    if not shared.is_dir():
        pytest.skip("reference data absent")
    pairs = {
        "decp/schema_decp_v2.0.3.json": "decp/format-commande-publique__schema_decp_v2.0.3.json",
        "ocds/release-schema.json": "ocds-schema/release-schema.json",
        "ocds/lots-extension-release-schema.json": "ocds-schema/lots-extension-release-schema.json",
        "macantine/achats_siret.json": "ma-cantine/data_schemas_imports_achats_siret.json",
    }
    for ours, theirs in pairs.items():
        assert (schemas_dir() / ours).read_bytes() == (shared / theirs).read_bytes(), ours
    assert "139bercy/format-commande-publique" in (schemas_dir() / "SOURCES.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ DECP


def test_decp_before_award_lists_missing_fields_and_invents_none(plan: LotPlan) -> None:
    lots = decp_lots(plan)
    assert len(lots) == len(plan.lots)
    for lot, record in zip(plan.lots, lots, strict=True):
        assert not record.complet
        # what only the award can tell is absent, and listed
        for name in ("titulaires", "dateNotification", "datePublicationDonnees", "offresRecues", "origineUE"):
            assert name not in record.record
            assert name in record.manquants
        # the coordinator (Département du Pas-de-Calais) has no SIRET in groupement.yaml: not invented
        assert "acheteur" in record.manquants
        assert record.record["montant"] == float(lot.montant_maximum_ht)
        assert record.record["codeCPV"] == lot.cpv_principal.split("-")[0]
        assert record.record["dureeMois"] == plan.duree_mois == 48
        assert record.record["techniques"] == {"technique": ["Accord-cadre"]}
        assert record.record["modalitesExecution"] == {"modaliteExecution": ["Bons de commande"]}
        assert record.record["ccag"] == "Fournitures courantes et services"
        assert record.record["lieuExecution"] == {"code": "62", "typeCode": "Code département"}
        assert validate_decp_record(record.record)  # incomplete: not valid yet
    files = decp_files(plan, lots)
    assert set(files) == {PREFILLED_FILE, MISSING_FILE}
    report = files[MISSING_FILE].decode("utf-8")
    assert "`titulaires`" in report and "titulaire_siret" in report


def test_decp_completed_with_award_file_validates_against_the_schema(plan: LotPlan) -> None:
    awards = read_attribution(AWARD, plan)
    lots = decp_lots(plan, awards)
    by_number = {lot.numero: lot for lot in plan.lots}
    for record in lots:
        assert record.complet, (record.numero, record.manquants, record.erreurs)
        assert validate_decp_record(record.record) == []
        lot = by_number[record.numero]
        assert Decimal(str(record.record["montant"])) == lot.montant_maximum_ht  # amounts equal lots.json
        assert (
            record.record["procedure"]
            in load_schema("decp/schema_decp_v2.0.3.json")["definitions"]["marche"]["properties"][
                "procedure"
            ]["enum"]
        )
        assert len(record.record["id"]) <= 16
        env = record.record["considerationsEnvironnementales"]["considerationEnvironnementale"]
        assert env == ["Clause environnementale", "Critère environnemental"]
        social = record.record["considerationsSociales"]["considerationSociale"]
        assert social == ["Clause sociale"]  # insertion clause SOC-INS in every lot of the example
        assert record.record["origineFrance"] <= record.record["origineUE"]
    document = decp_document(lots)
    assert validate_decp_document(document) == []
    files = decp_files(plan, lots)
    assert set(files) == {DECP_FILE, MISSING_FILE}
    assert json.loads(files[DECP_FILE]) == document
    four = next(r for r in lots if r.numero == 4).record
    assert [t["titulaire"]["id"] for t in four["titulaires"]] == ["63456789000013", "74567890100014"]
    assert four["tauxAvance"] == 0.05 and four["typeGroupementOperateurs"] == "Conjoint"
    two = next(r for r in lots if r.numero == 2).record
    assert two["dateNotification"] == "2027-01-15" and two["origineFrance"] == 0.95  # JJ/MM/AAAA, 0,95


def test_decp_record_id_fits_sixteen_characters() -> None:
    assert record_id("GCH-MER-2026-01", 3) == "GCHMER202601L03"
    assert len(record_id("A-VERY-LONG-REFERENCE-2026-0001", 12)) == 16


def test_award_file_mistakes_are_reported_with_file_row_and_column(plan: LotPlan, tmp_path: Path) -> None:
    bad = tmp_path / "attribution.csv"
    bad.write_text(
        "lot;titulaire_siret;date_notification;offres_recues;origine_ue;origine_france;couleur\n"
        "1;1234;2027-13-01;0;50 %;70 %;bleu\n"
        "99;41234567800011;2027-01-15;2;;;\n"
        "1;41234567800011;2027-01-15;2;;;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_attribution(bad, plan)
    rendered = [p.render() for p in info.value.problems]
    assert all(p.fichier == "attribution.csv" for p in info.value.problems)
    expected = {
        ("couleur", None),
        ("titulaire_siret", 2),
        ("date_notification", 2),
        ("offres_recues", 2),
        ("origine_france", 2),
        ("lot", 3),
        ("lot", 4),
    }
    assert {(p.colonne, p.ligne) for p in info.value.problems} == expected, rendered
    assert any("SIRET de 14 chiffres" in r for r in rendered)
    assert any("le lot 1 figure déjà à la ligne 2" in r for r in rendered)


def test_award_file_may_be_xlsx(plan: LotPlan, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Attribution des lots"])
    ws.append(
        ["Lot", "Titulaire SIRET", "Date notification", "Offres reçues", "Origine UE", "Origine France"]
    )
    ws.append([3, "52345678900012", datetime(2027, 1, 20), 4, 0.8, 0.5])
    path = tmp_path / "attribution.xlsx"
    wb.save(path)
    awards = read_attribution(path, plan)
    assert set(awards) == {3}
    assert awards[3].date_notification.isoformat() == "2027-01-20"
    assert awards[3].origine_ue == Decimal("0.8") and awards[3].ligne == 3


# ------------------------------------------------------------------------------------------ OCDS


def test_ocds_package_is_valid_and_matches_the_plan(plan: LotPlan, catalogue) -> None:
    package = ocds_package(plan, catalogue.cpv)
    assert validate_ocds_package(package) == []
    (release,) = package["releases"]
    tender = release["tender"]
    assert release["ocid"] == "ocds-lotsmarche-GCH-MER-2026-01"
    assert release["date"] == "2027-09-06T00:00:00Z"  # the example's launch date
    assert tender["submissionMethod"] == ["electronicSubmission"]
    assert tender["tenderPeriod"]["endDate"] == "2027-10-11T00:00:00Z"  # launch + 35 days
    lots = {lot["id"]: lot for lot in tender["lots"]}
    assert set(lots) == {str(lot.numero) for lot in plan.lots}
    for lot in plan.lots:
        out = lots[str(lot.numero)]
        assert Decimal(str(out["value"]["amount"])) == lot.montant_maximum_ht
        assert out["contractPeriod"] == {"durationInDays": 1461}
        assert out["renewal"]["maximumRenewals"] == 3
        assert out["awardCriteria"] in _codes("awardCriteria.csv")
        for c in lot.criteres:
            assert f"{c.libelle} : {c.ponderation} %" in out["awardCriteriaDetails"]
        assert out["hasSustainability"] is True
        goals = _codes("sustainabilityGoal.csv")
        strategies = _codes("sustainabilityStrategy.csv")
        for entry in out["sustainability"]:
            assert entry["goal"] in goals
            assert set(entry["strategies"]) <= strategies
        assert "environmental.biodiversityProtectionRestoration" in {e["goal"] for e in out["sustainability"]}
        items = [i for i in tender["items"] if i["relatedLot"] == str(lot.numero)]
        assert [i["description"] for i in items] == [it.libelle for it in lot.items]
        assert all(
            i["classification"]["scheme"] == "CPV" and len(i["classification"]["id"]) == 8 for i in items
        )
    assert tender["submissionMethod"][0] in _codes("submissionMethod.csv")


def test_ocds_validation_uses_the_extensions(plan: LotPlan) -> None:
    package = ocds_package(plan)
    package["releases"][0]["tender"]["lots"][0]["status"] = "ouvert"  # lots extension: closed codelist
    package["releases"][0]["tender"]["lots"][1]["sustainability"] = []  # sustainability: minItems 1
    problems = validate_ocds_package(package)
    assert any("lots[0].status" in p for p in problems)
    assert any("lots[1].sustainability" in p for p in problems)


def test_golden_ocds_release_of_the_example(plan: LotPlan, catalogue) -> None:
    text = package_text(ocds_package(plan, catalogue.cpv))
    assert text == package_text(ocds_package(plan, catalogue.cpv))  # deterministic
    path = GOLDEN / "ocds_release_boulonnais.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), (
        "golden file missing: run UPDATE_GOLDEN=1 pytest tests/unit/test_export_decp_ocds.py"
    )
    assert text == path.read_text(encoding="utf-8")
