"""Benchmark of the lot builder on a generated canonical demand (default 1 000 000 lines).

Run by hand: ``python bench/lots.py [LINES] [STRATEGY...] [--runs N]`` (default 1 000 000 lines, every
strategy but ``optimal``, 3 runs). Each run is a fresh process that generates the same demand (fixed seed;
real catalogue products, 4 000 members with two sites each, postcodes of the Pas-de-Calais), then times
``build_plan`` and reports the process's peak resident memory before and after it; the table gives the
median of the runs (and their range). Figures go into docs/BENCHMARKS.md, section "Lotting".
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

STRATEGIES = ("famille", "famille-conservation", "espece", "territoire", "capacite")
PER_SITE = 120  # products asked by each delivery site


def generate(lines: int) -> Any:
    import numpy as np
    import pandas as pd

    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.intake.model import CANONICAL_COLUMNS, Demand

    cat = load_catalogue()
    rng = np.random.default_rng(42)
    codes = np.array(sorted(cat.produits))
    per_site = min(PER_SITE, len(codes))
    n_sites = -(-lines // per_site)
    picks = np.argsort(rng.random((n_sites, len(codes))), axis=1)[:, :per_site].ravel()[:lines]
    site = np.repeat(np.arange(n_sites), per_site)[:lines]
    postcodes = sorted(cp for cp in cat.codes_postaux if cat.territoire_du_code_postal(cp))
    site_cp = np.array(postcodes)[rng.integers(0, len(postcodes), n_sites)]
    cp = site_cp[site]
    territory = {p: cat.territoire_du_code_postal(p) or "" for p in postcodes}
    insee = {p: cat.codes_postaux[p][0] for p in postcodes}
    member = site // 2
    produit = codes[picks]
    base_price = np.array([int(cat.produits[c].prix_reference_ht * 10000) for c in codes])[picks]
    own_price = rng.random(lines) < 0.3  # 30 % of lines carry the member's own price (±10 %)
    price = np.where(own_price, (base_price * rng.uniform(0.9, 1.1, lines)).astype(np.int64), base_price)
    fresh = [
        cat.produits[c].conservation == "frais" and cat.produits[c].famille == "produits_de_la_mer"
        for c in codes
    ]
    fresh_sea = np.array(fresh)[picks]
    returnable = fresh_sea & (rng.random(lines) < 0.5)
    table = pd.DataFrame(
        {
            "ligne": np.arange(1, lines + 1, dtype=np.int64),
            "fichier": "demande.csv",
            "feuille": "",
            "ligne_source": np.arange(2, lines + 2, dtype=np.int64),
            "colonne_source": "",
            "membre": pd.Series([f"Membre {m:04d}" for m in range(member.max() + 1)]).to_numpy()[member],
            "site_livraison": pd.Series([f"Site {s:05d}" for s in range(n_sites)]).to_numpy()[site],
            "code_postal": cp,
            "commune_insee": pd.Series(cp).map(insee).to_numpy(),
            "territoire": pd.Series(cp).map(territory).to_numpy(),
            "produit": produit,
            "quantite_milli": rng.integers(1_000, 5_000_000, lines, dtype=np.int64),
            "prix_e4": price.astype(np.int64),
            "prix_source": np.where(own_price, "demande", "catalogue"),
            "mois": np.where(rng.random(lines) < 0.7, 4095, rng.integers(1, 4095, lines)).astype(np.int64),
            "label_requis": "",
            "conditionnement": np.where(returnable, "caisse_reemployable", ""),
            "livraisons_par_semaine": np.where(rng.random(lines) < 0.5, np.nan, rng.integers(1, 5, lines)),
        },
        columns=list(CANONICAL_COLUMNS),
    )
    return cat, Demand(table=table, membres=[])


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(lines: int, strategy: str) -> None:
    from lotsmarche.lotting import build_plan
    from lotsmarche.models import Groupement

    t0 = time.perf_counter()
    cat, demand = generate(lines)
    t_gen = time.perf_counter() - t0
    before = peak_mib()
    t0 = time.perf_counter()
    _ = demand.empreinte  # build_plan records it; timed alone to show its share
    t_hash = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = build_plan(demand, cat, Groupement(), cat.fournisseurs, strategy=strategy)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time()
    items = sum(len(lot.items) for lot in plan.lots)
    print(
        json.dumps(
            {
                "strategy": strategy,
                "lines": lines,
                "lots": len(plan.lots),
                "items": items,
                "generate_s": round(t_gen, 2),
                "build_plan_s": round(elapsed, 2),
                "empreinte_s": round(t_hash, 2),
                "cpu_total_s": round(cpu, 2),
                "peak_before_mib": round(before),
                "peak_after_mib": round(peak_mib()),
            }
        )
    )


def run_child(lines: int, strategy: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(lines), strategy],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--child":
        child(int(args[1]), args[2])
        return
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    lines = int(args[0]) if args else 1_000_000
    strategies = args[1:] or list(STRATEGIES)
    print(f"{lines} lignes, stratégies : {', '.join(strategies)}, {runs} exécution(s) chacune")
    print(
        "stratégie | lots | articles | build_plan médiane (s) [min – max] | dont empreinte (s) "
        "| pic mémoire avant → après (Mio, médiane)"
    )
    for strategy in strategies:
        results = [run_child(lines, strategy) for _ in range(runs)]
        times = [r["build_plan_s"] for r in results]
        r = results[0]
        print(
            f"{strategy} | {r['lots']} | {r['items']} | {statistics.median(times)} "
            f"[{min(times)} – {max(times)}] | {statistics.median(x['empreinte_s'] for x in results)} | "
            f"{statistics.median(x['peak_before_mib'] for x in results)} → "
            f"{statistics.median(x['peak_after_mib'] for x in results)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
