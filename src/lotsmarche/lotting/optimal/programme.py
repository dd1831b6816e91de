"""The integer programme of strategy ``optimal``: fewest lots each servable by k suppliers, proven (HiGHS).

The demand is cut into *atoms* (product × delivery territory inside one homogeneous class famille ×
conservation × contact packaging or not). A lot is a set of atoms of one class; it is servable when at least k
suppliers can each serve every atom of it (capacity.py: products, species groups, zones, returnable
packaging) and have a yearly capacity (€ HT and kg) at least the lot's amount.

Formulation (why it is exact and small): a servable lot is *certified* by some k-set T of suppliers; the lot
is then a subset of A(T), the atoms every member of T serves, whose amount fits min(capacity of T). So lots
are bins of "types" T. Dominated types (A(T) ⊆ A(T') with no larger capacity) are dropped; a type whose whole
A(T) fits its capacity needs one bin only (capacity can never bind), which turns most classes into a small set
cover. Atoms that no k suppliers can serve even alone are *blocked*: any lot holding one stays below k, so the
value left below k is minimal exactly when blocked atoms are kept apart (one residual lot per class), and the
programme then minimises the number of the other lots. The small-lot allowance is optional per lot, so every
partition respects it; the normal valuation decides which lots use it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from lotsmarche.lotting.optimal.highs import Row, highs_model, run
from lotsmarche.lotting.optimal.pooled import bins_plan, lp_bound, pooled_plan, relaxation

INF = 1 << 62  # "no capacity limit", kept integral so every comparison stays exact


@dataclass(frozen=True)
class Atom:
    """Smallest piece of demand the programme moves: one product to one territory, in one class."""

    cle: str  # stable label, e.g. "MER-MERLAN-FILET-FR @ Boulonnais"
    classe: str  # homogeneous class (famille|conservation|contact): two classes never share a lot
    valeur: int  # yearly amount HT in cents, rounded up (a capacity check on it is never optimistic)
    fournisseurs: frozenset[int]  # suppliers able to serve it, capacity aside
    kg: int = 0  # yearly weight in grams, rounded up (0 when the unit has no weight)


@dataclass(frozen=True)
class Instance:
    atoms: tuple[Atom, ...]
    capacites: tuple[int | None, ...]  # per supplier: yearly capacity in cents, None = unlimited
    capacites_kg: tuple[int | None, ...] = ()  # per supplier: grams, None or missing = unlimited

    def cap(self, s: int) -> int:
        c = self.capacites[s]
        return INF if c is None else c

    def cap_kg(self, s: int) -> int:
        c = self.capacites_kg[s] if s < len(self.capacites_kg) else None
        return INF if c is None else c


@dataclass(frozen=True)
class OptimalResult:
    lots: tuple[tuple[int, ...], ...]  # atom indices per lot (sorted), lots sorted by their first atom
    servables: tuple[bool, ...]  # per lot: certified by at least k suppliers
    certificats: tuple[tuple[int, ...], ...]  # per lot: the k suppliers that certify it (empty if blocked)
    bloques: tuple[int, ...]  # atoms no k suppliers can serve, even alone
    statut: str  # "optimal" (proven) or "limite_de_temps" (best plan found, gap below)
    nb_lots: int
    borne: int  # proven lower bound on the number of lots
    valeur_sous_k: int  # cents in lots below k (minimal: the blocked atoms)
    secondes: float = field(default=0.0, compare=False)  # wall-clock time, CLI/bench only

    @property
    def ecart(self) -> Decimal:
        """Proven relative gap (nb_lots − borne) / nb_lots, 0 when optimal."""
        if self.nb_lots == 0:
            return Decimal(0)
        return (Decimal(self.nb_lots - self.borne) / Decimal(self.nb_lots)).quantize(Decimal("0.0001"))


# --------------------------------------------------------------------------------------------
# Preprocessing: fits, blocked atoms, bin types, components
# --------------------------------------------------------------------------------------------


def _fits(inst: Instance, k: int) -> list[tuple[int, ...]]:
    """Per atom, the suppliers that can serve it alone (capacity included), sorted."""
    return [
        tuple(sorted(s for s in a.fournisseurs if inst.cap(s) >= a.valeur and inst.cap_kg(s) >= a.kg))
        for a in inst.atoms
    ]


@dataclass
class _Type:
    sup: tuple[int, ...]  # the k-set T
    mask: int  # atoms (local indices) in A(T)
    cap: int
    cap_kg: int


def _bin_types(fits: Sequence[tuple[int, ...]], local: Sequence[int], inst: Instance, k: int) -> list[_Type]:
    """Non-dominated k-sets of suppliers for the atoms ``local`` (one class), deterministic order."""
    sup_mask: dict[int, int] = {}
    for li, a in enumerate(local):
        for s in fits[a]:
            sup_mask[s] = sup_mask.get(s, 0) | (1 << li)
    ksets: set[tuple[int, ...]] = set()
    for f in {fits[a] for a in local}:
        ksets.update(combinations(f, k))
    by_mask: dict[int, list[_Type]] = {}
    for t in sorted(ksets):
        m = -1
        for s in t:
            m &= sup_mask[s]
        cap = min(inst.cap(s) for s in t)
        cap_kg = min(inst.cap_kg(s) for s in t)
        by_mask.setdefault(m, []).append(_Type(t, m, cap, cap_kg))
    # Pareto front per mask, then drop masks contained in a larger one with no smaller capacities.
    kept: list[_Type] = []
    for m in sorted(by_mask, key=lambda x: (-x.bit_count(), x)):
        for cand in sorted(by_mask[m], key=lambda t: (-t.cap, -t.cap_kg, t.sup)):
            if not any(
                (cand.mask & ~o.mask) == 0 and cand.cap <= o.cap and cand.cap_kg <= o.cap_kg for o in kept
            ):
                kept.append(cand)
    return kept


def _components(types: Sequence[_Type], n: int) -> list[list[int]]:
    """Local atoms linked by a common bin type: independent sub-problems (union-find)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in types:
        members = [i for i in range(n) if t.mask >> i & 1]
        for i in members[1:]:
            ra, rb = find(members[0]), find(i)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


