"""RC, CCAP, AE, CRT and convention read back: the lawyer's review points, on the bundled example and on
groups built here (another department and family, a launch before 21 August 2026, missing data, drafts)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from lxml import etree

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.dce import render_dce
from lotsmarche.render.docx import read_zip
from lotsmarche.render.filters import date_fr, montant
from lotsmarche.render.highlight import A_COMPLETER, apply_highlights, mark
from lotsmarche.render.pieces import departement_of_insee, departement_of_postcode, tribunal_for
from tests.unit._render_helpers import docx_lines, docx_tables


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Dce:
    plan: LotPlan
    out: Path
    findings: list[Finding]

    def text(self, name: str) -> str:
        # French typography (render.typo) puts no-break spaces before « : » and in amounts; these tests
        # are about content, so they read ordinary spaces (test_published_text checks the typography).
        return plain("\n".join(docx_lines(self.out / name)))

    def paragraphs(self, name: str) -> list[str]:
        return [plain(p.text) for p in docx.Document(str(self.out / name)).paragraphs]

    def section(self, name: str, number: int) -> str:
        out, inside = [], False
        for p in self.paragraphs(name):
            m = re.match(r"^(\d+)\.\s", p)
            if m and not re.match(r"^\d+\.\d", p):
                inside = int(m.group(1)) == number
                continue
            if inside:
                out.append(p)
        return "\n".join(out)

    def errors(self) -> set[str]:
        return {f.code for f in self.findings if f.severite == "erreur"}


def _render(plan: LotPlan, cat: Catalogue, out: Path, brouillon: bool = False) -> Dce:
    result = render_dce(plan, cat, out, brouillon=brouillon)
    return Dce(plan, out, result.findings)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue) -> Dce:
    plan, _ = plan_lots([])
    return _render(plan, cat, tmp_path_factory.mktemp("ex") / "DCE")


GROUPEMENT_13 = """\
nom: Groupement de commandes de denrées des collèges de Marseille
reference: GC-13-2026-02
objet: Fourniture de produits laitiers, fruits et légumes pour la restauration collective
coordonnateur: Commune de Marseille
adresse: Hôtel de Ville, quai du Port, 13002 Marseille
date_lancement: 2026-06-15
membres:
- nom: Commune de Marseille
  type: commune
  commune: '13055'
  population: 870000
- nom: Collège Thiers
  type: college
  commune: '13055'
