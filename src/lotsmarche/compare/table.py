"""Comparison of several lot plans: rows of metrics, best value per column, json and markdown renderings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from lotsmarche.compare.advice import Advice, advise, same_plan_groups
from lotsmarche.compare.metrics import COLUMNS, Column, PlanMetrics, column_value, plan_metrics
from lotsmarche.models import LotPlan

JSON_VERSION = "1.0"


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int
    lignes: list[PlanMetrics]  # one per strategy, in the order asked
    meilleurs: dict[str, list[str]]  # column key -> strategies holding the best value (ties kept)
    solveur: dict[str, str] = {}  # strategy -> solver report (status, gap), for display only
    conseil: Advice = Advice()  # identical plans and the recommended strategy (compare/advice.py)


def best_by_column(rows: list[PlanMetrics]) -> dict[str, list[str]]:
    """For each column with a direction, the strategies holding its best value (None values never win)."""
    out: dict[str, list[str]] = {}
    for col in COLUMNS:
        if col.best is None:
            continue
        values = [(column_value(r, col.key), r.strategie) for r in rows]
        present = [v for v, _ in values if v is not None]
        if len(rows) < 2 or not present:
            out[col.key] = []
            continue
        target = min(present) if col.best == "min" else max(present)
        out[col.key] = [name for v, name in values if v is not None and v == target]
    return out


def compare_plans(plans: dict[str, LotPlan], k: int) -> Comparison:
    """One metrics row per plan (via :func:`plan_metrics`, as `lots` shows them) and the best per column."""
    rows = [plan_metrics(plan, k).model_copy(update={"strategie": name}) for name, plan in plans.items()]
    conseil = advise(rows, same_plan_groups(plans), k)
    return Comparison(k=k, lignes=rows, meilleurs=best_by_column(rows), conseil=conseil)


# --------------------------------------------------------------------------------------------
# Formatting (French): shared by the terminal table, markdown and xlsx notes
# --------------------------------------------------------------------------------------------

NBSP = "\u202f"  # narrow no-break space: French thousands separator and before % / €


def fr_number(value: Decimal, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def format_cell(col: Column, value: Any) -> str:
    """A value as a French buyer reads it (« 12 345,67 », « 83,40 % », « — » when unknown)."""
    if value is None:
        return "—"
    if col.kind == "money":
        return fr_number(Decimal(value), 2)
    if col.kind == "share":
        return fr_number(Decimal(value) * 100, 2) + f"{NBSP}%"
    if col.kind == "decimal":
        return fr_number(Decimal(value), 2)
    return str(value)


def headers(k: int) -> list[str]:
    return ["Stratégie", *(c.entete.replace("≥ k", f"≥ {k}") for c in COLUMNS)]


def comparison_rows(cmp: Comparison) -> list[list[tuple[str, bool]]]:
    """Cells as (text, is_best) per row, strategy name first (never best)."""
    out: list[list[tuple[str, bool]]] = []
    for row in cmp.lignes:
        cells = [(row.strategie, False)]
        for col in COLUMNS:
            cells.append(
                (
                    format_cell(col, column_value(row, col.key)),
                    row.strategie in cmp.meilleurs.get(col.key, []),
                )
            )
        out.append(cells)
    return out


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def comparison_markdown(cmp: Comparison) -> str:
    """Markdown table, best values in bold, then the legend (deterministic, ends with a newline)."""
    head = headers(cmp.k)
    lines = [
        f"# Comparaison des allotissements (k = {cmp.k} fournisseurs)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|",
    ]
    for cells in comparison_rows(cmp):
        lines.append("| " + " | ".join(f"**{_md(t)}**" if best else _md(t) for t, best in cells) + " |")
    lines += [
        "",
        "En gras : la meilleure valeur de la colonne (moins de lots, d'erreurs et de coût ; plus de "
        f"valeur et de lots servables par au moins {cmp.k} fournisseurs du sourçage, plus de fournisseurs "
        "par lot, "
        "parts EGALIM plus élevées). Les parts sont calculées sur le total des montants maximums des lots. "
        "« Part en petits lots » : part des lots passés grâce à la dérogation des petits lots (MAPA) ou des "
        "mini-lots sans publicité, au plus 20 % de la valeur totale (art. R2123-1 et R2122-8 du Code de la "
        "commande publique).",
    ]
    if cmp.solveur:
        lines.append("")
        lines += [f"- {_md(name)} : {_md(text)}" for name, text in sorted(cmp.solveur.items())]
    if cmp.conseil.raisons:
        lines += ["", "## Conseil", ""] + [f"- {_md(text)}" for text in cmp.conseil.raisons]
    return "\n".join(lines) + "\n"


def comparison_json(cmp: Comparison) -> dict[str, Any]:
    """The stable json shape: {"version", "k", "strategies": [metrics...], "meilleurs": {...}}."""
    data = cmp.model_dump(mode="json")
    return {
        "version": JSON_VERSION,
        "k": data["k"],
        "strategies": data["lignes"],
        "meilleurs": data["meilleurs"],
    }
