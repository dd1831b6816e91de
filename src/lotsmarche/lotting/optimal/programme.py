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


def _new_highs() -> Any:
    # highspy.Highs() prints a banner on construction (enableCallbacks) before any option can be set;
    # the library must never print, so use the silent core class it wraps when available.
    try:
        from highspy._core import _Highs

        return _Highs()
    except ImportError:  # pragma: no cover - older highspy layouts
        import highspy

        return highspy.Highs()  # type: ignore[no-untyped-call]


Row = tuple[float, float, list[int], list[float]]  # lower, upper, columns, coefficients


def _highs(
    cost: list[float], integer: list[bool], upper: list[float], rows: list[Row], seconds: float
) -> Any:
    """A silent HiGHS model, deterministic options, ready to run."""
    import highspy
    import numpy as np

    n = len(cost)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.array(upper)
    lp.row_lower_ = np.array([r[0] for r in rows])
    lp.row_upper_ = np.array([r[1] for r in rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum([len(r[2]) for r in rows], out=starts[1:])
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([c for r in rows for c in r[2]], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for r in rows for v in r[3]], dtype=np.float64)
    kinds = highspy.HighsVarType
    lp.integrality_ = [kinds.kInteger if flag else kinds.kContinuous for flag in integer]
    h = _new_highs()
    for name, value in (
        ("output_flag", False),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 0.99),  # the objective counts lots: below 1 apart means proven
        ("random_seed", 0),
        ("threads", 1),
        ("time_limit", max(seconds, 0.01)),
    ):
        h.setOptionValue(name, value)
    h.passModel(lp)
    return h


def _aggregated_bound(  # noqa: PLR0917 - private helper mirroring _solve_component
    items: list[int], types: list[_Type], val: list[int], kg: list[int], ub: int, seconds: float
) -> int:
    """Lower bound from a relaxation: n_T bins of each type pooled into one of capacity n_T × C_T.

    Small (items × types continuous, one integer per type) and usually tight when items are small next to
    capacities, which is the case that makes the exact bin model slow to prove.
    """
    cost: list[float] = []
    integer: list[bool] = []
    upper: list[float] = []
    rows: list[Row] = []
    part: dict[int, list[int]] = {i: [] for i in items}
    for t in types:
        members = [i for i in items if t.mask >> i & 1]
        n_col = len(cost)
        cost.append(1.0)
        integer.append(True)
        upper.append(float(ub))
        cols = list(range(len(cost), len(cost) + len(members)))
        for i, c in zip(members, cols, strict=True):
            part[i].append(c)
            cost.append(0.0)
            integer.append(False)
            upper.append(1.0)
            rows.append((-math.inf, 0.0, [c, n_col], [1.0, -1.0]))  # an item needs an open bin of its type
        for weights, cap in ((val, t.cap), (kg, t.cap_kg)):
            if sum(weights[i] for i in members) > cap:
                rows.append(
                    (-math.inf, 0.0, [*cols, n_col], [*(float(weights[i]) for i in members), -float(cap)])
                )
    rows.extend((1.0, 1.0, part[i], [1.0] * len(part[i])) for i in items)
    h = _highs(cost, integer, upper, rows, seconds)
    h.run()
    dual = h.getInfo().mip_dual_bound
    return max(1, math.ceil(dual - 1e-6)) if math.isfinite(dual) else 1


def _solve_component(  # noqa: C901, PLR0912, PLR0915
    items: list[int], types: list[_Type], val: list[int], kg: list[int], deadline: float
) -> tuple[list[tuple[int, list[int]]], int, bool]:
    """Lots (type id, items) of one component, proven lower bound, proven optimal?"""
    import numpy as np

    greedy = _greedy(items, types, val, kg)
    ub = len(greedy)
    if ub == 1:
        return greedy, 1, True
    lower = _aggregated_bound(items, types, val, kg, ub, deadline - time.perf_counter())
    if lower >= ub:
        return greedy, ub, True
    cost: list[float] = []
    u_index: dict[tuple[int, int], int] = {}
    x_index: dict[tuple[int, int, int], int] = {}
    rows: list[Row] = []
    part: dict[int, list[int]] = {i: [] for i in items}
    for ti, t in enumerate(types):
        members = [i for i in items if t.mask >> i & 1]
        sv, skg = sum(val[i] for i in members), sum(kg[i] for i in members)
        binding = sv > t.cap or skg > t.cap_kg
        m_t = min(len(members), ub) if binding else 1
        for j in range(m_t):
            u = len(cost)
            u_index[ti, j] = u
            cost.append(1.0)
            if j:
                rows.append((0.0, math.inf, [u_index[ti, j - 1], u], [1.0, -1.0]))  # u_j-1 >= u_j
            slot_x: list[int] = []
            for rank, i in enumerate(members):
                if rank < j:  # the j-th bin's first item has rank >= j (bins ordered by first item)
                    continue
                x = len(cost)
                x_index[ti, j, i] = x
                cost.append(0.0)
                part[i].append(x)
                slot_x.append(x)
                rows.append((-math.inf, 0.0, [x, u], [1.0, -1.0]))  # x <= u
            for weights, total, cap in ((val, sv, t.cap), (kg, skg, t.cap_kg)):
                if total > cap:
                    coefs = [*(float(weights[i]) for i in members[j:]), -float(cap)]
                    rows.append((-math.inf, 0.0, [*slot_x, u], coefs))
    rows.extend((1.0, 1.0, part[i], [1.0] * len(part[i])) for i in items)
    u_cols = sorted(u_index.values())
    rows.append((float(lower), math.inf, u_cols, [1.0] * len(u_cols)))  # the relaxation's bound, as a cut
    n = len(cost)
    h = _highs(cost, [True] * n, [1.0] * n, rows, deadline - time.perf_counter())
    # Warm start: the greedy plan, bins of one type numbered by their first item (matches the symmetry rows).
    start = np.zeros(n)
    used: dict[int, int] = {}
    rank_of = {
        (ti, i): r for ti, t in enumerate(types) for r, i in enumerate(x for x in items if t.mask >> x & 1)
    }
    ok = True
    for ti, lot in sorted(greedy, key=lambda g: (g[0], min(rank_of[g[0], i] for i in g[1]))):
        j = used.get(ti, 0)
        used[ti] = j + 1
        if (ti, j) not in u_index or any((ti, j, i) not in x_index for i in lot):
            ok = False
            break
        start[u_index[ti, j]] = 1.0
        for i in lot:
            start[x_index[ti, j, i]] = 1.0
    if ok:
        h.setSolution(n, np.arange(n, dtype=np.int32), start)
    h.run()
    proven = h.modelStatusToString(h.getModelStatus()) == "Optimal"
    info = h.getInfo()
    sol = list(h.getSolution().col_value) if info.primal_solution_status == 2 else []
    if not sol or info.objective_function_value > ub - 0.5:
        lots = greedy
    else:
        lots = []
        for (ti, j), u in sorted(u_index.items()):
            if sol[u] > 0.5:
                chosen = sorted(i for i in items if (ti, j, i) in x_index and sol[x_index[ti, j, i]] > 0.5)
                if chosen:
                    lots.append((ti, chosen))
    dual = info.mip_dual_bound
    bound = max(lower, math.ceil(dual - 1e-6)) if math.isfinite(dual) else lower
    return lots, (len(lots) if proven else min(bound, len(lots))), proven


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
