"""Groups outside the Pas-de-Calais (Gironde, La Réunion) through `lots` and `dce`: communes of the official
geographic code, delivery territories = EPCI, supplier zones by EPCI or department, GEO-001 for a postcode
that is also an INSEE code; the shipped communes table is in the wheel and loads from an installed package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tests.cli._runner import run

ROOT = Path(__file__).resolve().parents[2]

GIRONDE = """\
nom: Groupement de commandes des collèges de Gironde
reference: GC-33-2027-01
coordonnateur: Département de la Gironde
date_lancement: 2027-02-01
membres:
  - {nom: Département de la Gironde, type: administration, commune: Bordeaux}
  - {nom: Collège Cheverus, type: college, commune: "33000"}
  - {nom: Collège Jules Ferry, type: college, commune: Mérignac}
  - {nom: Collège Max Linder, type: college, commune: "33500 Libourne"}
"""
GIRONDE_DEMANDE = """\
membre;code_postal;produit;quantite
Collège Cheverus;33000;MER-MERLAN-FILET-FR;800
Collège Cheverus;33000;MER-LIEUNOIR-PORTION-SG;1200
Collège Jules Ferry;33700;MER-MERLAN-FILET-FR;600
Collège Jules Ferry;33700;MER-LIEUNOIR-PORTION-SG;900
Collège Max Linder;33500;MER-MERLAN-FILET-FR;700
Collège Max Linder;33500;MER-LIEUNOIR-PORTION-SG;900
"""
GIRONDE_SOURCING = """\
fournisseur;type;familles;conservations;zones
Mareyeur bordelais;mareyeur;produits_de_la_mer;frais|surgele;Bordeaux Métropole|CA du Libournais
Grossiste girondin;grossiste_regional;produits_de_la_mer;frais|surgele;Gironde
"""


def _texts(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _lots(tmp_path: Path, capsys: pytest.CaptureFixture[str], groupement: str, demande: str, sourcing: str):  # type: ignore[no-untyped-def]
    (tmp_path / "groupement.yaml").write_text(groupement, encoding="utf-8")
    (tmp_path / "demande.csv").write_text(demande, encoding="utf-8")
    (tmp_path / "sourcing.csv").write_text(sourcing, encoding="utf-8")
    out = tmp_path / "lots.json"
    code, _, err = run(
        [
            "lots",
            str(tmp_path / "demande.csv"),
            "--groupement",
            str(tmp_path / "groupement.yaml"),
            "--sourcing",
            str(tmp_path / "sourcing.csv"),
            "--strategy",
            "territoire",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    return json.loads(out.read_text(encoding="utf-8")), out


def test_gironde_group_runs_through_lots_and_dce_with_epci_territories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, lots_json = _lots(tmp_path, capsys, GIRONDE, GIRONDE_DEMANDE, GIRONDE_SOURCING)
    membres = plan["groupement"]["membres"]
    assert [m["insee"] for m in membres] == ["33063", "33063", "33281", "33243"]
    titles = [lot["intitule"] for lot in plan["lots"]]
    assert titles == [
        "Poissons blancs frais en filets — Bordeaux Métropole",
        "Poissons blancs frais en filets — CA du Libournais",
        "Poissons blancs surgelés en portions — Bordeaux Métropole",
        "Poissons blancs surgelés en portions — CA du Libournais",
    ]
    # supplier zones by EPCI and by department: both suppliers serve every lot
    assert all(not any(f["code"] == "LOT-001" for f in lot["findings"]) for lot in plan["lots"])
    sites = {
        s["code_postal"]: s["territoire"]
        for lot in plan["lots"]
        for item in lot["items"]
        for s in item["repartition_sites"]
    }
    assert sites == {
        "33000": "Bordeaux Métropole",
        "33700": "Bordeaux Métropole",
        "33500": "CA du Libournais",
    }
    out = tmp_path / "DCE"
    code, _, err = run(["dce", str(lots_json), "--out", str(out)], capsys)
    assert code == 0, err
    rc = _texts(out / "00_RC.docx")
    assert "Groupement de commandes des collèges de Gironde" in rc and "CA du Libournais" in rc
    assert "Boulonnais" not in rc and "Pas-de-Calais" not in rc
    cctp = _texts(out / "02_CCTP.docx")
    assert "Mérignac" in cctp and "Libourne" in cctp  # delivery sites named by their commune
    convention = _texts(out / "Convention_groupement.docx")
    assert "Mérignac" in convention and "Libourne" in convention


REUNION = """\
nom: Groupement de commandes du Nord de La Réunion
reference: GC-974-2027-01
date_lancement: 2027-02-01
membres:
  - {nom: Mairie de Saint-Denis, type: commune, commune: "97400"}
  - {nom: Collège Bourbon, type: college, commune: Saint-Denis}
  - {nom: Collège de Sainte-Marie, type: college, commune: Sainte-Marie}
  - {nom: Mairie de Cauchy-à-la-Tour, type: commune, commune: "62217", insee: "62217"}
