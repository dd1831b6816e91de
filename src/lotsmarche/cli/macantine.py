"""`lotsmarche macantine template | check`: a lot's yearly purchase statement and its ma-cantine import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import CataloguesOpt, Format, FormatOpt, echo_json, stdout
from lotsmarche.cli.export import read_plan

sub = typer.Typer(
    name="macantine",
    help="Produire le relevé annuel des achats d'un lot et les fichiers d'import ma-cantine par SIRET.\n\n"
    "Exemples :\n"
    "lotsmarche macantine template lots.json --lot 3 --out releve.xlsx\n"
    "lotsmarche macantine check releve.xlsx --plan lots.json --out import",
    no_args_is_help=True,
)


@sub.command(
    "template",
    help=(
        "Écrire le relevé annuel des achats qu'un titulaire remplit pour un lot.\n\n"
        "Une ligne par livraison ou par mois et par produit : date, SIRET du site, produit, caractéristiques "
        "EGALIM livrées, origine, montant HT, numéro de facture ; la famille ma-cantine et les "
        "caractéristiques prévues au contrat se remplissent seules. Feuilles protégées, feuille "
        "« Instructions ».\n\n"
        "Exemple :\n"
        "lotsmarche macantine template lots.json --lot 3 --out releve.xlsx"
    ),
)
def template(
    plan_file: Annotated[Path, typer.Argument(help="Plan de lots lots.json.")],
    lot: Annotated[int, typer.Option("--lot", help="Numéro du lot.")],
    out: Annotated[Path, typer.Option("--out", help="Classeur XLSX à écrire.")],
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier existant.")] = False,
) -> None:
    from lotsmarche.export.output import refuse_existing, write_file
    from lotsmarche.macantine.template import statement_workbook

    refuse_existing(out, force, [plan_file])
    plan = read_plan(plan_file)
    write_file(out, statement_workbook(plan, lot), force=force, inputs=[plan_file])
    stdout.print(f"Relevé du lot {lot} écrit dans {out}.", markup=False)


@sub.command(
    "check",
    help=(
        "Vérifier un relevé rempli et écrire un fichier d'import ma-cantine par SIRET.\n\n"
        "Contrôles : schéma d'import des achats de ma-cantine (colonnes, dates, montants, familles, "
        "caractéristiques) et, avec --plan, le lot : sites inconnus, produits hors du lot, caractéristiques "
        "non exigées par le contrat, total au-delà du maximum du lot. Chaque problème nomme le fichier, la "
        "feuille, la ligne et la colonne. Écrit aussi les parts EGALIM de chaque membre (tableau XLSX et "
        "Markdown, graphique PNG) comparées aux objectifs de catalogues/parametres.yaml.\n\n"
        "Exemple :\n"
        "lotsmarche macantine check releve.xlsx --plan lots.json --out import"
    ),
)
def check(
    statement: Annotated[
        Path, typer.Argument(help="Relevé rempli (XLSX du modèle, ou CSV/XLSX aux colonnes ma-cantine).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie (créé).")],
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="Plan de lots lots.json du relevé.")
    ] = None,
    lot: Annotated[
        int | None, typer.Option("--lot", help="Numéro du lot, si le fichier ne le précise pas (CSV).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le dossier de sortie existant.")] = False,
    catalogues: CataloguesOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.export.output import refuse_existing, write_folder
    from lotsmarche.macantine.check import read_statement
    from lotsmarche.macantine.report import check_outputs, shares

    inputs = [statement, plan_file, catalogues]
    refuse_existing(out, force, inputs)
    cat = load_catalogue(catalogues)
    plan = read_plan(plan_file) if plan_file is not None else None
    result = read_statement(statement, cat, plan, lot)
    files = check_outputs(result, cat, plan)
    write_folder(out, files, force=force, inputs=inputs)
    items = shares(result, cat, plan)
    if fmt is Format.json:
        echo_json(
            {
                "dossier": str(out),
                "fichiers": sorted(files),
                "avertissements": [p.render() for p in result.avertissements],
                "parts": [
                    {
                        "siret": s.siret,
                        "membre": s.membre,
                        "achats_ht": s.total,
                        "part_egalim": s.part_egalim,
                        "part_bio": s.part_bio,
                        "part_viande_poisson": s.part_viande_poisson,
                    }
                    for s in items
                ],
            }
        )
        return
    stdout.print(
        f"Relevé conforme : {len(result.achats)} ligne(s), {len(items)} fichier(s) d'import écrits "
        f"dans {out}.",
        markup=False,
    )
    for warning in result.avertissements:
        stdout.print(f"  {warning.render()}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(sub)
