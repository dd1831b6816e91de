"""``lots.xlsx``: the lot plan as a workbook a buyer opens (sheets Lots, Articles, Répartition, Synthèse).

Cells go through :mod:`lotsmarche.xlsxutil` (literal text, never a formula; fixed document properties and
zip dates, so the same plan gives the same bytes). Amounts are numbers with a French-displayed format, never
formatted strings.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from lotsmarche.models import CONSERVATION_LIBELLES, REGIME_LIBELLES, Lot, LotItem, LotPlan, lot_conservations
from lotsmarche.xlsxutil import EURO, bold, header_cell, put_text, workbook_bytes

QTY_FORMAT = "#,##0.###"
PCT_FORMAT = "0.00 %"
TITLE = "Plan d'allotissement"

Cell = tuple[object, str | None]  # value, number format
Row = list[Cell]


def _put(ws: Any, row: int, col: int, value: object, fmt: str | None = None) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, str):
        put_text(cell, value)
        return
    cell.value = value
    if fmt:
        cell.number_format = fmt


def _sheet(wb: Any, title: str, headers: list[tuple[str, int]], rows: list[Row]) -> None:
    """One table sheet: bold wrapped headers of the given widths, frozen, with an auto-filter."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for c, (name, width) in enumerate(headers, start=1):
        header_cell(ws.cell(row=1, column=c), name)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=2):
        for c, (value, fmt) in enumerate(row, start=1):
            _put(ws, r, c, value, fmt)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _amount(v: Decimal | None) -> Cell:
    return (v, EURO) if v is not None else (None, None)


def _text(*values: object) -> Row:
    return [(v, None) for v in values]


def _lot_row(lot: Lot) -> Row:
    return [
        *_text(
            lot.numero,
            lot.intitule,
            lot.famille,
            ", ".join(CONSERVATION_LIBELLES.get(c, c) for c in lot_conservations(lot)),
            REGIME_LIBELLES.get(lot.regime_emballage, lot.regime_emballage),
            ", ".join(lot.territoires),
            lot.cpv_principal,
        ),
        _amount(lot.montant_annuel_ht),
        _amount(lot.montant_estime_duree_ht),
        _amount(lot.montant_minimum_ht),
        _amount(lot.montant_maximum_ht),
        *_text(lot.procedure.libelle, lot.nb_fournisseurs_capables, ", ".join(lot.fournisseurs_capables)),
    ]


def _lots_sheet(wb: Any, plan: LotPlan) -> None:
    total = [
        *_text(None, "Total", None, None, None, None, None),
        _amount(plan.montant_total_annuel_ht),
        _amount(plan.montant_total_estime_ht),
        (None, None),
        _amount(plan.montant_total_maximum_ht),
        *_text(plan.procedure.libelle, None, None),
    ]
    headers = [
        ("N°", 6),
        ("Intitulé", 48),
        ("Famille", 20),
        ("Conservation", 16),
        ("Régime d'emballage", 36),
        ("Territoires", 24),
        ("CPV principal", 13),
        ("Montant annuel HT", 16),
        (f"Montant estimé sur {plan.duree_mois} mois HT", 18),
        ("Minimum HT", 15),
        ("Maximum HT", 16),
        ("Procédure", 36),
        ("Fournisseurs capables", 12),
        ("Noms des fournisseurs capables", 50),
    ]
    _sheet(wb, "Lots", headers, [*(_lot_row(lot) for lot in plan.lots), total])


def _item_row(lot: Lot, it: LotItem) -> Row:
    return [
        *_text(lot.numero, it.produit, it.libelle, it.unite),
        (it.quantite_annuelle, QTY_FORMAT),
        _amount(it.prix_unitaire_ht),
        _amount(it.montant_annuel_ht),
        (it.tva, "0.0"),
        *_text(it.cpv, it.conditionnement, ", ".join(it.labels_requis), " ".join(str(m) for m in it.mois)),
        (len(it.lignes), None),
    ]


def _items_sheets(wb: Any, plan: LotPlan) -> None:
    """Sheets « Articles » (one row per lot item) and « Répartition » (one row per item and member)."""
    items = [_item_row(lot, it) for lot in plan.lots for it in lot.items]
    shares = [
        [
            *_text(lot.numero, it.produit, it.libelle, rm.membre),
            (rm.quantite, QTY_FORMAT),
            (it.unite, None),
            _amount(rm.montant_annuel_ht),
        ]
        for lot in plan.lots
        for it in lot.items
        for rm in it.repartition_membres
    ]
    item_headers = [("Lot", 6), ("Produit", 26), ("Libellé", 44), ("Unité", 7), ("Quantité annuelle", 14)]
    item_headers += [("Prix unitaire HT", 14), ("Montant annuel HT", 16), ("TVA %", 7), ("CPV", 13)]
    item_headers += [
        ("Conditionnement", 22),
        ("Labels requis", 18),
        ("Mois", 24),
        ("Lignes de la demande", 10),
    ]
    _sheet(wb, "Articles", item_headers, items)
    share_headers = [("Lot", 6), ("Produit", 26), ("Libellé", 44), ("Membre", 40), ("Quantité annuelle", 14)]
    share_headers += [("Unité", 7), ("Montant annuel HT", 16)]
    _sheet(wb, "Répartition", share_headers, shares)


def _summary_sheet(wb: Any, plan: LotPlan) -> None:
    ws = wb.create_sheet("Synthèse")
    rows: list[tuple[str, object, str | None]] = [
        ("Groupement", plan.groupement.nom, None),
        ("Référence", plan.groupement.reference, None),
        ("Stratégie d'allotissement", plan.strategie, None),
        ("Date de lancement", plan.date_lancement.isoformat(), None),
        ("Durée totale (mois)", plan.duree_mois, None),
        ("Ligne de seuils appliquée", plan.seuils.id, None),
        ("Nombre de lots", len(plan.lots), None),
        ("Montant total annuel HT", plan.montant_total_annuel_ht, EURO),
        ("Montant total estimé sur la durée HT", plan.montant_total_estime_ht, EURO),
        ("Montant total maximum HT", plan.montant_total_maximum_ht, EURO),
        ("Procédure d'ensemble", plan.procedure.libelle, None),
        ("Seuil européen appliqué HT", plan.procedure.seuil_applique, EURO),
        ("Part des lots dérogatoires", plan.part_derogations, PCT_FORMAT),
        ("Lots par candidat (maximum)", plan.lots_max_par_candidat, None),
        ("Motivation du non-allotissement", plan.justification_non_allotissement, None),
        ("Lignes de la demande", plan.lignes_demande, None),
    ]
    for r, (label, value, fmt) in enumerate(rows, start=1):
        _put(ws, r, 1, label)
        ws.cell(row=r, column=1).font = bold()
        _put(ws, r, 2, value, fmt)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60


def lots_workbook_bytes(plan: LotPlan) -> bytes:
    """lots.xlsx content, deterministic (fixed document properties and zip entry dates)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _lots_sheet(wb, plan)
    _items_sheets(wb, plan)
    _summary_sheet(wb, plan)
    return workbook_bytes(wb, TITLE, plan.groupement.nom)


def write_lots_xlsx(plan: LotPlan, out: Path) -> None:
    """Write lots.xlsx atomically (replaces an existing file: callers check ``force`` first)."""
    from lotsmarche.atomic import write_bytes

    write_bytes(out, lots_workbook_bytes(plan))
