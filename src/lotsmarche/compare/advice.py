"""What a comparison advises: which strategies give the same plan, and which one to choose, and why.

Two plans are the same when they put the same demand lines together, lot by lot (numbers, titles and order
aside). The recommendation ranks the strategies, in this order, by: fewest compliance errors; largest share
of the value servable by at least k suppliers of the sourcing; lowest management cost (fewer lots); then the
order they were asked in. It is advice for the buyer, who decides.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from lotsmarche.compare.metrics import PlanMetrics, column_value
from lotsmarche.models import LotPlan
from lotsmarche.money import eur, pct

CRITERIA = (
    "conformité (moins d'erreurs)",
    "valeur servable par au moins k fournisseurs",
    "coût de gestion (moins de lots)",
)


class Advice(BaseModel):
    """Identical plans and the recommended strategy (``None`` when there is nothing to compare)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    identiques: list[list[str]] = []  # groups of 2+ strategies giving the same plan, in the order asked
    recommandee: str | None = None
    raisons: list[str] = []  # French sentences, for the terminal, the markdown and the json


def plan_signature(plan: LotPlan) -> tuple[tuple[int, ...], ...]:
    """The plan's partition of the demand lines: one sorted tuple of line ids per lot, lots sorted."""
    return tuple(sorted(tuple(sorted(i for item in lot.items for i in item.lignes)) for lot in plan.lots))


def same_plan_groups(plans: dict[str, LotPlan]) -> list[list[str]]:
    """Groups of at least two strategies whose plans are the same partition of the demand."""
    groups: dict[tuple[tuple[int, ...], ...], list[str]] = {}
    for name, plan in plans.items():
        groups.setdefault(plan_signature(plan), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _rank(row: PlanMetrics, position: int) -> tuple[int, Decimal, Decimal, int, int]:
    return (
        int(column_value(row, "erreurs")),
        -row.part_valeur_servable_k,
        row.cout_administratif,
        row.nb_lots,
        position,
    )


def advise(rows: list[PlanMetrics], identiques: list[list[str]], k: int) -> Advice:
    """Identical plans and the recommended strategy among ``rows`` (see the module docstring)."""
    if len(rows) < 2:
        return Advice(identiques=identiques)
    best = min(rows, key=lambda r: _rank(r, rows.index(r)))
    reasons: list[str] = []
    if len(identiques) == 1 and len(identiques[0]) == len(rows):
        reasons.append(
            f"Les {len(rows)} stratégies donnent le même plan ({best.nb_lots} lots) : le choix de la "
            "stratégie est indifférent. Pour explorer d'autres découpages, écrivez un plan YAML (--plan) "
            "ou changez k_fournisseurs dans groupement.yaml."
        )
    else:
        reasons += [
            f"Même plan pour {', '.join(names[:-1])} et {names[-1]} ({_lots(rows, names[0])})."
            for names in identiques
        ]
    twins = next((g for g in identiques if best.strategie in g), [])
    others = [n for n in twins if n != best.strategie]
    reasons.append(
        f"Stratégie recommandée : {best.strategie}"
        + (f" (même plan que {', '.join(others)})" if others else "")
        + f" — {column_value(best, 'erreurs')} erreur(s) de conformité, {pct(best.part_valeur_servable_k)} "
        f"de la valeur servable par au moins {k} fournisseurs du sourçage, {best.nb_lots_servables_k} lot(s) "
        f"servable(s) sur {best.nb_lots}, coût de gestion {eur(best.cout_administratif)}. Critères, dans "
        f"l'ordre : {', '.join(CRITERIA)}."
    )
    return Advice(identiques=identiques, recommandee=best.strategie, raisons=reasons)


def _lots(rows: list[PlanMetrics], name: str) -> str:
    row = next(r for r in rows if r.strategie == name)
    return f"{row.nb_lots} lot{'s' if row.nb_lots > 1 else ''}"
