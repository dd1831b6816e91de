"""Checks on the plan itself: who can serve each lot, who buys, and the lots' CPV codes.

Codes: LOT-001 (a lot fewer than k sourced suppliers can serve: an error, the DCE is a draft), GRP-001 (the
group's identity is unknown: no member, so no final DCE), CPV-001 (a lot's CPV code is not in the official
list). Everything is read from the plan (``lots.json`` carries each lot's capable suppliers, the reasons the
others cannot serve it, the merge the builder proposes, and k in ``groupement.k_fournisseurs``), so that
`check` on a written plan reports exactly what `run` reported.
"""

from __future__ import annotations

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, LotPlan
from lotsmarche.rules.table import Rule, emit

CCP = "Code de la commande publique, art. "

RULES: dict[str, Rule] = {
    "LOT-001": Rule(
        "erreur",
        "Le lot {lot} (« {intitule} ») ne peut être servi que par {nb} fournisseur(s) du sourçage ({qui}) "
        "alors qu'au moins {k} sont visés : un lot taillé pour un seul opérateur, ou qu'aucun ne peut "
        "servir, restreint la concurrence et risque d'être infructueux. Raisons : {raisons}.",
        CCP + "L2113-10, L3 (égalité de traitement) et R2111-1 (sourçage)",
        "{fusion}Changez de stratégie (--strategy), élargissez le sourçage ou vérifiez les capacités et "
        "zones de livraison déclarées ; un projet reste possible avec --brouillon.",
    ),
    "GRP-001": Rule(
        "erreur",
        "Groupement inconnu : aucun membre n'est déclaré (groupement.yaml absent ou sans « membres »). "
        "L'identité du coordonnateur et des membres manque à l'avis, au règlement de la consultation, aux "
        "actes d'engagement et à la convention : le DCE ne peut être qu'un projet.",
        CCP + "L2113-6 et L2113-7 (convention constitutive signée par tous les membres)",
        "Indiquez le fichier du groupement (--groupement groupement.yaml) avec ses membres, ou générez un "
        "projet avec --brouillon.",
    ),
    "CPV-001": Rule(
        "erreur",
        "Le lot {lot} porte le code CPV {cpv}, absent de la nomenclature officielle (catalogue cpv.csv) : "
        "l'avis et les pièces ne peuvent pas le citer.",
        "Règlement (CE) n° 213/2008 (vocabulaire commun pour les marchés publics, CPV)",
        "Corrigez le code CPV du produit dans le catalogue des produits, puis relancez « lotsmarche lots ».",
    ),
}


def _servability(plan: LotPlan) -> list[Finding]:
    k = plan.groupement.k_fournisseurs
    out: list[Finding] = []
    for lot in plan.lots:
        if lot.nb_fournisseurs_capables >= k:
            continue
        out.append(
            emit(
                RULES,
                "LOT-001",
                lot=lot.numero,
                intitule=lot.intitule,
                nb=lot.nb_fournisseurs_capables,
                qui=", ".join(lot.fournisseurs_capables) or "aucun",
                k=k,
                raisons=lot.raisons_capacite or "non précisées dans le plan",
                fusion=f"{lot.fusion_proposee} " if lot.fusion_proposee else "",
            )
        )
    return out


def _identity(plan: LotPlan) -> list[Finding]:
    return [] if plan.groupement.membres else [emit(RULES, "GRP-001")]


def _cpv(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    for lot in plan.lots:
        for code in [lot.cpv_principal, *lot.cpv_secondaires]:
            if code not in cat.cpv:
                out.append(emit(RULES, "CPV-001", lot=lot.numero, cpv=code))
    return out


def check_plan_basics(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    """LOT-001, GRP-001 and CPV-001 findings of ``plan``."""
    return [*_identity(plan), *_servability(plan), *_cpv(plan, cat)]
