"""Fuzz every reader with 10 000 generated hostile inputs, by hand: ``python bench/fuzz.py [--inputs N]``.

Inputs are the mutations of ``tests/unit/_fuzz_inputs.py`` (the same as the hypothesis test, many more of
them), spread over the readers — demand CSV and XLSX, groupement.yaml, sourcing, plan YAML, survey
members, lots.json, a catalogue file, a Word template — plus whole commands run in-process
(``lotsmarche lots`` and ``lotsmarche run`` on a mutated demand or groupement.yaml, with ``--out``) to
check that a refusal writes nothing. Each input has 30 s (SIGALRM). Reported: inputs, accepted,
refused (French message), tracebacks (any other exception), hangs, partial outputs. Figures go to
docs/ROBUSTNESS.md. ``--json FILE`` also writes the figures and the first failing seeds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit._fuzz_inputs import attempt, make_bases, mutate

# Share of the inputs per reader (the rest goes to whole commands).
WEIGHTS = {
    "demande CSV": 28,
    "demande XLSX": 6,
    "groupement.yaml": 20,
    "sourçage": 14,
    "plan YAML": 8,
    "membres (recensement)": 8,
    "lots.json": 8,
    "catalogue": 2,
    "modèle Word": 4,
}
COMMANDS = {"lots": 0.02, "run": 0.005}  # share of the inputs given to whole commands
TIMEOUT = 30


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def _command(kind: str, bases: object, seed: int, work: Path) -> tuple[str, bool]:
    """Run ``lotsmarche lots|run`` in-process on a mutated input; (outcome, partial output left)."""
    from lotsmarche.cli import main

    rng = random.Random(seed)
    example = bases.folder / "example"  # type: ignore[attr-defined]
    work.mkdir(parents=True, exist_ok=True)
    demand, groupement = example / "demande.csv", example / "groupement.yaml"
    if rng.random() < 0.5:
        demand = work / "demande.csv"
        demand.write_text(mutate(rng, bases.demand, ";"), encoding="utf-8", errors="surrogatepass")  # type: ignore[attr-defined]
    else:
        groupement = work / "groupement.yaml"
        groupement.write_text(mutate(rng, bases.groupement), encoding="utf-8", errors="surrogatepass")  # type: ignore[attr-defined]
    out = work / ("sortie" if kind == "run" else "lots.json")
    shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    args = [
        kind,
        str(demand),
        "--groupement",
        str(groupement),
        "--sourcing",
        str(example / "sourcing.csv"),
        "--out",
        str(out),
    ]
    if kind == "lots":
        args += ["--xlsx", str(work / "lots.xlsx")]
        (work / "lots.xlsx").unlink(missing_ok=True)
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = int(exc.code or 0)
    if code == 3 or "Traceback" in err.getvalue():
        raise RuntimeError(f"exit {code}: {err.getvalue()[-500:]}")
    leftovers = [p for p in work.iterdir() if p.name.startswith(f".{out.name}.")]
    if kind == "run":
        # A plan with compliance errors is written (lots.json, lots.xlsx, controle.md) and its DCE refused
        # with exit 2, by design: the output must then be whole, and the DCE absent or whole.
        partial = bool(leftovers) or (out.exists() and not _whole_run(out))
    else:
        partial = code == 2 and (out.exists() or (work / "lots.xlsx").exists() or bool(leftovers))
    return ("accepté" if code in (0, 1) else "refusé"), partial


def _whole_run(out: Path) -> bool:
    import hashlib

    if not all((out / name).is_file() for name in ("lots.json", "lots.xlsx", "controle.md")):
        return False
    dce = out / "DCE"
    if not dce.exists():
        return True
    manifest = json.loads((dce / "manifest.json").read_text(encoding="utf-8"))
    return all(
        hashlib.sha256((dce / f["chemin"]).read_bytes()).hexdigest() == f["sha256"]
        for f in manifest["fichiers"]
        if f["chemin"] != "manifest.json"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", help="run only the inputs of the readers whose name starts with this")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="lotsmarche-fuzz-"))
    start = time.monotonic()
    bases = make_bases(root / "bases")
    n_commands = {k: max(1, round(args.inputs * share)) for k, share in COMMANDS.items()}
    n_readers = args.inputs - sum(n_commands.values())
    total_weight = sum(WEIGHTS.values())
    plan = {r: n_readers * w // total_weight for r, w in WEIGHTS.items()}
    plan["demande CSV"] += n_readers - sum(plan.values())
    jobs = [(r, rng.getrandbits(32)) for r, n in plan.items() for _ in range(n)]
    jobs += [(f"commande {k}", rng.getrandbits(32)) for k, n in n_commands.items() for _ in range(n)]
    outcomes: dict[str, Counter[str]] = {}
    failures: list[dict[str, object]] = []
    slowest = (0.0, "")
    if args.only:
        jobs = [(r, s) for r, s in jobs if r.startswith(args.only)]
    for i, (reader, seed) in enumerate(jobs):
        work = root / "work"
        shutil.rmtree(work, ignore_errors=True)
        counts = outcomes.setdefault(reader, Counter())
        t = time.monotonic()
        signal.alarm(TIMEOUT)
        try:
            if reader.startswith("commande "):
                outcome, partial = _command(reader.split()[1], bases, seed, work)
                counts["sortie partielle"] += partial
            else:
                outcome = attempt(reader, bases, seed, work)
            counts[outcome] += 1
        except Hang:
            counts["blocage"] += 1
            failures.append({"lecteur": reader, "graine": seed, "erreur": f"plus de {TIMEOUT} s"})
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            counts["trace"] += 1
            failures.append(
                {
                    "lecteur": reader,
                    "graine": seed,
                    "erreur": "".join(traceback.format_exception_only(exc))[-300:],
                }
            )
        finally:
            signal.alarm(0)
        took = time.monotonic() - t
        if took > slowest[0]:
            slowest = (took, reader)
        if (i + 1) % 500 == 0:
            print(f"{i + 1} / {len(jobs)} entrées, {time.monotonic() - start:.0f} s", file=sys.stderr)
    elapsed = time.monotonic() - start
    shutil.rmtree(root, ignore_errors=True)
    columns = ["accepté", "refusé", "trace", "blocage", "sortie partielle"]
    print(f"| lecteur | entrées | {' | '.join(columns)} |")
    print("|---|---:|" + "---:|" * len(columns))
    totals: Counter[str] = Counter()
    for reader, counts in outcomes.items():
        n = counts["accepté"] + counts["refusé"] + counts["trace"] + counts["blocage"]
        totals.update(counts)
        totals["entrées"] += n
        print(f"| {reader} | {n} | " + " | ".join(str(counts[c]) for c in columns) + " |")
    print(f"| **total** | {totals['entrées']} | " + " | ".join(str(totals[c]) for c in columns) + " |")
    print(f"\nDurée : {elapsed:.0f} s ; entrée la plus lente : {slowest[0]:.1f} s ({slowest[1]}).")
    for f in failures[:20]:
        print(f"- {f['lecteur']} graine {f['graine']} : {f['erreur']}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "entrees": totals["entrées"],
                    "par_lecteur": {r: dict(c) for r, c in outcomes.items()},
                    "duree_s": round(elapsed),
                    "echecs": failures[:100],
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
