"""`lotsmarche lots` end to end on the bundled example: outputs, formats, exit codes, bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.cli import main
from lotsmarche.lotsjson import plan_from_json


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_example_writes_json_and_xlsx_and_prints_the_table(tmp_path: Path, capsys) -> None:
    out, xlsx = tmp_path / "lots.json", tmp_path / "lots.xlsx"
    code, stdout, _ = run(["lots", "--out", str(out), "--xlsx", str(xlsx), "--strategy", "espece"], capsys)
    assert code in (0, 1)  # 1 only if the compliance rules report an error finding
    plan = plan_from_json(out.read_text(encoding="utf-8"), "lots.json")
    assert plan.strategie == "espece"
    assert xlsx.stat().st_size > 0
    assert "Procédure d'ensemble : Appel d'offres ouvert" in stdout
    assert plan.lots[0].intitule.split()[0] in stdout  # the table wraps long titles
    assert "Montant annuel" in stdout
    # refuse to overwrite, nothing changed
    before = out.read_bytes()
    code, _, err = run(["lots", "--out", str(out), "--strategy", "famille"], capsys)
    assert code == 2
    assert "--force" in err
    assert out.read_bytes() == before
    code, _, _ = run(["lots", "--out", str(out), "--strategy", "famille", "--force"], capsys)
    assert code in (0, 1)
    assert plan_from_json(out.read_text(encoding="utf-8"), "lots.json").strategie == "famille"


def test_json_format_prints_the_plan_and_overrides_apply(tmp_path: Path, capsys) -> None:
    out = tmp_path / "lots.json"
    args = [
        "lots",
        "--out",
        str(out),
        "--format",
        "json",
        "--date-lancement",
        "2026-03-31",
        "--duree-mois",
        "24",
    ]
    code, stdout, _ = run(args, capsys)
    assert code in (0, 1)
    data = json.loads(stdout)
    assert data == json.loads(out.read_text(encoding="utf-8"))
    assert data["date_lancement"] == "2026-03-31"
    assert data["duree_mois"] == 24
    assert data["seuils"]["dispense"]["montant"] == "40000"


def test_markdown_format(tmp_path: Path, capsys) -> None:
    code, stdout, _ = run(["lots", "--out", str(tmp_path / "l.json"), "--format", "markdown"], capsys)
    assert code in (0, 1)
    assert stdout.startswith("# Plan d'allotissement — stratégie « capacite »")
    assert "| N° | Intitulé | Montant maximum HT | Procédure | Fournisseurs capables |" in stdout
    assert "## Indicateurs" in stdout


def test_table_shows_the_comparison_metrics_of_the_plan(tmp_path: Path, capsys) -> None:
    from lotsmarche.compare import plan_metrics

    out = tmp_path / "l.json"
    code, stdout, _ = run(["lots", "--out", str(out), "--strategy", "capacite"], capsys)
    assert code in (0, 1)
    plan = plan_from_json(out.read_text(encoding="utf-8"), "l.json")
    m = plan_metrics(plan, 2)
    # the bundled example with `capacite`: 6 lots, each servable by 2 suppliers of its sourcing at least
    assert (m.nb_lots, m.nb_lots_servables_k, m.fournisseurs_min) == (6, 6, 2)
    nbsp, thin = "\u00a0", "\u202f"
    expected = [
        f"- Lots servables par au moins 2 fournisseurs du sourçage : 6 sur 6, soit 100{nbsp}% de la valeur "
        "maximale totale.",
        "- Fournisseurs capables par lot : 2,17 en moyenne, 2 au minimum.",
        "- Lots relevant de la dérogation des petits lots (art. R2123-1 2° et R2122-8) : 0, soit "
        f"0{nbsp}% de la valeur maximale totale (plafond 20{nbsp}%).",
        f"- Coût de gestion estimé : 9{thin}000,00{nbsp}€ (6 lots à 1{thin}500,00{nbsp}€).",
        f"- EGALIM projetée : 7,38{nbsp}% de produits durables et de qualité, dont 3,03{nbsp}% de bio ; "
        f"viandes et produits de la pêche : 7,38{nbsp}%.",
    ]
    assert (m.part_valeur_servable_k, m.fournisseurs_moyen, m.part_petits_lots) == (
        Decimal("1"),
        Decimal("2.17"),
        Decimal("0"),
    )
    lines = stdout.splitlines()
    assert "Indicateurs :" in lines
    for line in expected:
        assert line in lines
    # json stays the plan itself, ready for `check` and `dce`
    code, stdout, _ = run(["lots", "--out", str(out), "--force", "--format", "json"], capsys)
    assert "Indicateurs" not in stdout
    assert json.loads(stdout) == json.loads(out.read_text(encoding="utf-8"))


def test_optimal_with_time_limit_carries_the_solver_findings(tmp_path: Path, capsys) -> None:
    out = tmp_path / "l.json"
    args = ["lots", "--out", str(out), "--strategy", "optimal", "--time-limit", "30", "--format", "json"]
    code, stdout, _ = run(args, capsys)
    assert code in (0, 1)
    codes = [f["code"] for f in json.loads(stdout)["findings"]]
    assert codes.count("OPT-001") == 1  # the example is solved to optimality well within 30 s
    assert "OPT-002" not in codes  # two suppliers of the example sourcing can serve every demand line
    code, _, err = run(["lots", "--out", str(out), "--force", "--time-limit", "0"], capsys)
    assert code == 2
    assert "--time-limit doit être un nombre de secondes positif" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--strategy", "au-hasard"], "Stratégie d'allotissement inconnue : « au-hasard »"),
        (["--duree-mois", "60"], "48 mois"),
        (["--date-lancement", "2019-01-01"], "aucune ligne de seuils ne couvre le 2019-01-01"),
        (["--date-lancement", "01/09/2026"], "n'est pas une date au format AAAA-MM-JJ"),
        (["--sans-allotissement"], "exige --justification"),
        (
            ["--sans-allotissement", "--justification", "Coordination impossible."],
            "Non-allotissement impossible",
        ),
        (["--strategy", "famille", "--plan", "plan.yaml"], "s'excluent"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(args: list[str], expected: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "lots.json"
    code, _, err = run(["lots", "--out", str(out), "--xlsx", str(tmp_path / "lots.xlsx"), *args], capsys)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_bad_plan_and_bad_sourcing_exit_2(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("lots:\n  - intitule: X\n    produits: [MER-LICORNE]\n", encoding="utf-8")
    out = tmp_path / "lots.json"
    code, _, err = run(["lots", "--out", str(out), "--plan", str(plan)], capsys)
    assert code == 2
    assert "plan.yaml : lot 1 du plan, clé « produits » : valeur « MER-LICORNE » inconnue" in err
    sourcing = tmp_path / "sourcing.csv"
    sourcing.write_text(
        "fournisseur;type;familles;zones;capacite_annuelle_ht\nX;mareyeur;poissons_volants;Atlantide;-5\n",
        encoding="utf-8",
    )
    code, _, err = run(["lots", "--out", str(out), "--sourcing", str(sourcing)], capsys)
    assert code == 2
    assert not out.exists()
