"""Benchmark of the lot builder: ``lotsmarche lots`` as whole processes, and ``build_plan`` in-process.

Run by hand (figures in docs/BENCHMARKS.md, section « Allotissement ») :

    python bench/lots.py [LINES] [--strategy S]... [--runs 3] [--avant REV] [--max-rss MIO] [--json FILE]
    python bench/lots.py 10000000 --runs 1 --sans-reference     # national scale
    python bench/lots.py --fournisseurs 300 [--runs 3]          # 300 generated suppliers, yearly vs monthly
    python bench/lots.py --interne [LINES] [--strategy S]... [--fournisseurs 300]

**Whole processes** (default; bench/_harness.py): ``lotsmarche lots FILE --out lots.json`` as a buyer types
it (default strategy unless ``--strategy``), in turn, run after run, with
``pandas.read_csv(FILE, sep=";", dtype=str, keep_default_na=False)`` in its own process as the reference
(and the same command of revision REV with ``--avant REV``). FILE is the demand of bench/_demand.py (the
file of ``bench/intake.py``), generated once and cached in /tmp by its line count. A run whose resident set
passes ``--max-rss`` (8 192 Mio by default) is stopped. ``--fournisseurs N`` adds N generated suppliers
written as a sourcing file (``--sourcing``): yearly capacities, and month-level volumes
(``Supplier.volumes_mensuels``) when the sourcing layout reads them.

**In-process** (``--interne``): each run is a fresh process that generates a canonical demand (fixed
seed; the catalogue's products, 4 000 members with two sites each, postcodes of the Pas-de-Calais), then
times ``build_plan`` and reports the process's peak resident memory before and after it; with
``--fournisseurs N`` the plan is built with N generated suppliers, alternately with yearly capacities and
with the same supply as month-level volumes (issue 13: the month-level lotting within 1.5× of the yearly).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _demand import demand_csv
from _harness import (
    Program,
    Result,
    add_options,
    cache_dir,
    interleave,
    lotsmarche,
    machine,
    read_csv,
    report,
    short_rev,
    source_of,
    warm_file,
)

STRATEGIES = ("famille", "famille-conservation", "espece", "territoire", "capacite")
PER_SITE = 120  # products asked by each delivery site
SOURCING_COLUMNS = (
    "fournisseur;type;familles;conservations;groupes_especes;produits;capacite_annuelle_ht;"
    "capacite_annuelle_kg;zones;livraison_reemployable;labels;circuit_court;volumes_mensuels"
)


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


def suppliers(cat: Any, territories: list[str], n: int, monthly: bool, seed: int = 7) -> list[Any]:
    """``n`` generated suppliers of the catalogue's products sold by the kg, month-level or yearly.

    Each covers one family, 8 to 40 of its products, 1 to 6 of ``territories``, with a season of its own
    (4 to 12 consecutive months within the product's months). ``monthly``: the volumes month by month
    (``volumes_mensuels``); else the same supply as one yearly capacity (their sum, ``capacite_annuelle_kg``).
    """
    from lotsmarche.models import Supplier

    rng = random.Random(seed)
    by_family: dict[str, list[str]] = {}
    for code, product in sorted(cat.produits.items()):
        if product.unite == "kg":
            by_family.setdefault(product.famille, []).append(code)
    families = sorted(by_family)
    out = []
    for i in range(n):
        family = families[i % len(families)]
        codes = sorted(rng.sample(by_family[family], min(len(by_family[family]), rng.randint(8, 40))))
        volumes: dict[str, tuple[Decimal, ...]] = {}
        for code in codes:
            start, length = rng.randrange(12), rng.randint(4, 12)
            season = {(start + k) % 12 + 1 for k in range(length)} & set(cat.produits[code].mois_disponibles)
            base = rng.randint(200, 20_000)
            volumes[code] = tuple(Decimal(base) if m in season else Decimal(0) for m in range(1, 13))
        total = sum((sum(v) for v in volumes.values()), Decimal(0))
        zones = sorted(rng.sample(territories, min(len(territories), rng.randint(1, 6))))
        out.append(
            Supplier(
                nom=f"Fournisseur {i:03d}",
                type="grossiste_regional",
                familles=[family],
                produits=codes,
                capacite_annuelle_kg=None if monthly else total,
                zones=zones,
                volumes_mensuels=volumes if monthly else None,
            )
        )
    return out


def write_sourcing(path: Path, rows: list[Any]) -> None:
    """The suppliers as the sourcing CSV that ``lotsmarche lots --sourcing`` reads.

    Month-level volumes go to the ``volumes_mensuels`` column (``CODE:janvier/…/décembre|CODE:…``).
    """
    lines = [SOURCING_COLUMNS]
    for s in rows:
        kg = "" if s.capacite_annuelle_kg is None else str(s.capacite_annuelle_kg)
        months = "|".join(
            f"{code}:{'/'.join(str(v) for v in volumes)}"
            for code, volumes in (s.volumes_mensuels or {}).items()
        )
        lines.append(
            f"{s.nom};{s.type};{'|'.join(s.familles)};;;{'|'.join(s.produits or [])};;{kg};"
            f"{'|'.join(s.zones)};non;;non;{months}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def csv_territories(cat: Any) -> list[str]:
    """Territories of the postcodes of bench/_demand.py's file."""
    from _demand import _products_and_postcodes

    _codes, postcodes = _products_and_postcodes()
    return sorted({t for cp in postcodes if (t := cat.territoire_du_code_postal(cp))})


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(lines: int, strategy: str, n_suppliers: int = 0, monthly: bool = False) -> None:
    from lotsmarche.lotting import build_plan
    from lotsmarche.models import Groupement

    t0 = time.perf_counter()
    cat, demand = generate(lines)
    sourcing = cat.fournisseurs
    if n_suppliers:
        territories = sorted(set(demand.table["territoire"].unique()) - {""})
        sourcing = suppliers(cat, territories, n_suppliers, monthly)
    t_gen = time.perf_counter() - t0
    before = peak_mib()
    t0 = time.perf_counter()
    _ = demand.empreinte  # build_plan records it; timed alone to show its share
    t_hash = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    plan = build_plan(demand, cat, Groupement(), sourcing, strategy=strategy)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
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
                "build_plan_cpu_s": round(cpu, 2),
                "empreinte_s": round(t_hash, 2),
                "cpu_total_s": round(time.process_time(), 2),
                "peak_before_mib": round(before),
                "peak_after_mib": round(peak_mib()),
            }
        )
    )


