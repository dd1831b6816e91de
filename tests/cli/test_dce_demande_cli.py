"""`lotsmarche dce lots.json --demande …`: the exact calendars from the demand the plan was built from."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotsmarche.pipeline import example_inputs
from tests.cli._runner import exit_code, run


def test_dce_with_the_demand_gives_the_run_calendars_and_refuses_another_demand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demand = example_inputs()[0]
    plan = tmp_path / "lots.json"
    assert exit_code(["lots", "--out", str(plan)]) == 0
    assert exit_code(["run", "--out", str(tmp_path / "run")]) == 0
    code, _out, err = run(
        ["dce", str(plan), "--demande", *map(str, demand), "--out", str(tmp_path / "D")], capsys
    )
    assert code == 0, err
    for name in ("Annexes/Lot_01_calendrier.xlsx", "02_CCTP.docx"):
        assert (tmp_path / "D" / name).read_bytes() == (tmp_path / "run" / "DCE" / name).read_bytes(), name
    other = tmp_path / "autre.csv"
    other.write_text(
        "\n".join(demand[0].read_text(encoding="utf-8").splitlines()[:20]) + "\n", encoding="utf-8"
    )
    code, _out, err = run(["dce", str(plan), "--demande", str(other), "--out", str(tmp_path / "E")], capsys)
    assert code == 2
    assert "La demande ne correspond pas au plan de lots" in err and "autre.csv" in err
    assert not (tmp_path / "E").exists()
