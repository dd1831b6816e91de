"""Published text (issue 10 §2, §3, §6, §8): every piece read back, on the bundled example and on groups built
here (fruits and vegetables + dairy, every strategy), and each post-render control shown to catch its defect.
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.check import check_catalogue
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.strategies import STRATEGY_REGISTRY
from lotsmarche.models import LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.render import check_templates, render_dce
from lotsmarche.render import checks_texts as ct
from lotsmarche.render.context import genre_of
from lotsmarche.render.readback import blocks_of, docx_toc
from lotsmarche.render.texts import EMBALLAGE_PRIMAIRE, EMBALLAGE_REGIME
from lotsmarche.render.typo import NBSP, NNBSP, french
from lotsmarche.render.verify import RenderedDce, verify_dce
from lotsmarche.rules.egalim import label_requirement, required_label
from tests.unit._render_helpers import SOFFICE, pdf_text, soffice_convert

TAG = re.compile(r"\((économique|environnementale|sociale|éthique)\)|\b[A-Z]{2,4}-[A-Z]{2,4}-\d{2}\b")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def _render(plan: LotPlan, cat: Catalogue, out: Path) -> dict[str, bytes]:
    errors = any(f.severite == "erreur" for f in plan.findings) or any(
        f.severite == "erreur" for lot in plan.lots for f in lot.findings
    )
    result = render_dce(plan, cat, out, brouillon=errors)
    mine = [f for f in result.findings if f.code.startswith(("LIN-", "TXT-"))]
    assert [f for f in mine if f.severite == "erreur"] == []
    skipped = {"manifest.json", "avis_de_marche.docx"}  # the notice form is a working aid, not a piece
    return {f.chemin: (out / f.chemin).read_bytes() for f in result.fichiers if f.chemin not in skipped}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue) -> tuple[LotPlan, dict[str, bytes]]:
    plan, _ = plan_lots([])
    return plan, _render(plan, cat, tmp_path_factory.mktemp("ex") / "DCE")


FV_DAIRY = [
    # membre;site;code_postal;produit;quantite;unite;prix;mois;label_requis;conditionnement;livraisons
    ("Commune d'Arras", "Cuisine centrale", "62000", "FLE-POMME-FR", "2400", "kg", "", "", "BIO", "", "2"),
    ("Commune d'Arras", "Cuisine centrale", "62000", "FLE-CAROTTE-FR", "1800", "kg", "", "", "", "", "2"),
    ("Commune d'Arras", "Cuisine centrale", "62000", "FLE-SALADE-FR", "900", "piece", "", "", "", "", "2"),
    ("Commune d'Arras", "Cuisine centrale", "62000", "FLE-HARICOTVERT-SG", "600", "kg", "", "", "", "", "1"),
    ("Commune d'Arras", "Cuisine centrale", "62000", "LAI-COMTE", "150", "kg", "", "", "AOCAOP", "", "1"),
    ("Commune d'Arras", "Cuisine centrale", "62000", "LAI-CAMEMBERT", "800", "piece", "", "", "", "", "1"),
    ("Collège Verlaine", "Demi-pension", "62000", "FLE-POMME-FR", "1200", "kg", "", "", "BIO", "", "2"),
    ("Collège Verlaine", "Demi-pension", "62000", "LAI-COMTE", "80", "kg", "", "", "AOCAOP", "", "1"),
]
GROUPEMENT = """nom: Groupement de commandes de l'Arrageois
reference: GC-ARR-2026-01
objet: Fourniture de fruits, légumes et produits laitiers pour la restauration collective
coordonnateur: Commune d'Arras
date_lancement: 2026-10-05
membres:
- nom: Commune d'Arras
  type: commune
  commune: Arras
- nom: Collège Verlaine
  type: college
  commune: Arras
