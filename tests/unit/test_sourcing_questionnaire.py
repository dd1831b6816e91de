"""The supplier questionnaire: written, filled with openpyxl as a supplier would, read back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lotsmarche.errors import InputError
from lotsmarche.sourcing import load_sourcing, read_sourcing
from lotsmarche.sourcing.merge import sourcing_csv
from lotsmarche.sourcing.questionnaire import PRODUCT_HEADERS, questionnaire_bytes
from tests.unit._render_helpers import SOFFICE, pdf_text, soffice_convert

D = Decimal
LAUNCH = date(2027, 9, 6)
FUME, MAQ = "MER-HARENG-FUME-RE", "MER-MAQUEREAU-FUME-RE"


def _blank(catalogue: Any, groupement: Any = None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(questionnaire_bytes(catalogue, ["produits_de_la_mer"], groupement)))


def _row(ws: Any, first: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first)


def _answer(wb: openpyxl.Workbook, question: str, value: object) -> None:
    ws = wb["Fournisseur"]
    ws.cell(_row(ws, question), 2).value = value


def _volumes(wb: openpyxl.Workbook, code: str, months: list[object]) -> None:
    ws = wb["Produits"]
    r = _row(ws, code)
    for j, v in enumerate(months, start=6):
        ws.cell(r, j).value = v


def _filled(catalogue: Any) -> openpyxl.Workbook:
    """A smokehouse's answers, with the usual slips: « 1 200,5 », a blank month, an expired certificate."""
    wb = _blank(catalogue)
    _answer(wb, "Nom ou raison sociale", "Saurisserie de la Liane")
    _answer(wb, "SIRET", "732 829 320 00074")
    _answer(wb, "Type d'activité", "Fumaison, saurisserie")
    _answer(wb, "Commune de l'établissement", "Boulogne-sur-Mer")
    _answer(wb, "Numéro d'agrément sanitaire", "FR 62.160.001 CE")
    _answer(wb, "Vente directe ou un seul intermédiaire", "oui")
    _answer(wb, "Livraison possible le mardi", "oui")
    _answer(wb, "Livraison possible le vendredi", "oui")
    _answer(wb, "Fréquence de livraison", "2 par semaine")
    _answer(wb, "Minimum de commande (€ HT)", "150")
    _answer(wb, "Candidature envisagée", "Seul ou en groupement")
    # smoked herring November to February only; March left blank (= 0); French thousands and comma
    _volumes(wb, FUME, ["1 200,5", 300, None, 0, 0, 0, 0, 0, 0, 0, 250, "400"])
    _volumes(wb, MAQ, [50] * 12)
    zones = wb["Zones"]
    zones.cell(_row(zones, "Boulonnais"), 3).value = "oui"
    zones.cell(_row(zones, "Calaisis"), 3).value = "OUI"
    labels = wb["Labels"]
    r = _row(labels, "PECHE_DURABLE")
    labels.cell(r, 3).value, labels.cell(r, 4).value = "oui", date(2027, 3, 31)  # expired at the launch
    r = _row(labels, "MSC")
    labels.cell(r, 3).value, labels.cell(r, 4).value = "oui", "31/12/2028"
    return wb


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def test_same_inputs_same_bytes_and_locked_structure(catalogue) -> None:  # type: ignore[no-untyped-def]
    data = questionnaire_bytes(catalogue, ["produits_de_la_mer"], None)
    assert data == questionnaire_bytes(catalogue, ["produits_de_la_mer"], None)
    wb = openpyxl.load_workbook(BytesIO(data))
    assert wb.sheetnames == ["Instructions", "Fournisseur", "Produits", "Zones", "Labels"]
    products = wb["Produits"]
    assert [c.value for c in products[4]] == list(PRODUCT_HEADERS)
    r = _row(products, FUME)
    assert [products.cell(r, j).value for j in (2, 5)] == ["Filet de hareng fumé doux", "kg"]
    assert products.protection.sheet and products.cell(r, 1).protection.locked
    assert not products.cell(r, 6).protection.locked and not products.cell(r, 17).protection.locked
    codes = {products.cell(i, 1).value for i in range(5, products.max_row + 1)} - {None}
    assert codes == {p.code for p in catalogue.produits.values() if p.famille == "produits_de_la_mer"}
    rules = {str(dv.sqref): dv.formula1 for dv in wb["Fournisseur"].data_validations.dataValidation}
    assert rules["B7"].startswith("Instructions!$A$")  # type of business from a list
    zones = [wb["Zones"].cell(i, 1).value for i in range(5, 13)]
    assert zones == ["Toutes les zones", *catalogue.territoires_cartes()]


