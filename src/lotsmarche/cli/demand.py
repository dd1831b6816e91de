"""`lotsmarche demand check | template`: check a demand, write the survey sheet."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import (
    CataloguesOpt,
    DemandeArg,
    Format,
    FormatOpt,
    GroupementOpt,
    echo_json,
    md_cell,
    stdout,
)
from lotsmarche.money import eur as _eur

demand_app = typer.Typer(
    help="Contrôler une demande, écrire la feuille de recensement.\n\n"
    "Exemples :\n"
    "lotsmarche demand template --out recensement.xlsx\n"
    "lotsmarche demand check recensement.xlsx",
    no_args_is_help=True,
)


def _qty(quantites: dict[str, Decimal]) -> str:
    from babel.numbers import format_decimal

    return " ; ".join(f"{format_decimal(v, locale='fr_FR')} {u}" for u, v in quantites.items())


@demand_app.command("check")
def check(
    demand: DemandeArg = None,
    groupement: GroupementOpt = None,
    catalogues: CataloguesOpt = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Feuille à lire dans les classeurs.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Lire et contrôler la demande, puis afficher sa synthèse et ses avertissements.

    Exemple : lotsmarche demand check recensement.xlsx --groupement groupement.yaml
    """
    from lotsmarche.intake.summary import check_demand

    summary = check_demand(list(demand or []), groupement, catalogues, sheet)
    if fmt is Format.json:
        echo_json(summary.model_dump(mode="json"))
        return
    heads = ("Clé", "Libellé", "Lignes", "Quantités annuelles", "Montant annuel HT")
    blocks = [("Par famille", summary.par_famille), ("Par territoire", summary.par_territoire)]
    counts = (
        f"{summary.lignes} lignes, {summary.membres} membres, {summary.sites} sites de livraison, "
        f"{summary.produits} produits ; montant annuel estimé : {_eur(summary.montant_annuel_ht)} HT"
    )
    if fmt is Format.markdown:
        out = [f"# Demande : {', '.join(summary.fichiers)}", "", counts, ""]
        for title, rows in blocks:
            out += [f"## {title}", "", "| " + " | ".join(heads) + " |", "|---|---|---:|---|---:|"]
            out += [
                f"| {md_cell(t.cle)} | {md_cell(t.libelle)} | {t.lignes} | {_qty(dict(t.quantites))} "
                f"| {_eur(t.montant_annuel_ht)} |"
                for t in rows
            ]
            out.append("")
        out += ["## Avertissements", ""]
        out += [f"- {f.code} : {md_cell(f.message)}" for f in summary.avertissements] or ["Aucun."]
        stdout.print("\n".join(out), markup=False)
        return
    from rich.table import Table

    stdout.print(counts, markup=False)
    for title, rows in blocks:
        table = Table(title=title, title_justify="left")
        for h in heads:
            table.add_column(h, justify="right" if h in ("Lignes", "Montant annuel HT") else "left")
        for t in rows:
            table.add_row(t.cle, t.libelle, str(t.lignes), _qty(dict(t.quantites)), _eur(t.montant_annuel_ht))
        stdout.print(table)
    if summary.avertissements:
        stdout.print(f"{len(summary.avertissements)} avertissement(s) :", markup=False)
        for f in summary.avertissements:
            stdout.print(
                f"  AVERTISSEMENT {f.code} : {f.message}"
                if f.severite == "avertissement"
                else f"  INFO {f.code} : {f.message}",
                markup=False,
            )
    else:
        stdout.print("Aucun avertissement.", markup=False)


@demand_app.command("template")
def template(
    out: Annotated[Path, typer.Option("--out", help="Fichier .xlsx à écrire.")],
    *,
    famille: Annotated[
        list[str] | None, typer.Option("--famille", help="Famille de produits (répétable).")
    ] = None,
    membres: Annotated[Path | None, typer.Option("--membres", help="Membres (CSV, XLSX ou YAML).")] = None,
    groupement: GroupementOpt = None,
    catalogues: CataloguesOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe.")] = False,
) -> None:
    """Écrire la feuille de recensement des besoins à faire remplir par les membres.

    Exemple : lotsmarche demand template --out recensement.xlsx --famille oeufs
    """
    from lotsmarche.survey import make_survey

    written = make_survey(
        out,
        familles=famille or None,
        membres_file=membres,
        groupement_file=groupement,
        catalogues=catalogues,
        force=force,
    )
    stdout.print(f"Feuille de recensement écrite : {written}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `demand` sub-app."""
    app.add_typer(demand_app, name="demand")
