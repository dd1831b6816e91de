"""Check a filled purchase statement and turn it into ma-cantine import rows, one set per SIRET.

The statement is the workbook of :mod:`lotsmarche.macantine.template` (sheet « Relevé ») or any CSV/XLSX
with the same columns or with ma-cantine's own import columns (``siret``, ``description``, ``date``,
``prix_ht``, ``famille_produits``, ``categories_egalim``, ``origine``…). Each row is checked against
ma-cantine's Table Schema (required values, dates, numbers, enumerations) and, with the plan, against the
lot: a SIRET that is not one of the lot's sites, a product outside the lot, a characteristic the product's
family may not carry, a characteristic the contract does not require (a warning: it may be true, but the
contract does not guarantee it), and the statement's total beyond the lot's maximum. Every problem names
the file, the sheet, the row and the column. Errors stop the conversion (:class:`InputError`); warnings
are returned with the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.export.tabfile import Row, Table, parse_date, parse_decimal, read_table
from lotsmarche.macantine.codes import caracteristiques, validate_import_row
from lotsmarche.macantine.template import META_SHEET, SHEET, lot_of, lot_sites
from lotsmarche.models import Lot, LotPlan

# canonical column -> accepted column keys (lotsmarche.export.tabfile.column_key of the titles)
ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "date_livraison_ou_mois", "date_de_livraison", "date_de_l_achat"),
    "siret": ("siret", "siret_du_site"),
    "produit": ("code_produit", "produit"),
    "description": ("description", "designation"),
    "famille_produits": ("famille_produits", "famille_ma_cantine"),
    "contrat": ("caracteristiques_prevues_au_contrat",),
    "categories_egalim": ("categories_egalim", "caracteristiques_egalim_livrees", "caracteristiques_egalim"),
    "origine": ("origine", "origine_france_europe"),
    "prix_ht": ("prix_ht", "montant_ht", "montant_ht_eur"),
    "facture": ("n_de_facture", "numero_de_facture", "facture"),
    "fournisseur": ("fournisseur",),
    "est_circuit_court": ("est_circuit_court",),
    "est_local": ("est_local",),
    "definition_local": ("definition_local",),
    "definition_local_km": ("definition_local_km",),
}
KEY_TO_CANON = {key: canon for canon, keys in ALIASES.items() for key in keys}
SIRET = re.compile(r"^\d{14}$")


@dataclass(frozen=True)
class Purchase:
    """One checked statement row, in ma-cantine's terms."""

    ligne: int
    siret: str
    description: str
    fournisseur: str
    date: date
    prix_ht: Decimal
    famille_produits: str
    categories_egalim: tuple[str, ...]
    origine: str
    extra: dict[str, str] = field(default_factory=dict)  # est_circuit_court, est_local, definition_local…

    def import_row(self) -> dict[str, str]:
        """The row of the ma-cantine import file (every schema column, in the schema's order)."""
        from lotsmarche.macantine.codes import field_names

        values = {
            "siret": self.siret,
            "description": self.description,
            "fournisseur": self.fournisseur,
            "date": self.date.isoformat(),
            "prix_ht": format(self.prix_ht.quantize(Decimal("0.01")), "f"),
            "famille_produits": self.famille_produits,
            "categories_egalim": ",".join(self.categories_egalim),
            "origine": self.origine,
            **self.extra,
        }
        return {name: values.get(name, "") for name in field_names()}


@dataclass(frozen=True)
class Statement:
    fichier: str
    feuille: str | None
    reference: str | None
    lot: int | None
    achats: list[Purchase]
    avertissements: list[Problem]


def _meta(path: Path) -> tuple[str | None, int | None, str]:
    """Reference, lot number and holder name written in a statement workbook (None when absent)."""
    if path.read_bytes()[:2] != b"PK":
        return None, None, ""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        holder = ""
        if SHEET in wb.sheetnames:
            for row in wb[SHEET].iter_rows(min_row=2, max_row=2, max_col=2, values_only=True):
                holder = str(row[1] or "").strip()
        if META_SHEET not in wb.sheetnames:
            return None, None, holder
        values = {str(k): v for k, v, *_ in wb[META_SHEET].iter_rows(max_col=2, values_only=True) if k}
        lot = values.get("lot")
        return (
            str(values["reference"]) if values.get("reference") else None,
            int(lot) if isinstance(lot, int | float) else None,
            holder,
        )
    finally:
        wb.close()


