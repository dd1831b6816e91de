"""The items of every lot at once: one per (lot, product), with their per-member and per-site breakdowns.

All sums are vectorised group-bys on integer keys of the whole demand (line → lot, product, member, site),
done once for all lots; amounts stay in integers (thousandths, cents) until the last step, and the breakdown
objects — about two per demand line — are made without re-validation (``lotting.fastmodel``).

Prices and amounts: a product has ONE estimated unit price for the whole plan (``PreparedDemand.prix``: the
quantity-weighted mean of all its lines' prices, half-up to the cent), so every strategy values the same
demand alike; item amount = round_half_up(quantity × price, 0.01), the DQE line; a member's share likewise.

Packaging of an item: the lot has one regime (``lines.lot_regime``). An item keeps the packaging its lines
ask (the largest quantity, ties to the first code) among the packagings of the lot's regime; when none of its
lines asks the lot's regime (e.g. polystyrene boxes asked in a lot delivered in returnable crates because
other members asked them), it takes the lot's most used packaging of that regime.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.fastmodel import Maker
from lotsmarche.lotting.lines import PreparedDemand, half_up
from lotsmarche.macantine.codes import item_caracteristiques
from lotsmarche.models import LotItem, RepartitionMembre, RepartitionSite
from lotsmarche.money import QTY_SCALE

THOUSAND = Decimal(1000)
SAFE_INT = 1 << 62  # below this, int64 products cannot overflow


def months_of(mask: int) -> list[int]:
    return [m + 1 for m in range(12) if mask >> m & 1]


def qty(milli: int) -> Decimal:
    """Quantity from thousandths, without exponent or trailing zeros (stable JSON): 1500 → 1.5, 2000 → 2.

    An exact division keeps the coefficient closest to the ideal exponent 0, i.e. strips trailing zeros.
    """
    return Decimal(int(milli)) / THOUSAND


def cents(value: int) -> Decimal:
    """An integer number of cents as euros with two decimals (115 → 1.15, 0 → 0.00)."""
    return Decimal(int(value)).scaleb(-2)


def half_up_div(num: np.ndarray, den: int) -> np.ndarray:
    """round_half_up(num / den) for int64 arrays (away from zero on ties, like ROUND_HALF_UP)."""
    half = den // 2
    return np.where(num >= 0, (num + half) // den, -((-num + half) // den))


def pair_sums(
    a: np.ndarray, b: np.ndarray, nb: int, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ values per (a, b), sorted by a then b, through one integer key (no MultiIndex: much faster)."""
    s = pd.Series(values).groupby(np.asarray(a, dtype=np.int64) * nb + b, sort=True).sum()
    keys = s.index.to_numpy(dtype=np.int64)
    return keys // nb, keys % nb, s.to_numpy(dtype=np.int64)


@dataclass(frozen=True)
class LineCodes:
    """Integer codes of every demand line (positional), and what the codes stand for."""

    group: np.ndarray  # lot (group) of each line
    produit: np.ndarray
    produits: list[str]  # sorted codes
    membre: np.ndarray
    membres: list[str]  # sorted names
    site: np.ndarray
    sites: list[tuple[str, str, str, str]]  # (membre, site, code postal, territoire), sorted


def line_codes(prepared: PreparedDemand, group_of_cell: np.ndarray) -> LineCodes:
    """Codes of every line; product and territory come through the line's cell (no string work per line)."""
    t = prepared.table
    cell = prepared.cell_of_line
    cell_p, p_uni = pd.factorize(prepared.cells["produit"], sort=True)
    cell_t, t_uni = pd.factorize(prepared.cells["territoire"], sort=True)
    m_idx, m_uni = pd.factorize(t["membre"].astype(str), sort=True)
    membres = [str(v) for v in m_uni]
    s_idx, sites = _site_codes(
        t, m_idx.astype(np.int64), membres, cell_t.astype(np.int64)[cell], [str(v) for v in t_uni]
    )
    return LineCodes(
        group=group_of_cell[cell],
        produit=cell_p.astype(np.int64)[cell],
        produits=[str(v) for v in p_uni],
        membre=m_idx.astype(np.int64),
        membres=membres,
        site=s_idx,
        sites=sites,
    )


