"""Benchmark of demand intake on a generated long CSV (``;`` and decimal commas), against plain read_csv.

Run by hand: ``python bench/intake.py [LINES] [--runs 3]`` (default 1 000 000 lines, 3 runs). The file is
generated once; then, in the same run, each measurement is made in a fresh child process (so that one
measurement's memory does not inflate the next), alternating the two programs:

* ``pandas.read_csv(path, sep=";", dtype=str, keep_default_na=False)`` alone;
* ``read_demand([path], catalogue, Groupement())`` (whole intake: reading, validation, canonical table,
  warnings).

Each child warms up on a 100-line file first (lazy imports and the catalogue are not intake costs), then
times one run. Reported: median wall time of the runs; peak memory as the child's peak resident set
(``ru_maxrss``) minus its resident set just before the measured run (what the run itself added); and
in a separate child per program, the peak of the Python allocations (``tracemalloc``), which does not
see the C parser's own buffers.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def _rss_kib() -> int:
    """Current resident set of this process (KiB), from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(program: str, path: Path, warm: Path, traced: bool) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import pandas as pd

    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.models import Groupement

    cat = load_catalogue()

    def run(p: Path) -> Any:
        if program == "read_csv":
            return pd.read_csv(p, sep=";", dtype=str, keep_default_na=False)
        return read_demand([p], cat, Groupement())

    run(warm)
    before = _rss_kib()
    if traced:
        import tracemalloc

        tracemalloc.start()
        run(path)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return {"tracemalloc_mib": peak}
    t0 = time.perf_counter()
    result = run(path)
    elapsed = time.perf_counter() - t0
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    out: dict[str, Any] = {"seconds": elapsed, "rss_added_mib": (peak_rss - before) / 1024}
    if program == "intake":
        out["lignes"] = len(result.table)
        out["avertissements"] = len(result.avertissements)
    return out


def _spawn(program: str, path: Path, warm: Path, traced: bool = False) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", program, str(path), str(warm)]
    if traced:
        args.append("--traced")
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("PROGRAM", "PATH", "WARM"))
    parser.add_argument("--traced", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        program, path, warm = opts.child
        print(json.dumps(child(program, Path(path), Path(warm), opts.traced)))
        return

    from lotsmarche.catalogue import load_catalogue

    cat = load_catalogue()
    codes = sorted(c for c, p in cat.produits.items() if p.unite == "kg")
    postcodes = sorted(cat.codes_postaux)[:200]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demande.csv"
        generate(path, opts.lines, codes, postcodes)
        warm = Path(d) / "petit.csv"
        generate(warm, 100, codes, postcodes)
        size = path.stat().st_size / 2**20
        runs: dict[str, list[dict[str, Any]]] = {"read_csv": [], "intake": []}
        for _ in range(opts.runs):
            for program, done in runs.items():
                done.append(_spawn(program, path, warm))
        traced = {program: _spawn(program, path, warm, traced=True) for program in runs}
    secs = {p: statistics.median(r["seconds"] for r in rs) for p, rs in runs.items()}
    rss = {p: statistics.median(r["rss_added_mib"] for r in rs) for p, rs in runs.items()}
    last = runs["intake"][-1]
    mem = {p: traced[p]["tracemalloc_mib"] for p in runs}
    print(f"{opts.lines} lignes, fichier de {size:.1f} Mio ; médiane de {opts.runs} exécutions")
    for p, label in (("read_csv", "pandas.read_csv(dtype=str)"), ("intake", "read_demand")):
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs[p])
        print(
            f"{label:27s}: {secs[p]:6.2f} s ({times}) ; mémoire ajoutée (RSS) {rss[p]:7.1f} Mio ; "
            f"pic tracemalloc {mem[p]:7.1f} Mio"
        )
    print(
        f"rapport : {secs['intake'] / secs['read_csv']:.2f}× le temps, "
        f"{rss['intake'] / rss['read_csv']:.2f}× la mémoire RSS, {mem['intake'] / mem['read_csv']:.2f}× "
        f"le pic tracemalloc ; {last['lignes']} lignes canoniques, {last['avertissements']} avertissements"
    )


if __name__ == "__main__":
    main()
