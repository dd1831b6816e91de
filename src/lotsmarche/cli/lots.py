"""`lotsmarche lots`: split the demand into lots, value them, write lots.json (and lots.xlsx)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lotsmarche.cli import _common
from lotsmarche.cli._common import (
    CataloguesOpt,
    DemandeArg,
    Format,
    FormatOpt,
    GroupementOpt,
    SourcingOpt,
    finding_line,
    findings_markdown,
    md_cell,
    stdout,
)
from lotsmarche.errors import InputError, Problem
from lotsmarche.money import eur

if TYPE_CHECKING:  # pydantic models load with the command that needs them
    from lotsmarche.models import LotPlan

DEFAULT_STRATEGY = "capacite"  # opens each lot to k suppliers of the sourcing when it can


def parse_date(text: str | None, option: str) -> date | None:
    """AAAA-MM-JJ, with a French message otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            "Date invalide",
            [
                Problem(
                    f"« {text} » n'est pas une date au format AAAA-MM-JJ (par exemple 2026-09-01)",
                    colonne=option,
                )
            ],
        ) from None


def render_table(plan: LotPlan, written: list[Path]) -> None:
    from rich.table import Table

    table = Table(title=f"Plan d'allotissement — stratégie « {plan.strategie} »", show_lines=False)
    table.add_column("N°", justify="right")
    table.add_column("Intitulé")
    table.add_column("Montant maximum HT", justify="right")
    table.add_column("Procédure")
    table.add_column("Fournisseurs capables", justify="right")
    for lot in plan.lots:
        table.add_row(
            str(lot.numero),
            lot.intitule,
            eur(lot.montant_maximum_ht),
            lot.procedure.libelle,
            str(lot.nb_fournisseurs_capables),
        )
    table.add_row(
        "", "Total", eur(plan.montant_total_maximum_ht), plan.procedure.libelle, "", end_section=True
    )
    stdout.print(table)
    stdout.print(
        f"Montant annuel : {eur(plan.montant_total_annuel_ht)} HT ; estimé sur {plan.duree_mois} mois : "
        f"{eur(plan.montant_total_estime_ht)} HT ; maximum : {eur(plan.montant_total_maximum_ht)} HT.",
        markup=False,
    )
    stdout.print(
        f"Procédure d'ensemble : {plan.procedure.libelle} (seuils « {plan.seuils.id} », lancement le "
        f"{plan.date_lancement.isoformat()}).",
        markup=False,
    )
    from lotsmarche.compare import indicator_lines

    stdout.print("Indicateurs :", markup=False)
    for line in indicator_lines(plan):
        stdout.print(f"- {line}", markup=False)
    findings = list(plan.findings) + [f for lot in plan.lots for f in lot.findings]
    for f in findings:
        stdout.print(finding_line(f), markup=False)
    for path in written:
        stdout.print(f"Écrit : {path}", markup=False)


