"""Procedure, allotment, accord-cadre, Climate-law and price-revision rules, each at both sides of its "
"boundary."""

from __future__ import annotations

from datetime import date

import pytest

from lotsmarche.models import ClauseOverrides
from lotsmarche.rules import check_plan
from tests.unit._plan_factory import make_lot, make_plan

LONG_REASON = (
    "Le besoin porte sur un seul produit livré ensemble sur un site unique ; le diviser rendrait l'exécution "
    "techniquement difficile (L2113-11, 2°) car une seule livraison quotidienne est possible."
)


def _codes(findings, code):
    return [(f.severite, f.lot) for f in findings if f.code == code]


NO_ENV_CRITERION = ClauseOverrides(
    ponderations={"frais": {"performance_environnementale": 0, "qualite_technique": 30, "livraison": 20}}
)


@pytest.mark.parametrize(
    ("launch", "cli001", "cli005"),
    [(date(2026, 8, 20), [], [("info", 1)]), (date(2026, 8, 21), [("erreur", 1)], [])],
)
def test_environmental_criterion_mandatory_from_21_august_2026(catalogue, launch, cli001, cli005):
    plan = make_plan(date_lancement=launch, clauses=NO_ENV_CRITERION)
    findings = check_plan(plan, catalogue, launch)
    assert _codes(findings, "CLI-001") == cli001
    assert _codes(findings, "CLI-005") == cli005
    assert _codes(findings, "CLA-001") == []  # 40 + 30 + 10 + 20 = 100


def test_environmental_execution_condition_mandatory(catalogue):
    env = sorted(c.id for c in catalogue.clauses if c.condition_execution and c.type == "environnementale")
    plan = make_plan(clauses=ClauseOverrides(retirer=env))
    assert _codes(check_plan(plan, catalogue, date(2026, 8, 21)), "CLI-002") == [("erreur", 1)]
    assert _codes(check_plan(plan, catalogue, date(2026, 8, 20)), "CLI-002") == []
    assert _codes(check_plan(make_plan(), catalogue, date(2026, 8, 21)), "CLI-002") == []


@pytest.mark.parametrize(("maximum", "expected"), [("215999.99", []), ("216000.00", [("erreur", 1)])])
def test_social_condition_at_eu_threshold(catalogue, maximum, expected):
    plan = make_plan(
        [make_lot(maximum=maximum)], clauses=ClauseOverrides(retirer=["SOC-INS-01", "SOC-INS-02"])
    )
    assert _codes(check_plan(plan, catalogue), "CLI-003") == expected


@pytest.mark.parametrize(("maximum", "clause"), [("216000.00", "SOC-INS-01"), ("99999.99", None)])
def test_social_clause_selected_in_formal_procedure(catalogue, maximum, clause):
    from lotsmarche.rules import enrich_plan

    lots = [make_lot(1, maximum=maximum), make_lot(2, maximum="120000.00")]
    plan = enrich_plan(make_plan(lots), catalogue)
    ids = {c.id for c in plan.lots[0].clauses if c.type == "sociale"}
    total_formal = sum(lot.montant_maximum_ht for lot in lots) >= 216000
    assert total_formal
    assert ids == ({"SOC-INS-01"} if clause else {"SOC-INS-02"})
    assert [f for f in plan.findings + plan.lots[0].findings if f.code == "CLI-003"] == []


def test_recorded_social_exception(catalogue):
    plan = make_plan(
        [make_lot(maximum="300000.00")],
        clauses=ClauseOverrides(retirer=["SOC-INS-01", "SOC-INS-02"]),
        exception_condition_sociale="Fourniture standardisée sans main-d'œuvre sur site : lien insuffisant.",
    )
    findings = check_plan(plan, catalogue)
    assert _codes(findings, "CLI-003") == []
    assert _codes(findings, "CLI-004") == [("info", None)]


@pytest.mark.parametrize(("duree", "expected"), [(48, []), (49, [("erreur", None)])])
def test_accord_cadre_duration(catalogue, duree, expected):
    assert _codes(check_plan(make_plan(duree_mois=duree), catalogue), "AC-004") == expected


def test_maximum_below_estimate_and_missing(catalogue):
    lot = make_lot().model_copy(update={"montant_estime_duree_ht": make_lot().montant_maximum_ht + 1})
    assert _codes(check_plan(make_plan([lot]), catalogue), "AC-002") == [("erreur", 1)]
    zero = make_lot().model_copy(update={"montant_maximum_ht": 0})
    assert _codes(check_plan(make_plan([zero]), catalogue), "AC-001") == [("erreur", 1)]
    mini = make_lot(minimum="999999")
    assert _codes(check_plan(make_plan([mini]), catalogue), "AC-003") == [("erreur", 1)]


