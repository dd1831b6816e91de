"""Hostile inputs other than YAML: workbooks, texts, user templates, lots.json, resources (exit 2, French)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import docx
import openpyxl
import pytest

from lotsmarche.render.dce import _safe
from tests.cli._runner import exit_code, run


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ex") / "ex"
    assert exit_code(["example", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def plan_json(example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "lots.json"
    args = ["--groupement", str(example / "groupement.yaml"), "--sourcing", str(example / "sourcing.csv")]
    assert exit_code(["lots", str(example / "demande.csv"), *args, "--out", str(out)]) == 0
    return out


def _rows(example: Path, count: int) -> list[list[str]]:
    with (example / "demande.csv").open(encoding="utf-8") as f:
        return list(csv.reader(f, delimiter=";"))[:count]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_and_named(
    example: Path, tmp_path: Path, state: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demande"
    for row in _rows(example, 11):
        ws.append(row)
    old = wb.create_sheet("Ancienne")
    old.sheet_state = state
    for row in _rows(example, 11):
        old.append(row)
    path = tmp_path / "d.xlsx"
    wb.save(path)
    code, stdout, stderr = run(
        ["demand", "check", str(path), "--groupement", str(example / "groupement.yaml"), "--format", "json"],
        capsys,
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["lignes"] == 10
    warnings = [w for w in data["avertissements"] if w["code"] == "DEM-008"]
    assert len(warnings) == 1 and "feuille masquée « Ancienne »" in warnings[0]["message"]
    code, stdout, _stderr = run(
        ["demand", "check", str(path), "--sheet", "Ancienne", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(stdout)["lignes"] == 10  # asked for by name: read


def test_control_characters_in_groupement_texts(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (example / "groupement.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("nom:"):
            lines[i] = 'nom: "Groupement\\x0b test\\x01"'
        if line.startswith("reference:"):
            lines[i] = 'reference: "a\\0b"'
    bad = tmp_path / "groupement.yaml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "l.json"
    code, _stdout, stderr = run(
        [
            "lots",
            str(example / "demande.csv"),
            "--groupement",
            str(bad),
            "--sourcing",
            str(example / "sourcing.csv"),
            "--out",
            str(out),
            "--xlsx",
            str(tmp_path / "l.xlsx"),
        ],
        capsys,
    )
    assert code == 0, stderr
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    assert wb["Synthèse"]["B1"].value == "Groupement test"
    code, _stdout, stderr = run(
        [
            "run",
            str(example / "demande.csv"),
            "--groupement",
            str(bad),
            "--sourcing",
            str(example / "sourcing.csv"),
            "--out",
            str(tmp_path / "X"),
        ],
        capsys,
    )
    assert code == 0, stderr
    assert (tmp_path / "X" / "lots.xlsx").is_file()


def test_archive_name_is_transliterated_and_short() -> None:
    assert _safe("Réf-é/ü") == "Ref-e_u"
    assert _safe("../../etc/passwd") == "etc_passwd"
    assert len(_safe("é" * 300)) == 100
    assert _safe("///") == "DCE"


def test_long_reference_with_zip(plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(plan_json.read_text(encoding="utf-8"))
    data["groupement"]["reference"] = "Réf-" + "é" * 300
    plan = tmp_path / "lots.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _stdout, stderr = run(["dce", str(plan), "--out", str(tmp_path / "D"), "--zip"], capsys)
    assert code == 0, stderr
    (archive,) = (tmp_path / "D").glob("*.zip")
    assert archive.name == "DCE_Ref-" + "e" * 96 + ".zip"


def test_dce_given_a_csv_says_so_in_french(
    example: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _stdout, stderr = run(["dce", str(example / "demande.csv"), "--out", str(tmp_path / "D")], capsys)
    assert code == 2
    assert "JSON invalide : valeur attendue" in stderr and "Expecting" not in stderr
    code, _stdout, stderr = run(["dce", str(tmp_path / "absent.json"), "--out", str(tmp_path / "D")], capsys)
    assert code == 2 and "fichier introuvable" in stderr and "Errno" not in stderr
    code, _stdout, stderr = run(["dce", str(tmp_path), "--out", str(tmp_path / "D")], capsys)
    assert code == 2 and "c'est un dossier" in stderr


def _template(folder: Path, name: str, lines: list[str]) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "{{ reference }}"
    for line in lines:
        document.add_paragraph(line)
    folder.mkdir(exist_ok=True)
    document.save(str(folder / name))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{% include '/etc/passwd' %}", "include, import et extends ne sont pas permis"),
        ("{% import 'x.html' as x %}", "include, import et extends ne sont pas permis"),
        ("{% extends 'base' %}", "include, import et extends ne sont pas permis"),
        ("{{ range(10**9) | length }}", "range() de 1000000000 éléments"),
        ("{{ ('a' * 10**10) | length }}", "texte ou liste répété trop long"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "trop d'éléments",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ j.real }}{% endfor %}{% endfor %}",
            "trop d'éléments",
        ),
        ("{{ 1 / 0 }}", "division par zéro"),
        ("{{ 2 ** 100000 }}", "puissance trop grande"),
        ("{{ inconnue }}", "variable inconnue « inconnue »"),
        ("{{ reference.__class__ }}", "accès interdit à l'attribut interne « __class__ »"),
        ("{{ lipsum(10**6) }}", "variable inconnue « lipsum »"),
        ("{{ x ", "contient une balise invalide"),
        ("{% for x in y %}", "contient une balise invalide"),
    ],
)
def test_user_template_crashes_are_render_errors(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str
) -> None:
    folder = tmp_path / "modeles"
    _template(folder, "rc.docx", ["Début", body])
    start = time.monotonic()
    code, _stdout, stderr = run(
        ["dce", str(plan_json), "--out", str(tmp_path / "D"), "--templates", str(folder)], capsys
    )
    assert time.monotonic() - start < 40
    assert code == 2, stderr
    assert expected in stderr, stderr
    assert "rc.docx" in stderr and "Erreur interne" not in stderr
    assert not (tmp_path / "D").exists()
    for english in ("is undefined", "unsafe", "unexpected", "no loader", "Range too big"):
        assert english not in stderr


def test_check_templates_reports_the_same_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "modeles"
    _template(
        folder,
        "rc.docx",
        ["{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"],
    )
    _template(folder, "ccap.docx", ["{% include 'x' %}"])
    code, _stdout, stderr = run(["dce", "--check-templates", "--templates", str(folder)], capsys)
    assert code == 2
    assert "rc.docx" in stderr and "ccap.docx" in stderr and "Erreur interne" not in stderr


def test_memory_error_is_a_french_message(
    example: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lotsmarche.intake.reader as reader

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(reader, "read_source", exhausted)
    code, _stdout, stderr = run(["demand", "check", str(example / "demande.csv")], capsys)
    assert code == 2
    assert "mémoire insuffisante" in stderr and "Rien n'a été écrit" in stderr


def test_null_byte_in_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _stdout, stderr = run(["run", "--out", "a\0b"], capsys)
    assert code == 2
    assert "caractère nul" in stderr and "Value error" not in stderr


def _demand(example: Path, tmp_path: Path, edit: dict[tuple[int, int], str]) -> Path:
    """The example demand with some cells replaced ((row index, column index) → text), as CSV."""
    rows = _rows(example, 10)
    for (r, c), text in edit.items():
        rows[r][c] = text
    path = tmp_path / "demande.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    return path


def _column(example: Path, name: str) -> int:
    return [h.strip().lower() for h in _rows(example, 1)[0]].index(name)


def test_huge_cell_names_row_and_column(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    member = _column(example, "membre")
    path = _demand(example, tmp_path, {(2, member): "M" * 1_000_000})
    code, _stdout, stderr = run(["demand", "check", str(path)], capsys)
    assert code == 2
    header = _rows(example, 1)[0][member].strip()
    assert f"demande.csv, ligne 3, colonne « {header} » : cellule de 1000000 caractères" in stderr
    assert len(stderr) < 3000


def test_absurd_unit_price_and_foreign_digits(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    price = _column(example, "prix_unitaire_ht")
    quantity = _column(example, "quantite")
    path = _demand(example, tmp_path, {(1, price): "999999999999", (2, quantity): "١٢"})
    code, _stdout, stderr = run(["demand", "check", str(path)], capsys)
    assert code == 2
    assert "ligne 2" in stderr and "prix unitaire « 999999999999 » démesuré (plafond 100" in stderr
    assert "ligne 3" in stderr and "chiffres non latins" in stderr


def test_nul_byte_names_the_line(example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _demand(example, tmp_path, {})
    lines = path.read_bytes().split(b"\n")
    lines[6] = lines[6][:3] + b"\x00" + lines[6][3:]
    path.write_bytes(b"\n".join(lines))
    code, _stdout, stderr = run(["demand", "check", str(path)], capsys)
    assert code == 2
    assert "demande.csv, ligne 7 : caractère nul (octet 0)" in stderr