"""


@pytest.fixture(scope="module")
def arras(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue) -> tuple[LotPlan, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("arras")
    head = "membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois;label_requis;"
    head += "conditionnement;livraisons_par_semaine"
    (folder / "demande.csv").write_text(
        "\n".join([head, *(";".join(r) for r in FV_DAIRY)]) + "\n", encoding="utf-8"
    )
    (folder / "groupement.yaml").write_text(GROUPEMENT, encoding="utf-8")
    plan, _ = plan_lots([folder / "demande.csv"], folder / "groupement.yaml")
    return plan, _render(plan, cat, folder / "DCE")


def _all_blocks(files: dict[str, bytes]) -> list[tuple[str, str]]:
    return [(b.fichier, b.texte) for name, data in sorted(files.items()) for b in blocks_of(name, data)]


def _assert_published_text_is_clean(plan: LotPlan, files: dict[str, bytes], cat: Catalogue) -> None:
    blocks = _all_blocks(files)
    assert blocks
    for name, text in blocks:
        assert not TAG.search(text), (name, text)
        assert "ligne «" not in text, (name, text)
        assert french(text) == text, (name, text)  # French spacing everywhere, template text included
        assert not re.search(r"(?<![\w-])piece(?![\w-])", text), (name, text)
    # every .docx with a table of contents has it filled with its own headings
    for name, data in files.items():
        if name.endswith(".docx"):
            toc = docx_toc(data)
            if toc is not None:
                entries, headings = toc
                assert entries and headings and all(h in entries for h in headings), name
                assert not any("F9" in e for e in entries)
    # the lint of the rendered text finds nothing
    rd = RenderedDce(plan, cat, files)
    assert ct.check_lint(rd) == []
    assert [f for f in verify_dce(plan, cat, files) if f.severite == "erreur"] == []


def test_bundled_example_pieces_are_clean(example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue) -> None:
    plan, files = example
    _assert_published_text_is_clean(plan, files, cat)
    text = "\n".join(t for _n, t in _all_blocks(files))
    for banned in ("Côte d'Opale", "cuites à bord", "de bouchot", "bois de hêtre", "de chalut", "ENV-EMB-02"):
        assert banned not in text


def test_other_family_group_pieces_are_clean(arras: tuple[LotPlan, dict[str, bytes]], cat: Catalogue) -> None:
    plan, files = arras
    assert {lot.famille for lot in plan.lots} == {"fruits_legumes", "produits_laitiers"}
    _assert_published_text_is_clean(plan, files, cat)
    text = "\n".join(t for _n, t in _all_blocks(files))
    for word in ("pêcheur", "mareyeur", "criée"):
        assert word not in text  # wording fits the family
    assert "pièce" in text  # the unit label, not the code
    # agreement with the coordinator's name: « Commune d'Arras est désignée coordonnateur »
    assert "Commune d'Arras est désignée coordonnateur" in text
    # a pièce-counted product in the BPU shows the unit label
    bpu = [n for n in files if n.startswith("BPU_DQE/")]
    units = {
        ws.cell(r, 3).value
        for n in bpu
        for ws in [openpyxl.load_workbook(BytesIO(files[n]))["BPU"]]
        for r in range(5, ws.max_row + 1)
    }
    assert "pièce" in units and "piece" not in units


@pytest.mark.parametrize("strategy", sorted(STRATEGY_REGISTRY))
def test_every_strategy_renders_clean_pieces(strategy: str, tmp_path: Path, cat: Catalogue) -> None:
    plan, _ = plan_lots([], strategy=strategy)
    files = _render(plan, cat, tmp_path / "DCE")
    rd = RenderedDce(plan, cat, files)
    for check in ct.CHECKS:
        assert [f for f in check(rd) if f.severite == "erreur"] == [], (strategy, check.__name__)


def _items_with_labels(plan: LotPlan, cat: Catalogue) -> list[tuple[int, str, str]]:
    out = []
    for lot in plan.lots:
        for item in lot.items:
            label = required_label(item, lot.famille, cat, plan.date_lancement)
            if label is not None:
                out.append((lot.numero, item.produit, label_requirement(label, cat)))
    return out


@pytest.mark.parametrize("group", ["example", "arras"])
def test_every_counted_label_is_required_on_its_cctp_row_and_bpu_line(
    group: str, request: pytest.FixtureRequest, cat: Catalogue
) -> None:
    plan, files = request.getfixturevalue(group)
    counted = _items_with_labels(plan, cat)
    assert counted, "the group asks for labels"
    rd = RenderedDce(plan, cat, files)
    rows = rd.rows_by_lot("02_CCTP.docx")
    for numero, code, requirement in counted:
        assert requirement.endswith("ou équivalent") or "ou équivalent (" in requirement
        assert (
            requirement in rows[numero][code].replace(NBSP, " ").replace(NNBSP, " ")
            or requirement in rows[numero][code]
        )
        bpu = rd.xlsx_rows(f"BPU_DQE/Lot_{numero:02d}_BPU_DQE.xlsx", "BPU")
        assert requirement in bpu[code]
    # the projection counts exactly these items: the label amounts reconcile with the required lines
    total = sum(
        (
            item.montant_annuel_ht
            for lot in plan.lots
            for item in lot.items
            if (lot.numero, item.produit) in {(n, c) for n, c, _ in counted}
        ),
        start=0,
    )
    assert plan.egalim["groupe"]["montant_egalim_ht"] == total


def test_frozen_and_prepared_lots_may_use_plastic_for_storage_and_transport(
    example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue
) -> None:
    plan, files = example
    rd = RenderedDce(plan, cat, files)
    cctp = files["02_CCTP.docx"]
    blocks = blocks_of("02_CCTP.docx", cctp)
    for lot in plan.lots:
        text = "\n".join(b.texte for b in blocks if ct._lot_of(b) == lot.numero)
        if lot.conservation in ("surgele", "refrigere_elabore"):
            assert french(EMBALLAGE_REGIME["sans_plastique"]) not in text
            assert french(EMBALLAGE_PRIMAIRE) in text
            assert "reprend les emballages de transport" in text
    assert ct.check_packaging(rd) == []


def test_live_shellfish_are_not_kept_at_melting_ice_temperature(
    example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue
) -> None:
    plan, files = example
    rows = RenderedDce(plan, cat, files).rows_by_lot("02_CCTP.docx")
    live = [(lot.numero, i.produit) for lot in plan.lots for i in lot.items if cat.produits[i.produit].vivant]
    assert live
    for numero, code in live:
        row = rows[numero][code]
        assert "+5\u00a0°C à +15\u00a0°C" in row and "glace fondante" not in row
    fresh_fish = [
        (lot.numero, i.produit) for lot in plan.lots for i in lot.items if i.produit == "MER-MERLAN-FILET-FR"
    ]
    for numero, code in fresh_fish:
        assert "0\u00a0°C à +2\u00a0°C" in rows[numero][code]


def test_cctp_has_a_calendar_annex_per_lot(example: tuple[LotPlan, dict[str, bytes]]) -> None:
    plan, files = example
    document = docx.Document(BytesIO(files["02_CCTP.docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for lot in plan.lots:
        assert any(h.startswith(f"Annexe {lot.numero} — Calendrier") for h in headings)
    # the calendar of lot 1: one row per product, its quantity in each month asked, the yearly total
    lot = plan.lots[0]
    table = next(
        t for t in document.tables if t.rows[0].cells[0].text == "Désignation" and len(t.columns) == 15
    )
    first = lot.items[0]
    row = next(r for r in table.rows if r.cells[0].text == first.libelle)
    assert [i + 1 for i, c in enumerate(row.cells[2:14]) if c.text] == first.mois
    total = row.cells[14].text.replace("\u202f", "").replace(",", ".")
    assert Decimal(total) == first.quantite_annuelle


# ------------------------------------------------------------------------------------------ controls catch


def _docx(paragraphs: list[str], headings: dict[int, str] | None = None) -> bytes:
    d = docx.Document()
    for i, text in enumerate(paragraphs):
        if headings and i in headings:
            d.add_paragraph(headings[i], style="Heading 2")
        d.add_paragraph(text)
    buf = BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_controls_report_each_defect_as_an_error(
    example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue
) -> None:
    plan, _ = example
    bad = _docx(
        [
            "Crevettes grises de la Côte d'Opale cuites à bord, entières.",
            "Moules de bouchot vivantes ; Comté AOP.",
            "Chaîne du froid (environnementale). Voir ENV-EMB-02 et la ligne « 2026-04-2027 ».",
            "Livraison selon le calendrier figurant en annexe du présent CCTP.",
            "Unité : piece",
        ],
        {0: "3.2. Lot 2 — Crustacés frais"},
    )
    rd = RenderedDce(plan, cat, {"02_CCTP.docx": bad})
    codes = {f.code for f in verify_dce(plan, cat, {"02_CCTP.docx": bad})}
    assert {"LIN-004", "LIN-012", "LIN-013", "TXT-001", "TXT-002", "TXT-004", "TXT-010"} <= codes
    assert all(f.severite == "erreur" for f in ct.check_lint(rd))
    lin = {f.code: f for f in ct.check_lint(rd)}
    assert "R2111-7" in lin["LIN-012"].base_legale and "R2111-12" in lin["LIN-013"].base_legale
    # with « ou équivalent », the process and the quality sign are lawful
    ok = _docx(["Moules de bouchot ou équivalent, lavées.", "Fromage AOP ou équivalent."])
    assert ct.check_lint(RenderedDce(plan, cat, {"02_CCTP.docx": ok})) == []


def test_empty_table_of_contents_is_an_error(
    example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue
) -> None:
    from lotsmarche.resources import templates_dir

    plan, _ = example
    raw = (templates_dir() / "cctp.docx").read_bytes()  # the template: TOC field with its placeholder only
    found = ct.check_toc(RenderedDce(plan, cat, {"02_CCTP.docx": raw}))
    assert [f.code for f in found] == ["TXT-003"]


def test_missing_label_on_bpu_line_is_an_error(
    example: tuple[LotPlan, dict[str, bytes]], cat: Catalogue
) -> None:
    plan, files = example
    numero, code, _req = _items_with_labels(plan, cat)[0]
    name = f"BPU_DQE/Lot_{numero:02d}_BPU_DQE.xlsx"
    wb = openpyxl.load_workbook(BytesIO(files[name]))
    ws = wb["BPU"]
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            ws.cell(r, 2).value = "produit sans label"
    buf = BytesIO()
    wb.save(buf)
    found = ct.check_egalim_documents(RenderedDce(plan, cat, {**files, name: buf.getvalue()}))
    assert [(f.code, f.lot) for f in found] == [("TXT-005", numero)]


def test_coordinator_gender_comes_from_data(example: tuple[LotPlan, dict[str, bytes]]) -> None:
    plan, _ = example
    assert genre_of("Département du Pas-de-Calais", plan) == "m"
    assert genre_of("Commune d'Arras", plan) == "f"
    assert genre_of("Ville de Lens", plan) == "f"
    members = [
        m.model_copy(update={"genre": "f"}) if m.nom == "Collège Angellier" else m
        for m in plan.groupement.membres
    ]
    other = plan.model_copy(update={"groupement": plan.groupement.model_copy(update={"membres": members})})
    assert genre_of("Collège Angellier", other) == "f"  # groupement.yaml wins


def test_catalogue_check_lints_designations_and_specifications(tmp_path: Path, cat: Catalogue) -> None:
    import shutil

    assert [f for f in check_catalogue(cat) if f.code.startswith("LIN-")] == []
    folder = tmp_path / "catalogues"
    shutil.copytree(cat.dossier, folder)
    path = folder / "produits_mer.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Crevette grise (Crangon crangon) cuite", "Crevettes de la Côte d'Opale cuites à bord"),
        encoding="utf-8",
    )
    found = [f for f in check_catalogue(load_catalogue(folder)) if f.code.startswith("LIN-")]
    assert {f.code for f in found} == {"LIN-004", "LIN-012"}
    assert all(f.severite == "erreur" and "MER-CREVETTEGRISE-CUIT-FR" in f.message for f in found)


def test_check_templates_lints_the_template_text(tmp_path: Path, cat: Catalogue) -> None:
    from lotsmarche.resources import templates_dir

    folder = tmp_path / "modeles"
    folder.mkdir()
    d = docx.Document(str(templates_dir() / "cctp.docx"))
    d.add_paragraph("Le poisson est pêché à la ligne par des producteurs du département.")
    d.save(str(folder / "cctp.docx"))
    problems = check_templates(folder, cat)
    text = " ".join(p.message for p in problems)
    assert "pêché à la ligne" in text and "du département" in text


# ------------------------------------------------------------------------------------------ typography


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Objet : x", f"Objet{NBSP}: x"),
        ("Objet: x", f"Objet{NBSP}: x"),
        ("a ; b ! c ?", f"a{NNBSP}; b{NNBSP}! c{NNBSP}?"),
        ("« texte »", f"«{NBSP}texte{NBSP}»"),
        ("«texte»", f"«{NBSP}texte{NBSP}»"),
        ("1 000 € HT et 40 € ; 5 %", f"1{NNBSP}000{NBSP}€ HT et 40{NBSP}€{NNBSP}; 5{NBSP}%"),
        ("à 12:00 le n° 853", f"à 12:00 le n°{NBSP}853"),
        (
            "voir https://www.exemple.fr/a?b=1 ou contact@exemple.fr",
            "voir https://www.exemple.fr/a?b=1 ou contact@exemple.fr",
        ),
        ("article R2123-1 2° : petit lot", f"article R2123-1 2°{NBSP}: petit lot"),
    ],
)
def test_french_spacing(raw: str, expected: str) -> None:
    assert french(raw) == expected
    assert french(expected) == expected  # idempotent


def test_typography_pass_works_across_runs(tmp_path: Path) -> None:
    from lotsmarche.render.docx import finish_text

    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("Acheteur").bold = True
    p.add_run(" ")
    p.add_run(": Commune")
    body = d.element.body
    from lxml import etree

    xml = finish_text(etree.tostring(body, encoding="unicode"), toc=False)
    runs = re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)
    assert runs == ["Acheteur", NBSP, ": Commune"]  # the space is changed in its own run


# ------------------------------------------------------------------------------------------ LibreOffice


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")
def test_table_of_contents_is_filled_in_the_pdf(
    example: tuple[LotPlan, dict[str, bytes]], tmp_path: Path
) -> None:
    _plan, files = example
    src = tmp_path / "02_CCTP.docx"
    src.write_bytes(files["02_CCTP.docx"])
    [pdf] = soffice_convert([src], tmp_path)
    assert pdf.is_file()
    text = pdf_text(pdf)
    first_page = text.split("\f")[0]
    assert "Sommaire" in first_page and "F9" not in text
    assert "3.1. Lot 1" in first_page and "Annexe 1 — Calendrier" in first_page
