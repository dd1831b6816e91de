"""The survey workbook: locked informative columns, unlocked member columns, deterministic bytes."""

from __future__ import annotations

import openpyxl
import pytest

from lotsmarche.errors import OutputExistsError
from lotsmarche.intake.members import SiteInfo
from lotsmarche.survey import CHOICE_HEADERS, INFO_HEADERS, write_survey


def test_layout_and_protection(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "recensement.xlsx"
    write_survey(catalogue, out, ["produits_de_la_mer"], None)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Recensement", "Instructions", "Membres"]
    ws = wb["Recensement"]
    assert [c.value for c in ws[3]] == [*INFO_HEADERS, "Membre 1", "Membre 2", "Membre 3", *CHOICE_HEADERS]
    seafood = sorted(c for c, p in catalogue.produits.items() if p.famille == "produits_de_la_mer")
    assert [r[0].value for r in ws.iter_rows(min_row=4)] == seafood
    assert ws.protection.sheet is True
    assert ws.cell(4, 1).protection.locked is True
    assert ws.cell(4, 8).protection.locked is False
    assert ws.freeze_panes == "H4"
    assert ws.data_validations.dataValidation[0].type == "decimal"
    assert [c.value for c in wb["Membres"][1]] == [
        "Membre",
        "Type",
        "Site de livraison",
        "Code postal",
        "Commune",
    ]


def test_members_postcode_from_commune_and_determinism(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    members = [SiteInfo("Commune de Wimereux", "commune", commune="Wimereux"), SiteInfo("=1+1")]
    write_survey(catalogue, a, None, members)
    write_survey(catalogue, b, None, members)
    assert a.read_bytes() == b.read_bytes()
    wb = openpyxl.load_workbook(a)
    assert [c.value for c in wb["Membres"][2]] == [
        "Commune de Wimereux",
        "commune",
        "Commune de Wimereux",
        "62930",
        "Wimereux",
    ]
    assert wb["Recensement"].cell(3, 9).value == "=1+1"
    assert wb["Recensement"].cell(3, 9).data_type == "s"


def test_refuses_to_overwrite(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(OutputExistsError):
        write_survey(catalogue, out, None, None)
    assert out.read_bytes() == b"old"
    write_survey(catalogue, out, None, None, force=True)
    assert out.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_label_and_packaging_columns_are_read_back(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The survey's « Label requis » and « Conditionnement » columns reach the demand (issue 11, part 5)."""
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand

    out = tmp_path / "recensement.xlsx"
    write_survey(
        catalogue, out, ["produits_laitiers"], [SiteInfo("Collège A", "college", code_postal="62000")]
    )
    wb = openpyxl.load_workbook(out)
    ws = wb["Recensement"]
    heads = [c.value for c in ws[3]]
    member, label, packaging = (heads.index(h) + 1 for h in ("Collège A", *CHOICE_HEADERS))
    assert ws.cell(4, label).protection.locked is False and ws.cell(4, packaging).protection.locked is False
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    for code, row in rows.items():  # prefilled with the catalogue's default packaging, no label
        assert ws.cell(row, packaging).value == catalogue.produits[code].conditionnement_defaut
        assert ws.cell(row, label).value is None
    yogurt, butter = rows["LAI-YAOURT-NATURE"], rows["LAI-BEURRE-DOUX"]
    ws.cell(yogurt, member).value = 1200
    ws.cell(yogurt, label).value = "BIO"
    ws.cell(yogurt, packaging).value = "bocal_verre"
    ws.cell(butter, member).value = 40
    # the drop-down lists point at the codes listed on the Instructions sheet
    sources = sorted(str(dv.formula1) for dv in ws.data_validations.dataValidation if dv.type == "list")
    assert len(sources) == 2 and all(s.startswith("Instructions!$A$") for s in sources)
    listed = {c.value for c in wb["Instructions"]["A"]}
    assert {"BIO", "bocal_verre", "pot_individuel_plastique"} <= listed
    wb.save(out)
    demand = read_demand([out], catalogue, load_groupement(None, catalogue))
    table = demand.table.set_index("produit")
    assert table.loc["LAI-YAOURT-NATURE", "label_requis"] == "BIO"
    assert table.loc["LAI-YAOURT-NATURE", "conditionnement"] == "bocal_verre"
    assert table.loc["LAI-BEURRE-DOUX", "label_requis"] == ""
    assert (
        table.loc["LAI-BEURRE-DOUX", "conditionnement"]
        == catalogue.produits["LAI-BEURRE-DOUX"].conditionnement_defaut
    )