def render_markdown(plan: LotPlan) -> str:
    lines = [
        f"# Plan d'allotissement — stratégie « {md_cell(plan.strategie)} »",
        "",
        "| N° | Intitulé | Montant maximum HT | Procédure | Fournisseurs capables |",
        "|---:|---|---:|---|---:|",
    ]
    for lot in plan.lots:
        lines.append(
            f"| {lot.numero} | {md_cell(lot.intitule)} | {eur(lot.montant_maximum_ht)} | "
            f"{md_cell(lot.procedure.libelle)} | {lot.nb_fournisseurs_capables} |"
        )
    lines.append(
        f"| | **Total** | {eur(plan.montant_total_maximum_ht)} | {md_cell(plan.procedure.libelle)} | |"
    )
    lines.append("")
    lines.append(
        f"Montant annuel : {eur(plan.montant_total_annuel_ht)} HT ; estimé sur {plan.duree_mois} mois : "
        f"{eur(plan.montant_total_estime_ht)} HT."
    )
    from lotsmarche.compare import indicator_lines

    lines += ["", "## Indicateurs", ""] + [f"- {md_cell(line)}" for line in indicator_lines(plan)]
    findings = list(plan.findings) + [f for lot in plan.lots for f in lot.findings]
    if findings:
        lines += ["", findings_markdown(findings)]
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add the `lots` command to `app`."""

    @app.command(
        "lots",
        help="Répartir la demande en lots, les évaluer et écrire lots.json (et lots.xlsx).\n\n"
        "Exemples :\n"
        "lotsmarche lots recensement.xlsx --out lots.json --xlsx lots.xlsx\n"
        "lotsmarche lots recensement.xlsx --plan plan.yaml --out lots.json",
    )
    def lots(
        out: Annotated[Path, typer.Option("--out", help="Fichier lots.json à écrire.")],
        demand: DemandeArg = None,
        groupement: GroupementOpt = None,
        sourcing: SourcingOpt = None,
        strategy: Annotated[
            str | None,
            typer.Option(
                "--strategy",
                help="Stratégie : famille, famille-conservation, espece, territoire, capacite (défaut) "
                "ou optimal.",
            ),
        ] = None,
        plan: Annotated[
            Path | None, typer.Option("--plan", help="Plan d'allotissement YAML de l'acheteur.")
        ] = None,
        date_lancement: Annotated[
            str | None,
            typer.Option(
                "--date-lancement", metavar="AAAA-MM-JJ", help="Date de lancement simulée (AAAA-MM-JJ)."
            ),
        ] = None,
        duree_mois: Annotated[
            int | None, typer.Option("--duree-mois", help="Durée totale simulée en mois (48 au plus).")
        ] = None,
        lots_max_par_candidat: Annotated[
            int | None,
            typer.Option("--lots-max-par-candidat", help="Nombre maximum de lots par candidat (R2113-1)."),
        ] = None,
        sans_allotissement: Annotated[
            bool, typer.Option("--sans-allotissement", help="Un seul lot, avec --justification (L2113-11).")
        ] = False,
        justification: Annotated[
            str | None, typer.Option("--justification", help="Motivation du non-allotissement.")
        ] = None,
        time_limit: Annotated[
            float | None,
            typer.Option(
                "--time-limit",
                help="Limite de temps du calcul de la stratégie optimal, en secondes (60 par défaut).",
            ),
        ] = None,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Fichier lots.xlsx à écrire.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Remplacer les fichiers existants.")] = False,
        fmt: FormatOpt = Format.table,
        catalogues: CataloguesOpt = None,
    ) -> None:
        from lotsmarche.lotsjson import check_outputs, plan_to_json, save_plan
        from lotsmarche.pipeline import plan_lots

        problems: list[Problem] = []
        if strategy is not None and plan is not None:
            problems.append(Problem("--strategy et --plan s'excluent : choisissez l'un ou l'autre"))
        if sans_allotissement and justification is None:
            problems.append(Problem("--sans-allotissement exige --justification (motivation, art. L2113-11)"))
        if justification is not None and not sans_allotissement:
            problems.append(Problem("--justification ne s'emploie qu'avec --sans-allotissement"))
        if time_limit is not None and not time_limit > 0:
            problems.append(Problem("--time-limit doit être un nombre de secondes positif"))
        if problems:
            raise InputError("Options incompatibles", problems)
        launch = parse_date(date_lancement, "--date-lancement")
        from lotsmarche.atomic import check_apart

        targets = [out] + ([xlsx] if xlsx else [])
        check_apart(targets, [*(demand or []), groupement, *(sourcing or []), plan, catalogues])
        check_outputs(targets, force)
        result, _demand = plan_lots(
            list(demand or []),
            groupement_path=groupement,
            sourcing_path=sourcing,
            strategy=strategy or DEFAULT_STRATEGY,
            plan_file=plan,
            date_lancement=launch,
            duree_mois=duree_mois,
            sans_allotissement=justification if sans_allotissement else None,
            lots_max_par_candidat=lots_max_par_candidat,
            catalogues_dir=catalogues,
            today=_common.today(),
            time_limit=time_limit,
        )
        written = save_plan(result, out, xlsx, force=force)
        if fmt == Format.json:
            sys.stdout.write(plan_to_json(result))
        elif fmt == Format.markdown:
            sys.stdout.write(render_markdown(result))
        else:
            render_table(result, written)
        findings = list(result.findings) + [f for lot in result.lots for f in lot.findings]
        if any(f.severite == "erreur" for f in findings):
            raise typer.Exit(1)
