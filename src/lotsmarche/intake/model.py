"""The result of intake: the canonical demand table plus warnings (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lotsmarche.models import Finding, Member

CANONICAL_COLUMNS: tuple[str, ...] = (
    "ligne",
    "fichier",
    "feuille",
    "ligne_source",
    "colonne_source",
    "membre",
    "site_livraison",
    "code_postal",
    "commune_insee",
    "territoire",
    "produit",
    "quantite_milli",
    "prix_e4",
    "prix_source",
    "mois",
    "label_requis",
    "conditionnement",
    "livraisons_par_semaine",
)

ALL_MONTHS = 4095


@dataclass
class Demand:
    table: pd.DataFrame  # canonical columns, see lotsmarche.intake
    membres: list[Member]  # groupement members, completed with members found only in the demand
    avertissements: list[Finding] = field(default_factory=list)  # warnings (never errors: those raise)
    fichiers: list[str] = field(default_factory=list)

    @property
    def empreinte(self) -> str:
        """SHA-256 of the canonical table (content only, not file names): the plan records it."""
        import hashlib

        cols = [
            c for c in CANONICAL_COLUMNS if c not in ("fichier", "feuille", "ligne_source", "colonne_source")
        ]
        # Column-wise hashing (pandas' fixed-key hash) is fast on a million lines and stable across runs.
        digest = hashlib.sha256()
        for col in cols:
            digest.update(col.encode("utf-8"))
            values = pd.util.hash_pandas_object(self.table[col], index=False).to_numpy()
            digest.update(values.tobytes())
        return digest.hexdigest()
