"""Benchmark of the DCE rendering: a 50-lot plan, per-document time against python-docx open + save.

Run by hand: ``python bench/dce.py [--lots 50] [--repeat 5]``. The floor is python-docx merely opening
and saving the same template, measured in the same run; the goal is each document within 2× of it.
Figures go into docs/BENCHMARKS.md, section "DCE".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from statistics import median

import docx
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.unit._render_factory import make_item, make_lot, make_plan

from lotsmarche.catalogue import load_catalogue
from lotsmarche.models import Member
from lotsmarche.render import render_dce
from lotsmarche.render.context import build_contexts, context_for
from lotsmarche.render.dce import _load
from lotsmarche.render.env import builtin_env
from lotsmarche.render.xlsx import render_bpu_dqe
from lotsmarche.resources import templates_dir


def big_plan(n_lots: int, items_per_lot: int = 12, members: int = 20):  # type: ignore[no-untyped-def]
    membres = [Member(nom=f"Collège n° {i}", type="college") for i in range(1, members + 1)]
    noms = [m.nom for m in membres]
    lots = [
        make_lot(
            n,
            f"Lot de produits n° {n}",
            [
                make_item(
                    f"P-{n}-{k}",
                    f"Produit {k} du lot {n}",
                    str(100 + k),
                    f"{3 + k % 7}.25",
                    noms[: 4 + n % 8],
                )
                for k in range(items_per_lot)
            ],
        )
        for n in range(1, n_lots + 1)
    ]
    return make_plan(lots=lots, membres=membres)


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cat = load_catalogue()
    plan = big_plan(args.lots)
    base, lots = build_contexts(plan, cat)
    print(f"Plan : {len(plan.lots)} lots, {sum(len(lot.items) for lot in plan.lots)} lignes de produits")
    print(
        f"{'document':<11} {'plancher modèle':>16} {'plancher sortie':>16} {'lotsmarche':>11} "
        f"{'ratio modèle':>13} {'ratio sortie':>13} {'docxtpl':>10}"
    )
    for kind in ("rc", "ccap", "cctp", "ae", "convention"):
        data = (templates_dir() / f"{kind}.docx").read_bytes()

        def floor(data: bytes = data) -> None:
            docx.Document(BytesIO(data)).save(BytesIO())

        compiled, _env = _load(kind, None)
        ctx = dict(context_for(kind, base, lots[0]))

        def ours(compiled=compiled, ctx=ctx) -> None:  # type: ignore[no-untyped-def]
            compiled.render(ctx, "titre", "sujet")

        def plain(data: bytes = data, ctx=ctx) -> None:  # type: ignore[no-untyped-def]
            tpl = DocxTemplate(BytesIO(data))
            tpl.render(ctx, jinja_env=builtin_env())
            tpl.save(BytesIO())

        rendered = compiled.render(ctx, "titre", "sujet")

        def floor_out(rendered: bytes = rendered) -> None:
            docx.Document(BytesIO(rendered)).save(BytesIO())

        f, fo = timed(floor, args.repeat), timed(floor_out, args.repeat)
        o, p = timed(ours, args.repeat), timed(plain, max(1, args.repeat // 2))
        print(
            f"{kind:<11} {f * 1000:>13.1f} ms {fo * 1000:>13.1f} ms {o * 1000:>8.1f} ms "
            f"{o / f:>12.2f}× {o / fo:>12.2f}× {p * 1000:>7.1f} ms"
        )
    xlsx = timed(lambda: render_bpu_dqe(plan, plan.lots[0]), args.repeat)
    print(f"BPU/DQE (1 lot) : {xlsx * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = render_dce(plan, cat, Path(tmp) / "DCE", zip_=True)
        total = time.perf_counter() - start
    print(f"DCE complet ({len(result.fichiers)} fichiers + zip) : {total:.2f} s")


if __name__ == "__main__":
    main()
