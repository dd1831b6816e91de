"""From groups of cells to priced lots: items, breakdowns, CPV, titles, numbering, suppliers able to serve.

Everything is aggregated once for all lots with integer keys (group × product, × member, × site), so a
million demand lines cost a few vectorised group-bys; only per-item results become ``Decimal``.
Item price = quantity-weighted mean of the lines' prices rounded half-up to the cent; item amount =
round_half_up(quantity × price, 0.01), the DQE line; lot amount = Σ item amounts.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import LottingError, Problem
from lotsmarche.lotting.capacity import LotNeed, servable_by
from lotsmarche.lotting.cpv import index_by_prefix, lot_cpv
from lotsmarche.lotting.lines import AMOUNT_SCALE, PreparedDemand, kg_of
from lotsmarche.lotting.strategies import Group
from lotsmarche.models import LotItem, RepartitionMembre, RepartitionSite, Supplier
from lotsmarche.money import CENT, PRICE_SCALE, QTY_SCALE, round_cents

DEFAULT_DELIVERIES_PER_WEEK = 1.0  # when a line gives no livraisons_par_semaine
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def qty(milli: int) -> Decimal:
    """Quantity from thousandths, written without exponent or trailing zeros (stable JSON)."""
    milli = int(milli)
    if milli % QTY_SCALE == 0:
        return Decimal(milli // QTY_SCALE)
    # a non-zero fractional part keeps the exponent negative, so normalize() never writes "1E+3"
    return Decimal(milli).scaleb(-3).normalize()


def months_of(mask: int) -> list[int]:
    return [m + 1 for m in range(12) if mask >> m & 1]


@dataclass
class LotDraft:
    """A lot before numbering and valuation."""

    group: Group
    famille: str
    conservation: str
    regime: str
    items: list[LotItem]
    sites: list[RepartitionSite]
    membres: list[str]
    territoires: list[str]
    mois: list[int]
    livraisons: int
    annuel: Decimal
    cpv_principal: str
    cpv_secondaires: list[str]
    groupe_espece: str | None
    indice: str | None
    indice_libelle: str | None
    need: LotNeed
    fournisseurs: list[str]
    intitule: str = ""  # set by lotting.naming once every draft exists (titles are made unique together)
    first_line: int = 0
    ecart_e7: int = 0  # Σ item amounts − Σ exact line amounts, in 1e-7 € (mean prices rounded to the cent)
    articles_prix_multiples: int = 0  # items whose lines carry different unit prices


def check_partition(groups: Sequence[Group], prepared: PreparedDemand, strategy: str) -> np.ndarray:
    """Every cell in exactly one group, and no group mixing homogeneity classes: the core invariant."""
    n = prepared.nb_cells
    group_of_cell = np.full(n, -1, dtype=np.int64)
    classes = list(
        zip(
            prepared.column("famille"),
            prepared.column("conservation"),
            prepared.column("regime"),
            strict=True,
        )
    )
    for gi, group in enumerate(groups):
        if not group.cells:
            raise LottingError(
                f"Stratégie « {strategy} » : groupe vide", [Problem(f"groupe {gi + 1} sans ligne")]
            )
        positions = np.asarray(group.cells, dtype=np.int64)
        if (group_of_cell[positions] != -1).any():
            raise LottingError(
                f"Stratégie « {strategy} » : une ligne de la demande est affectée à deux lots",
                [Problem("chaque ligne de la demande doit appartenir à exactement un lot")],
            )
        group_of_cell[positions] = gi
        if len({classes[p] for p in group.cells}) > 1:
            raise LottingError(
                f"Stratégie « {strategy} » : un lot mélange familles, conservations ou régimes d'emballage",
                [Problem("un lot ne peut mélanger ni frais et surgelé, ni deux régimes d'emballage")],
            )
    if (group_of_cell == -1).any():
        raise LottingError(
            f"Stratégie « {strategy} » : des lignes de la demande ne sont dans aucun lot",
            [Problem("chaque ligne de la demande doit appartenir à exactement un lot")],
        )
    return group_of_cell


def _pair_sums(
    a: np.ndarray, b: np.ndarray, nb: int, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ values per (a, b), sorted by a then b, through one integer key (no MultiIndex: much faster)."""
    s = pd.Series(values).groupby(np.asarray(a, dtype=np.int64) * nb + b, sort=True).sum()
    keys = s.index.to_numpy(dtype=np.int64)
    return keys // nb, keys % nb, s.to_numpy(dtype=np.int64)