"""
REUNION_DEMANDE = """\
membre;code_postal;produit;quantite
Mairie de Saint-Denis;97400;MER-LIEUNOIR-PORTION-SG;900
Collège Bourbon;97400;MER-LIEUNOIR-PORTION-SG;700
Collège de Sainte-Marie;97438;MER-LIEUNOIR-PORTION-SG;800
"""
REUNION_SOURCING = """\
fournisseur;type;familles;conservations;zones
Importateur du port;grossiste_regional;produits_de_la_mer;surgele;974
Grossiste de Sainte-Marie;grossiste_regional;produits_de_la_mer;surgele;La Réunion
"""


def test_reunion_group_homonyms_and_geo_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    groupement = REUNION.replace(
        '  - {nom: Mairie de Cauchy-à-la-Tour, type: commune, commune: "62217", insee: "62217"}\n', ""
    )
    plan, lots_json = _lots(tmp_path, capsys, groupement, REUNION_DEMANDE, REUNION_SOURCING)
    # « Saint-Denis » is decided by the department of the other members (974), « Sainte-Marie » too
    assert [m["insee"] for m in plan["groupement"]["membres"]] == ["97411", "97411", "97418"]
    titles = [lot["intitule"] for lot in plan["lots"]]
    assert titles == [
        "Poissons blancs surgelés en portions — CA Intercommunale du Nord de la Réunion (CINOR)"
    ]
    assert plan["lots"][0]["territoires"] == ["CA Intercommunale du Nord de la Réunion (CINOR)"]
    assert not [f for f in plan["findings"] if f["code"] == "GEO-001"]  # 97400 is no INSEE code
    code, _, err = run(["dce", str(lots_json), "--out", str(tmp_path / "DCE")], capsys)
    assert code == 0, err
    assert "Nord de La Réunion" in _texts(tmp_path / "DCE" / "00_RC.docx")


def test_postcode_that_is_an_insee_code_gives_geo_001(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    groupement = """\
nom: Groupement de l'Arrageois
membres:
  - {nom: Mairie d'Achicourt, type: commune, commune: "62217"}
  - {nom: Mairie de Saint-Laurent-Blangy, type: commune, commune: "62223"}
"""
    demande = "membre;code_postal;produit;quantite\nMairie d'Achicourt;62217;MER-LIEUNOIR-PORTION-SG;900\n"
    demande += "Mairie de Saint-Laurent-Blangy;62223;MER-LIEUNOIR-PORTION-SG;900\n"
    sourcing = "fournisseur;type;familles;zones\nA;grossiste;produits_de_la_mer;62\n"
    sourcing += "B;grossiste;produits_de_la_mer;*\n"
    plan, lots_json = _lots(tmp_path, capsys, groupement, demande, sourcing)
    assert [(m["insee"], m["population"]) for m in plan["groupement"]["membres"]] == [
        ("62004", 7873),
        ("62753", 6459),
    ]
    geo = [f for f in plan["findings"] if f["code"] == "GEO-001"]
    assert [f["membre"] for f in geo] == ["Mairie d'Achicourt", "Mairie de Saint-Laurent-Blangy"]
    assert geo[0]["severite"] == "info"
    assert "c'est aussi le code INSEE de Cauchy-à-la-Tour" in geo[0]["message"]
    assert "« insee: 62217 »" in geo[0]["message"]
    # `check` on the written plan reports it too
    code, out, _ = run(["check", str(lots_json), "--format", "json"], capsys)
    assert code in (0, 1)
    assert "GEO-001" in out


@pytest.mark.slow
def test_communes_table_is_in_the_wheel_and_loads_installed(tmp_path: Path) -> None:
    wheels = tmp_path / "whl"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"wheel build unavailable here: {built.stderr[-300:]}")
    (wheel,) = wheels.glob("lotsmarche-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert {
        "lotsmarche/catalogues/communes.json.gz",
        "lotsmarche/catalogues/cartes_territoires.yaml",
        "lotsmarche/catalogues/territoires.csv",
        "lotsmarche/catalogue/communes.py",
    } <= names
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    script = (
        "import lotsmarche, sys; from lotsmarche.catalogue import load_catalogue; c = load_catalogue();"
        "assert str(c.communes_fichier).startswith(sys.argv[1]), c.communes_fichier;"
        "print(c.trouver_commune('62217', indice='Mairie d Achicourt').code, c.communes['97411'].territoire,"
        " lotsmarche.__file__.startswith(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "62004",
        "CA",
        "Intercommunale",
        "du",
        "Nord",
        "de",
        "la",
        "Réunion",
        "(CINOR)",
        "True",
    ]


def test_place_of_execution_departments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.lotsjson import plan_from_json
    from lotsmarche.rules.communes import departements_execution

    _, lots_json = _lots(tmp_path, capsys, GIRONDE, GIRONDE_DEMANDE, GIRONDE_SOURCING)
    plan = plan_from_json(lots_json.read_text(encoding="utf-8"), "lots.json")
    cat = load_catalogue()
    assert plan.groupement.departement_principal == "33"  # the coordinator's commune
    assert departements_execution(plan, cat) == ["33"]
    assert cat.departements_du_code_postal("20000") == ["2A"]
    assert cat.commune(plan.groupement.membres[0].insee or "").departement == "33"  # type: ignore[union-attr]
