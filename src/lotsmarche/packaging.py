"""Packaging regime of a demand line: the one notion lotting and the rules share about packaging.

The regime comes from the packaging delivered (the line's ``conditionnement``, else the product's default).
Lots never put plastic containers for cooking, reheating or serving (``plastique_contact``, Code de
l'environnement L541-15-10 III and D541-338) together with other lines, so the plastic ban applies to a
lot as a whole; the other regimes only set how the lot is delivered (the most demanding one asked wins).
"""

from __future__ import annotations

from collections.abc import Mapping

from lotsmarche.models import Packaging, Product, Regime


def regime_of(product: Product, packaging_code: str | None, packagings: Mapping[str, Packaging]) -> Regime:
    """Regime of a line of ``product`` delivered in ``packaging_code`` (default packaging when empty)."""
    code = packaging_code or product.conditionnement_defaut
    return packagings[code].regime
