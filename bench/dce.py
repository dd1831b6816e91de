"""Benchmark of the DCE rendering: a 50-lot plan, per-document time against python-docx open + save.

Run by hand: ``python bench/dce.py [--lots 50] [--repeat 9] [--avant REV] [--runs 5] [--json FILE]
[--interne | --processus]``.

**Whole process** (bench/_harness.py; skipped with ``--interne``): the plan is written as a lots.json, then
``lotsmarche dce plan.json --out DIR --force`` is run as a buyer types it, in turn with the same command of
revision REV (``--avant REV``, the sources extracted into /tmp): medians of ``--runs``, CPU user + sys, peak
resident set, ratio to REV.

**In-process** (skipped with ``--processus``): the whole DCE rendered by ``render_dce`` (median of up to
5 calls), and each document against its floor. The floor is python-docx
merely opening and saving the same template, measured in the same run; the goal is each document within
2× of it. The timed functions take turns at each repetition (the machine is shared: a load peak then
hits them all alike) and the median is kept. ``--avant REV`` also times the renderer and the templates
of git revision REV (read with ``git show``), in the same turns. Figures go into docs/BENCHMARKS.md,
section "DCE".
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from statistics import median

import docx
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import add_options, cache_dir, interleave, lotsmarche, machine, report, short_rev, source_of
from tests.unit._render_factory import make_item, make_lot, make_plan

from lotsmarche.catalogue import load_catalogue
from lotsmarche.lotsjson import plan_to_json
from lotsmarche.models import Member
from lotsmarche.render import render_dce
from lotsmarche.render.context import build_contexts, context_for
from lotsmarche.render.dce import _load
from lotsmarche.render.docx import read_zip
from lotsmarche.render.env import builtin_env
from lotsmarche.render.xlsx import render_bpu_dqe
from lotsmarche.resources import templates_dir


def plain_docxtpl(data: bytes, ctx: dict[str, object]) -> None:
    tpl = DocxTemplate(BytesIO(data))
    tpl.render(ctx, jinja_env=builtin_env())
    tpl.save(BytesIO())


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


ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object], repeat: int) -> float:
    return medians({"f": fn}, repeat)["f"]


def medians(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median time of each function; at each repetition every function runs once, in turn.

    As timeit, the garbage collector is off during a timed call (after a full collection), so that one
    function does not pay for the garbage of another.
    """
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                fn()
                runs[name].append(time.perf_counter() - start)
            finally:
                gc.enable()
    return {name: median(values) for name, values in runs.items()}


def git_show(rev: str, path: str) -> bytes:
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, check=True).stdout


