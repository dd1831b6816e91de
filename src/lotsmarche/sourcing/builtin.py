"""Findings of a plan sized on the catalogue's illustrative supplier profiles (no sourcing given)."""

from __future__ import annotations

from collections.abc import Iterable

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding
from lotsmarche.sourcing.common import SOURCING_BASIS


def builtin_sourcing_findings(familles: Iterable[str], cat: Catalogue, k: int) -> list[Finding]:
    """What a plan sized on the catalogue's illustrative profiles (no sourcing file) must say.

    SRC-001: the built-in profiles stand in for the group's own sourcing, with the demand's families they
    cover with fewer than ``k`` profiles; SRC-002: one per family of the demand that no profile covers."""
    profiles = [s for s in cat.fournisseurs if s.illustratif] or list(cat.fournisseurs)
    thin: list[str] = []
    findings: list[Finding] = []
    for code in sorted(set(familles)):
        label = cat.familles[code].libelle if code in cat.familles else code
        names = [s.nom for s in profiles if code in s.familles]
        if not names:
            findings.append(
                Finding(
                    code="SRC-002",
                    severite="avertissement",
                    base_legale=SOURCING_BASIS,
                    message=f"Aucun profil de fournisseur intégré pour la famille « {label} » : aucun lot de "
                    "cette famille n'est servable selon le sourçage.",
                    correction="Décrire les fournisseurs de cette famille dans un fichier --sourcing.",
                )
            )
        elif len(names) < k:
            plural = "s" if len(names) > 1 else ""
            thin.append(f"« {label} » ({len(names)} profil{plural} : {', '.join(names)})")
    message = (
        "Aucun fichier de sourçage (--sourcing) : les profils illustratifs du catalogue (filière des "
        "produits de la mer du Boulonnais, aucun n'est une entreprise réelle) en tiennent lieu ; les nombres "
        "de fournisseurs capables et les découpages qui en dépendent ne valent que pour cet exemple."
    )
    if thin:
        message += f" Familles de la demande couvertes par moins de {k} profils : {' ; '.join(thin)}."
    findings.insert(
        0,
        Finding(
            code="SRC-001",
            severite="avertissement",
            base_legale=SOURCING_BASIS,
            message=message,
            correction="Fournir le sourçage du groupement avec --sourcing "
            "(colonnes : README, « Le sourçage »).",
        ),
    )
    return findings
