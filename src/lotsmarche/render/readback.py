"""Read the text of a rendered piece back: every paragraph and table cell of a .docx (body, headers,
footers) and every text cell of a .xlsx (sheets, headers, footers), for the post-render controls.

A block is what a reader sees as one unit: a paragraph outside tables, a table cell (its paragraphs joined by
a line break), a spreadsheet cell, a header or footer. Text split over several runs is joined, so a phrase
typed in two runs is checked as one phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from lotsmarche.ziputil import read_zip


def _squash(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces are kept (they are typography)."""
    return re.sub(r"[ \t\n\r]+", " ", text).strip()


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)
_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml$")


@dataclass(frozen=True)
class Block:
    fichier: str  # path of the piece inside the DCE folder
    emplacement: str  # « corps », « tableau », « en-tête », « pied de page », « feuille BPU, cellule B5 »
    texte: str
    style: str = ""  # paragraph style id (docx), "" otherwise
    titres: tuple[str, ...] = ()  # the headings above the block (title, level 1, 2, 3...), to say where it is


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a ``w:p``: runs joined, tabs and breaks as spaces and line feeds, field codes
    (``w:instrText``) left out, deleted text left out."""
    out: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}noBreakHyphen"):
        if el.tag == f"{W}t":
            out.append(el.text or "")
        elif el.tag == f"{W}tab":
            out.append("\t")
        elif el.tag == f"{W}br":
            out.append("\n")
        else:
            out.append("\u2011")
    return "".join(out)


def _style(p: etree._Element) -> str:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        return ""
    st = ppr.find(f"{W}pStyle")
    return st.get(f"{W}val", "") if st is not None else ""


_LEVEL = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


def heading_level(style: str) -> int | None:
    """0 for the title, 1.. for Heading 1.., None for a body paragraph."""
    if style.lower() == "title":
        return 0
    m = _LEVEL.match(style)
    return int(m.group(1)) if m else None


def _push(path: tuple[str, ...], level: int, text: str) -> tuple[str, ...]:
    return (*path[:level], text) if len(path) >= level else (*path, *([""] * (level - len(path))), text)


def _where(part: str) -> str:
    if "header" in part:
        return "en-tête"
    if "footer" in part:
        return "pied de page"
    return "corps"


def docx_roots(data: bytes) -> dict[str, etree._Element]:
    """The parsed text parts of a .docx (body, headers, footers), by part name: parsed once, read by
    :func:`docx_blocks`, :func:`docx_table_rows` and :func:`docx_toc`."""
    return {
        part: etree.fromstring(blob, _STRICT)
        for part, blob in sorted(read_zip(data).items())
        if _PARTS.match(part)
    }


def _body_root(data: bytes, roots: dict[str, etree._Element] | None) -> etree._Element:
    if roots is not None:
        return roots["word/document.xml"]
    from lotsmarche.ziputil import read_member

    return etree.fromstring(read_member(data, "word/document.xml"), _STRICT)


def docx_blocks(fichier: str, data: bytes, roots: dict[str, etree._Element] | None = None) -> list[Block]:
    """Every paragraph (outside tables) and every table cell of the body, headers and footers
    (``roots``: the piece's :func:`docx_roots` when the caller has parsed them already)."""
    blocks: list[Block] = []
    for part, root in sorted((roots if roots is not None else docx_roots(data)).items()):
        where = _where(part)
        heading: tuple[str, ...] = ()
        body = root.find(f"{W}body")
        container = body if body is not None else root
        for el in container.iter(f"{W}p", f"{W}tc"):
            if el.tag == f"{W}tc":
                # a nested table's cells are reported on their own; the outer cell keeps its own paragraphs
                paras = [p for p in el.iter(f"{W}p") if _cell_of(p) is el]
                text = "\n".join(paragraph_text(p) for p in paras)
                if text.strip():
                    blocks.append(Block(fichier, "tableau" if where == "corps" else where, text, "", heading))
                continue
            if _cell_of(el) is not None:
                continue
            text = paragraph_text(el)
            style = _style(el)
            level = heading_level(style)
            if level is not None and text.strip():
                heading = _push(heading, level, text.strip())
            if text.strip():
                blocks.append(Block(fichier, where, text, style, heading))
    return blocks


def _cell_of(p: etree._Element) -> etree._Element | None:
    parent = p.getparent()
    while parent is not None:
        if parent.tag == f"{W}tc":
            return parent
        parent = parent.getparent()
    return None


_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(r"([A-Z]+)(\d+)")
# Excel's header codes, as openpyxl splits them (openpyxl.worksheet.header_footer)
_HF_ITEM = re.compile(r"(&L(?P<left>.+?))?(&C(?P<center>.+?))?(&R(?P<right>.+?))?$", re.DOTALL)
_HF_FORMAT = re.compile(r'&"(?P<font>.+)"|&K(?P<color>[A-F0-9]{6})|&(?P<size>\d+\s?)')


@dataclass(frozen=True)
class SheetText:
    """The text of one worksheet: its text and formula cells, in reading order, and its printed header
    and footer parts (left, center, right; None when absent)."""

    title: str
    cells: list[tuple[int, int, str]]  # (row, column, value); a formula is its text with its leading « = »
    header: tuple[str | None, ...]
    footer: tuple[str | None, ...]

    def rows(self) -> dict[int, list[tuple[int, str]]]:
        out: dict[int, list[tuple[int, str]]] = {}
        for row, col, value in self.cells:
            out.setdefault(row, []).append((col, value))
        return out


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _rich_text(el: etree._Element) -> str:
    """A string item (``si`` / ``is``): its plain text and its runs' text, phonetic runs left out (read as
    openpyxl reads it: ``_xHHHH_`` escapes are kept as written)."""
    parts = [t.text or "" for t in el.findall(f"{_S}t")]
    parts += [t.text or "" for t in el.findall(f"{_S}r/{_S}t")]
    return "".join(parts)


def _hf_parts(el: etree._Element | None) -> tuple[str | None, ...]:
    if el is None or not el.text:
        return (None, None, None)
    m = _HF_ITEM.match(_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), el.text))
    if m is None:
        return (None, None, None)
    return tuple(None if v is None else _HF_FORMAT.sub("", v) for v in m.group("left", "center", "right"))