def old_renderer(rev: str):  # type: ignore[no-untyped-def]
    """The module lotsmarche.render.docx of revision ``rev``, loaded under another name."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "docx_avant.py"
        path.write_bytes(git_show(rev, "src/lotsmarche/render/docx.py"))
        spec = importlib.util.spec_from_file_location("docx_avant", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["docx_avant"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


def whole_process(args: argparse.Namespace) -> None:
    """``lotsmarche dce`` on the plan written as lots.json, as whole processes (and revision REV's)."""
    path = cache_dir() / f"plan-{args.lots}-lots.json"
    path.write_text(plan_to_json(big_plan(args.lots)), encoding="utf-8")
    out = cache_dir() / "sorties"
    print(f"lotsmarche dce, plan de {args.lots} lots ({path}) ; {machine(args)}")
    programs = [lotsmarche("lotsmarche dce", ["dce", str(path), "--out", str(out / "dce-ici"), "--force"])]
    if args.avant:
        rev = short_rev(args.avant)
        argv = ["dce", str(path), "--out", str(out / f"dce-{rev}"), "--force"]
        programs.append(lotsmarche(f"lotsmarche dce ({rev})", argv, source_of(args.avant)))
    result = interleave(programs, args.runs, title=f"dce, {args.lots} lots", warmup=args.warmup)
    report([result], args.json)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--docxtpl", action="store_true", help="also time plain docxtpl (slow)")
    add_options(parser, runs=5)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--interne", action="store_true", help="dans le processus seulement")
    only.add_argument("--processus", action="store_true", help="processus entiers seulement")
    args = parser.parse_args()
    if not args.interne:
        whole_process(args)
    if not args.processus:
        in_process(args)


def in_process(args: argparse.Namespace) -> None:
    cat = load_catalogue()
    plan = big_plan(args.lots)
    base, lots = build_contexts(plan, cat)
    avant = old_renderer(args.avant) if args.avant else None
    print(f"Plan : {len(plan.lots)} lots, {sum(len(lot.items) for lot in plan.lots)} lignes de produits")
    print(
        f"{'document':<11} {'plancher modèle':>16} {'plancher sortie':>16} {'lotsmarche':>11} "
        f"{'ratio modèle':>13} {'ratio sortie':>13} {'XML':>9} {'docx':>8}"
        + (f" {'avant':>9} {'plancher avant':>15} {'ratio avant':>12} {'XML avant':>10}" if avant else "")
        + (f" {'docxtpl':>10}" if args.docxtpl else "")
    )
    for kind in ("rc", "ccap", "cctp", "ae", "convention"):
        data = (templates_dir() / f"{kind}.docx").read_bytes()
        compiled, _env = _load(kind, None)
        ctx = dict(context_for(kind, base, lots[0]))
        rendered = compiled.render(ctx, "titre", "sujet")  # also warms the filter caches
        fns: dict[str, Callable[[], object]] = {
            "floor": lambda data=data: docx.Document(BytesIO(data)).save(BytesIO()),
            "floor_out": lambda rendered=rendered: docx.Document(BytesIO(rendered)).save(BytesIO()),
            "ours": lambda compiled=compiled, ctx=ctx: compiled.render(ctx, "titre", "sujet"),
        }
        if avant is not None:
            old_data = git_show(args.avant, f"templates/{kind}.docx")
            old = avant.compile_docx(old_data, f"{kind}.docx", builtin_env())
            old_xml = len(read_zip(old.render(ctx, "titre", "sujet"))["word/document.xml"])
            fns["old"] = lambda old=old, ctx=ctx: old.render(ctx, "titre", "sujet")
            fns["old_floor"] = lambda old_data=old_data: docx.Document(BytesIO(old_data)).save(BytesIO())
        if args.docxtpl:
            fns["docxtpl"] = lambda data=data, ctx=ctx: plain_docxtpl(data, ctx)
        m = {name: value * 1000 for name, value in medians(fns, args.repeat).items()}
        xml = len(read_zip(rendered)["word/document.xml"])
        line = (
            f"{kind:<11} {m['floor']:>13.1f} ms {m['floor_out']:>13.1f} ms {m['ours']:>8.1f} ms "
            f"{m['ours'] / m['floor']:>12.2f}× {m['ours'] / m['floor_out']:>12.2f}× "
            f"{xml / 1e6:>6.2f} Mo {len(rendered) / 1e3:>5.0f} ko"
        )
        if avant is not None:
            line += (
                f" {m['old']:>6.1f} ms {m['old_floor']:>12.1f} ms {m['old'] / m['old_floor']:>11.2f}× "
                f"{old_xml / 1e6:>7.2f} Mo"
            )
        if args.docxtpl:
            line += f" {m['docxtpl']:>7.1f} ms"
        print(line)
    xlsx = timed(lambda: render_bpu_dqe(plan, plan.lots[0]), args.repeat)
    print(f"BPU/DQE (1 lot) : {xlsx * 1000:.1f} ms")
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(min(args.repeat, 5)):
        with tempfile.TemporaryDirectory() as tmp:
            start, cpu = time.perf_counter(), time.process_time()
            result = render_dce(plan, cat, Path(tmp) / "DCE", zip_=True)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    print(
        f"DCE complet dans le processus ({len(result.fichiers)} fichiers + zip, render_dce, médiane de "
        f"{len(walls)}) : {median(walls):.2f} s ({min(walls):.2f} à {max(walls):.2f}), "
        f"CPU {median(cpus):.2f} s"
    )


if __name__ == "__main__":
    main()
