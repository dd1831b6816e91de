"""Small text helpers shared by intake, lint and rendering."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

_SPACES = re.compile(r"\s+")

# XML 1.0 forbids these code points; Word refuses the file if one slips through. Tab and line feed stay
# (docxtpl turns "\n" into a line break); \a and \f are removed too, because in data they would become
# paragraph and page breaks that nobody typed on purpose.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# French month names, lower case as written inside a sentence; index 0 is January.
MOIS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive months (1..12), wrapping over the new year: [11, 12, 1, 2] is one run."""
    present = sorted({m for m in months if 1 <= m <= 12})
    if len(present) == 12:
        return [(1, 12)]
    chosen = set(present)
    runs: list[tuple[int, int]] = []
    for m in present:
        if (m - 2) % 12 + 1 in chosen:
            continue  # not the start of a run
        end = m
        while end % 12 + 1 in chosen:
            end = end % 12 + 1
        runs.append((m, end))
    return runs


def de_mois(month: int) -> str:
    """« de mars », « d'avril », « d'août », « d'octobre »: the elided preposition before a month (1..12)."""
    name = MOIS_FR[month - 1]
    return f"d'{name}" if name[0] in "aeiou" else f"de {name}"


def date_fr(value: date) -> str:
    """« 21 août 2026 », « 1er janvier 2027 »: the date inside a French sentence (same as the render filter,
    without loading babel in the rules)."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MOIS_FR[value.month - 1]} {value.year}"


def duree_fr(mois: int) -> str:
    """« 4 ans (48 mois) » for whole years, otherwise « 30 mois »."""
    if mois % 12 == 0 and mois >= 12:
        ans = mois // 12
        return f"{ans} an{'s' if ans > 1 else ''} ({mois} mois)"
    return f"{mois} mois"


def fold(text: str) -> str:
    """Lower-case, accents removed, inner spaces collapsed: for matching headers, names and lint."""
    if text.isascii():  # nothing to decompose (most names): skip the per-character pass
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("\u2019", "'").lower()).strip()


def md_cell(text: str) -> str:
    """Escape a value for a markdown table cell: data is shown, never interpreted."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def clean_text(value: str) -> str:
    """Text safe for an XML part or a spreadsheet cell: CR LF → LF, illegal control characters removed."""
    return _ILLEGAL_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
