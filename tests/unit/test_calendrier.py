"""Delivery calendars per lot (issue 13, point 4): the workbook, the CCTP annex, the PIE controls and the
suppliers' monthly sheets, on the bundled Boulonnais example run end to end."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from lotsmarche.calendrier import (
    annex_title,
    calendar_file,
    calendars_from_plan,
    lot_calendars,
    spread_milli,
)
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.model import Demand
from lotsmarche.models import LotPlan, Supplier
from lotsmarche.pipeline import RunResult, example_inputs, plan_lots, run
from lotsmarche.render.calendrier import PAR_SITE, RECAP, TOTAL_COL
from lotsmarche.render.checks_calendrier import check_calendars
from lotsmarche.render.fiches import render_sheet, sheet_name, slug, supplier_sheets
from tests.unit._render_helpers import SOFFICE, docx_lines, pdf_text, soffice_convert

FIRST_MONTH = 4  # column D


@pytest.fixture(scope="module")
def example() -> tuple[LotPlan, Demand]:
    return plan_lots([])


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run([], tmp_path_factory.mktemp("run") / "out")


def _exact(value: object) -> Decimal:
    """A number read back by openpyxl (a float) as the Decimal it was written from."""
    if value is None:
        return Decimal(0)
    assert isinstance(value, int | float), value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _months(row: tuple[object, ...]) -> list[Decimal]:
    return [_exact(v) for v in row[FIRST_MONTH - 1 : FIRST_MONTH - 1 + 12]]


# ---- rule


def test_spread_is_exact_in_the_coarsest_step_and_keeps_to_the_mask() -> None:
    mask_school = sum(1 << (m - 1) for m in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12))  # no July, no August
    q = np.array([473_000, 164_500, 1, 7, 0, 12_000], dtype=np.int64)
    masks = np.array([mask_school, 0b111111 << 4, 4095, 0b11, 4095, 0], dtype=np.int64)
    out = spread_milli(q, masks)
    assert out.sum(axis=1).tolist() == q.tolist()  # every line sums exactly to its yearly quantity
    # 473 kg over 10 months: whole kilograms, the remainder on the first months of the mask
    assert out[0].tolist() == [
        48_000,
        48_000,
        48_000,
        47_000,
        47_000,
        47_000,
        0,
        0,
        47_000,
        47_000,
        47_000,
        47_000,
    ]
    assert out[1].tolist()[4:10] == [27_500, 27_400, 27_400, 27_400, 27_400, 27_400]  # tenths of a kg
    assert out[2].tolist() == [1] + [0] * 11
    assert out[3].tolist() == [4, 3] + [0] * 10
    assert out[5].tolist() == [1000] * 12  # mask 0 means every month, as 4095


def test_calendar_sums_to_every_annual_quantity_per_site(example: tuple[LotPlan, Demand]) -> None:
    plan, demand = example
    calendars = lot_calendars(demand.table, plan)
    assert [c.numero for c in calendars] == [lot.numero for lot in plan.lots]
    t = demand.table
    for cal, lot in zip(calendars, plan.lots, strict=True):
        assert not cal.approche
        assert [p.produit for p in cal.produits] == [it.produit for it in lot.items]
        for p, item in zip(cal.produits, lot.items, strict=True):
            assert p.total == item.quantite_annuelle
        assert [(s.membre, s.site) for s in cal.sites] == [(s.membre, s.site) for s in lot.sites]
        for site in cal.sites:
            for p in site.produits:
                item = next(it for it in lot.items if it.produit == p.produit)
                expected = next(
                    r.quantite
                    for r in item.repartition_sites
                    if (r.membre, r.site) == (site.membre, site.site)
                )
                assert p.total == expected
                lines = t[
                    t["ligne"].isin(item.lignes)
                    & (t["membre"] == site.membre)
                    & (t["site_livraison"] == site.site)
                ]
                mask = int(np.bitwise_or.reduce(lines["mois"].to_numpy()))
                for m, value in enumerate(p.mois):
                    assert value == 0 or mask >> m & 1, (site.site, p.produit, m + 1)


def test_schools_get_nothing_in_summer_but_the_plan_only_fallback_says_it_is_approximate(
    example: tuple[LotPlan, Demand],
) -> None:
    plan, demand = example
    exact = lot_calendars(demand.table, plan)
    rough = calendars_from_plan(plan)
    assert all(c.approche for c in rough)
    school = next(s for c in exact for s in c.sites if s.membre.startswith("Collège") and s.produits)
    assert 7 not in school.mois_livres and 8 not in school.mois_livres
    assert all(p.mois[6] == 0 and p.mois[7] == 0 for p in school.produits)
    for a, b in zip(exact, rough, strict=True):  # both keep the yearly totals
        assert [p.total for p in a.produits] == [p.total for p in b.produits]


def test_deliveries_per_week_are_the_largest_asked_one_when_none(example: tuple[LotPlan, Demand]) -> None:
    plan, demand = example
    t = demand.table
    checked = 0
    for cal, lot in zip(lot_calendars(t, plan), plan.lots, strict=True):
        lines = t[t["ligne"].isin([n for it in lot.items for n in it.lignes])]
        for site in cal.sites:
            asked = lines[(lines["membre"] == site.membre) & (lines["site_livraison"] == site.site)]
            weekly = asked["livraisons_par_semaine"].max()
            expected = Decimal(1) if pd.isna(weekly) else Decimal(repr(float(weekly)))
            assert site.livraisons_par_semaine == expected
            per_month = site.livraisons_mois()
            assert all((v > 0) == (m + 1 in site.mois_livres) for m, v in enumerate(per_month))
            checked += 1
    assert checked > 50


# ---- workbook


def test_workbook_cells_sum_to_the_annual_quantities_and_are_literal(ran: RunResult) -> None:
    plan = ran.plan
    published = [lot for lot in plan.lots if not lot.procedure.hors_consultation]
    assert published
    for lot in published:
        path = ran.dossier / "DCE" / calendar_file(lot.numero)
        wb = load_workbook(path)
        assert wb.sheetnames == [RECAP, PAR_SITE]
        ws = wb[RECAP]
        assert ws.protection.sheet and wb[PAR_SITE].protection.sheet
        assert ws["A1"].value == f"Calendrier d'approvisionnement du lot {lot.numero}"
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell.coordinate
        rows = list(ws.iter_rows(values_only=True))
        start = next(i for i, r in enumerate(rows) if r[0] == "Code") + 1
        recap = {r[0]: r for r in rows[start : start + len(lot.items)]}
        for item in lot.items:
            r = recap[item.produit]
            assert sum(_months(r), Decimal(0)) == item.quantite_annuelle == _exact(r[TOTAL_COL - 1])
        # « Par site »: one block per site, in the lot's order, each product summing to the site's quantity
        blocks: list[dict[str, tuple[object, ...]]] = []
        for r in wb[PAR_SITE].iter_rows(min_row=5, values_only=True):
            if isinstance(r[0], str) and r[1] is None:
                blocks.append({})
            elif isinstance(r[0], str) and r[0] != "Code":
                blocks[-1][r[0]] = r
        assert len(blocks) == len(lot.sites)
        for site, block in zip(lot.sites, blocks, strict=True):
            for item in lot.items:
                want = sum(
                    (
                        s.quantite
                        for s in item.repartition_sites
                        if (s.membre, s.site) == (site.membre, site.site)
                    ),
                    Decimal(0),
                )
                got = sum(_months(block[item.produit]), Decimal(0)) if item.produit in block else Decimal(0)
                assert got == want, (lot.numero, site.site, item.produit)


def test_calendars_are_in_the_manifest_and_pass_their_control(ran: RunResult) -> None:
    import json

    assert ran.dce is not None
    manifest = json.loads((ran.dossier / "DCE" / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["chemin"] for f in manifest["fichiers"]}
    for lot in ran.plan.lots:
        assert calendar_file(lot.numero) in listed
    codes = {f.code for f in ran.dce.findings}
    assert not codes & {"PIE-027", "PIE-028", "PIE-029"}


# ---- CCTP


def test_cctp_annex_exists_and_the_seasonality_clause_cites_it(ran: RunResult) -> None:
    document = docx.Document(str(ran.dossier / "DCE" / "02_CCTP.docx"))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    paragraphs = [
        " ".join(p.text.replace("\u00a0", " ").replace("\u202f", " ").split()) for p in document.paragraphs
    ]
    frais = [lot for lot in ran.plan.lots if any(c.id == "ENV-SAI-01" for c in lot.clauses)]
    assert frais, "the example has fresh lots"
    for lot in ran.plan.lots:
        title = annex_title(lot.numero)
        assert title in headings
    for lot in frais:
        title = annex_title(lot.numero)
        clause = next(p for p in paragraphs if p.startswith("Produits de saison.") and f"« {title} »" in p)
        assert calendar_file(lot.numero) in clause
    # the annex's table gives the lot's quantities: its row totals are the yearly quantities
    lot = ran.plan.lots[0]
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "Désignation" and len(t.columns) == 15]
    first = tables[0]
    rows = {r.cells[0].text: r.cells[-1].text for r in first.rows[1:]}
    for item in lot.items:
        shown = rows[item.libelle].replace("\u202f", "").replace("\u00a0", "").replace(",", ".")
        assert Decimal(shown) == item.quantite_annuelle


# ---- PIE


def test_pie_control_catches_a_missing_or_altered_calendar(
    example: tuple[LotPlan, Demand], catalogue: Catalogue
) -> None:
    from lotsmarche.render.calendrier import render_calendar

    plan, demand = example
    calendars = lot_calendars(demand.table, plan)
    files = {c.fichier: render_calendar(plan, c, catalogue) for c in calendars}
    assert check_calendars(plan, calendars, files) == []
    lot = plan.lots[1]
    missing = {k: v for k, v in files.items() if k != calendar_file(lot.numero)}
    found = check_calendars(plan, calendars, missing)
    assert [(f.code, f.lot, f.severite) for f in found] == [("PIE-027", lot.numero, "erreur")]
    wb = load_workbook(BytesIO(files[calendar_file(lot.numero)]))
    ws = wb[PAR_SITE]
    cell = next(
        c
        for row in ws.iter_rows(min_row=5)
        for c in row[FIRST_MONTH - 1 : TOTAL_COL - 1]
        if isinstance(c.value, int | float)
    )
    cell.value = cell.value + 1
    buffer = BytesIO()
    wb.save(buffer)
    altered = {**files, calendar_file(lot.numero): buffer.getvalue()}
    found = check_calendars(plan, calendars, altered)
    assert [(f.code, f.lot) for f in found] == [("PIE-028", lot.numero)]
    assert lot.items[0].produit in found[0].message or any(it.produit in found[0].message for it in lot.items)
    rough = check_calendars(plan, calendars_from_plan(plan), files)
    assert [f.code for f in rough] == ["PIE-029"]


# ---- suppliers


def test_supplier_sheets_one_per_sourced_supplier_with_safe_names(
    ran: RunResult, catalogue: Catalogue
) -> None:
    from lotsmarche.sourcing import load_sourcing

    suppliers = load_sourcing(example_inputs()[2], catalogue)
    sheets = sorted(p.relative_to(ran.dossier).as_posix() for p in (ran.dossier / "sourcing").iterdir())
    assert sheets == sorted(sheet_name(i, s) for i, s in enumerate(suppliers, start=1))
    for i, s in enumerate(suppliers, start=1):
        lines = "\n".join(docx_lines(ran.dossier / sheet_name(i, s)))
        assert s.nom in lines
        assert "Ce que le groupement achèterait chez vous, mois par mois" in lines
        for lot in ran.plan.lots:
            if s.nom in lot.fournisseurs_capables:
                assert f"{lot.numero} (seul)" in lines


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pêcherie « L'Étoile » / Boulogne", "Pecherie_L_Etoile_Boulogne"),
        ("../../etc/passwd", "etc_passwd"),
        ("=SUM(A1)", "SUM_A1"),
        ("鮮魚", "fournisseur"),
        ("CON", "CON"),
    ],
)
def test_slug_is_portable(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_declared_monthly_volumes_sit_beside_the_need(
    example: tuple[LotPlan, Demand], catalogue: Catalogue
) -> None:
    plan, demand = example
    calendars = lot_calendars(demand.table, plan)
    lot = next(lot for lot in plan.lots if lot.fournisseurs_capables)
    capable = lot.fournisseurs_capables[0]
    item = lot.items[0]
    volumes = tuple(Decimal(v) for v in (0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100))
    supplier = Supplier(
        nom=capable,
        type="mareyeur",
        familles=[lot.famille],
        zones=["*"],
        livraison_reemployable=True,
        volumes_mensuels={item.produit: volumes},
    )
    sheet = supplier_sheets(plan, calendars, [supplier], catalogue)[0]
    line = next(x for x in sheet.lignes if x.lot == lot.numero and x.besoin.produit == item.produit)
    assert line.seul and line.volumes == volumes
    assert line.besoin.total == item.quantite_annuelle
    document = docx.Document(BytesIO(render_sheet(plan, sheet, catalogue)))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    mine = next(r for r in rows if r[2] == "Vos volumes" and r[-1] == "550")
    assert mine[4:6] == ["", ""] and mine[6] == "10"


def test_a_supplier_outside_every_zone_sees_why(
    example: tuple[LotPlan, Demand], catalogue: Catalogue
) -> None:
    plan, demand = example
    far = Supplier(
        nom="Pêcheur lointain",
        type="pecheur_vente_directe",
        familles=[plan.lots[0].famille],
        zones=["Nulle part"],
    )
    sheet = supplier_sheets(plan, lot_calendars(demand.table, plan), [far], catalogue)[0]
    assert sheet.lignes == ()
    assert [n for n, _ in sheet.hors_portee] == [lot.numero for lot in plan.lots]
    assert all("ne livre pas" in why for _, why in sheet.hors_portee)


# ---- bytes, engine


def test_rerun_is_byte_identical(ran: RunResult, tmp_path: Path) -> None:
    again = run([], tmp_path / "again")
    for folder in ("DCE/Annexes", "sourcing"):
        first = {p.name: p.read_bytes() for p in (ran.dossier / folder).iterdir()}
        second = {p.name: p.read_bytes() for p in (again.dossier / folder).iterdir()}
        assert first == second and first


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")
def test_libreoffice_opens_every_calendar_and_supplier_sheet(ran: RunResult, tmp_path: Path) -> None:
    sources = sorted((ran.dossier / "DCE" / "Annexes").iterdir()) + sorted(
        (ran.dossier / "sourcing").iterdir()
    )
    pdfs = soffice_convert(sources, tmp_path)
    for src, pdf in zip(sources, pdfs, strict=True):
        assert pdf.is_file() and pdf.stat().st_size > 1000, src.name
    first = pdf_text(pdfs[0])
    assert "Calendrier d'approvisionnement du lot 1" in first
    sheet = next(p for s, p in zip(sources, pdfs, strict=True) if s.parent.name == "sourcing")
    assert "mois par mois" in pdf_text(sheet)
    import subprocess

    pages = subprocess.run(["pdfinfo", str(sheet)], capture_output=True, text=True, check=False).stdout
    assert "Pages:           1" in pages  # one page, to print
