"""Per-value rules of the demand columns: catalogue lookups, limits and exact unit scaling."""

from __future__ import annotations

import difflib
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.values import Fixed, parse_fixed
from lotsmarche.text import fold

# Largest quantity accepted on one line, per product unit: beyond, it is almost surely a unit mistake.
QUANTITE_MAX: dict[str, int] = {"kg": 1_000_000, "litre": 1_000_000, "piece": 10_000_000, "colis": 200_000}
QUANTITE_MAX_DEFAULT = 1_000_000
# Largest unit price accepted (euros HT per product unit): no food costs more per kg, litre, piece or
# parcel; a larger figure is a misplaced separator or a total typed as a price.
PRIX_UNITAIRE_MAX = 100_000
LIVRAISONS_MAX = 14  # deliveries per week (twice a day, every day)


def scale(values: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """round_half_up(values × num / den) in exact integer arithmetic (object ints if int64 could overflow)."""
    if not len(values):
        return values.astype("int64")
    if int(values.max(initial=0)) * int(num.max(initial=1)) * 2 < 2**62:
        return np.asarray((values * num * 2 + den) // (den * 2), dtype="int64")
    out = [(int(a) * int(b) * 2 + int(c)) // (int(c) * 2) for a, b, c in zip(values, num, den, strict=True)]
    return np.asarray([min(x, 2**62) for x in out], dtype="int64")


def qty_max(cat: Catalogue, code: str | None) -> int:
    if not code:
        return QUANTITE_MAX_DEFAULT
    return QUANTITE_MAX.get(cat.produits[code].unite, QUANTITE_MAX_DEFAULT)


def qty_text(milli: int) -> str:
    whole, frac = divmod(milli, 1000)
    return int_text(whole) + (("," + f"{frac:03d}".rstrip("0")) if frac else "")


def avail_mask(cat: Catalogue, code: str | None) -> int:
    if not code:
        return 4095
    return sum(1 << (m - 1) for m in cat.produits[code].mois_disponibles)


def int_text(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def ref_e4(cat: Catalogue, code: str | None) -> int:
    if not code:
        return 0
    value = cat.produits[code].prix_reference_ht * 10000
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def suggest(text: str, cat: Catalogue) -> str:
    upper = text.upper()
    found = difflib.get_close_matches(upper, list(cat.produits), n=3, cutoff=0.6)
    by_label = {fold(p.libelle): p.code for p in cat.produits.values()}
    for lab in difflib.get_close_matches(fold(text), list(by_label), n=3, cutoff=0.7):
        if by_label[lab] not in found:
            found.append(by_label[lab])
    if not found:
        return " (voir « lotsmarche catalogue show produits »)"
    return " ; codes proches : " + ", ".join(sorted(found)[:5])


def label(text: str, cat: Catalogue) -> tuple[str, str | None]:
    t = text.strip()
    if not t:
        return "", None
    key = fold(t).replace(" ", "_").replace("-", "_").upper()
    for code, lab in cat.labels.items():
        if key == code.upper() or fold(t) == fold(lab.libelle):
            return code, None
    return "", f"label « {t} » inconnu ; labels possibles : {', '.join(sorted(cat.labels))}"


def packaging(text: str, cat: Catalogue) -> tuple[str, str | None]:
    t = text.strip()
    if not t:
        return "", None
    key = fold(t).replace(" ", "_").replace("-", "_")
    for code, pack in cat.conditionnements.items():
        if key == fold(code) or fold(t) == fold(pack.libelle):
            return code, None
    return (
        "",
        f"conditionnement « {t} » inconnu ; codes possibles : {', '.join(sorted(cat.conditionnements))}",
    )


def deliveries(text: str) -> tuple[float | None, str | None]:
    if not text.strip():
        return None, None
    r = parse_fixed(text, 2, "nombre de livraisons par semaine")
    if isinstance(r, str):
        return None, r
    if isinstance(r, Fixed) and (r.units == 0 or r.units > LIVRAISONS_MAX * 100):
        return None, (
            f"nombre de livraisons par semaine « {text.strip()} » hors limites "
            f"(entre 0 exclu et {LIVRAISONS_MAX})"
        )
    return r.units / 100, None
