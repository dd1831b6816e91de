"""Cell writing shared by the workbooks lotsmarche writes: BPU/DQE, recensement.xlsx, comparaison.xlsx.

Data is never code: a text that starts with ``=``, ``+``, ``-`` or ``@`` (a product or a member called
``=SUM(A1)``) is stored as a string, never as a formula. A workbook is saved with our document properties
and fixed zip dates, so the same data gives the same bytes. openpyxl is imported inside the functions:
importing this module costs nothing to the commands that write no workbook.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from lotsmarche.text import clean_text
from lotsmarche.ziputil import core_xml, read_zip, write_zip

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    from lotsmarche.errors import RenderError

# A spreadsheet may read a cell starting with these as a formula (OWASP "CSV injection" list; "\r" is
# stored as "\n" once cleaned).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_MAX_CHARS = 32767  # what one cell holds; openpyxl would cut a longer text without a word
EURO = '#,##0.00 "€"'
FONT = "Calibri"  # named on every styled font, or LibreOffice falls back on a serif


def put_text(cell: Cell, value: str) -> None:
    """Store ``value`` as a string whatever its first character, without characters XML forbids.

    A text longer than a cell holds is refused (RenderError naming sheet and cell), never cut silently.
    """
    text = clean_text(value)
    if len(text) > EXCEL_MAX_CHARS:
        raise too_long(cell.coordinate, cell.parent.title, text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START) or value.startswith(FORMULA_START):
        cell.quotePrefix = True  # keeps it text if a user edits the cell in Excel


def too_long(coordinate: str, sheet: str, text: str) -> RenderError:
    """The error refusing a text longer than a cell holds (never cut silently), naming sheet and cell."""
    from lotsmarche.errors import Problem, RenderError

    return RenderError(
        "Texte trop long pour une cellule de classeur : rien n'a été écrit",
        [
            Problem(
                f"cellule {coordinate} : {len(text)} caractères, au-delà des {EXCEL_MAX_CHARS} "
                f"qu'une cellule peut contenir (début : « {' '.join(text[:40].split())}… ») ; "
                "raccourcissez la donnée",
                feuille=sheet,
            )
        ],
    )


def bold(size: float | None = None) -> Font:
    from openpyxl.styles import Font

    return Font(name=FONT, bold=True, size=size)


def header_cell(cell: Cell, title: str) -> None:
    """A column title: literal text, bold, wrapped, aligned on the top of the row."""
    from openpyxl.styles import Alignment

    put_text(cell, title)
    cell.font = bold()
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def non_negative_rule(error_title: str, error: str) -> DataValidation:
    """Input rule of the cells a user types a number in: a number ≥ 0 or nothing; ``error`` otherwise."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=error_title,
        error=error,
    )


def protect_structure(ws: Worksheet) -> None:
    """Lock the sheet except the cells marked unlocked; columns may still be resized."""
    ws.protection.sheet = True  # no password: it guards the structure against slips, not a secret
    ws.protection.formatColumns = False


def workbook_bytes(wb: Workbook, title: str, subject: str = "") -> bytes:
    """The saved workbook with our document properties and fixed dates: same workbook, same bytes."""
    buffer = BytesIO()
    wb.save(buffer)
    entries = read_zip(buffer.getvalue())
    entries["docProps/core.xml"] = core_xml(clean_text(title), clean_text(subject))
    return write_zip(entries)
