"""The notice draft DCE/avis_de_marche.docx: every lot's notice fields with their eForms business terms."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import docx
import pytest

from lotsmarche.models import LotPlan
from lotsmarche.render.context import build_contexts
from lotsmarche.render.filters import date_fr, montant
from lotsmarche.render.notice import lot_fields, notice_docx, procedure_fields

EFORMS = Path("/work/shared/data/eforms/eforms_fields_sdk1.16.csv")


@pytest.fixture(scope="module")
def plan() -> LotPlan:
    from lotsmarche.pipeline import plan_lots

    return plan_lots([])[0]


def _tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def test_notice_lists_each_lot_with_business_terms(plan: LotPlan, catalogue) -> None:
    _base, lots = build_contexts(plan, catalogue)
    data = notice_docx(plan, lots)
    assert data == notice_docx(plan, lots)  # same plan, same bytes
    tables = _tables(data)
    assert len(tables) == 1 + len(lots)
    procedure = {row[0]: (row[1], row[2]) for row in tables[0][1:]}
    deadline = plan.date_lancement + timedelta(days=plan.groupement.delai_remise_jours)
    assert procedure["Date limite de réception des offres"] == (date_fr(deadline), "BT-131")
    assert procedure["Identifiant interne de la consultation"] == (plan.groupement.reference, "BT-22")
    by_number = {lot.numero: lot for lot in plan.lots}
    for ctx, table in zip(lots, tables[1:], strict=True):
        lot = by_number[ctx.numero]
        rows = {row[0]: (row[1], row[2]) for row in table[1:]}
        assert rows["Titre du lot"] == (lot.intitule, "BT-21")
        assert rows["Classification principale (CPV)"] == (lot.cpv_principal, "BT-262")
        assert rows["Valeur estimée hors TVA (sur toute la durée)"] == (
            montant(lot.montant_estime_duree_ht),
            "BT-27",
        )
        assert rows["Valeur maximale de l'accord-cadre hors TVA"] == (
            montant(lot.montant_maximum_ht),
            "BT-271",
        )
        assert rows["Montant minimum de l'accord-cadre hors TVA"][1] == "—"
        assert rows["Nombre maximum de reconductions"] == ("3", "BT-58")
        assert rows["Durée"][1] == "BT-36"
        assert rows["Participation réservée"] == ("non réservé", "BT-71")
        for critere in lot.criteres:
            value, bt = rows[f"Critère d'attribution : {critere.libelle}"]
            assert f"{critere.ponderation} %" in value and bt == "BT-734"
        conditions, bt = rows["Conditions relatives à l'exécution du contrat"]
        assert bt == "BT-70"
        for clause in lot.clauses:
            if clause.condition_execution:
                assert clause.titre in conditions
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "eForms SDK 1.16" in text


def test_business_terms_exist_in_the_eforms_sdk(plan: LotPlan, catalogue) -> None:
    if not EFORMS.is_file():
        pytest.skip("eForms SDK extract absent")
    with EFORMS.open(encoding="utf-8") as handle:
        known = {row["bt_id"] for row in csv.DictReader(handle)}
    _base, lots = build_contexts(plan, catalogue)
    fields = procedure_fields(plan) + lot_fields(plan, plan.lots[0], lots[0])
    used = {f.bt for f in fields if f.bt}
    assert used <= known, used - known
    assert {"BT-21", "BT-262", "BT-27", "BT-271", "BT-36", "BT-58", "BT-131", "BT-71", "BT-70"} <= used


def test_reserved_lot_is_said_so(plan: LotPlan, catalogue) -> None:
    from lotsmarche.models import ClauseSelection

    lot = plan.lots[0]
    reserved = ClauseSelection(
        id="SOC-RES-02",
        titre="Lot réservé aux structures d'insertion par l'activité économique",
        type="sociale",
        destinations=["RC", "AE"],
        base_legale="Code de la commande publique, art. L2113-13",
        texte="…",
        motif="option",
    )
    lot = lot.model_copy(update={"clauses": [*lot.clauses, reserved]})
    _base, lots = build_contexts(plan, catalogue)
    rows = {f.rubrique: f for f in lot_fields(plan, lot, lots[0])}
    assert rows["Participation réservée"].valeur.startswith("Lot réservé aux structures d'insertion")


def test_notice_tables_are_the_xml_python_docx_writes() -> None:
    """The rows are copied from python-docx prototypes: same XML as add_row / cell.text / cell.width, for
    plain texts, outer spaces, line breaks, tabs and empty values."""
    import docx
    from docx.shared import Cm
    from lxml import etree

    from lotsmarche.render.notice import Champ, _prototypes, _table

    fields = [
        Champ("Rubrique simple", "valeur", "BT-1"),
        Champ(" espaces ", "deux\nlignes", ""),
        Champ("tab\tulation", "", "BT-2", True),
        Champ("«\u00a0guillemets\u00a0»", "a  b", "BT-3"),
    ]
    ours = docx.Document()
    _table(ours, _prototypes(ours), "Lot 1 — Titre", fields)
    reference = docx.Document()
    reference.add_heading("Lot 1 — Titre", level=2)
    table = reference.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Rubrique", "Valeur", "eForms"), strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for champ in fields:
        for cell, text in zip(
            table.add_row().cells, (champ.rubrique, champ.valeur, champ.bt_texte), strict=True
        ):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(6), Cm(8.5), Cm(2.5)), strict=True):
            cell.width = width
    assert etree.tostring(ours.element.body) == etree.tostring(reference.element.body)
