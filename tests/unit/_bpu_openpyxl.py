"""The BPU/DQE writer on openpyxl as it was before XlsxWriter (commit 55b1259), kept as the reference of
tests/unit/test_bpu_fast_writer.py: both writers' workbooks must read back the same. Not used by the package.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Lot, LotItem, LotPlan
from lotsmarche.render.docx import BROUILLON
from lotsmarche.render.typo import french
from lotsmarche.rules.egalim import label_requirement, required_label
from lotsmarche.text import clean_text
from lotsmarche.xlsxutil import EURO, bold, non_negative_rule, protect_structure, put_text, workbook_bytes

FIRST = 5  # first product line; row 4 holds the column titles (print titles)
YELLOW = PatternFill("solid", fgColor="FFF2CC")
HEAD = PatternFill("solid", fgColor="D9E2F3")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = bold()


def _qty_format(value: Decimal) -> str:
    return "#,##0" if value == value.to_integral_value() else "#,##0.000"


def _rate_format(rate: Decimal) -> str:
    return "0%" if rate == rate.to_integral_value() else "0.0%"


def _header(ws: Worksheet, title: str, lines: list[str], columns: list[tuple[str, float]]) -> None:
    _put(ws.cell(1, 1), title)
    ws.cell(1, 1).font = bold(size=13)
    for offset, line in enumerate(lines, start=2):
        _put(ws.cell(offset, 1), line)
        ws.cell(offset, 1).alignment = Alignment(wrap_text=False)
    for col, (name, width) in enumerate(columns, start=1):
        cell = ws.cell(FIRST - 1, col)
        _put(cell, name)
        cell.font = BOLD
        cell.fill = HEAD
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[FIRST - 1].height = 32
    ws.freeze_panes = ws.cell(FIRST, 1)


def _page_setup(ws: Worksheet, reference: str, title: str, brouillon: bool) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{FIRST - 1}:{FIRST - 1}"
    ws.oddHeader.left.text = clean_text(reference).replace("&", "&&")
    ws.oddHeader.right.text = clean_text(title).replace("&", "&&")
    if brouillon:
        ws.oddHeader.center.text = BROUILLON
        ws.oddHeader.center.color = "C00000"
    ws.oddFooter.center.text = "Page &P / &N"
    protect_structure(ws)


def designation(item: LotItem, lot: Lot, plan: LotPlan, cat: Catalogue | None) -> str:
    """The BPU/DQE designation of a line: the product, then the quality sign it must carry, « ou
    équivalent » (the same label the CCTP row requires and the EGALIM projection counts)."""
    if cat is None:
        return item.libelle
    required = required_label(item, lot.famille, cat, plan.date_lancement)
    if required is None:
        return item.libelle
    return f"{item.libelle} — signe de qualité exigé : {label_requirement(required, cat)}"


def _put(cell: Cell, value: str) -> None:
    """A literal text cell, in French typography (render.typo)."""
    put_text(cell, french(value))


def _product_cells(
    ws: Worksheet, row: int, item: LotItem, lot: Lot, plan: LotPlan, cat: Catalogue | None
) -> None:
    """Code, designation and unit: the first three columns of both sheets, as literal text."""
    unite = cat.unite(item.unite) if cat is not None else item.unite
    for col, value in enumerate((item.produit, designation(item, lot, plan, cat), unite), start=1):
        _put(ws.cell(row, col), value)


# Hidden reference columns of the BPU (locked like every cell but the price): the ma-cantine family and the
# EGALIM characteristics of each line, so that the holder's yearly statement and the members' ma-cantine
# imports use the codes the contract fixed. Hidden columns are neither shown nor printed.
MACANTINE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Famille ma-cantine (référence, non modifiable)", 22),
    ("Caractéristiques EGALIM ma-cantine (référence, non modifiable)", 24),
)
MACANTINE_FIRST = 6  # column F


def _macantine_cells(ws: Worksheet, row: int, item: LotItem) -> None:
    put_text(ws.cell(row, MACANTINE_FIRST), item.famille_macantine)
    put_text(ws.cell(row, MACANTINE_FIRST + 1), ",".join(item.caracteristiques_egalim))


def _bpu(ws: Worksheet, plan: LotPlan, lot: Lot, brouillon: bool, cat: Catalogue | None) -> None:
    ref = plan.groupement.reference
    _header(
        ws,
        f"Bordereau des prix unitaires — lot {lot.numero} : {lot.intitule}",
        [
            f"Consultation {ref} — {plan.groupement.objet}",
            "Complétez uniquement les cellules jaunes : prix unitaire hors taxes en euros, deux décimales au "
            "plus, pour l'unité indiquée, livraison comprise. Ne modifiez ni les lignes ni les formules.",
        ],
        [
            ("Code", 24),
            ("Désignation", 48),
            ("Unité", 10),
            ("Prix unitaire HT (€)", 18),
            ("Taux de TVA", 12),
            *MACANTINE_COLUMNS,
        ],
    )
    for offset in range(len(MACANTINE_COLUMNS)):
        ws.column_dimensions[ws.cell(FIRST - 1, MACANTINE_FIRST + offset).column_letter].hidden = True
    validation = non_negative_rule("Prix invalide", "Saisissez un prix hors taxes positif ou nul, en euros.")
    ws.add_data_validation(validation)
    last = FIRST + len(lot.items) - 1
    for row, item in enumerate(lot.items, start=FIRST):
        _product_cells(ws, row, item, lot, plan, cat)
        price = ws.cell(row, 4)
        price.number_format = EURO
        price.fill = YELLOW
        price.protection = Protection(locked=False)
        rate = ws.cell(row, 5, item.tva / 100)
        rate.number_format = _rate_format(item.tva)
        _macantine_cells(ws, row, item)
        for col in range(1, 6):
            ws.cell(row, col).border = BOX
    if lot.items:
        validation.add(f"D{FIRST}:D{last}")
    _page_setup(ws, ref, f"BPU — lot {lot.numero}", brouillon)


def _dqe(ws: Worksheet, plan: LotPlan, lot: Lot, brouillon: bool, cat: Catalogue | None) -> None:
    ref = plan.groupement.reference
    _header(
        ws,
        f"Détail quantitatif estimatif — lot {lot.numero} : {lot.intitule}",
        [
            f"Consultation {ref} — {plan.groupement.objet}",
            "Les prix sont repris automatiquement du BPU. Les quantités sont des estimations annuelles : le "
            "DQE sert à comparer les offres et n'a pas de valeur contractuelle.",
        ],
        [
            ("Code", 24),
            ("Désignation", 48),
            ("Unité", 10),
            ("Quantité annuelle estimée", 16),
            ("Prix unitaire HT (€)", 18),
            ("Montant HT (€)", 18),
            ("Taux de TVA", 12),
        ],
    )
    last = FIRST + len(lot.items) - 1
    for row, item in enumerate(lot.items, start=FIRST):
        _product_cells(ws, row, item, lot, plan, cat)
        qty = ws.cell(row, 4, item.quantite_annuelle)
        qty.number_format = _qty_format(item.quantite_annuelle)
        ws.cell(row, 5, f"=BPU!D{row}").number_format = EURO
        ws.cell(row, 6, f"=ROUND(D{row}*E{row},2)").number_format = EURO
        ws.cell(row, 7, f"=BPU!E{row}").number_format = _rate_format(item.tva)
        for col in range(1, 8):
            ws.cell(row, col).border = BOX
    row = last + 2
    totals: list[tuple[str, str, str]] = [("Total HT", f"=SUM(F{FIRST}:F{last})", "ht")]
    rates = sorted({item.tva for item in lot.items})
    for rate in rates:
        fraction = format(rate / 100, "f")
        label = f"TVA à {format(rate.normalize(), 'f').replace('.', ',')}\u00a0%"
        totals.append(
            (label, f"=ROUND(SUMIF(G{FIRST}:G{last},{fraction},F{FIRST}:F{last})*{fraction},2)", "tva")
        )
    first_total = row
    for label, formula, _kind in totals:
        _put(ws.cell(row, 5), label)
        ws.cell(row, 5).font = BOLD
        ws.cell(row, 6, formula).number_format = EURO
        ws.cell(row, 6).font = BOLD
        row += 1
    put_text(ws.cell(row, 5), "Total TTC")
    ws.cell(row, 5).font = BOLD
    ws.cell(row, 6, f"=SUM(F{first_total}:F{row - 1})").number_format = EURO
    ws.cell(row, 6).font = BOLD
    row += 2
    put_text(ws.cell(row, 2), "Montant maximum de l'accord-cadre sur la durée totale (HT)")
    ws.cell(row, 2).font = BOLD
    ws.cell(row, 6, lot.montant_maximum_ht).number_format = EURO
    ws.cell(row, 6).font = BOLD
    if lot.montant_minimum_ht is not None:
        row += 1
        put_text(ws.cell(row, 2), "Montant minimum de l'accord-cadre sur la durée totale (HT)")
        ws.cell(row, 6, lot.montant_minimum_ht).number_format = EURO
    _page_setup(ws, ref, f"DQE — lot {lot.numero}", brouillon)


def render_bpu_dqe_openpyxl(
    plan: LotPlan, lot: Lot, brouillon: bool = False, cat: Catalogue | None = None
) -> bytes:
    """The lot's ``Lot_NN_BPU_DQE.xlsx`` as deterministic bytes."""
    wb = Workbook()
    bpu = wb.active
    assert bpu is not None
    bpu.title = "BPU"
    _bpu(bpu, plan, lot, brouillon, cat)
    _dqe(wb.create_sheet("DQE"), plan, lot, brouillon, cat)
    wb.calculation.fullCalcOnLoad = True
    return workbook_bytes(wb, f"BPU et DQE — lot {lot.numero} : {lot.intitule}", plan.groupement.reference)
