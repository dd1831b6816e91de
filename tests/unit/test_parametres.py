"""catalogues/parametres.yaml: legal values read by the rules come from data, not from code."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.model import PARAMETRES_ATTENDUS
from lotsmarche.errors import CatalogueError, InputError
from lotsmarche.groupement import load_groupement
from lotsmarche.models import ClauseOverrides
from lotsmarche.resources import catalogues_dir, examples_dir
from lotsmarche.rules import check_plan
from tests.unit._plan_factory import make_plan


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), target)
    return target


def _edit(copy: Path, old: str, new: str) -> None:
    path = copy / "parametres.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(directory)
    return [p.render() for p in info.value.problems]


def test_packaged_parameters_load_with_their_types(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert sorted(catalogue.parametres) == sorted(PARAMETRES_ATTENDUS)
    assert catalogue.parametre_date("loi_climat_criteres_environnementaux") == date(2026, 8, 21)
    assert catalogue.parametre_int("duree_max_accord_cadre_mois") == 48
    assert catalogue.parametre_int("revision_duree_min_mois") == 3
    assert catalogue.parametre_decimal("egalim_part_durable") == Decimal("0.50")
    assert catalogue.parametre_decimal("egalim_part_bio") == Decimal("0.20")
    assert catalogue.parametre_decimal("egalim_part_viande_poisson") == Decimal("0.60")
    assert catalogue.parametre_decimal("egalim_part_viande_poisson_etat") == Decimal("1.00")
    # RULES.md tags: 60 % / 100 % and the 4-year maximum rest on secondary sources.
    assert {c: p.confiance for c, p in catalogue.parametres.items()} == {
        "duree_max_accord_cadre_mois": "S",
        "egalim_part_bio": "C",
        "egalim_part_durable": "C",
        "egalim_part_viande_poisson": "S",
        "egalim_part_viande_poisson_etat": "S",
        "loi_climat_criteres_environnementaux": "C",
        "revision_duree_min_mois": "C",
        "delai_suspension_signature_jours": "S",
        "refere_contractuel_delai_avis_jours": "S",
        "refere_contractuel_delai_max_mois": "S",
        "recours_contrat_delai_mois": "S",
        "avance_seuil_ht": "S",
        "avance_duree_min_mois": "S",
        "avance_taux": "S",
        "delai_min_appel_offres_ouvert_jours": "C",
        "delai_min_appel_offres_reduit_jours": "C",
        "delai_min_procedure_adaptee_jours": "U",
    }
    assert catalogue.parametres["duree_max_accord_cadre_mois"].base_legale == (
        "Code de la commande publique, art. L2125-1"
    )
    assert catalogue.versions["parametres.yaml"] == "2026-12-03"


def test_accessors_name_file_and_code(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogueError) as info:
        catalogue.parametre_int("loi_climat_criteres_environnementaux")
    fichier = str(catalogue.dossier / "parametres.yaml")
    assert [p.render() for p in info.value.problems] == [
        f"{fichier} : entrée « loi_climat_criteres_environnementaux », champ « valeur » : un nombre entier "
        "est attendu (lu : 2026-08-21)"
    ]
    empty = dataclasses.replace(catalogue, parametres={})
    with pytest.raises(CatalogueError) as info:
        empty.parametre_date("loi_climat_criteres_environnementaux")
    assert [p.render() for p in info.value.problems] == [
        f"{fichier} : entrée « loi_climat_criteres_environnementaux » : paramètre absent du catalogue"
    ]


def test_missing_code_and_wrong_types_are_reported(copy: Path) -> None:
    _edit(copy, "  - code: duree_max_accord_cadre_mois\n", "  - libre: duree_max_accord_cadre_mois\n")
    _edit(copy, "    valeur: 3\n", '    valeur: "trois"\n')
    _edit(copy, "    valeur: 0.20\n", "    valeur: 2026-01-01\n")
    problems = _problems(copy)
    where = f"{copy}/parametres.yaml"
    assert problems == [
        f"{where}, ligne 19 : entrée « n° 2 », champ « code » : champ obligatoire manquant",
        f"{where}, ligne 19 : entrée « n° 2 », champ « libre » : champ inconnu (faute de frappe ?)",
        f"{where}, ligne 24 : entrée « revision_duree_min_mois », champ « valeur » : valeur invalide : une "
        "date AAAA-MM-JJ, un nombre entier ou un nombre décimal est attendu (lu : 'trois')",
        f"{where} : entrée « duree_max_accord_cadre_mois », champ « code » : paramètre obligatoire absent "
        "(il est lu par les règles)",
        f"{where}, ligne 35 : entrée « egalim_part_bio », champ « valeur » : valeur invalide pour ce "
        "paramètre : un nombre décimal est attendu (part en fraction : 0.50 pour 50 %) (lu : 2026-01-01)",
    ]


NO_ENVIRONMENT = ClauseOverrides(
    ponderations={"frais": {"performance_environnementale": 0, "qualite_technique": 30, "livraison": 20}},
    retirer=["ENV-EMB-03", "ENV-TRA-01"],
)


def _climate(findings):  # type: ignore[no-untyped-def]
    return sorted((f.code, f.severite, f.lot) for f in findings if f.code.startswith("CLI-"))


def test_climate_law_date_comes_from_the_catalogue(catalogue, copy) -> None:  # type: ignore[no-untyped-def]
    env = sorted(c.id for c in catalogue.clauses if c.condition_execution and c.type == "environnementale")
    overrides = NO_ENVIRONMENT.model_copy(update={"retirer": env})
    launch = load_groupement(examples_dir() / "boulonnais" / "groupement.yaml", catalogue).date_lancement
    assert launch == date(2027, 9, 6)
    plan = make_plan(date_lancement=launch, clauses=overrides)
    assert _climate(check_plan(plan, catalogue)) == [("CLI-001", "erreur", 1), ("CLI-002", "erreur", 1)]

    _edit(copy, "    valeur: 2026-08-21\n", "    valeur: 2027-09-07\n")
    moved = load_catalogue(copy)
    findings = check_plan(plan, moved)
    assert _climate(findings) == [("CLI-005", "info", 1)]
    (cli005,) = [f for f in findings if f.code == "CLI-005"]
    assert cli005.message.endswith("consultations lancées à compter du 7 septembre 2027.")
    # One day later, the obligations apply and the message names the catalogue's date.
    later = check_plan(plan, moved, date(2027, 9, 7))
    assert _climate(later) == [("CLI-001", "erreur", 1), ("CLI-002", "erreur", 1)]
    assert [f.message for f in later if f.code == "CLI-001"] == [
        "Le lot 1 n'a aucun critère d'attribution environnemental, obligatoire pour les consultations "
        "lancées à compter du 7 septembre 2027."
    ]


def _groupement(tmp_path: Path, reconductions: int) -> Path:
    path = tmp_path / "groupement.yaml"
    path.write_text(
        f"membres:\n  - {{nom: A, type: college}}\nduree: {{reconductions: {reconductions}}}\n",
        encoding="utf-8",
    )
    return path


def test_maximum_duration_comes_from_the_catalogue(catalogue, copy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    five_years = _groupement(tmp_path, 4)  # 12 + 4 × 12 = 60 months
    with pytest.raises(InputError) as info:
        load_groupement(five_years, catalogue)
    assert [p.render() for p in info.value.problems] == [
        "groupement.yaml : champ « duree.reconductions » : la durée totale (60 mois, reconductions "
        "comprises) dépasse 4 ans (48 mois), maximum d'un accord-cadre (Code de la commande publique, "
        "art. L2125-1)"
    ]
    _edit(copy, "    valeur: 48\n", "    valeur: 60\n")
    longer = load_catalogue(copy)
    assert load_groupement(five_years, longer).duree.total_mois == 60
    # The accord-cadre rule AC-004 reads the same value.
    sixty = make_plan(duree_mois=60)
    assert [f.message for f in check_plan(sixty, catalogue) if f.code == "AC-004"] == [
        "La durée de l'accord-cadre (60 mois, reconductions comprises) dépasse 4 ans (48 mois)."
    ]
    assert [f.code for f in check_plan(sixty, longer) if f.code == "AC-004"] == []

    _edit(copy, "    valeur: 60\n", "    valeur: 30\n")
    shorter = load_catalogue(copy)
    with pytest.raises(InputError) as info:
        load_groupement(_groupement(tmp_path, 3), shorter)
    assert [p.render() for p in info.value.problems] == [
        "groupement.yaml : champ « duree.reconductions » : la durée totale (48 mois, reconductions "
        "comprises) dépasse 30 mois, maximum d'un accord-cadre (Code de la commande publique, art. L2125-1)"
    ]