def _cell_value(c: etree._Element, strings: list[str]) -> str | None:
    """A cell's value when it is a text or a formula (as openpyxl gives it), else None."""
    f = c.find(f"{_S}f")
    if f is not None:
        return "=" + (f.text or "")
    kind = c.get("t", "n")
    if kind == "inlineStr":
        item = c.find(f"{_S}is")
        return _rich_text(item) if item is not None else None
    value = c.findtext(f"{_S}v") or None
    if value is None:
        return None
    if kind == "s":
        return strings[int(value)]
    return value if kind in ("str", "e") else None


def xlsx_sheets(data: bytes) -> list[SheetText]:
    """Every worksheet of a .xlsx, in the workbook's order, read straight from its XML parts."""
    entries = read_zip(data)
    strings = []
    if "xl/sharedStrings.xml" in entries:
        root = etree.fromstring(entries["xl/sharedStrings.xml"], _STRICT)
        # XlsxWriter writes a literal « _x0041_ » as « _x005F_x0041_ »; openpyxl drops the « x005F_ »
        strings = [_rich_text(si).replace("x005F_", "") for si in root.iter(f"{_S}si")]
    rels = etree.fromstring(entries["xl/_rels/workbook.xml.rels"], _STRICT)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    workbook = etree.fromstring(entries["xl/workbook.xml"], _STRICT)
    out: list[SheetText] = []
    for sheet in workbook.iter(f"{_S}sheet"):
        target = targets[sheet.get(_R_ID)]
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        root = etree.fromstring(entries[path], _STRICT)
        cells: list[tuple[int, int, str]] = []
        for c in root.iter(f"{_S}c"):
            value = _cell_value(c, strings)
            m = _CELL.fullmatch(c.get("r", ""))
            if value is not None and m is not None:
                cells.append((int(m.group(2)), _column(m.group(1)), value))
        cells.sort(key=lambda x: (x[0], x[1]))
        hf = root.find(f"{_S}headerFooter")
        header = _hf_parts(hf.find(f"{_S}oddHeader") if hf is not None else None)
        footer = _hf_parts(hf.find(f"{_S}oddFooter") if hf is not None else None)
        out.append(SheetText(sheet.get("name", ""), cells, header, footer))
    return out


