"""`compare` end to end: read inputs once, build every plan through the `lots` pipeline, compare, write."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lotsmarche.compare.outputs import write_comparison
from lotsmarche.compare.table import Comparison, compare_plans
from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.models import Finding, LotPlan


@dataclass
class ComparisonRun:
    comparison: Comparison
    plans: dict[str, LotPlan]
    fichiers: list[Path] = field(default_factory=list)
    secondes: dict[str, float] = field(default_factory=dict)  # build time per strategy (terminal only)


def _strategy_names(strategies: list[str] | None, plans: list[Path] | None) -> list[str]:
    from lotsmarche.lotting.strategies import STRATEGY_REGISTRY, get_strategy

    if not strategies and not plans:
        return list(STRATEGY_REGISTRY)
    names: list[str] = []
    for name in strategies or []:
        get_strategy(name)  # InputError listing the known strategies
        if name not in names:
            names.append(name)
    return names


def _with_optimal_findings(plan: LotPlan) -> LotPlan:
    """Attach the solver findings (OPT-xxx) of the last `optimal` run if the builder did not carry them."""
    from lotsmarche.lotting.optimal import STRATEGY

    extra: list[Finding] = [f for f in STRATEGY.last_findings if f not in plan.findings]
    return plan.model_copy(update={"findings": [*plan.findings, *extra]}) if extra else plan


def solver_summary(plan: LotPlan) -> str | None:
    """The OPT-001 / OPT-003 message of a plan, for the comparison legend."""
    for f in plan.findings:
        if f.code in ("OPT-001", "OPT-003"):
            return f.message
    return None


def run_comparison(
    demand_paths: list[Path],
    *,
    groupement_path: Path | None = None,
    sourcing_path: Path | Sequence[Path] | None = None,
    strategies: list[str] | None = None,
    plan_files: list[Path] | None = None,
    time_limit: float | None = None,
    catalogues: Path | None = None,
    out: Path | None = None,
    force: bool = False,
) -> ComparisonRun:
    """Run each strategy (all registered ones by default) and each buyer's plan on the same demand.

    Every plan goes through ``pipeline.plan_lots``, exactly as `lots` builds it (no demand file: the bundled
    Boulonnais example). ``out``: write the comparison files and each plan's lots json there.
    """
    from lotsmarche.pipeline import load_inputs, plan_lots

    if time_limit is not None and time_limit <= 0:
        raise InputError("Option invalide", [Problem("--time-limit doit être un nombre de secondes positif")])
    names = _strategy_names(strategies, plan_files)
    if out is not None and not force:
        _refuse_existing(out, [*names, *(f"plan:{p.name}" for p in plan_files or [])])
    # the inputs are read once; each plan is built from them as `lots` builds it
    inputs = load_inputs(list(demand_paths), groupement_path, sourcing_path, catalogues)
    common = {"time_limit": time_limit, "inputs": inputs}
    plans: dict[str, LotPlan] = {}
    seconds: dict[str, float] = {}
    runs: list[tuple[str | None, Path | None]] = [(n, None) for n in names] + [
        (None, p) for p in plan_files or []
    ]
    for name, plan_file in runs:
        t0 = time.perf_counter()
        if plan_file is None:
            plan, _demand = plan_lots(list(demand_paths), strategy=name or "", **common)  # type: ignore[arg-type]
        else:
            plan, _demand = plan_lots(list(demand_paths), plan_file=plan_file, **common)  # type: ignore[arg-type]
        if name == "optimal":
            plan = _with_optimal_findings(plan)
        plans[plan.strategie] = plan
        seconds[plan.strategie] = time.perf_counter() - t0
    k = next(iter(plans.values())).groupement.k_fournisseurs
    cmp = compare_plans(plans, k)
    solver = {name: text for name, plan in plans.items() if (text := solver_summary(plan))}
    cmp = cmp.model_copy(update={"solveur": solver})
    files = write_comparison(cmp, out, plans, force=force) if out is not None else []
    return ComparisonRun(comparison=cmp, plans=plans, fichiers=files, secondes=seconds)


def _refuse_existing(out: Path, names: list[str]) -> None:
    """Refuse before the (possibly long) solve, not after, when outputs exist and --force is absent."""
    from lotsmarche.compare.outputs import lots_file_name

    targets = ["comparaison.xlsx", "comparaison.md", "comparaison.png", *map(lots_file_name, names)]
    existing = [out / t for t in targets if (out / t).exists()]
    if existing:
        raise OutputExistsError(
            "Fichiers de sortie déjà présents",
            [Problem(f"{p} existe déjà (utilisez --force pour le remplacer)") for p in existing],
        )
