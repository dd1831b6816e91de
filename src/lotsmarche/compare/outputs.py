"""Files of a comparison: comparaison.xlsx, comparaison.md, comparaison.png and lots_<stratégie>.json.

Everything is rendered in memory first, then written into a temporary folder next to the target and moved
into place, so a failure never leaves a half-written comparison; existing files are kept unless ``force``.
"""

from __future__ import annotations

import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

from lotsmarche.atomic import temp_dir
from lotsmarche.compare.metrics import COLUMNS, column_value
from lotsmarche.compare.table import Comparison, comparison_markdown, headers
from lotsmarche.errors import OutputExistsError, Problem, RenderError
from lotsmarche.models import LotPlan
from lotsmarche.xlsxutil import bold, header_cell, put_text, workbook_bytes

XLSX_FORMATS = {
    "int": "0",
    "money": "#,##0.00",
    "share": "0.00%",
    "decimal": "0.00",
}
BEST_FILL = "C6EFCE"  # the spreadsheet convention for "good" (light green)


def lots_file_name(strategie: str) -> str:
    """lots_<stratégie>.json with a safe file name ("plan:mon plan.yaml" → lots_plan-mon-plan.json)."""
    stem = strategie.removeprefix("plan:")
    stem = re.sub(r"\.ya?ml$", "", stem, flags=re.IGNORECASE)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "plan"
    return f"lots_{'plan-' if strategie.startswith('plan:') else ''}{safe}.json"


def comparison_xlsx(cmp: Comparison) -> bytes:
    """One row per strategy, French headers and number formats, every text cell a literal string."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Comparaison"
    fill = PatternFill("solid", start_color=BEST_FILL, end_color=BEST_FILL)
    for c, text in enumerate(headers(cmp.k), start=1):
        header_cell(ws.cell(row=1, column=c), text)
    for r, row in enumerate(cmp.lignes, start=2):
        put_text(ws.cell(row=r, column=1), row.strategie)
        for c, col in enumerate(COLUMNS, start=2):
            cell = ws.cell(row=r, column=c)
            value = column_value(row, col.key)
            if value is None:
                put_text(cell, "—")
            elif col.kind == "text":
                put_text(cell, str(value))
            else:
                cell.value = int(value) if col.kind == "int" else Decimal(value)
                cell.number_format = XLSX_FORMATS[col.kind]
            if row.strategie in cmp.meilleurs.get(col.key, []):
                cell.fill = fill
                cell.font = bold()
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 24
    for c in range(2, len(COLUMNS) + 2):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = 18
    legend = ws.cell(row=len(cmp.lignes) + 3, column=1)
    put_text(
        legend,
        f"Surligné : meilleure valeur de la colonne. Servable : au moins {cmp.k} fournisseurs du sourçage "
        "peuvent servir le lot. Parts calculées sur le total des montants maximums.",
    )
    return workbook_bytes(wb, "Comparaison des allotissements", f"k = {cmp.k} fournisseurs")


def comparison_png(cmp: Comparison) -> bytes:
    """Lots (x) against value servable by ≥ k suppliers (y, %), one labelled point per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(8, 5.5), dpi=100)
    ax = fig.add_subplot()
    points = sorted(
        ((r.nb_lots, float(r.part_valeur_servable_k * 100), r.strategie) for r in cmp.lignes),
        key=lambda p: (p[0], -p[1], p[2]),
    )
    best = set(cmp.meilleurs.get("nb_lots", [])) & set(cmp.meilleurs.get("part_valeur_servable_k", []))
    xs = [p[0] for p in points] or [0]
    span = max(xs) * 1.25 + 1
    seen: dict[tuple[int, float], int] = {}
    placed: list[tuple[float, float, int]] = []  # (x, y, vertical offset) of earlier labels
    for x, y, name in points:
        stacked = seen.get((x, y), 0)  # strategies with the same result: labels stacked, not overlaid
        seen[x, y] = stacked + 1
        offset = 6 - 14 * stacked
        if not stacked and any(
            abs(py - y) < 6 and 0 < x - px < span * 0.3 and po > 0 for px, py, po in placed
        ):
            offset = -18  # a neighbour's label runs into this one: put this one below its point
        placed.append((x, y, offset))
        colour = "#1a7f37" if name in best else "#1f4e79"
        ax.scatter([x], [y], s=90, color=colour, zorder=3)
        ax.annotate(name, (x, y), xytext=(8, offset), textcoords="offset points", fontsize=10, color=colour)
    ax.set_xlim(0, span)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(-5, 110)
    ax.set_xlabel("Nombre de lots")
    ax.set_ylabel(f"Part de la valeur servable par au moins {cmp.k} fournisseurs (%)")
    ax.set_title("Allotissements comparés : nombre de lots et ouverture aux fournisseurs")
    ax.grid(True, color="#dddddd", zorder=0)
    ax.axhline(100, color="#999999", linewidth=0.8, linestyle="--", zorder=1)
    ax.text(
        0.99,
        0.02,
        "En haut à gauche : moins de lots, tous servables",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color="#555555",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def write_comparison(
    cmp: Comparison, out_dir: Path, plans: dict[str, LotPlan] | None = None, force: bool = False
) -> list[Path]:
    """Write the comparison files (and each plan's lots json) into ``out_dir``; returns the paths, sorted."""
    files: dict[str, bytes] = {
        "comparaison.xlsx": comparison_xlsx(cmp),
        "comparaison.md": comparison_markdown(cmp).encode("utf-8"),
        "comparaison.png": comparison_png(cmp),
    }
    if plans:
        from lotsmarche.lotsjson import plan_to_json

        for name, plan in plans.items():
            files[lots_file_name(name)] = plan_to_json(plan).encode("utf-8")
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(
            "Dossier de sortie invalide", [Problem(f"{out_dir} existe et n'est pas un dossier")]
        )
    existing = sorted(name for name in files if (out_dir / name).exists())
    if existing and not force:
        raise OutputExistsError(
            "Fichiers de sortie déjà présents",
            [
                Problem(f"{out_dir / name} existe déjà (utilisez --force pour le remplacer)")
                for name in existing
            ],
        )
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir(parent, out_dir.name)
    try:
        for name, payload in files.items():
            (tmp / name).write_bytes(payload)
        if not out_dir.exists():
            tmp.rename(out_dir)  # the whole folder appears at once
        else:
            for name in files:
                (tmp / name).replace(out_dir / name)
    except OSError as exc:
        raise RenderError(
            "Écriture de la comparaison impossible", [Problem(str(exc), fichier=str(out_dir))]
        ) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(out_dir / name for name in files)
