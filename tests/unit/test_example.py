"""The bundled Boulonnais example: writing it (atomic, no overwrite) and the consistency of its data."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from lotsmarche.errors import OutputExistsError, RenderError
from lotsmarche.example import EXAMPLE_FILES, example_source_dir, write_example
from lotsmarche.models import Groupement

CANTEEN_KINDS = {"college", "lycee", "ecole", "creche", "esms", "ehpad", "hopital", "commune"}
SCHOOL_KINDS = {"college", "lycee", "ecole", "creche", "universite", "commune"}


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, as paths relative to it (the questionnaires sit in fournisseurs/)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def source() -> Path:
    return example_source_dir()


@pytest.fixture(scope="module")
def groupement_data(source: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((source / "groupement.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demand_rows(source: Path) -> list[dict[str, str]]:
    with (source / "demande.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


# ---------------------------------------------------------------------------------------------------
# write_example
# ---------------------------------------------------------------------------------------------------


def test_write_example_creates_folder_with_identical_files(tmp_path: Path, source: Path) -> None:
    out = tmp_path / "nouveau" / "exemple"
    written = write_example(out)
    assert written == [out / name for name in EXAMPLE_FILES]
    assert _files(out) == sorted(EXAMPLE_FILES)
    for name in EXAMPLE_FILES:
        assert (out / name).read_bytes() == (source / name).read_bytes()
    # no temporary folder left next to the output
    assert [p.name for p in out.parent.iterdir()] == ["exemple"]


def test_write_example_into_existing_folder_keeps_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    write_example(tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à garder"
    assert _files(tmp_path) == sorted([*EXAMPLE_FILES, "notes.txt"])


def test_write_example_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "demande.csv").write_text("ma demande", encoding="utf-8")
    with pytest.raises(OutputExistsError) as exc:
        write_example(tmp_path)
    assert exc.value.message == "Des fichiers de l'exemple existent déjà dans le dossier de sortie"
    assert [p.fichier for p in exc.value.problems] == [str(tmp_path / "demande.csv")]
    assert "--force" in exc.value.problems[0].message
    # nothing written, the user's file untouched
    assert [p.name for p in tmp_path.iterdir()] == ["demande.csv"]
    assert (tmp_path / "demande.csv").read_text(encoding="utf-8") == "ma demande"


def test_write_example_with_force_replaces(tmp_path: Path, source: Path) -> None:
    (tmp_path / "demande.csv").write_text("ma demande", encoding="utf-8")
    write_example(tmp_path, force=True)
    assert (tmp_path / "demande.csv").read_bytes() == (source / "demande.csv").read_bytes()
    assert _files(tmp_path) == sorted(EXAMPLE_FILES)


def test_write_example_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "fichier"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_example(target, force=True)
    assert target.read_text(encoding="utf-8") == "x"


def _failing_copy(fail_on: str):  # type: ignore[no-untyped-def]
    real = shutil.copyfile

    def copy(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst).name == fail_on:
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    return copy


def test_write_example_new_folder_writes_nothing_on_failure(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(shutil, "copyfile", _failing_copy("sourcing.csv"))
    out = tmp_path / "exemple"
    with pytest.raises(RenderError) as exc:
        write_example(out)
    assert exc.value.message == "Impossible d'écrire l'exemple"
    assert "aucun fichier n'a été écrit" in exc.value.problems[0].message
    assert list(tmp_path.iterdir()) == []


def test_write_example_existing_folder_writes_nothing_on_failure(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demande.csv").write_text("ma demande", encoding="utf-8")
    monkeypatch.setattr(shutil, "copyfile", _failing_copy("sourcing.csv"))
    with pytest.raises(RenderError):
        write_example(tmp_path, force=True)
    # the first files were copied into the temporary folder only: nothing replaced, nothing left behind
    assert [p.name for p in tmp_path.iterdir()] == ["demande.csv"]
    assert (tmp_path / "demande.csv").read_text(encoding="utf-8") == "ma demande"


# ---------------------------------------------------------------------------------------------------
# groupement.yaml
# ---------------------------------------------------------------------------------------------------


def test_groupement_validates_with_the_model(groupement_data: dict) -> None:  # type: ignore[type-arg]
    g = Groupement.model_validate(groupement_data)
    assert g.reference == "GCH-MER-2026-01"
    assert g.coordonnateur == "Département du Pas-de-Calais"
    assert g.coordonnateur in [m.nom for m in g.membres]
    assert g.acheteur == "local"
    assert g.date_lancement == date(2027, 9, 6)  # stays in the future: a past launch is an error
    duree = g.duree
    assert (duree.periode_initiale_mois, duree.reconductions, duree.duree_reconduction_mois) == (12, 3, 12)
    assert g.duree.total_mois == 48
    assert g.marge_maximum == Decimal("0.20")
    assert g.k_fournisseurs == 2
    assert g.lots_max_par_candidat is None
    assert g.adresse
    assert len(g.contacts) == 3
    for contact in g.contacts:
        assert contact.courriel is not None
        assert contact.courriel.endswith(("@exemple.fr", "@exemple.org"))  # fictitious addresses only


def test_groupement_loads_with_the_reader(source: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.groupement import load_groupement

    g = load_groupement(source / "groupement.yaml", catalogue)
    assert len(g.membres) == 22


def test_members_are_real_canteens(groupement_data: dict, catalogue) -> None:  # type: ignore[no-untyped-def,type-arg]
    g = Groupement.model_validate(groupement_data)
    canteens = [m for m in g.membres if m.type in CANTEEN_KINDS]
    assert len(canteens) >= 15
    names = [m.nom for m in g.membres]
    assert len(names) == len(set(names))
    assert {
        "Collège Angellier",
        "Collège Paul Eluard",
        "Collège Pilâtre de Rozier",
        "Collège Roger Salengro",
        "Collège Adam de la Halle",
        "Collège Paul Langevin",
        "Collège Pierre Daunou",
        "Centre hospitalier de Boulogne-sur-Mer",
        "Commune de Wimereux",
    } <= set(names)
    for m in g.membres:
        assert m.commune is not None and catalogue.commune(m.commune) is not None, m.nom
        if m.siret is not None:
            assert len(m.siret) == 14 and m.siret.isdigit() and _luhn_ok(m.siret), m.nom
    by_name = {m.nom: m for m in g.membres}
    assert by_name["Centre hospitalier de Boulogne-sur-Mer"].siret == "26620940200012"
    assert by_name["Collège Angellier"].siret == "19620051300014"


def test_commune_members_carry_their_population(groupement_data: dict, catalogue) -> None:  # type: ignore[no-untyped-def,type-arg]
    g = Groupement.model_validate(groupement_data)
    communes = {m.nom: m for m in g.membres if m.type == "commune"}
    assert {n: m.population for n, m in communes.items()} == {
        "Commune de Wimereux": 6256,
        "Commune d'Isques": 1122,
        "Commune de Groffliers": 1470,
    }
    for m in communes.values():
        assert m.commune is not None
        assert catalogue.commune(m.commune).population == m.population
    assert any(m.population is not None and m.population < 2000 for m in communes.values())


# ---------------------------------------------------------------------------------------------------
# demande.csv
# ---------------------------------------------------------------------------------------------------


def test_demand_file_format(source: Path, demand_rows: list[dict[str, str]]) -> None:
    header = (source / "demande.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois;label_requis;"
        "conditionnement;livraisons_par_semaine"
    )
    assert 150 <= len(demand_rows) <= 400
    assert any("," in r["quantite"] for r in demand_rows)  # decimal commas, as a French export
    assert not any("." in r["quantite"] for r in demand_rows)
    priced = [r for r in demand_rows if r["prix_unitaire_ht"]]
    assert 1 <= len(priced) <= len(demand_rows) // 10  # the catalogue price is used on most lines


def test_every_product_code_exists_in_the_catalogue(demand_rows: list[dict[str, str]], catalogue) -> None:  # type: ignore[no-untyped-def]
    codes = {r["produit"] for r in demand_rows}
    assert codes <= set(catalogue.produits)
    assert {catalogue.produits[c].famille for c in codes} == {"produits_de_la_mer"}
    for r in demand_rows:
        assert r["unite"] == catalogue.produits[r["produit"]].unite


def test_members_and_sites(demand_rows: list[dict[str, str]], groupement_data: dict, catalogue) -> None:  # type: ignore[no-untyped-def,type-arg]
    members = {m["nom"] for m in groupement_data["membres"]}
    assert {r["membre"] for r in demand_rows} <= members
    assert len({r["membre"] for r in demand_rows}) >= 15
    sites = {(r["membre"], r["site_livraison"]): r["code_postal"] for r in demand_rows}
    assert len(sites) >= 20
    assert all(cp in catalogue.codes_postaux for cp in sites.values())
    territories = {catalogue.territoire_du_code_postal(cp) for cp in sites.values()}
    assert territories == {"Boulonnais", "Calaisis", "Montreuillois-Ternois"}
    per_member: dict[str, int] = {}
    for membre, _site in sites:
        per_member[membre] = per_member.get(membre, 0) + 1
    assert per_member["Commune de Wimereux"] == 2


def test_fresh_lines_months_labels_and_packaging(
    demand_rows: list[dict[str, str]],
    groupement_data: dict,
    catalogue,  # type: ignore[no-untyped-def,type-arg]
) -> None:
    kinds = {m["nom"]: m["type"] for m in groupement_data["membres"]}
    for r in demand_rows:
        product = catalogue.produits[r["produit"]]
        if r["mois"]:
            months = {int(m) for m in r["mois"].split(",")}
            assert months <= set(product.mois_disponibles), r
        else:
            assert product.conservation != "frais" or len(product.mois_disponibles) == 12, r
        if r["label_requis"]:
            assert r["label_requis"] in product.labels_possibles, r
        packaging = r["conditionnement"] or product.conditionnement_defaut
        regime = catalogue.conditionnements[packaging].regime
        if kinds[r["membre"]] in SCHOOL_KINDS:
            assert regime != "plastique_contact", r
        if r["conditionnement"]:
            assert product.conservation == "frais"
        if product.conservation == "frais":
            assert r["livraisons_par_semaine"] in {"2", "3"}
    herring = [r for r in demand_rows if r["produit"] == "MER-HARENG-FILET-FR"]
    assert herring
    assert all(r["label_requis"] == "PECHE_DURABLE" and r["mois"] == "10,11,12,1" for r in herring)
    assert any(r["produit"] == "MER-MOULE-ENTIER-FR" and r["label_requis"] == "BIO" for r in demand_rows)
    assert sum(r["conditionnement"] == "caisse_reemployable" for r in demand_rows) >= 50


def test_demand_reads_without_error_or_warning(source: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.money import amount_exact

    g = load_groupement(source / "groupement.yaml", catalogue)
    demand = read_demand([source / "demande.csv"], catalogue, g)
    table = demand.table
    assert len(table) == 332
    assert demand.avertissements == []
    territories = sorted(table["territoire"].unique().tolist())
    assert territories == ["Boulonnais", "Calaisis", "Montreuillois-Ternois"]
    assert (table["prix_source"] == "demande").sum() == 5
    pairs = zip(table["quantite_milli"], table["prix_e4"], strict=True)
    yearly = sum(amount_exact(int(q), int(p)) for q, p in pairs)
    # The order of magnitude the example is built for: formal procedure over 4 years, 250 to 450 k€ a year.
    assert Decimal(250_000) <= yearly <= Decimal(450_000)
    assert yearly * 4 * Decimal("1.2") >= Decimal(216_000)


# ---------------------------------------------------------------------------------------------------
# sourcing.csv and LISEZMOI.md
# ---------------------------------------------------------------------------------------------------


def test_sourcing_profiles(source: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.sourcing import load_sourcing

    suppliers = load_sourcing(source / "sourcing.csv", catalogue)
    assert len(suppliers) == 12
    assert all(s.nom.startswith("Profil ") for s in suppliers)
    # fresh crustaceans (grey shrimp): the shrimp fisher and the mareyeur-transformateur, so that the
    # default strategy leaves no lot servable by fewer than k = 2 profiles
    fresh_crustaceans = [
        s.nom
        for s in suppliers
        if "produits_de_la_mer" in s.familles
        and (s.conservations is None or "frais" in s.conservations)
        and (s.groupes_especes is None or "crustaces" in s.groupes_especes)
    ]
    assert fresh_crustaceans == [
        "Profil B — mareyeur-transformateur de Capécure",
        "Profil G — crevettier de la baie de Canche (crevette grise cuite)",
    ]


def test_questionnaires_are_the_sourcing_and_follow_the_seasons(source: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.sourcing import load_sourcing, read_sourcing

    launch = date(2027, 9, 6)
    read = read_sourcing([source / "fournisseurs"], catalogue, reference=launch)
    assert read.fournisseurs == load_sourcing(source / "sourcing.csv", catalogue, reference=launch)
    assert read.findings == []  # no blank month, every certificate valid at the launch: a clean default run
    by_letter = {s.nom.split(" ")[1]: s for s in read.fournisseurs}
    assert sorted(by_letter) == list("ABCDEFGHIJKL")
    for s in read.fournisseurs:
        for code, months in (s.volumes_mensuels or {}).items():
            product = catalogue.produits[code]
            off_season = [m for m in range(1, 13) if m not in product.mois_disponibles and months[m - 1]]
            assert off_season == [], (s.nom, code)
    smoked = by_letter["H"].volumes_mensuels["MER-HARENG-FUME-RE"]  # type: ignore[index]
    assert [i + 1 for i, v in enumerate(smoked) if v] == [1, 2, 11, 12]
    # the yearly capacities in euros of the former profiles are kept: the lots stay servable
    assert by_letter["A"].capacite_annuelle_ht == Decimal(250000)
    assert by_letter["G"].capacite_annuelle_kg == Decimal(3000)


def test_lisezmoi_states_sources_and_fiction(source: Path) -> None:
    text = (source / "LISEZMOI.md").read_text(encoding="utf-8")
    for needle in (
        "arrêté du 30 septembre 2011",
        "ma-cantine",
        "illustratifs",
        "fictive",
        "4/20",
        "objectif 9.1",
        "216 000 € HT",
    ):
        assert needle in text, needle
