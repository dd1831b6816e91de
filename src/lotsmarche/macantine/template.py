"""The yearly purchase statement of one lot (« relevé des achats »), the workbook a holder fills.

Sheet « Relevé »: one row per delivery, or per month and product. The holder types the date, the SIRET of
the site (list of the lot's sites), the product code (list of the lot's products), the EGALIM
characteristics actually delivered, the origin, the amount HT and the invoice number; the designation, the
ma-cantine family and the characteristics the contract requires come from the sheet « Produits » by formula,
in locked cells. Sheet « Sites » and « Produits »: the lot's references (locked). Sheet « Instructions ».
Hidden sheet « lotsmarche »: the consultation reference and the lot number, read back by the check.
Every sheet is protected (no password: it guards against slips) except the input cells. Same plan, same
bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lotsmarche.errors import InputError, Problem
from lotsmarche.models import Lot, LotPlan
from lotsmarche.xlsxutil import EURO, FONT, bold, header_cell, non_negative_rule, protect_structure, put_text

SHEET = "Relevé"
PRODUCTS_SHEET = "Produits"
SITES_SHEET = "Sites"
META_SHEET = "lotsmarche"
HEADER_ROW = 4
ROWS = 1000  # pre-formatted input rows

# (title, width, input) — the titles are matched by the check (see lotsmarche.macantine.check.ALIASES)
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Date (livraison ou mois)", 14, True),
    ("SIRET du site", 17, True),
    ("Code produit", 26, True),
    ("Désignation", 40, False),
    ("Famille ma-cantine", 22, False),
    ("Caractéristiques prévues au contrat", 22, False),
    ("Caractéristiques EGALIM livrées", 24, True),
    ("Origine (FRANCE / EUROPE)", 14, True),
    ("Montant HT (€)", 14, True),
    ("N° de facture", 16, True),
)


@dataclass(frozen=True)
class SiteRef:
    membre: str
    siret: str | None
    sites: str  # delivery sites of the member in the lot, joined


def lot_of(plan: LotPlan, numero: int) -> Lot:
    for lot in plan.lots:
        if lot.numero == numero:
            return lot
    numbers = ", ".join(str(lot.numero) for lot in plan.lots)
    raise InputError(
        "Lot inconnu", [Problem(f"le plan n'a pas de lot {numero} ; lots : {numbers}", colonne="--lot")]
    )


def lot_sites(plan: LotPlan, lot: Lot) -> list[SiteRef]:
    """The members of the lot with their SIRET (groupement.yaml) and delivery sites, in name order."""
    sirets = {m.nom: m.siret for m in plan.groupement.membres}
    out = []
    for name in sorted(set(lot.membres)):
        sites = sorted({s.site for s in lot.sites if s.membre == name})
        out.append(SiteRef(name, sirets.get(name), ", ".join(sites)))
    return out


def instructions(plan: LotPlan, lot: Lot) -> list[str]:
    ref = plan.groupement.reference
    return [
        f"Relevé annuel des achats — consultation {ref}, lot n° {lot.numero} : {lot.intitule}",
        "",
        "Ce relevé est demandé par le CCAP (article « Relevé annuel des achats par site au format d'import "
        "ma-cantine »). Il permet à chaque membre d'importer ses achats dans ma-cantine sans ressaisie.",
        "",
        "1. Feuille « Relevé » : une ligne par livraison, ou par mois et par produit. Indiquez le nom du "
        "titulaire en cellule B2.",
        "2. Date : AAAA-MM-JJ (ou AAAA-MM pour un total mensuel, compté au premier jour du mois).",
        "3. SIRET du site : choisissez-le dans la liste (feuille « Sites ») ; un relevé distinct est tiré "
        "pour chaque SIRET.",
        "4. Code produit : choisissez-le dans la liste (feuille « Produits ») ; la désignation, la famille "
        "ma-cantine et les caractéristiques prévues au contrat se remplissent seules.",
        "5. Caractéristiques EGALIM livrées : les codes ma-cantine que le produit livré possède réellement "
        "et que vous pouvez justifier (BIO, LABEL_ROUGE, AOCAOP, IGP, STG, HVE, PECHE_DURABLE, RUP, "
        "COMMERCE_EQUITABLE, FERMIER, EXTERNALITES, PERFORMANCE), séparés par des virgules.",
        "6. Origine : FRANCE, EUROPE (hors France) ou vide. Information seulement : elle ne compte pas "
        "dans les taux EGALIM.",
        "7. Montant HT facturé en euros (virgule ou point décimal), numéro de la facture.",
        "8. Ne modifiez pas les colonnes grisées ni les feuilles « Produits » et « Sites ».",
        "",
        "Contrôle : « lotsmarche macantine check releve.xlsx --plan lots.json --out DOSSIER » vérifie le "
        "relevé (sites, produits, caractéristiques, montants) et écrit un fichier d'import par SIRET.",
    ]


def statement_workbook(plan: LotPlan, numero: int) -> bytes:
    """The statement workbook of lot ``numero`` (deterministic bytes)."""
    from openpyxl import Workbook

    from lotsmarche.xlsxutil import workbook_bytes

    lot = lot_of(plan, numero)
    sites = lot_sites(plan, lot)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    _statement_sheet(ws, plan, lot)
    _validations(ws, lot, sites)
    _products_sheet(wb.create_sheet(PRODUCTS_SHEET), lot)
    _sites_sheet(wb.create_sheet(SITES_SHEET), sites)
    notes = wb.create_sheet("Instructions")
    for r, line in enumerate(instructions(plan, lot), start=1):
        put_text(notes.cell(r, 1), line)
    notes.cell(1, 1).font = bold()
    notes.column_dimensions["A"].width = 120
    protect_structure(notes)
    _meta_sheet(wb.create_sheet(META_SHEET), plan, lot)
    wb.active = 0
    return workbook_bytes(wb, f"Relevé annuel des achats — lot {lot.numero}", plan.groupement.reference)


def _statement_sheet(ws: Any, plan: LotPlan, lot: Lot) -> None:
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    grey = PatternFill("solid", fgColor="E7E6E6")
    put_text(ws.cell(1, 1), f"Relevé annuel des achats — lot n° {lot.numero} : {lot.intitule}")
    ws.cell(1, 1).font = bold(size=13)
    put_text(ws.cell(2, 1), "Titulaire :")
    ws.cell(2, 1).font = bold()
    holder = ws.cell(2, 2)
    holder.protection = Protection(locked=False)
    holder.fill = PatternFill("solid", fgColor="FFF2CC")
    put_text(ws.cell(3, 1), f"Consultation {plan.groupement.reference} — voir la feuille « Instructions ».")
    ws.cell(3, 1).font = Font(name=FONT, italic=True)
    for j, (title, width, editable) in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, j)
        header_cell(cell, title)
        if not editable:
            cell.fill = grey
        ws.column_dimensions[get_column_letter(j)].width = width
    table = f"{PRODUCTS_SHEET}!$A$2:$E${len(lot.items) + 1}"
    unlocked = Protection(locked=False)
    for r in range(HEADER_ROW + 1, HEADER_ROW + ROWS + 1):
        for j, (_title, _w, editable) in enumerate(COLUMNS, start=1):
            cell = ws.cell(r, j)
            if editable:
                cell.protection = unlocked
            else:
                cell.fill = grey
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
        ws.cell(r, 2).number_format = "@"
        ws.cell(r, 9).number_format = EURO
        for j, col in ((4, 2), (5, 4), (6, 5)):
            ws.cell(r, j).value = f'=IF(C{r}="","",IFERROR(VLOOKUP(C{r},{table},{col},FALSE),"?"))'
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    protect_structure(ws)


def _validations(ws: Any, lot: Lot, sites: list[SiteRef]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    first, last = HEADER_ROW + 1, HEADER_ROW + ROWS
    rules = [
        (
            "B",
            f"{SITES_SHEET}!$C$2:$C${len(sites) + 1}",
            "Choisissez le SIRET d'un site du lot (feuille « Sites »).",
        ),
        (
            "C",
            f"{PRODUCTS_SHEET}!$A$2:$A${len(lot.items) + 1}",
            "Choisissez un produit du lot (feuille « Produits »).",
        ),
        ("H", '"FRANCE,EUROPE"', "FRANCE, EUROPE ou vide."),
    ]
    for column, formula, error in rules:
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        rule.error = error
        rule.add(f"{column}{first}:{column}{last}")
        ws.add_data_validation(rule)
    amount = non_negative_rule("Montant invalide", "Saisissez un montant hors taxes positif, en euros.")
    amount.add(f"I{first}:I{last}")
    ws.add_data_validation(amount)


def _products_sheet(ws: Any, lot: Lot) -> None:
    from openpyxl.utils import get_column_letter

    heads = ("Code produit", "Désignation", "Unité", "Famille ma-cantine", "Caractéristiques prévues")
    for j, title in enumerate(heads, start=1):
        header_cell(ws.cell(1, j), title)
    for r, item in enumerate(lot.items, start=2):
        caracteristiques = ",".join(item.caracteristiques_egalim)
        values = (item.produit, item.libelle, item.unite, item.famille_macantine, caracteristiques)
        for j, value in enumerate(values, start=1):
            put_text(ws.cell(r, j), value)
    for j, width in enumerate((26, 44, 8, 22, 24), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    protect_structure(ws)


def _sites_sheet(ws: Any, sites: list[SiteRef]) -> None:
    from openpyxl.utils import get_column_letter

    for j, title in enumerate(("Membre", "Sites de livraison", "SIRET"), start=1):
        header_cell(ws.cell(1, j), title)
    for r, site in enumerate(sites, start=2):
        put_text(ws.cell(r, 1), site.membre)
        put_text(ws.cell(r, 2), site.sites)
        put_text(ws.cell(r, 3), site.siret or "SIRET à demander au membre (absent de groupement.yaml)")
    for j, width in enumerate((40, 30, 20), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    protect_structure(ws)


def _meta_sheet(ws: Any, plan: LotPlan, lot: Lot) -> None:
    from lotsmarche.macantine.codes import familles

    put_text(ws.cell(1, 1), "reference")
    put_text(ws.cell(1, 2), plan.groupement.reference)
    put_text(ws.cell(2, 1), "lot")
    ws.cell(2, 2).value = lot.numero
    put_text(ws.cell(3, 1), "familles")
    put_text(ws.cell(3, 2), ",".join(familles()))
    ws.sheet_state = "hidden"
    protect_structure(ws)
