"""A file large enough for the fast paths (uncoded number columns, chunked parsing) gives exact values."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.reader import read_demand
from lotsmarche.models import Groupement

LINES = 50_000  # above the sample that decides to keep a mostly-distinct number column uncoded


def _write(path: Path, bad: dict[int, str] | None = None) -> Path:
    rows = ["membre;site;code postal;produit;quantite;prix"]
    for i in range(LINES):
        # With errors planted: grouped thousands ("12 345,6"), parsed once spaces are removed.
        qty = (
            bad.get(i, f"{(i + 1) // 1000} {(i + 1) % 1000:03d},{i % 7}")
            if bad
            else f"{i + 1},{i % 1000:03d}"
        )
        price = f"{10 + i % 5},{i % 100:02d}" if i % 2 else ""
        rows.append(f"Collège {i % 3};Collège {i % 3};62200;MER-MERLAN-FILET-FR;{qty};{price}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_mostly_distinct_quantities_exact(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demand = read_demand([_write(tmp_path / "d.csv")], catalogue, Groupement())
    t = demand.table.sort_values("ligne_source")
    assert len(t) == LINES
    assert t["quantite_milli"].tolist() == [(i + 1) * 1000 + i % 1000 for i in range(LINES)]
    prices = [(10 + i % 5) * 10000 + (i % 100) * 100 if i % 2 else None for i in range(LINES)]
    assert [
        p if s == "demande" else None for p, s in zip(t["prix_e4"], t["prix_source"], strict=True)
    ] == prices
    # Canonical order: membre, then source order within the member (one site, one product each).
    assert demand.table["ligne_source"].tolist()[:3] == [2, 5, 8]


def test_errors_in_an_uncoded_column_are_located(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = {10: "beaucoup", 30_000: "0", 49_999: " 12,5 "}  # the last one is fine: trimmed
    with pytest.raises(InputError) as exc:
        read_demand([_write(tmp_path / "d.csv", bad)], catalogue, Groupement())
    assert exc.value.problems == [
        Problem("quantité « beaucoup » n'est pas un nombre", "d.csv", None, 12, "quantite"),
        Problem(
            "quantité nulle : supprimez la ligne ou indiquez le besoin annuel",
            "d.csv",
            None,
            30_002,
            "quantite",
        ),
    ]
