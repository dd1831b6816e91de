"""DCE folder: files, read-back, consistency of amounts and titles, tags, determinism, atomicity."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import OutputExistsError, RenderError
from lotsmarche.models import Finding, LotPlan
from lotsmarche.render import DceResult, PlanNonConformeError, render_dce
from lotsmarche.render.docx import BROUILLON, read_zip
from lotsmarche.render.filters import montant, montant_lettres
from lotsmarche.render.manifest import plan_sha256, sha256
from lotsmarche.render.typo import french
from lotsmarche.render.verify import leftover_tags, malformed_parts
from tests.unit._render_factory import make_item, make_lot, make_plan
from tests.unit._render_helpers import docx_lines, docx_tables

EXPECTED = [
    "00_RC.docx",
    "01_CCAP.docx",
    "02_CCTP.docx",
    "AE/Lot_01_AE.docx",
    "AE/Lot_02_AE.docx",
    "Annexes/Lot_01_calendrier.xlsx",
    "Annexes/Lot_02_calendrier.xlsx",
    "BPU_DQE/Lot_01_BPU_DQE.xlsx",
    "BPU_DQE/Lot_02_BPU_DQE.xlsx",
    "CRT_Lot_01.docx",
    "CRT_Lot_02.docx",
    "Convention_groupement.docx",
    "avis_de_marche.docx",
    "manifest.json",
]


Dce = tuple[LotPlan, Path, DceResult]


@pytest.fixture(scope="module")
def dce(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Dce:
    plan = make_plan()
    out = tmp_path_factory.mktemp("dce") / "DCE"
    result = render_dce(plan, catalogue, out, zip_=True)
    return plan, out, result


def test_writes_the_expected_files_and_manifest(dce: Dce) -> None:
    plan, out, result = dce
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == sorted([*EXPECTED, "DCE_GC-2026-01.zip"])
    assert [f.chemin for f in result.fichiers] == EXPECTED
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan_sha256"] == plan_sha256(plan) == result.plan_sha256
    assert manifest["reference"] == "GC-2026-01"
    listed = {f["chemin"]: f for f in manifest["fichiers"]}
    assert sorted(listed) == EXPECTED[:-1]
    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert entry == {"chemin": path, "taille": len(data), "sha256": sha256(data)}
    assert sorted(read_zip((out / "DCE_GC-2026-01.zip").read_bytes())) == EXPECTED


def test_every_part_is_wellformed_and_has_no_leftover_tag(dce: Dce) -> None:
    _plan, out, _ = dce
    for path in EXPECTED[:-1]:
        data = (out / path).read_bytes()
        assert malformed_parts(data) == [], path
        assert leftover_tags(data) == [], path


def test_rc_reads_back_with_lots_criteria_and_deadline(dce: Dce) -> None:
    _plan, out, _ = dce
    text = "\n".join(docx_lines(out / "00_RC.docx"))
    assert "GC-2026-01 — Règlement de la consultation" in text
    assert french("Date limite de remise des offres : 6 octobre 2026 à 12 h 00") in text
    assert "1 | Poissons blancs frais | 32\u202f421,50\u00a0€ | sans minimum | 155\u202f623,20\u00a0€" in text
    assert "Qualité technique | 40\u00a0% | Fraîcheur\u202f; Calibrage" in text
    assert "Appel d'offres ouvert" in text and "aucune négociation" in text
    assert "DC1" in text and "DUME" in text
    assert "Page 1 / 1" in text  # PAGE / NUMPAGES fields (placeholder until a layout engine fills them)


def test_cctp_has_one_section_per_lot_with_products_and_sites(dce: Dce) -> None:
    _plan, out, _ = dce
    lines = docx_lines(out / "02_CCTP.docx")
    assert "3.1. Lot 1 — Poissons blancs frais" in lines
    assert "3.2. Lot 2 — Poissons surgelés" in lines
    text = "\n".join(lines)
    assert "MER-CABILLAUD-FILET-FR | Filet de cabillaud frais | kg | 800,5 |" in text
    assert "Collège Angellier | Collège Angellier | 62200 | Boulogne-sur-Mer | Boulonnais" in text
    assert "−18\u00a0°C ou moins" in text
    assert "Pêche durable. Espèces de saison, stocks non surexploités." in text
    assert "(environnementale)" not in text


def test_ccap_places_execution_conditions_and_revision_index(dce: Dce) -> None:
    _plan, out, _ = dce
    text = "\n".join(docx_lines(out / "01_CCAP.docx"))
    assert "I0 la valeur de l'indice publiée pour le mois de la date limite de remise des offres" in text
    assert "1 | Poissons blancs frais | 010533935 — Poissons frais (IPC)" in text
    assert "Emballages réemployables. Le titulaire reprend les caisses" in text
    assert "Insertion professionnelle. Le titulaire réserve 35 heures" in text


def test_convention_lists_members_with_shares(dce: Dce) -> None:
    _plan, out, _ = dce
    rows = docx_tables(out / "Convention_groupement.docx")[0]
    assert rows[1] == [
        "Collège Angellier",
        "collège",
        "Boulogne-sur-Mer",
        "1 et 2",
        "26\u202f083,75\u00a0€",
        "50\u00a0%",
    ]
    assert rows[-1] == ["Total", "", "", "", "52\u202f167,50\u00a0€", "100\u00a0%"]


def test_maxima_and_titles_are_identical_everywhere(dce: Dce) -> None:
    plan, out, _ = dce
    rc = "\n".join(docx_lines(out / "00_RC.docx"))
    ccap = "\n".join(docx_lines(out / "01_CCAP.docx"))
    cctp = docx_lines(out / "02_CCTP.docx")
    for lot in plan.lots:
        maximum = montant(lot.montant_maximum_ht)
        assert (
            f"{lot.numero} | {lot.intitule} | {montant(lot.montant_annuel_ht)} | sans minimum | {maximum}"
            in rc
        )
        assert f"{lot.numero} | {lot.intitule} | sans minimum | {maximum}" in ccap
        assert f"3.{lot.numero}. Lot {lot.numero} — {lot.intitule}" in cctp
        ae = docx_lines(out / f"AE/Lot_{lot.numero:02d}_AE.docx")
        assert ae[0] == f"Acte d'engagement — lot {lot.numero}" and ae[1] == lot.intitule
        assert (
            french(
                f"Montant maximum du lot sur la durée totale de l'accord-cadre : {maximum} HT, soit "
                f"{montant_lettres(lot.montant_maximum_ht)} hors taxes."
            )
        ) in ae
        wb = openpyxl.load_workbook(out / f"BPU_DQE/Lot_{lot.numero:02d}_BPU_DQE.xlsx")
        assert wb["BPU"]["A1"].value == french(
            f"Bordereau des prix unitaires — lot {lot.numero} : {lot.intitule}"
        )
        dqe = wb["DQE"]
        row = next(r for r in dqe.iter_rows() if r[1].value and str(r[1].value).startswith("Montant maximum"))
        assert Decimal(str(row[5].value)) == lot.montant_maximum_ht


def test_brouillon_marks_every_header_and_accepts_errors(tmp_path: Path, catalogue: Catalogue) -> None:
    error = Finding(
        code="EMB-001", severite="erreur", message="Contenant plastique interdit.", base_legale="x", lot=1
    )
    plan = make_plan(findings=[error])
    with pytest.raises(PlanNonConformeError) as info:
        render_dce(plan, catalogue, tmp_path / "refuse")
    assert info.value.exit_code == 2
    assert info.value.lines()[0].startswith("Le plan comporte 1 erreur(s) de conformité (lot 1) :")
    assert "EMB-001 (lot 1) : Contenant plastique interdit." in info.value.lines()[1]
    assert not (tmp_path / "refuse").exists()
    render_dce(plan, catalogue, tmp_path / "projet", brouillon=True)
    for path in (tmp_path / "projet").rglob("*.docx"):
        assert docx_lines(path).count(BROUILLON) >= 1, path
        assert BROUILLON in "\n".join(docx_lines(path)[-4:]), path  # in the header, not the body
    wb = openpyxl.load_workbook(tmp_path / "projet/BPU_DQE/Lot_01_BPU_DQE.xlsx")
    assert wb["BPU"].oddHeader.center.text == BROUILLON


def test_core_properties_are_set_after_rendering(dce: Dce) -> None:
    import docx

    _plan, out, _ = dce
    props = docx.Document(str(out / "AE/Lot_01_AE.docx")).core_properties
    assert props.title == "Acte d'engagement — lot 1 : Poissons blancs frais"
    assert props.author == "lotsmarche" and props.revision == 1
    assert props.created is not None and props.created.year == 2000


def test_two_renders_are_byte_identical(tmp_path: Path, catalogue: Catalogue) -> None:
    first = render_dce(make_plan(), catalogue, tmp_path / "a", zip_=True)
    second = render_dce(make_plan(), catalogue, tmp_path / "b", zip_=True)
    assert [(f.chemin, f.sha256) for f in first.fichiers] == [(f.chemin, f.sha256) for f in second.fichiers]
    zips = [(tmp_path / d / "DCE_GC-2026-01.zip").read_bytes() for d in ("a", "b")]
    assert zips[0] == zips[1]


def test_existing_output_is_kept_without_force_and_replaced_with_it(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    out = tmp_path / "DCE"
    out.mkdir()
    (out / "note.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        render_dce(make_plan(), catalogue, out)
    assert [p.name for p in out.iterdir()] == ["note.txt"]
    render_dce(make_plan(), catalogue, out, force=True)
    assert not (out / "note.txt").exists() and (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DCE"]  # no temporary folder left


def test_failing_render_leaves_nothing(tmp_path: Path, catalogue: Catalogue) -> None:
    bad = tmp_path / "modeles"
    bad.mkdir()
    (bad / "cctp.docx").write_bytes(b"pas un docx")
    with pytest.raises(RenderError, match=r"cctp\.docx"):
        render_dce(make_plan(), catalogue, tmp_path / "DCE", templates=bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["modeles"]


def test_lot_numbers_are_zero_padded_and_sorted(tmp_path: Path, catalogue: Catalogue) -> None:
    noms = ["Collège Angellier"]
    lots = [
        make_lot(n, f"Lot numéro {n}", [make_item(f"P{n}", f"Produit {n}", "10", "2.5", noms)])
        for n in (11, 2)
    ]
    result = render_dce(make_plan(lots=lots), catalogue, tmp_path / "DCE")
    names = [f.chemin for f in result.fichiers]
    assert "AE/Lot_02_AE.docx" in names and "BPU_DQE/Lot_11_BPU_DQE.xlsx" in names
    rc = docx_lines(tmp_path / "DCE/00_RC.docx")
    assert rc.index("9.2. Lot 2 — Lot numéro 2") < rc.index("9.11. Lot 11 — Lot numéro 11")
    assert not [line for line in rc if re.search(r"\{\{|\{%", line)]
