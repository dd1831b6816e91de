"""Pooled models of strategy ``optimal``: the bins of one type pooled into one, for bounds and for plans.

A lot is a bin of a supplier type T (programme.py). Pooling the n_T bins of a type into one bin of capacity
n_T × C_T relaxes the problem: its optimum is a lower bound on the number of lots. With items small next to
the capacities (the case where the exact bin model is slow to prove), the bound is almost always tight, and
the pooled model with integral assignments gives, per type, a set of items that first fit decreasing
packs into n_T real bins: a plan whose size meets the bound is proven optimal without the exact model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lotsmarche.lotting.optimal.highs import Row, highs_model, run

Lots = list[tuple[int, list[int]]]  # (type id, items) per lot
FEASIBILITY_NODES = 2000  # branch-and-bound nodes a search for bins (not a proof) may take


class BinType(Protocol):
    """What the pooled models read of a bin type (programme._Type)."""

    @property
    def mask(self) -> int: ...  # items (component-local indices as bits) every supplier of T serves

    @property
    def cap(self) -> int: ...  # € capacity in cents of a T bin

    @property
    def cap_kg(self) -> int: ...  # kg capacity in grams of a T bin


def _members(t: BinType, items: Sequence[int]) -> list[int]:
    return [i for i in items if t.mask >> i & 1]


def _binding(t: BinType, members: Sequence[int], val: Sequence[int], kg: Sequence[int]) -> bool:
    return sum(val[i] for i in members) > t.cap or sum(kg[i] for i in members) > t.cap_kg


def _pooled_rows(  # noqa: PLR0917 - one builder for both pooled models
    items: Sequence[int],
    types: Sequence[BinType],
    val: Sequence[int],
    kg: Sequence[int],
    ub: int,
    integral: bool,
) -> tuple[list[float], list[bool], list[float], list[Row], dict[tuple[int, int], int]]:
    """Columns n_T (bins of type T) then x_{T,i} (item i in a T bin); rows: link, pooled capacity, cover."""
    cost: list[float] = []
    integer: list[bool] = []
    upper: list[float] = []
    rows: list[Row] = []
    x_index: dict[tuple[int, int], int] = {}
    part: dict[int, list[int]] = {i: [] for i in items}
    for ti, t in enumerate(types):
        members = _members(t, items)
        n_col = len(cost)
        cost.append(1.0)
        integer.append(True)
        upper.append(float(min(ub, len(members)) if _binding(t, members, val, kg) else 1))
        for i in members:
            c = len(cost)
            x_index[ti, i] = c
            part[i].append(c)
            cost.append(0.0)
            integer.append(integral)
            upper.append(1.0)
            rows.append((-math.inf, 0.0, [c, n_col], [1.0, -1.0]))  # an item needs an open bin of its type
        cols = [x_index[ti, i] for i in members]
        for weights, cap in ((val, t.cap), (kg, t.cap_kg)):
            if sum(weights[i] for i in members) > cap:
                rows.append(
                    (-math.inf, 0.0, [*cols, n_col], [*(float(weights[i]) for i in members), -float(cap)])
                )
    rows.extend((1.0, 1.0, part[i], [1.0] * len(part[i])) for i in items)
    return cost, integer, upper, rows, x_index


@dataclass(frozen=True)
class Relaxation:
    """The pooled relaxation's answer: a proven bound and the bins per type of its best point."""

    bound: int  # proven lower bound on the number of lots, at least 1 (0: none proven)
    bins: tuple[int, ...]  # per type, n_T of the best point found (empty when none)


def lp_bound(  # noqa: PLR0917 - mirrors the component solver's arguments
    items: list[int], types: Sequence[BinType], val: list[int], kg: list[int], ub: int, seconds: float
) -> tuple[int, tuple[float, ...]]:
    """The pooled relaxation as a linear programme: its rounded-up optimum (a bound) and its n_T."""
    cost, integer, upper, rows, _ = _pooled_rows(items, types, val, kg, ub, integral=False)
    h = highs_model(cost, [False] * len(cost), upper, rows, seconds)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return 1, ()
    values = h.getSolution().col_value
    bins = tuple(float(values[c]) for c, flag in enumerate(integer) if flag)
    return max(1, math.ceil(h.getInfo().objective_function_value - 1e-6)), bins


def relaxation(  # noqa: PLR0917 - the component and, optionally, where to look
    items: list[int],
    types: Sequence[BinType],
    val: list[int],
    kg: list[int],
    ub: int,
    seconds: float,
    *,
    around: Sequence[float] = (),
) -> Relaxation:
    """The pooled relaxation (assignments fractional, bin counts integral), solved by HiGHS.

    With ``around`` (a fractional n_T per type, from ``lp_bound``) each n_T stays between its floor and
    ceiling: a quick search for bins near the linear optimum, which proves no bound (``bound`` 0).
    """
    cost, integer, upper, rows, _ = _pooled_rows(items, types, val, kg, ub, integral=False)
    n_cols = [c for c, flag in enumerate(integer) if flag]
    lower = [0.0] * len(cost)
    for c, x in zip(n_cols, around, strict=False):
        lower[c], upper[c] = math.floor(x + 1e-6), min(upper[c], math.ceil(x - 1e-6))
    h = highs_model(cost, integer, upper, rows, seconds, lower)
    if around:  # a search, not a proof: bounded in work, so that its answer does not depend on the clock
        h.setOptionValue("mip_max_nodes", FEASIBILITY_NODES)
    answer = run(h)
    bound = 0 if around else max(1, answer.bound)
    if not answer.values:
        return Relaxation(bound, ())
    return Relaxation(bound, tuple(round(answer.values[c]) for c in n_cols))


