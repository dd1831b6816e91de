"""Demand lines made ready for lotting: homogeneity keys per line and the "cells" strategies work on.

A *cell* gathers the lines of one product, delivered in one packaging, to one territory. Every strategy and
every plan rule only ever looks at product attributes, the packaging regime and the delivery territory, so
lines of one cell always land in the same lot; strategies therefore split a few hundred cells instead of a
million lines, and the builder maps lines to lots through their cell. Amounts stay exact: the canonical
integers (thousandths of a unit, ten-thousandths of a euro) are multiplied as Python integers.

Packaging and homogeneity: the legal line that matters is whether plastic containers are used for cooking,
reheating or serving (regime ``plastique_contact``, banned for school and childcare catering, Code de
l'environnement L541-15-10 III and D541-338) or not. Lots are therefore homogeneous on ``contact`` (regime ==
"plastique_contact"), never on the raw regime: returnable crates and polystyrene boxes of the same fresh fish
go in one lot, delivered in the most demanding regime its lines ask (:func:`lot_regime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.model import Demand
from lotsmarche.lotting.months import MONTH_COLUMNS, cell_month_needs

# Presentations that make a product "élaboré" (processed) rather than raw: famille-conservation keeps them
# apart because they come from processors (fumaison, conserverie, traiteur) rather than mareyeurs.
ELABORE_PRESENTATIONS: frozenset[str] = frozenset(
    {
        "pane",
        "fume",
        "sale",
        "marine",
        "conserve",
        "plat",
        "plat_cuisine",
        "plat_prepare",
        "cuisine",
        "elabore",
        "seche",
        "surimi",
        "rillettes",
        "soupe",
        "beignet",
        "brandade",
        "cuit",
        "preparation",
        "quenelle",
        "terrine",
        "emince_cuisine",
        "nugget",
    }
)
# Conservations that imply processing whatever the presentation (cooked peeled shrimp, canned fish...).
PROCESSED_CONSERVATIONS: frozenset[str] = frozenset({"appertise", "refrigere_elabore"})
AMOUNT_SCALE = 10_000_000  # quantite_milli × prix_e4 is in 1e-7 €
CONTACT = "plastique_contact"
# Non-contact regimes, most demanding first: a lot where some members ask returnable crates is delivered in
# returnable packaging for all (a lot-level requirement, checked against the sourcing by capacity.py).
REGIME_DEMAND_ORDER: tuple[str, ...] = ("reemployable", "sans_plastique", "plastique_transport")

CELL_KEYS = ("produit", "conditionnement", "territoire")


@dataclass(frozen=True)
class PreparedDemand:
    """The demand table (never modified) plus, for each line, its cell; and the table of cells.

    ``cells`` columns: produit, conditionnement, territoire, famille, conservation, regime, contact (bool:
    regime is plastique_contact), groupe_espece ("" when none), espece ("" when none), presentation, elabore
    (bool), quantite_milli (int), montant_e7 (Python int, exact amount in 1e-7 €), kg (float, for capacity
    only), nb_lignes, besoin_m01..besoin_m12 (need per month, exact, ``lotting.months``), libelle,
    unite_libelle, unite_pluriel (the product's label and unit, for capacity reasons). ``prix`` maps each
    product to its one estimated unit price for the whole plan.
    """

    table: pd.DataFrame
    cell_of_line: np.ndarray  # int64, one per row of `table` (positional)
    cells: pd.DataFrame
    prix: dict[str, ProductPrice]  # per product code, computed once over the whole demand

    def column(self, name: str) -> list[Any]:
        """A column of the cells table as a list (positional access without pandas overhead)."""
        cached = self._lists.get(name)
        if cached is None:
            cached = self.cells[name].tolist()
            self._lists[name] = cached
        return cached

    @property
    def _lists(self) -> dict[str, list[Any]]:
        store: dict[str, list[Any]] | None = self.__dict__.get("_list_cache")
        if store is None:
            store = {}
            object.__setattr__(self, "_list_cache", store)
        return store

    @property
    def nb_cells(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class ProductPrice:
    """The estimated unit price of a product, the same in every lot, and how it was obtained."""

    prix_cents: int  # quantity-weighted mean of the lines' prices, rounded half-up to the cent
    nb_prix: int  # distinct unit prices among the product's lines


def lot_regime(regimes: Iterable[str]) -> str:
    """Regime of a lot from its lines' regimes: contact if any, else the most demanding one."""
    present = set(regimes)
    if CONTACT in present:
        return CONTACT
    for regime in REGIME_DEMAND_ORDER:
        if regime in present:
            return regime
    raise ValueError(f"régimes d'emballage inconnus : {sorted(present)}")


def cell_amount(cells: pd.DataFrame, positions: list[int] | np.ndarray) -> Decimal:
    """Exact yearly amount HT of some cells."""
    total = sum((int(v) for v in cells["montant_e7"].to_numpy()[np.asarray(positions, dtype=np.int64)]), 0)
    return Decimal(total) / AMOUNT_SCALE


def prepare(demand: Demand, cat: Catalogue, source: str = "demande") -> PreparedDemand:
    """Attach product attributes and packaging regime to the demand, and build the cells table."""
    table = demand.table
    if len(table) == 0:
        raise InputError("Demande vide", [Problem("la demande ne contient aucune ligne à répartir en lots")])
    produit = table["produit"].astype(str)
    known = set(cat.produits)
    unknown = sorted(set(produit.unique()) - known)
    if unknown:
        raise InputError(
            "Produits inconnus du catalogue",
            [
                Problem(f"produit « {code} » absent du catalogue des produits", fichier=source)
                for code in unknown
            ],
        )
    cond = table["conditionnement"].fillna("").astype(str)
    empty = cond == ""
    if bool(empty.any()):
        defaults = produit.map({c: p.conditionnement_defaut for c, p in cat.produits.items()})
        cond = cond.where(~empty, defaults)
    unknown_pack = sorted(set(cond.unique()) - set(cat.conditionnements))
    if unknown_pack:
        raise InputError(
            "Conditionnements inconnus du catalogue",
            [
                Problem(f"conditionnement « {c} » absent de conditionnements.yaml", fichier=source)
                for c in unknown_pack
            ],
        )
    territoire = table["territoire"].fillna("").astype(str)
    keys = pd.DataFrame({"produit": produit, "conditionnement": cond, "territoire": territoire})
    grouped = keys.groupby(list(CELL_KEYS), sort=True, observed=True)
    cell_of_line = grouped.ngroup().to_numpy(dtype=np.int64)
    cells = grouped.size().rename("nb_lignes").reset_index()
    qty = table["quantite_milli"].to_numpy(dtype=np.int64)
    price = table["prix_e4"].to_numpy(dtype=np.int64)
    cells["quantite_milli"] = (
        pd.Series(qty).groupby(cell_of_line).sum().reindex(range(len(cells)), fill_value=0).to_numpy()
    )
    pair_cell, pair_price, pair_qty = _price_sums(cell_of_line, price, qty)
    exact = [0] * len(cells)
    for c, p, q in zip(pair_cell.tolist(), pair_price.tolist(), pair_qty.tolist(), strict=True):
        exact[c] += q * p  # Python ints: exact whatever the size
    cells["montant_e7"] = exact
    needs = cell_month_needs(cell_of_line, table["mois"].to_numpy(dtype=np.int64), qty, len(cells))
    for m, name in enumerate(MONTH_COLUMNS):
        cells[name] = needs[:, m]
    _attach_attributes(cells, cat)
    return PreparedDemand(
        table=table,
        cell_of_line=cell_of_line,
        cells=cells,
        prix=_product_prices(cells, pair_cell, pair_price),
    )


def _price_sums(group: np.ndarray, price: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, ...]:
    """Σ quantity per (group, price), sorted; one int64 key when groups × price range fits (it does in
    practice), else a slower two-key group-by."""
    low = int(price.min())
    span = int(price.max()) - low + 1
    if (int(group.max()) + 1) * span < 1 << 62:
        s = pd.Series(qty).groupby(group * span + (price - low), sort=True).sum()
        keys = s.index.to_numpy(dtype=np.int64)
        return keys // span, keys % span + low, s.to_numpy(dtype=np.int64)
    per = pd.Series(qty).groupby([group, price], sort=True).sum()
    g, p = (np.asarray(per.index.get_level_values(i), dtype=np.int64) for i in (0, 1))
    return g, p, per.to_numpy(dtype=np.int64)


def _product_prices(
    cells: pd.DataFrame, pair_cell: np.ndarray, pair_price: np.ndarray
) -> dict[str, ProductPrice]:
    """One estimated unit price per product over the whole demand, so every strategy values it alike.

    Exact Σ quantity × price and Σ quantity of the product's cells, divided and rounded half-up to the cent
    in integers; ``nb_prix`` counts the distinct unit prices among its lines.
    """
    codes, uniques = pd.factorize(cells["produit"], sort=True)
    exact = [0] * len(uniques)
    quantity = [0] * len(uniques)
    totals = zip(codes.tolist(), cells["montant_e7"].tolist(), cells["quantite_milli"].tolist(), strict=True)
    for code, e, q in totals:
        exact[code] += int(e)
        quantity[code] += int(q)
    distinct = pd.DataFrame({"p": codes[pair_cell], "x": pair_price}).drop_duplicates()
    count = np.bincount(distinct["p"].to_numpy(dtype=np.int64), minlength=len(uniques)).tolist()
    return {
        str(code): ProductPrice(_mean_cents(exact[g], quantity[g]), int(count[g]))
        for g, code in enumerate(uniques.tolist())
    }


def _mean_cents(exact_e7: int, quantity_milli: int) -> int:
    """Mean price in cents, half-up: amount in 1e-7 € / (quantity in thousandths × 100); 0 if none."""
    if quantity_milli == 0:
        return 0
    if quantity_milli < 0:  # never after intake; keeps the divisor positive
        exact_e7, quantity_milli = -exact_e7, -quantity_milli
    return half_up(exact_e7, quantity_milli * 100)


def half_up(num: int, den: int) -> int:
    """round_half_up(num / den) in exact integers (den > 0; ties away from zero, like ROUND_HALF_UP)."""
    if num >= 0:
        return (2 * num + den) // (2 * den)
    return -((-2 * num + den) // (2 * den))


def _attach_attributes(cells: pd.DataFrame, cat: Catalogue) -> None:
    produits = cat.produits
    codes = cells["produit"].tolist()
    cells["famille"] = [produits[c].famille for c in codes]
    cells["conservation"] = [produits[c].conservation for c in codes]
    cells["regime"] = [cat.conditionnements[c].regime for c in cells["conditionnement"].tolist()]
    cells["contact"] = [r == CONTACT for r in cells["regime"].tolist()]
    cells["groupe_espece"] = [produits[c].groupe_espece or "" for c in codes]
    cells["espece"] = [produits[c].espece or "" for c in codes]
    cells["presentation"] = [produits[c].presentation for c in codes]
    cells["libelle"] = [produits[c].libelle for c in codes]
    cells["unite_libelle"] = [cat.unite(produits[c].unite) for c in codes]
    cells["unite_pluriel"] = [cat.unite(produits[c].unite, 2) for c in codes]
    cells["elabore"] = [
        p in ELABORE_PRESENTATIONS or c in PROCESSED_CONSERVATIONS
        for p, c in zip(cells["presentation"].tolist(), cells["conservation"].tolist(), strict=True)
    ]
    kg: list[float] = []
    for code, milli in zip(codes, cells["quantite_milli"].tolist(), strict=True):
        kg.append(kg_of(cat, code, Decimal(int(milli)) / 1000) or 0.0)
    cells["kg"] = kg


def kg_of(cat: Catalogue, code: str, quantity: Decimal) -> float | None:
    """Weight in kg of a quantity of a product, when its unit is kg or a kg conversion exists."""
    product = cat.produits[code]
    if product.unite == "kg":
        return float(quantity)
    per_kg = product.conversions.get("kg")
    if per_kg:
        # conversions map another unit to an amount of the product unit: 1 kg = per_kg units
        return float(quantity / per_kg)
    return None


def homogeneity_key(cells: pd.DataFrame) -> pd.Series:
    """(famille, conservation, contact) of each cell: no lot may contain two different keys."""
    return pd.Series(
        list(zip(cells["famille"], cells["conservation"], cells["contact"], strict=True)), index=cells.index
    )
