"""Command-line interface: thin commands over the library. Errors become French messages here only."""

from __future__ import annotations

import sys

import click
import typer

from lotsmarche.cli._common import stderr
from lotsmarche.errors import LotsmarcheError

app = typer.Typer(
    name="lotsmarche",
    help="Allotissement des achats alimentaires groupés et génération du DCE.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Afficher la trace complète des erreurs."),
) -> None:
    _state["debug"] = debug


def _register() -> None:
    from lotsmarche.cli import catalogue, check, compare, dce, demand, example, lots, run

    for module in (run, example, demand, lots, compare, check, dce, catalogue):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, translate library errors into one French message each and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    _state["debug"] = "--debug" in args
    try:
        app(args=args, standalone_mode=False)
    except LotsmarcheError as exc:
        if _state["debug"]:
            raise
        for i, line in enumerate(exc.lines()):
            stderr.print(("Erreur : " if i == 0 else "  - ") + line, markup=False)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        stderr.print("Interrompu.", markup=False)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        stderr.print(f"Erreur d'utilisation : {exc.format_message()}", markup=False)
        stderr.print("Voir « lotsmarche --help ».", markup=False)
        sys.exit(2)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except Exception:
        if _state["debug"]:
            raise
        stderr.print(
            "Erreur interne inattendue. Relancez avec --debug et signalez la trace obtenue.", markup=False
        )
        sys.exit(3)
