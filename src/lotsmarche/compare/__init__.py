"""Metrics shared by `lots` and `compare`, and the comparison of several lot plans (tables, files, chart).

``plan_metrics(plan, k)`` is THE definition of every metric; ``compare_plans`` only lines them up and marks
the best value per column; ``write_comparison`` renders comparaison.xlsx / .md / .png and the plans' json.
"""

from __future__ import annotations

from lotsmarche.compare.metrics import (
    COLUMNS,
    Column,
    PlanMetrics,
    column_value,
    indicator_lines,
    plan_metrics,
)
from lotsmarche.compare.outputs import (
    comparison_png,
    comparison_xlsx,
    lots_file_name,
    write_comparison,
)
from lotsmarche.compare.run import ComparisonRun, run_comparison
from lotsmarche.compare.table import (
    Comparison,
    best_by_column,
    compare_plans,
    comparison_json,
    comparison_markdown,
    comparison_rows,
    format_cell,
    headers,
)

__all__ = [
    "COLUMNS",
    "Column",
    "Comparison",
    "ComparisonRun",
    "PlanMetrics",
    "best_by_column",
    "column_value",
    "compare_plans",
    "comparison_json",
    "comparison_markdown",
    "comparison_png",
    "comparison_rows",
    "comparison_xlsx",
    "format_cell",
    "headers",
    "indicator_lines",
    "lots_file_name",
    "plan_metrics",
    "run_comparison",
    "write_comparison",
]
