"""Visible marks in rendered Word parts: highlighted values « à confirmer » / « à compléter ».

A context value that a lawyer must check or fill in is wrapped in two private-use characters by
:func:`mark` (they never occur in French text). After rendering, :func:`apply_highlights` splits every run
holding such a value into three runs with the same properties, the middle one highlighted in yellow, and
removes the markers; :func:`unmark` removes them from plain text (spreadsheets, checks).
"""

from __future__ import annotations

import re

START = "\ue000"
END = "\ue001"
A_COMPLETER = f"{START}à compléter{END}"
_RUN = re.compile(r"<w:r>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t(?: [^>]*)?>([^<]*)</w:t></w:r>", re.DOTALL)
_MARKED = re.compile(f"{START}([^{END}]*){END}")
_HIGHLIGHT = '<w:highlight w:val="yellow"/>'


def mark(text: str) -> str:
    """``text`` flagged for highlighting (nothing to mark when empty)."""
    return f"{START}{text}{END}" if text else text


def unmark(text: str) -> str:
    return text.replace(START, "").replace(END, "")


def marked_values(text: str) -> list[str]:
    """The values of ``text`` flagged by :func:`mark`, in order."""
    return _MARKED.findall(text)


def _props(rpr: str | None, highlighted: bool) -> str:
    if not highlighted:
        return rpr or ""
    if not rpr:
        return f"<w:rPr>{_HIGHLIGHT}</w:rPr>"
    # w:highlight sits after the font, size and colour elements; before w:u / w:vertAlign / w:lang is valid
    inner = rpr[len("<w:rPr>") : -len("</w:rPr>")]
    for anchor in (
        "<w:u ",
        "<w:u/>",
        "<w:effect",
        "<w:bdr",
        "<w:shd",
        "<w:fitText",
        "<w:vertAlign",
        "<w:lang",
    ):
        pos = inner.find(anchor)
        if pos >= 0:
            return f"<w:rPr>{inner[:pos]}{_HIGHLIGHT}{inner[pos:]}</w:rPr>"
    return f"<w:rPr>{inner}{_HIGHLIGHT}</w:rPr>"


def _split(match: re.Match[str]) -> str:
    rpr, text = match.group(1), match.group(2)
    if START not in text and END not in text:
        return match.group(0)
    out = []
    pos = 0
    for m in _MARKED.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return "".join(
        f'<w:r>{_props(rpr, hl)}<w:t xml:space="preserve">{unmark(piece)}</w:t></w:r>'
        for piece, hl in out
        if piece
    )


def apply_highlights(xml: str) -> str:
    """Highlight the marked values of a rendered part; any stray marker left is removed."""
    if START not in xml and END not in xml:
        return xml
    return unmark(_RUN.sub(_split, xml))
