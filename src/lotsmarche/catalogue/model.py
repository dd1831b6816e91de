"""The in-memory catalogue: every reference table, validated, with pure lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lotsmarche.errors import InputError, Problem
from lotsmarche.models import (
    Clause,
    Commune,
    CriteriaSet,
    Famille,
    Label,
    LintPattern,
    Packaging,
    PackagingRule,
    Product,
    Supplier,
    ThresholdRow,
)


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
