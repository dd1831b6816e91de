"""Lot titles in the buyer's French, built from what the lot contains.

Seafood titles name the species groups ("Poissons frais entiers et filets", "Céphalopodes frais",
"Coquillages et crustacés frais", "Produits de la mer surgelés"); other families use the family label from
familles.yaml with the conservation as a complement, which avoids agreement mistakes ("Volailles et lapin —
produits surgelés"). A territory split adds " — <territoire>". Titles are made unique afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import CONSERVATION_LIBELLES

SEAFOOD = "produits_de_la_mer"
FISH_GROUPS = ("poissons_blancs", "poissons_plats", "poissons_bleus")
GROUP_NOUNS: dict[str, str] = {
    "poissons_blancs": "Poissons blancs",
    "poissons_plats": "Poissons plats",
    "poissons_bleus": "Poissons bleus",
    "cephalopodes": "Céphalopodes",
    "coquillages": "Coquillages",
    "crustaces": "Crustacés",
    "produits_transformes": "Produits de la mer transformés",
}
# Masculine plural: every seafood noun above is masculine plural.
SEAFOOD_CONSERVATION: dict[str, str] = {
    "frais": "frais",
    "surgele": "surgelés",
    "appertise": "appertisés",
    "refrigere_elabore": "réfrigérés",
    "ambiant": "de longue conservation",
}
OTHER_CONSERVATION: dict[str, str] = {
    "frais": "produits frais",
    "surgele": "produits surgelés",
    "appertise": "conserves",
    "refrigere_elabore": "produits réfrigérés élaborés",
    "ambiant": "produits d'épicerie",
}
RAW_CUTS: dict[str, str] = {"entier": "entiers", "filet": "filets", "portion_calibree": "portions"}
# Lots of one family and conservation are only split by packaging when some lines ask plastic containers
# used for cooking, reheating or serving (see lotting.lines): those lots say so, the others say nothing.
CONTACT_SUFFIX = "contenants de service en plastique"
UNKNOWN_TERRITORY = "territoire non déterminé"


def seafood_noun(groups: Iterable[str], all_elabore: bool) -> str:
    present = sorted(set(groups))
    if not present:
        return "Produits de la mer"
    if len(present) == 1:
        return GROUP_NOUNS.get(present[0], "Produits de la mer")
    if all(g in FISH_GROUPS for g in present):
        return "Poissons"
    if set(present) <= {"coquillages", "crustaces"}:
        return "Coquillages et crustacés"
    if all_elabore:
        return "Produits de la mer élaborés"
    return "Produits de la mer"


def _cuts(presentations: Iterable[str]) -> str:
    """'entiers', 'en filets', 'entiers et filets', 'entiers, filets et portions', 'en filets et portions'."""
    words = [RAW_CUTS[p] for p in RAW_CUTS if p in set(presentations)]
    if not words:
        return ""
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]
    return text if words[0] == "entiers" else f"en {text}"


def base_title(
    cat: Catalogue,
    *,
    famille: str,
    conservation: str,
    groups: Iterable[str],
    presentations: Iterable[str],
    elabore: bool | None,
    all_elabore: bool,
) -> tuple[str, str]:
    """(stem, complement) of a title without territory: noun and conservation, then the raw cuts."""
    presentations = list(presentations)
    if famille == SEAFOOD:
        groups = [g for g in groups if g]
        noun = seafood_noun(groups, all_elabore)
        if conservation == "appertise":
            stem = (
                "Conserves de poisson" if noun.startswith("Poissons") else "Conserves de produits de la mer"
            )
            return stem, ""
        stem = f"{noun} {SEAFOOD_CONSERVATION.get(conservation, conservation)}"
        if elabore is True and noun not in ("Produits de la mer élaborés", "Produits de la mer transformés"):
            return stem + " élaborés", ""
        if not all_elabore and noun.startswith("Poissons") and set(presentations) <= set(RAW_CUTS):
            cuts = _cuts(presentations)
            return stem, f" {cuts}" if cuts else ""
        return stem, ""
    libelle = cat.familles[famille].libelle if famille in cat.familles else famille
    complement = OTHER_CONSERVATION.get(conservation, conservation)
    if elabore is True:
        complement += " (élaborés)"
    elif elabore is False and conservation not in ("appertise", "ambiant"):
        complement += " (bruts)"
    return f"{libelle} — {complement}", ""


def mixed_title(cat: Catalogue, famille: str, conservations: Iterable[str]) -> str:
    """Title of a lot that holds several conservations (« famille »): the family and its conservations."""
    libelle = cat.familles[famille].libelle if famille in cat.familles else famille
    if famille == SEAFOOD:
        libelle = "Produits de la mer"
    labels = [CONSERVATION_LIBELLES.get(c, c) for c in conservations]
    return f"{libelle} ({', '.join(labels[:-1])} et {labels[-1]})" if len(labels) > 1 else libelle


def with_territory(title: str, territoire: str | None) -> str:
    if territoire is None:
        return title
    return f"{title} — {territoire or UNKNOWN_TERRITORY}"


def make_unique(titles: list[str], stems: list[str], contact: list[bool], details: list[str]) -> list[str]:
    """Make titles unique and explicit.

    Among lots with the same stem, those delivered in plastic containers used for cooking, reheating or
    serving say so when others are not; titles still equal then get their content (species or products),
    and finally a part number.
    """
    out = list(titles)
    by_stem: dict[str, list[int]] = {}
    for i, stem in enumerate(stems):
        by_stem.setdefault(stem, []).append(i)
    for idx in by_stem.values():
        if len({contact[j] for j in idx}) > 1:
            for i in idx:
                if contact[i]:
                    out[i] = f"{out[i]} ({CONTACT_SUFFIX})"
    for step in ("details", "numero"):
        seen: dict[str, list[int]] = {}
        for i, t in enumerate(out):
            seen.setdefault(t, []).append(i)
        for idx in (v for v in seen.values() if len(v) > 1):
            for rank, i in enumerate(idx, start=1):
                if step == "details" and details[i]:
                    out[i] = f"{out[i]} : {details[i]}"
                elif step == "numero":
                    out[i] = f"{out[i]} (partie {rank})"
    return out
