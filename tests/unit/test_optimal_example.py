"""Strategy ``optimal`` on the bundled Boulonnais example, against every other registered strategy."""

from __future__ import annotations

import pytest

from lotsmarche.compare import plan_metrics
from lotsmarche.models import LotPlan


@pytest.fixture(scope="module")
def plans() -> dict[str, LotPlan]:
    from lotsmarche.lotting.strategies import STRATEGY_REGISTRY
    from lotsmarche.pipeline import example_inputs, plan_lots

    demand, _g, _s = example_inputs()
    if not demand:
        pytest.skip("exemple du Boulonnais absent")
    from lotsmarche.compare.run import _with_optimal_findings

    out = {name: plan_lots([], strategy=name)[0] for name in STRATEGY_REGISTRY}
    out["optimal"] = _with_optimal_findings(out["optimal"])  # what `compare` does (OPT-xxx findings)
    return out


def test_optimal_has_fewest_lots_among_fully_servable(plans: dict[str, LotPlan]) -> None:
    k = plans["optimal"].groupement.k_fournisseurs
    metrics = {name: plan_metrics(plan, k) for name, plan in plans.items()}
    best = metrics["optimal"]
    for name, m in metrics.items():
        # optimal leaves the least value below k (only demand no k suppliers can serve at all) ...
        assert best.part_valeur_servable_k >= m.part_valeur_servable_k, name
        # ... and, among plans reaching that value or with every lot servable, has the fewest lots
        if m.part_valeur_servable_k == best.part_valeur_servable_k or m.nb_lots_servables_k == m.nb_lots:
            assert best.nb_lots <= m.nb_lots, name


def test_optimal_lots_match_the_capacity_definition(plans: dict[str, LotPlan]) -> None:
    plan = plans["optimal"]
    k = plan.groupement.k_fournisseurs
    codes = [f.code for f in plan.findings if f.code.startswith("OPT-")]
    assert codes[0] == "OPT-001"
    blocked = codes.count("OPT-002")
    below = [lot for lot in plan.lots if lot.nb_fournisseurs_capables < k]
    # the lots below k are exactly the residual lots (one per homogeneous class holding blocked demand)
    assert len(below) <= blocked
    assert (blocked == 0) == (not below)
