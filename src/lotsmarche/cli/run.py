"""`lotsmarche run`: the whole pipeline — demand → lots → checks → DCE — in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli import _common
from lotsmarche.cli._common import (
    CataloguesOpt,
    DemandeArg,
    Format,
    FormatOpt,
    GroupementOpt,
    SourcingOpt,
    counts_text,
    echo_json,
    finding_line,
    severity_counts,
    stderr,
    stdout,
)
from lotsmarche.money import eur


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    demand: DemandeArg = None,
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie (créé).")] = Path("dce-lotsmarche"),
    groupement: GroupementOpt = None,
    sourcing: SourcingOpt = None,
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="Stratégie d'allotissement : famille, famille-conservation, espece, territoire, "
            "capacite ou optimal.",
        ),
    ] = "capacite",
    brouillon: Annotated[
        bool,
        typer.Option(
            "--brouillon", help="Générer le DCE malgré des erreurs, chaque page marquée « PROJET »."
        ),
    ] = False,
    zip_: Annotated[bool, typer.Option("--zip", help="Ajouter une archive zip du DCE.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer le dossier de sortie s'il existe.")
    ] = False,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Dossier de modèles Word modifiés.")
    ] = None,
    catalogues: CataloguesOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Enchaîner demande → lots → contrôles → DCE et écrire le tout dans un dossier.

    Exemples :
    lotsmarche run --out dce-exemple
    lotsmarche run recensement.xlsx --groupement groupement.yaml --out dce
    """
    from lotsmarche.pipeline import has_errors
    from lotsmarche.pipeline import run as run_pipeline
    from lotsmarche.render.dce import refusal

    def progress(message: str) -> None:
        if fmt is Format.table:
            stderr.print(f"• {message}…", markup=False)

    result = run_pipeline(
        list(demand or []),
        out,
        groupement_path=groupement,
        sourcing_path=sourcing,
        strategy=strategy,
        brouillon=brouillon,
        force=force,
        zip_=zip_,
        catalogues_dir=catalogues,
        templates=templates,
        progress=progress,
        today=_common.today(),
    )
    plan = result.plan
    errors = has_errors(plan)
    if fmt is Format.json:
        echo_json(
            {
                "dossier": str(result.dossier),
                "fichiers": result.fichiers,
                "dce_genere": result.dce is not None,
                "brouillon": brouillon,
                "lots": len(plan.lots),
                "montant_total_maximum_ht": str(plan.montant_total_maximum_ht),
                "procedure": plan.procedure.code,
                "erreurs": errors,
            }
        )
    else:
        findings = list(plan.findings) + [f for lot in plan.lots for f in lot.findings]
        if result.dce is not None:  # post-render checks of the pieces (controle.md, last section)
            findings += result.dce.findings
        counts = severity_counts(findings)
        stdout.print(
            f"{plan.groupement.nom} — {len(plan.lots)} lots, maximum total "
            f"{eur(plan.montant_total_maximum_ht)} HT sur {plan.duree_mois} mois : {plan.procedure.libelle}.",
            markup=False,
        )
        for lot in plan.lots:
            stdout.print(
                f"  Lot {lot.numero:>2} · {lot.intitule} · max. {eur(lot.montant_maximum_ht)} HT · "
                f"{lot.procedure.libelle} · {lot.nb_fournisseurs_capables} fournisseur(s) capable(s)",
                markup=False,
            )
        stdout.print(
            f"Contrôles : {counts_text(counts)} — détail dans {result.dossier / 'controle.md'}.",
            markup=False,
        )
        for f in findings:
            if f.severite == "erreur":
                stdout.print("  " + finding_line(f), markup=False)
        if result.dce is not None:
            stdout.print(
                f"DCE {'(projet) ' if result.dce.brouillon else ''}écrit dans {result.dce.dossier} : "
                f"{len(result.dce.fichiers)} fichiers.",
                markup=False,
            )
            sheets = [f for f in result.fichiers if f.startswith("sourcing/")]
            if sheets:
                stdout.print(
                    f"Fiches des fournisseurs du sourçage (achats prévus mois par mois) : {len(sheets)} dans "
                    f"{result.dossier / 'sourcing'}, hors du DCE publié.",
                    markup=False,
                )
            if result.dce.note is not None:
                stdout.print(
                    f"Lots hors consultation (art. R2122-8) : note écrite dans {result.dce.note}, hors du "
                    "DCE publié.",
                    markup=False,
                )
    if result.dce is None:
        # The plan, its workbook and controle.md are written; the DCE is refused (exit 2, as for an input
        # that cannot give a DCE as is), the message says which lots and how to go on.
        refused = refusal(plan)
        if refused is not None:
            raise refused
