"""French filters of the DCE templates: exact code points (U+202F, U+00A0), words, dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotsmarche.render.filters import (
    date_fr,
    mois_fr,
    montant,
    montant_lettres,
    nombre,
    pourcentage,
    quantite,
)
from lotsmarche.text import clean_text


def test_montant_uses_narrow_nbsp_thousands_and_nbsp_before_euro() -> None:
    assert montant(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert montant(Decimal("216000")) == "216\u202f000,00\u00a0€"
    assert montant(Decimal("0.05")) == "0,05\u00a0€"


def test_date_fr_first_day_is_1er() -> None:
    assert date_fr(date(2026, 3, 1)) == "1er mars 2026"
    assert date_fr(date(2026, 8, 21)) == "21 août 2026"
    assert date_fr(date(2026, 12, 31)) == "31 décembre 2026"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (Decimal("216000"), "deux cent seize mille euros"),
        (Decimal("1"), "un euro"),
        (Decimal("1000000"), "un million d'euros"),
        (Decimal("2000000.00"), "deux millions d'euros"),
        (Decimal("1234.50"), "mille deux cent trente-quatre euros et cinquante centimes"),
        (Decimal("80.01"), "quatre-vingts euros et un centime"),
    ],
)
def test_montant_lettres(value: Decimal, words: str) -> None:
    assert montant_lettres(value) == words


def test_montant_lettres_rejects_negative() -> None:
    with pytest.raises(ValueError):
        montant_lettres(Decimal("-1"))


def test_numbers_and_percentages() -> None:
    assert pourcentage(40) == "40\u00a0%"
    assert pourcentage(Decimal("5.5")) == "5,5\u00a0%"
    assert quantite(Decimal("1500.000")) == "1\u202f500"
    assert quantite(Decimal("800.5")) == "800,5"
    assert nombre(Decimal("1234.5")) == "1\u202f234,50"


def test_months_in_words() -> None:
    assert mois_fr(list(range(1, 13))) == "toute l'année"
    assert mois_fr([12, 1, 2]) == "janvier, février et décembre"
    assert mois_fr([5]) == "mai"


def test_clean_text_removes_xml_illegal_characters_only() -> None:
    assert clean_text("a\x00b\x07c\x0cd\te\r\nf") == "abcd\te\nf"
    assert clean_text("« R&D » <x>") == "« R&D » <x>"
