"""Shared harness of the whole-process benchmarks in ``bench/`` (run by hand, never by the tests).

A benchmark names a few *programs* (a command line, its environment, an optional step before each run,
such as removing the previous output) and the harness runs them **in turn**, run after run, as farm-bench
does: run 1 is A B C, run 2 is B C A, run 3 is C A B… so that a load spike on this shared machine touches
every program alike. Each run is a fresh child process (started by a small launcher, see LAUNCHER); from
``os.wait4`` the harness takes its wall time, its user and system CPU time and its peak resident set
(``ru_maxrss``). Reported per program: the median
and the range of each, and the ratio of the medians to the baseline program (the first one unless told),
as a markdown table (French labels) and optionally as JSON. A run whose resident set passes a limit is
stopped (``max_rss_mib``), so that a benchmark cannot starve the other users of the machine.

Helpers for the scripts: ``lotsmarche(...)`` (the installed command, on the source tree of this checkout or
of another revision), ``source_of(rev)`` (revision REV extracted once into /tmp with ``git archive``),
``python_code(...)`` (a ``python -c`` baseline such as ``pandas.read_csv``), ``cache_dir()``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "lotsmarche-bench"


@dataclass(frozen=True)
class Program:
    """One command measured as a whole process."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] | None = None  # added to (and overriding) this process's environment
    cwd: Path | None = None
    before: Callable[[], None] | None = None  # run before each run, not timed (e.g. remove the output)
    ok_codes: tuple[int, ...] = (
        0,
    )  # exit codes of a normal run (1: `lotsmarche` found an error in the plan)


@dataclass(frozen=True)
class Run:
    """What one child process cost."""

    wall: float  # seconds
    user: float  # seconds of CPU in user mode
    sys: float  # seconds of CPU in kernel mode
    maxrss_kib: int  # peak resident set of the child
    returncode: int
    stopped: bool = False  # killed by the harness: resident set above the limit

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def rss_mib(self) -> float:
        return self.maxrss_kib / 1024


@dataclass(frozen=True)
class Stat:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        return cls(statistics.median(values), min(values), max(values))


@dataclass
class Result:
    """Runs of every program of one benchmark, in program order."""

    title: str
    runs: dict[str, list[Run]]
    baseline: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    notes: list[str] = field(default_factory=list)

    def stat(self, name: str, measure: str) -> Stat:
        return Stat.of([float(getattr(r, measure)) for r in self.runs[name]])

    def ratio(self, name: str, measure: str) -> float:
        """Median of ``name`` divided by the median of the baseline, for ``measure`` (wall, cpu, rss_mib)."""
        base = self.stat(self.baseline, measure).median
        return self.stat(name, measure).median / base if base else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "titre": self.title,
            "reference": self.baseline,
            "charge_avant": self.load_before,
            "charge_apres": self.load_after,
            "notes": self.notes,
            "programmes": {
                name: {
                    "executions": [
                        {
                            "horloge_s": round(r.wall, 4),
                            "cpu_s": round(r.cpu, 4),
                            "user_s": round(r.user, 4),
                            "sys_s": round(r.sys, 4),
                            "pic_rss_mio": round(r.rss_mib, 1),
                            "code_retour": r.returncode,
                            "arrete": r.stopped,
                        }
                        for r in runs
                    ],
                    **{
                        f"{measure}_mediane": round(self.stat(name, measure).median, 4)
                        for measure in ("wall", "cpu", "rss_mib")
                    },
                    **{
                        f"{measure}_rapport": round(self.ratio(name, measure), 4)
                        for measure in ("wall", "cpu", "rss_mib")
                    },
                }
                for name, runs in self.runs.items()
            },
        }


class BenchError(RuntimeError):
    pass