def read_statement(
    path: Path, cat: Catalogue, plan: LotPlan | None = None, lot_number: int | None = None
) -> Statement:
    """Read and check the statement ``path``; InputError listing every error (warnings included)."""
    reference, meta_lot, holder = _meta(path)
    sheet = SHEET if reference is not None else None
    table = read_table(path, set(KEY_TO_CANON), sheet=sheet)
    lot: Lot | None = None
    problems: list[Problem] = []
    where = {"fichier": table.fichier, "feuille": table.feuille}
    numero = lot_number if lot_number is not None else meta_lot
    if plan is not None:
        if reference is not None and reference != plan.groupement.reference:
            problems.append(
                Problem(
                    f"relevé de la consultation « {reference} », plan « {plan.groupement.reference} »",
                    **where,  # type: ignore[arg-type]
                )
            )
        if numero is None:
            raise InputError(
                "Lot du relevé inconnu",
                [Problem("indiquez le lot avec --lot (le fichier ne le précise pas)", fichier=table.fichier)],
            )
        lot = lot_of(plan, numero)
    checker = _Checker(table, cat, plan, lot, holder)
    purchases = [p for p in (checker.row(r) for r in table.rows) if p is not None]
    checker.maximum(purchases)
    problems += checker.errors
    if problems:
        raise InputError(f"Relevé non conforme : {len(problems)} erreur(s)", problems + checker.warnings)
    return Statement(table.fichier, table.feuille, reference, numero, purchases, checker.warnings)


