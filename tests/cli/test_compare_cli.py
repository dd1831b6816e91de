"""`lotsmarche compare` end to end on a small demand (catalogue supplier profiles as sourcing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lotsmarche.cli import app, main
from tests.cli._runner import run as run_cli

runner = CliRunner()


@pytest.fixture
def demande(fixtures_dir: Path) -> Path:
    return fixtures_dir / "compare" / "demande.csv"


def test_json_all_strategies(demande: Path) -> None:
    result = runner.invoke(app, ["compare", str(demande), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    names = [row["strategie"] for row in data["strategies"]]
    assert names == ["famille", "famille-conservation", "espece", "territoire", "capacite", "optimal"]
    rows = {row["strategie"]: row for row in data["strategies"]}
    assert data["k"] == 2
    # every strategy splits the same demand: same total, and optimal needs no more lots than any strategy
    # whose lots are all servable by k suppliers
    assert len({row["montant_total_maximum_ht"] for row in rows.values()}) == 1
    full = [r["nb_lots"] for r in rows.values() if r["nb_lots_servables_k"] == r["nb_lots"]]
    assert rows["optimal"]["nb_lots"] <= min(full)
    assert rows["optimal"]["nb_lots"] == 2  # fresh and frozen seafood cannot share a lot
    assert rows["territoire"]["nb_lots"] == 6
    assert rows["optimal"]["cout_administratif"] == "3000"
    # « famille »: one lot per family (fresh and frozen together), which no two profiles can serve
    assert (rows["famille"]["nb_lots"], rows["famille"]["nb_lots_servables_k"]) == (1, 0)
    assert data["meilleurs"]["nb_lots"] == ["famille"]


def test_out_writes_files_and_refuses_overwrite(demande: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = ["compare", str(demande), "--strategy", "famille", "--strategy", "optimal", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "comparaison.md",
        "comparaison.png",
        "comparaison.xlsx",
        "lots_famille.json",
        "lots_optimal.json",
    ]
    plan = json.loads((out / "lots_optimal.json").read_text(encoding="utf-8"))
    assert plan["strategie"] == "optimal"
    assert any(f["code"] == "OPT-001" for f in plan["findings"])
    md = (out / "comparaison.md").read_text(encoding="utf-8")
    assert "| optimal |" in md and "Allotissement optimal prouvé" in md
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_markdown_output(demande: Path) -> None:
    result = runner.invoke(app, ["compare", str(demande), "--strategy", "espece", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Comparaison des allotissements (k = 2 fournisseurs)\n")
    assert "| espece | 3 |" in result.output


def test_table_output(demande: Path) -> None:
    result = runner.invoke(app, ["compare", str(demande), "--strategy", "famille", "--strategy", "optimal"])
    assert result.exit_code == 0, result.output
    assert "Comparaison des allotissements" in result.output
    assert "Allotissement optimal prouvé" in result.output


def test_unknown_strategy_exit_2(demande: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(demande), "--strategy", "inconnue"])
    assert exc.value.code == 2
    assert "Stratégie d'allotissement inconnue : « inconnue »" in capsys.readouterr().err


def test_bad_time_limit_exit_2(demande: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(demande), "--time-limit", "0"])
    assert exc.value.code == 2
    assert "--time-limit" in capsys.readouterr().err


def test_json_and_terminal_say_which_plans_are_the_same_and_recommend_one(
    demande: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = runner.invoke(app, ["compare", str(demande), "--format", "json"])
    conseil = json.loads(result.output)["conseil"]
    assert ["famille-conservation", "capacite", "optimal"] in conseil["identiques"]
    assert conseil["recommandee"] == "famille-conservation"
    code, out, _ = run_cli(
        ["compare", str(demande), "--strategy", "famille-conservation", "--strategy", "capacite"], capsys
    )
    assert code == 0
    assert "Les 2 stratégies donnent le même plan (2 lots)" in " ".join(out.split())
    assert "Stratégie recommandée : famille-conservation" in " ".join(out.split())
