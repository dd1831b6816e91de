"""lotsmarche: split a buying group's food demand into lots, check them, and draft the tender file (DCE).

The library never prints or exits; the ``lotsmarche`` command is a thin layer over these functions::

    from lotsmarche import plan_lots, render_dce, load_catalogue
    plan, demand = plan_lots([])            # the bundled Boulonnais example
    render_dce(plan, load_catalogue(), Path("DCE"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Catalogue",
    "Finding",
    "LotPlan",
    "LotsmarcheError",
    "__version__",
    "build_plan",
    "check_plan",
    "compare_plans",
    "enrich_plan",
    "load_catalogue",
    "load_groupement",
    "plan_from_json",
    "plan_lots",
    "plan_metrics",
    "plan_to_json",
    "read_demand",
    "render_dce",
    "run",
]

# Lazy re-exports keep `import lotsmarche` (and the CLI start-up) light: heavy modules load on first use.
_EXPORTS = {
    "Catalogue": "lotsmarche.catalogue.model",
    "Finding": "lotsmarche.models",
    "LotPlan": "lotsmarche.models",
    "LotsmarcheError": "lotsmarche.errors",
    "build_plan": "lotsmarche.lotting",
    "check_plan": "lotsmarche.rules",
    "compare_plans": "lotsmarche.compare",
    "enrich_plan": "lotsmarche.rules",
    "load_catalogue": "lotsmarche.catalogue",
    "load_groupement": "lotsmarche.groupement",
    "plan_from_json": "lotsmarche.lotsjson",
    "plan_lots": "lotsmarche.pipeline",
    "plan_metrics": "lotsmarche.compare",
    "plan_to_json": "lotsmarche.lotsjson",
    "read_demand": "lotsmarche.intake.reader",
    "render_dce": "lotsmarche.render.dce",
    "run": "lotsmarche.pipeline",
}

if TYPE_CHECKING:
    __version__: str
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.catalogue.model import Catalogue
    from lotsmarche.compare import compare_plans, plan_metrics
    from lotsmarche.errors import LotsmarcheError
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.lotsjson import plan_from_json, plan_to_json
    from lotsmarche.lotting import build_plan
    from lotsmarche.models import Finding, LotPlan
    from lotsmarche.pipeline import plan_lots, run
    from lotsmarche.render.dce import render_dce
    from lotsmarche.rules import check_plan, enrich_plan


def _version() -> str:
    """The installed distribution's version (importlib.metadata costs tens of ms: read on first use)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lotsmarche")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lotsmarche' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
