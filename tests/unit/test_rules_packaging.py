"""Packaging rules (EMB-xxx): acceptance variants and legal boundaries on both sides."""

from __future__ import annotations

from datetime import date

import pytest

from lotsmarche.models import MEMBER_KINDS, Member
from lotsmarche.rules import check_plan
from tests.unit._plan_factory import COLLEGE, EHPAD, make_item, make_lot, make_plan


def _tray_plan(member: Member, launch: date = date(2026, 9, 1), duree: int = 12):
    item = make_item(
        "MER-MERLAN-FILET-FR", membres=[member.nom], conditionnement="barquette_plastique_operculee"
    )
    lot = make_lot(items=[item], regime="plastique_contact", duree_mois=duree)
    return make_plan([lot], membres=[member], date_lancement=launch, duree_mois=duree)


def _codes(findings, severite=None):
    return sorted({f.code for f in findings if severite is None or f.severite == severite})


def test_college_plastic_serving_trays_is_an_error(catalogue):
    findings = check_plan(_tray_plan(COLLEGE), catalogue)
    emb = [f for f in findings if f.code == "EMB-001"]
    assert len(emb) == 1
    assert emb[0].severite == "erreur"
    assert emb[0].lot == 1
    assert emb[0].membre == "Collège Angellier"
    assert "L541-15-10 III" in emb[0].base_legale
    assert _codes(findings, "erreur") == ["EMB-001"]


def test_ehpad_plastic_serving_trays_gives_info_only(catalogue):
    findings = check_plan(_tray_plan(EHPAD), catalogue)
    assert _codes(findings, "erreur") == []
    infos = _codes([f for f in findings if f.code.startswith("EMB")])
    assert infos == ["EMB-005", "EMB-007"]
    assert all(f.severite == "info" for f in findings if f.code.startswith("EMB"))


@pytest.mark.parametrize(
    ("launch", "expected"),
    [(date(2024, 12, 31), []), (date(2025, 1, 1), ["EMB-001"])],
)
def test_school_ban_date_boundary(catalogue, launch, expected):
    findings = check_plan(_tray_plan(COLLEGE, launch), catalogue, launch)
    assert [f.code for f in findings if f.code == "EMB-001"] == expected


@pytest.mark.parametrize(
    ("population", "launch", "code", "severite"),
    [
        (1999, date(2027, 12, 31), "EMB-004", "info"),
        (1999, date(2026, 9, 1), "EMB-004", "info"),
        (2000, date(2026, 9, 1), "EMB-002", "erreur"),
        (2000, date(2025, 1, 1), "EMB-002", "erreur"),
        (2000, date(2024, 12, 31), None, None),
    ],
)
def test_commune_population_boundary(catalogue, population, launch, code, severite):
    commune = Member(nom="Commune test", type="commune", population=population)
    findings = [
        f
        for f in check_plan(_tray_plan(commune, launch), catalogue, launch)
        if f.code in ("EMB-002", "EMB-003", "EMB-004")
    ]
    if code is None:
        assert findings == []
    else:
        assert [(f.code, f.severite) for f in findings] == [(code, severite)]


def test_commune_under_2000_is_an_error_from_2028(catalogue):
    """1 999 inhabitants: info until 31/12/2027, error from 01/01/2028 (thresholds row of 2027 reused)."""
    commune = Member(nom="Commune test", type="commune", population=1999)
    plan = _tray_plan(commune, date(2027, 12, 31))
    from lotsmarche.rules.packaging import check_packaging

    before = check_packaging(plan, catalogue, date(2027, 12, 31))
    after = check_packaging(plan, catalogue, date(2028, 1, 1))
    assert [(f.code, f.severite) for f in before if f.membre == "Commune test"] == [("EMB-004", "info")]
    assert [(f.code, f.severite) for f in after if f.membre == "Commune test"] == [("EMB-003", "erreur")]


def test_info_says_stricter_rule_applies_during_the_contract(catalogue):
    commune = Member(nom="Commune test", type="commune", population=1999)
    plan = _tray_plan(commune, date(2026, 9, 1), duree=48)
    emb = [f for f in check_plan(plan, catalogue) if f.code == "EMB-004"]
    assert "01/01/2028" in emb[0].message


def test_commune_population_from_territories_catalogue(catalogue):
    """Wimereux has more than 2 000 inhabitants in the territories catalogue: the 2025 deadline applies."""
    wimereux = catalogue.commune("Wimereux")
    assert wimereux is not None and wimereux.population >= 2000
    commune = Member(nom="Ville de Wimereux", type="commune", commune="Wimereux")
    findings = check_plan(_tray_plan(commune), catalogue)
    codes = [f.code for f in findings if f.membre == "Ville de Wimereux" and f.code.startswith("EMB")]
    assert codes == ["EMB-002"]


def test_unknown_population_warns(catalogue):
    commune = Member(nom="Commune inconnue", type="commune")
    findings = [
        f
        for f in check_plan(_tray_plan(commune), catalogue)
        if f.membre == "Commune inconnue" and f.code[:3] == "EMB"
    ]
    assert sorted(f.code for f in findings) == ["EMB-002", "EMB-010"]
    assert all(f.incertain for f in findings)