# The measured command is started by this small launcher (``python -I -S``, ≈ 10 Mio), not by the harness
# itself: Linux counts in a child's ``ru_maxrss`` the resident set of the process it was forked from, up to
# its ``exec`` (a harness inside pytest would lend the child its 800 Mio). The launcher times the command
# and reaps it with ``os.wait4``, then writes wall, user, sys, peak RSS (KiB) and exit code to argv[1].
LAUNCHER = """
import os, sys, time
out = sys.argv[1]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
with open(out + ".pid", "w") as f:
    f.write(str(pid))
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    f.write(f"{wall!r} {ru.ru_utime!r} {ru.ru_stime!r} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def _watch_rss(pid_file: Path, limit_kib: int, stop: threading.Event, hit: list[bool]) -> None:
    """Kill the measured command when its resident set passes ``limit_kib``."""
    pid = 0
    while not stop.wait(0.1):
        try:
            pid = pid or int(pid_file.read_text())
            text = Path(f"/proc/{pid}/status").read_text()
        except (OSError, ValueError):
            continue
        for line in text.splitlines():
            if line.startswith("VmRSS:") and int(line.split()[1]) > limit_kib:
                hit.append(True)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
                return


def run_once(program: Program, max_rss_mib: float | None = None, check: bool = True) -> Run:
    """Run ``program`` once in a fresh child process; its costs come from ``os.wait4`` (via LAUNCHER)."""
    if program.before is not None:
        program.before()
    env = {**os.environ, **(program.env or {})}
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        result = Path(tmp) / "mesure"
        argv = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(result), *program.argv]
        stop, hit = threading.Event(), list[bool]()
        watcher = None
        if max_rss_mib is not None:
            pid_file = result.with_suffix(".pid")
            watcher = threading.Thread(
                target=_watch_rss, args=(pid_file, int(max_rss_mib * 1024), stop, hit), daemon=True
            )
            watcher.start()
        try:
            subprocess.run(argv, stdout=out, stderr=err, env=env, cwd=program.cwd, check=True)
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()
        wall, user, sys_, rss, code = result.read_text().split()
        run = Run(float(wall), float(user), float(sys_), int(rss), int(code), bool(hit))
        if check and run.returncode not in program.ok_codes and not run.stopped:
            err.seek(0)
            out.seek(0)
            tail = (err.read()[-2000:] or out.read()[-2000:]).decode("utf-8", "replace")
            raise BenchError(f"{program.name} : code de retour {run.returncode}\n{tail}")
    return run


def interleave(
    programs: Sequence[Program],
    runs: int,
    *,
    title: str = "",
    warmup: int = 1,
    baseline: str | None = None,
    max_rss_mib: float | None = None,
    progress: bool = True,
) -> Result:
    """Run every program ``runs`` times, in turn, rotating the order at each round; ``warmup`` rounds first.

    The warm-up rounds (page cache, compiled bytecode, on-disk caches) are not kept.
    """
    if not programs:
        raise ValueError("aucun programme")
    names = [p.name for p in programs]
    if len(set(names)) != len(names):
        raise ValueError(f"noms en double : {names}")
    for _ in range(warmup):
        for program in programs:
            run_once(program, max_rss_mib)
    result = Result(title, {name: [] for name in names}, baseline or names[0], os.getloadavg())
    for round_ in range(runs):
        shift = round_ % len(programs)
        for program in [*programs[shift:], *programs[:shift]]:
            run = run_once(program, max_rss_mib)
            result.runs[program.name].append(run)
            if progress:
                print(
                    f"  [{round_ + 1}/{runs}] {program.name} : {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
                    f"{run.rss_mib:.0f} Mio" + (" (arrêté : mémoire)" if run.stopped else ""),
                    file=sys.stderr,
                    flush=True,
                )
    result.load_after = os.getloadavg()
    return result


def _fr(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _seconds(s: Stat) -> str:
    digits = 3 if s.median < 1 else 2
    return f"{_fr(s.median, digits)} s ({_fr(s.low, digits)} à {_fr(s.high, digits)})"


def markdown(result: Result) -> str:
    """The result as a markdown table: medians (ranges) and ratios of medians to the baseline."""
    n = {len(r) for r in result.runs.values()}
    lines = []
    if result.title:
        lines.append(f"**{result.title}** — médianes de {'/'.join(map(str, sorted(n)))} exécutions")
        lines.append("")
    lines += [
        "| programme | horloge | CPU (user+sys) | pic RSS | horloge ÷ réf. | CPU ÷ réf. | RSS ÷ réf. |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, runs in result.runs.items():
        wall, cpu, rss = (result.stat(name, m) for m in ("wall", "cpu", "rss_mib"))
        mark = " (réf.)" if name == result.baseline else ""
        stopped = sum(r.stopped for r in runs)
        if stopped:
            mark += f" — {stopped} arrêt(s) mémoire"
        lines.append(
            f"| {name}{mark} | {_seconds(wall)} | {_seconds(cpu)} | {_fr(rss.median, 0)} Mio "
            f"({_fr(rss.low, 0)} à {_fr(rss.high, 0)}) | {_fr(result.ratio(name, 'wall'))}× | "
            f"{_fr(result.ratio(name, 'cpu'))}× | {_fr(result.ratio(name, 'rss_mib'))}× |"
        )
    before, after = result.load_before, result.load_after
    lines.append("")
    lines.append(
        f"Charge moyenne (1, 5, 15 min) : {' ; '.join(_fr(x) for x in before)} avant, "
        f"{' ; '.join(_fr(x) for x in after)} après."
    )
    lines += result.notes
    return "\n".join(lines)


# --- helpers for the scripts ---------------------------------------------------------------------------


def warm_file(path: Path) -> None:
    """Read ``path`` once so that the first measured run does not pay for the disk (page cache)."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def cache_dir() -> Path:
    """Folder of generated inputs kept between runs (/tmp/lotsmarche-bench)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def source_of(rev: str) -> Path:
    """Source tree of git revision ``rev``, extracted once with ``git archive`` into /tmp (read-only use)."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    folder = cache_dir() / f"avant-{sha[:12]}"
    if not (folder / "src" / "lotsmarche").is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cache_dir()))
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder


