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
        sourcing,
    )

    for module in (
        run,
        example,
        demand,
        sourcing,
        lots,
        compare,
        check,
        dce,
        export,
        macantine,
        catalogue,
        serve,
    ):
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
    except (MemoryError, RecursionError) as exc:
        _system_error(exc)
    except Exception as exc:
        # Usage errors (typer vendors click: duck-typed on its exception API).
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            _usage_error(exc)
        _system_error(exc)
    except KeyboardInterrupt:
        sys.exit(130)


def _system_error(exc: BaseException) -> None:
    """A failure of the machine (memory, disk, name too long) in French, exit 2; anything else exit 3."""
    if isinstance(exc, BrokenPipeError):
        sys.exit(130)
    if _state["debug"]:
        raise exc
    message = _system_message(exc)
    if message is None:
        _internal_error()
    stderr.print(f"Erreur : {message}", markup=False)
    sys.exit(2)


def _internal_error() -> None:
    stderr.print(
        "Erreur interne inattendue. Relancez avec --debug et signalez la trace obtenue.", markup=False
    )
    sys.exit(3)


_OS_ERRORS = {
    "ENAMETOOLONG": "nom de fichier trop long (255 octets au plus par nom)",
    "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota disque dépassé",
    "EACCES": "accès refusé",
    "EPERM": "opération non permise",
    "EROFS": "système de fichiers en lecture seule",
    "ENOENT": "fichier ou dossier introuvable",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EISDIR": "c'est un dossier, pas un fichier",
    "EEXIST": "existe déjà",
    "ENOTEMPTY": "dossier non vide",
    "EXDEV": "déplacement entre deux disques impossible",
    "EMFILE": "trop de fichiers ouverts",
    "EIO": "erreur d'entrée-sortie du disque",
}


def _system_message(exc: BaseException) -> str | None:
    """French message for a resource or system failure that no input check could foresee, else None.

    These end a run with exit code 2 (the user can act: free memory, shorten a name, free disk space),
    not as an internal error. Any other ValueError is a bug: None, and the caller reports exit 3.
    """
    import errno

    if isinstance(exc, MemoryError):
        return (
            "mémoire insuffisante pour traiter ces fichiers : découpez la demande en plusieurs fichiers "
            "plus petits ou relancez sur une machine disposant de plus de mémoire. Rien n'a été écrit."
        )
    if isinstance(exc, RecursionError):
        return "donnée imbriquée trop profondément pour être lue (fichier construit à la main ?)"
    if isinstance(exc, OSError):
        code = errno.errorcode.get(exc.errno or 0, "")
        reason = _OS_ERRORS.get(code) or "opération sur le disque impossible"
        where = exc.filename if exc.filename is not None else ""
        where = str(where)
        if len(where) > 120:
            where = where[:60] + "…" + where[-40:]
        return f"{where} : {reason}" if where else reason
    if isinstance(exc, ValueError) and "null byte" in str(exc):
        return "un chemin de fichier contient un caractère nul (octet 0) : corrigez le nom du fichier"
    return None


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


# English fragments click or the path converter put inside a value's message.
_FRAGMENTS_FR = {
    "Value error, embedded null byte": "le chemin contient un caractère nul (octet 0)",
    "embedded null byte": "le chemin contient un caractère nul (octet 0)",
}


def _french_usage(message: str) -> str:
    for pattern, french in _USAGE_FR:
        found = pattern.match(message)
        if found:
            message = french.format(*(g or "" for g in found.groups()))
            break
    for english, french_text in _FRAGMENTS_FR.items():
        message = message.replace(english, french_text)
    return message
