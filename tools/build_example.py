#!/usr/bin/env python3
"""Derive the bundled Boulonnais example (examples/boulonnais/) from meal counts and the catalogue.

    python tools/build_example.py            # rewrite LISEZMOI.md, groupement.yaml, demande.csv
    python tools/build_example.py --check    # exit 1 if the committed files differ from the derivation

Derivation of every demand line (all figures are in the tables below, with their source):

    fish main dishes (kg) = meals per day × service days per year × 4/20 × portion
    sea starters (kg)     = meals per day × service days per year × 1/20 × starter portion
    line quantity (kg)    = (fish main dishes × share of the product × weight factor)   or
                            (sea starters × share of the product), rounded to 0.5 kg

* 4 fish main dishes per 20 meals and the portions (110 g collège/lycée, 70 g élémentaire, 50 g maternelle)
  come from the arrêté du 30 septembre 2011 (annexes I and II, /work/shared/data/regulation/). Adults
  (hospital, EHPAD) are outside its scope: we take 120 g, the top of the collège range.
* One sea starter per 20 meals and its portion are assumptions of this example, stated in LISEZMOI.md.
* Meals per day and service days are plausible estimates for canteens of that size: the ma-cantine
  declarations give the canteens, their SIRET and commune, not their meal counts.
* Members are real canteens of the ma-cantine declarations (Pas-de-Calais, 2021–2023); their membership of
  this buying group is fictitious. Communes and populations come from the catalogue territories.

Every product code is checked against the catalogue (the script stops on an unknown code), fresh lines ask
only for months inside the product's availability, labels only among the product's possible labels, and
no school member asks for a plastic cooking/serving container (regime ``plastique_contact``).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.model import Catalogue

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "boulonnais"

FISH_DISHES_PER_MEAL = Decimal(4) / Decimal(20)  # arrêté du 30 septembre 2011, annexe I
STARTERS_PER_MEAL = Decimal(1) / Decimal(20)  # assumption of the example
SCHOOL_MONTHS = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)  # no school meals in July and August
ALL_MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Eaters:
    """A kind of diners: portion sizes and the menu (product mix) they get."""

    libelle: str
    portion: Decimal  # kg of fish per main dish (arrêté du 30 septembre 2011, annexe II)
    portion_entree: Decimal  # kg per sea starter (assumption)
    menu: str  # key of MENUS
    months: tuple[int, ...]  # months with meals served


EATERS: dict[str, Eaters] = {
    "secondaire": Eaters("collège / lycée", Decimal("0.110"), Decimal("0.040"), "secondaire", SCHOOL_MONTHS),
    "elementaire": Eaters("élémentaire", Decimal("0.070"), Decimal("0.030"), "primaire", SCHOOL_MONTHS),
    "maternelle": Eaters("maternelle", Decimal("0.050"), Decimal("0.020"), "primaire", SCHOOL_MONTHS),
    "adulte": Eaters("adultes (hôpital, EHPAD)", Decimal("0.120"), Decimal("0.040"), "adulte", ALL_MONTHS),
}


@dataclass(frozen=True)
class Item:
    """One product of a menu. ``part`` is a share of the fish main dishes (``plat``) or of the starters."""

    produit: str
    part: Decimal
    kind: str = "plat"  # "plat" (main dish) or "entree" (starter)
    facteur: Decimal = Decimal(1)  # weight bought per kg of fish served (mussels in their shells: 3)
    mois: tuple[int, ...] | None = None  # wished months (None: all the months available)
    label: str = ""


def _d(text: str) -> Decimal:
    return Decimal(text)


# Product mixes. Main-dish shares of a menu add up to 1, starter shares too (checked below).
MENUS: dict[str, tuple[Item, ...]] = {
    "secondaire": (
        Item("MER-MERLAN-FILET-FR", _d("0.14")),
        Item("MER-LIEUNOIR-FILET-FR", _d("0.10")),
        Item("MER-CABILLAUD-FILET-FR", _d("0.05")),
        Item("MER-LIMANDE-FILET-FR", _d("0.05")),
        Item("MER-PLIE-FILET-FR", _d("0.03"), mois=(4, 5, 6, 9, 10)),
        Item("MER-HARENG-FILET-FR", _d("0.04"), mois=(10, 11, 12, 1), label="PECHE_DURABLE"),
        Item("MER-MAQUEREAU-FILET-FR", _d("0.04"), mois=(5, 6, 9)),
        Item("MER-MOULE-ENTIER-FR", _d("0.04"), facteur=_d("3"), mois=(9, 10, 11)),
        Item("MER-LIEUNOIR-PORTION-SG", _d("0.12")),
        Item("MER-MERLAN-PORTION-SG", _d("0.09")),
        Item("MER-CABILLAUD-PORTION-SG", _d("0.05")),
        Item("MER-COLINALASKA-PANE-SG", _d("0.13")),
        Item("MER-MERLAN-PANE-SG", _d("0.12")),
        Item("MER-SARDINE-CONSERVE-AP", _d("0.40"), kind="entree"),
        Item("MER-MAQUEREAU-CONSERVE-AP", _d("0.30"), kind="entree"),
        Item("MER-HARENG-FUME-RE", _d("0.30"), kind="entree", label="PECHE_DURABLE"),
    ),
    "primaire": (
        Item("MER-MERLAN-FILET-FR", _d("0.15")),
        Item("MER-LIEUNOIR-FILET-FR", _d("0.15")),
        Item("MER-LIMANDE-FILET-FR", _d("0.05")),
        Item("MER-LIEUNOIR-PORTION-SG", _d("0.15")),
        Item("MER-MERLAN-PORTION-SG", _d("0.15")),
        Item("MER-COLINALASKA-PANE-SG", _d("0.20")),
        Item("MER-MERLAN-PANE-SG", _d("0.15")),
        Item("MER-SARDINE-CONSERVE-AP", _d("0.50"), kind="entree"),
        Item("MER-MAQUEREAU-CONSERVE-AP", _d("0.50"), kind="entree"),
    ),
    "adulte": (
        Item("MER-MERLAN-FILET-FR", _d("0.14")),
        Item("MER-LIEUNOIR-FILET-FR", _d("0.12")),
        Item("MER-CABILLAUD-FILET-FR", _d("0.06")),
        Item("MER-LIMANDE-FILET-FR", _d("0.05")),
        Item("MER-PLIE-FILET-FR", _d("0.03"), mois=(4, 5, 6, 7, 8, 9, 10)),
        Item("MER-HARENG-FILET-FR", _d("0.03"), mois=(10, 11, 12, 1), label="PECHE_DURABLE"),
        Item("MER-MAQUEREAU-FILET-FR", _d("0.04"), mois=(5, 6, 7, 8, 9)),
        Item("MER-MOULE-ENTIER-FR", _d("0.04"), facteur=_d("3"), mois=(7, 8, 9, 10, 11), label="BIO"),
        Item("MER-ENCORNET-ENTIER-FR", _d("0.02"), mois=(9, 10, 11)),
        Item("MER-SEICHE-ENTIER-FR", _d("0.02"), mois=(4, 5, 6)),
        Item("MER-CSJ-NOIX-FR", _d("0.01"), mois=(12, 1)),
        Item("MER-LIEUNOIR-PORTION-SG", _d("0.12")),
        Item("MER-CABILLAUD-PORTION-SG", _d("0.12")),
        Item("MER-EGLEFIN-PORTION-SG", _d("0.10")),
        Item("MER-MERLAN-PANE-SG", _d("0.08")),
        Item("MER-ENCORNET-NETTOYE-SG", _d("0.02")),
        Item("MER-SARDINE-CONSERVE-AP", _d("0.25"), kind="entree"),
        Item("MER-MAQUEREAU-CONSERVE-AP", _d("0.20"), kind="entree"),
        Item("MER-HARENG-FUME-RE", _d("0.30"), kind="entree", label="PECHE_DURABLE"),
        Item("MER-CREVETTEGRISE-CUIT-FR", _d("0.25"), kind="entree", mois=(5, 6, 7, 8, 9, 10)),
    ),
}


@dataclass(frozen=True)
class Site:
    nom: str
    code_postal: str
    convives: str  # key of EATERS
    repas_par_jour: int  # meals with a main dish per service day (estimate)
    jours_par_an: int  # service days per year
    reemployable: bool = False  # asks fresh products in returnable crates
    prix: tuple[tuple[str, str], ...] = ()  # (product, unit price HT) known by the buyer


@dataclass(frozen=True)
class MemberSpec:
    nom: str
    type: str
    commune: str  # INSEE code
    siret: str | None
    sites: tuple[Site, ...]


Prices = tuple[tuple[str, str], ...]


def _college(
    nom: str, siret: str, insee: str, cp: str, repas: int, *, reemp: bool, prix: Prices = ()
) -> MemberSpec:
    site = Site("Demi-pension", cp, "secondaire", repas, 140, reemp, prix)
    return MemberSpec(nom, "college", insee, siret, (site,))


COORDONNATEUR = "Département du Pas-de-Calais"

# Real canteens (ma-cantine declarations 2021–2023, Pas-de-Calais): name, SIRET of the latest declaration,
# INSEE code. Meal counts are estimates. The coordinator orders nothing itself.
MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec(COORDONNATEUR, "administration", "62041", None, ()),
    _college(
        "Collège Angellier",
        "19620051300014",
        "62160",
        "62200",
        520,
        reemp=True,
        prix=(("MER-MERLAN-FILET-FR", "13,20"),),
    ),
    _college("Collège Paul Langevin", "19620055400018", "62160", "62200", 380, reemp=True),
    _college("Collège Pierre Daunou", "19622261600019", "62160", "62200", 450, reemp=True),
    _college("Collège Adam de la Halle", "19622863900015", "62643", "62230", 360, reemp=True),
    _college("Collège Albert Camus", "19620154500015", "62643", "62230", 330, reemp=True),
    _college("Collège Paul Eluard", "19622085900017", "62746", "62360", 420, reemp=True),
    _college("Collège Pilâtre de Rozier", "19622093300010", "62894", "62126", 480, reemp=True),
    _college("Collège Roger Salengro", "19622874600018", "62758", "62280", 410, reemp=True),
    _college("Collège Jean Rostand", "19622096600010", "62560", "62250", 430, reemp=False),
    _college("Collège le Trion", "19622950400010", "62773", "62830", 350, reemp=False),
    _college("Collège Louis Blériot", "19623865300014", "62774", "62231", 300, reemp=False),
    _college("Collège Jean Monnet", "19620073700027", "62244", "62137", 340, reemp=False),
    _college("Collège Boris Vian", "19622873800015", "62548", "62730", 320, reemp=False),
    _college("Collège Jean Jaurès", "19622572600013", "62318", "62630", 390, reemp=False),
    MemberSpec(
        "Lycée Édouard Woillez",
        "lycee",
        "62588",
        "19620140400015",
        (Site("Demi-pension", "62170", "secondaire", 600, 140, False, (("MER-HARENG-FILET-FR", "6,80"),)),),
    ),
    MemberSpec(
        "Lycée professionnel Jules Verne",
        "lycee",
        "62318",
        "19620187500016",
        (Site("Demi-pension", "62630", "secondaire", 350, 140, False),),
    ),
    MemberSpec(
        "Centre hospitalier de Boulogne-sur-Mer",
        "hopital",
        "62160",
        "26620940200012",
        (
            Site(
                "Cuisine centrale",
                "62200",
                "adulte",
                900,
                365,
                True,
                (("MER-MOULE-ENTIER-FR", "3,40"), ("MER-LIEUNOIR-PORTION-SG", "9,20")),
            ),
        ),
    ),
    MemberSpec(
        "EHPAD Guynemer",
        "ehpad",
        "62893",
        "39246926800172",
        (Site("Cuisine de l'EHPAD", "62930", "adulte", 160, 365, False),),
    ),
    MemberSpec(
        "Commune de Wimereux",
        "commune",
        "62893",
        "21620893400010",
        (
            Site("Restaurant scolaire – école maternelle", "62930", "maternelle", 150, 140, True),
            Site("Restaurant scolaire – école élémentaire", "62930", "elementaire", 260, 140, True),
        ),
    ),
    MemberSpec(
        "Commune d'Isques",
        "commune",
        "62474",
        None,
        (Site("Restaurant scolaire", "62360", "elementaire", 90, 140, False),),
    ),
    MemberSpec(
        "Commune de Groffliers",
        "commune",
        "62390",
        "21620390100014",
        (
            Site(
                "Restaurant scolaire",
                "62600",
                "elementaire",
                120,
                140,
                False,
                (("MER-COLINALASKA-PANE-SG", "7,10"),),
            ),
        ),
    ),
)

SCHOOL_KINDS = {"college", "lycee", "ecole", "creche", "universite", "commune"}

# ----------------------------------------------------------------------------------------------------
# Derivation
# ----------------------------------------------------------------------------------------------------

HALF = Decimal("0.5")


def round_half_kg(q: Decimal) -> Decimal:
    return (q / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF


def fr_number(q: Decimal) -> str:
    """Decimal comma, no thousands separator: what a French spreadsheet exports to CSV."""
    text = format(q.normalize(), "f")
    return text.replace(".", ",")


def months_text(months: tuple[int, ...]) -> str:
    return "" if set(months) == set(ALL_MONTHS) else ",".join(str(m) for m in months)


def fish_kg(site: Site) -> tuple[Decimal, Decimal]:
    """(kg of fish for the main dishes, kg for the sea starters) of a site over a year."""
    eaters = EATERS[site.convives]
    meals = Decimal(site.repas_par_jour * site.jours_par_an)
    return meals * FISH_DISHES_PER_MEAL * eaters.portion, meals * STARTERS_PER_MEAL * eaters.portion_entree


def check_menus(cat: Catalogue) -> None:  # noqa: C901
    problems: list[str] = []
    for name, items in MENUS.items():
        for kind in ("plat", "entree"):
            total = sum((i.part for i in items if i.kind == kind), Decimal(0))
            if total != 1:
                problems.append(f"menu {name}: {kind} shares add up to {total}, not 1")
        for item in items:
            product = cat.produits.get(item.produit)
            if product is None:
                problems.append(f"menu {name}: product {item.produit} is not in the catalogue")
                continue
            if product.famille != "produits_de_la_mer":
                problems.append(f"menu {name}: {item.produit} is not seafood")
            if item.label and item.label not in product.labels_possibles:
                problems.append(f"menu {name}: {item.produit} cannot carry label {item.label}")
            if item.mois and not set(item.mois) <= set(product.mois_disponibles):
                problems.append(
                    f"menu {name}: {item.produit} asked outside its months {product.mois_disponibles}"
                )
    for m in MEMBERS:
        for s in m.sites:
            if cat.territoire_du_code_postal(s.code_postal) is None:
                problems.append(f"{m.nom}: postcode {s.code_postal} unknown in the territories")
            for code, _ in s.prix:
                if code not in cat.produits:
                    problems.append(f"{m.nom}: priced product {code} is not in the catalogue")
        if cat.commune(m.commune) is None:
            problems.append(f"{m.nom}: commune {m.commune} unknown")
    if problems:
        raise SystemExit("build_example: " + "\n".join(problems))


def demand_rows(cat: Catalogue) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for member in MEMBERS:
        for site in member.sites:
            eaters = EATERS[site.convives]
            plats, entrees = fish_kg(site)
            prices = dict(site.prix)
            for item in MENUS[eaters.menu]:
                product = cat.produits[item.produit]
                base = plats if item.kind == "plat" else entrees
                qty = round_half_kg(base * item.part * item.facteur)
                if qty < 2:  # nobody orders less than 2 kg of a product a year: leave it out
                    continue
                fresh = product.conservation == "frais"
                wished = item.mois or tuple(product.mois_disponibles)
                months = tuple(m for m in wished if m in product.mois_disponibles and m in eaters.months)
                if not fresh and item.mois is None:
                    months = ALL_MONTHS
                packaging = "caisse_reemployable" if fresh and site.reemployable else ""
                deliveries = ("3" if site.repas_par_jour >= 400 else "2") if fresh else ""
                rows.append(
                    {
                        "membre": member.nom,
                        "site_livraison": site.nom,
                        "code_postal": site.code_postal,
                        "produit": item.produit,
                        "quantite": fr_number(qty),
                        "unite": product.unite,
                        "prix_unitaire_ht": prices.get(item.produit, ""),
                        "mois": months_text(months),
                        "label_requis": item.label,
                        "conditionnement": packaging,
                        "livraisons_par_semaine": deliveries,
                    }
                )
    rows.sort(key=lambda r: (r["membre"], r["site_livraison"], r["produit"]))
    return rows


def check_packaging(rows: list[dict[str, str]], cat: Catalogue) -> None:
    kinds = {m.nom: m.type for m in MEMBERS}
    for r in rows:
        code = r["conditionnement"] or cat.produits[r["produit"]].conditionnement_defaut
        if cat.conditionnements[code].regime == "plastique_contact" and kinds[r["membre"]] in SCHOOL_KINDS:
            raise SystemExit(f"build_example: {r['membre']} would receive {r['produit']} in {code}")


def demand_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def value_of(rows: list[dict[str, str]], cat: Catalogue) -> dict[tuple[str, str], Decimal]:
    """Yearly amount HT per conservation × territory (for the tuning figures in LISEZMOI.md)."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        p = cat.produits[r["produit"]]
        given = r["prix_unitaire_ht"]
        price = Decimal(given.replace(",", ".")) if given else p.prix_reference_ht
        amount = (Decimal(r["quantite"].replace(",", ".")) * price).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out[(p.conservation, cat.territoire_du_code_postal(r["code_postal"]) or "")] += amount
    return dict(out)


