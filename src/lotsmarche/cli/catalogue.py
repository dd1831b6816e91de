"""`lotsmarche catalogue list | show KIND | check`: read, display and check the reference catalogues."""

from __future__ import annotations

from typing import Annotated

import typer

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
    markdown_table,
    severity_counts,
    stdout,
)
from lotsmarche.models import Finding

sub = typer.Typer(
    name="catalogue",
    help="Consulter et vérifier les catalogues de référence (produits, seuils, labels, territoires…).",
    no_args_is_help=True,
)


def _line(f: Finding) -> str:
    # Catalogue findings concern no lot: the plan-oriented « (plan) » of finding_line would mislead.
    text = f"{SEVERITY_LABEL[f.severite]} {f.code} : {f.message} [{f.base_legale}]"
    return text + (f" → {f.correction}" if f.correction else "")


def _table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for h in headers:
        table.add_column(h, overflow="fold")  # never hide part of a code or an amount
    for row in rows:
        table.add_row(*row)
    stdout.print(table)


@sub.command("list", help="Types de catalogue, nombre d'entrées et date de vérification de chaque fichier.")
def list_(fmt: FormatOpt = Format.table, catalogues: CataloguesOpt = None) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.catalogue.views import summary

    rows = summary(load_catalogue(catalogues))
    if fmt is Format.json:
        echo_json({"catalogues": rows})
        return
    headers = ["Type", "Contenu", "Fichier", "Entrées", "Vérifié le"]
    cells = [[r["type"], r["libelle"], r["fichier"], str(r["entrees"]), r["version"] or "—"] for r in rows]
    if fmt is Format.markdown:
        stdout.print(markdown_table(headers, cells), markup=False)
    else:
        _table("Catalogues de référence", headers, cells)


@sub.command("show", help="Afficher les entrées d'un catalogue (familles, produits, seuils, labels…).")
def show(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="familles, produits, conditionnements, labels, seuils, territoires, fournisseurs, clauses, "
            "criteres, "
            "regles ou lint.",
        ),
    ],
    fmt: FormatOpt = Format.table,
    catalogues: CataloguesOpt = None,
) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.catalogue.views import dump, kind_of, table

    view = kind_of(kind)  # unknown kind: error before loading anything
    cat = load_catalogue(catalogues)
    if fmt is Format.json:
        echo_json({"type": view.name, "entrees": dump(cat, view.name)})
        return
    headers, rows = table(cat, view.name)
    if fmt is Format.markdown:
        stdout.print(markdown_table(headers, rows), markup=False)
    else:
        _table(f"{view.libelle} ({len(rows)})", headers, rows)


@sub.command("check", help="Vérifier la cohérence et la complétude des catalogues (code 1 en cas d'erreur).")
def check(fmt: FormatOpt = Format.table, catalogues: CataloguesOpt = None) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.catalogue.check import check_catalogue

    findings = check_catalogue(load_catalogue(catalogues))
    counts = severity_counts(findings)
    if fmt is Format.json:
        echo_json({"constats": [f.model_dump(mode="json") for f in findings], "nombres": counts})
    elif fmt is Format.markdown:
        stdout.print(findings_markdown(findings), markup=False)
    else:
        for f in findings:
            stdout.print(_line(f), style=SEVERITY_STYLE[f.severite], markup=False)
        stdout.print(f"Catalogues chargés et vérifiés : {counts_text(counts)}.", markup=False)
    exit_if_errors(counts)


def register(app: typer.Typer) -> None:
    """Add the `catalogue` command group to `app`."""
    app.add_typer(sub, name="catalogue")
