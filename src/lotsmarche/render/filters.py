"""French formatting filters for the templates (babel, locale fr_FR).

Everything a lawyer reads goes through these functions, so they follow French administrative typography:
U+202F (narrow no-break space) between thousands, U+00A0 before the euro and percent signs, "1er" for the
first day of a month, amounts in words for the acte d'engagement.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

from lotsmarche.money import eur
from lotsmarche.text import MOIS_FR

LOCALE = "fr_FR"
NNBSP = "\u202f"
NBSP = "\u00a0"


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("un booléen n'est pas un montant")
    return Decimal(str(value))


@lru_cache(maxsize=8192)  # pure and called for every table cell: worth memoising
def montant(value: Any) -> str:
    """``Decimal("1234.5")`` → ``"1 234,50 €"`` (U+202F between thousands, U+00A0 before €)."""
    return eur(_decimal(value))


def nombre(value: Any, decimales: int = 2) -> str:
    """A plain French number with a fixed count of decimals: ``1234.5`` → ``"1 234,50"``."""
    pattern = "#,##0" + ("." + "0" * decimales if decimales else "")
    return str(format_decimal(_decimal(value), format=pattern, locale=LOCALE))


@lru_cache(maxsize=8192)  # pure and called for every table cell: worth memoising
def quantite(value: Any) -> str:
    """A quantity without useless zeros: ``Decimal("1500.000")`` → ``"1 500"``, ``12.5`` → ``"12,5"``."""
    return str(format_decimal(_decimal(value), format="#,##0.###", locale=LOCALE))


@lru_cache(maxsize=8192)  # pure and called for every table cell: worth memoising
def pourcentage(value: Any) -> str:
    """A percentage given in percent units: ``40`` → ``"40 %"``, ``5.5`` → ``"5,5 %"``."""
    return str(format_decimal(_decimal(value), format="#,##0.##", locale=LOCALE)) + NBSP + "%"


@lru_cache(maxsize=8192)  # pure and called for every table cell: worth memoising
def date_fr(value: date) -> str:
    """``date(2026, 3, 1)`` → ``"1er mars 2026"``; ``date(2026, 8, 21)`` → ``"21 août 2026"``."""
    text = str(format_date(value, format="d MMMM y", locale=LOCALE))
    if value.day == 1:
        return "1er" + text[1:]
    return text


def _euros_en_lettres(entier: int) -> str:
    words = str(num2words(entier, lang="fr"))
    if entier == 1:
        return words + " euro"
    # "un million d'euros", "deux milliards d'euros": the noun is followed by "de".
    if entier >= 1_000_000 and entier % 1_000_000 == 0:
        return words + " d'euros"
    return words + " euros"


@lru_cache(maxsize=8192)  # pure and called for every table cell: worth memoising
def montant_lettres(value: Any) -> str:
    """Amount in words for the acte d'engagement: ``216000`` → ``"deux cent seize mille euros"``,
    ``1234.5`` → ``"mille deux cent trente-quatre euros et cinquante centimes"``."""
    amount = _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("un montant en lettres ne peut pas être négatif")
    entier = int(amount)
    centimes = int((amount - entier) * 100)
    text = _euros_en_lettres(entier)
    if centimes:
        unit = "centime" if centimes == 1 else "centimes"
        text += f" et {num2words(centimes, lang='fr')} {unit}"
    return text


def mois_fr(mois: list[int]) -> str:
    """Months of supply as French words: all twelve → ``"toute l'année"``; runs are kept as listed."""
    noms = [MOIS_FR[m - 1] for m in sorted(set(mois)) if 1 <= m <= 12]
    if len(noms) == 12:
        return "toute l'année"
    if not noms:
        return "aucun mois"
    if len(noms) == 1:
        return noms[0]
    return ", ".join(noms[:-1]) + " et " + noms[-1]


FILTERS = {
    "montant": montant,
    "nombre": nombre,
    "quantite": quantite,
    "pourcentage": pourcentage,
    "date_fr": date_fr,
    "montant_lettres": montant_lettres,
    "mois_fr": mois_fr,
}
