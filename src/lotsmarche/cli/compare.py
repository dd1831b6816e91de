"""`lotsmarche compare`: every strategy on the same demand, one row of metrics each, best highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import (
    CataloguesOpt,
    DemandeArg,
    Format,
    FormatOpt,
    GroupementOpt,
    SourcingOpt,
    echo_json,
    stdout,
)


def register(app: typer.Typer) -> None:
    """Add the command(s) of this module to `app`."""

    @app.command("compare")
    def compare(
        demand: DemandeArg = None,
        groupement: GroupementOpt = None,
        sourcing: SourcingOpt = None,
        strategy: Annotated[
            list[str] | None,
            typer.Option("--strategy", help="Stratégie à comparer (répétable ; toutes par défaut)."),
        ] = None,
        plan: Annotated[
            list[Path] | None,
            typer.Option("--plan", help="Plan d'allotissement YAML à comparer (répétable)."),
        ] = None,
        time_limit: Annotated[
            float | None,
            typer.Option(
                "--time-limit", help="Limite de temps du calcul optimal, en secondes (60 par défaut)."
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Dossier où écrire comparaison.xlsx/.md/.png et les lots_*.json."),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Remplacer les fichiers existants.")] = False,
        format_: FormatOpt = Format.table,
        catalogues: CataloguesOpt = None,
    ) -> None:
        """Comparer plusieurs allotissements d'une même demande (lots, procédures, fournisseurs, coût).

        Exemples :
        lotsmarche compare recensement.xlsx --out comparaison
        lotsmarche compare recensement.xlsx --strategy famille --plan plan.yaml
        """
        from lotsmarche.compare import run_comparison

        run = run_comparison(
            demand or [],
            groupement_path=groupement,
            sourcing_path=sourcing,
            strategies=strategy,
            plan_files=plan,
            time_limit=time_limit,
            catalogues=catalogues,
            out=out,
            force=force,
        )
        _show(run, format_)


def _show(run: object, format_: Format) -> None:
    from rich.table import Table
    from rich.text import Text

    from lotsmarche.compare import (
        ComparisonRun,
        comparison_json,
        comparison_markdown,
        comparison_rows,
        headers,
    )

    assert isinstance(run, ComparisonRun)
    cmp = run.comparison
    if format_ is Format.json:
        echo_json({**comparison_json(cmp), "conseil": cmp.conseil.model_dump(mode="json")})
        return
    if format_ is Format.markdown:
        stdout.print(comparison_markdown(cmp), markup=False, end="")
        return
    rows = comparison_rows(cmp)
    head = headers(cmp.k)
    title = f"Comparaison des allotissements (k = {cmp.k} fournisseurs)"
    table = Table(title=title)
    wide = stdout.width >= 12 * len(head)
    if wide:  # wide terminal: one row per strategy, as in the xlsx
        for i, text in enumerate(head):
            table.add_column(text, justify="left" if i == 0 else "right", overflow="fold")
        for cells in rows:
            # Text objects: data is never read as rich markup.
            table.add_row(*(Text(t, style="bold green" if best else "") for t, best in cells))
    else:  # narrow terminal: one column per strategy, so that numbers are not cut
        table.add_column(head[0], min_width=22)
        for cells in rows:
            table.add_column(Text(cells[0][0]), justify="right", overflow="fold")
        for i, text in enumerate(head[1:], start=1):
            table.add_row(Text(text), *(Text(r[i][0], style="bold green" if r[i][1] else "") for r in rows))
    stdout.print(table)
    where = "colonne" if wide else "ligne"
    stdout.print(f"En vert : meilleure valeur de la {where}.", markup=False)
    for text in cmp.conseil.raisons:
        stdout.print(text, markup=False)
    for name in cmp.solveur:
        seconds = f"{run.secondes.get(name, 0.0):.1f}".replace(".", ",")
        stdout.print(f"{name} : {cmp.solveur[name]} Calcul en {seconds} s.", markup=False)
    for path in run.fichiers:
        stdout.print(f"Écrit : {path}", markup=False)
