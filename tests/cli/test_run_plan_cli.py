"""`run` on the bundled example: the default plan gives a DCE; `--strategy famille` (a lot fewer than k
suppliers can serve) is refused with exit 2 and a French message naming the lots and how to go on, and
`--brouillon` gives a draft marked « PROJET » on every page."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from lotsmarche.render.docx import BROUILLON
from tests.cli._runner import run
from tests.unit._render_helpers import docx_lines


def test_default_run_gives_a_final_dce_with_no_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["run", "--out", str(tmp_path / "dce")], capsys)
    assert code == 0
    assert "Contrôles : 0 erreur(s), 0 avertissement(s)" in out
    report = (tmp_path / "dce/controle.md").read_text(encoding="utf-8")
    assert "| erreur |" not in report and "| avertissement |" not in report
    for path in (tmp_path / "dce/DCE").rglob("*.docx"):
        assert BROUILLON not in docx_lines(path), path


def test_famille_is_refused_with_exit_2_then_drafted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["run", "--strategy", "famille", "--out", str(tmp_path / "f")], capsys)
    assert code == 2
    assert "le DCE n'est pas généré" in err and "(lot 1)" in err
    assert "--brouillon" in err and "--strategy" in err
    assert "LOT-001 (lot 1)" in err
    assert not (tmp_path / "f/DCE").exists()
    assert (tmp_path / "f/lots.json").is_file() and (tmp_path / "f/controle.md").is_file()
    code, out, _ = run(["run", "--strategy", "famille", "--brouillon", "--out", str(tmp_path / "b")], capsys)
    assert code == 0
    assert "DCE (projet)" in out
    docs = sorted((tmp_path / "b/DCE").rglob("*.docx"))
    assert docs
    for path in docs:
        assert BROUILLON in docx_lines(path), path
    for path in sorted((tmp_path / "b/DCE").rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        assert all(ws.oddHeader.center.text == BROUILLON for ws in wb.worksheets), path