def aggregated_bound(  # noqa: PLR0917 - mirrors the component solver's arguments
    items: list[int], types: Sequence[BinType], val: list[int], kg: list[int], ub: int, seconds: float
) -> int:
    """Lower bound from the pooled relaxation, at least 1."""
    return relaxation(items, types, val, kg, ub, seconds).bound


def bins_plan(  # noqa: PLR0917 - mirrors the component solver's arguments
    items: list[int],
    types: Sequence[BinType],
    val: list[int],
    kg: list[int],
    bins: Sequence[int],
    seconds: float,
) -> Lots | None:
    """A plan with at most ``bins[T]`` lots of each type T (exact bin model, bins fixed), or None.

    A feasibility programme: few bins once their number is fixed, so HiGHS finds a point fast or gives up
    after a fixed number of nodes (a work limit, not a clock, so that the answer is reproducible).
    """
    if not bins:
        return None
    cost: list[float] = []
    rows: list[Row] = []
    cell: dict[tuple[int, int], dict[int, int]] = {}  # (type, copy) -> item -> column
    part: dict[int, list[int]] = {i: [] for i in items}
    for ti, t in enumerate(types):
        members = _members(t, items)
        for j in range(bins[ti] if members else 0):
            cols = cell.setdefault((ti, j), {})
            for i in members:
                cols[i] = len(cost)
                part[i].append(len(cost))
                cost.append(0.0)
            for weights, cap in ((val, t.cap), (kg, t.cap_kg)):
                if sum(weights[i] for i in members) > cap:
                    rows.append(
                        (-math.inf, float(cap), list(cols.values()), [float(weights[i]) for i in cols])
                    )
    if any(not cols for cols in part.values()):
        return None
    rows.extend((1.0, 1.0, part[i], [1.0] * len(part[i])) for i in items)
    h = highs_model(cost, [True] * len(cost), [1.0] * len(cost), rows, seconds)
    h.setOptionValue("mip_max_nodes", FEASIBILITY_NODES)
    answer = run(h)
    if not answer.values:
        return None
    plan = [(ti, [i for i, c in cols.items() if answer.values[c] > 0.5]) for (ti, _), cols in cell.items()]
    return [(ti, lot) for ti, lot in plan if lot]


def _pack(
    members: Sequence[int], t: BinType, bins: int, val: Sequence[int], kg: Sequence[int]
) -> list[list[int]]:
    """First fit decreasing of ``members`` into ``bins`` bins of type ``t``, more if they overflow."""
    cap, cap_kg = t.cap, max(t.cap_kg, 1)
    order = sorted(members, key=lambda i: (-max(val[i] / cap, kg[i] / cap_kg), i))
    loads: list[list[int]] = [[0, 0] for _ in range(bins)]
    packed: list[list[int]] = [[] for _ in range(bins)]
    for i in order:
        b = next(
            (b for b, load in enumerate(loads) if load[0] + val[i] <= t.cap and load[1] + kg[i] <= t.cap_kg),
            len(loads),
        )
        if b == len(loads):
            loads.append([0, 0])
            packed.append([])
        loads[b][0] += val[i]
        loads[b][1] += kg[i]
        packed[b].append(i)
    return [sorted(p) for p in packed if p]


def pooled_plan(  # noqa: PLR0917 - mirrors the component solver's arguments
    items: list[int],
    types: Sequence[BinType],
    val: list[int],
    kg: list[int],
    start: Lots,
    lower: int,
    seconds: float,
) -> tuple[Lots, int]:
    """A plan from the pooled model with integral assignments, and that model's proven lower bound.

    ``start`` (a feasible plan, e.g. the greedy one) is the model's first solution and caps its bin counts;
    ``lower`` a bound already proven, added as a cut. The plan returned is ``start`` unless packing the
    pooled solution's items into its bins (first fit decreasing, else ``bins_plan``) gives fewer lots.
    """
    cost, integer, upper, rows, x_index = _pooled_rows(items, types, val, kg, len(start), integral=True)
    n_cols = [c for c, flag in enumerate(integer) if flag and cost[c] == 1.0]
    rows.append((float(lower), math.inf, n_cols, [1.0] * len(n_cols)))
    first = [0.0] * len(cost)
    for ti, lot in start:
        first[n_cols[ti]] += 1.0
        for i in lot:
            first[x_index[ti, i]] = 1.0
    answer = run(highs_model(cost, integer, upper, rows, seconds), first)
    if not answer.values:
        return start, max(lower, answer.bound)
    bins = [round(answer.values[c]) for c in n_cols]
    plan: Lots = []
    for ti, t in enumerate(types):
        chosen = [i for i in _members(t, items) if answer.values[x_index[ti, i]] > 0.5]
        if chosen:
            plan.extend((ti, lot) for lot in _pack(chosen, t, max(bins[ti], 1), val, kg))
    if len(plan) > sum(bins):  # first fit decreasing overflowed: the same bins, exactly
        plan = bins_plan(items, types, val, kg, bins, seconds) or plan
    return (plan if len(plan) < len(start) else start), max(lower, answer.bound)