# --------------------------------------------------------------------------------------------
# One component: greedy upper bound, then the bin-type programme
# --------------------------------------------------------------------------------------------


def _first_fit(
    order: Sequence[int], types: Sequence[_Type], val: Sequence[int], kg: Sequence[int]
) -> list[tuple[int, list[int]]]:
    """Each item joins the first lot a type can still certify, else opens one."""
    lots: list[list[Any]] = []  # [items, candidate type ids, value, kg]
    for i in order:
        for lot in lots:
            cands = [
                ti
                for ti in lot[1]
                if types[ti].mask >> i & 1
                and lot[2] + val[i] <= types[ti].cap
                and lot[3] + kg[i] <= types[ti].cap_kg
            ]
            if cands:
                lot[0].append(i)
                lot[1], lot[2], lot[3] = cands, lot[2] + val[i], lot[3] + kg[i]
                break
        else:
            lots.append([[i], [ti for ti, t in enumerate(types) if t.mask >> i & 1], val[i], kg[i]])
    return [(lot[1][0], sorted(lot[0])) for lot in lots]


def _greedy(
    items: Sequence[int], types: Sequence[_Type], val: Sequence[int], kg: Sequence[int]
) -> list[tuple[int, list[int]]]:
    """Best of a few first-fit orders (most constrained first, largest first, largest capacity first)."""
    n_types = {i: sum(t.mask >> i & 1 for t in types) for i in items}
    best_cap = {i: max(t.cap for t in types if t.mask >> i & 1) for i in items}
    orders = (
        sorted(items, key=lambda i: (n_types[i], -val[i], i)),
        sorted(items, key=lambda i: (-val[i], i)),
        sorted(items, key=lambda i: (best_cap[i], -val[i], i)),
        sorted(items, key=lambda i: (-best_cap[i], -val[i], i)),
    )
    return min((_first_fit(o, types, val, kg) for o in orders), key=len)


Lots = list[tuple[int, list[int]]]  # (type id, items) per lot
_Index = tuple[dict[tuple[int, int], int], dict[tuple[int, int, int], int]]  # u_{T,j} and x_{T,j,i} columns


