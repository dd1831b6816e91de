"""The sourcing table (CSV or XLSX, one row per supplier), read with the intake machinery.

Separators, encodings, title rows and French headers are handled as for the demand. Columns:
``fournisseur`` (or ``nom``), ``type``, ``familles``, ``conservations``, ``groupes_especes``, ``produits``,
``capacite_annuelle_ht``, ``capacite_annuelle_kg``, ``zones``, ``livraison_reemployable`` (oui/non),
``labels``, ``circuit_court`` (oui/non), and the questionnaire's answers: ``siret``, ``commune`` (a name,
« insee:62160 » or « 62200 Boulogne-sur-Mer »), ``jours_livraison`` (lundi|jeudi),
``frequence_livraison``, ``labels_echeances`` (``BIO:2027-12-31|MSC:2028-03-01``), ``agrement_sanitaire``,
``minimum_commande_ht``, ``candidature`` (seul, groupement, seul_ou_groupement), ``volumes_mensuels`` and
``source`` (the file the answers came from).

``volumes_mensuels`` holds the month-level volumes: one entry per product, entries separated by ``|``, each
``CODE:janvier/février/…/décembre`` in the product's catalogue unit (French decimals accepted), e.g.
``MER-HARENG-FUME-RE:200/200/0/0/0/0/0/0/0/0/150/200``. Lists are separated by ``|`` or ``,``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lotsmarche.intake.headers import _keys, field_of, map_headers
from lotsmarche.intake.tabular import FORMULA_ERRORS, RawTable, header_tables
from lotsmarche.models import CONSERVATIONS, Supplier
from lotsmarche.sourcing.common import (
    CANDIDATURES,
    DAYS,
    MONTHS,
    Reading,
    amount,
    choice,
    counted_labels,
    parse_date,
    siret_error,
    volume,
    yes_no,
)
from lotsmarche.text import fold

ALIASES: dict[str, frozenset[str]] = {
    "nom": _keys("fournisseur", "nom", "raison sociale", "supplier", "name", "entreprise"),
    "type": _keys("type", "type de fournisseur", "kind"),
    "familles": _keys("familles", "famille", "families"),
    "conservations": _keys("conservations", "conservation"),
    "groupes_especes": _keys(
        "groupes_especes", "groupes d'espèces", "groupe d'espèces", "especes", "espèces"
    ),
    "produits": _keys("produits", "codes produits", "products"),
    "capacite_annuelle_ht": _keys(
        "capacite_annuelle_ht",
        "capacité annuelle ht",
        "capacité annuelle (€ ht)",
        "capacite ht",
        "capacité €",
        "capacity",
    ),
    "capacite_annuelle_kg": _keys(
        "capacite_annuelle_kg", "capacité annuelle kg", "capacité annuelle (kg)", "capacite kg", "tonnage"
    ),
    "zones": _keys("zones", "zone", "zones de livraison", "territoires", "delivery zones"),
    "livraison_reemployable": _keys(
        "livraison_reemployable", "livraison réemployable", "emballages réemployables", "reemployable"
    ),
    "labels": _keys("labels", "label", "signes de qualité"),
    "circuit_court": _keys("circuit_court", "circuit court", "short supply chain"),
    "siret": _keys("siret"),
    "commune": _keys("commune", "commune_insee", "code insee"),
    "jours_livraison": _keys("jours_livraison", "jours de livraison"),
    "frequence_livraison": _keys("frequence_livraison", "fréquence de livraison", "frequence"),
    "labels_echeances": _keys("labels_echeances", "échéances des labels", "echeances"),
    "agrement_sanitaire": _keys("agrement_sanitaire", "agrément sanitaire", "numéro d'agrément"),
    "minimum_commande_ht": _keys("minimum_commande_ht", "minimum de commande", "minimum de commande (€ ht)"),
    "candidature": _keys("candidature"),
    "volumes_mensuels": _keys("volumes_mensuels", "volumes mensuels"),
    "source": _keys("source"),
}
_LIST_SPLIT = re.compile(r"[|,;]")


def _is_header(row: list[str]) -> bool:
    fields = {field_of(c, ALIASES) for c in row}
    return "nom" in fields and "familles" in fields


def read_table(path: Path, reading: Reading) -> list[Supplier]:
    """Suppliers of one sourcing table; every problem goes to ``reading.problems``."""
    tables = header_tables(path, _is_header, reading.problems.add, "« fournisseur » et « familles »")
    suppliers: list[Supplier] = []
    for t in tables:
        cols = {f: pos for pos, f in map_headers(t.headers, ALIASES).items()}
        for i in range(len(t.data)):
            row = _Row(t, cols, i, reading=reading).read()
            if row is not None:
                suppliers.append(row)
    return suppliers


class _Row:
    """One line of the sourcing file: each column checked in turn, every problem reported."""

    def __init__(self, t: RawTable, cols: dict[str, int], i: int, *, reading: Reading) -> None:
        self.t, self.cols, self.i = t, cols, i
        self.reading, self.cat = reading, reading.cat
        self.where = {"fichier": t.fichier, "feuille": t.feuille or None, "ligne": int(t.rows[i])}
        self.bad = False

    def cell(self, f: str) -> str:
        return str(self.t.data.iat[self.i, self.cols[f]]).strip() if f in self.cols else ""

    def col(self, f: str) -> str:
        return self.t.headers[self.cols[f]] if f in self.cols else f

    def add(self, message: str, f: str) -> None:
        self.reading.problems.add(message, colonne=self.col(f), **self.where)
        self.bad = True

    def read(self) -> Supplier | None:
        row: dict[str, Any] = {"nom": self.cell("nom"), "type": self.cell("type") or "non précisé"}
        for f in ALIASES:
            if self.cell(f) in FORMULA_ERRORS:
                self.add(f"erreur de formule « {self.cell(f)} »", f)
        if not row["nom"]:
            self.add("nom du fournisseur manquant", "nom")
        row["familles"] = self.families()
        for f, allowed in (
            ("conservations", set(CONSERVATIONS)),
            ("produits", set(self.cat.produits)),
            ("labels", set(self.cat.labels)),
        ):
            items = self.known(f, allowed)
            row[f] = items if f == "labels" else items or None
        row["groupes_especes"] = _items(self.cell("groupes_especes")) or None
        row["zones"] = self.zones()
        for f in ("capacite_annuelle_ht", "capacite_annuelle_kg"):
            row[f] = self.capacity(f)
        for f in ("livraison_reemployable", "circuit_court"):
            row[f] = self.flag(f)
        self.answers(row)
        if self.bad:
            return None
        where = self.t.fichier + (f", feuille « {self.t.feuille} »" if self.t.feuille else "")
        place = f"{where}, ligne {self.where['ligne']}"
        row["labels"] = counted_labels(
            self.reading, row["nom"], place, row["labels"], row["labels_echeances"]
        )
        row["source"] = self.cell("source") or where
        return self.validated(row)

    def answers(self, row: dict[str, Any]) -> None:
        """The questionnaire's columns (all optional in a hand-written table)."""
        siret = "".join(self.cell("siret").split())
        if siret and (err := siret_error(siret)):
            self.add(err, "siret")
        row["siret"] = siret or None
        row["commune_insee"] = self.commune()
        days = [fold(d) for d in _items(self.cell("jours_livraison"))]
        for d in days:
            if d not in DAYS:
                self.add(f"jour « {d} » inconnu ; jours possibles : {', '.join(DAYS)}", "jours_livraison")
        row["jours_livraison"] = [d for d in DAYS if d in days]
        row["frequence_livraison"] = self.cell("frequence_livraison") or None
        row["labels_echeances"] = self.echeances()
        row["agrement_sanitaire"] = self.cell("agrement_sanitaire") or None
        row["minimum_commande_ht"] = None
        if text := self.cell("minimum_commande_ht"):
            value = amount(text, "minimum de commande")
            if isinstance(value, str):
                self.add(value, "minimum_commande_ht")
            else:
                row["minimum_commande_ht"] = value
        row["candidature"] = None
        if text := self.cell("candidature"):
            row["candidature"] = choice(text, CANDIDATURES)
            if row["candidature"] is None:
                self.add(
                    f"candidature « {text} » inconnue ; valeurs possibles : {', '.join(CANDIDATURES)}",
                    "candidature",
                )
        row["volumes_mensuels"] = self.volumes()

    def commune(self) -> str | None:
        text = self.cell("commune")
        if not text:
            return None
        found = self.cat.trouver_commune(text)
        if found.code is None:
            self.add(f"commune « {text} » : {found.erreur or 'introuvable'}", "commune")
        return found.code

    def echeances(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for entry in [e.strip() for e in self.cell("labels_echeances").split("|") if e.strip()]:
            code, _sep, when = entry.partition(":")
            code = code.strip()
            expiry = parse_date(when)
            if code not in self.cat.labels:
                self.add(f"label « {code} » inconnu", "labels_echeances")
            elif expiry is None:
                self.add(f"« {entry} » : CODE:AAAA-MM-JJ attendu (ex. BIO:2027-12-31)", "labels_echeances")
            else:
                out[code] = expiry
        return out

    def volumes(self) -> dict[str, tuple[Decimal, ...]] | None:
        text = self.cell("volumes_mensuels")
        if not text:
            return None
        out: dict[str, tuple[Decimal, ...]] = {}
        for entry in [e.strip() for e in text.split("|") if e.strip()]:
            code, _sep, rest = entry.partition(":")
            code = code.strip()
            values = rest.split("/")
            if code not in self.cat.produits:
                self.add(f"produit « {code} » inconnu du catalogue", "volumes_mensuels")
                continue
            if len(values) != len(MONTHS):
                self.add(
                    f"« {code} » : {len(MONTHS)} volumes séparés par « / » attendus (janvier à décembre), "
                    f"{len(values)} lus",
                    "volumes_mensuels",
                )
                continue
            months: list[Decimal] = []
            for name, v in zip(MONTHS, values, strict=True):
                parsed = volume(v.strip()) if v.strip() else Decimal(0)
                if isinstance(parsed, str):
                    self.add(f"« {code} », {name} : {parsed}", "volumes_mensuels")
                    parsed = Decimal(0)
                months.append(parsed)
            if code in out:
                self.add(f"produit « {code} » indiqué deux fois", "volumes_mensuels")
            out[code] = tuple(months)
        return out or None

    def families(self) -> list[str]:
        families = _items(self.cell("familles"))
        for fam in families:
            if fam not in self.cat.familles:
                known = ", ".join(sorted(self.cat.familles))
                self.add(f"famille « {fam} » inconnue ; familles possibles : {known}", "familles")
        if not families:
            self.add("au moins une famille est attendue", "familles")
        return families

    def known(self, f: str, allowed: set[str]) -> list[str]:
        items = _items(self.cell(f))
        for item in items:
            if item not in allowed:
                self.add(
                    f"valeur « {item} » inconnue ; valeurs possibles : "
                    f"{', '.join(sorted(allowed)[:20])}" + ("…" if len(allowed) > 20 else ""),
                    f,
                )
        return items

    def zones(self) -> list[str]:
        zones: list[str] = []
        for z in _items(self.cell("zones")) or ["*"]:
            if z == "*":
                zones.append("*")
            elif (named := self.cat.zone(z)) is not None:
                # A territory (department map or EPCI), or a department: each of its territories.
                zones.extend(t for t in named if t not in zones)
            else:
                self.add(
                    f"zone « {z} » inconnue ; zones possibles : un territoire "
                    f"({', '.join(self.cat.territoires_cartes())}), un EPCI (nom officiel ou SIREN, ex. "
                    "« Bordeaux Métropole »), un département (code ou nom, ex. « 62 » ou « Gironde ») "
                    "ou « * »",
                    "zones",
                )
        return zones

    def capacity(self, f: str) -> Decimal | None:
        text = self.cell(f)
        if not text:
            return None
        value = amount(text, "capacité")
        if isinstance(value, Decimal) and value > 0:
            return value
        self.add(
            value if isinstance(value, str) else f"capacité « {text} » nulle : laissez vide si inconnue", f
        )
        return None

    def flag(self, f: str) -> bool:
        value = yes_no(self.cell(f))
        if value is None:
            self.add(f"« {self.cell(f)} » : oui ou non attendu", f)
        return bool(value)

    def validated(self, row: dict[str, Any]) -> Supplier | None:
        try:
            return Supplier.model_validate(row)
        except ValidationError as exc:
            for err in exc.errors():
                self.reading.problems.add(
                    f"valeur invalide ({err.get('msg', '')})",
                    colonne=".".join(map(str, err["loc"])),
                    **self.where,
                )
            return None


def _items(text: str) -> list[str]:
    return [x.strip() for x in _LIST_SPLIT.split(text) if x.strip()]
