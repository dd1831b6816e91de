"""The engine end to end: the bundled example, attachment of findings, the tray variants on the example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotsmarche.rules import attach_findings, check_plan, enrich_plan
from tests.unit._plan_factory import make_lot, make_plan

D = Decimal


@pytest.fixture(scope="module")
def example_plan():
    from lotsmarche.pipeline import plan_lots

    return plan_lots([])[0]


def _all(plan):
    return plan.findings + [f for lot in plan.lots for f in lot.findings]


def test_bundled_example_has_no_error(example_plan):
    assert [f for f in _all(example_plan) if f.severite == "erreur"] == []
    assert all(lot.clauses and lot.criteres for lot in example_plan.lots)
    assert all(sum(c.ponderation for c in lot.criteres) == 100 for lot in example_plan.lots)
    assert example_plan.egalim["groupe"]["montant_total_ht"] == example_plan.montant_total_annuel_ht


def test_bundled_example_gives_one_egalim_finding_per_indicator(example_plan):
    """Seafood-only group: one « info » per indicator (not 63 warnings), 21 buying members each, 8 named."""
    ega = [f for f in _all(example_plan) if f.code.startswith("EGA-00") and f.code != "EGA-008"]
    assert [(f.code, f.severite, f.lot, f.membre) for f in ega] == [
        ("EGA-001", "info", None, None),
        ("EGA-002", "info", None, None),
        ("EGA-003", "info", None, None),
    ]
    for f in ega:
        assert "21 membres sur 21 sous l'objectif : Commune d'Isques 0,0\u00a0%" in f.message
        assert " et 13 autres. Ce plan ne couvre " in f.message
    assert "part projetée du groupement 7,4\u00a0%" in ega[0].message
    assert "part projetée du groupement 3,0\u00a0%" in ega[1].message
    indicateurs = example_plan.egalim["indicateurs"]
    assert [len(indicateurs[k]["membres_sous_objectif"]) for k in ("egalim", "bio", "viande_poisson")] == [
        21,
        21,
        21,
    ]
    # The coordinating Département buys nothing: not counted.
    assert "Département du Pas-de-Calais" not in example_plan.egalim["membres"]
    assert example_plan.egalim["groupe"]["part_egalim"] == D("0.0738")


def _with_trays(plan, kind):
    """Lot 1 of the example re-packed in plastic serving trays and delivered to one member of ``kind``."""
    member = next(m for m in plan.groupement.membres if m.type == kind)
    lot = plan.lots[0]
    items = []
    for it in lot.items:
        rep = [r.model_copy(update={"membre": member.nom}) for r in it.repartition_membres[:1]]
        rep[0] = rep[0].model_copy(update={"montant_annuel_ht": it.montant_annuel_ht})
        items.append(
            it.model_copy(
                update={"conditionnement": "barquette_plastique_operculee", "repartition_membres": rep}
            )
        )
    lot = lot.model_copy(
        update={"items": items, "membres": [member.nom], "regime_emballage": "plastique_contact"}
    )
    return plan.model_copy(update={"lots": [lot, *plan.lots[1:]]}), member.nom


def test_example_variant_trays_for_a_college_is_an_error(example_plan, catalogue):
    plan, name = _with_trays(example_plan, "college")
    errors = [f for f in check_plan(plan, catalogue) if f.severite == "erreur"]
    assert [(f.code, f.lot, f.membre) for f in errors] == [("EMB-001", 1, name)]


def test_example_variant_trays_for_an_ehpad_is_not_an_error(example_plan, catalogue):
    plan, _ = _with_trays(example_plan, "ehpad")
    assert [f for f in check_plan(plan, catalogue) if f.severite == "erreur"] == []


def test_findings_attached_per_lot_and_plan(catalogue):
    plan = enrich_plan(make_plan([make_lot(1), make_lot(2)], duree_mois=49), catalogue)
    assert {f.lot for f in plan.lots[0].findings} == {1}
    assert {f.lot for f in plan.lots[1].findings} == {2}
    assert "AC-004" in {f.code for f in plan.findings}
    assert all(f.lot is None for f in plan.findings)


def test_check_equals_enrich_and_is_deterministic(catalogue):
    plan = make_plan([make_lot(1), make_lot(2)])
    enriched = enrich_plan(plan, catalogue)
    assert sorted(f.model_dump_json() for f in _all(enriched)) == sorted(
        f.model_dump_json() for f in check_plan(plan, catalogue)
    )
    assert check_plan(plan, catalogue) == check_plan(enriched, catalogue)
    again = attach_findings(enriched, check_plan(enriched, catalogue))
    assert again.lots == enriched.lots and again.findings == enriched.findings


def test_date_override_does_not_change_the_plan_date(catalogue):
    plan = enrich_plan(make_plan(), catalogue, date(2026, 8, 20))
    assert plan.date_lancement == date(2026, 9, 1)
    assert "ENV-EMB-07" in {c.id for c in plan.lots[0].clauses}  # in force from 12/08/2026
    early = enrich_plan(make_plan(), catalogue, date(2026, 8, 11))
    assert "ENV-EMB-07" not in {c.id for c in early.lots[0].clauses}
