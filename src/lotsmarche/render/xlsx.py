"""BPU and DQE price schedules of one lot (XlsxWriter, via xlsxfast): formulas, locked structure, formats.

Sheet "BPU": one line per product, the unit price cell (yellow) is the only thing a bidder types. Sheet
"DQE": the estimated yearly quantities times the BPU prices, ``ROUND(…,2)`` per line as the plan computes
them, total HT, VAT grouped by rate with ``SUMIF``, total TTC, then the lot's maximum over the whole
duration. Formulas are written in en-US syntax (Excel and LibreOffice show them translated). Every text is
stored as text: a product called ``=SUM(A1)`` stays a string, never a formula.
"""

from __future__ import annotations

from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Lot, LotItem, LotPlan
from lotsmarche.render.docx import BROUILLON
from lotsmarche.render.typo import french
from lotsmarche.rules.egalim import label_requirement, required_label
from lotsmarche.text import clean_text
from lotsmarche.xlsxfast import HEADER_MAX, NO_STYLE, Book, Sheet, Style
from lotsmarche.xlsxutil import EURO, FONT

FIRST = 5  # first product line; row 4 holds the column titles (print titles)
_GREY = "#808080"
_BOX: Style = {"border": 1, "border_color": _GREY}
BOLD: Style = {"bold": True, "font_name": FONT}
TITLE: Style = {**BOLD, "font_size": 13}
HEAD: Style = {
    **BOLD,
    **_BOX,
    "pattern": 1,
    "fg_color": "#D9E2F3",
    "text_wrap": True,
    "valign": "vcenter",
    "align": "center",
}
BOXED: Style = _BOX
PRICE: Style = {**_BOX, "num_format": EURO, "pattern": 1, "fg_color": "#FFF2CC", "locked": False}
EURO_BOXED: Style = {**_BOX, "num_format": EURO}
EURO_BOLD: Style = {**BOLD, "num_format": EURO}
EURO_PLAIN: Style = {"num_format": EURO}


def _qty_format(value: Decimal) -> str:
    return "#,##0" if value == value.to_integral_value() else "#,##0.000"


def _rate_format(rate: Decimal) -> str:
    return "0%" if rate == rate.to_integral_value() else "0.0%"


def _header(ws: Sheet, title: str, lines: list[str], columns: list[tuple[str, int]]) -> None:
    _put(ws, 1, 1, title, TITLE)
    for offset, line in enumerate(lines, start=2):
        _put(ws, offset, 1, line)
    for col, (name, width) in enumerate(columns, start=1):
        _put(ws, FIRST - 1, col, name, HEAD)
        ws.column(col, width)
    ws.row_height(FIRST - 1, 32)
    ws.freeze_rows(FIRST - 1)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _header_codes(reference: str, title: str, brouillon: bool) -> str:
    """The page header: reference on the left, draft mark in the centre, title on the right.

    Excel keeps 255 characters of a header: a longer reference is shortened there with « … » (the
    consultation's reference stays whole in the sheets' cells and in the document properties)."""

    def codes(text: str) -> str:
        return clean_text(text).replace("&", "&&")

    fixed = (f"&C&KC00000{BROUILLON}" if brouillon else "") + f"&R{codes(title)}"
    full = f"&L{codes(reference)}{fixed}"
    if _units(full) <= HEADER_MAX:
        return full
    room = HEADER_MAX - _units(f"&L…{fixed}")
    cut = clean_text(reference)
    while cut and _units(codes(cut)) > room:
        cut = cut[:-1]
    return f"&L{codes(cut.rstrip())}…{fixed}"


def _page_setup(ws: Sheet, reference: str, title: str, brouillon: bool) -> None:
    ws.print_setup(FIRST - 1, _header_codes(reference, title, brouillon), "&CPage &P / &N")
    ws.protect_structure()


def designation(item: LotItem, lot: Lot, plan: LotPlan, cat: Catalogue | None) -> str:
    """The BPU/DQE designation of a line: the product, then the quality sign it must carry, « ou
    équivalent » (the same label the CCTP row requires and the EGALIM projection counts)."""
    if cat is None:
        return item.libelle
    required = required_label(item, lot.famille, cat, plan.date_lancement)
    if required is None:
        return item.libelle
    return f"{item.libelle} — signe de qualité exigé : {label_requirement(required, cat)}"


def _put(ws: Sheet, row: int, col: int, value: str, style: Style = NO_STYLE) -> None:
    """A literal text cell, in French typography (render.typo)."""
    ws.text(row, col, french(value), style)


