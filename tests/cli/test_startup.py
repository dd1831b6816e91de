"""Start-up stays light: `--help` loads no data library, `demand check` no renderer (lazy imports)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "pydantic",
    "openpyxl",
    "docx",
    "docxtpl",
    "jinja2",
    "lotsmarche.models",
)
PROBE = """
import json, sys
from lotsmarche.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def _loaded(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_loads_no_data_library() -> None:
    assert _loaded(["--help"]) == []
    for command in (["demand", "--help"], ["lots", "--help"], ["demand", "check", "--help"]):
        # typer itself loads pydantic to read a command's parameters; nothing of ours or for the data
        assert _loaded(command) in ([], ["pydantic"])


def test_demand_check_loads_no_renderer() -> None:
    loaded = _loaded(["demand", "check"])  # the bundled example
    assert "pandas" in loaded  # the canonical table
    assert not {"openpyxl", "docx", "docxtpl", "jinja2"} & set(loaded)
