"""Benchmark of demand intake on a generated long CSV (``;`` and decimal commas), against plain read_csv.

Run by hand: ``python bench/intake.py [LINES]`` (default 1 000 000). Prints the time and the peak memory
(tracemalloc) of ``pandas.read_csv(dtype=str)`` alone and of ``read_demand`` on the same file.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any


def generate(path: Path, lines: int, codes: list[str], postcodes: list[str]) -> None:
    rng = random.Random(42)
    members = [f"Collège n° {i}" for i in range(300)] + [f"EHPAD {i}" for i in range(100)]
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois\n")
        for i in range(lines):
            m = members[i % len(members)]
            site = f"{m} – site {(i // len(members)) % 5}"
            code = codes[rng.randrange(len(codes))]
            qty = f"{rng.randrange(1, 5000)},{rng.randrange(0, 1000):03d}"
            price = f"{rng.randrange(1, 40)},{rng.randrange(0, 100):02d}" if i % 3 == 0 else ""
            months = ("", "1,2,3", "janv-mars", "toute l'année")[i % 4]
            f.write(f"{m};{site};{postcodes[i % len(postcodes)]};{code};{qty};kg;{price};{months}\n")


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall time of a plain run, then peak traced memory of a second run (tracing slows Python code)."""
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    del result
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak, result


def main() -> None:
    import pandas as pd

    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.models import Groupement

    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    cat = load_catalogue()
    codes = sorted(c for c, p in cat.produits.items() if p.unite == "kg")
    postcodes = sorted(cat.codes_postaux)[:200]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demande.csv"
        generate(path, lines, codes, postcodes)
        size = path.stat().st_size / 2**20
        warm = Path(d) / "petit.csv"  # warm-up: lazy imports are not part of the intake cost
        generate(warm, 100, codes, postcodes)
        read_demand([warm], cat, Groupement())
        t_csv, m_csv, _ = measure(lambda: pd.read_csv(path, sep=";", dtype=str, keep_default_na=False))
        t_in, m_in, demand = measure(lambda: read_demand([path], cat, Groupement()))
    print(f"{lines} lignes, fichier de {size:.1f} Mio")
    print(f"pandas.read_csv(dtype=str) : {t_csv:6.2f} s, pic mémoire {m_csv:7.1f} Mio")
    print(f"read_demand                : {t_in:6.2f} s, pic mémoire {m_in:7.1f} Mio")
    print(f"rapport : {t_in / t_csv:.2f}× le temps, {m_in / m_csv:.2f}× la mémoire ; "
          f"{len(demand.table)} lignes canoniques, {len(demand.avertissements)} avertissements")


if __name__ == "__main__":
    main()
