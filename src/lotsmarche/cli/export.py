"""`lotsmarche export decp | ocds`: the open-data exports of a lot plan (lots.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import CataloguesOpt, Format, FormatOpt, echo_json, stdout

sub = typer.Typer(
    name="export",
    help="Exporter un plan de lots en données ouvertes : DECP v2.0.3 (données essentielles) et OCDS 1.1.\n\n"
    "Exemples :\n"
    "lotsmarche export decp lots.json --out DECP\n"
    "lotsmarche export ocds lots.json --out release.json",
    no_args_is_help=True,
)


def read_plan(path: Path):  # type: ignore[no-untyped-def]
    """The LotPlan of ``path`` (InputError naming the file when unreadable or invalid)."""
    from lotsmarche.lotsjson import read_plan as read

    return read(path)


@sub.command(
    "decp",
    help=(
        "Écrire les données essentielles (DECP v2.0.3) de chaque lot.\n\n"
        "Le dossier DIR reçoit decp.json quand tous les champs sont connus et valides, sinon "
        "decp_prerempli.json, et toujours champs_manquants.md. Avant l'attribution, les champs inconnus sont "
        "listés, jamais inventés.\n\n"
        "Exemples :\n"
        "lotsmarche export decp lots.json --out DECP\n"
        "lotsmarche export decp lots.json --attribution attribution.csv --out DECP --force"
    ),
)
def decp(
    plan_file: Annotated[
        Path, typer.Argument(help="Plan de lots lots.json (produit par « lotsmarche lots »).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie (créé).")],
    attribution: Annotated[
        Path | None,
        typer.Option(
            "--attribution",
            help="Fichier d'attribution CSV/XLSX, une ligne par lot : titulaire_siret, date_notification, "
            "date_publication, offres_recues, avance, groupement_operateurs, sous_traitance, origine_ue, "
            "origine_france… (voir le README).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le dossier de sortie existant.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    from lotsmarche.export.attribution import read_attribution
    from lotsmarche.export.decp import decp_files, decp_lots
    from lotsmarche.export.output import refuse_existing, write_folder

    inputs = [plan_file, attribution]
    refuse_existing(out, force, inputs)
    plan = read_plan(plan_file)
    awards = read_attribution(attribution, plan) if attribution is not None else None
    lots = decp_lots(plan, awards)
    files = decp_files(plan, lots)
    write_folder(out, files, force=force, inputs=inputs)
    if fmt is Format.json:
        echo_json(
            {
                "dossier": str(out),
                "fichiers": sorted(files),
                "lots": [
                    {
                        "lot": lot.numero,
                        "complet": lot.complet,
                        "manquants": lot.manquants,
                        "erreurs": lot.erreurs,
                    }
                    for lot in lots
                ],
            }
        )
        return
    complete = sum(1 for lot in lots if lot.complet)
    stdout.print(
        f"DECP écrites dans {out} ({', '.join(sorted(files))}) : {complete}/{len(lots)} lot(s) complet(s).",
        markup=False,
    )
    for lot in lots:
        if lot.complet:
            continue
        what = ", ".join(lot.manquants) or "; ".join(lot.erreurs)
        stdout.print(f"  lot {lot.numero} — à compléter : {what}", markup=False)


@sub.command(
    "ocds",
    help=(
        "Écrire le paquet de publications OCDS 1.1 de la consultation.\n\n"
        "Extensions lots et durabilité ; le paquet est validé hors ligne contre les schémas livrés. Même "
        "plan, même fichier.\n\n"
        "Exemple :\n"
        "lotsmarche export ocds lots.json --out release.json"
    ),
)
def ocds(
    plan_file: Annotated[Path, typer.Argument(help="Plan de lots lots.json.")],
    out: Annotated[Path, typer.Option("--out", help="Fichier JSON à écrire (release.json).")],
    prefix: Annotated[
        str,
        typer.Option(
            "--prefixe-ocid",
            help="Préfixe OCID de l'éditeur, enregistré auprès de l'Open Contracting Partnership.",
        ),
    ] = "ocds-lotsmarche",
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier existant.")] = False,
    catalogues: CataloguesOpt = None,
) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.errors import InputError, Problem
    from lotsmarche.export.ocds import ocds_package, package_text
    from lotsmarche.export.output import refuse_existing, write_file
    from lotsmarche.export.schemas import validate_ocds_package

    refuse_existing(out, force, [plan_file, catalogues])
    if not prefix.startswith("ocds-") or len(prefix) < 6:
        raise InputError(
            "Préfixe OCID invalide",
            [
                Problem(
                    f"un préfixe « ocds-xxxxxx » est attendu (lu : « {prefix} »)", colonne="--prefixe-ocid"
                )
            ],
        )
    plan = read_plan(plan_file)
    package = ocds_package(plan, load_catalogue(catalogues).cpv, prefix=prefix)
    problems = validate_ocds_package(package)
    if problems:  # a bug, or a plan value the schema refuses: never write an invalid package
        raise InputError(
            "Paquet OCDS non conforme au schéma", [Problem(p, fichier=str(out)) for p in problems]
        )
    write_file(out, package_text(package).encode("utf-8"), force=force, inputs=[plan_file, catalogues])
    tender = package["releases"][0]["tender"]
    stdout.print(
        f"Paquet OCDS écrit dans {out} : {len(tender['lots'])} lot(s), {len(tender['items'])} article(s), "
        "conforme au schéma OCDS 1.1 avec les extensions lots et durabilité.",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sub)
