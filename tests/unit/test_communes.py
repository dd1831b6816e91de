"""The national communes table (communes.json.gz) and how a commune written by a buyer is resolved."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from lotsmarche.catalogue import communes, load_catalogue
from lotsmarche.errors import CatalogueError, InputError
from lotsmarche.groupement import load_groupement
from lotsmarche.resources import catalogues_dir

# ------------------------------------------------------------------------------------------ the table


def test_table_covers_every_department_overseas_and_corsica(catalogue) -> None:  # type: ignore[no-untyped-def]
    geo = catalogue.geo
    assert geo.version == "6.0.0" and geo.extrait_le == "2026-12-03"
    deps = {row.departement for row in geo.rows.values()}
    metro = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert metro | {"971", "972", "973", "974", "976"} <= deps
    ajaccio = catalogue.commune("2A004")
    assert (ajaccio.nom, ajaccio.departement, ajaccio.region) == ("Ajaccio", "2A", "94")
    assert "20000" in ajaccio.codes_postaux
    saint_denis = catalogue.communes["97411"]
    assert (saint_denis.nom, saint_denis.departement, saint_denis.epci_nom) == (
        "Saint-Denis",
        "974",
        "CA Intercommunale du Nord de la Réunion (CINOR)",
    )
    assert saint_denis.territoire == saint_denis.epci_nom  # no map for La Réunion: the EPCI
    assert saint_denis.population > 150_000
    mamoudzou = catalogue.commune("Mamoudzou")
    assert mamoudzou is not None and mamoudzou.departement == "976"
    paris = catalogue.commune("Paris")
    assert paris is not None and paris.code_insee == "75056" and "75116" in paris.codes_postaux
    assert catalogue.departement_nom("33") == "Gironde"


def test_pas_de_calais_keeps_its_own_map_elsewhere_the_epci(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert [c.departement for c in catalogue.cartes_info] == ["62"]
    achicourt = catalogue.communes["62004"]
    assert (achicourt.territoire, achicourt.epci_nom, achicourt.population) == (
        "Arrageois",
        "CU d'Arras",
        7873,
    )
    assert catalogue.communes["33063"].territoire == "Bordeaux Métropole"
    assert catalogue.communes["33243"].territoire == "CA du Libournais"
    # islands outside any EPCI are their own territory
    assert catalogue.communes["85113"].territoire == "L'Île-d'Yeu"
    assert catalogue.zone("Gironde") == catalogue.territoires_du_departement("33")
    assert "Bordeaux Métropole" in catalogue.zone("33")  # type: ignore[operator]
    assert catalogue.zone("CU d'Arras") == ["Arrageois"]  # an EPCI of a mapped department: its map territory
    assert catalogue.zone("Atlantide") is None


def test_shipped_file_is_compact_and_reproducible(tmp_path: Path) -> None:
    shipped = catalogues_dir() / "communes.json.gz"
    assert shipped.stat().st_size < 3_000_000
    doc = json.loads(gzip.decompress(shipped.read_bytes()))
    assert doc["version"] == "6.0.0" and "decoupage-administratif" in doc["source"]
    assert len(doc["communes"]) == 34969
    assert doc["communes"] == sorted(doc["communes"])
    assert shipped.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0: same bytes for the same data


def test_catalogue_load_does_not_read_the_communes(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    communes._load.cache_clear()
    cat = load_catalogue(folder)
    assert communes._load.cache_info().currsize == 0  # loading the catalogue never reads the table
    assert cat.commune("Achicourt").code_insee == "62004"  # type: ignore[union-attr]
    assert communes._load.cache_info().currsize == 1


def test_a_copied_catalogue_without_the_table_uses_the_packaged_one(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    (folder / "communes.json.gz").unlink()
    cat = load_catalogue(folder)
    assert cat.communes_fichier == catalogues_dir() / "communes.json.gz"
    assert cat.commune("Bordeaux").code_insee == "33063"  # type: ignore[union-attr]


def test_another_department_can_add_its_own_map(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    (folder / "territoires_33.csv").write_text(
        "code_insee,nom,territoire\n33063,Bordeaux,Bordeaux-Centre\n33281,Mérignac,Bordeaux-Ouest\n",
        encoding="utf-8",
    )
    with (folder / "cartes_territoires.yaml").open("a", encoding="utf-8") as fh:
        fh.write('  - departement: "33"\n    fichier: territoires_33.csv\n    libelle: "Gironde (essai)"\n')
    cat = load_catalogue(folder)
    assert cat.communes["33063"].territoire == "Bordeaux-Centre"
    assert cat.communes["33281"].territoire == "Bordeaux-Ouest"
    assert cat.communes["33243"].territoire == "CA du Libournais"  # not in the map: its EPCI
    (folder / "territoires_33.csv").write_text("code_insee,territoire\n62004,Arrageois\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert any(
        "territoires_33.csv, ligne 2 : entrée « 62004 », champ « code_insee » : code INSEE mal formé ou hors "
        "du département 33" in p.render()
        for p in info.value.problems
    ), [p.render() for p in info.value.problems]


# ------------------------------------------------------------------------------------------ resolution


def test_postcode_wins_over_an_insee_code_with_a_note(catalogue) -> None:  # type: ignore[no-untyped-def]
    # 62217 is Achicourt's postcode (shared by 7 communes) and Cauchy-à-la-Tour's INSEE code.
    r = catalogue.trouver_commune("62217", indice="Mairie d'Achicourt")
    assert r.code == "62004"
    assert r.note is not None
    assert "lu comme code postal, commun à 7 communes : Achicourt" in r.note
    assert "c'est aussi le code INSEE de Cauchy-à-la-Tour (Pas-de-Calais, code INSEE 62217)" in r.note
    assert "« insee: 62217 »" in r.note
    r = catalogue.trouver_commune("62223", indice="Commune de Saint-Laurent-Blangy")
    assert r.code == "62753" and "Chérisy" in (r.note or "")
    # a unique postcode that is also another commune's INSEE code: read as the postcode, with the note
    r = catalogue.trouver_commune("62200")
    assert r.code == "62160"
    assert r.note == (
        "« 62200 » lu comme code postal : Boulogne-sur-Mer (Pas-de-Calais, code INSEE 62160) ; c'est aussi "
        "le code INSEE de Cambrin (Pas-de-Calais, code INSEE 62200) : pour désigner cette "
        "commune, écrivez « insee: 62200 » (ou son nom)"
    )
    # forcing the INSEE code
    assert catalogue.trouver_commune("insee: 62217").code == "62217"
    assert catalogue.trouver_commune("62217", insee_force=True).code == "62217"
    # an INSEE code that is no postcode is the INSEE code, without a note
    r = catalogue.trouver_commune("62041")
    assert (r.code, r.note) == ("62041", None)


def test_shared_postcode_without_a_name_lists_the_communes(catalogue) -> None:  # type: ignore[no-untyped-def]
    r = catalogue.trouver_commune("62000", indice="Collège Jehan Bodel")
    assert r.code is None
    assert r.erreur == (
        "le code postal 62000 est commun à 2 communes : Arras (Pas-de-Calais, code INSEE 62041), Dainville "
        "(Pas-de-Calais, code INSEE 62263) ; indiquez le nom de la commune ou son code INSEE"
    )
    assert catalogue.trouver_commune("62000", indice="Mairie d'Arras").code == "62041"
    assert catalogue.trouver_commune("62000 Dainville").code == "62263"
    assert catalogue.trouver_commune("cp 62000", indice="Ville de Dainville").code == "62263"


def test_names_homonyms_and_qualifiers(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.trouver_commune("saint laurent blangy").code == "62753"
    assert catalogue.trouver_commune("St-Laurent-Blangy").code == "62753"
    r = catalogue.trouver_commune("Saint-Denis")
    assert r.code is None and r.homonymes
    assert "Saint-Denis (La Réunion, code INSEE 97411)" in (r.erreur or "")
    assert "précisez le département entre parenthèses" in (r.erreur or "")
    assert catalogue.trouver_commune("Saint-Denis", departements=["974"]).code == "97411"
    assert catalogue.trouver_commune("Saint-Denis (974)").code == "97411"
    assert catalogue.trouver_commune("Saint-Denis (93066)").code == "93066"
    assert catalogue.libelle_commune("97411") == "Saint-Denis (974)"
    assert catalogue.libelle_commune("62004") == "Achicourt"
    assert catalogue.trouver_commune("1400", indice="Mairie de Romans").code == "01328"  # lost leading zero


def test_unknown_commune_messages(catalogue) -> None:  # type: ignore[no-untyped-def]
    r = catalogue.trouver_commune("Achicour")
    assert r.erreur == (
        "commune « Achicour » inconnue du code officiel géographique ; communes proches : Achicourt : "
        "indiquez son nom exact, son code INSEE ou son code postal"
    )
    assert catalogue.trouver_commune("00000").erreur == (
        "« 00000 » n'est ni un code postal ni un code INSEE de commune : vérifiez le code ou écrivez le nom "
        "de la commune"
    )
    assert catalogue.trouver_commune("insee: 99999").erreur == "aucune commune n'a le code INSEE « 99999 »"


# ------------------------------------------------------------------------------------------ groupement.yaml


def _groupement(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groupement.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ARRAS = """\
nom: Groupement de l'Arrageois
membres:
  - nom: Mairie d'Arras
    type: commune
    commune: "62000"
  - nom: Mairie d'Achicourt
    type: commune
    commune: "62217"
  - nom: Mairie de Saint-Laurent-Blangy
    type: commune
    commune: 62223
  - nom: Mairie de Cauchy-à-la-Tour
    type: commune
    insee: "62217"
