"""French typography for every rendered text: one pass over the text of each paragraph, across its runs.

Rules (Lexique des règles typographiques en usage à l'Imprimerie nationale):

- no-break space U+00A0 before « : », narrow no-break space U+202F before « ; », « ! » and « ? »; one is
  inserted when the sign follows a word directly (« Note: » → « Note : »);
- no-break space inside guillemets: « texte »;
- narrow no-break space between groups of three digits (« 1 000 ») and no-break space between a number and
  its unit or sign (« 40 € », « 5 % », « 2 °C », « n° 853 »).

Left alone: URLs and e-mail addresses (``https://…``, ``www.…``, ``nom@domaine.fr``), times and ratios
written with a colon between digits (« 12:00 »), and anything in field codes (``w:instrText``). The pass
works on the paragraph's whole text, so a sign typed in one run after a space typed in the previous run is
handled, and the characters it changes or inserts stay in the run where they belong.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from lxml import etree

NBSP = "\u00a0"
NNBSP = "\u202f"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)

# Spans never touched: URLs, e-mail addresses, times "12:00" and the like.
_PROTECTED = re.compile(
    r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b\d{1,2}:\d{2}\b|\w+:\w+//\S*",
    re.UNICODE,
)
_SPACE = " "
_HIGH = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP, "»": NBSP}
_UNITS = re.compile(r"(?<=\d) (?=(?:€|%|°C|°|‰|kg\b|g\b|cm\b|mm\b|h\b|l\b|mois\b|jours?\b|ans?\b))")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_NUMERO = re.compile(r"(?<=\bn°) (?=\d)|(?<=\bN°) (?=\d)")
_WORD_BEFORE = re.compile(r"[\w)\]»…'’\"%€]", re.UNICODE)


def _protected(text: str) -> list[bool]:
    mask = [False] * len(text)
    for m in _PROTECTED.finditer(text):
        for i in range(m.start(), m.end()):
            mask[i] = True
    return mask


def _high_sign(text: str, i: int, mask: list[bool], replace: dict[int, str], insert: dict[int, str]) -> None:
    """A high sign (« : ; ! ? » or a closing guillemet) at ``i``: the space before it becomes no-break, or
    one is inserted when the sign follows a word directly."""
    ch, n = text[i], len(text)
    before = text[i - 1] if i > 0 else ""
    if before == _SPACE and not mask[i - 1]:
        replace[i - 1] = _HIGH[ch]
    elif not before or before in (NBSP, NNBSP) or not _WORD_BEFORE.match(before):
        return
    elif ch == "»":
        insert[i] = NBSP
    elif i + 1 == n or text[i + 1] in " \n\t»)":
        if ch == ":" and before.isdigit() and i + 1 < n and text[i + 1].isdigit():
            return
        if before in "!?":
            return  # « ?! »: the space goes before the first sign only
        insert[i] = _HIGH[ch]


@functools.lru_cache(maxsize=16384)
def edits(text: str) -> tuple[Mapping[int, str], Mapping[int, str]]:
    """The changes French typography asks for in ``text``: ``(replace, insert)``.

    ``replace[i]`` is the character that replaces ``text[i]`` (a space), ``insert[i]`` the one inserted
    before ``text[i]``. Remembered by text (the same labels and clauses recur in every lot's pieces): the
    mappings are shared, never to be changed."""
    replace: dict[int, str] = {}
    insert: dict[int, str] = {}
    if not text:
        return replace, insert
    mask = _protected(text)
    n = len(text)
    for i, ch in enumerate(text):
        if mask[i]:
            continue
        if ch in _HIGH:
            _high_sign(text, i, mask, replace, insert)
        elif ch == "«" and i + 1 < n:
            if text[i + 1] == _SPACE:
                replace[i + 1] = NBSP
            elif text[i + 1] not in (NBSP, NNBSP):
                insert[i + 1] = NBSP
    for pattern, char in ((_THOUSANDS, NNBSP), (_UNITS, NBSP), (_NUMERO, NBSP)):
        for m in pattern.finditer(text):
            if not mask[m.start()]:
                replace.setdefault(m.start(), char)
    return replace, insert


@functools.lru_cache(maxsize=16384)
def french(text: str) -> str:
    """``text`` with French spacing applied (see :func:`edits`)."""
    replace, insert = edits(text)
    if not replace and not insert:
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        if i in insert:
            out.append(insert[i])
        out.append(replace.get(i, ch))
    return "".join(out)


def _fix_paragraph(p: etree._Element) -> None:
    nodes = [t for t in p.iter(f"{W}t") if t.text]
    if not nodes:
        return
    texts = [t.text or "" for t in nodes]
    whole = "".join(texts)
    replace, insert = edits(whole)
    if not replace and not insert:
        return
    pos = 0
    for node, text in zip(nodes, texts, strict=True):
        out: list[str] = []
        for j, ch in enumerate(text):
            i = pos + j
            if i in insert:
                out.append(insert[i])
            out.append(replace.get(i, ch))
        pos += len(text)
        new = "".join(out)
        if new != text:
            node.text = new
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def french_tree(root: etree._Element) -> None:
    """Apply French spacing to every paragraph under ``root`` (in place)."""
    for p in root.iter(f"{W}p"):
        _fix_paragraph(p)