def _site_codes(
    t: pd.DataFrame, m_idx: np.ndarray, membres: list[str], t_i: np.ndarray, t_u: list[str]
) -> tuple[np.ndarray, list[tuple[str, str, str, str]]]:
    """A site is (membre, site, code postal, territoire); codes follow the sorted order of those 4 values."""
    columns = (t["site_livraison"].astype(str), t["code_postal"].astype(str))
    (s_i, s_u), (cp_i, cp_u) = (pd.factorize(c, sort=True) for c in columns)
    n_s, n_cp, n_t = len(s_u), len(cp_u), len(t_u)
    if len(membres) * n_s * n_cp * n_t < SAFE_INT:
        key = ((m_idx * n_s + s_i) * n_cp + cp_i) * n_t + t_i
        s_idx, uniq = pd.factorize(key, sort=True)
        out: list[tuple[str, str, str, str]] = []
        for key_value in uniq.tolist():
            rest, terr = divmod(key_value, n_t)
            rest, cp = divmod(rest, n_cp)
            m, site = divmod(rest, n_s)
            out.append((membres[m], str(s_u[site]), str(cp_u[cp]), t_u[terr]))
        return s_idx.astype(np.int64), out
    # too many distinct values for one int64 key: a (slower) four-column group-by, same order
    terr = np.asarray(t_u, dtype=object)[t_i]
    frame = pd.DataFrame({"m": m_idx, "s": columns[0], "cp": columns[1], "t": terr})
    grouped = frame.groupby(["m", "s", "cp", "t"], sort=True)
    keys = cast("list[tuple[int, str, str, str]]", grouped.size().index.tolist())
    return grouped.ngroup().to_numpy(dtype=np.int64), [
        (membres[m], str(s), str(cp), str(terr)) for m, s, cp, terr in keys
    ]