"""


def test_newcomer_repro_postcodes_resolve_to_the_right_communes(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = load_groupement(_groupement(tmp_path, ARRAS), catalogue)
    assert [(m.insee, m.population) for m in g.membres] == [
        ("62041", 42875),
        ("62004", 7873),
        ("62753", 6459),
        ("62217", 2593),
    ]
    assert [m.commune for m in g.membres] == ["62000", "62217", "62223", None]  # as written
    assert g.departements == ["62"] and g.departement_principal == "62"
    assert catalogue.commune(g.membres[1].insee).departement == "62"  # type: ignore[arg-type, union-attr]


def test_groupement_messages_name_file_line_and_key(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _groupement(
        tmp_path,
        """\
membres:
  - nom: Collège Jehan Bodel
    type: college
    commune: "62000"
  - nom: Restaurant scolaire
    type: ecole
    commune: Nulle-part
  - nom: Mairie
    type: commune
    commune: Achicourt
    insee: "62041"
""",
    )
    with pytest.raises(InputError) as info:
        load_groupement(path, catalogue)
    assert [p.render() for p in info.value.problems] == [
        "groupement.yaml, ligne 4 : champ « membres[1].commune » : le code postal 62000 est commun à 2 "
        "communes : Arras (Pas-de-Calais, code INSEE 62041), Dainville (Pas-de-Calais, code INSEE 62263) ; "
        "indiquez le nom de la commune ou son code INSEE",
        "groupement.yaml, ligne 7 : champ « membres[2].commune » : commune « Nulle-part » inconnue du code "
        "officiel géographique : indiquez son nom exact, son code INSEE ou son code postal",
        "groupement.yaml, ligne 10 : champ « membres[3].commune » : « Achicourt » désigne Achicourt "
        "(Pas-de-Calais, code INSEE 62004), pas la commune du code INSEE « 62041 » (Arras (Pas-de-Calais, "
        "code INSEE 62041)) : corrigez l'un des deux champs",
    ]


def test_homonyms_decided_by_the_group_department(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = """\
membres:
  - {nom: Collège Bourbon, type: college, commune: Saint-Denis}
  - {nom: Lycée Leconte de Lisle, type: lycee, commune: "97490"}