def _exact_rows(
    items: list[int], types: list[_Type], val: list[int], kg: list[int], ub: int
) -> tuple[int, list[Row], _Index]:
    """Exact bin model: bins j of type T (u_{T,j}), items in them (x_{T,j,i}), bins ordered by first item."""
    n = 0
    u_index: dict[tuple[int, int], int] = {}
    x_index: dict[tuple[int, int, int], int] = {}
    rows: list[Row] = []
    part: dict[int, list[int]] = {i: [] for i in items}
    for ti, t in enumerate(types):
        members = [i for i in items if t.mask >> i & 1]
        sv, skg = sum(val[i] for i in members), sum(kg[i] for i in members)
        m_t = min(len(members), ub) if sv > t.cap or skg > t.cap_kg else 1
        for j in range(m_t):
            u = u_index[ti, j] = n
            n += 1
            if j:
                rows.append((0.0, math.inf, [u_index[ti, j - 1], u], [1.0, -1.0]))  # u_j-1 >= u_j
            slot_x: list[int] = []
            for i in members[j:]:  # the j-th bin's first item has rank >= j (bins ordered by first item)
                x = x_index[ti, j, i] = n
                n += 1
                part[i].append(x)
                slot_x.append(x)
                rows.append((-math.inf, 0.0, [x, u], [1.0, -1.0]))  # x <= u
            for weights, total, cap in ((val, sv, t.cap), (kg, skg, t.cap_kg)):
                if total > cap:
                    coefs = [*(float(weights[i]) for i in members[j:]), -float(cap)]
                    rows.append((-math.inf, 0.0, [*slot_x, u], coefs))
    rows.extend((1.0, 1.0, part[i], [1.0] * len(part[i])) for i in items)
    return n, rows, (u_index, x_index)


def _exact_start(
    n: int, plan: Lots, types: list[_Type], items: list[int], index: _Index
) -> list[float] | None:
    """``plan`` as a point of the exact model, bins of one type numbered by first item (symmetry rows)."""
    u_index, x_index = index
    start = [0.0] * n
    used: dict[int, int] = {}
    rank_of = {
        (ti, i): r for ti, t in enumerate(types) for r, i in enumerate(x for x in items if t.mask >> x & 1)
    }
    for ti, lot in sorted(plan, key=lambda g: (g[0], min(rank_of[g[0], i] for i in g[1]))):
        j = used.get(ti, 0)
        used[ti] = j + 1
        if (ti, j) not in u_index or any((ti, j, i) not in x_index for i in lot):
            return None
        start[u_index[ti, j]] = 1.0
        for i in lot:
            start[x_index[ti, j, i]] = 1.0
    return start


def _exact(  # noqa: PLR0917 - the component and what is known of it
    items: list[int],
    types: list[_Type],
    val: list[int],
    kg: list[int],
    plan: Lots,
    lower: int,
    seconds: float,
) -> tuple[Lots, int, bool]:
    """The exact bin model from ``plan`` (feasible) with ``lower`` (proven) as a cut; HiGHS to the end."""
    ub = len(plan)
    n, rows, index = _exact_rows(items, types, val, kg, ub)
    u_index, x_index = index
    u_cols = sorted(u_index.values())
    cost = [0.0] * n
    for u in u_cols:
        cost[u] = 1.0
    rows.append((float(lower), math.inf, u_cols, [1.0] * len(u_cols)))  # the proven bound, as a cut
    answer = run(
        highs_model(cost, [True] * n, [1.0] * n, rows, seconds),
        _exact_start(n, plan, types, items, index),
    )
    sol = answer.values
    lots = plan
    if sol and sum(sol[u] for u in u_cols) < ub - 0.5:
        lots = []
        for (ti, j), u in sorted(u_index.items()):
            if sol[u] > 0.5:
                chosen = sorted(i for i in items if (ti, j, i) in x_index and sol[x_index[ti, j, i]] > 0.5)
                if chosen:
                    lots.append((ti, chosen))
    bound = max(lower, answer.bound)
    return lots, (len(lots) if answer.proven else min(bound, len(lots))), answer.proven


