"""DCE rendering: Word documents (docxtpl syntax, compiled once), BPU/DQE workbooks, manifest, zip.

``render_dce(plan, cat, out, ...)`` writes the whole folder atomically; ``check_templates(dir, cat)`` checks
user templates against the context models without a plan.
"""

from __future__ import annotations

from lotsmarche.render.dce import (
    DceResult,
    FichierDce,
    PiecesNonConformesError,
    PlanNonConformeError,
    check_templates,
    render_dce,
)

__all__ = [
    "DceResult",
    "FichierDce",
    "PiecesNonConformesError",
    "PlanNonConformeError",
    "check_templates",
    "render_dce",
]
