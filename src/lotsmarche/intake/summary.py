"""What a buyer checks after intake: counts, yearly quantities and values HT by family and by territory.

Values are exact sums of quantity × unit price (``montant_annuel_ht_exact``), then rounded half-up to the
cent (``montant_annuel_ht``) for display. The JSON form (``model_dump(mode="json")``) is the stable
output of ``lotsmarche demand check --format json``: amounts and quantities are strings.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.model import Demand
from lotsmarche.models import Finding
from lotsmarche.money import QTY_SCALE, round_cents


class Totals(BaseModel):
    model_config = ConfigDict(frozen=True)

    cle: str  # family code or territory name ("" for unknown territory)
    libelle: str
    lignes: int
    quantites: dict[str, Decimal]  # unit -> yearly quantity
    montant_annuel_ht_exact: Decimal
    montant_annuel_ht: Decimal  # rounded to the cent


class DemandSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    fichiers: list[str]
    membres: int
    sites: int
    produits: int
    lignes: int
    montant_annuel_ht_exact: Decimal
    montant_annuel_ht: Decimal
    par_famille: list[Totals]
    par_territoire: list[Totals]
    avertissements: list[Finding]


def _totals(table: pd.DataFrame, key: str) -> list[tuple[str, int, dict[str, Decimal], Decimal]]:
    """Exact sums per value of ``key`` (in string order): lines, quantity per unit, amount.

    Grouped by (key, unit, price) in pandas first; per key, the amounts are then summed as Python
    integers (thousandths × ten-thousandths of a euro: beyond 64 bits on a large demand).
    """
    if table.empty:
        return []
    grouped = table.groupby([key, "unite", "prix_e4"], sort=True, observed=True)["quantite_milli"].agg(
        ["sum", "count"]
    )
    index = grouped.index
    assert isinstance(index, pd.MultiIndex)
    key_codes, unit_codes = np.asarray(index.codes[0]), np.asarray(index.codes[1])
    key_names = [str(k) for k in index.levels[0]]
    unit_names = [str(u) for u in index.levels[1]]
    e4s = index.get_level_values(2).to_numpy(dtype=np.int64)
    sums = grouped["sum"].to_numpy(dtype=np.int64)
    counts = grouped["count"].to_numpy(dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, key_codes[1:] != key_codes[:-1]])
    out: list[tuple[str, int, dict[str, Decimal], Decimal]] = []
    for a, b in zip(starts.tolist(), [*starts[1:].tolist(), len(key_codes)], strict=True):
        group_sums = sums[a:b].tolist()
        amount = sum(map(operator.mul, group_sums, e4s[a:b].tolist()))
        milli: dict[str, int] = {}
        for unit, total in zip(unit_codes[a:b].tolist(), group_sums, strict=True):
            milli[unit_names[unit]] = milli.get(unit_names[unit], 0) + total
        quantities = {unit: Decimal(total) / QTY_SCALE for unit, total in milli.items()}
        out.append(
            (
                key_names[key_codes[a]],
                int(counts[a:b].sum()),
                quantities,
                Decimal(amount) / (QTY_SCALE * 10000),
            )
        )
    # A key mapped from the products may be a categorical whose categories are not in string order.
    return sorted(out, key=lambda t: t[0])


def _norm(q: dict[str, Decimal]) -> dict[str, Decimal]:
    return {u: (v.normalize() if v else Decimal(0)) for u, v in sorted(q.items())}


def summarize_demand(demand: Demand, cat: Catalogue) -> DemandSummary:
    """Counts and exact yearly totals of an accepted demand (families and territories sorted by code)."""
    t = demand.table
    produits = t["produit"]
    enriched = pd.DataFrame(
        {
            "famille": produits.map({c: p.famille for c, p in cat.produits.items()}),
            "unite": produits.map({c: p.unite for c, p in cat.produits.items()}),
            "territoire": t["territoire"],
            "prix_e4": t["prix_e4"],
            "quantite_milli": t["quantite_milli"],
        }
    )
    fam = [
        Totals(
            cle=k,
            libelle=cat.familles[k].libelle if k in cat.familles else k,
            lignes=n,
            quantites=_norm(q),
            montant_annuel_ht_exact=a,
            montant_annuel_ht=round_cents(a),
        )
        for k, n, q, a in _totals(enriched, "famille")
    ]
    ter = [
        Totals(
            cle=k,
            libelle=k or "Hors référentiel des territoires",
            lignes=n,
            quantites=_norm(q),
            montant_annuel_ht_exact=a,
            montant_annuel_ht=round_cents(a),
        )
        for k, n, q, a in _totals(enriched, "territoire")
    ]
    total = sum((f.montant_annuel_ht_exact for f in fam), Decimal(0))
    return DemandSummary(
        fichiers=[Path(f).name for f in demand.fichiers],
        membres=int(t["membre"].nunique()),
        sites=int(t[["membre", "site_livraison"]].drop_duplicates().shape[0]),
        produits=int(produits.nunique()),
        lignes=len(t),
        montant_annuel_ht_exact=total,
        montant_annuel_ht=round_cents(total),
        par_famille=fam,
        par_territoire=ter,
        avertissements=list(demand.avertissements),
    )