def _solve_component(
    items: list[int], types: list[_Type], val: list[int], kg: list[int], deadline: float
) -> tuple[Lots, int, bool]:
    """Lots (type id, items) of one component, proven lower bound, proven optimal?

    Cheapest proof first: the greedy plan against the bound of the pooled relaxation as a linear programme;
    then bins near its optimum, fixed in the exact model (a plan of that size is optimal); then the pooled
    relaxation with integral bin counts (a better bound, other bins, fixed likewise); then the pooled model
    with integral assignments; the exact bin model last.
    """
    plan = _greedy(items, types, val, kg)
    if len(plan) == 1:
        return plan, 1, True
    lower, point = lp_bound(items, types, val, kg, len(plan), deadline - time.perf_counter())
    if lower >= len(plan):
        return plan, len(plan), True
    for around in (point, ()):  # bins near the linear optimum first, then the pooled relaxation itself
        relax = relaxation(items, types, val, kg, len(plan), deadline - time.perf_counter(), around=around)
        lower = max(lower, relax.bound)
        if lower >= len(plan):
            return plan, len(plan), True
        if sum(relax.bins) < len(plan):
            fixed = bins_plan(items, types, val, kg, relax.bins, deadline - time.perf_counter())
            if fixed is not None and len(fixed) < len(plan):
                plan = fixed
                if len(plan) <= lower:
                    return plan, lower, True
    # the pooled model may use half the time left, the exact model the rest
    plan, lower = pooled_plan(items, types, val, kg, plan, lower, (deadline - time.perf_counter()) / 2)
    if lower >= len(plan):
        return plan, len(plan), True
    return _exact(items, types, val, kg, plan, lower, deadline - time.perf_counter())


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def solve_partition(instance: Instance, k: int, time_limit: float = 60.0) -> OptimalResult:
    """Partition ``instance`` into the fewest lots each servable by ``k`` suppliers (blocked atoms apart)."""
    if k < 1:
        raise ValueError("k doit être au moins 1")
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    fits = _fits(instance, k)
    n = len(instance.atoms)
    bloques = tuple(a for a in range(n) if len(fits[a]) < k)
    blocked_set = set(bloques)
    classes: dict[str, list[int]] = {}
    for a, atom in enumerate(instance.atoms):
        if a not in blocked_set:
            classes.setdefault(atom.classe, []).append(a)
    lots: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (atoms, certifying suppliers)
    total_bound, proven_all = 0, True
    # Smallest classes first so that a time limit leaves the big ones, not many small ones, unproven.
    for classe in sorted(classes, key=lambda c: (len(classes[c]), c)):
        local = classes[classe]
        types = _bin_types(fits, local, instance, k)
        val = [instance.atoms[a].valeur for a in local]
        kgs = [instance.atoms[a].kg for a in local]
        for comp in _components(types, len(local)):
            comp_types = [t for t in types if t.mask & sum(1 << i for i in comp)]
            found, bound, proven = _solve_component(comp, comp_types, val, kgs, deadline)
            total_bound += bound
            proven_all = proven_all and proven
            for ti, members in found:
                lots.append((tuple(sorted(local[i] for i in members)), comp_types[ti].sup))
    residual: dict[str, list[int]] = {}
    for a in bloques:
        residual.setdefault(instance.atoms[a].classe, []).append(a)
    lots.extend((tuple(v), ()) for v in residual.values())
    total_bound += len(residual)
    lots.sort()
    return OptimalResult(
        lots=tuple(lot for lot, _ in lots),
        servables=tuple(bool(cert) for _, cert in lots),
        certificats=tuple(cert for _, cert in lots),
        bloques=bloques,
        statut="optimal" if proven_all else "limite_de_temps",
        nb_lots=len(lots),
        borne=min(total_bound, len(lots)),
        valeur_sous_k=sum(instance.atoms[a].valeur for a in bloques),
        secondes=time.perf_counter() - t0,
    )


def lot_is_servable(instance: Instance, atoms: Iterable[int], k: int) -> bool:
    """Reference check (used by tests): at least k suppliers serve every atom and have the capacity."""
    idx = list(atoms)
    v = sum(instance.atoms[a].valeur for a in idx)
    w = sum(instance.atoms[a].kg for a in idx)
    common = frozenset.intersection(*(instance.atoms[a].fournisseurs for a in idx))
    return sum(1 for s in common if instance.cap(s) >= v and instance.cap_kg(s) >= w) >= k
