"""Real engine: the statement template, the EGALIM shares workbook and the notice open in LibreOffice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.macantine.check import read_statement
from lotsmarche.macantine.report import TABLE_XLSX, check_outputs
from lotsmarche.macantine.template import HEADER_ROW, lot_sites, statement_workbook
from lotsmarche.render.context import build_contexts
from lotsmarche.render.notice import notice_docx
from tests.unit._render_helpers import SOFFICE, pdf_text, soffice_convert

pytestmark = [pytest.mark.soffice, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")]


def test_statement_shares_and_notice_convert_with_libreoffice(tmp_path: Path, catalogue) -> None:
    from lotsmarche.pipeline import plan_lots

    plan = plan_lots([])[0]
    lot = next(lot for lot in plan.lots if lot.numero == 3)
    template = tmp_path / "releve.xlsx"
    template.write_bytes(statement_workbook(plan, 3))
    wb = openpyxl.load_workbook(io.BytesIO(template.read_bytes()))
    ws = wb["Relevé"]
    siret = next(s.siret for s in lot_sites(plan, lot) if s.siret)
    ws[f"A{HEADER_ROW + 1}"], ws[f"B{HEADER_ROW + 1}"] = date(2027, 1, 5), siret
    ws[f"C{HEADER_ROW + 1}"], ws[f"I{HEADER_ROW + 1}"] = "MER-HARENG-FILET-FR", 321.5
    filled = tmp_path / "releve_rempli.xlsx"
    wb.save(filled)
    shares = tmp_path / TABLE_XLSX
    shares.write_bytes(check_outputs(read_statement(filled, catalogue, plan), catalogue, plan)[TABLE_XLSX])
    notice = tmp_path / "avis_de_marche.docx"
    notice.write_bytes(notice_docx(plan, build_contexts(plan, catalogue)[1]))
    pdfdir = tmp_path / "pdf"
    pdfdir.mkdir()
    sources = [template, filled, shares, notice]
    pdfs = soffice_convert(sources, pdfdir)
    texts = {s.name: " ".join(pdf_text(p).split()) for s, p in zip(sources, pdfs, strict=True)}
    assert "Relevé annuel des achats — lot n° 3" in texts["releve.xlsx"]
    assert siret in texts["parts_egalim.xlsx"]
    assert "BT-271" in texts["avis_de_marche.docx"] and lot.intitule in texts["avis_de_marche.docx"]
    # LibreOffice computes the lookup formulas of the filled statement: the designation appears
    assert "Filet de hareng frais" in texts["releve_rempli.xlsx"]
    # and recalculated values round-trip: convert the filled statement to xlsx and read the family back
    (xlsx,) = soffice_convert([filled], tmp_path / "recalc", target="xlsx")
    recalculated = openpyxl.load_workbook(xlsx, data_only=True)["Relevé"]
    assert recalculated[f"E{HEADER_ROW + 1}"].value == "PRODUITS_DE_LA_MER"
