"""Every workbook lotsmarche writes stores a text starting like a formula as literal text, quote-prefixed.

The starts are the ones a spreadsheet may read as a formula or a command (OWASP "CSV injection"):
``= + - @``, tab and carriage return. The hostile texts go into every text a buyer controls that reaches a
workbook (groupement name, reference, lot title, product label, member names, strategy names), through
lots.xlsx, the BPU/DQE of each lot, the survey workbook and the comparison workbook. Each workbook is read
back with openpyxl: each such cell is a string (never a formula) and carries ``quotePrefix``.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.compare.outputs import comparison_xlsx
from lotsmarche.compare.table import compare_plans
from lotsmarche.intake.members import SiteInfo
from lotsmarche.lotsjson import lots_workbook_bytes
from lotsmarche.models import LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.xlsx import render_bpu_dqe
from lotsmarche.survey import write_survey
from lotsmarche.xlsxutil import put_text

STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [f"{s}SOMME(A1) cmd|' /C calc'!A0 {i}" for i, s in enumerate(STARTS)]


@pytest.fixture(scope="module")
def hostile_plan() -> LotPlan:
    plan, _demand = plan_lots([])
    lots = []
    for n, lot in enumerate(plan.lots):
        items = [
            it.model_copy(
                update={
                    "libelle": HOSTILE[(n + j) % len(HOSTILE)],
                    "repartition_membres": [
                        rm.model_copy(update={"membre": HOSTILE[(n + j + k) % len(HOSTILE)]})
                        for k, rm in enumerate(it.repartition_membres)
                    ],
                }
            )
            for j, it in enumerate(lot.items)
        ]
        lots.append(lot.model_copy(update={"intitule": HOSTILE[n % len(HOSTILE)], "items": items}))
    groupement = plan.groupement.model_copy(
        update={"nom": HOSTILE[0], "reference": HOSTILE[1], "objet": HOSTILE[2]}
    )
    return plan.model_copy(update={"lots": lots, "groupement": groupement})


def _check(data: bytes) -> set[str]:
    """Assert the rule on every cell of every sheet; return the formula-like starts met."""
    wb = openpyxl.load_workbook(BytesIO(data))
    met: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value:
                    continue
                if any(value.startswith(marker) for marker in ("SOMME", "cmd")):
                    raise AssertionError(
                        f"{ws.title}!{cell.coordinate}: hostile text lost its first character"
                    )
                if "SOMME(A1)" in value and value[0] in "=+-@\t\n":
                    met.add(value[0])
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} is not a string"
                    assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} {value!r} has no quote prefix"
    return met


def _all_starts(met: set[str]) -> None:
    # "\r" is stored as a line feed (clean_text): both count as the same start.
    assert met >= {"=", "+", "-", "@", "\t", "\n"}, met


def test_lots_xlsx(hostile_plan: LotPlan) -> None:
    _all_starts(_check(lots_workbook_bytes(hostile_plan)))


def test_bpu_dqe_of_every_lot(hostile_plan: LotPlan) -> None:
    met: set[str] = set()
    for lot in hostile_plan.lots:
        met |= _check(render_bpu_dqe(hostile_plan, lot, False))
        met |= _check(render_bpu_dqe(hostile_plan, lot, True))
    _all_starts(met)


def test_survey_workbook(catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "recensement.xlsx"
    write_survey(catalogue, out, ["produits_de_la_mer"], [SiteInfo(membre=m, site=m) for m in HOSTILE])
    _all_starts(_check(out.read_bytes()))


def test_comparison_workbook(hostile_plan: LotPlan) -> None:
    cmp = compare_plans(dict.fromkeys(HOSTILE, hostile_plan), 2)
    _all_starts(_check(comparison_xlsx(cmp)))


@pytest.mark.parametrize("start", STARTS)
def test_put_text_prefix(start: str) -> None:
    wb = openpyxl.Workbook()
    cell = wb.active.cell(1, 1)
    put_text(cell, f"{start}1+1")
    assert cell.data_type == "s" and cell.quotePrefix
    put_text(cell, "Texte")
    assert cell.value == "Texte"
