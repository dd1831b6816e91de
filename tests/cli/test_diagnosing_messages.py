"""Messages that diagnose: the message names the real cause, not a symptom per row."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from tests.cli._runner import exit_code, run


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ex") / "ex"
    assert exit_code(["example", "--out", str(folder)]) == 0
    return folder


def test_password_protected_workbook_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    wb = openpyxl.Workbook()
    wb.active.append(["membre", "produit", "quantite"])
    plain = io.BytesIO()
    wb.save(plain)
    plain.seek(0)
    encrypted = io.BytesIO()
    msoffcrypto.OfficeFile(plain).encrypt("secret", encrypted)
    path = tmp_path / "recensement.xlsx"
    path.write_bytes(encrypted.getvalue())
    code, _stdout, stderr = run(["demand", "check", str(path)], capsys)
    assert code == 2
    assert "recensement.xlsx : classeur protégé par un mot de passe" in stderr
    assert "97-2003" not in stderr
    old = tmp_path / "ancien.xls"  # a real .xls (compound file without encrypted package) keeps its message
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    code, _stdout, stderr = run(["demand", "check", str(old)], capsys)
    assert code == 2 and "97-2003" in stderr


def _survey(example: Path, tmp_path: Path) -> Path:
    out = tmp_path / "recensement.xlsx"
    assert (
        exit_code(["demand", "template", "--out", str(out), "--groupement", str(example / "groupement.yaml")])
        == 0
    )
    return out


def test_renamed_member_header_is_one_message(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _survey(example, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Recensement"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Code")
    members = [c.value for c in ws[header_row] if c.column > 7 and c.value]
    original = members[1]
    column = 9
    assert ws.cell(header_row, column).value == original
    ws.cell(header_row, column).value = f"{original} (cantine)"
    for r in range(header_row + 1, header_row + 30):
        ws.cell(r, column).value = 10
        ws.cell(r, column + 1).value = 5
    wb.save(path)
    code, _stdout, stderr = run(["demand", "check", str(path)], capsys)
    assert code == 2
    lines = [line for line in stderr.splitlines() if line.startswith("  - ")]
    assert len(lines) == 1, stderr
    assert f"colonne « {original} (cantine) »" in lines[0]
    assert "ne correspond à aucun membre de la feuille « Membres »" in lines[0]
    assert f"vouliez-vous dire « {original} » ?" in lines[0]
    assert "code postal manquant" not in stderr


def test_near_miss_header_suggests_the_expected_one(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (example / "demande.csv").read_text(encoding="utf-8")
    bad = tmp_path / "demande.csv"
    bad.write_text(text.replace(";produit;", ";produits;", 1), encoding="utf-8")
    code, _stdout, stderr = run(["demand", "check", str(bad)], capsys)
    assert code == 2
    assert "« produits » ressemble à « produit » : corrigez l'en-tête" in stderr
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [line.split(";") for line in text.replace(";quantite;", ";quantitée;", 1).splitlines()[:5]]:
        ws.append(row)
    xlsx = tmp_path / "demande.xlsx"
    wb.save(xlsx)
    code, _stdout, stderr = run(["demand", "check", str(xlsx)], capsys)
    assert code == 2
    assert "« quantitée » ressemble à « quantite »" in stderr


def test_an_option_is_never_called_a_column(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _stdout, stderr = run(
        [
            "lots",
            str(example / "demande.csv"),
            "--date-lancement",
            "02/11/2026",
            "--out",
            str(tmp_path / "l.json"),
        ],
        capsys,
    )
    assert code == 2
    assert "option « --date-lancement » : « 02/11/2026 » n'est pas une date" in stderr
    assert "colonne" not in stderr
