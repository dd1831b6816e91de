"""Warnings on an accepted demand: data that is valid but deserves the buyer's attention.

Warnings are :class:`~lotsmarche.models.Finding` objects (never exceptions), grouped so that a
million-line demand yields a readable list: at most ``MAX_PER_CODE`` findings per code, then a summary.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.values import months_list
from lotsmarche.models import Finding

MAX_PER_CODE = 20
PRICE_TOLERANCE = Decimal("0.5")  # ±50 % around the catalogue reference price

MOIS_NOMS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

BASE_SAISON = "Code rural et de la pêche maritime, art. L230-5 (produits de saison)"
BASE_ESTIMATION = "Code de la commande publique, art. R2121-1 (estimation de la valeur du besoin)"
BASE_ALLOTISSEMENT = "Code de la commande publique, art. L2113-10 (allotissement)"
BASE_GROUPEMENT = "Code de la commande publique, art. L2113-6 (groupement de commandes)"


def months_text(mask: int) -> str:
    return ", ".join(MOIS_NOMS[m - 1] for m in months_list(mask))


def _names(values: list[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" et {len(values) - limit} autre(s)" if len(values) > limit else "")


def _capped(code: str, findings: list[Finding], summary: Callable[[int], Finding]) -> list[Finding]:
    if len(findings) <= MAX_PER_CODE:
        return findings
    return [*findings[:MAX_PER_CODE], summary(len(findings) - MAX_PER_CODE)]


def demand_warnings(table: pd.DataFrame, cat: Catalogue) -> list[Finding]:
    """Every warning of the canonical demand table, in a stable order (by code, then by content)."""
    out: list[Finding] = []
    out += _season(table, cat)
    out += _prices(table, cat)
    out += _duplicates(table)
    out += _postcodes(table)
    return out


def _season(table: pd.DataFrame, cat: Catalogue) -> list[Finding]:
    found: list[Finding] = []
    avail = {code: sum(1 << (m - 1) for m in p.mois_disponibles) for code, p in cat.produits.items()}
    prod_mask = table["produit"].map(avail).to_numpy(dtype="int64")
    outside = table["mois"].to_numpy(dtype="int64") & ~prod_mask
    rows = table.loc[outside != 0, ["produit", "membre"]].assign(hors=outside[outside != 0])
    for code, grp in rows.groupby("produit", sort=True):
        prod = cat.produits[str(code)]
        members = sorted(grp["membre"].unique().tolist())
        hors = int(np.bitwise_or.reduce(grp["hors"].to_numpy()))
        found.append(
            Finding(
                code="DEM-001",
                severite="avertissement",
                message=(
                    f"{prod.libelle} ({code}) n'est disponible qu'en {months_text(avail[str(code)])} ; "
                    f"{len(grp)} ligne(s) de la demande (membres : {_names(members)}) le demandent aussi en "
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
    return _capped(
        "DEM-001",
        found,
        lambda n: Finding(
            code="DEM-001",
            severite="avertissement",
            message=f"… et {n} autre(s) produit(s) demandé(s) hors saison.",
            base_legale=BASE_SAISON,
        ),
    )


def _prices(table: pd.DataFrame, cat: Catalogue) -> list[Finding]:
    found: list[Finding] = []
    given = table.loc[table["prix_source"] == "demande", ["produit", "prix_e4"]]
    if given.empty:
        return found
    counts = given.value_counts(sort=False).sort_index()
    ref_e4 = {c: int(p.prix_reference_ht * 10000) for c, p in cat.produits.items()}
    codes = counts.index.get_level_values(0).astype(str)
    e4s = counts.index.get_level_values(1).to_numpy(dtype="int64")
    refs = codes.map(ref_e4).to_numpy(dtype="int64")
    # |price - ref| > 50 % of ref, in exact integers (2 × |p - r| > r), on distinct prices only.
    far = np.flatnonzero((refs > 0) & (2 * np.abs(e4s - refs) > refs))
    for k in far[:MAX_PER_CODE]:
        code, e4, n = str(codes[k]), int(e4s[k]), int(counts.to_numpy()[k])
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
    if len(far) > MAX_PER_CODE:
        found.append(
            Finding(
                code="DEM-002",
                severite="avertissement",
                message=f"… et {len(far) - MAX_PER_CODE} autre(s) prix éloigné(s) de la référence.",
                base_legale=BASE_ESTIMATION,
            )
        )
    return found


def _euros(e4: int) -> str:
    """French amount with its real decimals (at least 2, up to 4: unit prices may have 4)."""
    from babel.numbers import format_currency

    return str(format_currency(Decimal(e4) / 10000, "EUR", locale="fr_FR", decimal_quantization=False))


def _duplicates(table: pd.DataFrame) -> list[Finding]:
    keys = ["membre", "site_livraison", "produit"]
    # Integer codes instead of strings: duplicated() on three text columns is slow on a million lines.
    codes = [pd.factorize(table[k])[0].astype("int64") for k in keys]
    pair = pd.factorize(codes[0] * (int(codes[1].max(initial=0)) + 1) + codes[1])[0].astype("int64")
    combined = pair * (int(codes[2].max(initial=0)) + 1) + codes[2]  # < n² : no overflow
    is_dup = pd.Series(combined).duplicated(keep=False).to_numpy()
    dup = table.loc[is_dup, [*keys, "fichier", "feuille", "ligne_source"]]
    found: list[Finding] = []
    groups = dup.groupby(keys, sort=True)
    extra = max(groups.ngroups - MAX_PER_CODE, 0)
    for (membre, site, produit), grp in itertools.islice(groups, MAX_PER_CODE):
        # Rows as the user sees them in their files, not our line ids.
        places = [
            f"{fi}{f', feuille « {fe} »' if fe else ''} ligne {li}"
            for fi, fe, li in grp[["fichier", "feuille", "ligne_source"]].itertuples(index=False)
        ][:10]
        lignes = " ; ".join(places)
        found.append(
            Finding(
                code="DEM-003",
                severite="avertissement",
                message=(
                    f"Le produit {produit} figure {len(grp)} fois pour le membre « {membre} », site "
                    f"« {site} » ({lignes}) : les quantités s'additionnent, vérifiez qu'il ne s'agit "
                    "pas d'un doublon."
                ),
                base_legale=BASE_ESTIMATION,
                correction="Supprimez la ligne en double ou regroupez les quantités sur une seule ligne.",
                membre=str(membre),
            )
        )
    if extra:
        found.append(
            Finding(
                code="DEM-003",
                severite="avertissement",
                message=f"… et {extra} autre(s) doublon(s) possible(s).",
                base_legale=BASE_ESTIMATION,
            )
        )
    return found


def _postcodes(table: pd.DataFrame) -> list[Finding]:
    unknown = table.loc[table["commune_insee"] == "", ["code_postal", "membre"]]
    found: list[Finding] = []
    for cp, grp in unknown.groupby("code_postal", sort=True):
        members = sorted(grp["membre"].unique().tolist())
        found.append(
            Finding(
                code="DEM-004",
                severite="avertissement",
                message=(
                    f"Le code postal {cp} (membres : {_names(members)}) n'est pas dans le référentiel des "
                    "territoires : ses livraisons n'ont pas de territoire et ne seront pas rattachées à une "
                    "zone de livraison."
                ),
                base_legale=BASE_ALLOTISSEMENT,
                correction="Vérifiez le code postal ou complétez territoires.csv (--catalogues).",
            )
        )
    return _capped(
        "DEM-004",
        found,
        lambda n: Finding(
            code="DEM-004",
            severite="avertissement",
            message=f"… et {n} autre(s) code(s) postal(aux) hors référentiel.",
            base_legale=BASE_ALLOTISSEMENT,
        ),
    )
