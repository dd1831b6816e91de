"""Sourcing file: suppliers read with the intake machinery; bad cells named by file, row and column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotsmarche.errors import InputError
from lotsmarche.sourcing import load_sourcing

HEAD = (
    "Fournisseur;Type;Familles;Conservations;Zones;Capacité annuelle HT;Livraison réemployable;"
    "Circuit court\n"
)


def test_none_gives_catalogue_profiles(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert load_sourcing(None, catalogue) == list(catalogue.fournisseurs)


def test_valid_file(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "sourcing.csv"
    p.write_bytes(
        (
            HEAD + "Marée du port;mareyeur;produits_de_la_mer;frais|surgele;boulonnais, Calaisis;"
            "250 000,50;oui;non\n"
        ).encode("cp1252")
    )
    [s] = load_sourcing(p, catalogue)
    assert (s.nom, s.type, s.familles, s.conservations, s.zones) == (
        "Marée du port",
        "mareyeur",
        ["produits_de_la_mer"],
        ["frais", "surgele"],
        ["Boulonnais", "Calaisis"],
    )
    assert s.capacite_annuelle_ht == Decimal("250000.5")
    assert (s.livraison_reemployable, s.circuit_court, s.illustratif) == (True, False, False)


def test_bad_cells(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "sourcing.csv"
    p.write_text(HEAD + "X;grossiste;poissons;frais;Lune;-5;peut-être;\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_sourcing(p, catalogue)
    where = [(pr.fichier, pr.ligne, pr.colonne) for pr in exc.value.problems]
    assert where == [
        ("sourcing.csv", 2, "Familles"),
        ("sourcing.csv", 2, "Zones"),
        ("sourcing.csv", 2, "Capacité annuelle HT"),
        ("sourcing.csv", 2, "Livraison réemployable"),
    ]
    assert (
        exc.value.problems[2].message == "capacité « -5 » : valeur négative, une valeur positive est attendue"
    )
