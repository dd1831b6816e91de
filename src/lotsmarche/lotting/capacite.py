"""`capacite`: split the family lots until at least k suppliers of the sourcing can serve each one.

Greedy and explainable (the exact minimum comes from ``optimal``): start from the ``famille`` groups; while a
group is servable by fewer than k suppliers, split it along the next axis — species group, then delivery
territory, then product — refine each part the same way, then merge the parts back together as long as no
part loses suppliers below min(k, what it had). A split is kept only if it improves servability (some value
becomes servable by k suppliers, or every part gains suppliers); otherwise the next axis is tried on the
whole group, and a group no axis helps stays whole (the builder then reports why, supplier by supplier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.capacity import LotNeed, servable_by
from lotsmarche.lotting.lines import AMOUNT_SCALE
from lotsmarche.lotting.strategies import HOMOGENEITY, Group, StrategyContext, groups_by
from lotsmarche.models import Supplier

AXES: tuple[str, ...] = ("groupe_espece", "territoire", "produit")


@dataclass(frozen=True)
class Part:
    positions: tuple[int, ...]
    famille: str
    conservation: str
    regime: str
    groupes: frozenset[str]
    produits: frozenset[str]
    territoires: frozenset[str]
    montant_e7: int
    kg: float

    def need(self) -> LotNeed:
        return LotNeed(
            famille=self.famille,
            conservation=self.conservation,
            regime=self.regime,
            groupes_especes=self.groupes,
            produits=self.produits,
            territoires=self.territoires,
            montant_annuel_ht=Decimal(self.montant_e7) / AMOUNT_SCALE,
            kg_annuel=Decimal(str(round(self.kg, 3))) if self.kg > 0 else None,
        )

    def union(self, other: Part) -> Part:
        return Part(
            positions=tuple(sorted(self.positions + other.positions)),
            famille=self.famille,
            conservation=self.conservation,
            regime=self.regime,
            groupes=self.groupes | other.groupes,
            produits=self.produits | other.produits,
            territoires=self.territoires | other.territoires,
            montant_e7=self.montant_e7 + other.montant_e7,
            kg=self.kg + other.kg,
        )


class _Counter:
    """Counts the suppliers able to serve a part, memoised on its cells."""

    def __init__(self, suppliers: Sequence[Supplier]) -> None:
        self.suppliers = list(suppliers)
        self.cache: dict[tuple[int, ...], int] = {}

    def __call__(self, part: Part) -> int:
        hit = self.cache.get(part.positions)
        if hit is None:
            hit = len(servable_by(part.need(), self.suppliers))
            self.cache[part.positions] = hit
        return hit


def make_part(cells: pd.DataFrame, positions: Sequence[int]) -> Part:
    rows = cells.iloc[list(positions)]
    first = rows.iloc[0]
    return Part(
        positions=tuple(sorted(int(p) for p in positions)),
        famille=str(first["famille"]),
        conservation=str(first["conservation"]),
        regime=str(first["regime"]),
        groupes=frozenset(g for g in rows["groupe_espece"].tolist() if g),
        produits=frozenset(rows["produit"].tolist()),
        territoires=frozenset(rows["territoire"].tolist()),
        montant_e7=sum(int(v) for v in rows["montant_e7"].tolist()),
        kg=float(rows["kg"].sum()),
    )


class CapaciteStrategy:
    name = "capacite"
    libelle = "Selon la capacité des fournisseurs"
    description = (
        "Lots par famille, scindés (groupe d'espèces, puis territoire, puis produit) jusqu'à ce qu'au moins "
        "k fournisseurs du sourçage puissent servir chaque lot, avec le moins de lots possible."
    )

    def split(self, cells: pd.DataFrame, cat: Catalogue, context: StrategyContext) -> list[Group]:
        frame = cells.reset_index(drop=True)
        counter = _Counter(context.suppliers)
        k = context.k
        groups: list[Group] = []
        for _key, positions in groups_by(frame, HOMOGENEITY):
            base = make_part(frame, positions)
            for part in self._refine(frame, base, AXES, counter, k):
                groups.append(self._group(part, base))
        return groups

    def _refine(
        self, cells: pd.DataFrame, part: Part, axes: tuple[str, ...], count: _Counter, k: int
    ) -> list[Part]:
        current = count(part)
        if current >= k:
            return [part]
        for i, axis in enumerate(axes):
            sub = cells.iloc[list(part.positions)]
            if sub[axis].nunique() < 2:
                continue
            pieces = [
                make_part(cells, [part.positions[j] for j in idx])
                for _v, idx in sorted(sub.reset_index(drop=True).groupby(axis).indices.items())
            ]
            refined: list[Part] = []
            for piece in pieces:
                refined.extend(self._refine(cells, piece, axes[i + 1 :], count, k))
            merged = _merge(refined, count, k)
            if _improves(merged, current, count, k):
                return merged
        return [part]

    @staticmethod
    def _group(part: Part, base: Part) -> Group:
        territoire = (
            next(iter(part.territoires)) if len(part.territoires) == 1 < len(base.territoires) else None
        )
        groupe = next(iter(part.groupes)) if len(part.groupes) == 1 < len(base.groupes) else None
        return Group(cells=part.positions, territoire=territoire, groupe_espece=groupe)


def _merge(parts: list[Part], count: _Counter, k: int) -> list[Part]:
    """First-fit merge, largest parts first: join two parts when neither drops below min(k, its count)."""
    ordered = sorted(parts, key=lambda p: (-p.montant_e7, p.positions))
    bins: list[Part] = []
    for part in ordered:
        floor_part = min(k, count(part))
        for i, current in enumerate(bins):
            joined = current.union(part)
            n = count(joined)
            if n >= floor_part and n >= min(k, count(current)):
                bins[i] = joined
                break
        else:
            bins.append(part)
    return sorted(bins, key=lambda p: p.positions)


def _improves(parts: list[Part], before: int, count: _Counter, k: int) -> bool:
    """A split helps if some part reaches k suppliers, or if every part gains at least one supplier."""
    if len(parts) < 2:
        return False
    if any(count(p) >= k for p in parts):
        return True
    return all(count(p) > before for p in parts)
