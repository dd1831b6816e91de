"""Fixed French wording chosen from the data (conservation, packaging regime, member kinds).

These are technical requirements of the CCTP and labels of the documents, not SPASER clauses: the clauses
come from ``lot.clauses`` (the clause library). Lawyers edit the wording here or in the templates.
"""

from __future__ import annotations

TYPES_MEMBRES: dict[str, str] = {
    "college": "collège",
    "lycee": "lycée",
    "ecole": "école",
    "creche": "crèche",
    "universite": "université",
    "esms": "établissement social ou médico-social",
    "ehpad": "EHPAD",
    "hopital": "établissement de santé",
    "commune": "commune",
    "administration": "administration",
}

# Grammatical gender of a member's name, for agreement (« Commune d'Arras est désignée coordonnateur »):
# groupement.yaml may say it (membres[].genre); otherwise the first word of the name decides, else the kind.
GENRE_MOTS: dict[str, str] = {
    **dict.fromkeys(
        [
            "commune",
            "ville",
            "mairie",
            "communaute",
            "metropole",
            "region",
            "universite",
            "ecole",
            "creche",
            "maison",
            "residence",
            "direction",
            "prefecture",
            "agglomeration",
            "caisse",
            "association",
            "fondation",
            "cite",
            "collectivite",
            "cuisine",
        ],
        "f",
    ),
    **dict.fromkeys(
        [
            "departement",
            "college",
            "lycee",
            "centre",
            "syndicat",
            "conseil",
            "etablissement",
            "ehpad",
            "hopital",
            "groupement",
            "sivu",
            "sivom",
            "ccas",
            "cias",
            "office",
            "service",
            "institut",
            "foyer",
            "pole",
            "ministere",
            "restaurant",
        ],
        "m",
    ),
}
GENRE_TYPES: dict[str, str] = {
    "college": "m",
    "lycee": "m",
    "ecole": "f",
    "creche": "f",
    "universite": "f",
    "esms": "m",
    "ehpad": "m",
    "hopital": "m",
    "commune": "f",
    "administration": "f",
}

# Conservations whose products need a primary packaging to keep (IQF bags and liners, vacuum packs, films):
# storage and transport packaging is outside the ban of L541-15-10 III / D541-338 (which covers containers
# for cooking, reheating, presentation and service), so such a lot is never required to come without plastic.
CONSERVATIONS_EMBALLAGE_PRIMAIRE = frozenset({"surgele", "refrigere_elabore"})

EMBALLAGE_PRIMAIRE = (
    "Les emballages primaires en plastique (sachets, films, barquettes operculées, sous-vide) sont admis "
    "pour la conservation, le stockage et le transport des produits ; ils ne servent jamais à la cuisson, à "
    "la réchauffe, à la présentation ou au service des repas. Le titulaire réduit ces emballages au strict "
    "nécessaire, leur préfère des emballages sans plastique ou recyclables lorsque le produit le permet, et "
    "reprend les emballages de transport à usage unique qu'il livre, selon la clause de reprise du lot."
)

# Kinds of members whose catering falls under the container ban of L541-15-10 III (Code de l'environnement).
TYPES_SCOLAIRES = frozenset({"college", "lycee", "ecole", "creche", "universite"})

CLAUSE_TYPES: dict[str, str] = {
    "environnementale": "environnementale",
    "sociale": "sociale",
    "ethique": "éthique",
    "economique": "économique",
}

DEROGATIONS: dict[str, str] = {
    "petit_lot": (
        "petit lot passé selon une procédure adaptée (code de la commande publique, art. R2123-1 2°)"
    ),
    "mini_lot": (
        "lot de faible montant sans publicité ni mise en concurrence préalables "
        "(code de la commande publique, art. R2122-8)"
    ),
}

TEMPERATURES: dict[str, str] = {
    "frais": (
        "Les produits sont livrés réfrigérés, à cœur et à la réception : de 0 °C à +2 °C pour les produits "
        "de la mer frais, conservés sous glace ou en enceinte froide, et de 0 °C à +4 °C pour les autres "
        "produits frais."
    ),
    "surgele": (
        "Les produits sont livrés surgelés, à −18 °C ou moins à cœur ; une remontée passagère de 3 °C au "
        "plus est tolérée pendant le transport. Tout produit décongelé, même partiellement, est refusé."
    ),
    "refrigere_elabore": "Les produits sont livrés entre 0 °C et +4 °C à cœur.",
    "appertise": (
        "Les conserves sont livrées à température ambiante, dans des emballages intacts, ni bombés, "
        "ni rouillés, ni cabossés."
    ),
    "ambiant": "Les produits sont livrés à température ambiante, au sec et à l'abri de la lumière.",
}

FRAICHEUR: dict[str, str] = {
    "frais_mer": (
        "Les poissons et produits de la mer frais relèvent des catégories de fraîcheur Extra ou A des normes "
        "communes de commercialisation de l'Union européenne. La date de débarquement figure sur le bon de "
        "livraison."
    ),
    "frais": (
        "À la livraison, les produits frais disposent encore d'au moins les deux tiers de leur durée de vie "
        "totale."
    ),
    "surgele": ("À la livraison, la date de durabilité minimale restant à courir est d'au moins six mois."),
    "refrigere_elabore": (
        "À la livraison, la date limite de consommation restant à courir représente au moins les deux tiers "
        "de la durée de vie totale du produit."
    ),
    "appertise": (
        "À la livraison, la date de durabilité minimale restant à courir est d'au moins douze mois."
    ),
    "ambiant": ("À la livraison, la date de durabilité minimale restant à courir est d'au moins six mois."),
}

EMBALLAGE_REGIME: dict[str, str] = {
    "reemployable": (
        "Les emballages de livraison sont réemployables : le titulaire les reprend à la livraison suivante, "
        "les nettoie et les réutilise, sans frais pour les membres."
    ),
    "sans_plastique": (
        "Les produits sont livrés sans emballage plastique à usage unique (carton, bois, verre, métal ou "
        "emballage réemployable)."
    ),
    "plastique_transport": (
        "Les emballages plastiques ne sont admis que pour le transport et le stockage ; ils ne servent "
        "jamais à la cuisson, à la réchauffe ou au service des repas."
    ),
    "plastique_contact": (
        "Les contenants plastiques de cuisson, de réchauffe ou de service ne sont admis que pour les "
        "membres qui n'entrent pas dans le champ de l'article L541-15-10 III du code de l'environnement."
    ),
}

EMBALLAGE_SCOLAIRE = (
    "Pour les livraisons destinées à la restauration scolaire, universitaire et des structures d'accueil "
    "des enfants de moins de six ans, aucun contenant alimentaire en plastique servant à la cuisson, à la "
    "réchauffe ou au service n'est admis (code de l'environnement, art. L541-15-10 III)."
)

EMBALLAGE_POLYSTYRENE = (
    "Les caisses en polystyrène expansé ne sont pas interdites ; le titulaire leur préfère autant que "
    "possible des caisses réemployables ou recyclables et indique dans son offre les emballages utilisés."
)
