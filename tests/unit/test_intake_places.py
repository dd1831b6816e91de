"""Postcode → commune → territory: commune column, member commune, shared-postcode guess (DEM-007)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.reader import read_demand
from lotsmarche.models import Groupement, Member

MERLAN = "MER-MERLAN-FILET-FR"
# 62240 is Desvres (4 829 inhabitants, Boulonnais) and 13 other Boulonnais communes, plus Bécourt
# (280 inhabitants, Montreuillois-Ternois).
DEM007_62240 = (
    "Le code postal 62240 est commun à des communes de territoires différents (Boulonnais : "
    "Bournonville, Brunembert, Courset, Crémarest, Desvres, Longfossé, Lottinghen, Menneville, Quesques, "
    "Saint-Martin-Choquel, Selles, Senlecques, Vieil-Moutier, Wirwignes ; Montreuillois-Ternois : "
    "Bécourt). Faute de commune indiquée, {n} ligne(s) (membres : {membres}) sont rattachées au "
    "territoire Boulonnais, celui de la commune la plus peuplée (Desvres, 62268)."
)
FIX = (
    "Ajoutez à la demande une colonne « commune » (nom ou code INSEE de la commune de livraison), ou "
    "indiquez la commune du membre dans groupement.yaml ou la feuille « Membres »."
)


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "d.csv"
    p.write_text(text, encoding="utf-8")
    return p


def _places(demand) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    t = demand.table
    return list(zip(t["site_livraison"], t["code_postal"], t["commune_insee"], t["territoire"], strict=True))


def _codes(demand) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in demand.avertissements]


def test_shared_postcode_without_commune_takes_most_populous_and_warns(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(
        tmp_path,
        f"membre;code postal;produit;quantite\nCollège X;62240;{MERLAN};10\nEHPAD Y;62240;{MERLAN};5\n",
    )
    demand = read_demand([p], catalogue, Groupement())
    assert _places(demand) == [
        ("Collège X", "62240", "62268", "Boulonnais"),
        ("EHPAD Y", "62240", "62268", "Boulonnais"),
    ]
    [finding] = [f for f in demand.avertissements if f.code == "DEM-007"]
    assert finding.severite == "avertissement"
    assert finding.message == DEM007_62240.format(n=2, membres="Collège X, EHPAD Y")
    assert finding.correction == FIX
    assert finding.base_legale == "Code de la commande publique, art. L2113-10 (allotissement)"


def test_commune_column_by_name_or_insee_code(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(
        tmp_path,
        "membre;site;code postal;commune;produit;quantite\n"
        f"Collège X;A;62240;becourt;{MERLAN};10\n"
        f"Collège X;B;62240;62102;{MERLAN};10\n"
        f"Collège X;C;62240;Desvres;{MERLAN};10\n"
        f"Collège X;D;;Bécourt;{MERLAN};10\n",  # no postcode: the commune's
    )
    demand = read_demand([p], catalogue, Groupement())
    assert _places(demand) == [
        ("A", "62240", "62102", "Montreuillois-Ternois"),
        ("B", "62240", "62102", "Montreuillois-Ternois"),
        ("C", "62240", "62268", "Boulonnais"),
        ("D", "62240", "62102", "Montreuillois-Ternois"),
    ]
    assert "DEM-007" not in _codes(demand)


def test_commune_column_errors(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(
        tmp_path,
        "membre;code postal;commune;produit;quantite\n"
        f"Collège X;62200;Desvres;{MERLAN};10\n"
        f"Collège X;62240;Atlantis;{MERLAN};10\n",
    )
    with pytest.raises(InputError) as exc:
        read_demand([p], catalogue, Groupement())
    assert exc.value.problems == [
        Problem(
            "la commune Desvres (62268) n'a pas le code postal 62200 (ses codes postaux : 62240) : "
            "corrigez la commune ou le code postal",
            "d.csv",
            None,
            2,
            "commune",
        ),
        Problem(
            "commune « Atlantis » inconnue du code officiel géographique : indiquez son nom exact, son "
            "code INSEE ou son code postal (ex. Desvres, 62268 ou 62240)",
            "d.csv",
            None,
            3,
            "commune",
        ),
    ]


def test_member_commune_from_groupement(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = Groupement(membres=[Member(nom="Collège X", type="college", commune="62102")])  # Bécourt
    p = _csv(
        tmp_path,
        "membre;site;code postal;produit;quantite\n"
        f"Collège X;;;{MERLAN};1\n"  # the member's site and postcode: its commune
        f"Collège X;Collège X;62240;{MERLAN};2\n"  # the member itself, same postcode: its commune
        f"Collège X;Annexe;;{MERLAN};3\n"  # another site with the member's postcode: its commune
        f"Collège X;Cuisine;62240;{MERLAN};4\n",  # another site, its own postcode: guessed, warned
    )
    demand = read_demand([p], catalogue, g)
    assert _places(demand) == [
        ("Annexe", "62240", "62102", "Montreuillois-Ternois"),
        ("Collège X", "62240", "62102", "Montreuillois-Ternois"),
        ("Collège X", "62240", "62102", "Montreuillois-Ternois"),
        ("Cuisine", "62240", "62268", "Boulonnais"),
    ]
    [finding] = [f for f in demand.avertissements if f.code == "DEM-007"]
    assert finding.message == DEM007_62240.format(n=1, membres="Collège X")


def test_postcode_shared_within_one_territory_is_not_warned(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 62170: 29 communes, all in the Montreuillois-Ternois; Montreuil-sur-Mer is the most populous.
    p = _csv(tmp_path, f"membre;code postal;produit;quantite\nCollège X;62170;{MERLAN};10\n")
    demand = read_demand([p], catalogue, Groupement())
    assert _places(demand) == [("Collège X", "62170", "62588", "Montreuillois-Ternois")]
    assert "DEM-007" not in _codes(demand)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "6224",
            "code postal « 6224 » invalide : 5 chiffres attendus (ex. 62200) ; avec 4 chiffres, le zéro "
            "initial a peut-être été supprimé par le tableur (cellule au format nombre) : saisissez les "
            "5 chiffres dans une colonne au format texte",
        ),
        ("622400", "code postal « 622400 » invalide : 5 chiffres attendus (ex. 62200)"),
        ("62A40", "code postal « 62A40 » invalide : 5 chiffres attendus (ex. 62200)"),
    ],
)
def test_bad_postcodes(catalogue, tmp_path, cell: str, message: str) -> None:  # type: ignore[no-untyped-def]
    p = _csv(tmp_path, f"membre;code postal;produit;quantite\nCollège X;{cell};{MERLAN};10\n")
    with pytest.raises(InputError) as exc:
        read_demand([p], catalogue, Groupement())
    assert exc.value.problems == [Problem(message, "d.csv", None, 2, "code postal")]


def test_commune_column_postcode_homonyms_and_other_departments(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(
        tmp_path,
        "membre;site;code postal;commune;produit;quantite\n"
        # 62217: Achicourt's postcode and Cauchy-à-la-Tour's INSEE code; the line's postcode decides
        f"Mairie d'Achicourt;A;62217;Achicourt;{MERLAN};10\n"
        f"Collège X;B;62260;62217;{MERLAN};10\n"  # INSEE code of Cauchy-à-la-Tour (postcode 62260)
        # a name shared by several departments, decided by the postcode
        f"Collège Bourbon;C;97400;Saint-Denis;{MERLAN};10\n"
        f"Collège Y;D;93200;Saint-Denis;{MERLAN};10\n"
        f"Collège Z;E;;Mérignac (33);{MERLAN};10\n",  # no postcode: the commune's
    )
    demand = read_demand([p], catalogue, Groupement())
    assert sorted(_places(demand)) == [
        ("A", "62217", "62004", "Arrageois"),
        ("B", "62260", "62217", "Artois"),
        ("C", "97400", "97411", "CA Intercommunale du Nord de la Réunion (CINOR)"),
        ("D", "93200", "93066", "Métropole du Grand Paris"),
        ("E", "33700", "33281", "Bordeaux Métropole"),
    ]
    assert "DEM-004" not in _codes(demand)
