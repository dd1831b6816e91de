"""What the RC, CCAP, AE, CRT and convention state beyond the lots: review body, remedies, payers, groups.

Everything here is derived from the plan, groupement.yaml and the catalogues (tribunaux.yaml,
parametres.yaml, coordonnateur.yaml, clauses.yaml): no legal value is written in the code. A value a
lawyer must fill in or confirm is wrapped by :func:`lotsmarche.render.highlight.mark`, so that it is
highlighted in the documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Clause, ClauseSelection, Lot, LotPlan, Member, Tribunal
from lotsmarche.render.highlight import A_COMPLETER, mark
from lotsmarche.text import fold

_POSTCODE = re.compile(r"\b(\d{5})\b")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")

# Who orders payment and signs for each kind of member (ATTRI1 D), and the decision authorising its
# membership of the group (CE, 25 avril 1994, n° 99926; CGCT L2122-21, L3221-1; Code de l'éducation
# R421-20; CSP L6143-7; CASF L315-17).
ORDONNATEURS: dict[str, str] = {
    "commune": "le maire",
    "administration": "l'exécutif de la collectivité (président)",
    "college": "le chef d'établissement",
    "lycee": "le chef d'établissement",
    "ecole": "le maire de la commune de rattachement",
    "creche": "le représentant légal de la structure",
    "universite": "le président de l'université",
    "hopital": "le directeur de l'établissement",
    "ehpad": "le directeur de l'établissement",
    "esms": "le directeur de l'établissement",
}
DECISIONS: dict[str, str] = {
    "commune": "délibération du conseil municipal",
    "administration": "délibération de l'assemblée délibérante (ou de sa commission permanente)",
    "college": "délibération du conseil d'administration",
    "lycee": "délibération du conseil d'administration",
    "ecole": "délibération du conseil municipal de la commune de rattachement",
    "creche": "décision de l'organe compétent de la structure",
    "universite": "délibération du conseil d'administration",
    "hopital": "décision du directeur",
    "ehpad": "décision du directeur",
    "esms": "décision du directeur",
}
# Number of a CCAP article stating each ``article_ccap`` of clauses.yaml (templates/build_templates.py).
ARTICLES_CCAP: dict[str, str] = {
    "duree": "2",
    "revision": "5",
    "livraison": "7",
    "penalites": "8",
    "reglement": "9",
    "execution": "11",
    "autres": "11",
}


def departement_of_insee(code: str) -> str:
    """Department of an INSEE commune code: 2 characters, 3 overseas (97x, 98x); 2A / 2B for Corsica."""
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def departement_of_postcode(code: str) -> str:
    """Department of a postcode (Corsica: 200xx-201xx → 2A, 202xx-206xx → 2B)."""
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def _member_departement(m: Member, cat: Catalogue) -> str | None:
    if m.insee:  # resolved by load_groupement (INSEE code, postcode or name)
        return departement_of_insee(m.insee)
    if not m.commune:
        return None
    found = cat.commune(m.commune)
    if found is not None:
        return departement_of_insee(found.code_insee)
    if _INSEE.match(m.commune):
        return departement_of_insee(m.commune)
    return None


def lieu_execution(plan: LotPlan, cat: Catalogue, coordonnateur: str) -> str | None:
    """Department of the place of execution: the coordinator's commune, else its address's postcode, else
    the department of most members (ties: the smallest code)."""
    g = plan.groupement
    if g.departement:  # groupement.yaml « departement »
        return g.departement
    members = {m.nom: m for m in g.membres}
    coord = members.get(coordonnateur)
    if coord is not None:
        dep = _member_departement(coord, cat)
        if dep:
            return dep
    if g.adresse:
        found = _POSTCODE.findall(g.adresse)
        if found:
            return departement_of_postcode(found[-1])
    counts: dict[str, int] = {}
    for m in g.membres:
        dep = _member_departement(m, cat)
        if dep:
            counts[dep] = counts.get(dep, 0) + 1
    if counts:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return None


def tribunal_for(plan: LotPlan, cat: Catalogue, coordonnateur: str) -> Tribunal | None:
    """The competent tribunal administratif: groupement.yaml's choice, else that of the place of execution."""
    chosen = plan.groupement.tribunal_administratif
    if chosen:
        for t in cat.tribunaux:
            if t.code == chosen or fold(t.nom) == fold(chosen):
                return t
    dep = lieu_execution(plan, cat, coordonnateur)
    return cat.tribunal_du_departement(dep) if dep else None


@dataclass(frozen=True)
class Recours:
    tribunal_nom: str
    tribunal_adresse: str
    tribunal_incertain: bool
    departement: str
    delai_suspension_jours: int
    refere_contractuel_avis_jours: int
    refere_contractuel_max_mois: int
    recours_contrat_mois: int


