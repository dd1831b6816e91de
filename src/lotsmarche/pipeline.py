"""Glue used by the CLI: each function runs one user-visible step end to end (loading inputs included)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lotsmarche.intake.model import Demand
from lotsmarche.models import LotPlan

EXAMPLE = "boulonnais"


def example_inputs() -> tuple[list[Path], Path | None, Path | None]:
    """Demand files, groupement.yaml and sourcing.csv of the bundled example (absent files: None)."""
    from lotsmarche.resources import examples_dir

    folder = examples_dir() / EXAMPLE
    demand = sorted(p for p in folder.glob("demande*") if p.suffix.lower() in (".csv", ".xlsx"))
    groupement = folder / "groupement.yaml"
    sourcing = folder / "sourcing.csv"
    return demand, groupement if groupement.is_file() else None, sourcing if sourcing.is_file() else None


def plan_lots(  # noqa: PLR0917 - the documented contract lists the options positionally
    demand_paths: list[Path],
    groupement_path: Path | None = None,
    sourcing_path: Path | None = None,
    strategy: str = "famille-conservation",
    plan_file: Path | None = None,
    date_lancement: date | None = None,
    duree_mois: int | None = None,
    sans_allotissement: str | None = None,
    lots_max_par_candidat: int | None = None,
    catalogues_dir: Path | None = None,
) -> tuple[LotPlan, Demand]:
    """Load catalogue, groupement, demand and sourcing, build the lot plan, then add clauses and findings.

    With no demand file, the bundled Boulonnais example is used, with its groupement.yaml and sourcing.csv
    unless the caller gives its own.
    """
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.lotting import build_plan
    from lotsmarche.rules import enrich_plan
    from lotsmarche.sourcing import load_sourcing

    cat = load_catalogue(catalogues_dir)
    if not demand_paths:
        demand_paths, example_groupement, example_sourcing = example_inputs()
        groupement_path = groupement_path or example_groupement
        sourcing_path = sourcing_path or example_sourcing
    groupement = load_groupement(groupement_path, cat)
    demand = read_demand(list(demand_paths), cat, groupement)
    suppliers = load_sourcing(sourcing_path, cat)
    plan = build_plan(
        demand,
        cat,
        groupement,
        suppliers,
        strategy=strategy,
        plan_file=plan_file,
        sans_allotissement=sans_allotissement,
        lots_max_par_candidat=lots_max_par_candidat,
        date_lancement=date_lancement,
        duree_mois=duree_mois,
    )
    return enrich_plan(plan, cat, date_lancement or plan.date_lancement), demand
