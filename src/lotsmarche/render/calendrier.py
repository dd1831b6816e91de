"""A lot's delivery calendar workbook (``Annexes/Lot_NN_calendrier.xlsx``), annex of the CCTP (issue 13).

Sheet « Récapitulatif »: one row per product, the quantities of the whole lot per month (January to
December) and the yearly total, then one row per delivery site with its deliveries per week and the
deliveries expected each month. Sheet « Par site »: one block per delivery site, its products per month.
Every figure is written as a literal number (totals included, computed in Decimal: no formula to
recalculate), in the product's catalogue unit, with French number formats; every text is literal text.
The sheets are protected like the BPU (structure locked, no password) and the bytes are reproducible.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from lotsmarche.calendrier import MOIS_COURTS, MONTHS, LotCalendar, ProductMonths
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import LotPlan
from lotsmarche.render.docx import BROUILLON
from lotsmarche.render.typo import french
from lotsmarche.text import clean_text
from lotsmarche.xlsxutil import bold, protect_structure, put_text, workbook_bytes

RECAP, PAR_SITE = "Récapitulatif", "Par site"
HEAD = PatternFill("solid", fgColor="D9E2F3")
BLOCK = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FIRST_MONTH = 4  # column D: January; column P: yearly total
TOTAL_COL = FIRST_MONTH + MONTHS
WIDTHS = (34.0, 44.0, 11.0)
NOTE = (
    "Quantités estimées d'après le recensement des besoins des membres : la quantité annuelle de chaque "
    "besoin est répartie également sur les mois où il est demandé. Ce calendrier est indicatif : les bons de "
    "commande fixent les dates et les quantités livrées."
)
NOTE_APPROCHE = (
    "Calendrier établi sans le fichier de la demande : la quantité annuelle de chaque site est répartie sur "
    "tous les mois demandés pour le produit dans le lot. Régénérez le DCE avec la demande pour le détail "
    "exact."
)


def number_format(value: Decimal) -> str:
    """French display of a quantity: no decimals when whole, else as many as it has (three at most)."""
    exponent = value.normalize().as_tuple().exponent
    decimals = min(max(-exponent, 0), 3) if isinstance(exponent, int) else 0
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _text(cell: Cell, value: str) -> None:
    put_text(cell, french(value))


def _number(cell: Cell, value: Decimal) -> None:
    """A literal number; nothing for a month without delivery (zero), so that the months asked stand out."""
    if value:
        cell.value = value
        cell.number_format = number_format(value)
    cell.border = BOX


def _head_row(ws: Worksheet, row: int, first: tuple[str, str, str]) -> None:
    titles = [*first, *(m.capitalize() for m in MOIS_COURTS), "Total annuel"]
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row, col)
        _text(cell, title)
        cell.font = bold()
        cell.fill = HEAD
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[row].height = 30


def _product_row(ws: Worksheet, row: int, p: ProductMonths, cat: Catalogue) -> None:
    for col, text in enumerate((p.produit, p.libelle, cat.unite(p.unite, p.total)), start=1):
        cell = ws.cell(row, col)
        _text(cell, text)
        cell.border = BOX
    for m, value in enumerate(p.mois):
        _number(ws.cell(row, FIRST_MONTH + m), value)
    _number(ws.cell(row, TOTAL_COL), p.total)
    ws.cell(row, TOTAL_COL).font = bold()


def _preamble(ws: Worksheet, cal: LotCalendar, plan: LotPlan, subtitle: str) -> int:
    _text(ws.cell(1, 1), cal.titre)
    ws.cell(1, 1).font = bold(size=13)
    _text(
        ws.cell(2, 1),
        f"Lot {cal.numero} : {cal.intitule} — annexe {cal.numero} du CCTP, consultation "
        f"{plan.groupement.reference} — {subtitle}",
    )
    _text(ws.cell(3, 1), NOTE_APPROCHE if cal.approche else NOTE)
    ws.cell(3, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=TOTAL_COL)
    ws.row_dimensions[3].height = 30
    for col, width in enumerate((*WIDTHS, *([9.0] * MONTHS), 11.0), start=1):
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    return 5


def _page_setup(ws: Worksheet, plan: LotPlan, title: str, brouillon: bool, title_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddHeader.left.text = clean_text(plan.groupement.reference).replace("&", "&&")
    ws.oddHeader.right.text = clean_text(title).replace("&", "&&")
    if brouillon:
        ws.oddHeader.center.text = BROUILLON
        ws.oddHeader.center.color = "C00000"
    ws.oddFooter.center.text = "Page &P / &N"
    protect_structure(ws)


def _recap(ws: Worksheet, cal: LotCalendar, plan: LotPlan, cat: Catalogue, brouillon: bool) -> None:
    row = _preamble(ws, cal, plan, "quantités du lot par mois, tous sites confondus")
    head = row
    _head_row(ws, row, ("Code", "Désignation", "Unité"))
    ws.freeze_panes = ws.cell(row + 1, FIRST_MONTH)
    for p in cal.produits:
        row += 1
        _product_row(ws, row, p, cat)
    row += 2
    _text(ws.cell(row, 1), "Livraisons par site")
    ws.cell(row, 1).font = bold()
    row += 1
    _head_row(ws, row, ("Membre", "Site de livraison (code postal)", "Livraisons par semaine"))
    _text(ws.cell(row, TOTAL_COL), "Livraisons par an (estimation)")
    for s in cal.sites:
        row += 1
        for col, text in enumerate((s.membre, f"{s.site} ({s.code_postal})"), start=1):
            _text(ws.cell(row, col), text)
            ws.cell(row, col).border = BOX
        if s.livraisons_par_semaine is None:
            _text(ws.cell(row, 3), "non indiqué")
            ws.cell(row, 3).border = BOX
        else:
            _number(ws.cell(row, 3), s.livraisons_par_semaine)
        monthly = s.livraisons_mois()
        for m, value in enumerate(monthly):
            _number(ws.cell(row, FIRST_MONTH + m), value)
        _number(ws.cell(row, TOTAL_COL), sum(monthly, Decimal(0)))
    row += 2
    _text(
        ws.cell(row, 1),
        "Livraisons par mois : livraisons par semaine × 52/12 semaines, arrondi à l'unité, dans les mois où "
        "le site commande au moins un produit du lot.",
    )
    _page_setup(ws, plan, f"Calendrier — lot {cal.numero}", brouillon, head)


def _par_site(ws: Worksheet, cal: LotCalendar, plan: LotPlan, cat: Catalogue, brouillon: bool) -> None:
    row = _preamble(ws, cal, plan, "quantités par site de livraison et par mois")
    for s in cal.sites:
        weekly = (
            "livraisons par semaine non indiquées"
            if s.livraisons_par_semaine is None
            else f"{str(s.livraisons_par_semaine).replace('.', ',')} livraison(s) par semaine"
        )
        where = f"{s.site} ({s.code_postal}{', ' + s.territoire if s.territoire else ''})"
        _text(ws.cell(row, 1), f"{s.membre} — {where} — {weekly}")
        for col in range(1, TOTAL_COL + 1):
            ws.cell(row, col).fill = BLOCK
            ws.cell(row, col).font = bold()
        row += 1
        _head_row(ws, row, ("Code", "Désignation", "Unité"))
        for p in s.produits:
            row += 1
            _product_row(ws, row, p, cat)
        row += 2
    _page_setup(ws, plan, f"Calendrier par site — lot {cal.numero}", brouillon, None)


def render_calendar(plan: LotPlan, cal: LotCalendar, cat: Catalogue, brouillon: bool = False) -> bytes:
    """The lot's ``Lot_NN_calendrier.xlsx`` as deterministic bytes."""
    wb = Workbook()
    recap = wb.active
    assert recap is not None
    recap.title = RECAP
    _recap(recap, cal, plan, cat, brouillon)
    _par_site(wb.create_sheet(PAR_SITE), cal, plan, cat, brouillon)
    return workbook_bytes(wb, cal.titre, plan.groupement.reference)
