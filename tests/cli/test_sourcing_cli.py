"""`lotsmarche sourcing template | check | merge` and `--sourcing` with several files, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.cli._runner import run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "boulonnais"


def _questionnaire(tmp_path: Path, capsys, name: str = "q.xlsx") -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    code, _out, err = run(
        ["sourcing", "template", "--out", str(out), "--famille", "produits_de_la_mer"], capsys
    )
    assert code == 0, err
    return out


def _fill(path: Path, nom: str, volume: object = 40) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["Fournisseur"]
    ws["B5"] = nom
    products = wb["Produits"]
    row = next(r for r in range(5, products.max_row + 1) if products.cell(r, 1).value == "MER-HARENG-FUME-RE")
    for j in range(6, 18):
        products.cell(row, j).value = volume
    zones = wb["Zones"]
    zones["C5"] = "oui"  # Toutes les zones
    wb.save(path)
    return path


def test_template_check_merge_exit_codes(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    q = _fill(_questionnaire(tmp_path, capsys), "Fumaison du port")
    code, out, err = run(["sourcing", "check", str(q), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert [s["nom"] for s in data["fournisseurs"]] == ["Fumaison du port"]
    assert data["fournisseurs"][0]["volumes_mensuels"]["MER-HARENG-FUME-RE"] == ["40"] * 12
    merged = tmp_path / "sourcing.csv"
    code, out, err = run(["sourcing", "merge", str(q), "--out", str(merged)], capsys)
    assert code == 0, err
    assert "Sourçage fusionné écrit" in out and merged.is_file()
    code, _out, err = run(["sourcing", "merge", str(q), "--out", str(merged)], capsys)
    assert code == 2 and "existe déjà" in err
    code, _out, err = run(["sourcing", "merge", str(merged), "--out", str(merged), "--force"], capsys)
    assert code == 2 and merged.is_file()


def test_bad_answers_exit_2_nothing_written(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    q = _fill(_questionnaire(tmp_path, capsys), "Fumaison du port", volume="beaucoup")
    out = tmp_path / "sourcing.csv"
    code, stdout, err = run(["sourcing", "merge", str(q), "--out", str(out)], capsys)
    assert code == 2 and not out.exists() and stdout == ""
    assert err.splitlines()[0] == "Erreur : Fichier de sourçage invalide"
    assert "q.xlsx, feuille « Produits », ligne" in err and "colonne « Janvier »" in err
    assert "Traceback" not in err


def test_lots_accepts_several_sourcing_files(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    a = _fill(_questionnaire(tmp_path, capsys, "a.xlsx"), "Fumaison A")
    b = _fill(_questionnaire(tmp_path, capsys, "b.xlsx"), "Fumaison B")
    out = tmp_path / "lots.json"
    args = ["lots", str(EXAMPLE / "demande.csv"), "--groupement", str(EXAMPLE / "groupement.yaml")]
    code, _out, err = run([*args, "--sourcing", str(a), "--sourcing", str(b), "--out", str(out)], capsys)
    assert code in (0, 1), err
    plan = json.loads(out.read_text(encoding="utf-8"))
    smoked = [lot for lot in plan["lots"] if "réfrigérés" in lot["intitule"]]
    assert smoked and all(
        set(lot["fournisseurs_capables"]) <= {"Fumaison A", "Fumaison B"} for lot in plan["lots"]
    )
