"""`lotsmarche check lots.json`: re-select clauses and re-run every rule; exit 1 when an error is found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lotsmarche.cli import _common
from lotsmarche.cli._common import (
    SEVERITY_LABEL,
    SEVERITY_STYLE,
    CataloguesOpt,
    Format,
    FormatOpt,
    counts_text,
    echo_json,
    exit_if_errors,
    findings_markdown,
    severity_counts,
    stdout,
)

if TYPE_CHECKING:  # pydantic models load with the command that needs them
    from lotsmarche.models import Finding


def _table(findings: list[Finding]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Contrôle de conformité", show_lines=True)
    for name in ("Lot", "Gravité", "Code", "Constat, base légale et correction"):
        table.add_column(name)
    for f in findings:
        detail = f.message
        if f.incertain and "à confirmer" not in detail:
            detail += " (valeur à confirmer)"
        detail += f"\nBase légale : {f.base_legale}"
        if f.correction:
            detail += f"\nCorrection : {f.correction}"
        table.add_row(
            "plan" if f.lot is None else str(f.lot),
            f"[{SEVERITY_STYLE[f.severite]}]{SEVERITY_LABEL[f.severite]}[/]",
            f.code,
            escape(detail),
        )
    stdout.print(table)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        lots_json: Annotated[Path, typer.Argument(help="Fichier lots.json produit par « lotsmarche lots ».")],
        date_lancement: Annotated[
            str | None,
            typer.Option(
                "--date-lancement",
                metavar="AAAA-MM-JJ",
                help="Contrôler comme si la consultation était lancée à cette date.",
            ),
        ] = None,
        catalogues: CataloguesOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Contrôler un plan de lots : emballages, EGALIM, seuils, loi Climat, clauses, préférence locale.

        Exemple : lotsmarche check lots.json --date-lancement 2027-01-04
        """
        from lotsmarche.catalogue import load_catalogue
        from lotsmarche.cli.lots import parse_date
        from lotsmarche.lotsjson import read_plan
        from lotsmarche.rules import check_plan

        launch = parse_date(date_lancement, "--date-lancement")
        plan = read_plan(lots_json)
        findings = check_plan(plan, load_catalogue(catalogues), launch, today=_common.today())
        summary = severity_counts(findings)
        if fmt == Format.json:
            echo_json({"findings": [f.model_dump(mode="json") for f in findings], "resume": summary})
        elif fmt == Format.markdown:
            stdout.print(findings_markdown(findings), markup=False)
        else:
            _table(findings)
            stdout.print(f"{counts_text(summary)}.", markup=False)
        exit_if_errors(summary)