def _product_cells(  # noqa: PLR0917  (one call per sheet, every argument needed)
    ws: Sheet, row: int, item: LotItem, lot: Lot, plan: LotPlan, cat: Catalogue | None
) -> None:
    """Code, designation and unit: the first three columns of both sheets, as literal text."""
    unite = cat.unite(item.unite) if cat is not None else item.unite
    for col, value in enumerate((item.produit, designation(item, lot, plan, cat), unite), start=1):
        _put(ws, row, col, value, BOXED)


# Hidden reference columns of the BPU (locked like every cell but the price): the ma-cantine family and the
# EGALIM characteristics of each line, so that the holder's yearly statement and the members' ma-cantine
# imports use the codes the contract fixed. Hidden columns are neither shown nor printed.
MACANTINE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Famille ma-cantine (référence, non modifiable)", 22),
    ("Caractéristiques EGALIM ma-cantine (référence, non modifiable)", 24),
)
MACANTINE_FIRST = 6  # column F


def _macantine_cells(ws: Sheet, row: int, item: LotItem) -> None:
    ws.text(row, MACANTINE_FIRST, item.famille_macantine)
    ws.text(row, MACANTINE_FIRST + 1, ",".join(item.caracteristiques_egalim))


def _bpu(ws: Sheet, plan: LotPlan, lot: Lot, brouillon: bool, cat: Catalogue | None) -> None:
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
        ],
    )
    for offset, (name, width) in enumerate(MACANTINE_COLUMNS):
        _put(ws, FIRST - 1, MACANTINE_FIRST + offset, name, HEAD)
        ws.column(MACANTINE_FIRST + offset, width, hidden=True)
    for row, item in enumerate(lot.items, start=FIRST):
        _product_cells(ws, row, item, lot, plan, cat)
        ws.blank(row, 4, PRICE)
        ws.number(row, 5, item.tva / 100, {**_BOX, "num_format": _rate_format(item.tva)})
        _macantine_cells(ws, row, item)
    if lot.items:
        ws.non_negative_rule(
            FIRST,
            4,
            FIRST + len(lot.items) - 1,
            "Prix invalide",
            "Saisissez un prix hors taxes positif ou nul, en euros.",
        )
    _page_setup(ws, ref, f"BPU — lot {lot.numero}", brouillon)


def _dqe(ws: Sheet, plan: LotPlan, lot: Lot, brouillon: bool, cat: Catalogue | None) -> None:
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
        qty_style = {**_BOX, "num_format": _qty_format(item.quantite_annuelle)}
        ws.number(row, 4, item.quantite_annuelle, qty_style)
        ws.formula(row, 5, f"=BPU!D{row}", EURO_BOXED)
        ws.formula(row, 6, f"=ROUND(D{row}*E{row},2)", EURO_BOXED)
        ws.formula(row, 7, f"=BPU!E{row}", {**_BOX, "num_format": _rate_format(item.tva)})
    row = last + 2
    totals: list[tuple[str, str]] = [("Total HT", f"=SUM(F{FIRST}:F{last})")]
    for rate in sorted({item.tva for item in lot.items}):
        fraction = format(rate / 100, "f")
        label = f"TVA à {format(rate.normalize(), 'f').replace('.', ',')}\u00a0%"
        totals.append((label, f"=ROUND(SUMIF(G{FIRST}:G{last},{fraction},F{FIRST}:F{last})*{fraction},2)"))
    first_total = row
    for label, formula in totals:
        _put(ws, row, 5, label, BOLD)
        ws.formula(row, 6, formula, EURO_BOLD)
        row += 1
    ws.text(row, 5, "Total TTC", BOLD)
    ws.formula(row, 6, f"=SUM(F{first_total}:F{row - 1})", EURO_BOLD)
    row += 2
    ws.text(row, 2, "Montant maximum de l'accord-cadre sur la durée totale (HT)", BOLD)
    ws.number(row, 6, lot.montant_maximum_ht, EURO_BOLD)
    if lot.montant_minimum_ht is not None:
        row += 1
        ws.text(row, 2, "Montant minimum de l'accord-cadre sur la durée totale (HT)")
        ws.number(row, 6, lot.montant_minimum_ht, EURO_PLAIN)
    _page_setup(ws, ref, f"DQE — lot {lot.numero}", brouillon)


def render_bpu_dqe(plan: LotPlan, lot: Lot, brouillon: bool = False, cat: Catalogue | None = None) -> bytes:
    """The lot's ``Lot_NN_BPU_DQE.xlsx`` as deterministic bytes (recalculated when opened)."""
    book = Book()
    _bpu(book.sheet("BPU"), plan, lot, brouillon, cat)
    _dqe(book.sheet("DQE"), plan, lot, brouillon, cat)
    return book.bytes(f"BPU et DQE — lot {lot.numero} : {lot.intitule}", plan.groupement.reference)
