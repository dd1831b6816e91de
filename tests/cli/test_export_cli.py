"""`lotsmarche export decp | ocds` end to end: files written, French errors, exit codes, no overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lotsmarche.export.schemas import validate_decp_document, validate_ocds_package
from tests.cli._runner import run

AWARD = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "attribution.csv"


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lotsmarche.lotsjson import plan_to_json
    from lotsmarche.pipeline import plan_lots

    path = tmp_path_factory.mktemp("plan") / "lots.json"
    path.write_text(plan_to_json(plan_lots([])[0]), encoding="utf-8")
    return path


def test_export_decp_before_and_after_award(plan_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "DECP"
    code, stdout, _ = run(["export", "decp", str(plan_file), "--out", str(out)], capsys)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["champs_manquants.md", "decp_prerempli.json"]
    assert "0/6 lot(s) complet(s)" in stdout and "titulaires" in stdout
    code, _, err = run(["export", "decp", str(plan_file), "--out", str(out)], capsys)
    assert code == 2 and "--force" in err
    code, stdout, _ = run(
        ["export", "decp", str(plan_file), "--attribution", str(AWARD), "--out", str(out), "--force"], capsys
    )
    assert code == 0, stdout
    assert sorted(p.name for p in out.iterdir()) == ["champs_manquants.md", "decp.json"]
    document = json.loads((out / "decp.json").read_text(encoding="utf-8"))
    assert validate_decp_document(document) == []
    assert len(document["marches"]["marche"]) == 6


def test_export_decp_bad_award_file_exits_2_and_writes_nothing(
    plan_file: Path, tmp_path: Path, capsys
) -> None:
    bad = tmp_path / "attribution.csv"
    bad.write_text("lot;offres_recues\n7;beaucoup\n", encoding="utf-8")
    out = tmp_path / "DECP"
    code, _, err = run(
        ["export", "decp", str(plan_file), "--attribution", str(bad), "--out", str(out)], capsys
    )
    assert code == 2
    assert "attribution.csv, ligne 2, colonne « lot » : numéro de lot inconnu du plan" in err
    assert not out.exists()


def test_export_ocds_writes_a_valid_package_once(plan_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "release.json"
    code, stdout, _ = run(["export", "ocds", str(plan_file), "--out", str(out)], capsys)
    assert code == 0 and "6 lot(s)" in stdout
    first = out.read_bytes()
    assert validate_ocds_package(json.loads(first)) == []
    code, _, err = run(["export", "ocds", str(plan_file), "--out", str(out)], capsys)
    assert code == 2 and "existe déjà" in err
    code, _, _ = run(["export", "ocds", str(plan_file), "--out", str(out), "--force"], capsys)
    assert code == 0 and out.read_bytes() == first
    code, _, err = run(
        ["export", "ocds", str(plan_file), "--out", str(tmp_path / "x.json"), "--prefixe-ocid", "abc"], capsys
    )
    assert code == 2 and "Préfixe OCID invalide" in err


def test_export_help_is_french_with_an_example(capsys) -> None:
    for command in ("decp", "ocds"):
        code, stdout, _ = run(["export", command, "--help"], capsys)
        assert code == 0
        assert f"lotsmarche export {command} lots.json" in stdout


def test_an_output_folder_holding_the_plan_is_refused(plan_file: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "travail"
    folder.mkdir()
    inside = folder / "lots.json"
    inside.write_bytes(plan_file.read_bytes())
    code, _, err = run(["export", "decp", str(inside), "--out", str(folder), "--force"], capsys)
    assert code == 2 and inside.is_file() and "sortie" in err
