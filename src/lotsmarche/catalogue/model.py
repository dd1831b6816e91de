"""The in-memory catalogue: every reference table, validated, with pure lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from lotsmarche.errors import CatalogueError, InputError, Problem
from lotsmarche.models import (
    Clause,
    Commune,
    CriteriaSet,
    Famille,
    Label,
    LegalParameter,
    LintPattern,
    Packaging,
    PackagingRule,
    Product,
    Supplier,
    ThresholdRow,
    Unite,
)

PARAMETRES_FILE = "parametres.yaml"
# Parameters the rules read, with the kind of value each must hold (checked at load: a missing or mistyped
# legal value is a catalogue error, never a crash in the middle of a rule).
PARAMETRES_ATTENDUS: dict[str, type] = {
    "loi_climat_criteres_environnementaux": date,
    "duree_max_accord_cadre_mois": int,
    "revision_duree_min_mois": int,
    "egalim_part_durable": Decimal,
    "egalim_part_bio": Decimal,
    "egalim_part_viande_poisson": Decimal,
    "egalim_part_viande_poisson_etat": Decimal,
}
KIND_TEXT: dict[type, str] = {
    date: "une date AAAA-MM-JJ est attendue",
    int: "un nombre entier est attendu",
    Decimal: "un nombre décimal est attendu (part en fraction : 0.50 pour 50 %)",
}


def kind_ok(value: object, kind: type) -> bool:
    """Whether a parameter value has the expected kind (a whole number is accepted for a share)."""
    if kind is Decimal:
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, date)


@dataclass(frozen=True)
class Catalogue:
    dossier: Path  # where it was loaded from
    familles: dict[str, Famille]
    produits: dict[str, Product]
    conditionnements: dict[str, Packaging]
    labels: dict[str, Label]
    seuils: list[ThresholdRow]  # sorted by `du`
    communes: dict[str, Commune]  # by INSEE code
    codes_postaux: dict[str, list[str]]  # postcode -> INSEE codes (sorted)
    fournisseurs: list[Supplier]  # illustrative supplier profiles (used when no sourcing is given)
    clauses: list[Clause]
    criteres: list[CriteriaSet]
    regles_emballage: list[PackagingRule]
    lint: list[LintPattern]
    cpv: dict[str, str]  # official CPV code -> French label (the subset shipped)
    indices: dict[str, str] = field(default_factory=dict)  # INSEE series id -> "type – libellé"
    versions: dict[str, str] = field(default_factory=dict)  # file name -> "date" / version line
    parametres: dict[str, LegalParameter] = field(default_factory=dict)  # legal values by code
    unites: dict[str, Unite] = field(default_factory=dict)  # unit code -> label shown to users

    def unite(self, code: str, quantite: object = 1) -> str:
        """The label of unit ``code`` users read (« pièce », « pièces » when ``quantite`` > 1)."""
        unit = self.unites.get(code)
        if unit is None:
            return code
        try:
            plural = float(str(quantite)) >= 2
        except ValueError:
            plural = False
        return unit.pluriel if plural else unit.libelle

    def parametre(self, code: str) -> LegalParameter:
        """The legal parameter ``code`` of parametres.yaml; CatalogueError naming the file and code."""
        param = self.parametres.get(code)
        if param is None:
            self._param_error(code, "paramètre absent du catalogue")
        return param

    def parametre_date(self, code: str) -> date:
        value = self.parametre(code).valeur
        if not isinstance(value, date):
            self._param_error(code, f"{KIND_TEXT[date]} (lu : {value})")
        return value

    def parametre_int(self, code: str) -> int:
        value = self.parametre(code).valeur
        if not isinstance(value, int):
            self._param_error(code, f"{KIND_TEXT[int]} (lu : {value})")
        return value

    def parametre_decimal(self, code: str) -> Decimal:
        value = self.parametre(code).valeur
        if isinstance(value, date):
            self._param_error(code, f"{KIND_TEXT[Decimal]} (lu : {value})")
        return Decimal(value)

    def _param_error(self, code: str, message: str) -> NoReturn:
        champ = "" if code not in self.parametres else ", champ « valeur »"
        raise CatalogueError(
            "Catalogue invalide",
            [Problem(f"entrée « {code} »{champ} : {message}", fichier=str(self.dossier / PARAMETRES_FILE))],
        )

    def seuils_pour(self, launch: date) -> ThresholdRow:
        """The thresholds row in force on the consultation launch date (``du <= launch <= au``)."""
        for row in self.seuils:
            if row.du <= launch <= row.au:
                return row
        first, last = self.seuils[0].du, self.seuils[-1].au
        raise InputError(
            "Date de lancement hors du tableau des seuils",
            [
                Problem(
                    f"aucune ligne de seuils ne couvre le {launch.isoformat()} ; le catalogue des seuils "
                    f"couvre du {first.isoformat()} au {last.isoformat()}. Complétez seuils.yaml ou "
                    "choisissez une autre date de lancement."
                )
            ],
        )

    def territoire_du_code_postal(self, code_postal: str) -> str | None:
        """Territory of a postcode (the first commune's, communes of one postcode share a territory here)."""
        codes = self.codes_postaux.get(code_postal)
        if not codes:
            return None
        return self.communes[codes[0]].territoire

    def commune(self, nom_ou_code: str) -> Commune | None:
        """Find a commune by INSEE code or by name (case and accents ignored)."""
        if nom_ou_code in self.communes:
            return self.communes[nom_ou_code]
        from lotsmarche.text import fold

        key = fold(nom_ou_code)
        for c in self.communes.values():
            if fold(c.nom) == key:
                return c
        return None
