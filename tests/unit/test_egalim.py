"""EGALIM projection: one label per product by priority, one finding per indicator, seafood, HVE 2."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotsmarche.models import Member
from lotsmarche.rules import check_plan, enrich_plan
from lotsmarche.rules.egalim import project
from tests.unit._plan_factory import COLLEGE, EHPAD, make_item, make_lot, make_plan

D = Decimal
NB = "\u00a0"  # no-break space before %


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


SEAFOOD = "Poissons, produits de la mer et de l'aquaculture"
PARTIAL_50 = (
    " Ce plan ne couvre qu'une partie des achats alimentaires des membres "
    f"(familles du plan : {SEAFOOD}) : le taux légal se calcule par restaurant et par année civile sur "
    "l'ensemble des achats alimentaires (art. R230-30-1), ce plan seul ne permet donc pas de conclure."
)
COMPLETE = (
    " Le plan couvrant toutes les familles d'achats alimentaires, ces membres n'atteindront pas l'objectif "
    "légal sauf achats faits hors de ce marché."
)


def _one_product_per_family(catalogue) -> dict[str, str]:
    return {
        f: min(p.code for p in catalogue.produits.values() if p.famille == f)
        for f in sorted(catalogue.familles)
    }


def _full_plan(catalogue, labelled: str, familles=None, membres=(COLLEGE,)):
    """Collège Angellier buys 1 000,00 €: ``labelled`` of whiting under « Pêche durable », the rest
    unlabelled; every other family of ``familles`` (default: all) gets a lot with one 10,00 € item."""
    products = _one_product_per_family(catalogue)
    familles = sorted(familles or products)
    others = [f for f in familles if f != "produits_de_la_mer"]
    rest = D("1000.00") - D(labelled) - 10 * len(others)
    seafood = [
        make_item("MER-MERLAN-FILET-FR", labelled, ["Collège Angellier"], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", str(rest), ["Collège Angellier"]),
    ]
    lots = [make_lot(1, items=seafood)] + [
        make_lot(i, items=[make_item(products[f], "10.00", ["Collège Angellier"])], famille=f)
        for i, f in enumerate(others, start=2)
    ]
    return make_plan(lots, membres=membres)


def _codes(findings, prefix="EGA-00"):
    return [(f.code, f.severite) for f in findings if f.code.startswith(prefix) and f.code != "EGA-008"]


@pytest.mark.parametrize(("share", "warned"), [("499.99", True), ("500.00", False)])
def test_fifty_percent_target_boundary_seafood_only_plan_is_info(catalogue, share, warned):
    rest = str(D("1000.00") - D(share))
    items = [
        make_item("MER-MERLAN-FILET-FR", share, ["Collège Angellier"], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", rest, ["Collège Angellier"]),
    ]
    findings = [f for f in check_plan(_plan(*items, membres=(COLLEGE,)), catalogue) if f.code == "EGA-001"]
    if not warned:
        assert findings == []
        return
    (f,) = findings
    assert (f.severite, f.membre, f.lot, f.incertain) == ("info", None, None, False)
    assert f.base_legale == "Code rural et de la pêche maritime, art. L230-5-1 et R230-30-1"
    # 49,999 % is never printed « 50,0 % »: a share below the target is rounded down.
    assert f.message == (
        f"Produits durables et de qualité (objectif 50{NB}%) : part projetée du groupement 49,9{NB}% ; "
        f"1 membre sur 1 sous l'objectif : Collège Angellier 49,9{NB}%." + PARTIAL_50
    )


@pytest.mark.parametrize(("share", "warned"), [("499.99", True), ("500.00", False)])
def test_fifty_percent_target_boundary_complete_plan_is_a_warning(catalogue, share, warned):
    plan = _full_plan(catalogue, share)
    findings = [f for f in check_plan(plan, catalogue) if f.code == "EGA-001"]
    assert [f.severite for f in findings] == (["avertissement"] if warned else [])
    if warned:
        assert findings[0].message == (
            f"Produits durables et de qualité (objectif 50{NB}%) : part projetée du groupement 49,9{NB}% ; "
            f"1 membre sur 1 sous l'objectif : Collège Angellier 49,9{NB}%." + COMPLETE
        )
    egalim, _ = project(plan, catalogue, date(2026, 9, 1))
    ind = egalim["indicateurs"]["egalim"]
    assert (ind["perimetre_complet"], ind["familles_absentes"], ind["nb_membres"]) == (True, [], 1)
    expected = [{"membre": "Collège Angellier", "part": D("0.4999"), "cible": D("0.50")}] if warned else []
    assert ind["membres_sous_objectif"] == expected
    scope = [f for f in check_plan(plan, catalogue) if f.code == "EGA-008"]
    assert "le plan couvre toutes les familles d'achats alimentaires" in scope[0].message


def test_meat_and_fish_plan_decides_the_60_percent_only(catalogue):
    """Seafood, butcher's meat and poultry: the 60 % base is covered (warning), 50 % and 20 % are not."""
    plan = _full_plan(catalogue, "100.00", familles=["produits_de_la_mer", "viandes_boucherie", "volailles"])
    assert sorted(_codes(check_plan(plan, catalogue))) == [
        ("EGA-001", "info"),
        ("EGA-002", "info"),
        ("EGA-003", "avertissement"),
    ]
    (ega3,) = [f for f in check_plan(plan, catalogue) if f.code == "EGA-003"]
    assert ega3.message.endswith(
        "Le plan couvrant toutes les familles de viandes et de produits de la pêche, ces membres "
        "n'atteindront pas l'objectif légal sauf achats faits hors de ce marché."
    )
    egalim, _ = project(plan, catalogue, date(2026, 9, 1))
    assert egalim["indicateurs"]["viande_poisson"]["perimetre_complet"] is True
    assert egalim["indicateurs"]["egalim"]["familles_absentes"] == [
        "boissons",
        "boulangerie",
        "charcuterie",
        "epicerie",
        "fruits_legumes",
        "oeufs",
        "produits_laitiers",
    ]


