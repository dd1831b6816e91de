"""BPU / DQE workbooks: formulas, protection, formats, print settings, recalculation by LibreOffice."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.render.xlsx import render_bpu_dqe
from tests.unit._render_factory import make_item, make_lot, make_plan
from tests.unit._render_helpers import SOFFICE, soffice_convert


def _book(plan, lot):  # type: ignore[no-untyped-def]
    return openpyxl.load_workbook(BytesIO(render_bpu_dqe(plan, lot)))


def _mixed_plan():  # type: ignore[no-untyped-def]
    noms = ["Collège Angellier"]
    items = [
        make_item("A1", "Filet de merlan", "1200", "14.35", noms),
        make_item("B2", "Jus de pomme", "333.333", "2.1", noms, unite="litre", tva="20"),
        make_item("C3", "Soupe de poisson", "57", "3.999", noms, unite="piece"),
    ]
    return make_plan(lots=[make_lot(3, "Mixte", items)])


def test_bpu_has_unlocked_yellow_price_cells_with_validation() -> None:
    plan = _mixed_plan()
    ws = _book(plan, plan.lots[0])["BPU"]
    assert [c.value for c in ws[4]][:5] == [
        "Code",
        "Désignation",
        "Unité",
        "Prix unitaire HT (€)",
        "Taux de TVA",
    ]
    assert [ws.cell(r, 1).value for r in range(5, 8)] == ["A1", "B2", "C3"]
    assert ws.protection.sheet is True and not ws.protection.password
    for row in range(5, 8):
        assert ws.cell(row, 4).protection.locked is False
        assert ws.cell(row, 4).fill.fgColor.rgb[-6:] == "FFF2CC"  # ARGB: the alpha byte aside
        assert ws.cell(row, 4).number_format == '#,##0.00 "€"'
        assert ws.cell(row, 2).protection.locked is True
    assert [ws.cell(r, 5).value for r in range(5, 8)] == [0.055, 0.2, 0.055]
    (validation,) = ws.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1) == (
        "decimal",
        "greaterThanOrEqual",
        "0",
    )
    assert str(validation.sqref) == "D5:D7"
    assert ws["A3"].value.startswith("Complétez uniquement les cellules jaunes")


def test_dqe_formulas_totals_vat_by_rate_and_maximum() -> None:
    plan = _mixed_plan()
    lot = plan.lots[0]
    ws = _book(plan, lot)["DQE"]
    assert [ws.cell(5, c).value for c in range(1, 8)] == [
        "A1",
        "Filet de merlan",
        "kg",
        1200,
        "=BPU!D5",
        "=ROUND(D5*E5,2)",
        "=BPU!E5",
    ]
    assert ws["D6"].value == pytest.approx(333.333) and ws["D6"].number_format == "#,##0.000"
    assert ws["D5"].number_format == "#,##0"
    assert (ws["E9"].value, ws["F9"].value) == ("Total HT", "=SUM(F5:F7)")
    assert (ws["E10"].value, ws["F10"].value) == (
        "TVA à 5,5\u00a0%",
        "=ROUND(SUMIF(G5:G7,0.055,F5:F7)*0.055,2)",
    )
    assert (ws["E11"].value, ws["F11"].value) == ("TVA à 20\u00a0%", "=ROUND(SUMIF(G5:G7,0.2,F5:F7)*0.2,2)")
    assert (ws["E12"].value, ws["F12"].value) == ("Total TTC", "=SUM(F9:F11)")
    assert ws["B14"].value == "Montant maximum de l'accord-cadre sur la durée totale (HT)"
    assert Decimal(str(ws["F14"].value)) == lot.montant_maximum_ht
    assert ws.protection.sheet is True
    assert all(ws.cell(r, c).protection.locked for r in range(1, 15) for c in range(1, 8))


def test_print_settings_and_calculation_flag() -> None:
    plan = make_plan()
    wb = _book(plan, plan.lots[0])
    assert wb.calculation.fullCalcOnLoad is True
    for ws in wb:
        assert ws.page_setup.orientation == "landscape"
        # one page wide (fitToWidth left out: its default is 1, ECMA-376 §18.3.1.63), as many pages high
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$4:$4"
        assert ws.oddHeader.left.text == "GC-2026-01"
        assert ws.freeze_panes == "A5"


def test_same_lot_gives_same_bytes() -> None:
    plan = make_plan()
    assert render_bpu_dqe(plan, plan.lots[1]) == render_bpu_dqe(plan, plan.lots[1])


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")
def test_libreoffice_recalculates_the_dqe_total_to_the_plan_amount(tmp_path: Path) -> None:
    plan = _mixed_plan()
    lot = plan.lots[0]
    wb = _book(plan, lot)
    for row, item in enumerate(lot.items, start=5):  # a bidder typing the plan's estimated prices
        wb["BPU"].cell(row, 4, item.prix_unitaire_ht)
    filled = tmp_path / "rempli.xlsx"
    wb.save(filled)
    outdir = tmp_path / "recalc"
    outdir.mkdir()
    (converted,) = soffice_convert([filled], outdir, "xlsx:Calc MS Excel 2007 XML")
    assert converted.is_file()
    values = openpyxl.load_workbook(converted, data_only=True)["DQE"]
    assert Decimal(str(values["F9"].value)) == lot.montant_annuel_ht
    vat = sum((i.montant_annuel_ht for i in lot.items if i.tva == Decimal("5.5")), Decimal(0))
    assert Decimal(str(values["F10"].value)) == (vat * Decimal("0.055")).quantize(Decimal("0.01"))
    assert Decimal(str(values["F12"].value)) == Decimal(str(values["F9"].value)) + Decimal(
        str(values["F10"].value)
    ) + Decimal(str(values["F11"].value))


def test_bpu_carries_hidden_locked_ma_cantine_codes_of_each_line() -> None:
    noms = ["Collège Angellier"]
    from tests.unit._plan_factory import make_item as plan_item

    items = [
        plan_item("A1", membres=noms, prix="14.35", quantite="1200", labels=["PECHE_DURABLE", "MSC"]),
        plan_item("B2", membres=noms, prix="2.1", quantite="333.333", labels=["BIO"]),
        plan_item("C3", membres=noms, prix="3.999", quantite="57"),
    ]
    plan = make_plan(lots=[make_lot(3, "Mixte", items)])
    ws = _book(plan, plan.lots[0])["BPU"]
    assert ws["F4"].value.startswith("Famille ma-cantine")
    assert ws["G4"].value.startswith("Caractéristiques")
    assert ws.column_dimensions["F"].hidden and ws.column_dimensions["G"].hidden
    for row, item in zip(range(5, 8), plan.lots[0].items, strict=True):
        assert ws.cell(row, 6).value == item.famille_macantine
        assert (
            ws.cell(row, 7).value == ",".join(item.caracteristiques_egalim) or ws.cell(row, 7).value is None
        )
        assert ws.cell(row, 6).protection.locked and ws.cell(row, 7).protection.locked
    assert ws["G5"].value == "PECHE_DURABLE" and ws["G6"].value == "BIO"
    assert ws.protection.sheet is True
