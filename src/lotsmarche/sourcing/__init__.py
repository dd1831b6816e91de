"""Sourcing (market research, R2111-1): who can supply what, where and when; it sizes lots, nothing else.

Inputs: the supplier questionnaire (``questionnaire`` writes it, ``answers`` reads a filled one), the
sourcing table (CSV/XLSX, ``csvfile``), or a folder of them; ``merge`` reads any number at once and writes
the merged table. Without any, the catalogue's illustrative profiles stand in (``builtin``: SRC-001/002).
Sourcing never becomes an award criterion: it only tells whether a lot can be served.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Supplier
from lotsmarche.sourcing.builtin import builtin_sourcing_findings
from lotsmarche.sourcing.common import HEADLINE, SOURCING_BASIS
from lotsmarche.sourcing.merge import SourcingRead, input_files, read_sourcing

__all__ = [
    "HEADLINE",
    "SOURCING_BASIS",
    "SourcingRead",
    "builtin_sourcing_findings",
    "input_files",
    "load_sourcing",
    "read_sourcing",
    "sourcing_paths",
]


def sourcing_paths(path: Path | Sequence[Path] | None) -> list[Path]:
    """One path, several, or none, as a list."""
    if path is None:
        return []
    return [path] if isinstance(path, Path) else list(path)


def load_sourcing(
    path: Path | Sequence[Path] | None, cat: Catalogue, *, reference: date | None = None
) -> list[Supplier]:
    """Suppliers of ``path`` (a table, a questionnaire, a folder, or several), or the catalogue's
    illustrative profiles when none is given. InputError listing every problem of every file."""
    paths = sourcing_paths(path)
    if not paths:
        return list(cat.fournisseurs)
    return read_sourcing(paths, cat, reference=reference).fournisseurs
