"""The reference catalogues: loading, cross-checks, content rules and the CPV check digit."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.check import REQUIRED_SPECIES, check_catalogue
from lotsmarche.catalogue.cpv import cpv_check_digit, cpv_follows_rule, cpv_problem
from lotsmarche.catalogue.views import eur, months
from lotsmarche.errors import CatalogueError, InputError
from lotsmarche.resources import catalogues_dir

# ma-cantine CharacteristicFamilyExceptions (frontend constants @04dddca), restated here on purpose: the test
# must not trust labels.yaml to check labels.yaml.
EXCLUDED = {
    "LABEL_ROUGE": {"BOISSONS"},
    "PECHE_DURABLE": {
        "FRUITS_ET_LEGUMES",
        "CHARCUTERIE",
        "VIANDES_VOLAILLES",
        "PRODUITS_LAITIERS",
        "BOULANGERIE",
        "AUTRES",
        "BOISSONS",
    },
    "FERMIER": {"FRUITS_ET_LEGUMES", "PRODUITS_DE_LA_MER", "BOULANGERIE", "AUTRES", "BOISSONS"},
}


def official_cpv() -> dict[str, str]:
    with (catalogues_dir() / "cpv.csv").open(encoding="utf-8") as fh:
        return {row["CODE"]: row["FR"] for row in csv.DictReader(fh)}


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "mes_catalogues"
    shutil.copytree(catalogues_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(directory)
    return [p.render() for p in info.value.problems]


# ---------------------------------------------------------------------------------------------- loading


def test_packaged_catalogue_loads_with_expected_sizes(catalogue) -> None:  # type: ignore[no-untyped-def]
    mer = [p for p in catalogue.produits.values() if p.famille == "produits_de_la_mer"]
    assert len(mer) >= 80
    assert len(catalogue.produits) - len(mer) >= 60
    assert len(catalogue.cpv) == 9454
    assert len(catalogue.communes) == 34969  # every current commune (official geographic code 2026)
    assert len(catalogue.cartes["62"]) == 887  # the Pas-de-Calais's own map of territories
    assert len(catalogue.fournisseurs) >= 10
    assert all(s.illustratif for s in catalogue.fournisseurs)
    assert set(catalogue.familles) == {
        "produits_de_la_mer",
        "viandes_boucherie",
        "volailles",
        "charcuterie",
        "oeufs",
        "fruits_legumes",
        "produits_laitiers",
        "boulangerie",
        "epicerie",
        "boissons",
    }
    assert catalogue.versions["seuils.yaml"] == "2026-11-28"


def test_required_products_and_exact_values(catalogue) -> None:  # type: ignore[no-untyped-def]
    merlan = catalogue.produits["MER-MERLAN-FILET-FR"]
    assert merlan.cpv == "15211100-1"
    assert merlan.prix_reference_ht == Decimal("12.50")
    assert isinstance(merlan.prix_reference_ht, Decimal)
    assert merlan.conversions == {"colis": Decimal("5")}
    lieu = catalogue.produits["MER-LIEUNOIR-PORTION-SG"]
    assert (lieu.conservation, lieu.presentation) == ("surgele", "portion_calibree")
    assert lieu.saisonnalite_confiance == "C"
    assert lieu.mois_disponibles == list(range(1, 13))
    for code in ("MER-HARENG-FUME-RE", "MER-SARDINE-CONSERVE-AP", "MER-CSJ-NOIX-SG"):
        assert code in catalogue.produits
    species = {p.espece for p in catalogue.produits.values()}
    assert set(REQUIRED_SPECIES) <= species


def test_fresh_seafood_months_follow_the_grid(catalogue) -> None:  # type: ignore[no-untyped-def]
    # RULES.md §15.5: hareng "o o . . . . . . . o H H", coquille "o o o o o x x x x o H H", sole "o . . o ..."
    assert catalogue.produits["MER-HARENG-ENTIER-FR"].mois_disponibles == [1, 2, 10, 11, 12]
    assert catalogue.produits["MER-CSJ-ENTIER-FR"].mois_disponibles == [1, 2, 3, 4, 5, 10, 11, 12]
    sole = catalogue.produits["MER-SOLE-ENTIER-FR"]
    assert sole.mois_disponibles == [1, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert sole.saisonnalite_confiance == "S"
    assert "RULES.md §15.5" in sole.saisonnalite_source
    assert "mareis.over-blog.com" in catalogue.produits["MER-HARENG-ENTIER-FR"].saisonnalite_source
    for p in catalogue.produits.values():
        if p.famille == "produits_de_la_mer" and p.conservation != "frais":
            assert p.mois_disponibles == list(range(1, 13)), p.code
            assert p.saisonnalite_confiance == "C", p.code


def test_postcodes_and_territories(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.territoire_du_code_postal("62200") == "Boulonnais"
    assert catalogue.commune("boulogne-sur-mer").code_insee == "62160"  # type: ignore[union-attr]
    # "62120 62129" in the source: two postcodes, both indexed
    assert catalogue.communes["62691"].codes_postaux == ["62120", "62129"]
    assert "62691" in catalogue.codes_postaux["62129"]
    assert catalogue.territoire_du_code_postal("75001") == "Métropole du Grand Paris"  # no map: EPCI
    assert catalogue.territoire_du_code_postal("99999") is None


def test_load_is_cached_and_sees_edits(copy: Path) -> None:
    first = load_catalogue(copy)
    assert load_catalogue(copy) is first
    edit(copy / "produits_mer.yaml", "prix_reference_ht: 22.00", "prix_reference_ht: 23.10")
    again = load_catalogue(copy)
    assert again is not first
    assert again.produits["MER-SOLE-ENTIER-FR"].prix_reference_ht == Decimal("23.10")


# ---------------------------------------------------------------------------------------------- CPV


def test_cpv_rule_on_known_codes() -> None:
    # Examples of Regulation (EC) 213/2008 quoted in public descriptions of the CPV
    for code in (
        "03113100-7",
        "03113200-8",
        "18451000-5",
        "18453000-9",
        "71355000-1",
        "71355200-3",
        "15221000-3",
        "15211100-1",
        "15241500-4",
    ):
        assert cpv_check_digit(code[:8]) == int(code[-1]), code
        assert cpv_follows_rule(code)
    assert not cpv_follows_rule("15221000-4")
    with pytest.raises(ValueError):
        cpv_check_digit("1522100")


def test_every_official_cpv_code_passes() -> None:
    official = official_cpv()
    assert len(official) == 9454
    assert all(cpv_problem(code, official) is None for code in official)
    # The weighted rule explains 8,922 codes; the 532 others sit in subtrees moved by the 2008 revision.
    assert sum(cpv_follows_rule(c) for c in official) == 8922
    assert official["03311500-7"] == "Merlan"
    assert not cpv_follows_rule("03311500-7")  # fish moved from division 05: the list is authoritative


def test_cpv_problem_messages() -> None:
    official = official_cpv()
    assert cpv_problem("03311500-3", official) == (
        "chiffre de contrôle erroné (03311500-3) : le code officiel est 03311500-7 « Merlan »"
    )
    # 9 × (3+7+1+3+7+1+3+7) = 288: the rule gives 8
    assert cpv_problem("99999999-8", official) == (
        "code CPV inconnu de la nomenclature officielle (99999999-8)"
    )
    assert cpv_problem("99999999-1", official) == (
        "code CPV inconnu de la nomenclature officielle et chiffre de contrôle invalide (99999999-1)"
    )
    assert "mal formé" in (cpv_problem("0331150-7", official) or "")


def test_every_catalogue_cpv_is_official(catalogue) -> None:  # type: ignore[no-untyped-def]
    official = official_cpv()
    codes = [p.cpv for p in catalogue.produits.values()] + [f.cpv for f in catalogue.familles.values()]
    assert all(c in official for c in codes)
    assert catalogue.produits["MER-MERLAN-ENTIER-FR"].cpv == "03311500-7"
    assert catalogue.produits["MER-SOLE-ENTIER-FR"].cpv == "03311110-6"
    assert catalogue.produits["MER-CABILLAUD-ENTIER-FR"].cpv == "03311210-7"


# ---------------------------------------------------------------------------------------------- labels


def test_labels_respect_family_exceptions(catalogue) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for p in catalogue.produits.values():
        fam = catalogue.familles[p.famille].famille_macantine
        for lab in p.labels_possibles:
            assert fam not in EXCLUDED.get(lab, set()), (p.code, lab)
            checked += 1
        if p.sauvage:
            assert not {"BIO", "CONVERSION_BIO"} & set(p.labels_possibles), p.code
        if p.famille == "produits_de_la_mer":
            assert "FERMIER" not in p.labels_possibles
            assert "MSC" not in p.labels_possibles  # MSC is an equivalence, not a label a product carries
    assert checked > 150
    assert catalogue.produits["MER-HARENG-ENTIER-FR"].labels_possibles == ["PECHE_DURABLE"]
    assert catalogue.produits["MER-MOULE-ENTIER-FR"].labels_possibles == ["BIO", "AOCAOP", "STG"]
    msc = catalogue.labels["MSC"]
    assert (msc.egalim, msc.equivalent_a) == (False, "PECHE_DURABLE")
    assert catalogue.labels["HVE_NIVEAU_2"].valide_jusqu_au == date(2026, 12, 31)
    assert [lab.code for lab in catalogue.labels.values()][:2] == ["BIO", "CONVERSION_BIO"]


def test_meat_and_fish_families(catalogue) -> None:  # type: ignore[no-untyped-def]
    flagged = sorted(code for code, f in catalogue.familles.items() if f.viande_poisson)
    assert flagged == ["produits_de_la_mer", "viandes_boucherie", "volailles"]


# ---------------------------------------------------------------------------------------------- thresholds


def test_threshold_rows_are_sourced_and_contiguous(catalogue) -> None:  # type: ignore[no-untyped-def]
    rows = catalogue.seuils
    assert [(r.du, r.au) for r in rows] == [
        (date(2024, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2027, 12, 31)),
    ]
    for row in rows:
        for name in type(row).model_fields:
            if name in ("id", "du", "au"):
                continue
            value = getattr(row, name)
            assert value.base_legale.startswith("Code de la commande publique"), (row.id, name)
            assert value.source


def test_seuils_pour_boundaries(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.seuils_pour(date(2026, 3, 31)).dispense.montant == Decimal("40000")
    april = catalogue.seuils_pour(date(2026, 4, 1))
    assert april.dispense.montant == Decimal("60000")
    assert april.mini_lot.montant == Decimal("60000")
    assert april.formalise_local.montant == Decimal("216000")
    assert april.ca_max_coefficient.montant == Decimal("1.5")
    old = catalogue.seuils_pour(date(2025, 12, 31))
    assert old.formalise_local.montant == Decimal("221000")
    assert old.formalise_central.montant == Decimal("143000")
    assert old.ca_max_coefficient.montant == Decimal("2")
    assert old.part_max_petits_lots.montant == Decimal("0.20")
    with pytest.raises(InputError):
        catalogue.seuils_pour(date(2028, 1, 1))
    with pytest.raises(InputError):
        catalogue.seuils_pour(date(2023, 12, 31))


# ---------------------------------------------------------------------------------------------- broken copies


def test_broken_copy_reports_every_problem_with_file_entry_and_field(copy: Path) -> None:
    mer = copy / "produits_mer.yaml"
    edit(mer, "  cpv: 03311110-6", "  cpv: 03311110-5")  # MER-SOLE-ENTIER-FR
    edit(mer, "  famille: produits_de_la_mer\n  espece: merlan", "  famille: poissons\n  espece: merlan")
    edit(mer, "prix_reference_ht: 19.00", "prix_reference_ht: dix-neuf")  # MER-BAR-ENTIER-FR
    lines = problems_of(copy)
    where = f"{copy}/produits_mer.yaml, ligne "
    assert any(
        line.startswith(where)
        and line.endswith(
            ": entrée « MER-SOLE-ENTIER-FR », champ « cpv » : chiffre de contrôle erroné (03311110-5) : "
            "le code officiel est 03311110-6 « Sole »"
        )
        for line in lines
    ), lines
    assert any(
        "entrée « MER-MERLAN-ENTIER-FR », champ « famille » : famille inconnue (poissons)" in x for x in lines
    )
    assert any(
        "entrée « MER-BAR-ENTIER-FR », champ « prix_reference_ht » : valeur invalide : un nombre décimal est "
        "attendu (lu : 'dix-neuf')" in x
        for x in lines
    ), lines
    assert len(lines) == 3  # every problem, and nothing else


def test_missing_field_unknown_field_and_label_exception(copy: Path) -> None:
    autres = copy / "produits_autres.yaml"
    edit(autres, "  labels_possibles: [BIO, HVE]\n", "  labels_possibles: [BIO, FERMIER]\n")  # BOI-JUS-POMME
    edit(
        copy / "familles.yaml",
        '    viande_poisson: false\n    cpv: "15131120-2"\n',
        '    viande_poison: false\n    cpv: "15131120-2"\n',
    )
    lines = problems_of(copy)
    assert any(
        "familles.yaml, ligne" in x
        and "entrée « charcuterie », champ « viande_poisson » : champ obligatoire manquant" in x
        for x in lines
    ), lines
    assert any(
        "entrée « charcuterie », champ « viande_poison » : champ inconnu (faute de frappe ?)" in x
        for x in lines
    )
    assert any(
        "entrée « BOI-JUS-POMME », champ « labels_possibles » : le label FERMIER n'est pas admis "
        "pour la "
        "famille ma-cantine BOISSONS" in x
        for x in lines
    ), lines
    assert len(lines) == 3  # products of the broken family are not reported again as « famille inconnue »


def test_threshold_gap_and_unknown_zone(copy: Path) -> None:
    edit(copy / "seuils.yaml", "du: 2026-04-01", "du: 2026-04-02")
    edit(copy / "fournisseurs.yaml", "zones: [Boulonnais]", "zones: [Côte d'Opale]")
    lines = problems_of(copy)
    assert any(
        "entrée « 2026-04-2027 », champ « du » : trou entre la ligne « 2026-T1 » "
        "(jusqu'au 2026-03-31) "
        "et celle-ci (à partir du 2026-04-02)" in x
        for x in lines
    ), lines
    assert any("champ « zones » : territoire inconnu (Côte d'Opale)" in x for x in lines), lines


def test_missing_file_and_bad_header(copy: Path) -> None:
    (copy / "labels.yaml").unlink()
    edit(copy / "familles.yaml", 'version: "2026-11-28"', 'version: "novembre"')
    lines = problems_of(copy)
    assert f"{copy}/labels.yaml : fichier absent du dossier de catalogues" in lines
    assert any(
        "« version » doit être la date de vérification au format AAAA-MM-JJ (lu : 'novembre')" in x
        for x in lines
    )


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path / "absent")
    assert "n'existe pas" in info.value.problems[0].message


# ---------------------------------------------------------------------------------------------- check


def test_check_packaged_catalogue_has_no_error(catalogue) -> None:  # type: ignore[no-untyped-def]
    findings = check_catalogue(catalogue)
    assert not [f for f in findings if f.severite == "erreur"]
    codes = [f.code for f in findings]
    assert "CAT-020" in codes  # estimated prices are listed
    assert "CAT-021" in codes  # [U] seasonality is listed
    u = next(f for f in findings if f.code == "CAT-021")
    assert u.incertain and "lieu noir" in u.message
    assert findings == check_catalogue(catalogue)  # deterministic


def test_check_reports_missing_species(copy: Path) -> None:
    mer = copy / "produits_mer.yaml"
    text = mer.read_text(encoding="utf-8")
    kept = [chunk for chunk in text.split("\n- code: ") if "espece: tacaud" not in chunk]
    mer.write_text("\n- code: ".join(kept), encoding="utf-8")
    findings = check_catalogue(load_catalogue(copy))
    errors = [f for f in findings if f.severite == "erreur"]
    assert [f.code for f in errors] == ["CAT-004"]
    assert errors[0].message == "Espèces de la criée de Boulogne-sur-Mer absentes du catalogue : tacaud."


# ---------------------------------------------------------------------------------------------- views


def test_french_formatting() -> None:
    assert eur(Decimal("40000")) == "40\u202f000\u00a0€"
    assert eur(Decimal("12.5")) == "12,50\u00a0€"
    assert months([1, 2, 10, 11, 12]) == "janv.–févr., oct.–déc."
    assert months(list(range(1, 13))) == "toute l'année"
    assert months([5]) == "mai"
