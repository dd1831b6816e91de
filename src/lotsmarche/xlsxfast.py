"""Fast workbooks on XlsxWriter: literal text cells, formulas, cell styles by value, byte-stable output.

The same rules as :mod:`lotsmarche.xlsxutil` (openpyxl), for the workbooks written many times per command
(one BPU/DQE per lot): data is never code (a text starting with ``=``, ``+``, ``-`` or ``@`` is stored as a
string and quote-prefixed), a text longer than a cell holds is refused, never cut, and the document
properties and zip dates are fixed, so the same data gives the same bytes.

Rows and columns are counted from 1, as in openpyxl and in the sheets a user reads. A style is a mapping of
XlsxWriter format properties; each distinct style becomes one format of the workbook. Column widths are
given in characters and written exactly (XlsxWriter stores pixels: 7 per character of Calibri 11).
XlsxWriter is imported inside :class:`Book`: importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from lotsmarche.text import clean_text
from lotsmarche.xlsxutil import EXCEL_MAX_CHARS, FORMULA_START, too_long
from lotsmarche.ziputil import core_xml, read_zip, write_zip

Style = Mapping[str, Any]
NO_STYLE: Style = {}
_PIXELS_PER_CHAR = 7  # maximum digit width of Calibri 11 in pixels: XlsxWriter's unit of column width
HEADER_MAX = 255  # characters Excel keeps in a page header or footer


def cell_name(row: int, col: int) -> str:
    """``A1`` name of a cell (1-based row and column)."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


class Sheet:
    """One worksheet of a :class:`Book`."""

    def __init__(self, book: Book, ws: Any, title: str) -> None:
        self._book = book
        self._ws = ws
        self.title = title

    def text(self, row: int, col: int, value: str, style: Style = NO_STYLE) -> None:
        """A literal string, whatever its first character, without the characters XML forbids."""
        text = clean_text(value)
        if len(text) > EXCEL_MAX_CHARS:
            raise too_long(cell_name(row, col), self.title, text)
        quote = text.startswith(FORMULA_START) or value.startswith(FORMULA_START)
        fmt = self._book.format(style, quote)
        if text:
            self._ws.write_string(row - 1, col - 1, text, fmt)
        elif fmt is not None:
            self._ws.write_blank(row - 1, col - 1, None, fmt)

    def number(self, row: int, col: int, value: Decimal | float, style: Style = NO_STYLE) -> None:
        """A number, written as openpyxl writes it (``%.16g`` of the float)."""
        self._ws.write_number(row - 1, col - 1, float(value), self._book.format(style))

    def formula(self, row: int, col: int, formula: str, style: Style = NO_STYLE) -> None:
        """A formula in en-US syntax (``=SUM(A1:A3)``), with no cached value: computed on opening."""
        self._ws.write_formula(row - 1, col - 1, formula, self._book.format(style), "")

    def blank(self, row: int, col: int, style: Style) -> None:
        self._ws.write_blank(row - 1, col - 1, None, self._book.format(style))

    def column(self, col: int, width: int, hidden: bool = False) -> None:
        """Width in characters (a whole number, written as is)."""
        options = {"hidden": True} if hidden else None
        self._ws.set_column_pixels(col - 1, col - 1, width * _PIXELS_PER_CHAR, None, options)

    def row_height(self, row: int, height: float) -> None:
        """Height in points, written as is (XlsxWriter's ``set_row`` rounds it to whole pixels)."""
        self._ws.set_row_pixels(row - 1, height / 0.75)

    def freeze_rows(self, rows: int) -> None:
        """Keep the first ``rows`` rows in view (the column titles)."""
        self._ws.freeze_panes(rows, 0)

    def print_setup(self, title_row: int, header: str, footer: str) -> None:
        """A4 landscape, one page wide, ``title_row`` repeated on each page, openpyxl's default margins.

        ``header`` and ``footer`` are in Excel's codes (``&L…&C…&R…``, a literal ``&`` doubled).
        """
        from lotsmarche.errors import Problem, RenderError

        for kind, text in (("en-tête", header), ("pied de page", footer)):
            if len(text.encode("utf-16-le")) // 2 > HEADER_MAX:
                raise RenderError(
                    f"{kind.capitalize()} de page trop long pour un classeur : rien n'a été écrit",
                    [
                        Problem(
                            f"{kind} de {len(text)} caractères, au-delà des {HEADER_MAX} qu'Excel accepte "
                            "(référence ou intitulé à raccourcir)",
                            feuille=self.title,
                        )
                    ],
                )
        ws = self._ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(title_row - 1)
        ws.set_margins(left=0.75, right=0.75, top=1, bottom=1)
        ws.set_header(header, margin=0.5)
        ws.set_footer(footer, margin=0.5)

    def protect_structure(self) -> None:
        """Lock the sheet except the cells whose style says ``locked: False``; columns may be resized.

        The other rights are those of an openpyxl ``SheetProtection(sheet=True, formatColumns=False)``.
        """
        self._ws.protect("", {"objects": True, "scenarios": True, "format_columns": True})

    def non_negative_rule(
        self, first_row: int, col: int, last_row: int, error_title: str, error: str
    ) -> None:
        """Input rule of the cells a user types a number in: a number ≥ 0 or nothing; ``error`` otherwise."""
        self._ws.data_validation(
            first_row - 1,
            col - 1,
            last_row - 1,
            col - 1,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "ignore_blank": True,
                "show_input": False,
                "show_error": True,
                "error_title": error_title,
                "error_message": error,
            },
        )


class Book:
    """A workbook being written; :meth:`bytes` closes it."""

    def __init__(self) -> None:
        import xlsxwriter

        self._buffer = BytesIO()
        self._wb = xlsxwriter.Workbook(self._buffer, {"in_memory": True, "strings_to_numbers": False})
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def sheet(self, title: str) -> Sheet:
        return Sheet(self, self._wb.add_worksheet(title), title)

    def format(self, style: Style, quote: bool = False) -> Any:
        """The workbook's format of ``style`` (None for no style), made once."""
        if not style and not quote:
            return None
        key = tuple(sorted(style.items())) + ((("quote_prefix", True),) if quote else ())
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = self._wb.add_format(dict(key))
        return fmt

    def bytes(self, title: str, subject: str = "") -> bytes:
        """The closed workbook with lotsmarche's document properties and fixed dates."""
        self._wb.close()
        entries = read_zip(self._buffer.getvalue())
        entries["docProps/core.xml"] = core_xml(clean_text(title), clean_text(subject))
        return write_zip(entries)
