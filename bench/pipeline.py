"""Benchmark of ``lotsmarche run`` and ``lotsmarche compare`` on the bundled example, as whole processes.

Run by hand: ``python bench/pipeline.py [--runs 5] [--avant REV] [--json FILE] [--sans-compare]``.
``lotsmarche run --out DIR --force`` (demand → lots → checks → the whole DCE of the Boulonnais example)
and ``lotsmarche compare --out DIR --force`` (the six strategies, optimal included, and the comparison
workbook, page and chart) are run in turn with, for ``--avant REV``, the same commands of revision REV
(bench/_harness.py: medians, ranges, CPU user + sys, peak resident set). The targets of issue 15 are
absolute CPU times (run < 1.5 s, compare < 2 s); the ratio to REV shows what changed. Figures go into
docs/BENCHMARKS.md, section « Exemple intégré ».
"""

from __future__ import annotations

import argparse

from _harness import (
    Result,
    add_options,
    cache_dir,
    interleave,
    lotsmarche,
    machine,
    report,
    short_rev,
    source_of,
)


def measure(command: str, opts: argparse.Namespace) -> Result:
    out = cache_dir() / "sorties"
    programs = [
        lotsmarche(f"lotsmarche {command}", [command, "--out", str(out / f"{command}-ici"), "--force"])
    ]
    if opts.avant:
        rev = short_rev(opts.avant)
        args = [command, "--out", str(out / f"{command}-{rev}"), "--force"]
        programs.append(lotsmarche(f"lotsmarche {command} ({rev})", args, source_of(opts.avant)))
    return interleave(programs, opts.runs, title=f"{command}, exemple intégré", warmup=opts.warmup)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=5)
    parser.add_argument("--sans-compare", action="store_true", help="mesurer run seulement")
    opts = parser.parse_args()
    print(f"Exemple intégré (Boulonnais) ; {machine(opts)}")
    commands = ["run"] if opts.sans_compare else ["run", "compare"]
    report([measure(command, opts) for command in commands], opts.json)


if __name__ == "__main__":
    main()