def run_child(lines: int, strategy: str, n_suppliers: int = 0, monthly: bool = False) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(lines), strategy, str(n_suppliers), str(int(monthly))]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _row(label: str, results: list[dict[str, Any]]) -> str:
    times = [r["build_plan_s"] for r in results]
    cpu = [r["build_plan_cpu_s"] for r in results]
    r = results[0]
    return (
        f"| {label} | {r['lots']} | {r['items']} | {statistics.median(times):.2f} "
        f"[{min(times)} – {max(times)}] "
        f"| {statistics.median(cpu):.2f} | {statistics.median(x['empreinte_s'] for x in results):.2f} | "
        f"{statistics.median(x['peak_before_mib'] for x in results)} → "
        f"{statistics.median(x['peak_after_mib'] for x in results)} |"
    )


def main_interne(opts: argparse.Namespace) -> None:
    strategies = opts.strategy or ([] if opts.fournisseurs else list(STRATEGIES))
    print(f"{opts.lines} lignes (demande canonique générée), {opts.runs} exécution(s) ; {machine()}")
    print(
        "| stratégie | lots | articles | build_plan médiane (s) [min – max] | CPU (s) | dont empreinte (s) "
        "| pic mémoire avant → après (Mio, médiane) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for strategy in strategies:
        results = [run_child(opts.lines, strategy) for _ in range(opts.runs)]
        print(_row(strategy, results), flush=True)
    if opts.fournisseurs:
        strategy = (opts.strategy or ["capacite"])[0]
        runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
        for i in range(opts.runs):  # alternate, the first one changing at each round
            for monthly in (bool(i % 2), not i % 2):
                runs[monthly].append(run_child(opts.lines, strategy, opts.fournisseurs, monthly))
        for monthly, label in ((False, "annuels"), (True, "mensuels")):
            print(_row(f"{strategy}, {opts.fournisseurs} fournisseurs {label}", runs[monthly]))
        ratio = statistics.median(r["build_plan_s"] for r in runs[True]) / statistics.median(
            r["build_plan_s"] for r in runs[False]
        )
        print(f"\nmensuels ÷ annuels (médianes de build_plan) : {ratio:.2f}×")


def whole_process(opts: argparse.Namespace) -> list[Result]:
    path = demand_csv(opts.lines)
    warm_file(path)
    out = cache_dir() / "sorties"
    out.mkdir(exist_ok=True)
    print(f"{opts.lines} lignes, {path} ({path.stat().st_size / 2**20:.1f} Mio) ; {machine(opts)}")
    strategies = opts.strategy or [None]
    trees = [(None, Path(__file__).resolve().parent.parent)]
    if opts.avant:
        trees.append((short_rev(opts.avant), source_of(opts.avant)))
    results = []
    for strategy in strategies:
        programs: list[Program] = [] if opts.sans_reference else [read_csv(path)]
        for rev, tree in trees:
            name = (
                "lotsmarche lots"
                + (f" --strategy {strategy}" if strategy else "")
                + (f" ({rev})" if rev else "")
            )
            args = ["lots", str(path), "--out", str(out / f"lots-{rev or 'ici'}.json"), "--force"]
            args += ["--strategy", strategy] if strategy else []
            programs.append(lotsmarche(name, args, tree, ok_codes=(0, 1)))  # 1: errors found in the plan
        title = f"lots, {opts.lines} lignes" + (
            f", stratégie {strategy}" if strategy else ", stratégie par défaut"
        )
        results.append(
            interleave(programs, opts.runs, title=title, warmup=opts.warmup, max_rss_mib=opts.max_rss)
        )
    return results


def with_suppliers(opts: argparse.Namespace) -> list[Result]:
    """``lotsmarche lots --sourcing`` with N generated suppliers: yearly capacities, then month-level volumes.

    Both files describe the same supply (each yearly capacity is the sum of the supplier's months); the
    two commands run in turn, and the ratio of their medians is issue 13's measure (target ≤ 1.5×).
    """
    from lotsmarche.catalogue import load_catalogue

    cat = load_catalogue()
    path = demand_csv(opts.lines)
    warm_file(path)
    out = cache_dir() / "sorties"
    out.mkdir(exist_ok=True)
    territories = csv_territories(cat)
    print(f"{opts.lines} lignes, {opts.fournisseurs} fournisseurs générés ({cache_dir()}) ; {machine(opts)}")
    programs = []
    for monthly, label in ((False, "annuels"), (True, "mensuels")):
        sourcing = cache_dir() / f"sourcing-{opts.fournisseurs}-{label}.csv"
        write_sourcing(sourcing, suppliers(cat, territories, opts.fournisseurs, monthly=monthly))
        args = ["lots", str(path), "--sourcing", str(sourcing), "--out", str(out / f"lots-{label}.json")]
        args += ["--force"] + (["--strategy", opts.strategy[0]] if opts.strategy else [])
        name = f"lots, {opts.fournisseurs} fournisseurs {label}"
        programs.append(lotsmarche(name, args, ok_codes=(0, 1)))
    title = f"lots, {opts.lines} lignes, {opts.fournisseurs} fournisseurs annuels puis mensuels"
    return [interleave(programs, opts.runs, title=title, warmup=opts.warmup, max_rss_mib=opts.max_rss)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("lines", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--strategy", action="append", choices=(*STRATEGIES, "optimal"))
    add_options(parser, runs=3, warmup=0)
    parser.add_argument("--max-rss", type=float, default=8192, metavar="MIO", help="arrêter au-delà (8192)")
    parser.add_argument("--sans-reference", action="store_true", help="sans pandas.read_csv")
    parser.add_argument("--fournisseurs", type=int, default=0, metavar="N", help="N fournisseurs générés")
    parser.add_argument("--interne", action="store_true", help="build_plan dans le processus")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        lines, strategy, n, monthly = opts.child
        child(int(lines), strategy, int(n), monthly == "1")
        return
    if opts.interne:
        main_interne(opts)
        return
    report(with_suppliers(opts) if opts.fournisseurs else whole_process(opts), opts.json)


if __name__ == "__main__":
    main()
