"""The pieces' checks read each Word document from its XML (render.checks_pieces.read_piece): the same
paragraphs, table cells and highlighted runs as python-docx reads, on every piece of several DCEs."""

from __future__ import annotations

from io import BytesIO

import docx
import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.checks_pieces import Piece, read_piece
from lotsmarche.render.dce import _render_files
from tests.unit._render_factory import make_plan

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def python_docx_piece(path: str, data: bytes) -> Piece:
    """The reading before read_piece parsed the XML itself (python-docx), kept as the reference."""
    document = docx.Document(BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    highlighted = []
    for run in document.element.body.iter(f"{_W}r"):
        if run.find(f"{_W}rPr/{_W}highlight") is not None:
            highlighted.append("".join(t.text or "" for t in run.iter(f"{_W}t")))
    return Piece(path, paragraphs, tables, highlighted)


@pytest.mark.parametrize("brouillon", [False, True])
def test_read_piece_reads_as_python_docx(brouillon: bool) -> None:
    cat = load_catalogue()
    for plan in (plan_lots([])[0], make_plan()):
        files, _findings = _render_files(plan, cat, None, brouillon)
        for path, data in sorted(files.items()):
            if path.endswith(".docx"):
                assert read_piece(path, data) == python_docx_piece(path, data), path


def test_merged_cells_are_repeated_as_python_docx_does() -> None:
    document = docx.Document()
    document.add_paragraph("avant\tune tabulation")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(1, 2).merge(table.cell(2, 2))
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}-{c}\nsuite" if c == 2 else f"{r}-{c}"
    run = document.add_paragraph().add_run("surligné")
    from docx.enum.text import WD_COLOR_INDEX

    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    buffer = BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    assert read_piece("x.docx", data) == python_docx_piece("x.docx", data)
    assert read_piece("x.docx", data).highlighted == ["surligné"]