def _sums(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(values).groupby(keys, sort=True).sum()
    return s.index.to_numpy(), s.to_numpy()


def build_drafts(
    prepared: PreparedDemand,
    groups: Sequence[Group],
    cat: Catalogue,
    suppliers: Sequence[Supplier],
    strategy: str,
) -> list[LotDraft]:
    """Priced drafts of the lots, in group order.

    A million-line demand creates about as many small immutable breakdown objects, none in a reference
    cycle; the cyclic garbage collector would rescan them again and again (half the time at that size), so
    it is paused while they are built.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_drafts(prepared, groups, cat, suppliers, strategy)
    finally:
        if enabled:
            gc.enable()


def _build_drafts(
    prepared: PreparedDemand,
    groups: Sequence[Group],
    cat: Catalogue,
    suppliers: Sequence[Supplier],
    strategy: str,
) -> list[LotDraft]:
    group_of_cell = check_partition(groups, prepared, strategy)
    t = prepared.table
    g = group_of_cell[prepared.cell_of_line]
    p_idx, p_index = pd.factorize(t["produit"].astype(str), sort=True)
    m_idx, m_index = pd.factorize(t["membre"].astype(str), sort=True)
    p_uni: list[str] = [str(v) for v in p_index]
    m_uni: list[str] = [str(v) for v in m_index]
    site_frame = pd.DataFrame(
        {
            "m": m_idx,
            "s": t["site_livraison"].astype(str).to_numpy(),
            "cp": t["code_postal"].astype(str).to_numpy(),
            "t": t["territoire"].fillna("").astype(str).to_numpy(),
        }
    )
    s_group = site_frame.groupby(["m", "s", "cp", "t"], sort=True)
    s_idx = s_group.ngroup().to_numpy(dtype=np.int64)
    s_keys = [  # (membre, site, code postal, territoire) per site id, in ngroup order
        (m_uni[int(m)], str(name), str(cp), str(terr))
        for m, name, cp, terr in cast("list[tuple[int, str, str, str]]", s_group.size().index.tolist())
    ]
    qtys = t["quantite_milli"].to_numpy(dtype=np.int64)
    prices = t["prix_e4"].to_numpy(dtype=np.int64)
    mois = t["mois"].to_numpy(dtype=np.int64)
    lignes = t["ligne"].to_numpy(dtype=np.int64)
    n_p = len(p_uni)
    item_key = g * n_p + p_idx  # sorted order = by group, then product code
    i_idx, i_uni = pd.factorize(item_key, sort=True)
    item_group = (i_uni // n_p).astype(np.int64)
    item_prod = [str(p_uni[int(v)]) for v in (i_uni % n_p)]
    n_items = len(i_uni)

    _, item_qty = _sums(i_idx, qtys)
    exact = [0] * n_items
    n_prices = [0] * n_items
    per_price = pd.Series(qtys).groupby([i_idx, prices], sort=False).sum()
    for (i, p), q in zip(per_price.index.tolist(), per_price.tolist(), strict=True):
        exact[int(i)] += int(q) * int(p)
        n_prices[int(i)] += 1
    item_mask = [0] * n_items
    for i, mk in pd.DataFrame({"i": i_idx, "m": mois}).drop_duplicates().itertuples(index=False):
        item_mask[int(i)] |= int(mk)
    labels: list[set[str]] = [set() for _ in range(n_items)]
    lab = t["label_requis"].fillna("").astype(str).to_numpy()
    for i, lb in pd.DataFrame({"i": i_idx, "l": lab}).drop_duplicates().itertuples(index=False):
        if lb:
            labels[int(i)].add(str(lb))
    conds: list[tuple[int, str]] = [(-1, "")] * n_items
    per_cond = pd.Series(qtys).groupby([i_idx, prepared.conditionnement.to_numpy()], sort=True).sum()
    for (i, c), q in zip(per_cond.index.tolist(), per_cond.tolist(), strict=True):
        if int(q) > conds[int(i)][0]:  # largest quantity wins, ties: first in code order
            conds[int(i)] = (int(q), str(c))
    order = np.lexsort((lignes, i_idx))
    bounds = np.searchsorted(i_idx[order], np.arange(n_items + 1))
    sorted_lines = lignes[order]

    mem_item, mem_id, mem_q = _pair_sums(i_idx, m_idx, len(m_uni), qtys)
    site_item, site_id, site_q = _pair_sums(i_idx, s_idx, len(s_keys), qtys)
    mem_bounds = np.searchsorted(mem_item, np.arange(n_items + 1)).tolist()
    site_bounds = np.searchsorted(site_item, np.arange(n_items + 1)).tolist()
    mem_id_l, mem_q_l = mem_id.tolist(), mem_q.tolist()
    site_id_l, site_q_l = site_id.tolist(), site_q.tolist()

    def site_model(s: int, q: int) -> RepartitionSite:
        membre, name, cp, terr = s_keys[s]
        return RepartitionSite(
            membre=membre,
            site=name,
            code_postal=cp,
            territoire=terr or None,
            quantite=qty(q),
        )

    items_of_group: list[list[LotItem]] = [[] for _ in groups]
    gaps = [0] * len(groups)
    multi = [0] * len(groups)
    for i in range(n_items):
        product = cat.produits[item_prod[i]]
        q_milli = int(item_qty[i])
        price = (
            (Decimal(exact[i]) / (Decimal(q_milli) * PRICE_SCALE)).quantize(CENT, rounding=ROUND_HALF_UP)
            if q_milli
            else Decimal(0).quantize(CENT)
        )
        quantity = qty(q_milli)
        amount = round_cents(quantity * price)
        gaps[int(item_group[i])] += int(amount * AMOUNT_SCALE) - exact[i]
        multi[int(item_group[i])] += n_prices[i] > 1
        items_of_group[int(item_group[i])].append(
            LotItem(
                produit=product.code,
                libelle=product.libelle,
                unite=product.unite,
                quantite_annuelle=quantity,
                prix_unitaire_ht=price,
                montant_annuel_ht=amount,
                tva=product.tva,
                cpv=product.cpv,
                mois=months_of(item_mask[i]),
                labels_requis=sorted(labels[i]),
                conditionnement=conds[i][1],
                repartition_membres=[
                    RepartitionMembre(membre=m_uni[m], quantite=mq, montant_annuel_ht=round_cents(mq * price))
                    for m, mq in (
                        (m, qty(q))
                        for m, q in zip(
                            mem_id_l[mem_bounds[i] : mem_bounds[i + 1]],
                            mem_q_l[mem_bounds[i] : mem_bounds[i + 1]],
                            strict=True,
                        )
                    )
                ],
                repartition_sites=[
                    site_model(s, q)
                    for s, q in zip(
                        site_id_l[site_bounds[i] : site_bounds[i + 1]],
                        site_q_l[site_bounds[i] : site_bounds[i + 1]],
                        strict=True,
                    )
                ],
                lignes=sorted_lines[bounds[i] : bounds[i + 1]].tolist(),
            )
        )

    # Sites of each lot and deliveries: Σ sites (deliveries per week × weeks of supply).
    livr = t["livraisons_par_semaine"].to_numpy(dtype=np.float64)
    gs_key = g.astype(np.int64) * len(s_keys) + s_idx
    order_gs = np.argsort(gs_key, kind="stable")
    k_sorted = gs_key[order_gs]
    starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
    pair_keys = k_sorted[starts]
    pair_group = (pair_keys // len(s_keys)).tolist()
    pair_site = (pair_keys % len(s_keys)).tolist()
    pair_q = np.add.reduceat(qtys[order_gs], starts).tolist()
    weekly = np.fmax.reduceat(livr[order_gs], starts)  # fmax skips NaN (not given)
    weekly = np.where(np.isnan(weekly), DEFAULT_DELIVERIES_PER_WEEK, weekly)
    pair_mask = np.bitwise_or.reduceat(mois[order_gs], starts)
    months_count = sum((pair_mask >> b) & 1 for b in range(12))
    per_group = np.bincount(
        np.asarray(pair_group, dtype=np.int64), weights=weekly * months_count, minlength=len(groups)
    )
    deliveries = [Decimal(repr(float(v))) * WEEKS_PER_MONTH for v in per_group.tolist()]
    group_mask = [0] * len(groups)
    for gi, mk in zip(pair_group, pair_mask.tolist(), strict=True):
        group_mask[gi] |= int(mk)
    sites_of_group: list[list[RepartitionSite]] = [[] for _ in groups]
    for gi, si, q in zip(pair_group, pair_site, pair_q, strict=True):
        sites_of_group[gi].append(site_model(si, q))

    first_line = pd.Series(lignes).groupby(g).min()
    by_prefix = index_by_prefix(cat.cpv)
    drafts: list[LotDraft] = []
    for gi, group in enumerate(groups):
        drafts.append(
            _draft(
                group,
                items=items_of_group[gi],
                sites=sites_of_group[gi],
                mask=group_mask[gi],
                deliveries=deliveries[gi],
                first_line=int(first_line[gi]),
                prepared=prepared,
                cat=cat,
                suppliers=suppliers,
                by_prefix=by_prefix,
            )
        )
    for gi, draft in enumerate(drafts):
        draft.ecart_e7 = gaps[gi]
        draft.articles_prix_multiples = multi[gi]
    return drafts


def _draft(
    group: Group,
    *,
    items: list[LotItem],
    sites: list[RepartitionSite],
    mask: int,
    deliveries: Decimal,
    first_line: int,
    prepared: PreparedDemand,
    cat: Catalogue,
    suppliers: Sequence[Supplier],
    by_prefix: dict[str, str],
) -> LotDraft:
    first = group.cells[0]
    famille = str(prepared.column("famille")[first])
    conservation = str(prepared.column("conservation")[first])
    regime = str(prepared.column("regime")[first])
    annuel = sum((it.montant_annuel_ht for it in items), Decimal(0))
    cpv_amounts: dict[str, Decimal] = {}
    for it in items:
        cpv_amounts[it.cpv] = cpv_amounts.get(it.cpv, Decimal(0)) + it.montant_annuel_ht
    try:
        family_cpv = cat.familles[famille].cpv if famille in cat.familles else None
        main, secondary = lot_cpv(cpv_amounts, by_prefix, family_cpv)
    except ValueError as exc:
        raise LottingError(
            "Code CPV absent de la liste officielle",
            [Problem(f"aucun code CPV valide pour les produits {', '.join(sorted(cpv_amounts))}")],
        ) from exc
    groups = sorted({g for p in group.cells if (g := prepared.column("groupe_espece")[p])})
    fam = cat.familles.get(famille)
    indices = Counter(
        cat.produits[it.produit].indice_insee or (fam.indice_insee if fam else None) for it in items
    )
    indices.pop(None, None)
    indice = sorted(indices.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0] if indices else None
    indice_libelle = fam.indice_libelle if fam is not None and indice == fam.indice_insee else None
    kg_total = 0.0
    for it in items:
        kg = kg_of(cat, it.produit, it.quantite_annuelle)
        kg_total += kg or 0.0
    need = LotNeed(
        famille=famille,
        conservation=conservation,
        regime=regime,
        groupes_especes=frozenset(groups),
        produits=frozenset(it.produit for it in items),
        territoires=frozenset(str(prepared.column("territoire")[p]) for p in group.cells),
        montant_annuel_ht=annuel,
        kg_annuel=Decimal(str(round(kg_total, 3))) if kg_total > 0 else None,
    )
    return LotDraft(
        group=group,
        famille=famille,
        conservation=conservation,
        regime=regime,
        items=items,
        sites=sites,
        membres=sorted({s.membre for s in sites}),
        territoires=sorted({s.territoire for s in sites if s.territoire}),
        mois=months_of(mask),
        livraisons=int(deliveries.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        annuel=annuel,
        cpv_principal=main,
        cpv_secondaires=secondary,
        groupe_espece=groups[0] if len(groups) == 1 else None,
        indice=indice,
        indice_libelle=indice_libelle,
        need=need,
        fournisseurs=servable_by(need, suppliers),
        first_line=first_line,
    )