def test_group_zones_are_its_territories_epci_and_communes(catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.groupement import load_groupement
    from lotsmarche.resources import examples_dir

    example_groupement = load_groupement(examples_dir() / "boulonnais" / "groupement.yaml", catalogue)
    ws = _blank(catalogue, example_groupement)["Zones"]
    rows = [
        (ws.cell(i, 1).value, ws.cell(i, 2).value) for i in range(5, ws.max_row + 1) if ws.cell(i, 1).value
    ]
    assert ("Boulonnais", "territoire") in rows and ("CA du Boulonnais", "EPCI") in rows
    assert ("Wimereux", "commune") in rows and ("Audomarois", "territoire") not in rows
    assert "06/09/2027" in wb_text(_blank(catalogue, example_groupement)["Fournisseur"])


def wb_text(ws: Any) -> str:
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_filled_questionnaire_reads_back_exactly(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _save(_filled(catalogue), tmp_path / "saurisserie.xlsx")
    result = read_sourcing([path], catalogue, reference=LAUNCH, reference_text="date de lancement")
    [s] = result.fournisseurs
    assert s.volumes_mensuels == {
        FUME: (D("1200.5"), D(300), D(0), D(0), D(0), D(0), D(0), D(0), D(0), D(0), D(250), D(400)),
        MAQ: (D(50),) * 12,
    }
    assert (s.nom, s.type, s.siret, s.commune_insee) == (
        "Saurisserie de la Liane",
        "fumaison",
        "73282932000074",
        "62160",
    )
    assert (s.produits, s.familles, s.conservations, s.groupes_especes) == (
        [FUME, MAQ],
        ["produits_de_la_mer"],
        ["refrigere_elabore"],
        ["produits_transformes"],
    )
    assert (s.zones, s.jours_livraison, s.frequence_livraison) == (
        ["Boulonnais", "Calaisis"],
        ["mardi", "vendredi"],
        "2 par semaine",
    )
    assert (s.minimum_commande_ht, s.candidature, s.circuit_court, s.agrement_sanitaire) == (
        D(150),
        "seul_ou_groupement",
        True,
        "FR 62.160.001 CE",
    )
    assert s.labels == ["MSC"]  # PECHE_DURABLE expired before the launch: not counted
    assert s.labels_echeances == {"MSC": date(2028, 12, 31), "PECHE_DURABLE": date(2027, 3, 31)}
    assert [(f.code, f.severite, f.message) for f in result.findings] == [
        (
            "SRC-003",
            "info",
            "Fournisseur « Saurisserie de la Liane » (saurisserie.xlsx) : mois laissés vides comptés comme "
            "0 : MER-HARENG-FUME-RE (mars).",
        ),
        (
            "SRC-004",
            "avertissement",
            "Fournisseur « Saurisserie de la Liane » (saurisserie.xlsx) : label PECHE_DURABLE non compté, "
            "certificat échu le 31/03/2027, avant la date de lancement du 06/09/2027.",
        ),
    ]
    # before the expiry date, the label counts
    assert read_sourcing([path], catalogue, reference=date(2027, 1, 4)).fournisseurs[0].labels == [
        "MSC",
        "PECHE_DURABLE",
    ]


def test_every_mistake_named_at_once(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wb = _filled(catalogue)
    _answer(wb, "SIRET", "73282932000075")
    _answer(wb, "Type d'activité", "Poissonnier ambulant")
    products = wb["Produits"]
    free = products.max_row  # the last free row
    products.cell(free, 1).value = "MER-BAR-FUME-RE"
    products.cell(free, 8).value = 12
    _volumes(wb, MAQ, ["douze", *([50] * 11)])
    labels = wb["Labels"]
    r = _row(labels, "BIO")
    labels.cell(r, 3).value, labels.cell(r, 4).value = "oui", "31/02/2028"
    bad = _save(wb, tmp_path / "erreurs.xlsx")
    with pytest.raises(InputError) as exc:
        read_sourcing([bad], catalogue, reference=LAUNCH)
    assert [p.render() for p in exc.value.problems] == [
        "erreurs.xlsx, feuille « Fournisseur », ligne 6, colonne « Réponse » : « SIRET » : "
        "« 73282932000075 » : clé de contrôle invalide (chiffre mal recopié ?)",
        "erreurs.xlsx, feuille « Fournisseur », ligne 7, colonne « Réponse » : « Type d'activité » : "
        "« Poissonnier ambulant » inconnu ; types possibles : Mareyeur, Pêcheur en vente directe, "
        "Conchyliculteur (moules, huîtres), Fumaison, saurisserie, Conserverie, Autre transformateur, "
        "Producteur agricole, Coopérative ou groupement de producteurs, Grossiste régional, "
        "Grossiste en surgelés, Autre",
        f"erreurs.xlsx, feuille « Produits », ligne {_row(products, MAQ)}, colonne « Janvier » : "
        "MER-MAQUEREAU-FUME-RE : volume « douze » n'est pas un nombre",
        f"erreurs.xlsx, feuille « Produits », ligne {free}, colonne « Code » : produit « MER-BAR-FUME-RE » "
        "inconnu du catalogue (codes : feuille « Instructions »)",
        f"erreurs.xlsx, feuille « Labels », ligne {r}, colonne « Date d'échéance » : date « 31/02/2028 » "
        "invalide : JJ/MM/AAAA attendu",
    ]


def test_equivalent_label_counted_with_a_finding(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wb = _filled(catalogue)
    labels = wb["Labels"]
    free = labels.max_row
    labels.cell(free, 1).value = "Friend of the Sea"
    labels.cell(free, 3).value = "oui"
    labels.cell(free, 4).value = "30/06/2029"
    labels.cell(free, 6).value = "PECHE_DURABLE"
    result = read_sourcing([_save(wb, tmp_path / "q.xlsx")], catalogue, reference=LAUNCH)
    assert result.fournisseurs[0].labels == ["MSC", "PECHE_DURABLE"]  # the equivalent is still valid
    assert [f.code for f in result.findings] == ["SRC-003", "SRC-005"]


def test_hostile_text_comes_out_literally(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wb = _filled(catalogue)
    name = '=cmd|"/c calc"!A1 {{ 7*7 }} {% if x %} <b>&amp;</b>'
    _answer(wb, "Nom ou raison sociale", name)
    _answer(wb, "Numéro d'agrément sanitaire", "@SUM(A1) ' \" < >")
    ws = wb["Fournisseur"]
    ws.cell(_row(ws, "Nom ou raison sociale"), 2).data_type = "s"  # typed as text ('=…), not a formula
    [s] = read_sourcing([_save(wb, tmp_path / "q.xlsx")], catalogue).fournisseurs
    assert (s.nom, s.agrement_sanitaire) == (name, "@SUM(A1) ' \" < >")
    merged = tmp_path / "sourcing.csv"
    merged.write_text(sourcing_csv([s]), encoding="utf-8")
    assert load_sourcing(merged, catalogue) == [s]


def test_merge_round_trip_with_the_csv_layout(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    q = _save(_filled(catalogue), tmp_path / "saurisserie.xlsx")
    table = tmp_path / "ancien.csv"
    table.write_text(
        "fournisseur;type;familles;conservations;zones;capacite_annuelle_ht;livraison_reemployable\n"
        "Marée du port;mareyeur;produits_de_la_mer;frais;Boulonnais;250 000;oui\n",
        encoding="utf-8",
    )
    read = read_sourcing([q, table], catalogue, reference=LAUNCH)
    merged = tmp_path / "sourcing.csv"
    merged.write_text(sourcing_csv(read.fournisseurs), encoding="utf-8")
    back = load_sourcing(merged, catalogue, reference=LAUNCH)
    assert back == read.fournisseurs
    assert back[1].volumes_mensuels is None and back[1].capacite_annuelle_ht == D(250000)
    assert "MER-HARENG-FUME-RE:1200,5/300/0/0/0/0/0/0/0/0/250/400" in merged.read_text(encoding="utf-8")


def test_a_folder_of_questionnaires_and_duplicates(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "reponses"
    folder.mkdir()
    _save(_filled(catalogue), folder / "a.xlsx")
    (folder / "~$a.xlsx").write_bytes(b"lock file of an open workbook")
    assert [s.nom for s in load_sourcing(folder, catalogue)] == ["Saurisserie de la Liane"]
    _save(_filled(catalogue), folder / "b.xlsx")
    with pytest.raises(InputError) as exc:
        load_sourcing(folder, catalogue)
    assert [p.render() for p in exc.value.problems] == [
        "b.xlsx : fournisseur « Saurisserie de la Liane » déjà décrit dans a.xlsx : un seul questionnaire ou "
        "une seule ligne par fournisseur"
    ]


def test_csv_layout_month_volumes_and_expiry(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "s.csv"
    p.write_text(
        "fournisseur;familles;zones;labels;labels_echeances;volumes_mensuels\n"
        "H;produits_de_la_mer;*;PECHE_DURABLE;PECHE_DURABLE:2027-01-31;"
        "MER-HARENG-FUME-RE:1 200,5/300/0/0/0/0/0/0/0/0/250/400|MER-INCONNU:1/2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_sourcing(p, catalogue)
    assert [p.render() for p in exc.value.problems] == [
        "s.csv, ligne 2, colonne « volumes_mensuels » : produit « MER-INCONNU » inconnu du catalogue"
    ]
    p.write_text(p.read_text(encoding="utf-8").replace("|MER-INCONNU:1/2", ""), encoding="utf-8")
    result = read_sourcing([p], catalogue, reference=LAUNCH)
    assert result.fournisseurs[0].volumes_mensuels == {
        FUME: (D("1200.5"), D(300), *(D(0),) * 8, D(250), D(400))
    }
    assert result.fournisseurs[0].labels == []
    assert [f.code for f in result.findings] == ["SRC-004"]


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")
def test_libreoffice_opens_the_questionnaire(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "questionnaire.xlsx"
    path.write_bytes(questionnaire_bytes(catalogue, ["produits_de_la_mer"], None))
    (pdf,) = soffice_convert([path], tmp_path, "pdf")
    assert pdf.is_file()
    text = pdf_text(pdf)
    assert "Questionnaire fournisseur" in text and "Filet de hareng fumé doux" in text
