"""What a buyer checks after intake: counts, yearly quantities and values HT by family and by territory.

Values are exact sums of quantity × unit price (``montant_annuel_ht_exact``), then rounded half-up to the
cent (``montant_annuel_ht``) for display. The JSON form (``model_dump(mode="json")``) is the stable
output of ``lotsmarche demand check --format json``: amounts and quantities are strings.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import cast

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
    """Exact sums per value of ``key``; grouped by (key, unit, price) first so Python ints stay few."""
    out: list[tuple[str, int, dict[str, Decimal], Decimal]] = []
    if table.empty:
        return out
    grouped = table.groupby([key, "unite", "prix_e4"], sort=True)["quantite_milli"].agg(["sum", "count"])
    current: str | None = None
    lines, amount_num = 0, 0
    qty: dict[str, Decimal] = {}
    for group, row in grouped.iterrows():
        k_raw, unit, e4 = cast("tuple[str, str, int]", group)
        k = str(k_raw)
        if k != current:
            if current is not None:
                out.append((current, lines, qty, Decimal(amount_num) / (QTY_SCALE * 10000)))
            current, lines, qty, amount_num = k, 0, {}, 0
        lines += int(row["count"])
        qty[str(unit)] = qty.get(str(unit), Decimal(0)) + Decimal(int(row["sum"])) / QTY_SCALE
        amount_num += int(row["sum"]) * int(str(e4))
    if current is not None:
        out.append((current, lines, qty, Decimal(amount_num) / (QTY_SCALE * 10000)))
    return out


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
