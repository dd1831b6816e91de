"""Clause library and criteria: content, selection, motifs, buyer overrides, safe substitution."""

from __future__ import annotations

from datetime import date

from lotsmarche.clauses import lot_values, select_with_findings
from lotsmarche.clauses.text import placeholders, substitute
from lotsmarche.models import ClauseOverrides, Member
from lotsmarche.rules import check_plan, enrich_plan
from tests.unit._plan_factory import make_item, make_lot, make_plan


def _ids(lot):
    return [c.id for c in lot.clauses]


def test_library_size_and_fields(catalogue):
    clauses = catalogue.clauses
    assert len(clauses) >= 30
    assert len({c.id for c in clauses}) == len(clauses)
    kinds = {c.type for c in clauses}
    assert kinds == {"environnementale", "sociale", "ethique", "economique"}
    assert {d for c in clauses for d in c.destinations} == {"RC", "CCAP", "CCTP", "AE"}
    assert all(c.base_legale and c.texte and c.date_revision for c in clauses)


def test_every_placeholder_has_a_value(catalogue):
    keys = set(lot_values(make_plan(), make_lot(), catalogue, date(2026, 9, 1), []))
    for clause in catalogue.clauses:
        missing = set(placeholders(clause.texte)) - keys - set(clause.parametres)
        assert not missing, (clause.id, missing)


def test_product_list_is_covered(catalogue):
    ids = {c.id for c in catalogue.clauses}
    required = {
        "ENV-EMB-01",  # returnable delivery packaging and take-back
        "ENV-EMB-04",  # no plastic for cooking/reheating/serving
        "ENV-EMB-03",  # reduced and recyclable packaging
        "ENV-FRA-01",
        "ENV-SAI-01",  # freshness and seasonality
        "RC-CRI-02",  # direct-supply performance criterion
        "ENV-TRA-01",  # transport emissions
        "ENV-PEC-01",  # sustainable fishing
        "ENV-LAB-01",  # labels « ou équivalent »
        "ENV-TRC-01",
        "ENV-FRO-01",
        "ENV-FRO-02",  # traceability and cold chain
        "ENV-GAS-01",
        "ENV-GAS-02",  # food waste and donation
        "SOC-INS-01",  # insertion hours
        "SOC-RES-01",
        "SOC-RES-02",  # reserved lots (options)
        "ECO-PAY-01",
        "ECO-PAY-03",  # payment terms
        "ECO-REV-01",
        "ECO-REV-02",  # price revision
        "RC-LOT-01",
        "ECO-AC-01",
        "ECO-PEN-01",  # mandatory mentions
    }
    assert required <= ids
    by_id = {c.id: c for c in catalogue.clauses}
    assert by_id["SOC-RES-01"].conditions.option and by_id["SOC-RES-02"].conditions.option
    assert "P = V × R / 1\u00a0000" in by_id["ECO-PEN-01"].texte
    assert "{indice_revision}" in by_id["ECO-REV-01"].texte


def test_criteria_sets(catalogue):
    sets = {cs.id: cs for cs in catalogue.criteres}
    assert set(sets) >= {"frais", "surgele", "defaut"}
    for cs in sets.values():
        assert sum(c.ponderation for c in cs.criteres) == 100
        assert any(c.environnemental for c in cs.criteres)
        weights = {c.code: c.ponderation for c in cs.criteres}
        assert weights["prix"] <= 40
        assert weights["qualite_technique"] <= 30
        assert 10 <= weights["performance_environnementale"] <= 30
        for c in cs.criteres:
            assert c.sous_criteres and c.base_legale
            assert c.ponderation_min is None or c.ponderation >= c.ponderation_min
            assert c.ponderation_max is None or c.ponderation <= c.ponderation_max
    frais = {c.code: c.ponderation for c in sets["frais"].criteres}
    surgele = {c.code: c.ponderation for c in sets["surgele"].criteres}
    assert frais != surgele and "approvisionnement_direct" in frais


def test_fresh_and_frozen_lots_get_their_sets(catalogue):
    lots = [make_lot(1), make_lot(2, conservation="surgele", items=[make_item("MER-MOULE-DECORTIQUE-SG")])]
    plan = enrich_plan(make_plan(lots), catalogue)
    assert [c.code for c in plan.lots[0].criteres][3] == "approvisionnement_direct"
    assert "approvisionnement_direct" not in [c.code for c in plan.lots[1].criteres]
    assert "ENV-FRO-01" in _ids(plan.lots[0]) and "ENV-FRO-02" in _ids(plan.lots[1])
    assert "ENV-FRO-02" not in _ids(plan.lots[0])


