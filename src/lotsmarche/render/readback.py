"""Read the text of a rendered piece back: every paragraph and table cell of a .docx (body, headers,
footers) and every text cell of a .xlsx (sheets, headers, footers), for the post-render controls.

A block is what a reader sees as one unit: a paragraph outside tables, a table cell (its paragraphs joined by
a line break), a spreadsheet cell, a header or footer. Text split over several runs is joined, so a phrase
typed in two runs is checked as one phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

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


def docx_blocks(fichier: str, data: bytes) -> list[Block]:
    """Every paragraph (outside tables) and every table cell of the body, headers and footers."""
    blocks: list[Block] = []
    for part, blob in sorted(read_zip(data).items()):
        if not _PARTS.match(part):
            continue
        root = etree.fromstring(blob, _STRICT)
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


def xlsx_blocks(fichier: str, data: bytes) -> list[Block]:
    """Every text cell of every sheet, and the sheets' printed headers and footers."""
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data))
    blocks: list[Block] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() and not cell.value.startswith("="):
                    blocks.append(
                        Block(fichier, f"feuille {ws.title}, cellule {cell.coordinate}", cell.value)
                    )
        for side in ("left", "center", "right"):
            for hf, name in ((ws.oddHeader, "en-tête"), (ws.oddFooter, "pied de page")):
                text = getattr(hf, side).text
                if text and "&" not in text.replace("&&", ""):
                    blocks.append(Block(fichier, f"feuille {ws.title}, {name}", text.replace("&&", "&")))
    return blocks


def blocks_of(fichier: str, data: bytes) -> list[Block]:
    """The blocks of one piece (.docx or .xlsx); other files have none."""
    if fichier.endswith(".docx"):
        return docx_blocks(fichier, data)
    if fichier.endswith(".xlsx"):
        return xlsx_blocks(fichier, data)
    return []


def docx_table_rows(data: bytes) -> list[tuple[tuple[str, ...], list[str]]]:
    """Every row of every body table: the headings above the table and the text of each cell."""
    root = etree.fromstring(read_zip(data)["word/document.xml"], _STRICT)
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


def docx_toc(data: bytes) -> tuple[list[str], list[str]] | None:
    """The entries of the TOC field's result and the headings it should list (levels of its ``\\o``
    switch), or None when the document has no TOC field."""
    root = etree.fromstring(read_zip(data)["word/document.xml"], _STRICT)
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
