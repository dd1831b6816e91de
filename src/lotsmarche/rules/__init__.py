"""Compliance engine: select clauses and criteria, run every rule, attach the findings to the plan.

``check_plan`` re-selects the clauses (deterministic) and runs every rule; with ``date_lancement`` it checks
the same plan as if launched on that date (thresholds row, Climate-law date, packaging dates, label validity).
``enrich_plan`` does the same and stores the result: ``lot.findings`` (findings of that lot),
``plan.findings`` (plan-level findings) and ``plan.egalim`` (projection, shape in ``rules.egalim``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses import select_with_findings
from lotsmarche.models import Finding, LotPlan
from lotsmarche.rules.communes import check_communes
from lotsmarche.rules.egalim import project
from lotsmarche.rules.lint import LintHit, lint_text
from lotsmarche.rules.packaging import check_packaging
from lotsmarche.rules.plan import check_plan_basics
from lotsmarche.rules.procedure import check_procedure

__all__ = ["LintHit", "attach_findings", "check_plan", "enrich_plan", "lint_text", "sort_findings"]

SEVERITY_ORDER = {"erreur": 0, "avertissement": 1, "info": 2}
# Codes the lot builder (lotsmarche.lotting, lotsmarche.valuation) writes into the plan; the rules never
# compute them, so `check` reports them as stored. LOT-001 (servability) is a rule: not listed.
BUILDER_PREFIXES: tuple[str, ...] = (
    "LOT-002",
    "LOT-003",
    "LOT-004",
    "LOT-005",
    "LOT-006",
    "LOT-007",
    "OPT-",
    "VAL-",
)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Plan-level first, then by lot; errors first; duplicates removed (stable, deterministic)."""
    unique: dict[str, Finding] = {}
    for f in findings:
        unique.setdefault(f.model_dump_json(), f)
    return sorted(
        unique.values(),
        key=lambda f: (
            f.lot is not None,
            f.lot or 0,
            SEVERITY_ORDER[f.severite],
            f.code,
            f.membre or "",
            f.message,
        ),
    )


def _run(
    plan: LotPlan, cat: Catalogue, date_lancement: date | None, today: date | None = None
) -> tuple[LotPlan, list[Finding], dict[str, Any]]:
    from lotsmarche.rules.lint import lint_plan

    launch = date_lancement or plan.date_lancement
    row = cat.seuils_pour(launch) if date_lancement is not None else plan.seuils
    selected, findings = select_with_findings(plan, cat, date_lancement)
    egalim, egalim_findings = project(selected, cat, launch)
    findings = [
        *findings,
        *check_packaging(selected, cat, launch),
        *egalim_findings,
        *check_plan_basics(selected, cat),
        *check_procedure(selected, cat, row, launch, today),
        *lint_plan(selected, cat),
        *check_communes(selected, cat),
    ]
    return selected, sort_findings(findings), egalim


def check_plan(
    plan: LotPlan, cat: Catalogue, date_lancement: date | None = None, today: date | None = None
) -> list[Finding]:
    """Every finding on ``plan`` (clauses re-selected), as if launched on ``date_lancement`` when given.

    The findings the lot builder recorded in the plan (small-lot allowance, plan-file leftovers, price
    gaps, solver) are reported again as they are, so that `check` on a written lots.json reports every
    error and warning `run` reported; servability (LOT-001) is a rule, recomputed from the plan.
    ``today`` makes a launch date in the past an error (DAT-001); None skips that check.
    """
    return sort_findings([*_run(plan, cat, date_lancement, today)[1], *builder_findings(plan)])


def builder_findings(plan: LotPlan) -> list[Finding]:
    """Findings of the lot builder stored in ``plan`` (codes of BUILDER_PREFIXES), on the plan or a lot."""
    stored = [*plan.findings, *(f for lot in plan.lots for f in lot.findings)]
    return [f for f in stored if f.code.startswith(BUILDER_PREFIXES)]


def attach_findings(plan: LotPlan, findings: list[Finding], egalim: dict[str, Any] | None = None) -> LotPlan:
    """Store findings on their lot (``lot.findings``) and the others on the plan; set ``plan.egalim``."""
    numbers = {lot.numero for lot in plan.lots}
    ordered = sort_findings(findings)
    lots = [
        lot.model_copy(update={"findings": [f for f in ordered if f.lot == lot.numero]}) for lot in plan.lots
    ]
    update: dict[str, Any] = {"lots": lots, "findings": [f for f in ordered if f.lot not in numbers]}
    if egalim is not None:
        update["egalim"] = egalim
    return plan.model_copy(update=update)


def enrich_plan(
    plan: LotPlan, cat: Catalogue, date_lancement: date | None = None, today: date | None = None
) -> LotPlan:
    """Select clauses and criteria per lot, run every rule, attach the findings and the EGALIM projection."""
    selected, findings, egalim = _run(plan, cat, date_lancement, today)
    return attach_findings(selected, findings, egalim)