class _Checker:
    def __init__(
        self, table: Table, cat: Catalogue, plan: LotPlan | None, lot: Lot | None, holder: str
    ) -> None:
        self.table, self.cat, self.plan, self.lot, self.holder = table, cat, plan, lot, holder
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.columns = {KEY_TO_CANON[k]: title for k, title in table.colonnes.items() if k in KEY_TO_CANON}
        self.items = {it.produit: it for it in lot.items} if lot is not None else {}
        self.sirets = {s.siret for s in lot_sites(plan, lot) if s.siret} if plan and lot else set()
        for key, title in table.colonnes.items():
            if key not in KEY_TO_CANON:
                self._add(
                    self.errors, 1, title, "colonne inconnue du relevé et du format d'import ma-cantine"
                )

    def _add(self, target: list[Problem], ligne: int, colonne: str, message: str) -> None:
        target.append(
            Problem(
                message, fichier=self.table.fichier, feuille=self.table.feuille, ligne=ligne, colonne=colonne
            )
        )

    def error(self, row: Row, canon: str, message: str) -> None:
        self._add(self.errors, row.ligne, self.columns.get(canon, canon), message)

    def warn(self, row: Row, canon: str, message: str) -> None:
        self._add(self.warnings, row.ligne, self.columns.get(canon, canon), "avertissement : " + message)

    def cell(self, row: Row, canon: str) -> str:
        for key, title in self.table.colonnes.items():
            if KEY_TO_CANON.get(key) == canon and title == self.columns.get(canon):
                return row.cells.get(key, "").strip()
        return ""

    def row(self, row: Row) -> Purchase | None:
        before = len(self.errors)
        day = self._date(row)
        siret = self._siret(row)
        amount = self._amount(row)
        famille, description = self._product(row)
        categories = self._categories(row, famille)
        origine = self.cell(row, "origine").upper()
        extra = {
            c: self.cell(row, c)
            for c in ("est_circuit_court", "est_local", "definition_local", "definition_local_km")
            if self.cell(row, c)
        }
        if len(self.errors) > before or day is None or amount is None:
            return None
        purchase = Purchase(
            row.ligne,
            siret,
            description,
            self.cell(row, "fournisseur") or self.holder,
            day,
            amount,
            famille,
            categories,
            origine,
            extra,
        )
        for column, message in validate_import_row(purchase.import_row()):
            self.error(row, column, message)
        return purchase if len(self.errors) == before else None

    def _date(self, row: Row) -> date | None:
        text = self.cell(row, "date")
        if not text:
            self.error(row, "date", "date manquante (AAAA-MM-JJ, ou AAAA-MM pour un mois)")
            return None
        month = re.fullmatch(r"(\d{4})-(\d{2})", text) or re.fullmatch(r"(\d{2})/(\d{4})", text)
        if month:
            a, b = (int(g) for g in month.groups())
            text = f"{a:04d}-{b:02d}-01" if a > 12 else f"{b:04d}-{a:02d}-01"
        parsed = parse_date(text[:10])
        if isinstance(parsed, str):
            self.error(row, "date", parsed)
            return None
        return parsed

    def _siret(self, row: Row) -> str:
        siret = self.cell(row, "siret").replace(" ", "")
        if not SIRET.match(siret):
            self.error(row, "siret", f"SIRET de 14 chiffres attendu (lu : « {siret} »)")
        elif self.lot is not None and siret not in self.sirets:
            known = ", ".join(sorted(self.sirets)) or "aucun SIRET connu"
            self.error(
                row,
                "siret",
                f"site inconnu : ce SIRET n'est pas celui d'un site du lot {self.lot.numero} ({known})",
            )
        return siret

    def _amount(self, row: Row) -> Decimal | None:
        text = self.cell(row, "prix_ht")
        value = parse_decimal(text) if text else "montant HT manquant"
        if isinstance(value, str):
            self.error(row, "prix_ht", value)
            return None
        if value < 0:
            self.error(
                row, "prix_ht", "montant HT négatif : déclarez les avoirs en déduction de la ligne concernée"
            )
            return None
        return value

    def _product(self, row: Row) -> tuple[str, str]:
        code = self.cell(row, "produit")
        if self.lot is None:
            return self.cell(row, "famille_produits").upper(), self.cell(row, "description") or code
        item = self.items.get(code)
        if item is None:
            what = f"« {code} »" if code else "absent"
            self.error(row, "produit", f"produit {what} hors du lot {self.lot.numero} (feuille « Produits »)")
            return "", ""
        return item.famille_macantine, item.libelle

    def _categories(self, row: Row, famille: str) -> tuple[str, ...]:
        text = self.cell(row, "categories_egalim")
        codes = [c.strip().upper() for c in text.split(",") if c.strip()]
        allowed = caracteristiques()
        valid: set[str] = set()
        for code in codes:
            if code not in allowed:
                self.error(
                    row,
                    "categories_egalim",
                    f"caractéristique « {code} » inconnue de ma-cantine ; codes : {', '.join(allowed)}",
                )
                continue
            label = self.cat.labels.get(code)
            if (
                label is not None
                and famille
                and (
                    famille in label.familles_exclues
                    or (label.familles_autorisees is not None and famille not in label.familles_autorisees)
                )
            ):
                self.error(
                    row,
                    "categories_egalim",
                    f"« {code} » ne peut pas être porté par un produit de la famille {famille}",
                )
                continue
            valid.add(code)
        code_produit = self.cell(row, "produit")
        item = self.items.get(code_produit)
        if item is not None:
            extra = sorted(valid - set(item.caracteristiques_egalim))
            if extra:
                required = ", ".join(item.caracteristiques_egalim) or "aucune"
                self.warn(
                    row,
                    "categories_egalim",
                    f"{', '.join(extra)} non exigé(s) par le contrat pour "
                    f"{code_produit} (caractéristiques prévues : {required}) : à justifier par le titulaire",
                )
        return tuple(sorted(set(codes)))

    def maximum(self, purchases: list[Purchase]) -> None:
        """The statement's total may not exceed the lot's maximum over the whole duration."""
        if self.lot is None:
            return
        total = Decimal(0)
        for p in purchases:
            total += p.prix_ht
            if total > self.lot.montant_maximum_ht:
                self._add(
                    self.errors,
                    p.ligne,
                    self.columns.get("prix_ht", "prix_ht"),
                    f"le total du relevé atteint {total} € HT à cette ligne et dépasse le maximum du lot "
                    f"{self.lot.numero} ({self.lot.montant_maximum_ht} € HT sur toute la durée)",
                )
                return
