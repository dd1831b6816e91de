"""Property-based: whatever the bytes, intake returns a Demand or raises InputError, never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotsmarche.errors import InputError
from lotsmarche.intake.reader import read_demand
from lotsmarche.intake.values import Fixed, parse_fixed
from lotsmarche.models import Groupement

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADERS = ["membre", "Site de livraison", "CP", "produit", "Qté", "unité", "prix", "mois", "MEMBRE", "", "x"]
CELLS = st.one_of(
    st.sampled_from(
        [
            "MER-MERLAN-FILET-FR",
            "62200",
            "12,5",
            "1 234,5",
            "1.234,5",
            "-1",
            "0",
            "kg",
            "colis",
            "=SUM(A1)",
            "{{ 7*7 }}",
            "#N/A",
            "janv-mars",
            "",
            " ",
            '"',
            ";",
            ",",
            "\u00a0",
            "1e9",
        ]
    ),
    st.text(max_size=8),
)


def _read(catalogue, data: bytes, suffix: str) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"demande{suffix}"
        p.write_bytes(data)
        try:
            demand = read_demand([p], catalogue, Groupement())
        except InputError as exc:
            assert exc.problems and all(pr.message for pr in exc.problems)
        else:
            assert len(demand.table) > 0
            assert (demand.table["quantite_milli"] > 0).all()


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes(catalogue, data: bytes, suffix: str) -> None:  # type: ignore[no-untyped-def]
    _read(catalogue, data, suffix)


@SETTINGS
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=6),
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_csv(catalogue, header, rows, sep, encoding) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(sep.join(r) for r in [header, *rows])
    _read(catalogue, text.encode(encoding, errors="replace"), ".csv")


@SETTINGS
@given(
    whole=st.integers(min_value=0, max_value=10**9),
    frac=st.integers(min_value=0, max_value=999),
    sep=st.sampled_from(["", " ", "\u00a0", "\u202f", "."]),
)
def test_numbers_with_separators(whole: int, frac: int, sep: str) -> None:
    grouped = f"{whole:,}".replace(",", sep)
    text = f"{grouped},{frac:03d}"
    assert parse_fixed(text, 3, "quantité") == Fixed(whole * 1000 + frac)