"""
    # 97490 is a postcode of Saint-Denis (La Réunion): the other member's department decides
    g = load_groupement(_groupement(tmp_path, text), catalogue)
    assert [m.insee for m in g.membres] == ["97411", "97411"]
    assert g.departement_principal == "974"
    # without another member, the name alone is ambiguous; the « departement » key decides
    alone = "membres:\n  - {nom: Collège Bourbon, type: college, commune: Saint-Denis}\n"
    with pytest.raises(InputError) as info:
        load_groupement(_groupement(tmp_path, alone), catalogue)
    assert "plusieurs communes s'appellent « Saint-Denis »" in info.value.problems[0].message
    g = load_groupement(_groupement(tmp_path, "departement: 974\n" + alone), catalogue)
    assert g.membres[0].insee == "97411" and g.departement_principal == "974"


def test_catalogue_check_compares_each_map_with_the_national_table(tmp_path: Path) -> None:
    from lotsmarche.catalogue.check import check_catalogue

    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    lines = (folder / "territoires.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("62004,")] + ["62999,Nulle-part,Arrageois"]
    (folder / "territoires.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    cat = load_catalogue(folder)
    found = {f.code: f for f in check_catalogue(cat) if f.code in ("CAT-025", "CAT-026")}
    assert found["CAT-025"].severite == "erreur" and "(62999)" in found["CAT-025"].message
    assert found["CAT-026"].message.endswith(
        "1 commune(s) du département n'y figurent pas et sont livrées dans le territoire de leur EPCI : "
        "Achicourt (62004)."
    )
    assert cat.communes["62004"].territoire == "CU d'Arras"  # outside the map: its EPCI
    assert not [f for f in check_catalogue(load_catalogue()) if f.code in ("CAT-025", "CAT-026")]


def test_former_communes_lead_to_the_commune_nouvelle(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = catalogue.trouver_commune("Cherbourg-Octeville")
    assert r.code == "50129"
    assert r.note == (
        "« Cherbourg-Octeville » n'est plus une commune (commune déléguée ou associée) ; commune actuelle "
        "retenue : Cherbourg-en-Cotentin (Manche, code INSEE 50129)"
    )
    r = catalogue.trouver_commune("20004")  # Ajaccio before Corsica was split into 2A and 2B
    assert r.code == "2A004" and "ancien code INSEE" in (r.note or "")
    assert catalogue.trouver_commune("insee: 20004").code == "2A004"
    g = load_groupement(
        _groupement(tmp_path, "membres:\n  - {nom: Mairie, type: commune, commune: Annecy-le-Vieux}\n"),
        catalogue,
    )
    assert (g.membres[0].insee, g.departement_principal) == ("74010", "74")
    from lotsmarche.models import LotPlan
    from lotsmarche.rules.communes import check_communes

    plan = LotPlan.model_construct(groupement=g, lots=[])
    [finding] = check_communes(plan, catalogue)
    assert finding.code == "GEO-001" and "Annecy (Haute-Savoie, code INSEE 74010)" in finding.message
