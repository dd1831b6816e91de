"""Valuation and procedures: every threshold tested on both sides, with the catalogue's dated rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotsmarche.valuation import (
    allocate_derogations,
    eligible_derogation,
    estimate_over_duration,
    maximum_of,
    minimum_of,
    procedure_code_for,
    procedure_for,
    procedures_for_lots,
    value_lot,
)

D = Decimal
APRIL_2 = date(2026, 4, 2)
MARCH_31 = date(2026, 3, 31)


@pytest.fixture(scope="module")
def row_2026(catalogue):
    return catalogue.seuils_pour(date(2026, 9, 1))


@pytest.fixture(scope="module")
def row_march(catalogue):
    return catalogue.seuils_pour(MARCH_31)


@pytest.fixture(scope="module")
def row_april(catalogue):
    return catalogue.seuils_pour(APRIL_2)


# --- amounts of one lot -------------------------------------------------------------------------


def test_estimate_covers_the_whole_duration_rounded_half_up() -> None:
    assert estimate_over_duration(D("1000.00"), 48) == D("4000.00")
    assert estimate_over_duration(D("100.01"), 7) == D("58.34")  # 58.33916… → 58.34
    assert estimate_over_duration(D("0.06"), 6) == D("0.03")  # 0.03 exactly
    assert estimate_over_duration(D("0.03"), 6) == D("0.02")  # 0.015 → half up


def test_maximum_is_rounded_up_and_minimum_optional() -> None:
    assert maximum_of(D("100.01"), D("0.20")) == D("120.02")  # 120.012 → up
    assert maximum_of(D("100.00"), D("0.20")) == D("120.00")
    assert maximum_of(D("100.00"), D("0")) == D("100.00")
    assert minimum_of(D("100.00"), None) is None
    assert minimum_of(D("100.01"), D("0.5")) == D("50.01")  # 50.005 → half up
    value = value_lot(D("12000.00"), 48, D("0.20"), D("0.25"))
    assert (value.estime, value.minimum, value.maximum) == (D("48000.00"), D("12000.00"), D("57600.00"))


@given(
    annual=st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False),
    months=st.integers(min_value=1, max_value=48),
    marge=st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False),
)
def test_maximum_never_below_the_estimate(annual: Decimal, months: int, marge: Decimal) -> None:
    value = value_lot(annual, months, marge, None)
    assert value.maximum >= value.estime
    assert value.maximum == value.maximum.quantize(D("0.01"))


# --- overall procedure --------------------------------------------------------------------------


def test_total_of_exactly_216000_is_formal_and_one_cent_less_is_mapa(row_2026) -> None:
    assert procedure_code_for(D("216000.00"), row_2026, "local") == "appel_offres"
    assert procedure_code_for(D("215999.99"), row_2026, "local") == "mapa"
    formal = procedure_for(D("216000.00"), row_2026, "local")
    assert formal.publicite == "joue"
    assert formal.seuil_applique == D("216000")
    assert "égale ou supérieure" in formal.motifs[1]


def test_central_and_utility_buyers_use_their_own_eu_threshold(row_2026) -> None:
    assert procedure_code_for(D("140000.00"), row_2026, "central") == "appel_offres"
    assert procedure_code_for(D("139999.99"), row_2026, "central") == "mapa"
    assert procedure_code_for(D("431999.99"), row_2026, "entite_adjudicatrice") == "mapa"
    assert procedure_code_for(D("432000.00"), row_2026, "entite_adjudicatrice") == "appel_offres"


def test_dispense_threshold_moves_on_1_april_2026(row_march, row_april) -> None:
    assert procedure_code_for(D("39999.99"), row_march, "local") == "dispense"
    assert procedure_code_for(D("40000.00"), row_march, "local") == "mapa"
    assert procedure_code_for(D("59999.99"), row_april, "local") == "dispense"
    assert procedure_code_for(D("60000.00"), row_april, "local") == "mapa"


def test_mapa_publicity_changes_at_90000(row_2026) -> None:
    assert procedure_for(D("89999.99"), row_2026, "local").publicite == "adaptee"
    assert procedure_for(D("90000.00"), row_2026, "local").publicite == "boamp_jal"
    assert procedure_for(D("59999.99"), row_2026, "local").publicite == "libre"


# --- allowance ----------------------------------------------------------------------------------


def test_mini_lot_of_59999_99_on_2_april_but_not_on_31_march(row_march, row_april) -> None:
    maxima = {1: D("59999.99"), 2: D("400000.00")}
    april = procedures_for_lots(maxima, row_april, "local", "hors_consultation")
    assert april.globale.code == "appel_offres"
    assert april.lots[1].derogation == "mini_lot"
    assert april.lots[1].code == "dispense"
    assert april.lots[1].hors_consultation
    assert april.lots[1].publicite == "libre"
    assert april.lots[1].articles == ["R2122-8"]
    assert any("demandez plusieurs devis" in m for m in april.lots[1].motifs)
    assert april.lots[2].articles == ["L2124-2", "R2124-2", "R2161-2 à R2161-5"]
    march = procedures_for_lots(maxima, row_march, "local", "hors_consultation")
    assert march.lots[1].derogation is None  # 40 000 € then: not under the R2122-8 amount
    assert march.lots[1].code == "appel_offres"
    assert march.part_derogations == D("0.0000")
    mapa = procedures_for_lots(maxima, row_march, "local", "mapa")
    assert mapa.lots[1].derogation == "petit_lot"
    assert mapa.lots[1].code == "mapa" and not mapa.lots[1].hors_consultation
    assert mapa.lots[1].articles == ["L2123-1", "R2123-1 2°", "R2123-4", "R2123-5"]
    assert mapa.lots[2].derogation is None
    assert mapa.lots[2].code == "appel_offres"
    assert "R2123-5" not in mapa.lots[2].articles
    assert mapa.part_derogations == D("0.1304")  # 59 999,99 / 459 999,99


def test_by_default_every_lot_follows_the_whole_and_the_options_are_said(row_april) -> None:
    maxima = {1: D("59999.99"), 2: D("400000.00")}
    outcome = procedures_for_lots(maxima, row_april, "local")
    assert all(p.derogation is None and p.code == "appel_offres" for p in outcome.lots.values())
    assert outcome.part_derogations == D("0.0000")
    assert [f.code for f in outcome.findings] == ["VAL-002"]
    message = outcome.findings[0].message
    assert "petits_lots: mapa" in message and "petits_lots: hors_consultation" in message
    assert "le lot 1" in message


def test_eligibility_boundaries(row_april, row_march) -> None:
    mapa, hors = "mapa", "hors_consultation"
    assert eligible_derogation(D("79999.99"), row_april, "appel_offres", mapa) == "petit_lot"
    assert eligible_derogation(D("80000.00"), row_april, "appel_offres", mapa) is None
    assert eligible_derogation(D("59999.99"), row_april, "appel_offres", mapa) == "petit_lot"
    assert eligible_derogation(D("59999.99"), row_april, "appel_offres", hors) == "mini_lot"
    assert eligible_derogation(D("60000.00"), row_april, "appel_offres", hors) is None
    assert eligible_derogation(D("59999.99"), row_april, "mapa", hors) == "mini_lot"
    assert eligible_derogation(D("59999.99"), row_april, "mapa", mapa) is None  # no petits lots in a MAPA
    assert eligible_derogation(D("59999.99"), row_march, "mapa", hors) is None
    assert eligible_derogation(D("39999.99"), row_march, "mapa", hors) == "mini_lot"
    assert eligible_derogation(D("100.00"), row_april, "dispense", hors) is None
    assert eligible_derogation(D("100.00"), row_april, "appel_offres") is None  # « aucun » by default


def test_twenty_percent_is_inclusive_and_smallest_lots_go_first(row_april) -> None:
    hors = "hors_consultation"
    chosen, left = allocate_derogations(
        {1: D("200000.00"), 2: D("50000.00")}, row_april, "appel_offres", hors
    )
    assert chosen == {2: "mini_lot"}  # 50 000 = exactly 20 % of 250 000
    assert left == []
    chosen, left = allocate_derogations(
        {1: D("200000.01"), 2: D("50000.00")}, row_april, "appel_offres", hors
    )
    assert chosen == {2: "mini_lot"}
    chosen, left = allocate_derogations(
        {1: D("199999.99"), 2: D("50000.00")}, row_april, "appel_offres", hors
    )
    assert chosen == {} and left == [2]  # 50 000 > 20 % of 249 999,99
    maxima = {1: D("150000"), 2: D("50000"), 3: D("45000"), 4: D("55000")}  # total 300 000, cap 60 000
    chosen, left = allocate_derogations(maxima, row_april, "appel_offres", hors)
    assert chosen == {3: "mini_lot"}
    assert left == [2, 4]
    outcome = procedures_for_lots(maxima, row_april, "local", hors)
    assert outcome.part_derogations == D("0.1500")
    assert [f.code for f in outcome.findings] == ["VAL-001"]
    assert "les lots 2 et 4" in outcome.findings[0].message
    assert "le lot 3 retiré de la consultation" in outcome.findings[0].message
    assert any("plafond" in m for m in outcome.lots[2].motifs)


def test_ties_are_broken_by_lot_number(row_april) -> None:
    maxima = {1: D("400000"), 2: D("50000"), 3: D("50000")}  # cap 100 000: both fit
    chosen, _ = allocate_derogations(maxima, row_april, "appel_offres", "mapa")
    assert sorted(chosen) == [2, 3]
    maxima = {1: D("350000"), 3: D("50000"), 2: D("50000")}  # cap 90 000: only one fits
    chosen, left = allocate_derogations(maxima, row_april, "appel_offres", "mapa")
    assert sorted(chosen) == [2] and left == [3]


def test_no_allowance_without_formal_or_mapa(row_april) -> None:
    outcome = procedures_for_lots({1: D("10000"), 2: D("20000")}, row_april, "local")
    assert outcome.globale.code == "dispense"
    assert all(p.derogation is None and p.code == "dispense" for p in outcome.lots.values())
    assert outcome.part_derogations == D("0.0000")
    assert outcome.findings == []


lot_values = st.lists(
    st.decimals(min_value=1, max_value=500_000, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(values=lot_values, april=st.booleans(), usage=st.sampled_from(["mapa", "hors_consultation"]))
def test_small_lots_never_exceed_20_percent_and_serve_the_most_lots(
    values: list[Decimal], april: bool, usage: str, row_april, row_march
) -> None:
    row = row_april if april else row_march
    maxima = {i + 1: v for i, v in enumerate(values)}
    outcome = procedures_for_lots(maxima, row, "local", usage)  # type: ignore[arg-type]
    total = sum(values, D(0))
    used = sum((maxima[n] for n, p in outcome.lots.items() if p.derogation), D(0))
    assert used <= total * D("0.20")
    assert outcome.part_derogations <= D("0.2000")
    eligible = [n for n in maxima if eligible_derogation(maxima[n], row, outcome.globale.code, usage)]  # type: ignore[arg-type]
    best = max(
        (
            len(c)
            for r in range(len(eligible) + 1)
            for c in combinations(eligible, r)
            if sum((maxima[n] for n in c), D(0)) <= total * D("0.20")
        ),
        default=0,
    )
    assert sum(1 for p in outcome.lots.values() if p.derogation) == best
    # A lot without publicity never sits inside an advertised consultation (R2122-8): it is taken out.
    for p in outcome.lots.values():
        inside = outcome.globale.code != "dispense"
        assert p.hors_consultation == (inside and p.code == "dispense")
        assert ("R2123-5" in p.articles) == (p.code == "mapa")