# Public accountants by territory (fictitious names of plausible services de gestion comptable, SGC).
SGC = {
    "Boulonnais": "service de gestion comptable de Boulogne-sur-Mer",
    "Calaisis": "service de gestion comptable de Calais",
    "Montreuillois-Ternois": "service de gestion comptable de Montreuil-sur-Mer",
}


def finance(m: MemberSpec, territoire: str, rank: int) -> dict[str, object]:
    """ATTRI1 part D and the authorising decision of a member: fictitious but plausible values."""
    sgc = SGC.get(territoire, SGC["Boulonnais"])
    day = date(2026, 6, 1) + timedelta(days=rank % 28)
    if m.type == "administration":
        return {
            "ordonnateur": "le président du conseil départemental",
            "comptable_assignataire": "le payeur départemental du Pas-de-Calais",
            "designe_r2191_59": "le directeur des finances du Département",
            "imputation_budgetaire": "budget principal, chapitre 011, article 60623 (alimentation)",
            "decision_adhesion": "délibération de la commission permanente du conseil départemental",
            "decision_date": date(2026, 6, 15),
            "decision_numero": "2026-CP-0412",
        }
    if m.type in ("college", "lycee"):
        return {
            "ordonnateur": "le chef d'établissement",
            "comptable_assignataire": "l'agent comptable du groupement comptable des EPLE ("
            f"{sgc.removeprefix('service de gestion comptable de ')})",
            "designe_r2191_59": "l'adjoint gestionnaire de l'établissement",
            "imputation_budgetaire": "service de restauration et d'hébergement, compte 6011 (denrées)",
            "decision_date": day,
            "decision_numero": f"CA-2026-{rank:02d}",
        }
    if m.type in ("hopital", "ehpad"):
        return {
            "ordonnateur": "le directeur de l'établissement",
            "comptable_assignataire": f"le comptable public du {sgc}",
            "designe_r2191_59": "le directeur des achats et de la logistique",
            "imputation_budgetaire": "titre 3 (charges à caractère hôtelier et général), compte 60221",
            "decision_date": day,
            "decision_numero": f"DIR-2026-{rank:03d}",
        }
    return {
        "ordonnateur": "le maire",
        "comptable_assignataire": f"le comptable public du {sgc}",
        "designe_r2191_59": "le maire",
        "imputation_budgetaire": "chapitre 011, article 60623 (alimentation), fonction 251 "
        "(restauration scolaire)",
        "decision_date": day,
        "decision_numero": f"DCM-2026-{rank:02d}",
    }


