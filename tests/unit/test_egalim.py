"""EGALIM projection: one label per product by priority, targets per member, seafood specifics, HVE 2."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotsmarche.models import Member
from lotsmarche.rules import check_plan, enrich_plan
from lotsmarche.rules.egalim import project
from tests.unit._plan_factory import COLLEGE, EHPAD, make_item, make_lot, make_plan

D = Decimal


def _plan(*items, membres=(COLLEGE, EHPAD), launch=date(2026, 9, 1)):
    return make_plan([make_lot(items=list(items))], membres=membres, date_lancement=launch)


def test_shares_per_member_and_group(catalogue):
    items = [
        make_item("MER-MOULE-ENTIER-FR", "600.00", ["Collège Angellier"], labels=["BIO"]),
        make_item("MER-MERLAN-FILET-FR", "400.00", ["Collège Angellier"], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", "1000.00", ["EHPAD Guynemer"]),
    ]
    egalim, _ = project(_plan(*items), catalogue, date(2026, 9, 1))
    college = egalim["membres"]["Collège Angellier"]
    assert college["montant_total_ht"] == D("1000.00")
    assert college["part_egalim"] == D("1.0000")
    assert college["part_bio"] == D("0.6000")
    assert college["part_viande_poisson"] == D("1.0000")
    assert egalim["membres"]["EHPAD Guynemer"]["part_egalim"] == D("0.0000")
    assert egalim["groupe"]["part_egalim"] == D("0.5000")
    assert egalim["groupe"]["part_bio"] == D("0.3000")
    assert egalim["perimetre"] == ["produits_de_la_mer"]


def test_one_label_per_product_by_priority(catalogue):
    """BIO (priority 1) and Label Rouge on one item: the value counts once, as organic."""
    item = make_item("MER-MOULE-ENTIER-FR", "500.00", ["Collège Angellier"], labels=["LABEL_ROUGE", "BIO"])
    egalim, _ = project(_plan(item), catalogue, date(2026, 9, 1))
    g = egalim["groupe"]
    assert (g["montant_egalim_ht"], g["montant_bio_ht"]) == (D("500.00"), D("500.00"))


@pytest.mark.parametrize(("share", "warned"), [("499.99", True), ("500.00", False)])
def test_fifty_percent_target_boundary(catalogue, share, warned):
    rest = str(D("1000.00") - D(share))
    items = [
        make_item("MER-MERLAN-FILET-FR", share, ["Collège Angellier"], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", rest, ["Collège Angellier"]),
    ]
    findings = [f for f in check_plan(_plan(*items, membres=(COLLEGE,)), catalogue) if f.code == "EGA-001"]
    assert bool(findings) is warned
    assert all(f.severite == "avertissement" and f.membre == "Collège Angellier" for f in findings)


def test_state_canteen_needs_100_percent_meat_and_fish(catalogue):
    etat = Member(nom="Restaurant administratif", type="administration", restauration_etat=True)
    items = [
        make_item("MER-MERLAN-FILET-FR", "900.00", [etat.nom], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", "100.00", [etat.nom]),
    ]
    findings = check_plan(_plan(*items, membres=(etat,)), catalogue)
    ega3 = [f for f in findings if f.code == "EGA-003"]
    assert len(ega3) == 1 and "100,0" in ega3[0].message and "90,00" in ega3[0].message


def test_msc_alone_is_a_buyer_assessed_equivalent(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", labels=["MSC"])
    findings = check_plan(_plan(item), catalogue)
    assert [(f.code, f.severite) for f in findings if f.code == "EGA-004"] == [("EGA-004", "avertissement")]
    both = make_item("MER-MERLAN-FILET-FR", labels=["MSC", "PECHE_DURABLE"])
    assert [f for f in check_plan(_plan(both), catalogue) if f.code == "EGA-004"] == []


def test_organic_wild_fish_is_an_error_and_does_not_count(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", labels=["BIO"])
    findings = check_plan(_plan(item), catalogue)
    assert [(f.code, f.severite) for f in findings if f.code == "EGA-005"] == [("EGA-005", "erreur")]
    egalim, _ = project(_plan(item), catalogue, date(2026, 9, 1))
    assert egalim["groupe"]["montant_bio_ht"] == D(0)
    farmed = make_item("MER-MOULE-ENTIER-FR", labels=["BIO"])
    assert [f for f in check_plan(_plan(farmed), catalogue) if f.code == "EGA-005"] == []


@pytest.mark.parametrize(("launch", "counted"), [(date(2026, 12, 31), True), (date(2027, 1, 1), False)])
def test_hve_level_2_counts_until_end_of_2026(catalogue, launch, counted):
    item = make_item("FLE-CAROTTE-FR", "100.00", ["Collège Angellier"], labels=["HVE_NIVEAU_2"])
    plan = make_plan([make_lot(items=[item], famille="fruits_legumes")], date_lancement=launch)
    egalim, findings = project(plan, catalogue, launch)
    assert (egalim["groupe"]["montant_egalim_ht"] == D("100.00")) is counted
    assert [f.code for f in findings if f.code == "EGA-006"] == ["EGA-006"]


def test_label_not_allowed_for_family(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", labels=["FERMIER"])
    assert [f.severite for f in check_plan(_plan(item), catalogue) if f.code == "EGA-007"] == ["erreur"]


def test_projection_stored_on_plan_with_scope_info(catalogue):
    plan = enrich_plan(_plan(make_item(labels=["PECHE_DURABLE"])), catalogue)
    assert plan.egalim["groupe"]["part_egalim"] == D("1.0000")
    scope = [f for f in plan.findings if f.code == "EGA-008"]
    assert len(scope) == 1 and scope[0].severite == "info" and "qu'une partie" in scope[0].message
