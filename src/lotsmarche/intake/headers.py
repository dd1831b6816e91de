"""Column names as buyers really write them, mapped to our field names (French and English, any case).

A header is compared through :func:`header_key`: accents, case, spaces, underscores, dots, hyphens,
slashes, apostrophes and brackets are ignored, so ``"Code postal"``, ``"CODE_POSTAL "`` and ``"code-postal"``
are the same column.
"""

from __future__ import annotations

import re

from lotsmarche.text import fold

_NOISE = re.compile(r"[\s_\-./'’()\[\]:°*]+")


def header_key(text: str) -> str:
    """Comparison key of a header cell."""
    return _NOISE.sub("", fold(text))


def _keys(*names: str) -> frozenset[str]:
    return frozenset(header_key(n) for n in names)


# Demand columns (long layout and the survey sheet).
DEMAND_ALIASES: dict[str, frozenset[str]] = {
    "membre": _keys(
        "membre",
        "member",
        "nom du membre",
        "nom membre",
        "adherent",
        "etablissement",
        "établissement",
        "structure",
        "acheteur",
    ),
    "site_livraison": _keys(
        "site_livraison",
        "site de livraison",
        "site",
        "lieu de livraison",
        "delivery site",
        "site livre",
        "adresse de livraison",
        "cuisine",
    ),
    "code_postal": _keys("code_postal", "code postal", "cp", "postcode", "postal code", "zip", "zip code"),
    "commune": _keys("commune", "ville", "city", "code insee", "commune insee", "insee"),
    "produit": _keys(
        "produit", "code produit", "code_produit", "product", "product code", "code article", "code"
    ),
    "quantite": _keys(
        "quantite",
        "quantité",
        "quantity",
        "qte",
        "qté",
        "qty",
        "quantite annuelle",
        "quantité annuelle",
        "besoin annuel",
        "volume annuel",
        "annual quantity",
    ),
    "unite": _keys("unite", "unité", "unit", "unite de mesure", "unité de mesure", "uom"),
    "prix_unitaire_ht": _keys(
        "prix_unitaire_ht",
        "prix unitaire ht",
        "prix unitaire",
        "prix ht",
        "pu ht",
        "pu",
        "unit price",
        "unit price ht",
        "price",
        "prix",
    ),
    "mois": _keys("mois", "months", "month", "mois de besoin", "période", "periode", "mois souhaites"),
    "label_requis": _keys(
        "label_requis", "label requis", "label", "labels", "signe de qualité", "label required"
    ),
    "conditionnement": _keys("conditionnement", "emballage", "packaging", "conditionnement souhaité"),
    "livraisons_par_semaine": _keys(
        "livraisons_par_semaine",
        "livraisons par semaine",
        "livraisons/semaine",
        "nb livraisons par semaine",
        "fréquence de livraison",
        "frequence de livraison",
        "deliveries per week",
    ),
}

# Informative columns of the survey sheet: never member columns.
SURVEY_INFO: dict[str, frozenset[str]] = {
    "libelle": _keys(
        "libellé", "libelle", "désignation", "designation", "label produit", "product name", "nom"
    ),
    "famille": _keys("famille", "family"),
    "conservation": _keys("conservation", "storage"),
    "prix_reference": _keys(
        "prix de référence ht",
        "prix de reference",
        "prix référence",
        "prix de référence",
        "reference price",
        "prix indicatif ht",
        "prix de référence ht (€)",
    ),
    "cpv": _keys("cpv", "code cpv"),
    "mois_disponibles": _keys("mois disponibles", "disponibilité", "saison", "months available"),
    "total": _keys("total", "total groupement", "total annuel"),
    "remarque": _keys(
        "remarque", "remarques", "commentaire", "commentaires", "observations", "note", "notes"
    ),
}

