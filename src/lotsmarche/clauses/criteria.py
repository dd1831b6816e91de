"""Award criteria per lot: the set of the lot's conservation, with the buyer's weights re-validated.

Weights must total 100 (an RC with 95 % of criteria is unlawful: weighting must be complete, R2152-12);
ranges come from the CNRC purchasing guide (price up to 40 %, technical quality up to 30 %, environmental
performance 10 to 30 %...) and are recommendations, so leaving them is a warning, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Critere, CriteriaSet, Finding, Groupement

BASE_PONDERATION = "Code de la commande publique, art. R2152-7, R2152-11 et R2152-12"
DEFAULT_SET = "defaut"


@dataclass(frozen=True)
class CriteriaChoice:
    set_id: str
    criteres: list[Critere]


def set_for(conservation: str, cat: Catalogue) -> CriteriaSet | None:
    """The criteria set whose conservations include ``conservation``, else the ``defaut`` set."""
    for cs in sorted(cat.criteres, key=lambda c: c.id):
        if conservation in cs.conservations:
            return cs
    for cs in cat.criteres:
        if cs.id == DEFAULT_SET:
            return cs
    return None


def resolve_sets(cat: Catalogue, groupement: Groupement) -> tuple[dict[str, list[Critere]], list[Finding]]:
    """Every criteria set with the buyer's weights applied, and the CLA findings of the overrides.

    A weight of 0 removes the criterion (it is kept out of the RC); unknown sets or criteria are errors.
    """
    findings: list[Finding] = []
    overrides = groupement.clauses.ponderations
    known = {cs.id: cs for cs in cat.criteres}
    for set_id in sorted(overrides):
        if set_id not in known:
            findings.append(
                Finding(
                    code="CLA-004",
                    severite="erreur",
                    message=(
                        f"groupement.yaml, clauses.ponderations : le jeu de critères « {set_id} » n'existe "
                        "pas "
                        f"(jeux disponibles : {', '.join(sorted(known))})."
                    ),
                    base_legale=BASE_PONDERATION,
                    correction="Utilisez le nom d'un jeu de critères de criteres.yaml.",
                )
            )
    resolved: dict[str, list[Critere]] = {}
    for set_id, cs in sorted(known.items()):
        weights = overrides.get(set_id, {})
        codes = {c.code for c in cs.criteres}
        for code in sorted(weights):
            if code not in codes:
                findings.append(
                    Finding(
                        code="CLA-004",
                        severite="erreur",
                        message=(
                            f"groupement.yaml, clauses.ponderations.{set_id} : le critère « {code} » "
                            "n'existe pas "
                            f"dans ce jeu (critères : {', '.join(sorted(codes))})."
                        ),
                        base_legale=BASE_PONDERATION,
                        correction="Corrigez le code du critère ou retirez la ligne.",
                    )
                )
            elif weights[code] < 0 or weights[code] > 100:
                findings.append(
                    Finding(
                        code="CLA-001",
                        severite="erreur",
                        message=(
                            f"groupement.yaml, clauses.ponderations.{set_id}.{code} : la pondération "
                            f"{weights[code]} % doit être comprise entre 0 et 100."
                        ),
                        base_legale=BASE_PONDERATION,
                        correction="Indiquez une pondération entière entre 0 et 100.",
                    )
                )
        criteres = [
            c.model_copy(update={"ponderation": weights[c.code]}) if c.code in weights else c
            for c in cs.criteres
        ]
        criteres = [c for c in criteres if c.ponderation > 0]
        resolved[set_id] = criteres
        if not weights:
            continue
        total = sum(c.ponderation for c in criteres)
        if total != 100:
            findings.append(
                Finding(
                    code="CLA-001",
                    severite="erreur",
                    message=(
                        f"Les pondérations du jeu de critères « {cs.libelle} » totalisent {total} % après "
                        "les "
                        "modifications de groupement.yaml au lieu de 100 %."
                    ),
                    base_legale=BASE_PONDERATION,
                    correction="Ajustez clauses.ponderations pour que la somme des critères fasse exactement "
                    "100.",
                )
            )
        for c in criteres:
            low, high = c.ponderation_min, c.ponderation_max
            if (low is not None and c.ponderation < low) or (high is not None and c.ponderation > high):
                bornes = f"{low if low is not None else 0} à {high if high is not None else 100} %"
                findings.append(
                    Finding(
                        code="CLA-005",
                        severite="avertissement",
                        message=(
                            f"Le critère « {c.libelle} » du jeu « {cs.libelle} » est pondéré à "
                            f"{c.ponderation} %, "
                            f"hors de la fourchette recommandée par le guide du CNRC ({bornes})."
                        ),
                        base_legale=c.base_legale,
                        correction=f"Ramenez la pondération dans la fourchette {bornes}, ou justifiez "
                        "l'écart.",
                    )
                )
    return resolved, findings


def choose(conservation: str, cat: Catalogue, resolved: dict[str, list[Critere]]) -> CriteriaChoice | None:
    cs = set_for(conservation, cat)
    if cs is None:
        return None
    return CriteriaChoice(cs.id, list(resolved.get(cs.id, cs.criteres)))
