"""`lotsmarche example --out DIR [--force]`: write the bundled Boulonnais example to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import stdout


def register(app: typer.Typer) -> None:
    """Add the `example` command to `app`."""

    @app.command(
        "example",
        help=(
            "Écrire l'exemple intégré (groupement de commandes de produits de la mer du Boulonnais) : "
            "groupement.yaml, demande.csv, les questionnaires remplis des fournisseurs (fournisseurs/), "
            "leur fusion sourcing.csv et LISEZMOI.md, à modifier.\n\n"
            "Exemple : lotsmarche example --out exemple"
        ),
    )
    def example(
        out: Annotated[Path, typer.Option("--out", help="Dossier où écrire les fichiers de l'exemple.")],
        force: Annotated[
            bool, typer.Option("--force", help="Remplacer les fichiers de l'exemple déjà présents.")
        ] = False,
    ) -> None:
        from lotsmarche.example import write_example

        written = write_example(out, force=force)
        stdout.print(f"Exemple écrit dans {out} :", markup=False)
        for path in written:
            stdout.print(f"  {path.relative_to(out).as_posix()}", markup=False)
        stdout.print(
            "Pour produire le DCE de l'exemple : lotsmarche run "
            f"{out / 'demande.csv'} --groupement {out / 'groupement.yaml'} "
            f"--sourcing {out / 'fournisseurs'} --out DOSSIER",
            markup=False,
        )
