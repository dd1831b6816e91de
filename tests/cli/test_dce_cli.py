"""`lotsmarche dce`: exit codes, listing, refusal to overwrite, compliance refusal, template check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lotsmarche.lotsjson import plan_to_json
from lotsmarche.models import Finding
from tests.cli._runner import exit_code
from tests.unit._render_factory import make_plan


@pytest.fixture
def lots_json(tmp_path: Path) -> Path:
    path = tmp_path / "lots.json"
    path.write_text(plan_to_json(make_plan()), encoding="utf-8")
    return path


def test_dce_writes_folder_and_lists_files(
    tmp_path: Path, lots_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "DCE"
    assert exit_code(["dce", str(lots_json), "--out", str(out), "--zip"]) == 0
    printed = capsys.readouterr().out
    assert f"DCE écrit dans {out} :" in printed
    assert "AE/Lot_02_AE.docx" in printed and "DCE_GC-2026-01.zip" in printed
    assert (out / "BPU_DQE/Lot_01_BPU_DQE.xlsx").is_file()
    assert exit_code(["dce", str(lots_json), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert exit_code(["dce", str(lots_json), "--out", str(out), "--force", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["chemin"] for f in data["fichiers"]][:3] == ["00_RC.docx", "01_CCAP.docx", "02_CCTP.docx"]


def test_dce_refuses_plan_with_errors_unless_brouillon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = make_plan(
        findings=[
            Finding(
                code="SEU-001", severite="erreur", message="Maximum absent.", base_legale="CCP, art. R2162-4"
            )
        ]
    )
    path = tmp_path / "lots.json"
    path.write_text(plan_to_json(plan), encoding="utf-8")
    # exit 2 (issue 10): the plan cannot give a final DCE as it is; the message says how to go on
    assert exit_code(["dce", str(path), "--out", str(tmp_path / "DCE")]) == 2
    err = capsys.readouterr().err
    assert "erreur(s) de conformité" in err and "SEU-001 (plan) : Maximum absent." in err
    assert "--brouillon" in err and "--strategy" in err
    assert not (tmp_path / "DCE").exists()
    assert exit_code(["dce", str(path), "--out", str(tmp_path / "DCE"), "--brouillon"]) == 0
    assert "(projet de travail)" in capsys.readouterr().out


def test_dce_bad_plan_and_missing_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "lots.json"
    bad.write_text("{pas du json", encoding="utf-8")
    assert exit_code(["dce", str(bad), "--out", str(tmp_path / "DCE")]) == 2
    assert "lots.json" in capsys.readouterr().err
    assert exit_code(["dce"]) == 2
    assert not (tmp_path / "DCE").exists()


def test_check_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    assert exit_code(["dce", "--check-templates"]) == 0
    assert "Modèles conformes" in capsys.readouterr().out
    folder = tmp_path / "modeles"
    folder.mkdir()
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "{{ reference }}"
    document.add_paragraph("{{ montant_total }}")
    document.save(str(folder / "rc.docx"))
    assert exit_code(["dce", "--check-templates", "--templates", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "rc.docx : variable inconnue « montant_total »" in err
