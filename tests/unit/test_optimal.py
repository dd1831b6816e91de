"""The integer programme of strategy ``optimal`` against brute force on small random instances."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from lotsmarche.lotting.optimal import Atom, Instance, lot_is_servable, solve_partition


def _partitions(items: list[int]) -> Iterator[list[list[int]]]:
    """Every set partition of ``items`` (Bell number many)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]
        yield [[first], *part]


def _brute_force(inst: Instance, k: int) -> tuple[int, int]:
    """Lexicographic optimum (value in lots below k, number of lots) over all partitions inside classes."""
    by_class: dict[str, list[int]] = {}
    for a, atom in enumerate(inst.atoms):
        by_class.setdefault(atom.classe, []).append(a)
    value, lots = 0, 0
    for members in by_class.values():
        best: tuple[int, int] | None = None
        for part in _partitions(members):
            below = sum(
                inst.atoms[a].valeur for block in part if not lot_is_servable(inst, block, k) for a in block
            )
            cand = (below, len(part))
            if best is None or cand < best:
                best = cand
        assert best is not None
        value += best[0]
        lots += best[1]
    return value, lots


def _random_instance(rng: random.Random, n_atoms: int, n_sup: int, with_kg: bool) -> Instance:
    atoms = []
    for i in range(n_atoms):
        sups = frozenset(s for s in range(n_sup) if rng.random() < 0.7)
        atoms.append(
            Atom(
                cle=f"a{i}",
                classe=rng.choice(["frais", "frais", "surgele"]),
                valeur=rng.randint(1, 60),
                fournisseurs=sups,
                kg=rng.randint(0, 30) if with_kg else 0,
            )
        )
    caps = tuple(rng.choice([None, rng.randint(20, 150)]) for _ in range(n_sup))
    caps_kg = tuple(rng.choice([None, rng.randint(15, 80)]) for _ in range(n_sup)) if with_kg else ()
    return Instance(atoms=tuple(atoms), capacites=caps, capacites_kg=caps_kg)


def _check_partition(inst: Instance, res_lots: tuple[tuple[int, ...], ...]) -> None:
    flat = sorted(a for lot in res_lots for a in lot)
    assert flat == list(range(len(inst.atoms)))
    for lot in res_lots:
        assert len({inst.atoms[a].classe for a in lot}) == 1


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([1, 2, 2, 3])
    inst = _random_instance(rng, rng.randint(3, 7), rng.randint(2, 4), with_kg=seed % 3 == 0)
    res = solve_partition(inst, k, time_limit=30)
    _check_partition(inst, res.lots)
    value, lots = _brute_force(inst, k)
    assert res.statut == "optimal"
    assert (res.valeur_sous_k, res.nb_lots) == (value, lots)
    assert res.borne == res.nb_lots and res.ecart == 0
    for lot, ok, cert in zip(res.lots, res.servables, res.certificats, strict=True):
        assert ok == lot_is_servable(inst, lot, k)
        assert len(cert) == (k if ok else 0)
    blocked_value = sum(inst.atoms[a].valeur for a in res.bloques)
    assert res.valeur_sous_k == blocked_value


def test_capacity_forces_a_split() -> None:
    # Two suppliers serve both atoms but each holds only 100 €: 60 + 60 does not fit, so two lots.
    atoms = tuple(Atom(f"a{i}", "c", 6000, frozenset({0, 1})) for i in range(2))
    res = solve_partition(Instance(atoms, (10000, 10000)), 2)
    assert res.lots == ((0,), (1,))
    assert all(res.servables)
    res_big = solve_partition(Instance(atoms, (12000, None)), 2)
    assert res_big.lots == ((0, 1),)
    assert res_big.certificats == ((0, 1),)


def test_blocked_atoms_go_to_one_residual_lot_per_class() -> None:
    atoms = (
        Atom("ok", "c", 100, frozenset({0, 1})),
        Atom("seul", "c", 100, frozenset({0})),
        Atom("aucun", "c", 50, frozenset()),
        Atom("autre", "d", 10, frozenset({1})),
    )
    res = solve_partition(Instance(atoms, (None, None)), 2)
    assert res.bloques == (1, 2, 3)
    assert res.lots == ((0,), (1, 2), (3,))
    assert res.servables == (True, False, False)
    assert res.valeur_sous_k == 160
    assert res.nb_lots == 3


def test_supplier_incompatibility_separates_lots() -> None:
    # a0 and a1 share suppliers {0,1}; a2 only shares {2,3} with a1: two lots are needed, not three.
    atoms = (
        Atom("a0", "c", 1, frozenset({0, 1})),
        Atom("a1", "c", 1, frozenset({0, 1, 2, 3})),
        Atom("a2", "c", 1, frozenset({2, 3})),
    )
    res = solve_partition(Instance(atoms, (None,) * 4), 2)
    assert res.nb_lots == 2
    assert res.statut == "optimal"


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="au moins 1"):
        solve_partition(Instance((), ()), 0)


def test_empty_instance() -> None:
    res = solve_partition(Instance((), ()), 2)
    assert res.lots == () and res.nb_lots == 0 and res.ecart == 0


def _tight_instance(seed: int) -> Instance:
    """One class, 7 atoms, 4 suppliers with tight capacities: first fit is often not optimal here."""
    rng = random.Random(seed)
    atoms = tuple(
        Atom(f"a{i}", "c", rng.randint(5, 60), frozenset(s for s in range(4) if rng.random() < 0.75))
        for i in range(7)
    )
    return Instance(atoms, tuple(rng.choice([None, rng.randint(40, 120)]) for _ in range(4)))


GREEDY_SUBOPTIMAL = [1721, 2381, 2665, 2692, 3146, 3259, 3308, 3382]


@pytest.mark.parametrize("seed", [*range(1000, 1030), *GREEDY_SUBOPTIMAL])
def test_tight_capacities_match_brute_force(seed: int) -> None:
    inst = _tight_instance(seed)
    res = solve_partition(inst, 2, time_limit=30)
    _check_partition(inst, res.lots)
    assert (res.valeur_sous_k, res.nb_lots) == _brute_force(inst, 2)
    assert res.statut == "optimal"


@pytest.mark.parametrize("seed", GREEDY_SUBOPTIMAL)
def test_programme_beats_first_fit(seed: int) -> None:
    # These instances are here because the first-fit heuristics miss the optimum and the pooled relaxation
    # does not close the gap: the exact bin model must do the work.
    from lotsmarche.lotting.optimal.pooled import aggregated_bound
    from lotsmarche.lotting.optimal.programme import _bin_types, _fits, _greedy

    inst = _tight_instance(seed)
    fits = _fits(inst, 2)
    local = [a for a in range(7) if len(fits[a]) >= 2]
    types = _bin_types(fits, local, inst, 2)
    val = [inst.atoms[a].valeur for a in local]
    items = list(range(len(local)))
    greedy = _greedy(items, types, val, [0] * len(local))
    res = solve_partition(inst, 2)
    assert len(greedy) + (len(inst.atoms) > len(local)) > res.nb_lots
    assert aggregated_bound(items, types, val, [0] * len(local), len(greedy), 10) < len(greedy)
