"""Small text helpers shared by intake, lint and rendering."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accents removed, inner spaces collapsed: for matching headers, names and lint."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("\u2019", "'").lower()).strip()


def md_cell(text: str) -> str:
    """Escape a value for a markdown table cell: data is shown, never interpreted."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
