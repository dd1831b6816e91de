"""Titles and numbering of the lots, decided once every draft exists.

Titles come from ``lotting.titles`` and are made unique across the plan; numbers follow the family order of
the catalogue, then the conservation order, then the title, so the same inputs always give the same numbers.
"""

from __future__ import annotations

from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.assemble import LotDraft
from lotsmarche.lotting.lines import CONTACT, PreparedDemand
from lotsmarche.lotting.titles import base_title, make_unique, mixed_title, with_territory
from lotsmarche.models import CONSERVATIONS


def name_drafts(drafts: list[LotDraft], prepared: PreparedDemand, cat: Catalogue) -> None:
    """Give every draft its title (unique within the plan)."""
    titles: list[str] = []
    stems: list[str] = []
    details: list[str] = []
    for d in drafts:

        def col(name: str, d: LotDraft = d) -> list[Any]:
            values = prepared.column(name)
            return [values[p] for p in d.group.cells]

        if d.group.intitule:
            titles.append(d.group.intitule)
            stems.append(d.group.intitule)
        else:
            stem, complement = base_title(
                cat,
                famille=d.famille,
                conservation=d.conservation,
                groups=col("groupe_espece"),
                presentations=col("presentation"),
                elabore=d.group.elabore,
                all_elabore=all(col("elabore")),
            )
            if d.conservations:
                stem, complement = mixed_title(cat, d.famille, d.conservations), ""
            titles.append(with_territory(stem + complement, d.group.territoire))
            stems.append(stem)
        especes = sorted({e for e in col("espece") if e})
        names = especes or sorted({cat.produits[p].libelle for p in col("produit")})
        details.append(", ".join(names[:4]) + (" …" if len(names) > 4 else ""))
    contact = [d.regime == CONTACT for d in drafts]
    for d, title in zip(drafts, make_unique(titles, stems, contact, details), strict=True):
        d.intitule = title


def sort_drafts(drafts: list[LotDraft], cat: Catalogue) -> list[LotDraft]:
    """Numbering order: family in catalogue order (`cat.familles`), conservation order, then title."""
    fam_order = {code: i for i, code in enumerate(cat.familles)}
    cons_order = {c: i for i, c in enumerate(CONSERVATIONS)}
    return sorted(
        drafts,
        key=lambda d: (
            fam_order.get(d.famille, len(fam_order)),
            d.famille,
            cons_order.get(d.conservation, len(cons_order)),
            d.intitule,
            d.regime,
            d.first_line,
        ),
    )
