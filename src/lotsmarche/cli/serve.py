"""`lotsmarche serve` (the web application) and `lotsmarche user add` (accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lotsmarche.cli._common import stdout

DataOpt = Annotated[
    Path, typer.Option("--data", help="Dossier des données (base SQLite, fichiers reçus et générés).")
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Base PostgreSQL (postgresql://utilisateur:motdepasse@hote/base) au lieu de SQLite dans --data.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the `serve` and `user` commands to `app`."""

    @app.command(
        "serve",
        help=(
            "Démarrer l'application web : recensement des besoins, comparaison, plan et DCE.\n\n"
            "Les membres saisissent leurs besoins par un lien d'invitation ; le coordinateur compare les "
            "stratégies, choisit et ajuste le plan puis télécharge le DCE.\n\n"
            "Exemple :\n"
            "lotsmarche serve --data donnees --port 8000"
        ),
    )
    def serve(
        data: DataOpt = Path("lotsmarche-donnees"),
        host: Annotated[str, typer.Option("--host", help="Adresse d'écoute.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port d'écoute.")] = 8000,
        database_url: DatabaseOpt = None,
        max_upload_mo: Annotated[
            float, typer.Option("--max-upload-mo", help="Taille maximale d'un fichier envoyé, en Mo.")
        ] = 5.0,
    ) -> None:
        import uvicorn

        from lotsmarche.web.app import Settings, create_app

        settings = Settings(data=data, database_url=database_url, max_upload=int(max_upload_mo * 1024 * 1024))
        application = create_app(settings)
        stdout.print(f"lotsmarche : http://{host}:{port}/ (données dans {data})", markup=False)
        uvicorn.run(application, host=host, port=port, log_level="warning")

    user = typer.Typer(
        help="Gérer les comptes de l'application web.\n\n"
        "Exemple :\n"
        "lotsmarche user add acheteur@exemple.fr --role coordinateur --data donnees",
        no_args_is_help=True,
    )
    app.add_typer(user, name="user")

    @user.command(
        "add",
        help=(
            "Créer un compte de coordinateur ou de relecteur.\n\n"
            "Le mot de passe est demandé, ou lu sur l'entrée standard quand ce n'est pas un terminal.\n\n"
            "Exemples :\n"
            "lotsmarche user add acheteur@exemple.fr --role coordinateur --data donnees\n"
            'echo "mot-de-passe" | lotsmarche user add juriste@exemple.fr --role relecteur'
        ),
    )
    def add(
        email: Annotated[str, typer.Argument(help="Adresse électronique du compte.")],
        role: Annotated[str, typer.Option("--role", help="coordinateur ou relecteur.")],
        data: DataOpt = Path("lotsmarche-donnees"),
        database_url: DatabaseOpt = None,
    ) -> None:
        from lotsmarche.web.accounts import add_user

        if sys.stdin.isatty():
            password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        add_user(data, database_url, email, password, role)
        stdout.print(f"Compte {role} créé : {email.strip().lower()}", markup=False)
