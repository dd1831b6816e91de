"""HiGHS plumbing of strategy ``optimal``: silent, deterministic models built from rows, and their answers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Row = tuple[float, float, list[int], list[float]]  # lower, upper, columns, coefficients


def _new_highs() -> Any:
    # highspy.Highs() prints a banner on construction (enableCallbacks) before any option can be set;
    # the library must never print, so use the silent core class it wraps when available.
    try:
        from highspy._core import _Highs

        return _Highs()
    except ImportError:  # pragma: no cover - older highspy layouts
        import highspy

        return highspy.Highs()  # type: ignore[no-untyped-call]


def highs_model(  # noqa: PLR0917 - the columns, then the rows
    cost: list[float],
    integer: list[bool],
    upper: list[float],
    rows: list[Row],
    seconds: float,
    lower: list[float] | None = None,
) -> Any:
    """A silent HiGHS model (columns from 0, or ``lower``, to ``upper``), deterministic options (one thread,
    fixed seed), ready to run."""
    import highspy
    import numpy as np

    n = len(cost)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(n) if lower is None else np.array(lower)
    lp.col_upper_ = np.array(upper)
    lp.row_lower_ = np.array([r[0] for r in rows])
    lp.row_upper_ = np.array([r[1] for r in rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum([len(r[2]) for r in rows], out=starts[1:])
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([c for r in rows for c in r[2]], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for r in rows for v in r[3]], dtype=np.float64)
    kinds = highspy.HighsVarType
    lp.integrality_ = [kinds.kInteger if flag else kinds.kContinuous for flag in integer]
    h = _new_highs()
    for name, value in (
        ("output_flag", False),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 0.99),  # the objective counts lots: below 1 apart means proven
        ("random_seed", 0),
        ("threads", 1),
        ("time_limit", max(seconds, 0.01)),
    ):
        h.setOptionValue(name, value)
    h.passModel(lp)
    return h


@dataclass(frozen=True)
class Answer:
    """What a run of a HiGHS model proved and found."""

    proven: bool  # optimal, proven
    bound: int  # proven lower bound on the (integral, non-negative) objective, at least 0
    values: tuple[float, ...]  # best integer solution found, empty when none


def run(h: Any, start: Sequence[float] | None = None) -> Answer:
    """Run ``h`` (from ``highs_model``), optionally from a feasible ``start``; read the answer."""
    import numpy as np

    if start is not None:
        n = len(start)
        h.setSolution(n, np.arange(n, dtype=np.int32), np.asarray(start, dtype=np.float64))
    h.run()
    proven = h.modelStatusToString(h.getModelStatus()) == "Optimal"
    info = h.getInfo()
    values = tuple(h.getSolution().col_value) if info.primal_solution_status == 2 else ()
    dual = info.mip_dual_bound
    bound = max(0, math.ceil(dual - 1e-6)) if math.isfinite(dual) else 0
    if proven and values:
        bound = max(bound, round(info.objective_function_value))
    return Answer(proven, bound, values)