def test_seafood_only_meat_and_fish_indicator_names_missing_families(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", "1000.00", ["Collège Angellier"])
    (f,) = [f for f in check_plan(_plan(item, membres=(COLLEGE,)), catalogue) if f.code == "EGA-003"]
    assert f.severite == "info"
    assert f.message == (
        f"Viandes et produits de la pêche durables et de qualité (objectif 60{NB}%) : part projetée du "
        f"groupement 0,0{NB}% ; 1 membre sur 1 sous l'objectif : Collège Angellier 0,0{NB}%. Ce plan ne "
        "couvre pas toutes les viandes et tous les produits de la pêche achetés par les membres (familles "
        "absentes : Viandes de boucherie (bœuf, veau, porc, agneau), Volailles et lapin) : le taux légal se "
        "calcule par restaurant et par année civile sur l'ensemble de ces achats (art. R230-30-1), ce plan "
        "seul ne permet donc pas de conclure."
    )


def _members(n: int) -> list[Member]:
    return [Member(nom=f"Collège {i:02d}", type="college") for i in range(1, n + 1)]


@pytest.mark.parametrize(("n", "listed", "suffix"), [(9, 9, ""), (12, 8, " et 4 autres")])
def test_one_finding_per_indicator_lists_worst_members_first(catalogue, n, listed, suffix):
    """Member i buys 1 000 € with i × 10 € labelled: shares 1 %, 2 %, … all below 50 %; plus one member on
    target and one member who buys nothing: neither is listed, the first is counted in « sur N »."""
    members = _members(n)
    items = []
    # Declared in reverse order: the listed order must come from the shares.
    for i, m in enumerate(reversed(members), start=1):
        share = D(n + 1 - i) * 10
        items.append(make_item("MER-MERLAN-FILET-FR", f"{share}.00", [m.nom], labels=["PECHE_DURABLE"]))
        items.append(make_item("MER-MERLAN-FILET-FR", f"{1000 - share}.00", [m.nom]))
    ok = Member(nom="Lycée modèle", type="lycee")
    items.append(make_item("MER-MERLAN-FILET-FR", "600.00", [ok.nom], labels=["PECHE_DURABLE"]))
    items.append(make_item("MER-MERLAN-FILET-FR", "400.00", [ok.nom]))
    plan = _plan(*items, membres=(*members, ok, EHPAD))
    findings = check_plan(plan, catalogue)
    ega1 = [f for f in findings if f.code == "EGA-001"]
    assert len(ega1) == 1 and len([f for f in findings if f.code.startswith("EGA-00")]) == 4
    names = ", ".join(f"Collège {i:02d} {i},0{NB}%" for i in range(1, listed + 1))
    assert f"; {n} membres sur {n + 1} sous l'objectif : {names}{suffix}." in ega1[0].message
    egalim, _ = project(plan, catalogue, date(2026, 9, 1))
    below = egalim["indicateurs"]["egalim"]["membres_sous_objectif"]
    assert [row["membre"] for row in below] == [m.nom for m in members]  # all of them kept as data
    assert [row["part"] for row in below] == [D(i) / 100 for i in range(1, n + 1)]


def test_state_canteen_needs_100_percent_meat_and_fish(catalogue):
    etat = Member(nom="Restaurant administratif", type="administration", restauration_etat=True)
    items = [
        make_item("MER-MERLAN-FILET-FR", "900.00", [etat.nom], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", "100.00", [etat.nom]),
        make_item("MER-MERLAN-FILET-FR", "900.00", [COLLEGE.nom], labels=["PECHE_DURABLE"]),
        make_item("MER-MERLAN-FILET-FR", "100.00", [COLLEGE.nom]),
    ]
    findings = check_plan(_plan(*items, membres=(etat, COLLEGE)), catalogue)
    (ega3,) = [f for f in findings if f.code == "EGA-003"]
    assert ega3.message.startswith(
        f"Viandes et produits de la pêche durables et de qualité (objectif 60{NB}%, 100{NB}% pour la "
        f"restauration d'État) : part projetée du groupement 90,0{NB}% ; 1 membre sur 2 sous l'objectif : "
        f"Restaurant administratif 90,0{NB}% (objectif 100{NB}%)."
    )
    assert [f for f in findings if f.code == "EGA-001"] == []  # 90 % ≥ 50 % for both


def test_group_shares_reach_the_comparison(catalogue):
    from lotsmarche.compare import plan_metrics

    plan = enrich_plan(_plan(make_item(labels=["PECHE_DURABLE"]), make_item()), catalogue)
    metrics = plan_metrics(plan, 2)
    assert (metrics.egalim_part, metrics.egalim_bio, metrics.egalim_viande_poisson) == (
        D("0.5000"),
        D("0.0000"),
        D("0.5000"),
    )


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