def short_rev(rev: str) -> str:
    return _git("rev-parse", "--short", f"{rev}^{{commit}}")


_TREE: list[Path] = [ROOT]  # the tree measured as « lotsmarche »: this checkout, or --apres REV


def measured_tree() -> Path:
    """The tree measured as « lotsmarche » (this checkout, or --apres REV once configured)."""
    return _TREE[0]


def lotsmarche(name: str, args: Sequence[str], tree: Path | None = None, **kwargs: Any) -> Program:
    """``lotsmarche ARGS`` as a buyer types it, run on the sources of ``tree``.

    By default, the tree of this checkout, or of revision REV after ``configure`` with ``--apres REV``.

    The installed entry point is used when it sits beside this Python (the venv's ``lotsmarche``); else
    ``python -m lotsmarche``. PYTHONPATH makes ``tree``'s sources win over the installed package.
    """
    tree = tree or _TREE[0]
    script = Path(sys.executable).parent / "lotsmarche"
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "lotsmarche"]
    env = {"PYTHONPATH": str(tree / "src"), **kwargs.pop("env", {})}
    return Program(name, [*argv, *args], env=env, **kwargs)


def python_code(name: str, code: str, *args: str, **kwargs: Any) -> Program:
    """``python -c CODE ARGS`` in its own process (a baseline such as ``pandas.read_csv``)."""
    return Program(name, [sys.executable, "-c", code, *args], **kwargs)


READ_CSV = "import sys, pandas; pandas.read_csv(sys.argv[1], sep=';', dtype=str, keep_default_na=False)"


def read_csv(path: Path) -> Program:
    """The baseline of issue 15: ``pandas.read_csv(path, sep=';', dtype=str, keep_default_na=False)``."""
    return python_code("pandas.read_csv", READ_CSV, str(path))


def add_options(parser: argparse.ArgumentParser, runs: int = 5, warmup: int = 1) -> None:
    """Options shared by the scripts: --runs, --warmup, --avant REV, --json FILE."""
    parser.add_argument("--runs", type=int, default=runs, help=f"exécutions par programme ({runs})")
    parser.add_argument(
        "--warmup", type=int, default=warmup, help=f"tours d'échauffement non comptés ({warmup})"
    )
    parser.add_argument("--avant", metavar="REV", help="mesurer aussi la révision git REV, en alternance")
    parser.add_argument("--apres", metavar="REV", help="mesurer la révision REV au lieu de ce dossier")
    parser.add_argument("--json", type=Path, metavar="FICHIER", help="écrire aussi les mesures en JSON")


def configure(opts: argparse.Namespace) -> str:
    """Apply --apres REV (the tree measured as « lotsmarche »); return a line naming what is measured."""
    if getattr(opts, "apres", None):
        _TREE[0] = source_of(opts.apres)
        measured = f"révision {short_rev(opts.apres)}"
    else:
        dirty = "+" if _git("status", "--porcelain") else ""
        measured = f"ce dossier ({_git('rev-parse', '--short', 'HEAD')}{dirty})"
    return measured + (f", comparée à {short_rev(opts.avant)}" if getattr(opts, "avant", None) else "")


def report(results: Sequence[Result], json_path: Path | None) -> None:
    """Print every result as markdown; write them all as JSON when asked."""
    for result in results:
        print(markdown(result))
        print()
    if json_path is not None:
        json_path.write_text(
            json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


def machine(opts: argparse.Namespace | None = None) -> str:
    """One line on the machine and its load, for the reports."""
    load = " ; ".join(_fr(x) for x in os.getloadavg())
    mem = 0.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) / 2**20
    line = (
        f"{os.cpu_count()} cœurs, {round(mem)} Gio, Python {sys.version.split()[0]}, charge moyenne {load} "
        f"({time.strftime('%Y-%m-%d %H:%M %Z')})"
    )
    return line if opts is None else f"{configure(opts)} ; {line}"