def groupement_yaml(cat: Catalogue) -> str:
    membres = []
    for rank, m in enumerate(MEMBERS, start=1):
        commune = cat.commune(m.commune)
        # The name for the reader, the INSEE code to be exact: a 5-digit value alone is read as a postcode
        # first (62160 is Boulogne-sur-Mer's INSEE code and the postcode of Bully-les-Mines).
        entry: dict[str, object] = {
            "nom": m.nom,
            "type": m.type,
            "commune": commune.nom if commune else m.commune,
            "insee": m.commune,
        }
        if m.type == "commune" and commune is not None:
            entry["population"] = commune.population
        if m.siret:
            entry["siret"] = m.siret
        repas = sum(s.repas_par_jour * s.jours_par_an for s in m.sites)
        if repas:
            entry["repas_par_an"] = repas
        territoire = (cat.territoire_du_code_postal(m.sites[0].code_postal) or "") if m.sites else ""
        entry.update(finance(m, territoire, rank))
        membres.append(entry)
    data = {
        "nom": "Groupement de commandes de produits de la mer du Boulonnais",
        "reference": "GCH-MER-2026-01",
        "objet": (
            "Fourniture et livraison de poissons, coquillages, crustacés et autres produits de la mer "
            "pour la restauration collective des membres du groupement"
        ),
        "coordonnateur": COORDONNATEUR,
        "acheteur": "local",
        "adresse": "Hôtel du Département, rue Ferdinand Buisson, 62018 Arras Cedex 9",
        "date_lancement": date(2027, 9, 6),
        "duree": {"periode_initiale_mois": 12, "reconductions": 3, "duree_reconduction_mois": 12},
        "marge_maximum": "0.20",
        "k_fournisseurs": 2,
        "cout_gestion_par_lot": "1500",
        "lots_max_par_candidat": None,
        "profil_acheteur": "https://marchespublics.exemple.fr/pas-de-calais",
        "echantillons": {
            "lieu": "Cuisine centrale du Centre hospitalier de Boulogne-sur-Mer, allée Jacques "
            "Monod, 62200 Boulogne-sur-Mer (quai de réception)"
        },
        "contacts": [
            {
                "role": "Coordonnateur du groupement",
                "nom": "Service de la commande publique du coordonnateur",
                "courriel": "commande-publique@exemple.fr",
            },
            {
                "role": "Questions techniques sur les produits de la mer",
                "nom": "Mission alimentation durable du coordonnateur",
                "courriel": "alimentation-durable@exemple.fr",
            },
            {
                "role": "Correspondant des membres du Boulonnais",
                "nom": "Référent restauration collective de la Communauté d'agglomération du Boulonnais",
                "courriel": "restauration@exemple.org",
            },
        ],
        "membres": membres,
    }
    head = (
        "# Groupement de commandes de produits de la mer du Boulonnais : exemple intégré à lotsmarche.\n"
        "# Membres : cantines réelles déclarées sur ma-cantine (SIRET et commune publics) ; leur adhésion\n"
        "# au groupement est fictive. Contacts fictifs. Voir LISEZMOI.md pour l'origine de chaque valeur.\n"
    )
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)
    # Quoted strings keep Decimal amounts exact ("0.20") and the date a plain string for the reader.
    return head + body


