"""The whole-process benchmark harness (bench/_harness.py) measures what it says, on tiny commands.

Benchmarks are never tests: nothing here is timed against a target. These tests only check that the
harness's own arithmetic (medians, ranges, ratios of medians), its CPU and memory readings from
``os.wait4``, its interleaving and its memory guard are right, so that the figures of docs/BENCHMARKS.md
cannot silently go wrong.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "bench" / "_harness.py"

pytestmark = pytest.mark.skipif(not HARNESS.is_file(), reason="source tree absent (installed package only)")


@pytest.fixture(scope="module")
def h() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_harness"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _run(h: ModuleType, wall: float, cpu: float, rss_mib: float) -> object:
    return h.Run(wall, cpu * 0.75, cpu * 0.25, int(rss_mib * 1024), 0)


def test_medians_ranges_and_ratios_of_medians(h: ModuleType) -> None:
    result = h.Result(
        "essai",
        {
            "ref": [_run(h, 1.0, 0.8, 100), _run(h, 3.0, 1.2, 100), _run(h, 2.0, 1.0, 100)],
            "prog": [_run(h, 9.0, 3.0, 300), _run(h, 4.0, 2.0, 250), _run(h, 5.0, 2.5, 200)],
        },
        "ref",
        (0.0, 0.0, 0.0),
    )
    assert result.stat("ref", "wall") == h.Stat(2.0, 1.0, 3.0)
    assert result.stat("prog", "wall") == h.Stat(5.0, 4.0, 9.0)
    assert result.stat("prog", "cpu").median == pytest.approx(2.5)
    assert result.ratio("prog", "wall") == pytest.approx(2.5)  # 5.0 / 2.0: ratio of the medians
    assert result.ratio("prog", "cpu") == pytest.approx(2.5)  # 2.5 / 1.0
    assert result.ratio("prog", "rss_mib") == pytest.approx(2.5)  # 250 / 100
    assert result.ratio("ref", "wall") == 1.0
    table = h.markdown(result)
    assert "| ref (réf.) | 2,00 s (1,00 à 3,00) |" in table
    assert "| 2,50× | 2,50× | 2,50× |" in table
    data = result.to_json()
    assert data["programmes"]["prog"]["wall_rapport"] == 2.5
    assert [r["horloge_s"] for r in data["programmes"]["prog"]["executions"]] == [9.0, 4.0, 5.0]


def test_real_children_cpu_memory_and_rotation(h: ModuleType) -> None:
    order: list[str] = []
    burn = "import time\nwhile time.process_time() < 0.3: pass"
    hold = "b = bytearray(120 * 2**20)"  # zero-filled by calloc, so touch it to make it resident
    programs = [
        h.python_code("pass", "pass", before=lambda: order.append("pass")),
        h.python_code("burn", burn, before=lambda: order.append("burn")),
        h.python_code(
            "hold", hold + "\nb[::4096] = b'x' * len(b[::4096])", before=lambda: order.append("hold")
        ),
    ]
    result = h.interleave(programs, 3, warmup=0, progress=False)
    # farm-bench-style rotation: every program goes first once
    assert order == ["pass", "burn", "hold", "burn", "hold", "pass", "hold", "pass", "burn"]
    assert all(len(runs) == 3 for runs in result.runs.values())
    assert result.baseline == "pass"
    burn_cpu = result.stat("burn", "cpu")
    assert burn_cpu.low >= 0.3  # user+sys of the child, from wait4
    assert all(r.cpu <= r.wall + 0.05 for r in result.runs["burn"])  # one thread cannot use more
    assert result.stat("pass", "cpu").median < burn_cpu.median
    assert result.stat("hold", "rss_mib").low >= 120  # ru_maxrss of the child itself
    assert result.stat("pass", "rss_mib").high < 120
    assert result.ratio("burn", "cpu") > 1.0


def test_child_peak_memory_is_not_the_parents(h: ModuleType) -> None:
    """A child forked from a big process (pytest, a benchmark holding a demand) is measured alone."""
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])
    run = h.run_once(h.python_code("pass", "pass"))
    assert run.rss_mib < 100
    del ballast


def test_failure_and_memory_limit(h: ModuleType) -> None:
    with pytest.raises(h.BenchError, match="code de retour 3"):
        h.run_once(h.python_code("échec", "import sys; sys.exit(3)"))
    hog = "import time\nb = bytearray(400 * 2**20)\nb[::4096] = b'x' * len(b[::4096])\ntime.sleep(30)"
    run = h.run_once(h.python_code("gourmand", hog), max_rss_mib=150)
    assert run.stopped
    assert run.wall < 20  # killed, not waited for


def test_lotsmarche_runs_on_the_named_tree(h: ModuleType, tmp_path: Path) -> None:
    program = h.lotsmarche("aide", ["--help"], tmp_path)
    assert list(program.argv[-1:]) == ["--help"]
    assert program.env["PYTHONPATH"] == str(tmp_path / "src")
