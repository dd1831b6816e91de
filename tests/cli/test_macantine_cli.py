"""`lotsmarche macantine template | check` end to end."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.macantine.codes import validate_import_row
from tests.cli._runner import run


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lotsmarche.lotsjson import plan_to_json
    from lotsmarche.pipeline import plan_lots

    path = tmp_path_factory.mktemp("plan") / "lots.json"
    path.write_text(plan_to_json(plan_lots([])[0]), encoding="utf-8")
    return path


def test_template_then_check_writes_imports_table_and_chart(plan_file: Path, tmp_path: Path, capsys) -> None:
    releve = tmp_path / "releve.xlsx"
    code, stdout, _ = run(
        ["macantine", "template", str(plan_file), "--lot", "6", "--out", str(releve)], capsys
    )
    assert code == 0 and releve.is_file(), stdout
    code, _, err = run(["macantine", "template", str(plan_file), "--lot", "6", "--out", str(releve)], capsys)
    assert code == 2 and "--force" in err
    code, _, err = run(
        ["macantine", "template", str(plan_file), "--lot", "9", "--out", str(tmp_path / "x.xlsx")], capsys
    )
    assert code == 2 and "le plan n'a pas de lot 9" in err
    wb = openpyxl.load_workbook(releve)
    siret = wb["Sites"]["C2"].value
    code_produit = wb["Produits"]["A2"].value
    ws = wb["Relevé"]
    ws["A5"], ws["B5"], ws["C5"], ws["G5"], ws["I5"] = (
        date(2027, 3, 1),
        siret,
        code_produit,
        "PECHE_DURABLE",
        99.9,
    )
    wb.save(releve)
    out = tmp_path / "import"
    code, stdout, err = run(
        ["macantine", "check", str(releve), "--plan", str(plan_file), "--out", str(out)], capsys
    )
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "controle.md",
        f"import_ma-cantine_{siret}.csv",
        "parts_egalim.md",
        "parts_egalim.png",
        "parts_egalim.xlsx",
    ]
    (row,) = csv.DictReader(io.StringIO((out / f"import_ma-cantine_{siret}.csv").read_text(encoding="utf-8")))
    assert validate_import_row(row) == [] and row["prix_ht"] == "99.90"
    assert "1 ligne(s)" in stdout


def test_check_bad_statement_exits_2_and_writes_nothing(plan_file: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "achats.csv"
    bad.write_text(
        "siret;description;date;prix_ht;famille_produits\n123;Filet;2027-01-01;12;PRODUITS_DE_LA_MER\n"
    )
    out = tmp_path / "import"
    code, _, err = run(
        ["macantine", "check", str(bad), "--plan", str(plan_file), "--lot", "3", "--out", str(out)], capsys
    )
    assert code == 2
    assert "achats.csv, ligne 2, colonne « siret » : SIRET de 14 chiffres attendu" in err
    assert not out.exists()
    code, _, err = run(["macantine", "check", str(bad), "--plan", str(plan_file), "--out", str(out)], capsys)
    assert code == 2 and "--lot" in err