# ----------------------------------------------------------------------------------------------------
# LISEZMOI.md: French prose written here, figures computed from the same tables as the files
# ----------------------------------------------------------------------------------------------------

NNBSP = "\u202f"  # French thousands separator
TERRITORIES = ("Boulonnais", "Calaisis", "Montreuillois-Ternois")
CONSERVATION_FR = {
    "frais": "frais",
    "surgele": "surgelés",
    "appertise": "appertisés (conserves)",
    "refrigere_elabore": "réfrigérés élaborés (fumés)",
}
KIND_FR = {
    "college": "collège",
    "lycee": "lycée",
    "hopital": "hôpital",
    "ehpad": "EHPAD",
    "commune": "commune",
    "administration": "administration",
}


def fr(q: Decimal, decimals: int = 0) -> str:
    """1234567.5 -> '1 234 568' (narrow no-break spaces), decimals with a comma."""
    q = q.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):.{decimals}f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NNBSP.join(groups) + ("," + frac if frac else "")


def lisezmoi(rows: list[dict[str, str]], cat: Catalogue) -> str:  # noqa: PLR0915
    values = value_of(rows, cat)
    total = sum(values.values(), Decimal(0))
    over_duration = total * 4
    maximum = over_duration * Decimal("1.20")
    kg_total = sum((Decimal(r["quantite"].replace(",", ".")) for r in rows), Decimal(0))
    n_sites = sum(len(m.sites) for m in MEMBERS)
    L: list[str] = []
    add = L.append
    add("# Exemple intégré : groupement de commandes de produits de la mer du Boulonnais")
    add("")
    add(
        "Cet exemple accompagne lotsmarche pour l'essayer sans préparer de fichiers. Il met en scène le "
        "groupement d'achat de produits de la mer prévu par le plan départemental d'alimentation durable du "
        "Pas-de-Calais (délibération 2019-538, objectif 9.1) : recenser les besoins des cantines publiques "
        "du "
        "littoral, fédérer les acheteurs avec la Communauté d'agglomération du Boulonnais, puis passer des "
        "marchés dont les lots sont calibrés pour la filière boulonnaise (mareyeurs, pêcheurs en vente "
        "directe, "
        "fumaison, conserverie)."
    )
    add("")
    add(
        "**Les cantines sont réelles, leur adhésion au groupement est fictive.** Les profils de fournisseurs "
        "et les contacts sont illustratifs : aucun ne désigne une entreprise ou une personne réelle."
    )
    add("")
    add("## Les fichiers")
    add("")
    add("| Fichier | Contenu |")
    add("|---|---|")
    add(
        f"| `groupement.yaml` | le groupement : coordonnateur, {len(MEMBERS)} membres (type, commune, SIRET, "
        "population des communes), date de lancement, durée, marge du maximum, contacts |"
    )
    add(
        f"| `demande.csv` | {len(rows)} lignes de besoins annuels (membre × site × produit), {n_sites} sites "
        "de livraison, au format d'un export de tableur français (séparateur `;`, virgule décimale, UTF-8) |"
    )
    add(
        "| `fournisseurs/` | les questionnaires remplis de 12 profils de fournisseurs illustratifs "
        "(`profil_a.xlsx` … `profil_l.xlsx`, sourçage, art. R2111-1 du Code de la commande publique) : "
        "produits, volumes par mois, zones, labels |"
    )
    add(
        "| `sourcing.csv` | les mêmes réponses fusionnées en un tableau (`lotsmarche sourcing merge`), "
        "pour qui "
        "tient son sourçage dans un tableur |"
    )
    add("")
    add("Pour produire le DCE complet :")
    add("")
    add("```")
    add("lotsmarche run demande.csv --groupement groupement.yaml --sourcing fournisseurs --out dce")
    add("```")
    add("")
    add("## Le groupement")
    add("")
    add(
        "- Coordonnateur : le Département du Pas-de-Calais, porteur de l'objectif 9.1 ; il ne commande rien "
        "lui-même dans l'exemple. Acheteur « local » (collectivités territoriales et établissements publics "
        "locaux)."
    )
    add(
        "- Lancement de la consultation : 6 septembre 2027, une date à venir (une date de lancement passée "
        "est une erreur, DAT-001), donc après le 21 août 2026 : le critère environnemental et la condition "
        "d'exécution environnementale sont obligatoires (loi Climat et résilience)."
    )
    add(
        "- Accord-cadre à bons de commande de 12 mois reconductible 3 fois 12 mois (48 mois au plus, "
        "art. L2125-1) ; maximum = estimation sur la durée × 1,20."
    )
    add(
        "- Deux fournisseurs au moins par lot sont recherchés (`k_fournisseurs: 2`) ; coût de gestion estimé "
        "à 1 500 € par lot pour comparer les découpages."
    )
    add(
        "- Profil d'acheteur (adresse fictive), lieu de remise des échantillons (cuisine centrale de "
        "l'hôpital de Boulogne-sur-Mer) et, pour chaque membre, l'ordonnateur, le comptable assignataire, la "
        "personne désignée pour l'article R2191-59, l'imputation budgétaire et la décision d'adhésion "
        "(numéro et date) : valeurs **fictives** mais plausibles, à remplacer par celles de chaque membre. "
        "Le tribunal administratif compétent (Lille, pour le Pas-de-Calais) est déduit de la commune du "
        "coordonnateur."
    )
    add("")
    add("## Les membres et leurs sites")
    add("")
    add(
        "Source : déclarations EGALIM 2021 à 2023 des cantines du Pas-de-Calais sur ma-cantine (données "
        "ouvertes) : nom, SIRET (déclaration la plus récente) et commune. Communes, codes postaux, "
        "populations et territoires : découpage administratif officiel (catalogue `territoires.csv`). Le "
        "nombre de repas par jour n'est pas publié : c'est une estimation plausible pour la taille de chaque "
        "établissement."
    )
    add("")
    add(
        "| Membre | Type | Commune | Site | Code postal | Territoire | Convives | Repas/jour | Jours/an "
        "| Poisson en plat (kg) | Entrées de la mer (kg) |"
    )
    add("|---|---|---|---|---|---|---|---:|---:|---:|---:|")
    for m in MEMBERS:
        commune = cat.commune(m.commune)
        cname = commune.nom if commune else m.commune
        if m.type == "commune" and commune is not None:
            cname += f" ({fr(Decimal(commune.population))} hab.)"
        if not m.sites:
            add(f"| {m.nom} | {KIND_FR[m.type]} | {cname} | — | — | — | — | — | — | — | — |")
        for s in m.sites:
            plats, entrees = fish_kg(s)
            add(
                f"| {m.nom} | {KIND_FR[m.type]} | {cname} | {s.nom} | {s.code_postal} "
                f"| {cat.territoire_du_code_postal(s.code_postal)} | {EATERS[s.convives].libelle} "
                f"| {s.repas_par_jour} | {s.jours_par_an} | {fr(plats)} | {fr(entrees)} |"
            )
    add("")
    add(
        "Les communes de Wimereux (deux restaurants scolaires), d'Isques et de Groffliers représentent les "
        "écoles ; Isques et Groffliers comptent moins de 2 000 habitants (échéance de 2028 pour les "
        "contenants "
        "plastiques de cuisson, de réchauffe et de service). Les collèges de Sangatte, Coulogne et Marck "
        "(Calaisis) et les établissements d'Étaples et de Montreuil-sur-Mer (Montreuillois-Ternois) donnent "
        "trois zones de livraison à la stratégie `territoire`."
    )
    add("")
    add("## Des repas aux kilogrammes")
    add("")
    add("Pour chaque site :")
    add("")
    add("```")
    add("poisson en plat (kg)    = repas par jour × jours de service × 4/20 × portion")
    add("entrées de la mer (kg)  = repas par jour × jours de service × 1/20 × portion d'entrée")
    add("quantité d'un produit   = poisson en plat × part du produit × facteur de poids")
    add("                       (ou entrées de la mer × part du produit), arrondie au demi-kilo")
    add("```")
    add("")
    add(
        "- **4 plats de poisson sur 20 repas** : fréquence minimale fixée par l'arrêté du 30 septembre 2011 "
        "relatif à la qualité nutritionnelle des repas servis en restauration scolaire (annexe I), appliquée "
        "aussi aux adultes."
    )
    add(
        "- **Portions** (annexe II du même arrêté, poissons sans sauce) : 110 g en collège et lycée "
        "(milieu de "
        "la fourchette 100–120 g), 70 g en élémentaire, 50 g en maternelle. L'arrêté ne vise pas les "
        "adultes : "
        "l'exemple retient 120 g à l'hôpital et en EHPAD."
    )
    add(
        "- **Entrées de la mer** (sardines et maquereau en conserve, hareng fumé, crevette grise) : "
        "hypothèse de "
        "l'exemple, une entrée sur 20 repas, de 20 g (maternelle) à 40 g (collège, lycée, adultes)."
    )
    add(
        "- **Jours de service** : 140 jours par an dans les écoles, collèges et lycées (36 semaines de 4 "
        "jours, "
        "moins les sorties et examens) ; 365 jours à l'hôpital et en EHPAD, qui servent midi et soir (les "
        "repas par jour comptent les deux services)."
    )
    add(
        "- **Moules** : achetées avec leur coquille, d'où un facteur de poids de 3 par kilogramme de chair "
        "servie."
    )
    add("- Une ligne inférieure à 2 kg par an n'est pas demandée.")
    add("")
    add("### Répartition entre les produits (part des plats ou des entrées)")
    add("")
    menus = (
        ("secondaire", "Collèges et lycées"),
        ("primaire", "Écoles maternelles et élémentaires"),
        ("adulte", "Hôpital et EHPAD"),
    )
    for name, titre in menus:
        add(f"**{titre}**")
        add("")
        add("| Produit | Code | Plat ou entrée | Part | Mois demandés | Label exigé |")
        add("|---|---|---|---:|---|---|")
        for it in MENUS[name]:
            p = cat.produits[it.produit]
            if it.mois:
                mois = ", ".join(str(m) for m in it.mois)
            else:
                mois = "mois de disponibilité" if p.conservation == "frais" else "toute l'année"
            part = f"{fr(it.part * 100)} %" + (f" × {fr(it.facteur)}" if it.facteur != 1 else "")
            add(
                f"| {p.libelle} | `{p.code}` | {'plat' if it.kind == 'plat' else 'entrée'} | {part} | {mois} "
                f"| {it.label or '—'} |"
            )
        add("")
    add(
        "Les produits frais ne sont demandés que pendant leurs mois de disponibilité au catalogue (hareng "
        "d'octobre à janvier avec le label « Pêche durable », maquereau et plie au printemps et à la "
        "rentrée, "
        "moules de bouchot à l'automne, noix de Saint-Jacques pour les repas de fêtes de décembre et "
        "janvier) "
        "et jamais en juillet ou en août dans les établissements scolaires. Les moules de l'hôpital et de "
        "l'EHPAD sont demandées en agriculture biologique."
    )
    add("")
    add("## Emballages, livraisons et prix")
    add("")
    add(
        "- Les collèges de la Communauté d'agglomération du Boulonnais, les écoles de Wimereux et l'hôpital "
        "demandent leurs produits frais en caisses réemployables consignées (`caisse_reemployable`) ; les "
        "autres sites gardent le conditionnement par défaut du catalogue. Aucun membre ne demande de "
        "contenant plastique de cuisson, de réchauffe ou de service."
    )
    add("- Produits frais : 3 livraisons par semaine à partir de 400 repas par jour, 2 en dessous.")
    add(
        "- Prix : la colonne `prix_unitaire_ht` est presque toujours vide, lotsmarche applique alors le "
        "prix de "
        "référence du catalogue (avec sa date et sa source) ; quelques lignes donnent un prix connu de "
        "l'acheteur, proche de la référence."
    )
    add("")
    add("## Ordres de grandeur")
    add("")
    add(
        f"Au total {len(rows)} lignes et {fr(kg_total)} kg par an, pour un montant annuel estimé de "
        f"**{fr(total)} € HT** (prix de référence du catalogue, sauf prix donnés)."
    )
    add("")
    add("Montants annuels en € HT :")
    add("")
    add("| Conservation | " + " | ".join(TERRITORIES) + " | Total |")
    add("|---|" + "---:|" * (len(TERRITORIES) + 1))
    for cons in ("frais", "surgele", "refrigere_elabore", "appertise"):
        cells = [values.get((cons, t), Decimal(0)) for t in TERRITORIES]
        row_total = sum(cells, Decimal(0))
        add(f"| {CONSERVATION_FR[cons]} | " + " | ".join(fr(c) for c in cells) + f" | {fr(row_total)} |")
    add("")
    add(
        f"Sur 48 mois l'estimation atteint environ {fr(over_duration)} € HT et le total des maxima environ "
        f"{fr(maximum)} € HT : la consultation dépasse le seuil européen de 216 000 € HT et relève d'une "
        "procédure formalisée. Les petits lots (fumés, certains lots de zone) restent sous 80 000 € HT et "
        "peuvent utiliser la dérogation des petits lots dans la limite de 20 % du total. lotsmarche "
        "recalcule "
        "ces montants exactement, lot par lot."
    )
    add("")
    add("## Le sourçage")
    add("")
    add(
        "Le dossier `fournisseurs/` contient les réponses de 12 profils types de la filière du Boulonnais "
        "au questionnaire de sourçage (`lotsmarche sourcing template --groupement groupement.yaml`) : "
        "identité, produits proposés avec le volume livrable **chaque mois**, zones de livraison, jours et "
        "fréquence de livraison, caisses réemployables, labels détenus avec leur date d'échéance, minimum de "
        "commande et candidature envisagée (seul ou en groupement). Aucun profil n'est une entreprise "
        "réelle : ni SIRET ni numéro d'agrément. Les réponses ne servent qu'à dimensionner les lots : le "
        "lieu "
        "d'implantation d'un fournisseur n'est jamais un critère de choix."
    )
    add("")
    add(
        "Les volumes suivent les saisons des espèces (`tools/fournisseurs_boulonnais.yaml` cite les "
        "sources) : "
        "la fumaison artisanale (profil H) ne fume le hareng frais de la Manche Est que de novembre à "
        "février, "
        "le mytiliculteur livre ses moules de bouchot de juillet à janvier et les noix de Saint-Jacques "
        "d'octobre à mai, le crevettier pêche la crevette grise d'avril à novembre, les pêcheurs en vente "
        "directe suivent leurs espèces ; les mareyeurs, grossistes et conserveries livrent toute l'année "
        "(stocks, surgelés, conserves). Les capacités annuelles en euros sont celles des profils d'origine. "
        "Les certificats des labels déclarés sont valides à la date de lancement."
    )
    add("")
    add(
        "Avec deux fournisseurs exigés par lot, toutes les combinaisons conservation × zone sont couvertes "
        "par au moins deux profils : la crevette grise fraîche, par le crevettier de la baie de Canche et "
        "par le mareyeur-transformateur de Capécure, qui la vend aussi ; le hareng fumé, demandé toute "
        "l'année, par le mareyeur-transformateur et le grossiste en produits élaborés, qui en livrent tous "
        "les mois, la fumaison artisanale ne pouvant le livrer que quatre mois sur douze. La stratégie par "
        "défaut (`capacite`) ne laisse donc aucun lot qu'un seul fournisseur pourrait servir. Les découpages "
        "qui ne tiennent pas compte du sourçage en laissent : avec `--strategy famille`, le lot unique des "
        "produits de la mer (frais, surgelés, conserves et réfrigérés élaborés) n'est servi par aucun "
        "profil, "
        "ce qui est une erreur (LOT-001) ; `lotsmarche run` refuse alors le DCE (code de sortie 2), sauf "
        "avec `--brouillon`."
    )
    add("")
    add("## Régénérer l'exemple")
    add("")
    add(
        "`LISEZMOI.md`, `groupement.yaml` et `demande.csv` sont produits par `tools/build_example.py` (dans "
        "le dépôt de lotsmarche) à partir des tableaux de membres et de menus qu'il contient ; les "
        "questionnaires de `fournisseurs/` et `sourcing.csv`, par `tools/build_questionnaires.py` à partir "
        "de `tools/fournisseurs_boulonnais.yaml`. `--check` vérifie que les fichiers livrés sont à jour. "
        "Tout "
        "code produit absent du catalogue arrête les scripts."
    )
    add("")
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    cat = load_catalogue()
    check_menus(cat)
    rows = demand_rows(cat)
    check_packaging(rows, cat)
    files = {
        "LISEZMOI.md": lisezmoi(rows, cat),
        "groupement.yaml": groupement_yaml(cat),
        "demande.csv": demand_csv(rows),
    }
    if args.check:
        stale = [
            n for n, text in files.items() if not (OUT / n).is_file() or (OUT / n).read_text("utf-8") != text
        ]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        tmp = OUT / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(OUT / name)
    total = sum(value_of(rows, cat).values(), Decimal(0))
    print(f"{len(rows)} lines, {sum(len(m.sites) for m in MEMBERS)} sites, yearly value {total} EUR HT")
    return 0


if __name__ == "__main__":
    sys.exit(main())
