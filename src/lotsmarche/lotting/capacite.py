"""`capacite`: split the family lots until at least k suppliers of the sourcing can serve each one.

Greedy and explainable (the exact minimum comes from ``optimal``): start from the ``famille`` groups; while a
group is servable by fewer than k suppliers, split it along the next axis — species group, then delivery
territory, then product — refine each part the same way, then merge the parts back together as long as no
part loses suppliers below min(k, what it had). A split is kept only if it improves servability (some value
becomes servable by k suppliers, or every part gains suppliers); otherwise the next axis is tried on the
whole group, and a group no axis helps stays whole (the builder then reports why, supplier by supplier).

"Can serve" is ``capacity.py``'s one definition, month-level volumes included: a seasonal supplier does not
count for a part needed all year, and a part whose monthly need exceeds the suppliers' volumes is split
(by territory, then product) like one exceeding their yearly capacity. The suppliers of each part tried are
counted from per-cell arrays (``capacity.CellCapability``), memoised on the part's cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.capacity import CellCapability, LotNeed, blocking_reasons, servable_by, sourcing_index
from lotsmarche.lotting.lines import AMOUNT_SCALE, lot_regime
from lotsmarche.lotting.months import MonthData, ProductMonths, merge_months, month_data
from lotsmarche.lotting.strategies import HOMOGENEITY, Group, StrategyContext, groups_by
from lotsmarche.models import Supplier

AXES: tuple[str, ...] = ("groupe_espece", "territoire", "produit")


@dataclass(frozen=True)
class Part:
    positions: tuple[int, ...]
    famille: str
    conservation: str
    regime: str  # the lot's regime: the most demanding of its cells (lines.lot_regime)
    groupes: frozenset[str]
    produits: frozenset[str]
    territoires: frozenset[str]
    montant_e7: int
    kg: float
    split_by: frozenset[str] = frozenset()  # axes this part was cut along (the title names them)
    mois: dict[str, ProductMonths] | None = None  # need per product and month (lotting.months)

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
            mois=self.mois,
        )

    def union(self, other: Part) -> Part:
        return Part(
            positions=tuple(sorted(self.positions + other.positions)),
            famille=self.famille,
            conservation=self.conservation,
            regime=lot_regime((self.regime, other.regime)),
            groupes=self.groupes | other.groupes,
            produits=self.produits | other.produits,
            territoires=self.territoires | other.territoires,
            montant_e7=self.montant_e7 + other.montant_e7,
            kg=self.kg + other.kg,
            split_by=self.split_by & other.split_by,
            mois=None if self.mois is None or other.mois is None else merge_months(self.mois, other.mois),
        )


class _Counter:
    """The suppliers able to serve a part (a bit set over the sourcing, ``capacity.CellCapability``),
    memoised on its cells.

    Every criterion but the capacities (yearly € and kg, month-level volumes) is a set condition that the
    union of two parts meets exactly when both parts do, so the suppliers able to serve a union are among
    those able to serve both: :meth:`upper` bounds the count of a union without building it (most merges
    are refused on that bound alone).
    """

    def __init__(self, suppliers: Sequence[Supplier], cols: Columns, months: MonthData | None) -> None:
        singles = [
            replace(make_part(cols, [c]).need(), montant_annuel_ht=Decimal(0), kg_annuel=None)
            for c in range(len(cols["produit"]))
        ]
        self.check = CellCapability(sourcing_index(list(suppliers)), singles, months)
        self.cache: dict[tuple[int, ...], int] = {}

    def able(self, part: Part) -> int:
        hit = self.cache.get(part.positions)
        if hit is None:
            need = part.need()
            flags = self.check.able(part.positions, need.montant_annuel_ht, need.kg_annuel)
            hit = int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")
            self.cache[part.positions] = hit
        return hit

    def __call__(self, part: Part) -> int:
        return self.able(part).bit_count()

    def upper(self, a: Part, b: Part) -> int:
        """At least the number of suppliers able to serve the union of ``a`` and ``b``."""
        return (self.able(a) & self.able(b)).bit_count()


Columns = dict[str, list[Any]]
NEEDED = ("famille", "conservation", "regime", "groupe_espece", "produit", "territoire", "montant_e7", "kg")


def make_part(
    cols: Columns,
    positions: Sequence[int],
    split_by: frozenset[str] = frozenset(),
    months: MonthData | None = None,
) -> Part:
    pos = sorted(int(p) for p in positions)
    first = pos[0]
    return Part(
        positions=tuple(pos),
        famille=str(cols["famille"][first]),
        conservation=str(cols["conservation"][first]),
        regime=lot_regime(str(cols["regime"][p]) for p in pos),
        groupes=frozenset(g for p in pos if (g := cols["groupe_espece"][p])),
        produits=frozenset(cols["produit"][p] for p in pos),
        territoires=frozenset(cols["territoire"][p] for p in pos),
        montant_e7=sum(int(cols["montant_e7"][p]) for p in pos),
        kg=float(sum(cols["kg"][p] for p in pos)),
        split_by=split_by,
        mois=months.of(pos) if months is not None else None,
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
        cols: Columns = {c: frame[c].tolist() for c in NEEDED}
        counter = _Counter(context.suppliers, cols, month_data(frame))
        k = context.k
        groups: list[Group] = []
        for _key, positions in groups_by(frame, HOMOGENEITY):
            base = make_part(cols, positions)
            for part in self._refine(cols, base, AXES, counter, k):
                groups.append(self._group(part))
        return groups

    def _refine(
        self, cols: Columns, part: Part, axes: tuple[str, ...], count: _Counter, k: int
    ) -> list[Part]:
        current = count(part)
        if current >= k:
            return [part]
        for i, axis in enumerate(axes):
            by_value: dict[str, list[int]] = {}
            for p in part.positions:
                by_value.setdefault(str(cols[axis][p]), []).append(p)
            if len(by_value) < 2:
                continue
            pieces = [make_part(cols, by_value[v], part.split_by | {axis}) for v in sorted(by_value)]
            refined: list[Part] = []
            for piece in pieces:
                refined.extend(self._refine(cols, piece, axes[i + 1 :], count, k))
            merged = _merge(refined, count, k)
            if _improves(merged, current, count, k):
                return merged
        return [part]

    @staticmethod
    def _group(part: Part) -> Group:
        territoire = None
        if "territoire" in part.split_by and len(part.territoires) == 1:
            territoire = next(iter(part.territoires))
        groupe = (
            next(iter(part.groupes)) if "groupe_espece" in part.split_by and len(part.groupes) == 1 else None
        )
        return Group(cells=part.positions, territoire=territoire, groupe_espece=groupe)


def _merge(parts: list[Part], count: _Counter, k: int) -> list[Part]:
    """First-fit merge, largest parts first: join two parts when neither drops below min(k, its count)."""
    ordered = sorted(parts, key=lambda p: (-p.montant_e7, p.positions))
    bins: list[Part] = []
    for part in ordered:
        floor_part = min(k, count(part))
        for i, current in enumerate(bins):
            floor = max(floor_part, min(k, count(current)))
            if count.upper(current, part) < floor:
                continue  # the union cannot keep enough suppliers: not even built
            joined = current.union(part)
            if count(joined) >= floor:
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


_PLURAL_VERBS = (
    ("ne fournit pas", "ne fournissent pas"),
    ("ne propose pas", "ne proposent pas"),
    ("ne livre pas", "ne livrent pas"),
)


def _plural(reason: str) -> str:
    """The reasons of capacity.blocking_reasons are written for one supplier; agree them with several."""
    for singular, plural in _PLURAL_VERBS:
        reason = reason.replace(singular, plural)
    return reason


def capacity_reasons(need: LotNeed, suppliers: Sequence[Supplier]) -> str:
    """Why the sourcing cannot serve a lot, supplier by supplier, in one French sentence list."""
    parts: list[str] = []
    by_reason: dict[str, list[str]] = {}
    for s in sorted(suppliers, key=lambda s: s.nom):
        reasons = blocking_reasons(s, need)
        if reasons:
            by_reason.setdefault(", ".join(reasons), []).append(s.nom)
    for reason, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(names) == 1:
            parts.append(f"« {names[0]} » {reason}")
        else:
            parts.append(f"{len(names)} fournisseurs ({', '.join(names)}) {_plural(reason)}")
    return " ; ".join(parts) if parts else "aucun fournisseur dans le sourçage"


class _Candidate(Protocol):
    intitule: str
    need: LotNeed


def merge_proposal(numero: int, drafts: Sequence[_Candidate], suppliers: Sequence[Supplier], k: int) -> str:
    """The merge the error of a thin lot proposes (French), or « » when no neighbour can take it.

    Neighbours are the lots of the same family and conservation whose packaging can be joined (never plastic
    containers for cooking, reheating or serving with other packaging); the nearest is the one whose merge
    is served by the most suppliers, then the smallest (ties by number). ``capacite`` already merges when
    the merged lot keeps k suppliers; what is left is proposed, with its count, for the buyer to decide.
    """
    lot = drafts[numero - 1]
    best: tuple[int, Decimal, int] | None = None
    for other_numero, other in enumerate(drafts, start=1):
        if other_numero == numero or not mergeable(lot.need, other.need):
            continue
        count = len(servable_by(union_need(lot.need, other.need), suppliers))
        key = (-count, other.need.montant_annuel_ht, other_numero)
        if best is None or key < best:
            best = key
    if best is None:
        return ""
    count, other_numero = -best[0], best[2]
    other = drafts[other_numero - 1]
    if count >= k:
        return (
            f"Fusionnez-le avec le lot {other_numero} (« {other.intitule} ») : le lot fusionné pourrait être "
            f"servi par {count} fournisseurs du sourçage."
        )
    return (
        f"Le lot voisin le plus proche est le lot {other_numero} (« {other.intitule} ») ; fusionnés, ils ne "
        f"seraient servis que par {count} fournisseur(s) du sourçage : la fusion ne suffit pas."
    )


def mergeable(a: LotNeed, b: LotNeed) -> bool:
    """Same family and conservation, and packaging regimes that may share a lot."""
    contact = "plastique_contact"
    return (
        a.famille == b.famille
        and a.conservation == b.conservation
        and (a.regime == contact) == (b.regime == contact)
    )


def union_need(a: LotNeed, b: LotNeed) -> LotNeed:
    """What the merge of two lots asks of a supplier."""
    kg = None if a.kg_annuel is None and b.kg_annuel is None else (a.kg_annuel or 0) + (b.kg_annuel or 0)
    return LotNeed(
        famille=a.famille,
        conservation=a.conservation,
        regime=lot_regime((a.regime, b.regime)),
        groupes_especes=a.groupes_especes | b.groupes_especes,
        produits=a.produits | b.produits,
        territoires=a.territoires | b.territoires,
        montant_annuel_ht=a.montant_annuel_ht + b.montant_annuel_ht,
        kg_annuel=Decimal(kg) if kg is not None else None,
        conservations=a.conservations | b.conservations,
        mois=None if a.mois is None or b.mois is None else merge_months(a.mois, b.mois),
    )


STRATEGY = CapaciteStrategy()  # loaded by name by the registry (lotting/strategies.py)
