"""Time the catalogue load (run by hand: ``python bench/catalogue.py``); figures go to docs/BENCHMARKS.md."""

from __future__ import annotations

import statistics
import time

from lotsmarche.catalogue import loader


def main(repeat: int = 7) -> None:
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
        f"chargement complet : médiane {statistics.median(wall):.3f} s (horloge), "
        f"{statistics.median(cpu):.3f} s (CPU) ; depuis le cache : {cached * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
