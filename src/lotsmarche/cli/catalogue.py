"""`lotsmarche catalogue list | show KIND | check`: read, display and check the reference catalogues."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:  # pydantic models load with the command that needs them
    from lotsmarche.models import Finding

sub = typer.Typer(
    name="catalogue",
    help="Consulter, vérifier et exporter les catalogues de référence (produits, seuils, labels, "
    "territoires…) et les modèles Word.\n\n"
    "Exemples :\n"
    "lotsmarche catalogue show familles\n"
    "lotsmarche catalogue export --out mes-modeles",
    no_args_is_help=True,
)


def _line(f: Finding) -> str:
    # Catalogue findings concern no lot: the plan-oriented « (plan) » of finding_line would mislead.
    text = f"{SEVERITY_LABEL[f.severite]} {f.code} : {f.message} [{f.base_legale}]"
    return text + (f" → {f.correction}" if f.correction else "")


def _table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """A table when it fits the terminal, else one record per entry (« champ : valeur » lines)."""
    from rich.table import Table
    from rich.text import Text

    from lotsmarche.catalogue.views import fits, records

    if not fits(headers, rows, stdout.width):
        stdout.print(f"{title}\n", markup=False)
        for line in records(headers, rows):
            stdout.print(Text(line), soft_wrap=False)
        return
    table = Table(title=title)
    for i, h in enumerate(headers):
        # The code (first column) is never cut; other cells wrap between words.
        table.add_column(h, no_wrap=i == 0, overflow="fold")
    for row in rows:
        table.add_row(*(Text(c) for c in row))
    stdout.print(table)


@sub.command(
    "list",
    help="Lister les types de catalogue, le nombre d'entrées et la date de vérification de chaque fichier."
    "\n\nExemple : lotsmarche catalogue list --format markdown",
)
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


@sub.command(
    "show",
    help="Afficher les entrées d'un catalogue (familles, produits, seuils, labels…).\n\n"
    "Dans un terminal étroit, chaque entrée est présentée en fiche (une ligne par champ) plutôt qu'en "
    "tableau.\n\n"
    "Exemples :\n"
    "lotsmarche catalogue show familles\n"
    "lotsmarche catalogue show produits --format markdown",
)
def show(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="TYPE",
            help="familles, produits, conditionnements, labels, seuils, territoires, fournisseurs, clauses, "
            "criteres, regles ou lint.",
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


@sub.command(
    "check",
    help="Vérifier la cohérence et la complétude des catalogues (code 1 en cas d'erreur).\n\n"
    "Exemple : lotsmarche catalogue check --catalogues mes-modeles/catalogues",
)
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


@sub.command(
    "export",
    help="Écrire les catalogues et les modèles Word intégrés dans un dossier, pour les modifier.\n\n"
    "Le dossier reçoit catalogues/, templates/ et LISEZMOI.md ; on s'en sert ensuite avec --catalogues "
    "et --templates.\n\n"
    "Exemples :\n"
    "lotsmarche catalogue export --out mes-modeles\n"
    "lotsmarche run --catalogues mes-modeles/catalogues --templates mes-modeles/templates --out dce",
)
def export(
    out: Annotated[Path, typer.Option("--out", help="Dossier à créer.")],
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer un export précédent écrit dans ce dossier.")
    ] = False,
) -> None:
    from lotsmarche.customise import write_builtins

    written = write_builtins(out, force=force)
    stdout.print(f"Catalogues et modèles écrits dans {out} ({len(written)} fichiers).", markup=False)
    stdout.print(f"Mode d'emploi : {out / 'LISEZMOI.md'}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `catalogue` command group to `app`."""
    app.add_typer(sub, name="catalogue")
