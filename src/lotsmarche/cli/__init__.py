"""Command-line interface: thin commands over the library. Errors become French messages here only."""

from __future__ import annotations

import re
import sys

import typer

from lotsmarche.cli._common import stderr, stdout
from lotsmarche.cli.aide import franciser
from lotsmarche.errors import LotsmarcheError

app = typer.Typer(
    name="lotsmarche",
    help="Allotissement des achats alimentaires groupés et génération du DCE.\n\n"
    "Exemples :\n"
    "lotsmarche run --out dce-exemple\n"
    "lotsmarche lots recensement.xlsx --groupement groupement.yaml --out lots.json\n"
    "lotsmarche COMMANDE --help",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from lotsmarche import __version__

        stdout.print(f"lotsmarche {__version__}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Afficher la trace complète des erreurs."),
    version: bool = typer.Option(
        False, "--version", help="Afficher la version et quitter.", is_eager=True, callback=_version
    ),
) -> None:
    _state["debug"] = debug


def _register() -> None:
    from lotsmarche.cli import (
        catalogue,
        check,
        compare,
        dce,
        demand,
        example,
        export,
        lots,
        macantine,
        run,
        serve,
    )

    for module in (run, example, demand, lots, compare, check, dce, export, macantine, catalogue, serve):
        module.register(app)
    franciser(app)  # the French help frame, for every command registered above


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, translate library errors into one French message each and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    _state["debug"] = "--debug" in args
    try:
        # Without standalone mode click returns the code of `typer.Exit(n)` instead of exiting.
        result = app(args=args, prog_name="lotsmarche", standalone_mode=False)
        if isinstance(result, int) and result:
            sys.exit(result)
    except LotsmarcheError as exc:
        if _state["debug"]:
            raise
        for i, line in enumerate(exc.lines()):
            stderr.print(("Erreur : " if i == 0 else "  - ") + line, markup=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        stderr.print("Interrompu.", markup=False)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(getattr(exc, "exit_code", 0))
    except Exception as exc:
        # Usage errors (typer vendors click: duck-typed on its exception API).
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            _usage_error(exc)
        if isinstance(exc, BrokenPipeError):
            sys.exit(130)
        if _state["debug"]:
            raise
        stderr.print(
            "Erreur interne inattendue. Relancez avec --debug et signalez la trace obtenue.", markup=False
        )
        sys.exit(3)
    except KeyboardInterrupt:
        sys.exit(130)


def _usage_error(exc: Exception) -> None:
    """Print a usage error (wrong option, missing argument) in French and exit 2."""
    name = type(exc).__name__
    if name == "NoArgsIsHelpError":
        stderr.print(exc.format_message(), markup=False)  # type: ignore[attr-defined]
        sys.exit(2)
    message = _french_usage(exc.format_message())  # type: ignore[attr-defined]
    stderr.print(f"Erreur d'utilisation : {message}", markup=False)
    stderr.print("Voir « lotsmarche --help » ou « lotsmarche COMMANDE --help ».", markup=False)
    sys.exit(2)


# click's usage messages are English; these are the ones a user meets.
_USAGE_FR = (
    (
        re.compile(r"^No such option: (\S+) Did you mean (\S+)\?"),
        "option inconnue : {0} (vouliez-vous dire {1} ?)",
    ),
    (re.compile(r"^No such option: (\S+)(?: \(Possible options: (.*)\))?"), "option inconnue : {0}"),
    (re.compile(r"^No such command '([^']*)'\."), "commande inconnue : « {0} »"),
    (re.compile(r"^Missing option '([^']*)'\."), "option obligatoire manquante : {0}"),
    (re.compile(r"^Missing argument '([^']*)'\."), "argument obligatoire manquant : {0}"),
    (re.compile(r"^Invalid value for '([^']*)': (.*)"), "valeur invalide pour {0} : {1}"),
    (re.compile(r"^Option '([^']*)' requires an argument\."), "l'option {0} attend une valeur"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)"), "argument(s) en trop : {0}"),
)


def _french_usage(message: str) -> str:
    for pattern, french in _USAGE_FR:
        found = pattern.match(message)
        if found:
            return french.format(*(g or "" for g in found.groups()))
    return message
