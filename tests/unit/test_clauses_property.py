"""Property: over random plans, every selected clause's conditions hold, and every non-option clause whose
conditions hold is selected. The predicate below is written independently of lotsmarche.clauses.context."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotsmarche.clauses import select_clauses
from lotsmarche.models import CONSERVATIONS, MEMBER_KINDS, REGIMES, Member
from tests.unit._plan_factory import make_item, make_lot, make_plan

PRODUCTS = [
    "MER-MERLAN-FILET-FR",
    "MER-MOULE-ENTIER-FR",
    "MER-MOULE-DECORTIQUE-SG",
    "FLE-CAROTTE-FR",
    "VIA-AGNEAU-SAUTE-FR",
]
FAMILIES = ["produits_de_la_mer", "fruits_legumes", "viandes_boucherie", "produits_laitiers", "epicerie"]


def _holds(cond, lot, plan, cat, launch) -> bool:
    kinds = {m.type for m in plan.groupement.membres if m.nom in lot.membres}
    groups = {cat.produits[i.produit].groupe_espece for i in lot.items} | {lot.groupe_espece}
    total = sum(x.montant_maximum_ht for x in plan.lots)
    formal = total >= Decimal("216000")
    tests = [
        cond.familles is None or lot.famille in cond.familles,
        cond.conservations is None or lot.conservation in cond.conservations,
        cond.regimes is None or lot.regime_emballage in cond.regimes,
        cond.types_membres is None or bool(kinds & set(cond.types_membres)),
        cond.groupes_especes is None or bool(groups & set(cond.groupes_especes)),
        cond.montant_min is None or lot.montant_maximum_ht >= cond.montant_min,
        cond.montant_max is None or lot.montant_maximum_ht < cond.montant_max,
        cond.lancement_du is None or launch >= cond.lancement_du,
        cond.lancement_au is None or launch <= cond.lancement_au,
        cond.procedure_formalisee is None or cond.procedure_formalisee == formal,
        cond.nb_lots_min is None or len(plan.lots) >= cond.nb_lots_min,
        cond.allotissement is None or cond.allotissement == plan.allotissement,
        cond.limitation_lots is None or cond.limitation_lots == (plan.lots_max_par_candidat is not None),
    ]
    return all(tests)


lot_spec = st.tuples(
    st.sampled_from(FAMILIES),
    st.sampled_from(CONSERVATIONS),
    st.sampled_from(REGIMES),
    st.sampled_from(PRODUCTS),
    st.integers(min_value=1000, max_value=400000),
    st.lists(st.sampled_from(MEMBER_KINDS), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(lot_spec, min_size=1, max_size=3),
    offset=st.integers(min_value=0, max_value=700),
    allotted=st.booleans(),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=3)),
)
def test_selected_iff_conditions_hold(catalogue, specs, offset, allotted, limit):
    launch = date(2026, 1, 1) + timedelta(days=offset)
    if not allotted:
        specs = specs[:1]
    lots, members = [], {}
    for n, (fam, cons, regime, product, maximum, kinds) in enumerate(specs, start=1):
        names = [f"{k}-{n}" for k in kinds]
        members.update(
            {nm: Member(nom=nm, type=k, population=5000) for nm, k in zip(names, kinds, strict=True)}
        )
        lots.append(
            make_lot(
                n,
                items=[make_item(product, membres=names)],
                famille=fam,
                conservation=cons,
                regime=regime,
                maximum=f"{maximum}.00",
            )
        )
    plan = make_plan(
        lots,
        membres=list(members.values()),
        date_lancement=launch,
        allotissement=allotted,
        justification=None if allotted else "motivation",
        lots_max_par_candidat=limit,
    )
    selected = select_clauses(plan, catalogue)
    for lot in selected.lots:
        ids = {c.id for c in lot.clauses}
        for clause in catalogue.clauses:
            holds = _holds(clause.conditions, lot, plan, catalogue, launch)
            if clause.id in ids:
                assert holds, (clause.id, lot.numero)
                assert not clause.conditions.option
            elif not clause.conditions.option:
                assert not holds, (clause.id, lot.numero)
        assert sum(c.ponderation for c in lot.criteres) == 100
        assert any(c.environnemental for c in lot.criteres)