# The "Membres" sheet of the survey and the --membres file.
MEMBERS_ALIASES: dict[str, frozenset[str]] = {
    "membre": DEMAND_ALIASES["membre"] | _keys("nom"),
    "type": _keys("type", "type de membre", "kind", "catégorie", "categorie"),
    "site_livraison": DEMAND_ALIASES["site_livraison"],
    "code_postal": DEMAND_ALIASES["code_postal"],
    "commune": DEMAND_ALIASES["commune"],
    "population": _keys("population", "habitants"),
}

LONG_REQUIRED = ("membre", "produit", "quantite")

DISPLAY: dict[str, str] = {
    "membre": "membre",
    "site_livraison": "site_livraison",
    "code_postal": "code_postal",
    "commune": "commune",
    "produit": "produit",
    "quantite": "quantite",
    "unite": "unite",
    "prix_unitaire_ht": "prix_unitaire_ht",
    "mois": "mois",
    "label_requis": "label_requis",
    "conditionnement": "conditionnement",
    "livraisons_par_semaine": "livraisons_par_semaine",
}


def field_of(cell: str, aliases: dict[str, frozenset[str]]) -> str | None:
    """The field a header cell names, or None."""
    key = header_key(cell)
    if not key:
        return None
    for name, keys in aliases.items():
        if key in keys:
            return name
    return None


def map_headers(headers: list[str], aliases: dict[str, frozenset[str]]) -> dict[int, str]:
    """Column position → field for every recognised header (first occurrence; duplicates reported apart)."""
    out: dict[int, str] = {}
    for i, cell in enumerate(headers):
        name = field_of(cell, aliases)
        if name is not None and name not in out.values():
            out[i] = name
    return out


def duplicate_headers(headers: list[str], aliases: dict[str, frozenset[str]]) -> list[tuple[int, str]]:
    """Columns whose header repeats an earlier one (same text, or another name of the same field)."""
    seen: set[str] = set()
    dups: list[tuple[int, str]] = []
    for i, cell in enumerate(headers):
        if not cell.strip():
            continue
        name = field_of(cell, aliases)
        ident = f"field:{name}" if name else f"text:{header_key(cell)}"
        if ident in seen:
            dups.append((i, cell))
        seen.add(ident)
    return dups


def is_long_header(row: list[str]) -> bool:
    fields = {field_of(c, DEMAND_ALIASES) for c in row}
    return all(f in fields for f in LONG_REQUIRED)


def is_survey_header(row: list[str]) -> bool:
    """A survey header: a product-code column and no member column, plus at least one other column."""
    fields = [field_of(c, DEMAND_ALIASES) for c in row]
    filled = [c for c in row if c.strip()]
    return "produit" in fields and "membre" not in fields and len(filled) >= 2


def is_demand_header(row: list[str]) -> bool:
    return is_long_header(row) or is_survey_header(row)


def is_members_header(row: list[str]) -> bool:
    fields = {field_of(c, MEMBERS_ALIASES) for c in row}
    return "membre" in fields and bool(fields & {"code_postal", "site_livraison", "type", "commune"})


EXPECTED_DEMAND = (
    "« membre », « produit », « quantite » (format long) ou « code » et une colonne par membre "
    "(feuille de recensement)"
)


def header_hint(rows: list[list[str]]) -> str:
    """« ; « produits » ressemble à « produit » » when a cell of the first rows is a near miss of a
    required column (a typo, a plural), else "" — said when no header row was recognised."""
    import difflib

    best: list[tuple[str, str]] = []
    for row in rows[:30]:
        present = {field_of(c, DEMAND_ALIASES) for c in row}
        found: list[tuple[str, str]] = []
        for cell in row:
            key = header_key(cell)
            if not key or field_of(cell, DEMAND_ALIASES) is not None:
                continue
            for name in LONG_REQUIRED:
                if name in present or any(name == f for _, f in found):
                    continue
                if difflib.get_close_matches(key, DEMAND_ALIASES[name], n=1, cutoff=0.75):
                    found.append((cell.strip(), name))
                    break
        if len(found) > len(best):
            best = found
    if not best:
        return ""
    said = ", ".join(f"« {cell[:40]} » ressemble à « {name} »" for cell, name in best)
    return f" ; {said} : corrigez l'en-tête"
