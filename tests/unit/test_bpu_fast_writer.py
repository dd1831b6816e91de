"""The BPU/DQE written by XlsxWriter reads back as the openpyxl writer's did, cell by cell and setting by
setting.

Reference: the openpyxl writer of commit 55b1259, kept in tests/unit/_bpu_openpyxl.py. Both workbooks are
read back with openpyxl and compared: sheets, every cell's value, type, formula, number format, font,
fill, border, alignment, protection and quote prefix; column widths and hidden columns, row heights,
frozen panes, print titles, page setup and margins, headers and footers, sheet protection flags, data
validations and the recalculation flag. Colours are compared without their alpha byte (openpyxl writes
``00RRGGBB``, XlsxWriter ``FFRRGGBB``; Excel and LibreOffice ignore it) and an unset font size is the
default 11 points.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from lotsmarche.catalogue import load_catalogue
from lotsmarche.models import LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.xlsx import render_bpu_dqe
from tests.unit._bpu_openpyxl import render_bpu_dqe_openpyxl
from tests.unit._plan_factory import make_item as plan_item
from tests.unit._render_factory import make_item, make_lot, make_plan
from tests.unit.test_formula_prefix import HOSTILE

_PROTECTION = [
    "sheet",
    "objects",
    "scenarios",
    "formatCells",
    "formatRows",
    "formatColumns",
    "insertColumns",
    "insertRows",
    "insertHyperlinks",
    "deleteColumns",
    "deleteRows",
    "selectLockedCells",
    "selectUnlockedCells",
    "sort",
    "autoFilter",
    "pivotTables",
    "password",
]
_VALIDATION = [
    "type",
    "operator",
    "formula1",
    "formula2",
    "allow_blank",
    "showErrorMessage",
    "showInputMessage",
    "showDropDown",
    "errorTitle",
    "error",
    "promptTitle",
    "prompt",
    "errorStyle",
]


def _rgb(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) else None


def _cell(cell: Any) -> tuple[Any, ...]:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    sides = tuple(
        (s.style, _rgb(s.color) if s.style else None)
        for s in (border.left, border.right, border.top, border.bottom)
    )
    return (
        cell.value,
        cell.data_type if cell.value is not None else None,
        cell.number_format,
        (font.name or "Calibri", bool(font.b), float(font.sz or 11), bool(font.i), font.u),
        (fill.fill_type, _rgb(fill.fgColor) if fill.fill_type else None),
        sides,
        (align.horizontal, align.vertical, bool(align.wrap_text)),
        (cell.protection.locked, cell.protection.hidden),
        bool(cell.quotePrefix),
    )


def _hf(item: Any) -> tuple[Any, ...]:
    return tuple((p.text, p.color, p.font, p.size) for p in (item.left, item.center, item.right))


def _sheet(ws: Any) -> dict[str, Any]:
    blank = _cell(openpyxl.Workbook().active["Z99"])
    cells = {c.coordinate: _cell(c) for row in ws.iter_rows() for c in row if _cell(c) != blank}
    setup, margins = ws.page_setup, ws.page_margins
    return {
        "cells": cells,
        # one <col> element may cover several columns of the same width (XlsxWriter groups them)
        "columns": {
            get_column_letter(i): (d.width, bool(d.hidden))
            for d in ws.column_dimensions.values()
            if d.customWidth or d.hidden
            for i in range(d.min, d.max + 1)
        },
        "rows": {k: d.height for k, d in ws.row_dimensions.items() if d.height is not None},
        "freeze": ws.freeze_panes,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        # fitToWidth and fitToHeight default to 1 (ECMA-376 §18.3.1.63): XlsxWriter leaves a 1 out
        "setup": (
            setup.orientation,
            setup.paperSize,
            setup.fitToWidth or 1,
            1 if setup.fitToHeight is None else setup.fitToHeight,
        ),
        "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
        "margins": tuple(
            float(getattr(margins, k)) for k in ("left", "right", "top", "bottom", "header", "footer")
        ),
        "header": _hf(ws.oddHeader),
        "footer": _hf(ws.oddFooter),
        "protection": {k: getattr(ws.protection, k) for k in _PROTECTION},
        "validations": sorted(
            (str(v.sqref), *(getattr(v, k) for k in _VALIDATION)) for v in ws.data_validations.dataValidation
        ),
    }


def readback(data: bytes) -> dict[str, Any]:
    wb = openpyxl.load_workbook(BytesIO(data))
    return {
        "sheets": wb.sheetnames,
        "full_calc": wb.calculation.fullCalcOnLoad,
        **{ws.title: _sheet(ws) for ws in wb.worksheets},
    }


def _diff(new: Any, old: Any, where: str = "") -> list[str]:
    """Paths where two read-backs differ (empty: same), for a readable failure."""
    if isinstance(new, dict) and isinstance(old, dict):
        return [
            d
            for k in sorted(set(new) | set(old), key=str)
            for d in _diff(new.get(k), old.get(k), f"{where}/{k}")
        ]
    return [] if new == old else [f"{where}: {new!r} != {old!r}"]


def _mixed_plan() -> LotPlan:
    noms = ["Collège Angellier"]
    items = [
        make_item("A1", "Filet de merlan", "1200", "14.35", noms),
        make_item("B2", "Jus de pomme", "333.333", "2.1", noms, unite="litre", tva="20"),
        make_item("C3", "Soupe de poisson", "57", "3.999", noms, unite="piece"),
        plan_item("D4", membres=noms, prix="3.5", quantite="10", labels=["PECHE_DURABLE", "MSC"]),
    ]
    lot = make_lot(3, "Mixte & divers <x>", items)
    return make_plan(
        lots=[lot, lot.model_copy(update={"numero": 4, "montant_minimum_ht": lot.montant_maximum_ht / 4})]
    )


def _hostile_plan() -> LotPlan:
    plan = _mixed_plan()
    lots = [
        lot.model_copy(
            update={
                "intitule": HOSTILE[n],
                "items": [
                    it.model_copy(update={"libelle": HOSTILE[(n + j) % len(HOSTILE)], "produit": HOSTILE[j]})
                    for j, it in enumerate(lot.items)
                ],
            }
        )
        for n, lot in enumerate(plan.lots)
    ]
    groupement = plan.groupement.model_copy(update={"reference": "R&D =1", "objet": HOSTILE[2]})
    return plan.model_copy(update={"lots": lots, "groupement": groupement})


@pytest.mark.parametrize("brouillon", [False, True])
@pytest.mark.parametrize("which", ["mixed", "hostile", "default"])
def test_fast_writer_reads_back_as_openpyxl_writer(which: str, brouillon: bool) -> None:
    plan = {"mixed": _mixed_plan, "hostile": _hostile_plan, "default": make_plan}[which]()
    cat = load_catalogue()
    for lot in plan.lots:
        for catalogue in (None, cat):
            new = readback(render_bpu_dqe(plan, lot, brouillon, cat=catalogue))
            old = readback(render_bpu_dqe_openpyxl(plan, lot, brouillon, cat=catalogue))
            assert _diff(new, old) == [], "\n".join(_diff(new, old))


def test_fast_writer_reads_back_as_openpyxl_writer_on_the_bundled_example() -> None:
    cat = load_catalogue()
    plan, _demand = plan_lots([])
    for lot in plan.lots:
        new = readback(render_bpu_dqe(plan, lot, False, cat=cat))
        assert _diff(new, readback(render_bpu_dqe_openpyxl(plan, lot, False, cat=cat))) == []
        assert new["BPU"]["columns"]["F"] == (22, True) and new["BPU"]["columns"]["G"] == (24, True)
        assert new["BPU"]["protection"]["sheet"] is True and new["DQE"]["protection"]["sheet"] is True


def test_fast_writer_is_byte_stable_and_keeps_no_date() -> None:
    plan = _mixed_plan()
    first = render_bpu_dqe(plan, plan.lots[0], True)
    assert first == render_bpu_dqe(plan, plan.lots[0], True)
    from lotsmarche.ziputil import read_zip

    core = read_zip(first)["docProps/core.xml"].decode()
    assert "2000-01-01T00:00:00Z" in core and "lotsmarche" in core


def test_a_reference_too_long_for_a_page_header_is_shortened_there_only() -> None:
    plan = _mixed_plan()
    long_ref = "Réf-" + "é" * 300 + " & co"
    plan = plan.model_copy(update={"groupement": plan.groupement.model_copy(update={"reference": long_ref})})
    for brouillon in (False, True):
        book = readback(render_bpu_dqe(plan, plan.lots[0], brouillon))
        left, center, right = book["BPU"]["header"]
        assert left[0].startswith("Réf-éé") and left[0].endswith("…")
        assert right[0] == "BPU — lot 3" and (center[0] is not None) is brouillon
        raw = "&L" + left[0] + (f"&C&K{center[1]}{center[0]}" if brouillon else "") + "&R" + right[0]
        assert len(raw) <= 255
        assert book["BPU"]["cells"]["A2"][0].startswith(f"Consultation {long_ref}")
