"""Real engine: every generated .docx and .xlsx converts with LibreOffice headless; the PDFs show the lots."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.render import render_dce
from lotsmarche.render.filters import montant
from tests.unit._render_factory import make_plan
from tests.unit._render_helpers import SOFFICE, pdf_text, soffice_convert

pytestmark = [pytest.mark.soffice, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")]


def _flat(text: str) -> str:
    """pdftotext keeps U+202F / U+00A0 or turns them into spaces depending on fonts: compare on spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_every_document_converts_and_shows_lot_titles_and_amounts(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    plan = make_plan()
    out = tmp_path / "DCE"
    render_dce(plan, catalogue, out, brouillon=True)
    sources = sorted(p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx"))
    pdfdir = tmp_path / "pdf"
    pdfdir.mkdir()
    pdfs = dict(zip([s.name for s in sources], soffice_convert(sources, pdfdir), strict=True))
    for name, pdf in pdfs.items():
        assert pdf.is_file() and pdf.stat().st_size > 1000, name
    texts = {name: _flat(pdf_text(pdf)) for name, pdf in pdfs.items()}
    for lot in plan.lots:
        maximum = _flat(montant(lot.montant_maximum_ht))
        for name in ("00_RC.docx", "01_CCAP.docx", f"Lot_{lot.numero:02d}_AE.docx"):
            assert lot.intitule in texts[name], name
            assert maximum in texts[name], name
        assert f"Lot {lot.numero} — {lot.intitule}" in texts["02_CCTP.docx"]
        assert lot.intitule in texts[f"Lot_{lot.numero:02d}_BPU_DQE.xlsx"]
    # Number formats are locale-neutral codes: LibreOffice shows them with the separators of its locale.
    assert any(v in texts["Lot_01_BPU_DQE.xlsx"] for v in ("155 623,20 €", "155,623.20 €"))
    assert "PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ" in texts["00_RC.docx"]
    assert "Page 1 / 4" in texts["00_RC.docx"] or "Page 1 / 5" in texts["00_RC.docx"]
