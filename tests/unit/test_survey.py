"""The survey workbook: locked informative columns, unlocked member columns, deterministic bytes."""

from __future__ import annotations

import openpyxl
import pytest

from lotsmarche.errors import OutputExistsError
from lotsmarche.intake.members import SiteInfo
from lotsmarche.survey import INFO_HEADERS, write_survey


def test_layout_and_protection(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "recensement.xlsx"
    write_survey(catalogue, out, ["produits_de_la_mer"], None)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Recensement", "Instructions", "Membres"]
    ws = wb["Recensement"]
    assert [c.value for c in ws[3]] == [*INFO_HEADERS, "Membre 1", "Membre 2", "Membre 3"]
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
