"""`lotsmarche catalogue list | show | check`, through the real entry point (exit codes, French messages)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lotsmarche.resources import catalogues_dir
from tests.cli._runner import run


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), target)
    return target


def test_list_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["catalogue", "list", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    rows = {r["type"]: r for r in data["catalogues"]}
    assert list(rows) == [
        "familles",
        "produits",
        "conditionnements",
        "labels",
        "seuils",
        "territoires",
        "fournisseurs",
        "clauses",
        "criteres",
        "regles",
        "parametres",
        "lint",
        "cpv",
        "communes",
    ]
    assert rows["familles"] == {
        "type": "familles",
        "libelle": "Familles de produits",
        "fichier": "familles.yaml",
        "entrees": 10,
        "version": "2026-11-28",
    }
    assert rows["cpv"]["entrees"] == 9454
    assert rows["territoires"]["entrees"] == 887  # the Pas-de-Calais map
    assert rows["communes"]["entrees"] == 34969  # every current commune, overseas included
    assert rows["communes"]["version"] == "2026-12-03 (@etalab/decoupage-administratif 6.0.0)"


def test_show_seuils_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["catalogue", "show", "seuils", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["type"] == "seuils"
    last = data["entrees"][-1]
    assert (last["du"], last["au"]) == ("2026-04-01", "2027-12-31")
    assert last["dispense"]["montant"] == "60000"  # Decimal as a string, never a float
    assert last["part_max_petits_lots"]["montant"] == "0.20"
    code, out, _ = run(["catalogue", "show", "seuils", "--format", "markdown"], capsys)
    assert code == 0
    assert "| 2026-04-2027 | 2026-04-01 | 2027-12-31 | 60\u202f000\u00a0€ | 80\u202f000\u00a0€ |" in out


def test_show_table_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["catalogue", "show", "familles"], capsys)
    assert code == 0
    assert "Familles de produits (10)" in out
    assert "15980000-1" in out  # codes are folded, never cut with an ellipsis
    assert "…" not in out


def test_show_unknown_kind_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["catalogue", "show", "poissons"], capsys)
    assert code == 2
    assert out == ""
    assert "« poissons » n'est pas un type de catalogue" in err


def test_check_packaged_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["catalogue", "check"], capsys)
    assert code == 0
    assert "Catalogues chargés et vérifiés : 0 erreur(s)" in out
    assert "INFO CAT-020 :" in out
    code, out, _ = run(["catalogue", "check", "--format", "json"], capsys)
    data = json.loads(out)
    assert data["nombres"]["erreur"] == 0
    assert {"code", "severite", "message", "base_legale"} <= set(data["constats"][0])


def test_broken_copy_exits_2_naming_file_entry_and_field(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mer = copy / "produits_mer.yaml"
    text = mer.read_text(encoding="utf-8").replace("  cpv: 03311110-6", "  cpv: 03311110-5", 1)
    mer.write_text(text, encoding="utf-8")
    fam = copy / "familles.yaml"
    fam.write_text(
        fam.read_text(encoding="utf-8").replace("viande_poisson: true", "viande_poisson: peut-être", 1),
        encoding="utf-8",
    )
    code, out, err = run(["catalogue", "check", "--catalogues", str(copy)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur : Catalogue invalide\n")
    assert "produits_mer.yaml, ligne" in err
    assert "entrée « MER-SOLE-ENTIER-FR », champ « cpv » : chiffre de contrôle erroné (03311110-5)" in err
    assert (
        "entrée « produits_de_la_mer », champ « viande_poisson » : valeur invalide : true ou false est "
        "attendu (lu : 'peut-être')"
    ) in err
    assert "Traceback" not in err


def test_check_with_errors_exits_1(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mer = copy / "produits_mer.yaml"
    chunks = mer.read_text(encoding="utf-8").split("\n- code: ")
    mer.write_text("\n- code: ".join(c for c in chunks if "espece: grondin" not in c), encoding="utf-8")
    code, out, _ = run(["catalogue", "check", "--catalogues", str(copy)], capsys)
    assert code == 1
    assert "ERREUR CAT-004 : Espèces de la criée de Boulogne-sur-Mer absentes du catalogue : grondin." in out