"""
DEMANDE_13 = """\
membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois;label_requis;conditionnement;livraisons_par_semaine
Collège Thiers;Demi-pension;13001;LAI-CAMEMBERT;400;piece;;;;;
Collège Thiers;Demi-pension;13001;LAI-BEURRE-DOUX;300;kg;;;;;
Collège Thiers;Demi-pension;13001;FLE-POMME-FR;2500;kg;;;;;
Collège Thiers;Demi-pension;13001;FLE-CAROTTE-FR;1800;kg;;;;;
Commune de Marseille;Restaurant scolaire;13002;FLE-POMME-FR;3000;kg;;;;;
Commune de Marseille;Restaurant scolaire;13002;LAI-COMTE;500;kg;;;;;
"""


@pytest.fixture(scope="module")
def marseille(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue) -> Dce:
    """Another department (13), other families (dairy, fruit and vegetables), launched before 21 Aug 2026,
    with no buyer profile and no ATTRI1 data: everything missing must be marked, never invented."""
    folder = tmp_path_factory.mktemp("g13")
    (folder / "groupement.yaml").write_text(GROUPEMENT_13, encoding="utf-8")
    (folder / "demande.csv").write_text(DEMANDE_13, encoding="utf-8")
    plan, _ = plan_lots([folder / "demande.csv"], folder / "groupement.yaml")
    # a launch date in the past and a lot one sourced supplier can serve: only a draft can be generated
    return _render(plan, cat, folder / "DCE", brouillon=True)


# ------------------------------------------------------------------------------------------------
# Review body and remedies (defect 5), routine RC items (defect 16)
# ------------------------------------------------------------------------------------------------


def test_example_rc_names_the_court_with_its_address_and_the_remedies(example: Dce) -> None:
    rc = example.text("00_RC.docx")
    assert (
        "Instance chargée des procédures de recours : Tribunal administratif de Lille, 5 rue Geoffroy "
        "Saint-Hilaire, CS 62039, 59014 Lille Cedex." in rc
    )
    for token in ("L551-1", "L551-13", "R551-7", "R421-1", "Tarn-et-Garonne", "deux mois", "R2182-1"):
        assert token in rc, token
    assert "délai de onze jours (11 jours)" in rc
    assert "délai de 31 jours à compter de la publication de l'avis d'attribution" in rc
    for name in ("01_CCAP.docx", "Convention_groupement.docx"):
        assert "Tribunal administratif de Lille, 5 rue Geoffroy Saint-Hilaire" in example.text(name), name


def test_another_department_gets_its_own_court(marseille: Dce) -> None:
    for name in ("00_RC.docx", "01_CCAP.docx", "Convention_groupement.docx"):
        assert "Tribunal administratif de Marseille, 22-24 rue Breteuil, 13281 Marseille Cedex 06" in (
            marseille.text(name)
        ), name
    assert "Lille" not in marseille.text("00_RC.docx")


@pytest.mark.parametrize(
    ("commune", "tribunal"),
    [
        ("62160", "Tribunal administratif de Lille"),
        ("2A004", "Tribunal administratif de Bastia"),
        ("2B033", "Tribunal administratif de Bastia"),
        ("97411", "Tribunal administratif de La Réunion"),
        ("97611", "Tribunal administratif de Mayotte"),
        ("93048", "Tribunal administratif de Montreuil"),
        ("82121", "Tribunal administratif de Toulouse"),
    ],
)
def test_court_from_the_coordinators_commune(
    example: Dce, cat: Catalogue, commune: str, tribunal: str
) -> None:
    g = example.plan.groupement
    membres = [
        m.model_copy(update={"commune": commune, "insee": commune}) if m.nom == g.coordonnateur else m
        for m in g.membres
    ]
    plan = example.plan.model_copy(update={"groupement": g.model_copy(update={"membres": membres})})
    found = tribunal_for(plan, cat, g.coordonnateur or "")
    assert found is not None and found.nom == tribunal


def test_every_department_and_overseas_collectivity_has_one_court(cat: Catalogue) -> None:
    codes = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    codes += ["971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988"]
    for code in codes:
        holders = [t.code for t in cat.tribunaux if code in t.departements]
        assert len(holders) == 1, (code, holders)
    assert all(t.adresse and re.search(r"\b\d{5}\b", t.adresse) for t in cat.tribunaux)
    assert cat.versions["tribunaux.yaml"] == "2026-12-03"
    assert departement_of_insee("97411") == "974" and departement_of_insee("2A004") == "2A"
    assert departement_of_postcode("20000") == "2A" and departement_of_postcode("20200") == "2B"


def test_uncertain_overseas_address_is_highlighted(example: Dce, cat: Catalogue, tmp_path: Path) -> None:
    g = example.plan.groupement
    plan = example.plan.model_copy(
        update={"groupement": g.model_copy(update={"tribunal_administratif": "saint_denis"})}
    )
    dce = _render(plan, cat, tmp_path / "DCE")
    assert "Tribunal administratif de La Réunion, 27 rue Félix Guyon" in dce.text("00_RC.docx")
    assert "27 rue Félix Guyon, CS 61107, 97404 Saint-Denis Cedex" in _highlighted(dce.out / "00_RC.docx")


def test_rc_routine_items(example: Dce) -> None:
    rc = example.text("00_RC.docx")
    assert "R2144-4" in rc and "L8222-1" in rc and "attestation de vigilance" in rc
    assert "agrément sanitaire" in example.section("00_RC.docx", 7)
    assert "https://marchespublics.exemple.fr/pas-de-calais (article R2132-2)" in rc


# ------------------------------------------------------------------------------------------------
# Offer contents: CRT and samples (defects 2 and 3), sub-criteria (defect 18)
# ------------------------------------------------------------------------------------------------


def test_crt_generated_per_lot_listed_in_manifest_and_in_the_offer(example: Dce) -> None:
    manifest = json.loads((example.out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["chemin"] for f in manifest["fichiers"]}
    assert "cadre de réponse technique du lot (fichier CRT_Lot_NN.docx" in example.section("00_RC.docx", 8)
    for lot in example.plan.lots:
        name = f"CRT_Lot_{lot.numero:02d}.docx"
        assert name in listed
        crt = docx.Document(str(example.out / name))
        headings = [p.text for p in crt.paragraphs if p.style.name.startswith("Heading")]
        for c in lot.criteres:
            if c.code == "prix":
                assert not any(h.startswith(c.libelle) for h in headings)
                continue
            assert any(h.startswith(c.libelle) for h in headings), (lot.numero, c.libelle)
            for sub in c.sous_criteres:
                assert (sub in headings) != ("échantillons" in sub), (lot.numero, sub)


def test_samples_graded_are_requested_with_date_place_and_blind_tasting(example: Dce) -> None:
    s8 = example.section("00_RC.docx", 8)
    remise = example.plan.date_lancement + timedelta(days=example.plan.groupement.delai_remise_jours)
    assert f"le {date_fr(remise + timedelta(days=7))} entre 8 h 00 et 11 h 00" in s8
    assert "Cuisine centrale du Centre hospitalier de Boulogne-sur-Mer" in s8
    assert "gratuitement une unité de vente" in s8 and "à l'aveugle, de façon anonyme" in s8
    for lot in example.plan.lots:
        graded = any("échantillon" in s for c in lot.criteres for s in c.sous_criteres)
        assert (f"Lot {lot.numero} : " in s8) == graded, lot.numero


def test_without_samples_the_sample_sub_criteria_are_dropped(
    example: Dce, cat: Catalogue, tmp_path: Path
) -> None:
    g = example.plan.groupement
    echantillons = g.echantillons.model_copy(update={"demandes": False})
    plan = example.plan.model_copy(update={"groupement": g.model_copy(update={"echantillons": echantillons})})
    dce = _render(plan, cat, tmp_path / "DCE")
    assert "chantillon" not in dce.text("00_RC.docx").replace("cadre de réponse", "")
    assert "PIE-009" not in dce.errors()


def test_sub_criteria_are_of_equal_importance(example: Dce) -> None:
    for table in docx_tables(example.out / "00_RC.docx"):
        if table[0][:1] != ["Critère"]:
            continue
        for row in table[1:]:
            assert ("\u202f; " in row[2]) == ("(sous-critères d'égale importance)" in row[2]), row


# ------------------------------------------------------------------------------------------------
# CCAP: advance (defect 7), derogations (defect 11), I0 and index (defect 8), stated once (defect 14)
# ------------------------------------------------------------------------------------------------


def test_advance_per_order_never_computed_on_the_maximum(example: Dce) -> None:
    s10 = example.section("01_CCAP.docx", 10)
    assert "chaque bon de commande d'un montant supérieur à 50 000,00 € HT" in s10
    assert "R2191-16 et R2191-18" in s10 and "5 %" in s10 and "R2191-11" in s10
    for lot in example.plan.lots:
        assert montant(lot.montant_maximum_ht) not in s10
        ae = example.text(f"AE/Lot_{lot.numero:02d}_AE.docx")
        assert "R2191-16 et R2191-18" in ae and "renonce au bénéfice de l'avance : ☐ non ☐ oui" in ae


def test_every_derogation_is_recapitulated_in_the_last_article(example: Dce, cat: Catalogue) -> None:
    tables = [t for t in docx_tables(example.out / "01_CCAP.docx") if t[0][:1] == ["Article du CCAP"]]
    assert len(tables) == 1
    rows = tables[0][1:]
    stipulations = " ".join(r[1] for r in rows)
    by_id = {c.id: c for c in cat.clauses}
    selected = {c.id for lot in example.plan.lots for c in lot.clauses if "CCAP" in c.destinations}
    for ident in sorted(selected):
        for dero in by_id[ident].derogations_ccag:
            assert by_id[ident].titre in stipulations, ident
            assert any(dero.objet == r[2] and f"article {dero.article} du CCAG-FCS" in r[3] for r in rows)
    assert {"ECO-LIV-01", "ECO-PEN-01", "ECO-PEN-02", "ECO-PEN-03", "ECO-REV-01"} <= selected
    ccap = example.paragraphs("01_CCAP.docx")
    assert any("sans mise en demeure préalable" in p for p in ccap)
    assert "PIE-015" not in example.errors()


def test_one_i0_definition_and_representative_indices(example: Dce, cat: Catalogue) -> None:
    ccap = example.paragraphs("01_CCAP.docx")
    assert sum(len(re.findall(r"\bI0 (?:est|la valeur|désigne)", p)) for p in ccap) == 1
    assert any("P = P0 × (0,15 + 0,85 × I / I0), définie à l'article 5" in p for p in ccap)
    for lot in example.plan.lots:
        fitting = cat.indice_pour(lot.famille, lot.conservation)
        assert fitting is not None and lot.indice_revision == fitting.indice
        label = (lot.indice_libelle or "").lower()
        expected = {
            "frais": "frais",
            "surgele": "surgelés",
            "appertise": "conserves",
            "refrigere_elabore": "préparations",
        }
        assert expected[lot.conservation] in label, (lot.numero, label)
    highlighted = _highlighted(example.out / "01_CCAP.docx")
    for lot in example.plan.lots:
        assert lot.indice_revision in highlighted  # INSEE ids are « à confirmer » (PRX-003)
    assert any(f.code == "PIE-024" and "010533935" in f.message for f in example.findings)


def test_other_families_get_their_own_index(marseille: Dce, cat: Catalogue) -> None:
    by_family = {lot.famille: lot.indice_revision for lot in marseille.plan.lots}
    assert by_family == {"fruits_legumes": "010538721", "produits_laitiers": "010533979"}
    assert "mensuelle" in marseille.text("01_CCAP.docx")


def test_general_clauses_stated_once(example: Dce) -> None:
    for name in ("00_RC.docx", "01_CCAP.docx", "Convention_groupement.docx", "AE/Lot_03_AE.docx"):
        long = [p for p in example.paragraphs(name) if len(p) >= 80]
        assert len(long) == len(set(long)), name
    ccap = example.text("01_CCAP.docx")
    assert ccap.count("P = V × R / 1 000") == 1 and ccap.count("délai maximal de 30 jours") == 1
    assert "PIE-023" not in example.errors()


# ------------------------------------------------------------------------------------------------
# AE part D (defect 6), convention (defect 12)
# ------------------------------------------------------------------------------------------------


def test_ae_part_d_one_row_per_paying_member(example: Dce) -> None:
    known = {m.nom: m for m in example.plan.groupement.membres}
    for lot in example.plan.lots:
        path = example.out / f"AE/Lot_{lot.numero:02d}_AE.docx"
        text = plain("\n".join(docx_lines(path)))
        assert "comptable public assignataire" in text and "R2191-59" in text
        table = next(t for t in docx_tables(path) if t[0][:1] == ["Membre"] and len(t[0]) == 5)
        assert table[0][2] == "Comptable assignataire"
        assert sorted(r[0] for r in table[1:]) == sorted(lot.membres)
        for row in table[1:]:
            m = known[row[0]]
            assert row[1:] == [
                m.ordonnateur,
                m.comptable_assignataire,
                m.designe_r2191_59,
                m.imputation_budgetaire,
            ]
    assert "PIE-017" not in example.errors() and "PIE-018" not in example.errors()


def test_missing_attri1_data_is_highlighted_a_completer(marseille: Dce) -> None:
    path = marseille.out / "AE/Lot_01_AE.docx"
    table = next(t for t in docx_tables(path) if t[0][:1] == ["Membre"] and len(t[0]) == 5)
    thiers = next(r for r in table[1:] if r[0] == "Collège Thiers")
    assert thiers[1] == "le chef d'établissement"  # default by kind
    assert thiers[2] == "à compléter" and thiers[4] == "à compléter"
    assert _highlighted(path).count("à compléter") >= 2
    assert any(f.code == "PIE-025" and f.severite == "avertissement" for f in marseille.findings)
    assert "PIE-006" in marseille.errors()  # no buyer-profile address: the RC is not publishable
    assert "à compléter" in _highlighted(marseille.out / "00_RC.docx")


def test_convention_coordinator_powers_decisions_cao_and_court(example: Dce, cat: Catalogue) -> None:
    conv = example.text("Convention_groupement.docx")
    for act in cat.actes_coordonnateur:
        assert act.libelle in conv, act.code
    assert "mandat au coordonnateur pour agir en justice" in conv
    for m in example.plan.groupement.membres:
        assert f"pour {m.nom} : " in conv
    assert "délibération du conseil municipal n° DCM-2026-20 du 21 juin 2026" in conv
    assert "décision du directeur n° DIR-2026-018" in conv
    assert "délibération du conseil d'administration n° CA-2026-02 du 3 juin 2026" in conv
    assert "commission d'appel d'offres du coordonnateur, Département du Pas-de-Calais" in conv
    assert "Article 9. Adhésion et retrait" in conv
    ccap = example.paragraphs("01_CCAP.docx")
    ccap_acts = [a for a in cat.actes_coordonnateur if a.ccap]
    for p in ccap:
        if "coordonnateur" in p and not p.startswith("Acheteur"):
            from lotsmarche.text import fold

            assert any(a.motif and re.search(a.motif, fold(p)) for a in ccap_acts), p
    assert not {"PIE-019", "PIE-020", "PIE-021", "PIE-022"} & example.errors()


def test_convention_decision_kind_by_member_type(marseille: Dce) -> None:
    conv = marseille.text("Convention_groupement.docx")
    assert "pour Collège Thiers : délibération du conseil d'administration du à compléter" in conv
    assert "pour Commune de Marseille : délibération du conseil municipal du à compléter" in conv
    assert "commission consultative du groupement" in conv  # MAPA: no CAO


# ------------------------------------------------------------------------------------------------
# Launch before 21 August 2026; the checks on the example; procedure citations
# ------------------------------------------------------------------------------------------------


def test_launch_before_the_climate_law_date(
    marseille: Dce, example: Dce, cat: Catalogue, tmp_path: Path
) -> None:
    assert marseille.plan.date_lancement < date(2026, 8, 21)
    rc = marseille.text("00_RC.docx")
    assert "L551-1" in rc and "R421-1" in rc and "R2144-4" in rc
    plan, _ = plan_lots([], date_lancement=date(2026, 6, 1))
    early = _render(plan, cat, tmp_path / "DCE", brouillon=True)  # a date in the past: a draft only
    assert early.errors() == example.errors()
    assert "Tribunal administratif de Lille" in early.text("00_RC.docx")


def test_r2123_5_only_for_mapa_lots(example: Dce, marseille: Dce) -> None:
    s11 = example.section("00_RC.docx", 11)
    for lot in example.plan.lots:
        line = next(p for p in s11.split("\n") if p.startswith(f"Lot {lot.numero} : "))
        assert ("R2123-5" in line) == (lot.procedure.code == "mapa"), line
    assert all(lot.procedure.code == "mapa" for lot in marseille.plan.lots)
    assert "R2123-5" in marseille.section("00_RC.docx", 11)
    assert "PIE-011" not in example.errors() | marseille.errors()


def test_example_checks_report_no_error(example: Dce) -> None:
    # every check of the pieces passes on the bundled example (controle.md shows no error)
    assert example.errors() == set()
    # PIE-029 (information): rendered from the plan alone, the calendars say they are approximate
    assert {f.code for f in example.findings} == {"PIE-024", "PIE-029"}


# ------------------------------------------------------------------------------------------------
# Drafts and highlights
# ------------------------------------------------------------------------------------------------


def test_draft_marks_every_docx_page_and_every_sheet(
    marseille: Dce, example: Dce, cat: Catalogue, tmp_path: Path
) -> None:
    dce = _render(marseille.plan, cat, tmp_path / "DCE", brouillon=True)
    docs = sorted(dce.out.rglob("*.docx"))
    assert len(docs) == 3 + 2 * len(marseille.plan.lots) + 2  # + convention and avis_de_marche.docx
    for path in docs:
        document = docx.Document(str(path))
        for section in document.sections:
            header = section.header._element
            assert "PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ" in "".join(header.itertext()), path
            shapes = header.findall(".//{urn:schemas-microsoft-com:vml}textpath")
            assert [s.get("string") for s in shapes if s.get("string")] == ["PROJET"], path
    for path in sorted(dce.out.rglob("*.xlsx")):
        for ws in openpyxl.load_workbook(path).worksheets:
            assert "PROJET" in (ws.oddHeader.center.text or ""), (path, ws.title)
    final = sorted(example.out.rglob("*.docx"))
    assert not any(
        "PROJET" in "".join(docx.Document(str(p)).sections[0].header._element.itertext()) for p in final
    )


def test_highlight_splits_runs_and_keeps_xml_valid() -> None:
    xml = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:r><w:rPr><w:b/>'
        f'<w:lang w:val="fr-FR"/></w:rPr><w:t>Comptable : {A_COMPLETER} ; série {mark("010533935")}.'
        "</w:t></w:r></w:p>"
    )
    out = apply_highlights(xml)
    root = etree.fromstring(out.encode())
    runs = root.findall(f"{W}r")
    assert ["".join(r.itertext()) for r in runs] == [
        "Comptable : ",
        "à compléter",
        " ; série ",
        "010533935",
        ".",
    ]
    flags = [r.find(f"{W}rPr/{W}highlight") is not None for r in runs]
    assert flags == [False, True, False, True, False]
    assert all(r.find(f"{W}rPr/{W}b") is not None for r in runs)
    assert "\ue000" not in out and "\ue001" not in out


def _highlighted(path: Path) -> str:
    body = etree.fromstring(read_zip(path.read_bytes())["word/document.xml"])
    return " | ".join(
        "".join(r.itertext()) for r in body.iter(f"{W}r") if r.find(f"{W}rPr/{W}highlight") is not None
    )
