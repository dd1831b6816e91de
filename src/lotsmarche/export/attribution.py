"""The award file (« fichier d'attribution »): what the DECP records need once each lot is notified.

CSV (separator ``;`` or ``,``, UTF-8 or Windows-1252) or XLSX (first sheet with the header), one row per
awarded lot. Column titles are matched without regard to case, accents or spaces. Only ``lot`` is required;
an empty cell means « not known yet » and the field stays listed as missing.

=========================  ========================================================================
colonne                    valeur
=========================  ========================================================================
lot                        numéro du lot dans lots.json
titulaire_siret            SIRET du titulaire (14 chiffres) ; co-titulaires séparés par « + »
titulaire_type             facultatif : SIRET (défaut), TVA, TAHITI, RIDET, FRWF, IREP ou HORS-UE
date_notification          AAAA-MM-JJ ou JJ/MM/AAAA
date_publication           date de publication des données essentielles
offres_recues              nombre entier ≥ 1
montant                    facultatif : montant HT si différent du maximum du lot
avance                     oui / non ; taux_avance facultatif (« 5 % » ou « 0,05 »)
groupement_operateurs      Conjoint, Solidaire ou Pas de groupement
sous_traitance             oui / non
origine_ue, origine_france part des produits (« 62 % » ou « 0,62 ») ; France ≤ UE
acheteur_siret             facultatif : SIRET de l'acheteur si groupement.yaml ne le donne pas
identifiant                facultatif : identifiant du marché (16 caractères au plus)
=========================  ========================================================================
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lotsmarche.errors import InputError, ProblemCollector
from lotsmarche.export.decp import Attribution
from lotsmarche.export.tabfile import (
    Row,
    Table,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_share,
    read_table,
)
from lotsmarche.models import LotPlan
from lotsmarche.text import fold

COLUMNS = (
    "lot",
    "titulaire_siret",
    "titulaire_type",
    "date_notification",
    "date_publication",
    "offres_recues",
    "montant",
    "avance",
    "taux_avance",
    "groupement_operateurs",
    "sous_traitance",
    "origine_ue",
    "origine_france",
    "acheteur_siret",
    "identifiant",
)
TYPES_IDENTIFIANT = ("SIRET", "TVA", "TAHITI", "RIDET", "FRWF", "IREP", "HORS-UE")
GROUPEMENTS = {"conjoint": "Conjoint", "solidaire": "Solidaire", "pas de groupement": "Pas de groupement"}
SIRET = re.compile(r"^\d{14}$")


def read_attribution(path: Path, plan: LotPlan) -> dict[int, Attribution]:
    """The award file ``path``, checked against ``plan``; InputError listing every bad cell."""
    return parse_attribution(read_table(path, set(COLUMNS)), plan)


def parse_attribution(table: Table, plan: LotPlan) -> dict[int, Attribution]:
    problems = ProblemCollector()
    where: dict[str, Any] = {"fichier": table.fichier, "feuille": table.feuille}
    for key in sorted(set(table.colonnes) - set(COLUMNS)):
        problems.add(
            f"colonne inconnue ; colonnes possibles : {', '.join(COLUMNS)}",
            colonne=table.colonnes[key],
            **where,
        )
    if "lot" not in table.colonnes:
        problems.add("colonne « lot » absente (numéro du lot dans lots.json)", ligne=1, **where)
        problems.raise_if_any("Fichier d'attribution invalide")
    numbers = {lot.numero for lot in plan.lots}
    out: dict[int, Attribution] = {}
    for row in table.rows:
        reader = _RowReader(table, row, problems, where)
        numero = reader.lot(numbers, out)
        if numero is not None:
            out[numero] = reader.attribution(numero)
    problems.raise_if_any("Fichier d'attribution invalide", InputError)
    return out


class _RowReader:
    """One row of the award file: each value parsed, each bad cell reported with its row and column."""

    def __init__(self, table: Table, row: Row, problems: ProblemCollector, where: dict[str, Any]) -> None:
        self.table, self.row, self.problems, self.where = table, row, problems, where

    def bad(self, column: str, message: str) -> None:
        colonne = self.table.colonnes.get(column, column)
        self.problems.add(message, ligne=self.row.ligne, colonne=colonne, **self.where)

    def text(self, column: str) -> str:
        return self.row.cells.get(column, "").strip()

    def value(self, column: str, parse: Any) -> Any:
        text = self.text(column)
        if not text:
            return None
        parsed = parse(text)
        if isinstance(parsed, str):
            self.bad(column, parsed)
            return None
        return parsed

    def lot(self, numbers: set[int], seen: dict[int, Attribution]) -> int | None:
        raw = self.text("lot")
        digits = re.sub(r"^(lot\s*(n°|no)?\s*)", "", raw, flags=re.IGNORECASE)
        if not digits.isdigit() or int(digits) not in numbers:
            known = ", ".join(str(n) for n in sorted(numbers))
            self.bad("lot", f"numéro de lot inconnu du plan (lu : « {raw} ») ; lots : {known}")
            return None
        numero = int(digits)
        if numero in seen:
            self.bad("lot", f"le lot {numero} figure déjà à la ligne {seen[numero].ligne}")
            return None
        return numero

    def siret(self, column: str) -> str | None:
        text = self.text(column).replace(" ", "")
        if text and not SIRET.match(text):
            self.bad(column, f"SIRET de 14 chiffres attendu (lu : « {text} »)")
            return None
        return text or None

    def holders(self) -> tuple[tuple[str, str], ...]:
        kind = self.text("titulaire_type").upper() or "SIRET"
        if kind not in TYPES_IDENTIFIANT:
            valeurs = ", ".join(TYPES_IDENTIFIANT)
            self.bad("titulaire_type", f"type d'identifiant inconnu (« {kind} ») ; valeurs : {valeurs}")
        out: list[tuple[str, str]] = []
        for ident in (t.strip().replace(" ", "") for t in self.text("titulaire_siret").split("+")):
            if not ident:
                continue
            if kind == "SIRET" and not SIRET.match(ident):
                self.bad("titulaire_siret", f"SIRET de 14 chiffres attendu (lu : « {ident} »)")
                continue
            out.append((kind, ident))
        return tuple(out)

    def grouping(self) -> str | None:
        text = self.text("groupement_operateurs")
        value = GROUPEMENTS.get(fold(text)) if text else None
        if text and value is None:
            self.bad(
                "groupement_operateurs",
                f"valeurs possibles : Conjoint, Solidaire, Pas de groupement (lu : « {text} »)",
            )
        return value

    def identifier(self) -> str | None:
        text = self.text("identifiant")
        if len(text) > 16:
            self.bad("identifiant", f"16 caractères au plus (lu : {len(text)} caractères)")
            return None
        return text or None

    def attribution(self, numero: int) -> Attribution:
        amount = self.value("montant", parse_decimal)
        if amount is not None and amount < 1:
            self.bad("montant", "montant HT d'au moins 1 € attendu")
            amount = None
        ue = self.value("origine_ue", parse_share)
        france = self.value("origine_france", parse_share)
        if ue is not None and france is not None and france > ue:
            self.bad(
                "origine_france",
                "la part des produits français ne peut pas dépasser celle des produits de l'UE",
            )
        notified = self.value("date_notification", parse_date)
        published = self.value("date_publication", parse_date)
        if notified is not None and published is not None and published < notified:
            self.bad("date_publication", "la publication des données ne peut pas précéder la notification")
        return Attribution(
            lot=numero,
            ligne=self.row.ligne,
            titulaires=self.holders(),
            date_notification=notified,
            date_publication=published,
            offres_recues=self.value("offres_recues", _positive_int),
            montant=amount,
            avance=self.value("avance", parse_bool),
            taux_avance=self.value("taux_avance", parse_share),
            groupement_operateurs=self.grouping(),
            sous_traitance=self.value("sous_traitance", parse_bool),
            origine_ue=ue,
            origine_france=france,
            acheteur_siret=self.siret("acheteur_siret"),
            identifiant=self.identifier(),
        )


def _positive_int(text: str) -> int | str:
    value = parse_decimal(text)
    if isinstance(value, str) or value != value.to_integral_value() or value < 1:
        return f"nombre entier d'au moins 1 attendu (lu : « {text} »)"
    return int(value)
