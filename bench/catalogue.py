"""Time the catalogue load (run by hand: ``python bench/catalogue.py [--runs 10] [--avant REV] [--interne]``).

Whole processes first (bench/_harness.py, in turn): ``import lotsmarche.catalogue`` alone, then the same
plus ``load_catalogue()`` (what a command pays for the catalogue, its on-disk cache included when there is
one), and with ``--avant REV`` the latter on revision REV. Then, in this process (skipped with
``--processus``): the full validated load, median of 7, and a load from the in-memory cache. Figures go
to docs/BENCHMARKS.md, section « Catalogue ».
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from _harness import Program, add_options, interleave, machine, measured_tree, report, short_rev, source_of

LOAD = "from lotsmarche.catalogue import load_catalogue; load_catalogue()"


def whole_process(opts: argparse.Namespace) -> None:
    print(f"Catalogue, processus entiers ; {machine(opts)}")

    def prog(name: str, code: str, tree: Path | None = None) -> Program:
        return Program(
            name, [sys.executable, "-c", code], env={"PYTHONPATH": f"{tree or measured_tree()}/src"}
        )

    programs = [
        prog("import lotsmarche.catalogue", "import lotsmarche.catalogue"),
        prog("load_catalogue()", LOAD),
    ]
    if opts.avant:
        programs.append(prog(f"load_catalogue() ({short_rev(opts.avant)})", LOAD, source_of(opts.avant)))
    report([interleave(programs, opts.runs, title="catalogue", warmup=opts.warmup)], opts.json)


def in_process(repeat: int = 7) -> None:
    from lotsmarche.catalogue import loader

    loader.load()  # imports and first read out of the way
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        loader._load_cached.cache_clear()
        t, c = time.perf_counter(), time.process_time()
        cat = loader.load()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    t = time.perf_counter()
    loader.load()
    cached = time.perf_counter() - t
    print(
        f"{len(cat.produits)} produits, {len(cat.communes)} communes, {len(cat.cpv)} codes CPV, "
        f"{len(cat.clauses)} clauses"
    )
    print(
        f"chargement complet dans le processus : médiane {statistics.median(wall):.3f} s (horloge), "
        f"{statistics.median(cpu):.3f} s (CPU) ; depuis le cache : {cached * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=10)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--interne", action="store_true", help="dans le processus seulement")
    only.add_argument("--processus", action="store_true", help="processus entiers seulement")
    opts = parser.parse_args()
    if not opts.interne:
        whole_process(opts)
    if not opts.processus:
        in_process()


if __name__ == "__main__":
    main()
