"""From groups of cells to priced lots: items, breakdowns, CPV, sites, deliveries, suppliers able to serve.

Everything is aggregated once for all lots with integer keys (group × product, × member, × site), so a
million demand lines cost a few vectorised group-bys (items and their breakdowns: ``lotting.items``).
A lot's packaging regime is the most demanding of its lines' (``lines.lot_regime``); lot amount = Σ item
amounts. Titles and numbering come afterwards (``lotting.naming``).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import LottingError, Problem
from lotsmarche.lotting.capacity import LotNeed, servable_by
from lotsmarche.lotting.cpv import index_by_prefix, lot_cpv
from lotsmarche.lotting.items import (
    DecimalCache,
    build_items,
    line_codes,
    months_of,
    site_breakdowns,
    site_rows,
)
from lotsmarche.lotting.lines import PreparedDemand, kg_of, lot_regime
from lotsmarche.lotting.months import MonthData, month_data
from lotsmarche.lotting.strategies import MIXED_CONSERVATION_STRATEGIES, Group
from lotsmarche.models import CONSERVATIONS, LotItem, RepartitionSite, Supplier

DEFAULT_DELIVERIES_PER_WEEK = 1.0  # when a line gives no livraisons_par_semaine
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


@dataclass
class LotDraft:
    """A lot before numbering and valuation."""

    group: Group
    famille: str
    conservation: str
    conservations: list[str]  # every conservation when there are several (« famille »), else []
    regime: str  # the most demanding regime of its lines (lines.lot_regime)
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


def check_partition(groups: Sequence[Group], prepared: PreparedDemand, strategy: str) -> np.ndarray:
    """Every cell in exactly one group, and no group mixing homogeneity classes: the core invariant."""
    n = prepared.nb_cells
    group_of_cell = np.full(n, -1, dtype=np.int64)
    mixed = strategy in MIXED_CONSERVATION_STRATEGIES
    classes = list(
        zip(
            prepared.column("famille"),
            ["" if mixed else c for c in prepared.column("conservation")],
            prepared.column("contact"),
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
                f"Stratégie « {strategy} » : un lot mélange familles, conservations ou types d'emballage",
                [
                    Problem(
                        "un lot ne peut mélanger ni frais et surgelé, ni contenants plastiques de cuisson, "
                        "de réchauffe ou de service et autres emballages"
                    )
                ],
            )
    if (group_of_cell == -1).any():
        raise LottingError(
            f"Stratégie « {strategy} » : des lignes de la demande ne sont dans aucun lot",
            [Problem("chaque ligne de la demande doit appartenir à exactement un lot")],
        )
    return group_of_cell


def build_drafts(
    prepared: PreparedDemand,
    groups: Sequence[Group],
    cat: Catalogue,
    suppliers: Sequence[Supplier],
    strategy: str,
) -> list[LotDraft]:
    """Priced drafts of the lots, in group order.

    A million-line demand creates about two million small immutable breakdown objects, none in a reference
    cycle; the cyclic garbage collector would rescan them again and again, so it is paused meanwhile.
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
    regimes = prepared.column("regime")
    group_regime = [lot_regime(regimes[p] for p in group.cells) for group in groups]
    codes = line_codes(prepared, group_of_cell)
    decimals = DecimalCache()
    items_of_group = build_items(prepared, codes, group_regime, cat, decimals)

    # Sites of each lot and deliveries: Σ sites (deliveries per week × weeks of supply).
    t = prepared.table
    g = codes.group
    n_sites = len(codes.sites)
    qtys = t["quantite_milli"].to_numpy(dtype=np.int64)
    mois = t["mois"].to_numpy(dtype=np.int64)
    livr = t["livraisons_par_semaine"].to_numpy(dtype=np.float64)
    gs_key = g.astype(np.int64) * n_sites + codes.site
    order_gs = np.argsort(gs_key, kind="stable")
    k_sorted = gs_key[order_gs]
    starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
    pair_keys = k_sorted[starts]
    pair_group = (pair_keys // n_sites).tolist()
    pair_site = (pair_keys % n_sites).tolist()
    pair_q = np.add.reduceat(qtys[order_gs], starts)
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
    all_sites = site_breakdowns(site_rows(codes), pair_site, pair_q, decimals)
    sites_of_group: list[list[RepartitionSite]] = [[] for _ in groups]
    for gi, site in zip(pair_group, all_sites, strict=True):
        sites_of_group[gi].append(site)

    first_line = pd.Series(t["ligne"].to_numpy(dtype=np.int64)).groupby(g).min()
    by_prefix = index_by_prefix(cat.cpv)
    months = month_data(prepared.cells)
    return [
        _draft(
            group,
            regime=group_regime[gi],
            items=items_of_group[gi],
            sites=sites_of_group[gi],
            mask=group_mask[gi],
            deliveries=deliveries[gi],
            first_line=int(first_line[gi]),
            prepared=prepared,
            cat=cat,
            suppliers=suppliers,
            by_prefix=by_prefix,
            months=months,
        )
        for gi, group in enumerate(groups)
    ]


def _conservations(items: list[LotItem], cat: Catalogue) -> tuple[str, list[str]]:
    """(main conservation: the one weighing most, ties in CONSERVATIONS order; all, in that order)."""
    weights: dict[str, Decimal] = {}
    for it in items:
        c = cat.produits[it.produit].conservation
        weights[c] = weights.get(c, Decimal(0)) + it.montant_annuel_ht
    order = {c: i for i, c in enumerate(CONSERVATIONS)}
    every = sorted(weights, key=lambda c: order.get(c, len(order)))
    main = sorted(every, key=lambda c: (-weights[c], order.get(c, len(order))))[0]
    return main, every


def _draft(
    group: Group,
    *,
    regime: str,
    items: list[LotItem],
    sites: list[RepartitionSite],
    mask: int,
    deliveries: Decimal,
    first_line: int,
    prepared: PreparedDemand,
    cat: Catalogue,
    suppliers: Sequence[Supplier],
    by_prefix: dict[str, str],
    months: MonthData | None,
) -> LotDraft:
    first = group.cells[0]
    famille = str(prepared.column("famille")[first])
    annuel = sum((it.montant_annuel_ht for it in items), Decimal(0))
    conservation, conservations = _conservations(items, cat)
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
    fitting = cat.indice_pour(famille, conservation)  # indices_revision.yaml: the series fit for the goods
    if fitting is not None:
        indice = fitting.indice
    indice_libelle = cat.indices.get(indice) if indice else None
    if indice_libelle is None and fam is not None and indice == fam.indice_insee:
        indice_libelle = fam.indice_libelle
    kg_total = 0.0
    for it in items:
        kg = kg_of(cat, it.produit, it.quantite_annuelle)
        kg_total += kg or 0.0
    need = LotNeed(
        famille=famille,
        conservation=conservation,
        conservations=frozenset(conservations),
        regime=regime,
        groupes_especes=frozenset(groups),
        produits=frozenset(it.produit for it in items),
        territoires=frozenset(str(prepared.column("territoire")[p]) for p in group.cells),
        montant_annuel_ht=annuel,
        kg_annuel=Decimal(str(round(kg_total, 3))) if kg_total > 0 else None,
        mois=months.of(group.cells) if months is not None else None,
    )
    return LotDraft(
        group=group,
        famille=famille,
        conservation=conservation,
        conservations=conservations if len(conservations) > 1 else [],
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
