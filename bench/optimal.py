"""Benchmark of the integer programme of strategy ``optimal`` (run by hand; figures in docs/BENCHMARKS.md).

Instances are abstract (lotsmarche.lotting.optimal.Instance) but shaped like real sourcing: department size
is 200 products × 7 delivery territories × 30 suppliers (regional wholesalers, fishmongers, fishers selling
direct, processors, farms); scale s multiplies territories and suppliers by s (s = 5: a five-department
region with the same product catalogue). Every product is asked in most territories: about
1 200 × s atoms. Per instance: lots (the objective), proven bound, gap, solver status, wall-clock and CPU
time (the time limit is wall-clock: on a loaded machine CPU time is the figure to compare).

    python bench/optimal.py                # scales 1 to 5, seeds 0 to 4, k = 2, time limit 60 s
    python bench/optimal.py --scales 1 --k 3 --time-limit 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from lotsmarche.lotting.optimal import Atom, Instance, OptimalResult, solve_partition

# (famille, conservation, number of products, species groups or None)
CLASSES = [
    ("mer", "frais", 45, ["blancs", "plats", "bleus", "cephalopodes", "coquillages", "crustaces"]),
    ("mer", "surgele", 25, ["blancs", "plats", "transformes"]),
    ("mer", "appertise", 10, ["bleus", "transformes"]),
    ("viande", "frais", 20, None),
    ("volaille", "frais", 15, None),
    ("legumes", "frais", 35, None),
    ("laitiers", "frais", 25, None),
    ("epicerie", "ambiant", 25, None),
]

# (type, share of suppliers, families, conservations, territories served (min, max), capacity € range)
PROFILES = [
    (
        "grossiste",
        0.10,
        ["mer", "viande", "volaille", "legumes", "laitiers", "epicerie"],
        None,
        (4, 7),
        (800_000, 3_000_000),
    ),
    ("mareyeur", 0.20, ["mer"], ["frais", "surgele"], (2, 4), (150_000, 600_000)),
    ("pecheur", 0.20, ["mer"], ["frais"], (1, 2), (20_000, 90_000)),
    ("transformateur", 0.10, ["mer"], ["surgele", "appertise"], (3, 7), (100_000, 800_000)),
    ("ferme", 0.25, ["viande", "volaille", "legumes", "laitiers"], ["frais"], (1, 3), (40_000, 400_000)),
    ("epicier", 0.15, ["epicerie"], ["ambiant"], (2, 7), (100_000, 900_000)),
]


def make_instance(scale: int, seed: int = 0) -> Instance:
    rng = random.Random(seed)
    n_terr, n_sup = 7 * scale, 30 * scale
    departments = [list(range(d * 7, d * 7 + 7)) for d in range(scale)]
    suppliers: list[tuple[str, set[str], set[str] | None, set[str] | None, set[int], bool]] = []
    capacities: list[int | None] = []
    for i in range(n_sup):
        r, acc = (i + 0.5) / n_sup, 0.0
        profile = PROFILES[-1]
        for candidate in PROFILES:
            acc += candidate[1]
            if r < acc:
                profile = candidate
                break
        kind, _share, fams, cons, (zmin, zmax), (cmin, cmax) = profile
        dept = departments[i % scale]
        zones = set(rng.sample(dept, rng.randint(zmin, zmax)))
        if kind == "grossiste" and rng.random() < 0.3 and scale > 1:  # some wholesalers cover two departments
            zones |= set(departments[(i + 1) % scale])
        groups = None
        if kind in ("mareyeur", "pecheur", "transformateur"):
            all_groups = sorted({g for _, _, _, gs in CLASSES if gs for g in gs})
            groups = set(
                rng.sample(
                    all_groups, rng.randint(1 if kind == "pecheur" else 3, 4 if kind != "pecheur" else 2)
                )
            )
        suppliers.append((kind, set(fams), set(cons) if cons else None, groups, zones, rng.random() < 0.5))
        capacities.append(rng.randrange(cmin, cmax, 1000) * 100)
    atoms: list[Atom] = []
    for fam, cons, n_prod, groups in CLASSES:
        for p in range(n_prod):
            group = rng.choice(groups) if groups else None
            reemployable = fam == "mer" and cons == "frais" and rng.random() < 0.3
            yearly = rng.lognormvariate(9.3, 0.9)  # € per territory, median about 11 k€
            for t in range(n_terr):
                if rng.random() > 0.85:
                    continue
                sups = frozenset(
                    s
                    for s, (_, fams, cs, gs, zones, reemp) in enumerate(suppliers)
                    if fam in fams
                    and (cs is None or cons in cs)
                    and (gs is None or group in gs)
                    and t in zones
                    and (reemployable is False or reemp)
                )
                value = round(yearly * rng.uniform(0.5, 1.5) * 100)
                regime = "reemployable" if reemployable else "standard"
                atoms.append(Atom(f"{fam}-{cons}-{p}@{t}", f"{fam}|{cons}|{regime}", value, sups))
    return Instance(tuple(atoms), tuple(capacities))


def _measure(inst: Instance, k: int, time_limit: float) -> tuple[OptimalResult, float, float]:
    """One solve: result, wall-clock and CPU seconds (CPU: this process, HiGHS included, one thread)."""
    c0, t0 = time.process_time(), time.perf_counter()
    res = solve_partition(inst, k, time_limit=time_limit)
    return res, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--runs", type=int, default=1, help="solves per instance; times are their medians")
    args = parser.parse_args()
    print(
        "| échelle | atomes | fournisseurs | graine | lots | bloqués | borne | écart | statut | temps (s) "
        "| CPU (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        for seed in args.seeds:
            inst = make_instance(scale, seed)
            runs = [_measure(inst, args.k, args.time_limit) for _ in range(max(1, args.runs))]
            res = runs[-1][0]
            wall = statistics.median(r[1] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            print(
                f"| {scale} | {len(inst.atoms)} | {len(inst.capacites)} | {seed} | {res.nb_lots} | "
                f"{len(res.bloques)} | {res.borne} | {res.ecart * 100:.2f} % | {res.statut} | {wall:.2f} | "
                f"{cpu:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