@pytest.mark.parametrize(("launch", "expected"), [(date(2019, 12, 31), []), (date(2020, 1, 1), ["EMB-006"])])
def test_plastic_water_bottles_in_school_catering(catalogue, launch, expected):
    from lotsmarche.rules.packaging import check_packaging

    item = make_item("MER-MERLAN-FILET-FR", conditionnement="bouteille_plastique")
    plan = make_plan([make_lot(items=[item], regime="plastique_contact")], membres=[COLLEGE])
    assert [f.code for f in check_packaging(plan, catalogue, launch) if f.code == "EMB-006"] == expected


def test_plastic_water_bottles_not_an_error_for_ehpad(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", membres=[EHPAD.nom], conditionnement="bouteille_plastique")
    plan = make_plan([make_lot(items=[item], regime="plastique_contact")], membres=[EHPAD])
    assert "EMB-006" not in _codes(check_plan(plan, catalogue))


def test_polystyrene_boxes_warn_and_transport_packaging_is_not_banned(catalogue):
    findings = check_plan(make_plan(), catalogue)  # fresh whiting in polystyrene boxes for a collège
    emb = {f.code: f.severite for f in findings if f.code.startswith("EMB")}
    assert emb == {"EMB-008": "avertissement", "EMB-009": "info"}
    assert "caisses isothermes réemployables" in next(f for f in findings if f.code == "EMB-008").correction


def test_vacuum_pack_for_college_is_lawful(catalogue):
    item = make_item("MER-MERLAN-FILET-FR", conditionnement="sous_vide")
    findings = check_plan(make_plan([make_lot(items=[item])], membres=[COLLEGE]), catalogue)
    assert [f for f in findings if f.code.startswith("EMB") and f.severite != "info"] == []


def test_mixed_regimes_in_a_lot_is_an_error(catalogue):
    items = [
        make_item(conditionnement="caisse_polystyrene"),
        make_item(conditionnement="caisse_reemployable"),
    ]
    findings = check_plan(make_plan([make_lot(items=items)]), catalogue)
    mixed = [f for f in findings if f.code == "EMB-011"]
    assert len(mixed) == 1 and mixed[0].severite == "erreur" and "caisse_reemployable" in mixed[0].message


def test_member_not_in_groupement_warns(catalogue):
    item = make_item(membres=["Inconnu"])
    findings = check_plan(make_plan([make_lot(items=[item])]), catalogue)
    assert [(f.code, f.membre) for f in findings if f.code == "EMB-013"] == [("EMB-013", "Inconnu")]


def _tableware_plan(code: str, members=(COLLEGE,)):
    item = make_item("MER-MERLAN-FILET-FR", membres=[m.nom for m in members], conditionnement=code)
    return make_plan([make_lot(items=[item], regime="plastique_contact")], membres=list(members))


@pytest.mark.parametrize(
    ("code", "launch", "expected"),
    [
        ("vaisselle_plastique_usage_unique", date(2019, 12, 31), []),
        ("vaisselle_plastique_usage_unique", date(2020, 1, 1), [("EMB-014", "erreur")]),
        ("couverts_plastique_usage_unique", date(2020, 12, 31), []),
        ("couverts_plastique_usage_unique", date(2021, 1, 1), [("EMB-015", "erreur")]),
    ],
)
def test_single_use_plastic_tableware_ban_dates(catalogue, code, launch, expected):
    from lotsmarche.rules.packaging import check_packaging

    findings = check_packaging(_tableware_plan(code), catalogue, launch)
    assert [(f.code, f.severite) for f in findings if f.code in ("EMB-014", "EMB-015")] == expected


@pytest.mark.parametrize("kind", MEMBER_KINDS)
def test_single_use_plastic_tableware_is_an_error_for_every_member_kind(catalogue, kind):
    """The national ban is not limited to school catering: EHPAD, hospital, commune of 500 inhabitants…"""
    member = Member(nom=f"Membre {kind}", type=kind, population=500 if kind == "commune" else None)
    rules = (("vaisselle_plastique_usage_unique", "EMB-014"), ("couverts_plastique_usage_unique", "EMB-015"))
    for code, rule in rules:
        found = [f for f in check_plan(_tableware_plan(code, (member,)), catalogue) if f.code == rule]
        assert [(f.severite, f.lot, f.membre, f.incertain) for f in found] == [("erreur", 1, None, False)]
        assert found[0].base_legale == (
            "Code de l'environnement, art. L541-15-10 III (rédaction issue de la loi n° 2020-105 du "
            "10 février 2020) et D541-330 (décret n° 2020-1828 du 31 décembre 2020)"
        )


def test_single_use_plates_for_an_ehpad(catalogue):
    """EHPAD: out of the container ban (EMB-005 info), but the single-use tableware ban applies (EMB-014)."""
    findings = check_plan(_tableware_plan("vaisselle_plastique_usage_unique", (EHPAD,)), catalogue)
    emb = sorted((f.code, f.severite) for f in findings if f.code.startswith("EMB"))
    assert emb == [("EMB-005", "info"), ("EMB-014", "erreur")]
    messages = {f.code: f.message for f in findings}
    assert messages["EMB-014"].startswith(
        "Lot 1 : Des assiettes, gobelets ou verres en plastique à usage unique sont demandés"
    )
    assert "interdits pour tous (EMB-014, EMB-015)" in messages["EMB-005"]


def test_single_use_tableware_codes_in_catalogue(catalogue):
    for code in ("vaisselle_plastique_usage_unique", "couverts_plastique_usage_unique"):
        pack = catalogue.conditionnements[code]
        assert (pack.plastique, pack.usage_unique, pack.usages, pack.regime) == (
            True,
            True,
            ["service"],
            "plastique_contact",
        )
