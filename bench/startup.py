"""Start-up of the command line, as whole processes: ``lotsmarche --help`` and a small ``demand check``.

Run by hand: ``python bench/startup.py [--runs 10] [--avant REV] [--json FILE] [--lignes 100]``.
Measured in turn (bench/_harness.py): ``python -c pass`` (the interpreter alone, the reference),
``python -c "import pandas"``, ``python -c "import lotsmarche.cli"``, ``lotsmarche --help`` and
``lotsmarche demand check`` on a generated 100-line demand (bench/_demand.py), and with ``--avant REV``
the same two commands of revision REV. Issue 15's target: ``--help`` and the small ``demand check`` in
well under 0.5 s of wall time. Figures go into docs/BENCHMARKS.md, section « Démarrage ».
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _demand import demand_csv
from _harness import (
    Program,
    add_options,
    interleave,
    lotsmarche,
    machine,
    measured_tree,
    python_code,
    report,
    short_rev,
    source_of,
)


def programs(small: Path, avant: str | None) -> list[Program]:
    src = {"PYTHONPATH": str(measured_tree() / "src")}
    out = [
        python_code("python -c pass", "pass"),
        python_code("import pandas", "import pandas"),
        Program("import lotsmarche.cli", [sys.executable, "-c", "import lotsmarche.cli"], env=src),
        lotsmarche("lotsmarche --help", ["--help"]),
        lotsmarche(f"demand check ({small.stat().st_size // 1000} ko)", ["demand", "check", str(small)]),
    ]
    if avant:
        rev, tree = short_rev(avant), source_of(avant)
        out.append(lotsmarche(f"lotsmarche --help ({rev})", ["--help"], tree))
        out.append(lotsmarche(f"demand check ({rev})", ["demand", "check", str(small)], tree))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=10)
    parser.add_argument("--lignes", type=int, default=100, help="lignes de la petite demande (100)")
    opts = parser.parse_args()
    small = demand_csv(opts.lignes)
    print(f"Démarrage ; {machine(opts)}")
    result = interleave(programs(small, opts.avant), opts.runs, title="démarrage", warmup=opts.warmup)
    report([result], opts.json)


if __name__ == "__main__":
    main()
