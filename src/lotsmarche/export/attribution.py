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
from lotsmarche.export.tabfile import Table, parse_bool, parse_date, parse_decimal, parse_share, read_table
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
    unknown = sorted(set(table.colonnes) - set(COLUMNS))
    for key in unknown:
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
        cells = row.cells

        def bad(column: str, message: str, row_number: int = row.ligne) -> None:
            problems.add(message, ligne=row_number, colonne=table.colonnes.get(column, column), **where)

        def value(column: str, parse: Any, cells: dict[str, str] = cells) -> Any:
            text = cells.get(column, "").strip()
            if not text:
                return None
            parsed = parse(text)
            if isinstance(parsed, str):
                bad(column, parsed)
                return None
            return parsed

        lot_text = cells.get("lot", "").strip()
        lot_text = re.sub(r"^(lot\s*(n°|no)?\s*)", "", lot_text, flags=re.IGNORECASE)
        if not lot_text.isdigit() or int(lot_text) not in numbers:
            bad(
                "lot",
                f"numéro de lot inconnu du plan (lu : « {cells.get('lot', '')} ») ; lots : "
                f"{', '.join(str(n) for n in sorted(numbers))}",
            )
            continue
        numero = int(lot_text)
        if numero in out:
            bad("lot", f"le lot {numero} figure déjà à la ligne {out[numero].ligne}")
            continue
        kind = cells.get("titulaire_type", "").strip().upper() or "SIRET"
        if kind not in TYPES_IDENTIFIANT:
            bad(
                "titulaire_type",
                f"type d'identifiant inconnu (« {kind} ») ; valeurs : {', '.join(TYPES_IDENTIFIANT)}",
            )
        holders: list[tuple[str, str]] = []
        for ident in (t.strip().replace(" ", "") for t in cells.get("titulaire_siret", "").split("+")):
            if not ident:
                continue
            if kind == "SIRET" and not SIRET.match(ident):
                bad("titulaire_siret", f"SIRET de 14 chiffres attendu (lu : « {ident} »)")
                continue
            holders.append((kind, ident))
        buyer = cells.get("acheteur_siret", "").strip().replace(" ", "")
        if buyer and not SIRET.match(buyer):
            bad("acheteur_siret", f"SIRET de 14 chiffres attendu (lu : « {buyer} »)")
            buyer = ""
        ident = cells.get("identifiant", "").strip()
        if ident and len(ident) > 16:
            bad("identifiant", f"16 caractères au plus (lu : {len(ident)} caractères)")
            ident = ""
        offers = value("offres_recues", _positive_int)
        amount = value("montant", parse_decimal)
        if amount is not None and amount < 1:
            bad("montant", "montant HT d'au moins 1 € attendu")
            amount = None
        grouping = cells.get("groupement_operateurs", "").strip()
        grouping_value = GROUPEMENTS.get(fold(grouping)) if grouping else None
        if grouping and grouping_value is None:
            bad(
                "groupement_operateurs",
                f"valeurs possibles : Conjoint, Solidaire, Pas de groupement (lu : « {grouping} »)",
            )
        ue = value("origine_ue", parse_share)
        france = value("origine_france", parse_share)
        if ue is not None and france is not None and france > ue:
            bad(
                "origine_france",
                "la part des produits français ne peut pas dépasser celle des produits de l'UE",
            )
        notified = value("date_notification", parse_date)
        published = value("date_publication", parse_date)
        if notified is not None and published is not None and published < notified:
            bad("date_publication", "la publication des données ne peut pas précéder la notification")
        rate = value("taux_avance", parse_share)
        out[numero] = Attribution(
            lot=numero,
            ligne=row.ligne,
            titulaires=tuple(holders),
            date_notification=notified,
            date_publication=published,
            offres_recues=offers,
            montant=amount,
            avance=value("avance", parse_bool),
            taux_avance=rate,
            groupement_operateurs=grouping_value,
            sous_traitance=value("sous_traitance", parse_bool),
            origine_ue=ue,
            origine_france=france,
            acheteur_siret=buyer or None,
            identifiant=ident or None,
        )
    problems.raise_if_any("Fichier d'attribution invalide", InputError)
    return out


def _positive_int(text: str) -> int | str:
    value = parse_decimal(text)
    if isinstance(value, str) or value != value.to_integral_value() or value < 1:
        return f"nombre entier d'au moins 1 attendu (lu : « {text} »)"
    return int(value)
