"""Money and quantity arithmetic: exact ``Decimal``, rounded to the cent only where a document says so.

The canonical demand table stores quantities as integer thousandths of the product unit
(``quantite_milli``) and unit prices as integer ten-thousandths of a euro (``prix_e4``), so that a
million lines aggregate exactly and fast; these helpers convert at the edges.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QTY_SCALE = 1000  # quantite_milli = quantity × 1000
PRICE_SCALE = 10000  # prix_e4 = unit price HT × 10000


def round_cents(value: Decimal) -> Decimal:
    """Commercial rounding to the cent (half up), as the DQE's ROUND(…;2) does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ceil_cents(value: Decimal) -> Decimal:
    """Round up to the cent: an accord-cadre maximum must never fall below the estimate."""
    return value.quantize(CENT, rounding=ROUND_CEILING)


def qty_from_milli(milli: int) -> Decimal:
    return (Decimal(int(milli)) / QTY_SCALE).normalize() if milli else Decimal(0)


def price_from_e4(e4: int) -> Decimal:
    return (Decimal(int(e4)) / PRICE_SCALE).quantize(Decimal("0.0001"))


def amount_exact(milli: int, e4: int) -> Decimal:
    """Exact amount HT of ``milli`` thousandths at ``e4`` ten-thousandths of a euro (no rounding)."""
    return Decimal(int(milli) * int(e4)) / (QTY_SCALE * PRICE_SCALE)


def fmt_qty(value: Decimal) -> str:
    """Plain quantity string without exponent and trailing zeros (for JSON and tables)."""
    return format(value.normalize(), "f")


NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"  # no-break space: before € and %


def eur(value: Decimal, *, exact: bool = False, whole: bool = False, ht: bool = False) -> str:
    """THE French amount of the project (STYLE.md): ``1 234,50 €``, U+202F between thousands, U+00A0
    before €. ``exact``: keep the real decimals of a unit price (2 to 4); ``whole``: ``40 000 €`` for a
    whole amount; ``ht``: ``1 234,50 € HT``."""
    from babel.numbers import format_currency

    if whole and value == value.to_integral_value():
        text = format_currency(value, "EUR", format=f"#,##0{NBSP}¤", locale="fr_FR", currency_digits=False)
    else:
        text = format_currency(value, "EUR", locale="fr_FR", decimal_quantization=not exact)
    return f"{text} HT" if ht else str(text)


def pct(share: Decimal) -> str:
    """French percentage of a fraction, with up to two decimals: ``Decimal("0.125")`` → ``12,5 %``."""
    text = format((share * 100).quantize(Decimal("0.01")).normalize(), "f").replace(".", ",")
    return f"{text}{NBSP}%"
