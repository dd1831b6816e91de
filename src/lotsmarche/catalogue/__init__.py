"""Reference catalogues: products, packaging, labels, thresholds, territories, suppliers, clauses.

``load_catalogue(dir)`` validates every file (pydantic) and raises ``CatalogueError`` naming file, entry
and field. The returned :class:`Catalogue` is immutable and pure lookups live on it.
"""

from __future__ import annotations

from lotsmarche.catalogue.model import Catalogue

__all__ = ["Catalogue", "load_catalogue"]


def load_catalogue(directory: object = None) -> Catalogue:
    """Load and validate the catalogues from ``directory`` (a Path) or the packaged ones (None)."""
    from lotsmarche.catalogue.loader import load

    return load(directory)  # type: ignore[arg-type]