def build_items(
    prepared: PreparedDemand,
    codes: LineCodes,
    group_regime: list[str],
    cat: Catalogue,
    decimals: DecimalCache,
) -> list[list[LotItem]]:
    """The items of each group, in product code order."""
    t = prepared.table
    n_p = len(codes.produits)
    i_idx, i_uni = pd.factorize(codes.group * n_p + codes.produit, sort=True)  # by group, then product
    i_idx = i_idx.astype(np.int64)
    item_group = (i_uni // n_p).tolist()
    item_prod = [codes.produits[int(v)] for v in (i_uni % n_p)]
    n_items = len(i_uni)
    qtys = t["quantite_milli"].to_numpy(dtype=np.int64)
    lignes = t["ligne"].to_numpy(dtype=np.int64)
    order = np.lexsort((lignes, i_idx))  # by item, then line id
    bounds = np.searchsorted(i_idx[order], np.arange(n_items + 1))
    starts = bounds[:-1]
    item_qty = np.add.reduceat(qtys[order], starts).tolist()
    item_mask = np.bitwise_or.reduceat(t["mois"].to_numpy(dtype=np.int64)[order], starts).tolist()
    sorted_lines = lignes[order]
    price_cents = [prepared.prix[p].prix_cents for p in item_prod]
    labels = _labels(t, i_idx, n_items)
    conds = _packagings(prepared, i_idx, item_group, group_regime, cat)

    prices = np.asarray(price_cents, dtype=np.int64)
    members = _member_breakdowns(
        codes, i_idx, qtys=qtys, price_cents=prices, n_items=n_items, decimals=decimals
    )
    sites = _site_breakdowns(codes, i_idx, qtys, n_items, decimals)
    out: list[list[LotItem]] = [[] for _ in group_regime]
    for i in range(n_items):
        product = cat.produits[item_prod[i]]
        q_milli = int(item_qty[i])
        amount = half_up(q_milli * price_cents[i], QTY_SCALE)
        out[item_group[i]].append(
            LotItem(
                produit=product.code,
                libelle=product.libelle,
                unite=product.unite,
                quantite_annuelle=qty(q_milli),
                prix_unitaire_ht=cents(price_cents[i]),
                montant_annuel_ht=cents(amount),
                tva=product.tva,
                cpv=product.cpv,
                famille_macantine=cat.familles[product.famille].famille_macantine,
                mois=months_of(int(item_mask[i])),
                labels_requis=labels[i],
                caracteristiques_egalim=item_caracteristiques(labels[i], cat),
                conditionnement=conds[i],
                repartition_membres=members[i],
                repartition_sites=sites[i],
                lignes=sorted_lines[bounds[i] : bounds[i + 1]].tolist(),
            )
        )
    return out


def _labels(t: pd.DataFrame, i_idx: np.ndarray, n_items: int) -> list[list[str]]:
    lab = t["label_requis"].fillna("").astype(str).to_numpy()
    asked = lab != ""
    labels: list[set[str]] = [set() for _ in range(n_items)]
    pairs = pd.DataFrame({"i": i_idx[asked], "l": lab[asked]}).drop_duplicates()
    for i, lb in zip(pairs["i"].tolist(), pairs["l"].tolist(), strict=True):
        labels[int(i)].add(str(lb))
    return [sorted(s) for s in labels]


def _packagings(
    prepared: PreparedDemand,
    i_idx: np.ndarray,
    item_group: list[int],
    group_regime: list[str],
    cat: Catalogue,
) -> list[str]:
    """Packaging of each item (see the module docstring)."""
    cell_c, c_uni = pd.factorize(prepared.cells["conditionnement"], sort=True)
    c_idx = cell_c.astype(np.int64)[prepared.cell_of_line]
    packs = [str(c) for c in c_uni]
    regime = [cat.conditionnements[c].regime for c in packs]
    items, conds, sums = pair_sums(i_idx, c_idx, len(packs), prepared.table["quantite_milli"].to_numpy())
    best: dict[int, tuple[int, int]] = {}  # item -> (quantity, packaging), lot regime only
    per_lot: dict[tuple[int, int], int] = {}  # (group, packaging) -> quantity, lot regime only
    for i, c, q in zip(items.tolist(), conds.tolist(), sums.tolist(), strict=True):
        g = item_group[i]
        if regime[c] != group_regime[g]:
            continue
        if i not in best or q > best[i][0]:  # pairs come in packaging code order: ties keep the first
            best[i] = (q, c)
        per_lot[(g, c)] = per_lot.get((g, c), 0) + q
    lot_best: dict[int, tuple[int, int]] = {}
    for (g, c), q in sorted(per_lot.items()):
        if g not in lot_best or q > lot_best[g][0]:
            lot_best[g] = (q, c)
    return [packs[best[i][1] if i in best else lot_best[item_group[i]][1]] for i in range(len(item_group))]


def _member_breakdowns(
    codes: LineCodes,
    i_idx: np.ndarray,
    *,
    qtys: np.ndarray,
    price_cents: np.ndarray,
    n_items: int,
    decimals: DecimalCache,
) -> list[list[RepartitionMembre]]:
    item, member, q = pair_sums(i_idx, codes.membre, len(codes.membres), qtys)
    price = price_cents[item]
    if len(q) and int(np.abs(q).max()) * int(np.abs(price).max(initial=0)) < SAFE_INT:
        amounts = decimals.amounts(half_up_div(q * price, QTY_SCALE))
    else:  # beyond int64: exact Python integers, same rounding
        amounts = [cents(half_up(a * b, QTY_SCALE)) for a, b in zip(q.tolist(), price.tolist(), strict=True)]
    bounds = np.searchsorted(item, np.arange(n_items + 1)).tolist()
    names = codes.membres
    flat = Maker(RepartitionMembre).many(
        [
            {"membre": names[m], "quantite": d, "montant_annuel_ht": a}
            for m, d, a in zip(member.tolist(), decimals.quantities(q), amounts, strict=True)
        ]
    )
    return [flat[bounds[i] : bounds[i + 1]] for i in range(n_items)]


class DecimalCache:
    """Decimals of integer thousandths (quantities) and cents (amounts), made once per distinct value.

    Decimals are immutable, so equal values share one object: a member with one site has the same quantity
    in both breakdowns, and real demands repeat round quantities; it saves time and memory.
    """

    def __init__(self) -> None:
        self.milli: dict[int, Decimal] = {}
        self.cents: dict[int, Decimal] = {}

    def quantities(self, milli: np.ndarray) -> list[Decimal]:
        return self._convert(milli, self.milli, THOUSAND, 0)

    def amounts(self, value_cents: np.ndarray) -> list[Decimal]:
        return self._convert(value_cents, self.cents, None, -2)

    @staticmethod
    def _convert(
        values: np.ndarray, cache: dict[int, Decimal], divisor: Decimal | None, exponent: int
    ) -> list[Decimal]:
        distinct, inverse = np.unique(values, return_inverse=True)
        keys = distinct.tolist()
        missing = [k for k in keys if k not in cache]
        make = Decimal
        if divisor is not None:  # qty(): an exact division strips trailing zeros (1500 → 1.5)
            cache.update(zip(missing, [make(k) / divisor for k in missing], strict=True))
        else:  # cents(): two decimals kept (115 → 1.15, 100 → 1.00)
            cache.update(zip(missing, [make(k).scaleb(exponent) for k in missing], strict=True))
        table = np.empty(len(keys), dtype=object)
        table[:] = [cache[k] for k in keys]
        out: list[Decimal] = table[inverse].tolist()
        return out


def site_rows(codes: LineCodes) -> list[tuple[str, str, str, str | None]]:
    """Per site code: (membre, site, code postal, territoire or None), the breakdown's fixed fields."""
    return [(m, s, cp, terr or None) for m, s, cp, terr in codes.sites]


def site_breakdowns(
    rows: list[tuple[str, str, str, str | None]],
    site_ids: list[int],
    quantities: np.ndarray,
    decimals: DecimalCache,
) -> list[RepartitionSite]:
    return Maker(RepartitionSite).many(
        [
            {"membre": m, "site": s, "code_postal": cp, "territoire": terr, "quantite": d}
            for (m, s, cp, terr), d in zip(
                map(rows.__getitem__, site_ids), decimals.quantities(quantities), strict=True
            )
        ]
    )


def _site_breakdowns(
    codes: LineCodes, i_idx: np.ndarray, qtys: np.ndarray, n_items: int, decimals: DecimalCache
) -> list[list[RepartitionSite]]:
    item, site, q = pair_sums(i_idx, codes.site, len(codes.sites), qtys)
    flat = site_breakdowns(site_rows(codes), site.tolist(), q, decimals)
    bounds = np.searchsorted(item, np.arange(n_items + 1)).tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(n_items)]
