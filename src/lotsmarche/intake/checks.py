"""Warnings on an accepted demand: data that is valid but deserves the buyer's attention.

Warnings are :class:`~lotsmarche.models.Finding` objects (never exceptions), grouped so that a
million-line demand yields a readable list: at most ``MAX_PER_CODE`` findings per code, then a summary.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.coded import Coded, pair_codes, sort_ranks
from lotsmarche.intake.places import candidates_text, territory_choice
from lotsmarche.intake.validate import Lines
from lotsmarche.intake.values import months_list
from lotsmarche.models import Finding
from lotsmarche.money import eur
from lotsmarche.text import MOIS_FR

MAX_PER_CODE = 20
PRICE_TOLERANCE = Decimal("0.5")  # ±50 % around the catalogue reference price

BASE_SAISON = "Code rural et de la pêche maritime, art. L230-5 (produits de saison)"
BASE_ESTIMATION = "Code de la commande publique, art. R2121-1 (estimation de la valeur du besoin)"
BASE_ALLOTISSEMENT = "Code de la commande publique, art. L2113-10 (allotissement)"
BASE_GROUPEMENT = "Code de la commande publique, art. L2113-6 (groupement de commandes)"


def months_text(mask: int) -> str:
    return ", ".join(MOIS_FR[m - 1] for m in months_list(mask))


def _names(values: list[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" et {len(values) - limit} autre(s)" if len(values) > limit else "")


def _more(code: str, left_out: int, what: str, base: str) -> list[Finding]:
    """The summary closing the first ``MAX_PER_CODE`` findings of a code; none if nothing was left out."""
    if left_out <= 0:
        return []
    return [
        Finding(code=code, severite="avertissement", message=f"… et {left_out} {what}.", base_legale=base)
    ]


def demand_warnings(lines: Lines, cat: Catalogue) -> list[Finding]:
    """Every warning on the data of the (canonically ordered) lines, by code, then by content."""
    out: list[Finding] = []
    out += _season(lines, cat)
    out += _prices(lines, cat)
    out += _duplicates(lines)
    out += _postcodes(lines)
    return out


def _groups(sort_key: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """``rows`` split into groups of equal ``sort_key`` (integers), groups in increasing key order."""
    if not len(rows):
        return []
    keys = sort_key[rows]
    order = np.argsort(keys, kind="stable")
    rows, keys = rows[order], keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return np.split(rows, starts[1:])


def _member_names(lines: Lines, rows: np.ndarray) -> list[str]:
    column = lines.text["membre"]
    return sorted({str(column.values[c]) for c in np.unique(column.codes[rows])})


def _ranked(column: Coded) -> np.ndarray:
    """Row keys that sort like the row texts."""
    return sort_ranks(column)[column.codes]


def _season(lines: Lines, cat: Catalogue) -> list[Finding]:
    found: list[Finding] = []
    produit = lines.text["produit"]
    avail = {code: sum(1 << (m - 1) for m in p.mois_disponibles) for code, p in cat.produits.items()}
    avail_of = np.asarray([avail.get(str(c), 4095) for c in produit.values], dtype="int64")
    outside = lines.numbers["mois"] & ~avail_of[produit.codes]
    groups = _groups(_ranked(produit), np.flatnonzero(outside != 0))
    for rows in groups[:MAX_PER_CODE]:
        code = str(produit.values[produit.codes[rows[0]]])
        prod = cat.produits[code]
        members = _member_names(lines, rows)
        hors = int(np.bitwise_or.reduce(outside[rows]))
        found.append(
            Finding(
                code="DEM-001",
                severite="avertissement",
                message=(
                    f"{prod.libelle} ({code}) n'est disponible qu'en {months_text(avail[code])} ; "
                    f"{len(rows)} ligne(s) de la demande (membres : {_names(members)}) le demandent aussi en "
                    f"{months_text(hors)}."
                ),
                base_legale=BASE_SAISON,
                correction=(
                    "Limitez la colonne « mois » aux mois de disponibilité ou choisissez un produit "
                    "de saison."
                ),
                membre=members[0] if len(members) == 1 else None,
                incertain=prod.saisonnalite_confiance != "C",
            )
        )
    left_out = len(groups) - MAX_PER_CODE
    return found + _more("DEM-001", left_out, "autre(s) produit(s) demandé(s) hors saison", BASE_SAISON)


def _prices(lines: Lines, cat: Catalogue) -> list[Finding]:
    found: list[Finding] = []
    produit = lines.text["produit"]
    given = np.flatnonzero(lines.text["prix_source"].rows_equal("demande"))
    if not len(given):
        return found
    ref_e4 = {c: int(p.prix_reference_ht * 10000) for c, p in cat.produits.items()}
    ranks = _ranked(produit)[given]
    e4s = lines.numbers["prix_e4"][given]
    # Distinct (product, price) pairs in (product code, price) order, with their line counts.
    top = int(e4s.max()) + 1
    fits = top * (int(ranks.max()) + 1) < 2**62
    order = np.argsort(ranks * top + e4s) if fits else np.lexsort((e4s, ranks))
    ranks, e4s, rows = ranks[order], e4s[order], given[order]
    starts = np.flatnonzero(np.r_[True, (ranks[1:] != ranks[:-1]) | (e4s[1:] != e4s[:-1])])
    counts = np.diff(np.r_[starts, len(rows)])
    ref_of = np.asarray([ref_e4.get(str(c), 0) for c in produit.values], dtype="int64")
    pair_p = produit.codes[rows[starts]]
    refs = ref_of[pair_p]
    pair_e4 = e4s[starts]
    # |price - ref| > 50 % of ref, in exact integers (2 × |p - r| > r), on distinct prices only.
    far = np.flatnonzero((refs > 0) & (2 * np.abs(pair_e4 - refs) > refs))
    for k in far[:MAX_PER_CODE]:
        code, e4, n = str(produit.values[pair_p[k]]), int(pair_e4[k]), int(counts[k])
        prod = cat.produits[code]
        found.append(
            Finding(
                code="DEM-002",
                severite="avertissement",
                message=(
                    f"Prix unitaire de {_euros(e4)} HT par {prod.unite} pour {prod.libelle} "
                    f"({code}) sur {n} ligne(s) : écart de plus de 50 % avec le prix de référence du "
                    f"catalogue ({_euros(int(refs[k]))} HT, {prod.prix_date.isoformat()})."
                ),
                base_legale=BASE_ESTIMATION,
                correction="Vérifiez l'unité et le prix : l'estimation du besoin détermine la procédure.",
            )
        )
    left_out = len(far) - MAX_PER_CODE
    return found + _more("DEM-002", left_out, "autre(s) prix éloigné(s) de la référence", BASE_ESTIMATION)


def _euros(e4: int) -> str:
    """French amount with its real decimals (at least 2, up to 4: unit prices may have 4)."""
    return eur(Decimal(e4) / 10000, exact=True)


def _duplicates(lines: Lines) -> list[Finding]:
    # Lines are in canonical order (membre, site, produit): a duplicate is a run of equal keys.
    m, s, p = (lines.text[k] for k in ("membre", "site_livraison", "produit"))
    pair, _ = pair_codes(m.codes, s.codes, len(s.values))
    key, _ = pair_codes(pair, p.codes, len(p.values))
    n = len(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if n else np.zeros(0, dtype=np.intp)
    ends = np.r_[starts[1:], n]
    dup = np.flatnonzero(ends - starts > 1)
    runs = [(int(starts[k]), int(ends[k])) for k in dup[:MAX_PER_CODE]]
    found: list[Finding] = []
    fichier, feuille = lines.text["fichier"], lines.text["feuille"]
    ligne = lines.numbers["ligne_source"]
    for a, b in runs:
        # Rows as the user sees them in their files, not our line ids.
        places = []
        for r in range(a, min(b, a + 10)):
            fi, fe = fichier.values[fichier.codes[r]], feuille.values[feuille.codes[r]]
            places.append(f"{fi}{f', feuille « {fe} »' if fe else ''} ligne {int(ligne[r])}")
        membre, site, produit = (str(c.values[c.codes[a]]) for c in (m, s, p))
        found.append(
            Finding(
                code="DEM-003",
                severite="avertissement",
                message=(
                    f"Le produit {produit} figure {b - a} fois pour le membre « {membre} », site "
                    f"« {site} » ({' ; '.join(places)}) : les quantités s'additionnent, vérifiez qu'il ne "
                    "s'agit pas d'un doublon."
                ),
                base_legale=BASE_ESTIMATION,
                correction="Supprimez la ligne en double ou regroupez les quantités sur une seule ligne.",
                membre=membre,
            )
        )
    left_out = len(dup) - MAX_PER_CODE
    return found + _more("DEM-003", left_out, "autre(s) doublon(s) possible(s)", BASE_ESTIMATION)


def _postcodes(lines: Lines) -> list[Finding]:
    unknown = np.flatnonzero(lines.text["commune_insee"].rows_equal(""))
    cp = lines.text["code_postal"]
    found: list[Finding] = []
    for rows in _groups(_ranked(cp), unknown):
        code = cp.values[cp.codes[rows[0]]]
        members = _names(_member_names(lines, rows))
        found.append(
            Finding(
                code="DEM-004",
                severite="avertissement",
                message=(
                    f"Le code postal {code} (membres : {members}) n'existe pas dans le code officiel "
                    "géographique : ses livraisons n'ont pas de territoire et ne seront pas rattachées à une "
                    "zone de livraison."
                ),
                base_legale=BASE_ALLOTISSEMENT,
                correction="Vérifiez le code postal (5 chiffres, celui de la commune de livraison).",
            )
        )
    left_out = len(found) - MAX_PER_CODE
    return found[:MAX_PER_CODE] + _more(
        "DEM-004", left_out, "autre(s) code(s) postal(aux) hors référentiel", BASE_ALLOTISSEMENT
    )


def territory_warnings(lines: Lines, cat: Catalogue) -> list[Finding]:
    """DEM-007: a postcode shared by communes of several territories, with no commune to decide."""
    cp = lines.text["code_postal"]
    found: list[Finding] = []
    for rows in _groups(_ranked(cp), np.flatnonzero(lines.ambigu)):
        code = str(cp.values[cp.codes[rows[0]]])
        chosen, _ = territory_choice(cat, code)
        found.append(
            Finding(
                code="DEM-007",
                severite="avertissement",
                message=(
                    f"Le code postal {code} est commun à des communes de territoires différents "
                    f"({candidates_text(cat, code)}). Faute de commune indiquée, {len(rows)} ligne(s) "
                    f"(membres : {_names(_member_names(lines, rows))}) sont rattachées au territoire "
                    f"{chosen.territoire}, celui de la commune la plus peuplée ({chosen.nom}, "
                    f"{chosen.code_insee})."
                ),
                base_legale=BASE_ALLOTISSEMENT,
                correction=(
                    "Ajoutez à la demande une colonne « commune » (nom ou code INSEE de la commune de "
                    "livraison), ou indiquez la commune du membre dans groupement.yaml ou la feuille "
                    "« Membres »."
                ),
                membre=None,
            )
        )
    return found