def test_motif_explains_the_conditions(catalogue):
    lot = enrich_plan(make_plan(), catalogue).lots[0]
    by_id = {c.id: c for c in lot.clauses}
    assert by_id["ENV-FRO-01"].motif.startswith("Retenue car : famille « Poissons")
    assert "produits frais" in by_id["ENV-FRO-01"].motif
    assert "collège" in by_id["ENV-EMB-04"].motif
    assert by_id["ECO-AC-01"].motif == "Retenue pour tous les lots (clause sans condition)."
    assert "consultation lancée à compter du 12/08/2026" in by_id["ENV-EMB-07"].motif


def test_no_serving_plastic_clause_only_for_school_members(catalogue):
    ehpad = Member(nom="EHPAD", type="ehpad")
    plan = make_plan([make_lot(items=[make_item(membres=["EHPAD"])])], membres=[ehpad])
    assert "ENV-EMB-04" not in _ids(enrich_plan(plan, catalogue).lots[0])


def test_options_only_on_request_and_per_lot(catalogue):
    lots = [make_lot(1), make_lot(2)]
    assert "SOC-RES-01" not in _ids(enrich_plan(make_plan(lots), catalogue).lots[0])
    plan = enrich_plan(make_plan(lots, clauses=ClauseOverrides(ajouter=["SOC-RES-01@2"])), catalogue)
    assert "SOC-RES-01" not in _ids(plan.lots[0])
    sel = [c for c in plan.lots[1].clauses if c.id == "SOC-RES-01"]
    assert len(sel) == 1 and "option demandée" in sel[0].motif and "AE" in sel[0].destinations


def test_parameter_override_changes_text(catalogue):
    plan = make_plan(clauses=ClauseOverrides(parametres={"ENV-FRA-01": {"delai_max_jours": 1}}))
    sel = next(c for c in enrich_plan(plan, catalogue).lots[0].clauses if c.id == "ENV-FRA-01")
    assert "au plus 1 jours" in sel.texte


def test_override_findings(catalogue):
    ov = ClauseOverrides(
        ajouter=["XXX-01"],
        retirer=["ECO-AC-01"],
        parametres={"ENV-FRA-01": {"inconnu": 1, "delai_max_jours": "deux"}},
        ponderations={"frais": {"prix": 30}, "congele": {"prix": 40}},
    )
    codes = sorted(f.code for f in select_with_findings(make_plan(clauses=ov), catalogue)[1])
    assert codes == ["CLA-001", "CLA-002", "CLA-003", "CLA-004", "CLA-009", "CLA-011"]


def test_weights_out_of_cnrc_range_warn(catalogue):
    ov = ClauseOverrides(ponderations={"frais": {"prix": 45, "qualite_technique": 20}})
    findings = select_with_findings(make_plan(clauses=ov), catalogue)[1]
    assert [(f.code, f.severite) for f in findings] == [("CLA-005", "avertissement")]
    lot = enrich_plan(make_plan(clauses=ov), catalogue).lots[0]
    assert {c.code: c.ponderation for c in lot.criteres}["prix"] == 45


def test_option_applying_nowhere_warns(catalogue):
    # ENV-EMB-05 needs an ESMS, EHPAD or hospital member: none here, so the request applies nowhere.
    college = make_plan().groupement.membres[0]
    plan = make_plan(clauses=ClauseOverrides(ajouter=["ENV-EMB-05"]), membres=[college])
    assert [f.code for f in check_plan(plan, catalogue) if f.code == "CLA-010"] == ["CLA-010"]


def test_substitution_never_executes():
    text, missing = substitute("A {x} B {{ 7*7 }} {0.__class__} {y}", {"x": "{% if %}", "y": None})
    assert text == "A {% if %} B {{ 7*7 }} {0.__class__} {y}"
    assert missing == ["y"]


def test_selection_is_deterministic(catalogue):
    plan = make_plan(
        [
            make_lot(1),
            make_lot(2, regime="reemployable", items=[make_item(conditionnement="caisse_reemployable")]),
        ]
    )
    assert enrich_plan(plan, catalogue) == enrich_plan(plan, catalogue)
    lot2 = enrich_plan(plan, catalogue).lots[1]
    assert "ENV-EMB-01" in _ids(lot2) and "ENV-EMB-02" not in _ids(lot2)
