"""Writer helpers for ``build_templates.py``: styles, fields, tables, tags (python-docx)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FONT = "Arial"  # LibreOffice maps it to Liberation Sans; both have U+202F (narrow no-break space)
BLUE = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
TABLE_SIZES = (7, 8, 9)  # text sizes (pt) of the table styles

# --------------------------------------------------------------------------------------------------
# Low-level helpers
# --------------------------------------------------------------------------------------------------


def _set_font(style_element: object, size: float | None = None) -> None:
    """Force the font of a style: drop theme fonts (they win over w:ascii) and name Arial everywhere."""
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "fr-FR")
    if size:
        _set_size(rpr, size)


def _set_size(rpr: object, size: float) -> None:
    """Text size of a run-properties element, for Latin and complex scripts (in half-points)."""
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))  # type: ignore[attr-defined]
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)  # type: ignore[attr-defined]
        el.set(qn("w:val"), str(int(size * 2)))


def _default_size(doc: DocumentObject, size: float) -> None:
    """Body text size in the document defaults (w:docDefaults), not in Normal.

    Word and LibreOffice apply, in order: document defaults, table style, paragraph style, direct
    formatting. A size set in Normal would therefore hide the size of a table style; left to the defaults,
    text outside tables keeps 10 pt and a table style can set the size of its cells once for all.
    """
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_size(rpr, size)


def _table_styles(doc: DocumentObject) -> None:
    """One table style per cell text size ("Grille 8 pt", "Grille 9 pt"), based on Table Grid.

    A 50-lot CCTP has about 8 000 cells: a size repeated in every run would weigh 250 kB of XML to
    render, check and compress at each rendering.
    """
    for size in TABLE_SIZES:
        style = doc.styles.add_style(f"Grille {size} pt", WD_STYLE_TYPE.TABLE)
        style.base_style = doc.styles["Table Grid"]
        style.font.size = Pt(size)
        if size == min(TABLE_SIZES):  # the dense tables (calendars, 12 months): narrow cell margins
            _narrow_margins(style.element)


def _narrow_margins(style: object) -> None:
    """Left and right cell margins of 0.07 cm (40 twips) in a table style (w:tblPr/w:tblCellMar)."""
    tblpr = style.find(qn("w:tblPr"))  # type: ignore[attr-defined]
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        style.append(tblpr)  # type: ignore[attr-defined]
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        mar = OxmlElement(f"w:{side}")
        mar.set(qn("w:w"), "40")
        mar.set(qn("w:type"), "dxa")
        margins.append(mar)
    tblpr.append(margins)


def _styles(doc: DocumentObject) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal.element)
    _default_size(doc, 10)
    _table_styles(doc)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, colour, before in (
        ("Title", 20, BLUE, 0),
        ("Subtitle", 12, GREY, 0),
        ("Heading 1", 14, BLUE, 14),
        ("Heading 2", 12, BLUE, 10),
        ("Heading 3", 10.5, BLUE, 8),
        ("Header", 8, GREY, 0),
        ("Footer", 8, GREY, 0),
        ("List Bullet", 10, None, 0),
    ):
        style = styles[name]
        _set_font(style.element, size)
        if colour is not None:
            style.font.color.rgb = colour
        if name.startswith("Heading") or name == "Title":
            style.font.bold = True
            style.font.italic = False
            style.paragraph_format.space_before = Pt(before)
            style.paragraph_format.space_after = Pt(4)
            style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.paragraph_format.space_after = Pt(12)
    # The default Title has a bottom border in a theme colour; keep it, only the font changes.


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES, TOC): begin, instruction, separate, shown text, end."""

    def run_with(child: object) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _update_fields_on_open(doc: DocumentObject) -> None:
    """``<w:updateFields w:val="true"/>``: Word offers to refresh the TOC and page fields on opening."""
    settings = doc.settings.element
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    # Schema order: updateFields comes just before hdrShapeDefaults / footnotePr / endnotePr / compat.
    for tag in ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat"):
        anchor = settings.find(qn(tag))
        if anchor is not None:
            anchor.addprevious(flag)
            return
    settings.append(flag)


def _shade(cell: object, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _runs(paragraph: Paragraph, text: str) -> None:
    """Add ``text`` with ``**bold**`` segments; a Jinja tag never straddles two runs."""
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos : m.start()])
        paragraph.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


# --------------------------------------------------------------------------------------------------
# A tiny writer: the templates below read like the documents they produce
# --------------------------------------------------------------------------------------------------


