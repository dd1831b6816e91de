"""The pooled stages of strategy ``optimal``: plans proven without the exact bin model; that model alone."""

from __future__ import annotations

import random
from typing import Any

import pytest

from lotsmarche.lotting.optimal import Atom, Instance, lot_is_servable, programme, solve_partition
from lotsmarche.lotting.optimal.pooled import bins_plan, lp_bound, relaxation
from tests.unit.test_optimal import GREEDY_SUBOPTIMAL, _brute_force, _check_partition, _tight_instance


def _many_small(seed: int) -> Instance:
    """One class, 80 small atoms, 6 suppliers whose capacities bind: first fit needs one lot too many."""
    rng = random.Random(seed)
    atoms = tuple(
        Atom(f"a{i}", "c", rng.randint(1, 30), frozenset(s for s in range(6) if rng.random() < 0.7))
        for i in range(80)
    )
    return Instance(atoms, tuple(rng.randint(150, 500) for _ in range(6)))


def _component(inst: Instance) -> tuple[list[int], list[Any], list[int], list[int]]:
    fits = programme._fits(inst, 2)
    local = [a for a in range(len(inst.atoms)) if len(fits[a]) >= 2]
    types = programme._bin_types(fits, local, inst, 2)
    return list(range(len(local))), types, [inst.atoms[a].valeur for a in local], [0] * len(local)


def _exact_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pooled stage finds nothing: the exact bin model does all the work."""
    monkeypatch.setattr(programme, "bins_plan", lambda *a, **k: None)
    monkeypatch.setattr(
        programme, "pooled_plan", lambda items, types, val, kg, start, lower, s: (start, lower)
    )


def test_fixed_bins_prove_the_optimum_without_the_exact_model(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _many_small(0)
    items, types, val, kg = _component(inst)
    greedy = programme._greedy(items, types, val, kg)
    lower, point = lp_bound(items, types, val, kg, len(greedy), 10)
    assert lower < len(greedy)  # the greedy plan is not proven by the bound
    near = relaxation(items, types, val, kg, len(greedy), 10, around=point)
    assert near.bound == 0 and sum(near.bins) == lower  # bins near the linear optimum, as many as the bound
    fixed = bins_plan(items, types, val, kg, near.bins, 10)
    assert fixed is not None and len(fixed) == lower
    for ti, lot in fixed:  # each lot fits its type: served by both suppliers, within their capacity
        assert all(types[ti].mask >> i & 1 for i in lot)
        assert sum(val[i] for i in lot) <= types[ti].cap

    def no_exact(*args: object, **kwargs: object) -> None:
        raise AssertionError("exact model not needed")

    monkeypatch.setattr(programme, "_exact", no_exact)
    res = solve_partition(inst, 2)
    assert res.statut == "optimal" and res.nb_lots == res.borne == lower < len(greedy)
    _check_partition(inst, res.lots)
    assert all(lot_is_servable(inst, lot, 2) for lot in res.lots)
    assert solve_partition(inst, 2).lots == res.lots  # same inputs, same plan


def test_pooled_and_exact_paths_agree_on_the_number_of_lots(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [solve_partition(_many_small(seed), 2) for seed in (0, 20, 31)]
    _exact_only(monkeypatch)
    exact = [solve_partition(_many_small(seed), 2, time_limit=60) for seed in (0, 20, 31)]
    for a, b in zip(fast, exact, strict=True):
        assert a.statut == b.statut == "optimal"
        assert (a.nb_lots, a.valeur_sous_k, a.bloques) == (b.nb_lots, b.valeur_sous_k, b.bloques)


@pytest.mark.parametrize("seed", [*range(1000, 1010), *GREEDY_SUBOPTIMAL])
def test_exact_model_alone_matches_brute_force(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _exact_only(monkeypatch)
    inst = _tight_instance(seed)
    res = solve_partition(inst, 2, time_limit=30)
    _check_partition(inst, res.lots)
    assert (res.valeur_sous_k, res.nb_lots) == _brute_force(inst, 2)
    assert res.statut == "optimal"
