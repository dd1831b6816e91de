"""`lotsmarche example --out DIR [--force]`."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotsmarche.example import EXAMPLE_FILES, example_source_dir
from tests.cli._runner import exit_code


def test_example_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "exemple"
    assert exit_code(["example", "--out", str(out)]) == 0
    for name in EXAMPLE_FILES:
        assert (out / name).read_bytes() == (example_source_dir() / name).read_bytes()
    stdout = capsys.readouterr().out
    assert f"Exemple écrit dans {out} :" in stdout
    for name in EXAMPLE_FILES:
        assert f"  {name}" in stdout
    assert f"lotsmarche run {out / 'demande.csv'} --groupement {out / 'groupement.yaml'}" in stdout


def test_example_refuses_to_overwrite_then_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "groupement.yaml").write_text("nom: le mien\n", encoding="utf-8")
    assert exit_code(["example", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Erreur : Des fichiers de l'exemple existent déjà dans le dossier de sortie" in err
    assert "groupement.yaml" in err and "--force" in err
    assert (tmp_path / "groupement.yaml").read_text(encoding="utf-8") == "nom: le mien\n"
    assert not (tmp_path / "demande.csv").exists()

    assert exit_code(["example", "--out", str(tmp_path), "--force"]) == 0
    expected = (example_source_dir() / "groupement.yaml").read_bytes()
    assert (tmp_path / "groupement.yaml").read_bytes() == expected


def test_example_requires_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["example"]) == 2
    assert "--out" in capsys.readouterr().err


def test_example_has_french_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["example", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Écrire l'exemple intégré" in out
    assert "--force" in out
