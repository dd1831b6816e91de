"""Generated long demand CSV for the whole-process benchmarks, cached in /tmp keyed by its line count.

Same shape as the file of issue 15's measurements (``bench/intake.py --interne``): ``;``, decimal commas,
8 columns, 400 members × 5 delivery sites, the catalogue's products sold by the kg, the 150 postcodes of
the Pas-de-Calais (7 territories, where the bundled sourcing profiles deliver: when the catalogue held only
that department, « the first 200 postcodes » were these), a price on one line in three, four spellings of
``mois``; nearly every quantity distinct (the unfavourable case).
The columns are built by pyarrow compute and written by pyarrow's CSV writer by slices of 1 000 000
lines (numpy random generator, fixed seed): 10^7 lines (≈ 0,8 Go) take well under a minute, once; the
next runs reuse ``/tmp/lotsmarche-bench/demande-<lines>-v2.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

from _harness import cache_dir

VERSION = 2  # bump when the generated content changes
SLICE = 1_000_000
HEADER = [
    "membre",
    "site_livraison",
    "code_postal",
    "produit",
    "quantite",
    "unite",
    "prix_unitaire_ht",
    "mois",
]
MONTHS = ["", "1,2,3", "janv-mars", "toute l'année"]


def _products_and_postcodes() -> tuple[list[str], list[str]]:
    from lotsmarche.catalogue import load_catalogue

    cat = load_catalogue()
    codes = sorted(c for c, p in cat.produits.items() if p.unite == "kg")
    return codes, sorted(cp for cp in cat.codes_postaux if cp.startswith("62"))


def write_demand(path: Path, lines: int, codes: list[str], postcodes: list[str]) -> None:
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    from pyarrow import csv

    members = [f"Collège n° {i}" for i in range(300)] + [f"EHPAD {i}" for i in range(100)]
    sites = pa.array([f"{m} – site {s}" for m in members for s in range(5)])
    rng = np.random.default_rng(42)
    schema = pa.schema([(name, pa.string()) for name in HEADER])
    options = csv.WriteOptions(include_header=False, delimiter=";", quoting_style="none")
    with path.open("wb") as sink, csv.CSVWriter(sink, schema, write_options=options) as writer:
        sink.write((";".join(HEADER) + "\n").encode())
        for start in range(0, lines, SLICE):
            i = np.arange(start, min(lines, start + SLICE), dtype=np.int64)
            n = len(i)
            member = i % len(members)
            qty = pc.binary_join_element_wise(
                pc.cast(pa.array(rng.integers(1, 5000, n)), pa.string()),
                pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 1000, n)), pa.string()), 3, "0"),
                ",",
            )
            price = pc.binary_join_element_wise(
                pc.cast(pa.array(rng.integers(1, 40, n)), pa.string()),
                pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 100, n)), pa.string()), 2, "0"),
                ",",
            )
            price = pc.if_else(pa.array(i % 3 == 0), price, "")
            columns = [
                pa.array(members).take(pa.array(member)),
                sites.take(pa.array(member * 5 + (i // len(members)) % 5)),
                pa.array(postcodes).take(pa.array(i % len(postcodes))),
                pa.array(codes).take(pa.array(rng.integers(0, len(codes), n))),
                qty,
                pa.array(["kg"]).take(pa.array(np.zeros(n, dtype=np.int64))),
                price,
                pa.array(MONTHS).take(pa.array(i % 4)),
            ]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))


def demand_csv(lines: int) -> Path:
    """The generated demand of ``lines`` lines, generated on first use (atomically) then reused."""
    path = cache_dir() / f"demande-{lines}-v{VERSION}.csv"
    if not path.is_file():
        codes, postcodes = _products_and_postcodes()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        write_demand(tmp, lines, codes, postcodes)
        tmp.replace(path)
    return path
