"""groupement.yaml: defaults, French conveniences, and one French message per bad key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lotsmarche.errors import InputError
from lotsmarche.groupement import load_groupement
from lotsmarche.models import Groupement


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "groupement.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _lines(catalogue, p: Path) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        load_groupement(p, catalogue)
    return [pr.render() for pr in exc.value.problems]


def test_none_gives_defaults(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert load_groupement(None, catalogue) == Groupement()


def test_valid_file_fills_population_and_coordinator(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = load_groupement(
        _write(
            tmp_path,
            """
nom: Groupement halieutique du Boulonnais
date_lancement: 01/09/2026
membres:
  - {nom: Collège Angellier, type: Collège, commune: Boulogne-sur-Mer}
  - {nom: Commune de Wimereux, type: commune, commune: Wimereux}
  - {nom: EHPAD Guynemer, type: EHPAD}
""",
        ),
        catalogue,
    )
    assert g.date_lancement == date(2026, 9, 1)
    assert [m.type for m in g.membres] == ["college", "commune", "ehpad"]
    assert g.membres[1].population == 6256
    assert g.membres[0].population is None  # only communes need it
    assert g.coordonnateur == "Collège Angellier"


def test_every_bad_key_named(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(
        catalogue,
        _write(
            tmp_path,
            """
date_lancement: 31/02/2026
coordinateur: A
membres:
  - {nom: A, type: cantine}
duree: {reconductions: 4}
""",
        ),
    )
    assert lines == [
        "groupement.yaml : champ « date_lancement » : « 31/02/2026 » n'est pas une date (formats acceptés : "
        "2026-09-01 ou 01/09/2026)",
        "groupement.yaml : champ « membres[1].type » : type de membre « cantine » inconnu ; "
        "types possibles : "
        "college, lycee, ecole, creche, universite, esms, ehpad, hopital, commune, administration",
        "groupement.yaml : champ « duree.reconductions » : la durée totale "
        "(60 mois, reconductions comprises) "
        "dépasse 4 ans (48 mois), maximum d'un accord-cadre (Code de la commande publique, art. L2125-1)",
        "groupement.yaml : champ « coordinateur » : champ inconnu (faute de frappe ?) ; "
        "vouliez-vous dire « coordonnateur » ?",
    ]


def test_coordinator_must_be_a_member_and_unknown_commune(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(
        catalogue,
        _write(
            tmp_path,
            """
coordonnateur: Mairie de Nulle-part
membres:
  - {nom: Commune de Nulle-part, type: commune, commune: Nulle-part}
""",
        ),
    )
    assert lines == [
        "groupement.yaml, ligne 4 : champ « membres[1].commune » : commune « Nulle-part » inconnue du code "
        "officiel géographique : indiquez son nom exact, son code INSEE ou son code postal",
        "groupement.yaml : champ « coordonnateur » : « Mairie de Nulle-part » n'est pas un membre "
        "du groupement ; "
        "membres : « Commune de Nulle-part »",
    ]


def test_yaml_syntax_error_has_line_and_column(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _lines(catalogue, _write(tmp_path, "nom: [a\nb: : c\n")) == [
        "groupement.yaml : syntaxe YAML invalide (ligne 2, colonne 2) : vérifiez l'indentation, "
        "les deux-points "
        "et les guillemets"
    ]


def test_wrong_types(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(catalogue, _write(tmp_path, "k_fournisseurs: beaucoup\nacheteur: regional\n"))
    assert lines == [
        "groupement.yaml : champ « acheteur » : valeur « regional » non admise ; "
        "valeurs possibles : 'local', "
        "'central', 'entite_adjudicatrice'",
        "groupement.yaml : champ « k_fournisseurs » : « beaucoup » : nombre entier attendu",
    ]
