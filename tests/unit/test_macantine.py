"""The ma-cantine reporting loop: statement template, check, import files per SIRET, EGALIM shares."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.errors import InputError
from lotsmarche.macantine.check import read_statement
from lotsmarche.macantine.codes import (
    achats_schema,
    caracteristiques,
    familles,
    field_names,
    validate_import_row,
)
from lotsmarche.macantine.report import CHART_PNG, TABLE_MD, TABLE_XLSX, check_outputs, shares
from lotsmarche.macantine.template import HEADER_ROW, lot_sites, statement_workbook
from lotsmarche.models import LotPlan

LOT = 3


@pytest.fixture(scope="module")
def plan() -> LotPlan:
    from lotsmarche.pipeline import plan_lots

    return plan_lots([])[0]


def _fill(
    plan: LotPlan, path: Path, rows: list[tuple[object, ...]], holder: str = "Marée du Boulonnais"
) -> Path:
    """Fill the template as a holder would: input cells only (A, B, C, G, H, I, J), from row 5."""
    wb = openpyxl.load_workbook(io.BytesIO(statement_workbook(plan, LOT)))
    ws = wb["Relevé"]
    ws["B2"] = holder
    for r, (day, siret, code, cats, origin, amount, invoice) in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in zip("ABCGHIJ", (day, siret, code, cats, origin, amount, invoice), strict=True):
            ws[f"{col}{r}"] = value
    wb.save(path)
    return path


def _sirets(plan: LotPlan) -> list[str]:
    lot = next(lot for lot in plan.lots if lot.numero == LOT)
    return [s.siret for s in lot_sites(plan, lot) if s.siret]


def test_codes_come_from_the_shipped_table_schema() -> None:
    assert "PRODUITS_DE_LA_MER" in familles() and "VIANDES_VOLAILLES" in familles()
    assert caracteristiques()[:2] == ("BIO", "LABEL_ROUGE") and "FRANCE" not in caracteristiques()
    assert field_names()[:5] == ["siret", "description", "fournisseur", "date", "prix_ht"]


def test_lots_json_items_carry_ma_cantine_codes(plan: LotPlan, catalogue) -> None:
    for lot in plan.lots:
        for item in lot.items:
            product = catalogue.produits[item.produit]
            assert item.famille_macantine == catalogue.familles[product.famille].famille_macantine
            assert item.famille_macantine in familles()
            assert set(item.caracteristiques_egalim) <= set(caracteristiques())
            assert set(item.caracteristiques_egalim) <= set(item.labels_requis)
    hareng = next(it for lot in plan.lots for it in lot.items if it.produit == "MER-HARENG-FILET-FR")
    assert hareng.caracteristiques_egalim == ["PECHE_DURABLE"]


def test_hve_level_2_maps_to_ma_cantine_hve(catalogue) -> None:
    from lotsmarche.macantine.codes import item_caracteristiques

    assert item_caracteristiques(["HVE_NIVEAU_2", "MSC", "FRANCE", "BIO"], catalogue) == ["BIO", "HVE"]


def test_ccap_asks_for_the_yearly_statement_by_default(plan: LotPlan) -> None:
    for lot in plan.lots:
        (clause,) = [c for c in lot.clauses if c.id == "ENV-LAB-02"]
        assert clause.destinations == ["CCAP"]
        assert "SIRET" in clause.texte and "ma-cantine" in clause.texte and "31 janvier" in clause.texte


def test_template_is_protected_with_lists_and_instructions(plan: LotPlan) -> None:
    data = statement_workbook(plan, LOT)
    assert data == statement_workbook(plan, LOT)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Relevé", "Produits", "Sites", "Instructions", "lotsmarche"]
    assert wb["lotsmarche"].sheet_state == "hidden"
    ws = wb["Relevé"]
    assert all(wb[name].protection.sheet for name in wb.sheetnames)
    assert [ws.cell(HEADER_ROW, c).value for c in (1, 2, 3, 9)] == [
        "Date (livraison ou mois)",
        "SIRET du site",
        "Code produit",
        "Montant HT (€)",
    ]
    assert ws["A5"].protection.locked is False and ws["I5"].protection.locked is False
    assert ws["D5"].protection.locked is True and ws["E5"].value.startswith("=IF(C5")
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"}
    assert lists["B5:B1004"].startswith("Sites!") and lists["C5:C1004"].startswith("Produits!")
    lot = next(lot for lot in plan.lots if lot.numero == LOT)
    assert [wb["Produits"].cell(r, 1).value for r in range(2, len(lot.items) + 2)] == [
        i.produit for i in lot.items
    ]
    assert "ma-cantine" in wb["Instructions"]["A3"].value


def test_good_statement_gives_valid_import_files_per_siret(plan: LotPlan, catalogue, tmp_path: Path) -> None:
    a, b = _sirets(plan)[:2]
    path = _fill(
        plan,
        tmp_path / "releve.xlsx",
        [
            (date(2027, 1, 12), a, "MER-HARENG-FILET-FR", "PECHE_DURABLE", "FRANCE", 1200.5, "F-001"),
            ("2027-02", a, "MER-MERLAN-FILET-FR", None, None, "800,00", "F-002"),
            (date(2027, 1, 20), b, "MER-HARENG-FILET-FR", "PECHE_DURABLE", None, 300, "F-003"),
        ],
    )
    statement = read_statement(path, catalogue, plan)
    assert statement.lot == LOT and statement.avertissements == []
    files = check_outputs(statement, catalogue, plan)
    imports = {k: v for k, v in files.items() if k.startswith("import_ma-cantine_")}
    assert set(imports) == {f"import_ma-cantine_{a}.csv", f"import_ma-cantine_{b}.csv"}
    schema_fields = {f["name"]: f for f in achats_schema()["fields"]}
    total = Decimal(0)
    for name, blob in imports.items():
        rows = list(csv.DictReader(io.StringIO(blob.decode("utf-8"))))
        assert list(rows[0]) == list(schema_fields)  # column names and order of the Table Schema
        for row in rows:
            assert validate_import_row(row) == [], (name, row)
            assert row["siret"] in name
            assert row["famille_produits"] == "PRODUITS_DE_LA_MER"
            assert row["fournisseur"] == "Marée du Boulonnais"
            total += Decimal(row["prix_ht"])
    assert total == Decimal("2300.50")
    first = list(csv.DictReader(io.StringIO(imports[f"import_ma-cantine_{a}.csv"].decode("utf-8"))))
    assert [(r["date"], r["categories_egalim"], r["description"]) for r in first] == [
        ("2027-01-12", "PECHE_DURABLE", "Filet de hareng frais"),
        ("2027-02-01", "", "Filet de merlan frais"),
    ]
    by_siret = {s.siret: s for s in shares(statement, catalogue, plan)}
    sa, sb = by_siret[a], by_siret[b]
    assert sa.total == Decimal("2000.50") and sa.egalim == Decimal("1200.5")
    assert sa.part_egalim == Decimal("0.6001") and sa.part_viande_poisson == Decimal("0.6001")
    assert sb.part_egalim == 1 and sb.part_bio == 0
    assert (sa.cible_egalim, sa.cible_bio, sa.cible_viande_poisson) == (
        Decimal("0.50"),
        Decimal("0.20"),
        Decimal("0.60"),
    )
    assert "60,0 % (atteint)" in files[TABLE_MD].decode("utf-8")
    assert files[CHART_PNG][:8] == b"\x89PNG\r\n\x1a\n"
    ws = openpyxl.load_workbook(io.BytesIO(files[TABLE_XLSX])).active
    assert ws["A4"].value == min(a, b) and float(ws["D4"].value) > 0


def test_each_kind_of_mistake_is_reported_with_file_sheet_row_and_column(
    plan: LotPlan, catalogue, tmp_path: Path
) -> None:
    a = _sirets(plan)[0]
    lot = next(lot for lot in plan.lots if lot.numero == LOT)
    path = _fill(
        plan,
        tmp_path / "releve.xlsx",
        [
            (
                date(2027, 1, 12),
                "12345678901234",
                "MER-HARENG-FILET-FR",
                None,
                None,
                10,
                "F1",
            ),  # unknown site
            (
                date(2027, 1, 12),
                a,
                "MER-CREVETTEGRISE-CUIT-FR",
                None,
                None,
                10,
                "F2",
            ),  # product outside lot 3
            (date(2027, 1, 12), a, "MER-MERLAN-FILET-FR", "BIO", None, 10, "F3"),  # not required: warning
            (
                date(2027, 1, 12),
                a,
                "MER-MERLAN-FILET-FR",
                "FERMIER",
                None,
                10,
                "F4",
            ),  # family may not carry it
            (date(2027, 1, 12), a, "MER-MERLAN-FILET-FR", "EQUITABLE", None, 10, "F5"),  # unknown code
            (date(2027, 1, 12), a, "MER-MERLAN-FILET-FR", None, "ASIE", 10, "F6"),  # origin outside the enum
            ("le 12", a, "MER-MERLAN-FILET-FR", None, None, 10, "F7"),  # bad date
            (date(2027, 1, 12), a, "MER-MERLAN-FILET-FR", None, None, None, "F8"),  # no amount
            (
                date(2027, 1, 12),
                a,
                "MER-MERLAN-FILET-FR",
                None,
                None,
                float(lot.montant_maximum_ht),
                "F9",
            ),  # max
        ],
    )
    with pytest.raises(InputError) as info:
        read_statement(path, catalogue, plan)
    problems = info.value.problems
    assert all(p.fichier == "releve.xlsx" and p.feuille == "Relevé" for p in problems)
    found = {(p.ligne, p.colonne): p.message for p in problems}
    assert "site inconnu" in found[(5, "SIRET du site")]
    assert "hors du lot 3" in found[(6, "Code produit")]
    assert found[(7, "Caractéristiques EGALIM livrées")].startswith(
        "avertissement : BIO non exigé(s) par le contrat"
    )
    assert "ne peut pas être porté" in found[(8, "Caractéristiques EGALIM livrées")]
    assert "inconnue de ma-cantine" in found[(9, "Caractéristiques EGALIM livrées")]
    assert "non admise par ma-cantine" in found[(10, "Origine (FRANCE / EUROPE)")]
    assert "date attendue" in found[(11, "Date (livraison ou mois)")]
    assert "montant HT manquant" in found[(12, "Montant HT (€)")]
    assert "dépasse le maximum du lot 3" in found[(13, "Montant HT (€)")]
    rendered = [p.render() for p in problems]
    assert "releve.xlsx, feuille « Relevé », ligne 5, colonne « SIRET du site » : site inconnu" in rendered[0]


def test_csv_in_ma_cantine_columns_without_plan(catalogue, tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(
        "siret;description;date;prix_ht;famille_produits;categories_egalim;origine\n"
        "19620051300014;Filet de lieu;2027-03-02;150,20;PRODUITS_DE_LA_MER;PECHE_DURABLE;FRANCE\n"
        "19620051300014;Yaourt;2027-03-02;40;LAITAGES;BIO;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_statement(path, catalogue)
    (problem,) = info.value.problems
    assert (problem.fichier, problem.ligne, problem.colonne) == ("achats.csv", 3, "famille_produits")
    path.write_text(
        path.read_text(encoding="utf-8").replace("LAITAGES", "PRODUITS_LAITIERS"), encoding="utf-8"
    )
    statement = read_statement(path, catalogue)
    (only,) = shares(statement, catalogue, None)
    assert only.total == Decimal("190.20") and only.part_bio == Decimal("0.2103")