@pytest.mark.parametrize(("duree", "expected"), [(3, []), (4, [("erreur", 1)])])
def test_price_revision_index_beyond_three_months(catalogue, duree, expected):
    plan = make_plan([make_lot(indice=None, duree_mois=duree)], duree_mois=duree)
    assert _codes(check_plan(plan, catalogue), "PRX-001") == expected


def test_revision_clause_quotes_the_lot_index(catalogue):
    from lotsmarche.rules import enrich_plan

    lot = enrich_plan(make_plan([make_lot(indice="010533935")]), catalogue).lots[0]
    rev = [c for c in lot.clauses if c.id == "ECO-REV-01"]
    assert len(rev) == 1 and "CCAP" in rev[0].destinations
    assert "série INSEE 010533935" in rev[0].texte


def _small_lot_plan(big: str):
    small = make_lot(1, maximum="60000.00", derogation="petit_lot")
    return make_plan([small, make_lot(2, maximum=big)])


@pytest.mark.parametrize(("big", "expected"), [("240000.00", []), ("239999.99", [("erreur", None)])])
def test_small_lot_allowance_twenty_percent(catalogue, big, expected):
    assert _codes(check_plan(_small_lot_plan(big), catalogue), "SEU-003") == expected


@pytest.mark.parametrize(("small", "expected"), [("79999.99", []), ("80000.00", [("erreur", 1)])])
def test_small_lot_threshold(catalogue, small, expected):
    plan = make_plan([make_lot(1, maximum=small, derogation="petit_lot"), make_lot(2, maximum="900000.00")])
    assert _codes(check_plan(plan, catalogue), "SEU-002") == expected


def test_petit_lot_needs_formal_total(catalogue):
    plan = make_plan([make_lot(1, maximum="50000.00", derogation="petit_lot"), make_lot(2, maximum="100000")])
    assert _codes(check_plan(plan, catalogue), "SEU-005") == [("erreur", 1)]


@pytest.mark.parametrize(("maximum", "expected"), [("215999.99", []), ("216000.00", [("erreur", None)])])
def test_procedure_must_follow_total(catalogue, maximum, expected):
    plan = make_plan([make_lot(maximum=maximum)], procedure="mapa")
    assert _codes(check_plan(plan, catalogue), "SEU-001") == expected


def test_date_override_uses_that_date_thresholds(catalogue):
    plan = make_plan([make_lot(maximum="50000.00")], procedure="dispense")
    assert _codes(check_plan(plan, catalogue), "SEU-006") == []  # < 60 000 € from 1 April 2026
    findings = check_plan(plan, catalogue, date(2026, 3, 31))  # 40 000 € before
    assert _codes(findings, "SEU-006") == [("erreur", None)]
    assert _codes(findings, "SEU-004") == [("info", None)]


def test_non_allotment_needs_a_justification(catalogue):
    assert _codes(check_plan(make_plan(allotissement=False), catalogue), "ALL-001") == [("erreur", None)]
    short = make_plan(allotissement=False, justification="Trop compliqué.")
    assert _codes(check_plan(short, catalogue), "ALL-002") == [("avertissement", None)]
    ok = make_plan(allotissement=False, justification=LONG_REASON)
    findings = check_plan(ok, catalogue)
    assert [f.code for f in findings if f.code.startswith("ALL")] == []


def test_non_allotment_clause_carries_the_reason(catalogue):
    from lotsmarche.rules import enrich_plan

    lot = enrich_plan(make_plan(allotissement=False, justification=LONG_REASON), catalogue).lots[0]
    nal = [c for c in lot.clauses if c.id == "RC-NAL-01"]
    assert len(nal) == 1 and LONG_REASON in nal[0].texte
    assert not any(c.id == "RC-LOT-01" for c in lot.clauses)


def test_lot_rules_and_tie_rule(catalogue):
    from lotsmarche.rules import enrich_plan

    plan = enrich_plan(make_plan([make_lot(1), make_lot(2)], lots_max_par_candidat=1), catalogue)
    ids = {c.id for c in plan.lots[0].clauses}
    assert {"RC-LOT-01", "RC-LOT-02"} <= ids
    assert [f.code for f in plan.findings if f.code == "ALL-003"] == ["ALL-003"]
    removed = make_plan(
        [make_lot(1), make_lot(2)], lots_max_par_candidat=1, clauses=ClauseOverrides(retirer=["RC-LOT-02"])
    )
    findings = check_plan(removed, catalogue)
    assert _codes(findings, "ALL-006") == [("erreur", None)]
    assert _codes(findings, "CLA-002") == [("erreur", None)]


def test_limit_without_effect_warns(catalogue):
    plan = make_plan([make_lot(1), make_lot(2)], lots_max_par_candidat=2)
    assert _codes(check_plan(plan, catalogue), "ALL-005") == [("avertissement", None)]