def recours(plan: LotPlan, cat: Catalogue, coordonnateur: str) -> Recours:
    tribunal = tribunal_for(plan, cat, coordonnateur)
    dep = lieu_execution(plan, cat, coordonnateur) or ""
    if tribunal is None:
        nom, adresse, incertain = f"tribunal administratif {A_COMPLETER}", A_COMPLETER, True
    else:
        incertain = tribunal.confiance == "U"
        nom = tribunal.nom
        adresse = mark(tribunal.adresse) if incertain else tribunal.adresse
    return Recours(
        tribunal_nom=nom,
        tribunal_adresse=adresse,
        tribunal_incertain=incertain,
        departement=dep,
        delai_suspension_jours=cat.parametre_int("delai_suspension_signature_jours"),
        refere_contractuel_avis_jours=cat.parametre_int("refere_contractuel_delai_avis_jours"),
        refere_contractuel_max_mois=cat.parametre_int("refere_contractuel_delai_max_mois"),
        recours_contrat_mois=cat.parametre_int("recours_contrat_delai_mois"),
    )


def nombre_fr(n: int) -> str:
    """Small whole numbers in words, as legal texts write delays (« deux mois »)."""
    words = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 10: "dix", 11: "onze"}
    return words.get(n, str(n))


def value_or_mark(value: str | None, default: str | None = None) -> str:
    """The member's value, else the default by kind, else « à compléter » highlighted."""
    if value:
        return value
    if default:
        return default
    return A_COMPLETER


def decision_text(m: Member) -> str:
    """« délibération du conseil municipal n° 2026-14 du 12 mai 2026 » (number and date when given)."""
    from lotsmarche.render.filters import date_fr

    kind = m.decision_adhesion or DECISIONS.get(m.type, "décision de l'organe compétent")
    text = kind
    if m.decision_numero:
        text += f" n° {m.decision_numero}"
    if m.decision_date:
        text += f" du {date_fr(m.decision_date)}"
    else:
        text += f" du {A_COMPLETER}"
    return text


# ------------------------------------------------------------------------------------------------
# Samples (RC §8) and the technical answer frame (CRT)
# ------------------------------------------------------------------------------------------------


def grades_samples(sous_critere: str) -> bool:
    return "echantillon" in fold(sous_critere)


def echantillons_date(plan: LotPlan, date_remise: date) -> date:
    given = plan.groupement.echantillons.date_livraison
    return given or date_remise + timedelta(days=7)


def sample_products(lot: Lot, limit: int = 3) -> list[str]:
    """The lot's products asked as samples: the ``limit`` largest by yearly amount (ties: by code)."""
    items = sorted(lot.items, key=lambda i: (-i.montant_annuel_ht, i.produit))
    return [i.libelle for i in items[:limit]]


# ------------------------------------------------------------------------------------------------
# Clauses grouped by text: a clause whose wording is the same for several lots is stated once
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Groupe:
    id: str
    titre: str
    texte: str
    base_legale: str
    lots: list[int]
    article: str
    condition_execution: bool
    type: str


def group_clauses(lots: list[Lot], keep: Callable[[ClauseSelection], bool]) -> list[Groupe]:
    """Clauses kept by ``keep`` grouped by (id, text), in clause-id order, with the lots they apply to."""
    seen: dict[tuple[str, str], list[int]] = {}
    first: dict[tuple[str, str], tuple[Lot, int]] = {}
    for lot in sorted(lots, key=lambda x: x.numero):
        for i, c in enumerate(lot.clauses):
            if not keep(c):
                continue
            key = (c.id, c.texte)
            seen.setdefault(key, []).append(lot.numero)
            first.setdefault(key, (lot, i))
    out = []
    for key in sorted(seen, key=lambda k: (k[0], seen[k][0])):
        lot, i = first[key]
        c = lot.clauses[i]
        out.append(
            Groupe(
                id=c.id,
                titre=c.titre,
                texte=c.texte,
                base_legale=c.base_legale,
                lots=seen[key],
                article="",
                condition_execution=c.condition_execution,
                type=c.type,
            )
        )
    return out


def lots_text(numeros: list[int], total: int) -> str:
    """« tous les lots », « lot 2 », « lots 1, 3 et 4 »."""
    if len(numeros) == total and total > 1:
        return "tous les lots"
    names = [str(n) for n in numeros]
    if len(names) == 1:
        return f"lot {names[0]}"
    return "lots " + ", ".join(names[:-1]) + " et " + names[-1]


def clause_definitions(cat: Catalogue) -> dict[str, Clause]:
    return {c.id: c for c in cat.clauses}


def avance_parametres(cat: Catalogue) -> tuple[Decimal, int, Decimal]:
    return (
        cat.parametre_decimal("avance_seuil_ht"),
        cat.parametre_int("avance_duree_min_mois"),
        cat.parametre_decimal("avance_taux"),
    )