class Writer:
    def __init__(self, title: str) -> None:
        self.doc = Document()
        _styles(self.doc)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)
        header = section.header.paragraphs[0]
        header.style = self.doc.styles["Header"]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        header.add_run("{{ reference }} — {{ nom_document }}")
        footer = section.footer.paragraphs[0]
        footer.style = self.doc.styles["Footer"]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("{{ groupement }}")
        pages = section.footer.add_paragraph(style="Footer")
        pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pages.add_run("Page ")
        _field(pages, "PAGE", "1")
        pages.add_run(" / ")
        _field(pages, "NUMPAGES", "1")
        _update_fields_on_open(self.doc)
        self.doc.add_paragraph(title, style="Title")

    def sub(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Subtitle")

    def h1(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Heading 1")

    def h2(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Heading 2")

    def h3(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Heading 3")

    def p(self, text: str, align: str | None = None) -> None:
        para = self.doc.add_paragraph(style="Normal")
        _runs(para, text)
        if align == "justify":
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif align == "center":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def bullet(self, text: str) -> None:
        para = self.doc.add_paragraph(style="List Bullet")
        _runs(para, text)

    def tag(self, text: str) -> None:
        """A structural tag alone in its paragraph (docxtpl removes the paragraph)."""
        self.doc.add_paragraph(text, style="Normal")

    def toc(self) -> None:
        self.doc.add_paragraph("Sommaire", style="Subtitle")
        para = self.doc.add_paragraph(style="Normal")
        _field(
            para,
            'TOC \\o "1-2" \\h \\z \\u',
            "Sommaire",
        )

    def page_break(self) -> None:
        self.doc.add_page_break()

    def table(
        self,
        headers: Sequence[str],
        cells: Sequence[str],
        widths: Sequence[float],
        *,
        loop: str | None = None,
        rows: int = 1,
        footer: Sequence[str] | None = None,
        size: float = 9,
    ) -> Table:
        """A grid table: shaded header row, then ``cells`` (between ``{%tr for loop %}`` rows when ``loop``),
        repeated ``rows`` times when static, then an optional total row."""
        body_rows = (3 if loop else rows) + (1 if footer else 0)
        table = self.doc.add_table(rows=1 + body_rows, cols=len(headers))
        table.style = self.doc.styles[f"Grille {size:g} pt"]  # the size of every cell, set once
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for i, width in enumerate(widths):
            table.columns[i].width = Cm(width)  # w:gridCol, which LibreOffice follows
            for cell in table.columns[i].cells:
                cell.width = Cm(width)  # w:tcW, which Word follows
        head = table.rows[0]
        _repeat_header(head)
        for cell, text in zip(head.cells, headers, strict=True):
            cell.paragraphs[0].text = ""
            _runs(cell.paragraphs[0], f"**{text}**")
            _shade(cell, "D9E2F3")
        index = 1
        if loop:
            table.rows[index].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
            index += 1
        for _ in range(1 if loop else rows):
            trpr = table.rows[index]._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))  # a product line never breaks across two pages
            for cell, text in zip(table.rows[index].cells, cells, strict=True):
                _runs(cell.paragraphs[0], text)
            index += 1
        if loop:
            table.rows[index].cells[0].paragraphs[0].add_run("{%tr endfor %}")
            index += 1
        if footer:
            for cell, text in zip(table.rows[index].cells, footer, strict=True):
                _runs(cell.paragraphs[0], f"**{text}**" if text else "")
                _shade(cell, "F2F2F2")
        self.doc.add_paragraph(style="Normal")
        return table

    def form(self, labels: Sequence[str], size: float = 9) -> None:
        """A two-column form: a label per row, an empty cell for the candidate to fill in."""
        table = self.doc.add_table(rows=len(labels), cols=2)
        table.style = self.doc.styles[f"Grille {size:g} pt"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        table.columns[0].width, table.columns[1].width = Cm(6.0), Cm(11.0)
        for row, label in zip(table.rows, labels, strict=True):
            row.cells[0].width, row.cells[1].width = Cm(6.0), Cm(11.0)
            _runs(row.cells[0].paragraphs[0], f"**{label}**")
            _shade(row.cells[0], "F2F2F2")
            row.height = Cm(0.9)
        self.doc.add_paragraph(style="Normal")

    def save(self, name: str) -> Path:
        # Late import: the script runs from a checkout where lotsmarche is installed editable.
        from lotsmarche.render.docx import repack_docx

        buffer = BytesIO()
        self.doc.save(buffer)
        target = HERE / name
        target.write_bytes(repack_docx(buffer.getvalue(), title=None))
        return target


# --------------------------------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------------------------------


def clause_list(w: Writer, var: str) -> None:
    """Paragraphs for the clauses of a lot: title in bold, then the text, then its references in a sentence.

    No internal tag (clause id, clause type) is printed: the published text is contract language."""
    w.tag(f"{{%p for c in {var} %}}")
    w.p("**{{ c.titre }}.** {{ c.texte }} (Références : {{ c.base_legale }}.)", "justify")
    w.tag("{%p endfor %}")


def group_list(w: Writer, var: str) -> None:
    """Clauses stated once for the lots sharing their wording: lots concerned, title, text, legal basis."""
    w.tag(f"{{%p for c in {var} %}}")
    w.p(
        "**{{ c.titre }}**{% if not c.tous %} (lots concernés : {{ c.lots }}){% endif %}. {{ c.texte }} "
        "(Références : {{ c.base_legale }}.)",
        "justify",
    )
    w.tag("{%p endfor %}")


def lot_heading(w: Writer, prefix: str) -> None:
    w.h2(prefix + "{{ lot.numero }}. Lot {{ lot.numero }} — {{ lot.intitule }}")
