"""Fill the table of contents at render time, so that a PDF made without Word shows it.

The templates hold a Word ``TOC`` field. Neither docxtpl nor LibreOffice's ``--convert-to pdf`` computes
it (LibreOffice prints the field's cached result as it is), so the cached result is written here from the
rendered document's own headings (levels 1 and 2, as the field's ``\\o "1-2"`` switch asks). Page numbers
need a layout engine and are left out: the entries are the numbered headings, which is how a reader finds
an article anyway. The field stays a real field: Word refreshes it, with page numbers, on opening
(``w:updateFields`` is set in the templates' settings) or on F9.
"""

from __future__ import annotations

import re

from lxml import etree

from lotsmarche.render.readback import paragraph_text


def _squash(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces are kept (they are typography)."""
    return re.sub(r"[ \t\n\r]+", " ", text).strip()


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LEVEL = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_TOC = re.compile(r"^\s*TOC\b")


def _el(tag: str, **attrs: str) -> etree._Element:
    el = etree.Element(f"{W}{tag}")
    for k, v in attrs.items():
        el.set(f"{W}{k}", v)
    return el


def _style(p: etree._Element) -> str:
    st = p.find(f"{W}pPr/{W}pStyle")
    return st.get(f"{W}val", "") if st is not None else ""


def heading_level(p: etree._Element) -> int | None:
    m = _LEVEL.match(_style(p))
    return int(m.group(1)) if m else None


def _levels(instruction: str) -> int:
    m = re.search(r'\\o\s+"(\d)-(\d)"', instruction)
    return int(m.group(2)) if m else 3


def _entry(text: str, level: int) -> etree._Element:
    p = _el("p")
    ppr = etree.SubElement(p, f"{W}pPr")
    ppr.append(_el("spacing", before="0", after="40"))
    ppr.append(_el("ind", left=str(360 * (level - 1))))
    r = etree.SubElement(p, f"{W}r")
    if level == 1:
        rpr = etree.SubElement(r, f"{W}rPr")
        rpr.append(_el("b"))
    t = etree.SubElement(r, f"{W}t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return p


def _field_paragraph(body: etree._Element) -> tuple[etree._Element, str] | None:
    for p in body.iter(f"{W}p"):
        for instr in p.iter(f"{W}instrText"):
            if _TOC.match(instr.text or ""):
                return p, instr.text or ""
    return None


def toc_entries(
    body: etree._Element, after: etree._Element | None = None, depth: int = 2
) -> list[tuple[int, str]]:
    """(level, text) of the headings of ``body`` that follow ``after`` (all of them when None)."""
    started = after is None
    out: list[tuple[int, str]] = []
    for p in body.iter(f"{W}p"):
        if p is after:
            started = True
            continue
        if not started:
            continue
        level = heading_level(p)
        if level is not None and level <= depth:
            text = _squash(paragraph_text(p))
            if text:
                out.append((level, text))
    return out


def fill_toc(body: etree._Element) -> bool:
    """Replace the cached result of the TOC field of ``body`` by its headings; False when there is none.

    The field keeps its begin / instruction / separate characters in its paragraph; the result becomes one
    paragraph per heading and the field's end character closes the last one.
    """
    found = _field_paragraph(body)
    if found is None:
        return False
    para, instruction = found
    runs = list(para.iter(f"{W}r"))
    sep_index = end_index = None
    for i, r in enumerate(runs):
        for fc in r.iter(f"{W}fldChar"):
            kind = fc.get(f"{W}fldCharType")
            if kind == "separate" and sep_index is None:
                sep_index = i
            elif kind == "end" and sep_index is not None and end_index is None:
                end_index = i
    if sep_index is None or end_index is None:
        return False
    entries = toc_entries(body, para, _levels(instruction))
    if not entries:
        return False
    end_run = runs[end_index]
    for r in runs[sep_index + 1 : end_index + 1]:
        r.getparent().remove(r)
    first_level, first_text = entries[0]
    first = _entry(first_text, first_level)
    for r in first.findall(f"{W}r"):
        para.append(r)
    ppr = para.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        para.insert(0, ppr)
    anchor = para
    last = para
    for level, text in entries[1:]:
        p = _entry(text, level)
        anchor.addnext(p)
        anchor = p
        last = p
    last.append(end_run)
    return True
