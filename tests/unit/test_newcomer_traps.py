"""The newcomer's traps (review/newcomer.md, issue 11 part 5): built-in sourcing said aloud, school-safe
catalogue packagings, checked by the catalogue check."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.check import check_catalogue
from lotsmarche.pipeline import plan_lots
from lotsmarche.resources import catalogues_dir
from lotsmarche.sourcing import builtin_sourcing_findings

GROUPEMENT = """\
nom: Groupement de l'Arrageois
date_lancement: 2026-10-05
membres:
  - {nom: Collège Verlaine, type: college, commune: Arras}
  - {nom: Commune d'Arras, type: commune, commune: Arras, population: 41000}
"""
DEMAND = """\
membre;code_postal;produit;quantite
Collège Verlaine;62000;LAI-YAOURT-NATURE;24000
Collège Verlaine;62000;FLG-POMME-FR;3000
Commune d'Arras;62000;LAI-YAOURT-NATURE;12000
"""


@pytest.fixture
def arras(tmp_path: Path, catalogue) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    fruit = next(c for c, p in sorted(catalogue.produits.items()) if p.famille == "fruits_legumes")
    (tmp_path / "demande.csv").write_text(DEMAND.replace("FLG-POMME-FR", fruit), encoding="utf-8")
    (tmp_path / "groupement.yaml").write_text(GROUPEMENT, encoding="utf-8")
    return tmp_path / "demande.csv", tmp_path / "groupement.yaml"


def _codes(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in plan.findings] + [f.code for lot in plan.lots for f in lot.findings]


def test_without_sourcing_a_warning_says_the_builtin_seafood_profiles_stand_in(
    arras: tuple[Path, Path],
) -> None:
    demand, groupement = arras
    plan, _ = plan_lots([demand], groupement_path=groupement)
    src = [f for f in plan.findings if f.code == "SRC-001"]
    assert len(src) == 1
    assert src[0].severite == "avertissement" and src[0].lot is None
    assert "profils illustratifs" in src[0].message and "Boulonnais" in src[0].message
    laitiers = load_catalogue(None).familles["produits_laitiers"].libelle
    assert f"« {laitiers} » (1 profil" in src[0].message
    assert "R2111-1" in src[0].base_legale
    assert "--sourcing" in (src[0].correction or "")


def test_with_a_sourcing_file_no_such_warning(arras: tuple[Path, Path], tmp_path: Path) -> None:
    demand, groupement = arras
    sourcing = tmp_path / "sourcing.csv"
    sourcing.write_text(
        "fournisseur;familles;zones\nLaiterie A;produits_laitiers|fruits_legumes;*\n"
        "Laiterie B;produits_laitiers|fruits_legumes;*\n",
        encoding="utf-8",
    )
    plan, _ = plan_lots([demand], groupement_path=groupement, sourcing_path=sourcing)
    assert not {"SRC-001", "SRC-002"} & set(_codes(plan))


def test_the_bundled_example_uses_its_own_sourcing_without_warning() -> None:
    plan, _ = plan_lots([])
    assert "SRC-001" not in _codes(plan)


def test_a_family_no_profile_covers_is_named(catalogue) -> None:  # type: ignore[no-untyped-def]
    seafood_only = dataclasses.replace(
        catalogue, fournisseurs=[s for s in catalogue.fournisseurs if s.familles == ["produits_de_la_mer"]]
    )
    findings = builtin_sourcing_findings(["produits_de_la_mer", "oeufs"], seafood_only, 2)
    assert [f.code for f in findings] == ["SRC-001", "SRC-002"]
    assert catalogue.familles["oeufs"].libelle in findings[1].message
    assert "Aucun profil" in findings[1].message
    # the seafood family is well covered: it is not listed as thin
    assert "Familles de la demande" not in findings[0].message


def test_plain_yogurt_no_longer_blocks_a_school_group(arras: tuple[Path, Path]) -> None:
    demand, groupement = arras
    plan, _ = plan_lots([demand], groupement_path=groupement)
    assert not [f for f in _codes(plan) if f in ("EMB-001", "EMB-002")]
    # no packaging error; servability by the built-in profiles (LOT-001, an error since issue 10) is
    # another matter, reported with SRC-001/002
    assert not [
        f for lot in plan.lots for f in lot.findings if f.severite == "erreur" and f.code != "LOT-001"
    ]


def test_no_default_packaging_breaks_the_school_plastic_ban(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert not [f for f in check_catalogue(catalogue) if f.code == "CAT-030"]
    assert catalogue.produits["LAI-YAOURT-NATURE"].conditionnement_defaut == "bocal_verre"


def test_catalogue_check_flags_a_banned_default_packaging(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    path = folder / "produits_autres.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- code: LAI-YAOURT-NATURE")
    before, after = text[:start], text[start:]
    after = after.replace(
        "conditionnement_defaut: bocal_verre", "conditionnement_defaut: pot_individuel_plastique", 1
    )
    path.write_text(before + after, encoding="utf-8")
    findings = [f for f in check_catalogue(load_catalogue(folder)) if f.code == "CAT-030"]
    assert len(findings) == 1
    assert findings[0].severite == "erreur"
    assert "LAI-YAOURT-NATURE" in findings[0].message and "EMB-001" in findings[0].message
    assert "L541-15-10" in findings[0].base_legale
