"""Run the real entry point ``lotsmarche.cli.main`` in-process: exit code, and the output when asked."""

from __future__ import annotations

import pytest

from lotsmarche.cli import main


def exit_code(args: list[str]) -> int:
    """The exit code ``lotsmarche ARGS`` ends with (0 when it returns normally)."""
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``lotsmarche ARGS``."""
    code = exit_code(args)
    out, err = capsys.readouterr()
    return code, out, err
