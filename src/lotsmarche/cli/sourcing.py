"""`lotsmarche sourcing template | check | merge`: the supplier questionnaire, its answers, the merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lotsmarche.cli import _common
from lotsmarche.cli._common import (
    SEVERITY_LABEL,
    CataloguesOpt,
    Format,
    FormatOpt,
    GroupementOpt,
    echo_json,
    findings_markdown,
    markdown_table,
    stdout,
)

if TYPE_CHECKING:  # the sourcing readers (pydantic, pandas) load with the command that runs
    from lotsmarche.sourcing import SourcingRead

sourcing_app = typer.Typer(
    help="Questionnaire des fournisseurs (sourçage) : l'écrire, contrôler les réponses, les fusionner.\n\n"
    "Exemples :\n"
    "lotsmarche sourcing template --out questionnaire.xlsx --famille produits_de_la_mer\n"
    "lotsmarche sourcing check reponses/\n"
    "lotsmarche sourcing merge reponses/ --out sourcing.csv",
    no_args_is_help=True,
)
FilesArg = Annotated[
    list[Path],
    typer.Argument(
        metavar="FICHIER",
        help="Questionnaires remplis (.xlsx), tableaux de sourçage (CSV/XLSX) ou dossiers de questionnaires.",
    ),
]


def _rows(result: SourcingRead) -> list[list[str]]:
    return [
        [
            s.nom,
            s.type,
            str(len(s.produits or [])) if s.produits is not None else "tous",
            "oui" if s.volumes_mensuels else "non",
            ", ".join(s.zones),
            ", ".join(s.labels) or "—",
            s.source or "",
        ]
        for s in result.fournisseurs
    ]


HEADERS = ["Fournisseur", "Type", "Produits", "Volumes mensuels", "Zones", "Labels comptés", "Source"]


def _report(result: SourcingRead, fmt: Format) -> None:
    if fmt is Format.json:
        echo_json(
            {
                "fichiers": result.fichiers,
                "fournisseurs": [s.model_dump(mode="json") for s in result.fournisseurs],
                "constats": [f.model_dump(mode="json") for f in result.findings],
            }
        )
        return
    if fmt is Format.markdown:
        text = [
            f"# Sourçage : {len(result.fournisseurs)} fournisseur(s)",
            "",
            markdown_table(HEADERS, _rows(result)),
        ]
        if result.findings:
            text += ["", "## Constats", "", findings_markdown(result.findings)]
        stdout.print("\n".join(text), markup=False)
        return
    from rich.table import Table

    table = Table(title=f"{len(result.fournisseurs)} fournisseur(s) lus", title_justify="left")
    for h in HEADERS:
        table.add_column(h)
    for row in _rows(result):
        table.add_row(*row)
    stdout.print(table)
    for f in result.findings:
        line = f"{SEVERITY_LABEL[f.severite]} {f.code} : {f.message}"
        stdout.print(line + (f" → {f.correction}" if f.correction else ""), markup=False)
    if not result.findings:
        stdout.print("Aucun constat.", markup=False)


@sourcing_app.command("template")
def template(
    out: Annotated[Path, typer.Option("--out", help="Questionnaire .xlsx à écrire.")],
    *,
    famille: Annotated[
        list[str] | None, typer.Option("--famille", help="Famille de produits proposée (répétable).")
    ] = None,
    groupement: Annotated[
        Path | None,
        typer.Option("--groupement", help="groupement.yaml : zones des membres et date de lancement."),
    ] = None,
    catalogues: CataloguesOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe.")] = False,
) -> None:
    """Écrire le questionnaire à envoyer aux fournisseurs (produits, volumes par mois, zones, labels).

    Exemple : lotsmarche sourcing template --out questionnaire.xlsx --groupement groupement.yaml
    """
    from lotsmarche.sourcing.questionnaire import make_questionnaire

    written = make_questionnaire(
        out, familles=famille or None, groupement_file=groupement, catalogues=catalogues, force=force
    )
    stdout.print(f"Questionnaire fournisseur écrit : {written}", markup=False)


@sourcing_app.command("check")
def check(
    files: FilesArg,
    groupement: GroupementOpt = None,
    catalogues: CataloguesOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Lire et contrôler les questionnaires remplis et les tableaux de sourçage, tous à la fois.

    Exemple : lotsmarche sourcing check reponses/ --groupement groupement.yaml
    """
    from lotsmarche.sourcing.merge import sourcing_step

    result = sourcing_step(files, groupement_file=groupement, catalogues=catalogues, today=_common.today())
    _report(result, fmt)


@sourcing_app.command("merge")
def merge(
    files: FilesArg,
    out: Annotated[Path, typer.Option("--out", help="Sourçage fusionné .csv à écrire.")],
    groupement: GroupementOpt = None,
    catalogues: CataloguesOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fusionner les réponses en un seul tableau de sourçage (CSV), à donner à --sourcing.

    Exemple : lotsmarche sourcing merge reponses/ --out sourcing.csv
    """
    from lotsmarche.sourcing.merge import sourcing_step

    result = sourcing_step(
        files, groupement_file=groupement, catalogues=catalogues, today=_common.today(), out=out, force=force
    )
    _report(result, fmt)
    if fmt is Format.table:
        stdout.print(f"Sourçage fusionné écrit : {out}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `sourcing` sub-app."""
    app.add_typer(sourcing_app, name="sourcing")
