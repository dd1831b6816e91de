"""`lotsmarche dce lots.json --out DIR`: render the DCE of a lot plan (or check user templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import CataloguesOpt, Format, FormatOpt, echo_json, md_cell, stdout


def register(app: typer.Typer) -> None:
    """Add the `dce` command to `app`."""

    @app.command(
        "dce",
        help=(
            "Générer le DCE d'un plan de lots (lots.json) : RC, CCAP, CCTP, un acte d'engagement et un "
            "BPU/DQE par lot, la convention de groupement et manifest.json.\n\n"
            "Avec --check-templates, vérifier seulement les modèles Word.\n\n"
            "Exemples :\n"
            "lotsmarche dce lots.json --out dce --zip\n"
            "lotsmarche dce lots.json --demande recensement.xlsx --out dce\n"
            "lotsmarche dce --check-templates --templates mes-modeles/templates"
        ),
    )
    def dce(
        plan_file: Annotated[
            Path | None, typer.Argument(help="Plan de lots lots.json (produit par « lotsmarche lots »).")
        ] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Dossier du DCE à créer.")] = None,
        templates: Annotated[
            Path | None,
            typer.Option(
                "--templates",
                help="Dossier de modèles Word modifiés (mêmes noms que les modèles "
                "intégrés ; les absents sont remplacés par ceux-ci).",
            ),
        ] = None,
        zip_: Annotated[bool, typer.Option("--zip", help="Ajouter une archive DCE_<référence>.zip.")] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Remplacer le dossier de sortie existant.")
        ] = False,
        brouillon: Annotated[
            bool,
            typer.Option(
                "--brouillon",
                help="Projet de travail : accepte un plan non conforme et marque "
                "chaque page « PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ ».",
            ),
        ] = False,
        check_templates: Annotated[
            bool, typer.Option("--check-templates", help="Vérifier les modèles (--templates) sans générer.")
        ] = False,
        demande: Annotated[
            list[Path] | None,
            typer.Option(
                "--demande",
                help="Fichier(s) de la demande dont le plan a été tiré : calendriers d'approvisionnement "
                "exacts par site (sans eux, les mois de chaque produit du lot valent pour tous ses sites).",
            ),
        ] = None,
        catalogues: CataloguesOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        from lotsmarche.catalogue import load_catalogue
        from lotsmarche.errors import InputError, Problem, RenderError

        if check_templates:
            from lotsmarche.render import check_templates as check
            from lotsmarche.resources import templates_dir

            folder = templates or templates_dir()
            problems = check(folder, load_catalogue(catalogues))
            if problems:
                raise RenderError(f"Modèles non conformes dans {folder}", problems)
            stdout.print(f"Modèles conformes : {folder}", markup=False)
            return
        if plan_file is None or out is None:
            raise InputError(
                "Arguments manquants",
                [
                    Problem(
                        "indiquez le plan de lots et le dossier de sortie : "
                        "lotsmarche dce lots.json --out DCE"
                    )
                ],
            )
        from lotsmarche.lotsjson import read_plan
        from lotsmarche.render import render_dce

        plan = read_plan(plan_file)
        calendriers = None
        if demande:
            from lotsmarche.pipeline import plan_calendars

            calendriers = plan_calendars(plan, list(demande), catalogues)
        result = render_dce(
            plan,
            load_catalogue(catalogues),
            out,
            templates=templates,
            zip_=zip_,
            force=force,
            brouillon=brouillon,
            inputs=[plan_file, *([catalogues] if catalogues else []), *(demande or [])],
            calendriers=calendriers,
        )
        rows = [(f.chemin, f.taille, f.sha256) for f in result.fichiers]
        if result.archive is not None:
            rows.append((result.archive.name, result.archive.stat().st_size, ""))
        if fmt is Format.json:
            echo_json(
                {
                    "dossier": str(result.dossier),
                    "brouillon": result.brouillon,
                    "plan_sha256": result.plan_sha256,
                    "fichiers": [{"chemin": c, "taille": t, "sha256": s} for c, t, s in rows],
                }
            )
        elif fmt is Format.markdown:
            stdout.print("| Fichier | Taille (octets) |\n|---|---:|", markup=False)
            for chemin, taille, _ in rows:
                stdout.print(f"| {md_cell(chemin)} | {taille} |", markup=False)
        else:
            mention = " (projet de travail)" if result.brouillon else ""
            stdout.print(f"DCE écrit dans {result.dossier}{mention} :", markup=False)
            for chemin, taille, _ in rows:
                stdout.print(f"  {chemin:<40} {taille:>9} octets", markup=False)
