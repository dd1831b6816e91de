"""The post-render controls read workbooks straight from their XML (render.readback.xlsx_sheets): the same
text cells, formulas, rows and header parts as openpyxl reads, on every workbook kind lotsmarche writes
(shared strings from XlsxWriter, inline strings from openpyxl) and on hostile texts."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.compare.outputs import comparison_xlsx
from lotsmarche.compare.table import compare_plans
from lotsmarche.lotsjson import lots_workbook_bytes
from lotsmarche.models import LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.readback import Block, xlsx_blocks, xlsx_rows, xlsx_sheets
from lotsmarche.render.xlsx import render_bpu_dqe
from tests.unit._bpu_openpyxl import render_bpu_dqe_openpyxl
from tests.unit.test_formula_prefix import HOSTILE


def openpyxl_blocks(fichier: str, data: bytes) -> list[Block]:
    """The reading of the controls before xlsx_sheets (openpyxl), kept as the reference."""
    wb = openpyxl.load_workbook(BytesIO(data))
    blocks: list[Block] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() and not cell.value.startswith("="):
                    blocks.append(
                        Block(fichier, f"feuille {ws.title}, cellule {cell.coordinate}", cell.value)
                    )
        for side in ("left", "center", "right"):
            for hf, name in ((ws.oddHeader, "en-tête"), (ws.oddFooter, "pied de page")):
                text = getattr(hf, side).text
                if text and "&" not in text.replace("&&", ""):
                    blocks.append(Block(fichier, f"feuille {ws.title}, {name}", text.replace("&&", "&")))
    return blocks


def openpyxl_rows(data: bytes, sheet: str) -> dict[str, str]:
    ws = openpyxl.load_workbook(BytesIO(data))[sheet]
    out: dict[str, str] = {}
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[0], str):
            out.setdefault(row[0], " | ".join(str(v) for v in row if isinstance(v, str)))
    return out


@pytest.fixture(scope="module")
def plans() -> list[LotPlan]:
    plan, _demand = plan_lots([])
    odd = ["_x0041_ littéral", "x005F_ et _x005F_x0041_", "  espaces  ", "a&b &&c", "ligne\nsuivante"]
    lots = [
        lot.model_copy(
            update={
                "intitule": (HOSTILE + odd)[n % (len(HOSTILE) + len(odd))],
                "items": [
                    it.model_copy(update={"libelle": (odd + HOSTILE)[(n + j) % (len(HOSTILE) + len(odd))]})
                    for j, it in enumerate(lot.items)
                ],
            }
        )
        for n, lot in enumerate(plan.lots)
    ]
    groupement = plan.groupement.model_copy(update={"reference": "R&D 2026 =1", "objet": HOSTILE[0]})
    return [plan, plan.model_copy(update={"lots": lots, "groupement": groupement})]


def _workbooks(plans: list[LotPlan]) -> list[tuple[str, bytes]]:
    cat = load_catalogue()
    out = []
    for p in plans:
        for lot in p.lots:
            for brouillon in (False, True):
                out.append(("BPU", render_bpu_dqe(p, lot, brouillon, cat=cat)))
                out.append(("BPU", render_bpu_dqe_openpyxl(p, lot, brouillon, cat=cat)))
        out.append(("Lots", lots_workbook_bytes(p)))
    out.append(("Comparaison", comparison_xlsx(compare_plans({"a": plans[0], "b": plans[1]}, 2))))
    return out


def test_fast_reading_gives_openpyxl_blocks_and_rows(plans: list[LotPlan]) -> None:
    for sheet, data in _workbooks(plans):
        assert xlsx_blocks("f.xlsx", data) == openpyxl_blocks("f.xlsx", data)
        sheets = xlsx_sheets(data)
        for title in [ws.title for ws in sheets]:
            assert xlsx_rows(sheets, title) == openpyxl_rows(data, title), (sheet, title)


def test_fast_reading_sees_formulas_and_header_parts(plans: list[LotPlan]) -> None:
    plan = plans[1]
    sheets = xlsx_sheets(render_bpu_dqe(plan, plan.lots[0], True))
    assert [ws.title for ws in sheets] == ["BPU", "DQE"]
    dqe = sheets[1]
    assert (5, 6, "=ROUND(D5*E5,2)") in dqe.cells
    assert dqe.header[0] == "R&&D 2026 =1" and dqe.header[1] == "PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ"
    assert dqe.footer == (None, "Page &P / &N", None)
