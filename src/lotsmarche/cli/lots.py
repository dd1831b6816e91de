"""`lotsmarche lots`: split the demand into lots, value them, write lots.json (and lots.xlsx)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from decimal import Decimal
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
    finding_line,
    findings_markdown,
    md_cell,
    stdout,
)
from lotsmarche.errors import InputError, Problem
from lotsmarche.models import LotPlan
from lotsmarche.money import eur, pct

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


def indicator_lines(plan: LotPlan) -> list[str]:
    """The comparison metrics of this plan (``compare.plan_metrics``, the same as `compare` shows)."""
    from lotsmarche.compare import plan_metrics

    k = plan.groupement.k_fournisseurs
    m = plan_metrics(plan, k)
    egalim = (
        "non calculée"
        if m.egalim_part is None
        else f"{pct(m.egalim_part)} de produits durables et de qualité"
        + (f", dont {pct(m.egalim_bio)} de bio" if m.egalim_bio is not None else "")
        + (
            f" ; viandes et produits de la pêche : {pct(m.egalim_viande_poisson)}"
            if m.egalim_viande_poisson is not None
            else ""
        )
    )
    suppliers = f"{k} fournisseur{'s' if k > 1 else ''}"
    lots = f"{m.nb_lots} lot{'s' if m.nb_lots > 1 else ''}"
    return [
        f"Lots servables par au moins {suppliers} du sourçage : {m.nb_lots_servables_k} sur {m.nb_lots}, "
        f"soit {pct(m.part_valeur_servable_k)} de la valeur maximale totale.",
        f"Fournisseurs capables par lot : {fr_decimal(m.fournisseurs_moyen)} en moyenne, "
        f"{m.fournisseurs_min} au minimum.",
        f"Lots relevant de la dérogation des petits lots (art. R2123-1 2° et R2122-8) : "
        f"{m.nb_lots_derogation}, soit {pct(m.part_petits_lots)} de la valeur maximale totale "
        f"(plafond {pct(m.part_petits_lots_max)}).",
        f"Coût de gestion estimé : {eur(m.cout_administratif)} ({lots} à {eur(m.cout_gestion_par_lot)}).",
        f"EGALIM projetée : {egalim}.",
    ]


def fr_decimal(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


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
    lines += ["", "## Indicateurs", ""] + [f"- {md_cell(line)}" for line in indicator_lines(plan)]
    findings = list(plan.findings) + [f for lot in plan.lots for f in lot.findings]
    if findings:
        lines += ["", findings_markdown(findings)]
    return "\n".join(lines) + "\n"


def solver_time_limit(seconds: float | None) -> AbstractContextManager[None]:
    """The time limit of strategy ``optimal`` around plan building (its module loads only when asked)."""
    if seconds is None:
        return nullcontext()
    from lotsmarche.lotting.optimal import time_limit

    return time_limit(seconds)


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
        check_apart(targets, [*(demand or []), groupement, sourcing, plan, catalogues])
        check_outputs(targets, force)
        with solver_time_limit(time_limit):
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
