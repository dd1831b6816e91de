"""Who in the sourcing can serve a lot: the one definition used by `capacite`, `optimal` and the metrics.

Sourcing is market research (R2111-1): it only sizes lots. Supplier location is never an award criterion;
zones here are the delivery zones a supplier says it can serve.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from lotsmarche.models import CONSERVATION_LIBELLES, CONSERVATIONS, Supplier
from lotsmarche.money import eur

GROUPE_LIBELLES: dict[str, str] = {
    "poissons_blancs": "poissons blancs",
    "poissons_plats": "poissons plats",
    "poissons_bleus": "poissons bleus",
    "cephalopodes": "céphalopodes",
    "coquillages": "coquillages",
    "crustaces": "crustacés",
    "produits_transformes": "produits transformés",
}


def _eur(value: Decimal) -> str:
    return eur(value)


def _kg(value: Decimal) -> str:
    from babel.numbers import format_decimal

    return f"{format_decimal(value, format='#,##0.###', locale='fr_FR')} kg"


@dataclass(frozen=True)
class LotNeed:
    """What a (candidate) lot asks of a supplier."""

    famille: str
    conservation: str
    regime: str
    groupes_especes: frozenset[str]  # empty for products without a species group
    produits: frozenset[str]
    territoires: frozenset[str]  # delivery territories ("" = unknown territory, servable only by "*")
    montant_annuel_ht: Decimal
    kg_annuel: Decimal | None = None
    conservations: frozenset[str] = frozenset()  # every conservation of a mixed lot (« famille »)

    def all_conservations(self) -> list[str]:
        every = self.conservations | {self.conservation}
        return [c for c in CONSERVATIONS if c in every] + sorted(every - set(CONSERVATIONS))


def blocking_reasons(supplier: Supplier, need: LotNeed) -> list[str]:
    """Why ``supplier`` cannot serve ``need`` (French, empty list when it can)."""
    reasons: list[str] = []
    if need.famille not in supplier.familles:
        reasons.append(f"ne fournit pas la famille {need.famille}")
    if supplier.conservations is not None:
        missing_c = [c for c in need.all_conservations() if c not in supplier.conservations]
        if missing_c:
            labels = ", ".join(CONSERVATION_LIBELLES.get(c, c) for c in missing_c)
            reasons.append(f"ne fournit pas de produits {labels}")
    if supplier.groupes_especes is not None:
        missing = sorted(g for g in need.groupes_especes if g not in supplier.groupes_especes)
        if missing:
            reasons.append("ne fournit pas : " + ", ".join(GROUPE_LIBELLES.get(g, g) for g in missing))
    if supplier.produits is not None:
        missing = sorted(p for p in need.produits if p not in supplier.produits)
        if missing:
            reasons.append("ne propose pas les produits " + ", ".join(missing))
    if "*" not in supplier.zones:
        missing = sorted(t or "(territoire inconnu)" for t in need.territoires if t not in supplier.zones)
        if missing:
            reasons.append("ne livre pas : " + ", ".join(missing))
    if need.regime == "reemployable" and not supplier.livraison_reemployable:
        reasons.append("ne livre pas en emballages réemployables")
    if supplier.capacite_annuelle_ht is not None and supplier.capacite_annuelle_ht < need.montant_annuel_ht:
        reasons.append(
            f"capacité annuelle de {_eur(supplier.capacite_annuelle_ht)} HT inférieure au besoin de "
            f"{_eur(need.montant_annuel_ht)} HT"
        )
    if (
        supplier.capacite_annuelle_kg is not None
        and need.kg_annuel is not None
        and supplier.capacite_annuelle_kg < need.kg_annuel
    ):
        reasons.append(
            f"capacité annuelle de {_kg(supplier.capacite_annuelle_kg)} inférieure au besoin de "
            f"{_kg(need.kg_annuel)}"
        )
    return reasons


def can_serve(supplier: Supplier, need: LotNeed) -> bool:
    return not blocking_reasons(supplier, need)


def servable_by(need: LotNeed, suppliers: Iterable[Supplier]) -> list[str]:
    """Names of the suppliers able to serve ``need``, sorted."""
    return sorted(s.nom for s in suppliers if can_serve(s, need))