def xlsx_blocks(fichier: str, data: bytes, sheets: list[SheetText] | None = None) -> list[Block]:
    """Every text cell of every sheet, and the sheets' printed headers and footers (``sheets``: the
    workbook's :func:`xlsx_sheets` when the caller has read them already)."""
    from lotsmarche.xlsxfast import cell_name

    blocks: list[Block] = []
    for ws in sheets if sheets is not None else xlsx_sheets(data):
        for row, col, value in ws.cells:
            if value.strip() and not value.startswith("="):
                blocks.append(Block(fichier, f"feuille {ws.title}, cellule {cell_name(row, col)}", value))
        for side in range(3):
            for parts, name in ((ws.header, "en-tête"), (ws.footer, "pied de page")):
                text = parts[side]
                if text and "&" not in text.replace("&&", ""):
                    blocks.append(Block(fichier, f"feuille {ws.title}, {name}", text.replace("&&", "&")))
    return blocks


def xlsx_rows(sheets: list[SheetText], title: str) -> dict[str, str]:
    """Rows of sheet ``title`` keyed by their first cell's text (column A): the row's text cells joined."""
    out: dict[str, str] = {}
    for ws in sheets:
        if ws.title != title:
            continue
        for cells in ws.rows().values():
            if cells[0][0] == 1:
                out.setdefault(cells[0][1], " | ".join(value for _col, value in cells))
    return out


def blocks_of(fichier: str, data: bytes) -> list[Block]:
    """The blocks of one piece (.docx or .xlsx); other files have none."""
    if fichier.endswith(".docx"):
        return docx_blocks(fichier, data)
    if fichier.endswith(".xlsx"):
        return xlsx_blocks(fichier, data)
    return []


def docx_table_rows(
    data: bytes, roots: dict[str, etree._Element] | None = None
) -> list[tuple[tuple[str, ...], list[str]]]:
    """Every row of every body table: the headings above the table and the text of each cell."""
    root = _body_root(data, roots)
    body = root.find(f"{W}body")
    if body is None:
        return []
    out: list[tuple[tuple[str, ...], list[str]]] = []
    heading: tuple[str, ...] = ()
    for el in body.iter(f"{W}p", f"{W}tr"):
        if el.tag == f"{W}p":
            if _cell_of(el) is None:
                level = heading_level(_style(el))
                text = paragraph_text(el).strip()
                if level is not None and text:
                    heading = _push(heading, level, text)
            continue
        cells = ["\n".join(paragraph_text(p) for p in tc.iter(f"{W}p")) for tc in el.findall(f"{W}tc")]
        out.append((heading, cells))
    return out


def docx_toc(
    data: bytes, roots: dict[str, etree._Element] | None = None
) -> tuple[list[str], list[str]] | None:
    """The entries of the TOC field's result and the headings it should list (levels of its ``\\o``
    switch), or None when the document has no TOC field."""
    root = _body_root(data, roots)
    body = root.find(f"{W}body")
    if body is None:
        return None
    paragraphs = list(body.iter(f"{W}p"))
    start = depth = None
    for i, p in enumerate(paragraphs):
        instr = "".join(t.text or "" for t in p.iter(f"{W}instrText"))
        if re.match(r"^\s*TOC\b", instr):
            start = i
            m = re.search(r'\\o\s+"(\d)-(\d)"', instr)
            depth = int(m.group(2)) if m else 3
            break
    if start is None or depth is None:
        return None
    entries: list[str] = []
    end = start
    for j in range(start, len(paragraphs)):
        p = paragraphs[j]
        text = paragraph_text(p).strip()
        if text:
            entries.append(_squash(text))
        if any(fc.get(f"{W}fldCharType") == "end" for fc in p.iter(f"{W}fldChar")):
            end = j
            break
    headings = []
    for p in paragraphs[end + 1 :]:
        level = heading_level(_style(p))
        text = _squash(paragraph_text(p))
        if level is not None and 1 <= level <= depth and text:
            headings.append(text)
    return entries, headings
