"""The French help frame of every command: « Utilisation », « Arguments », « Options », « Commandes »,
« [défaut : …] », « [requis] », types in French, and the examples of each command.

Why not gettext: typer (0.29, which vendors click) marks its frame strings with ``gettext.gettext`` and
evaluates most of them at import time, in the process-wide default domain, in the user's locale. A French
catalogue would need a compiled ``.mo`` file, ``LANGUAGE=fr`` set before typer is imported, and would still
leave the help option's text, the type labels (``<path>``, ``<list[Path]>``) and the usage prefix in English.
So the help is rendered here, from the public attributes of the click commands and parameters, by command
and group classes that :func:`franciser` gives to every command registered on the application. New commands
get the French frame without doing anything; ``tests/cli/test_help.py`` walks every command to hold them to
it (French frame, an example, 80 columns).

Conventions for a command's help text (docstring or ``help=``): the first paragraph is the one-line summary
shown in the list of commands; a paragraph starting with « Exemple : » or « Exemples : » holds one command
line per line and is shown as is, in an « Exemples » section.
"""

from __future__ import annotations

import inspect
import io
import shutil
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

AIDE = "Afficher cette aide et quitter."
UTILISATION = "Utilisation :"
EXEMPLES = ("Exemple :", "Exemples :")
SOUS_COMMANDE = "COMMANDE [ARGUMENTS]..."
LARGEUR_MAX = 100

# Value types, as a French user reads them (the click/typer labels are Python type names).
TYPES: dict[type, str] = {
    Path: "CHEMIN",
    str: "TEXTE",
    int: "ENTIER",
    float: "NOMBRE",
    date: "DATE",
    datetime: "DATE",
}


def franciser(app: typer.Typer) -> None:
    """Give the French help frame to every command and group of ``app`` (recursively).

    Called once, after every command module has registered its commands. A command or group that names
    its own class keeps it (and the help test then tells whether its help is French)."""
    if not isinstance(app.info.cls, type) or app.info.cls is TyperGroup:
        app.info.cls = GroupeFr
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # typer fills in TyperCommand when none is given
            command.cls = CommandeFr
    for group in app.registered_groups:
        if not isinstance(group.cls, type) or group.cls is TyperGroup:
            group.cls = GroupeFr
        if group.typer_instance is not None:
            franciser(group.typer_instance)


class _AideFr:
    """What the French command and group share: the help option's text and the help page itself."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = AIDE
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write(render_help(self, ctx))


class CommandeFr(_AideFr, TyperCommand):
    """A typer command whose ``--help`` is French."""


class GroupeFr(_AideFr, TyperGroup):
    """A typer group whose ``--help`` is French."""


def width() -> int:
    """The width of the help page: the terminal's, at most 100 columns (80 when not a terminal)."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, LARGEUR_MAX))


def split_help(text: str | None) -> tuple[list[str], list[str]]:
    """(description paragraphs, example lines) of a command's help text."""
    paragraphs = [p.strip() for p in inspect.cleandoc(text or "").split("\n\n") if p.strip()]
    description: list[str] = []
    examples: list[str] = []
    for paragraph in paragraphs:
        head = next((e for e in EXEMPLES if paragraph.startswith(e)), None)
        if head is None:
            description.append(" ".join(line.strip() for line in paragraph.splitlines()))
        else:
            lines = [line.strip() for line in paragraph[len(head) :].splitlines()]
            examples += [line for line in lines if line]
    return description, examples


def type_label(param: Any) -> str:
    """The French label of a parameter's value (empty for a flag)."""
    if getattr(param, "is_flag", False):
        return ""
    if param.param_type_name == "option" and param.metavar:
        return str(param.metavar)
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "|".join(str(member.value) for member in annotation)
    choices = getattr(descriptor, "choices", None)
    if getattr(descriptor, "is_choice", False) and choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    if isinstance(annotation, type):
        for kind, label in TYPES.items():
            if issubclass(annotation, kind):
                return label
    return "VALEUR"


def default_text(param: Any) -> str:
    """« [défaut : …] » for an option whose default means something to the user, else empty."""
    if param.param_type_name != "option" or getattr(param, "is_flag", False) or param.required:
        return ""
    value = param.default
    if value is None or value in ((), [], "") or callable(value):
        return ""
    if isinstance(value, Enum):
        value = value.value
    return f"[défaut : {value}]"


def _param_rows(params: list[Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for param in params:
        if param.param_type_name == "argument":
            name = param.metavar or param.name.upper()
            names = name + ("..." if param.nargs != 1 else "")
        else:
            names = ", ".join([*param.opts, *param.secondary_opts])
        extras = [e for e in (default_text(param), "[requis]" if param.required else "") if e]
        help_text = " ".join([(getattr(param, "help", None) or "").strip(), *extras]).strip()
        rows.append(("*" if param.required else "", names, type_label(param), help_text))
    return rows


def _panel(title: str, rows: Sequence[Sequence[str]]) -> Panel:
    table = Table(show_header=False, box=None, padding=(0, 1), expand=True, pad_edge=False)
    columns = len(rows[0])
    for i in range(columns):
        last = i == columns - 1
        table.add_column(ratio=1 if last else None, overflow="fold", no_wrap=not last)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return Panel(table, title=title, title_align="left", box=box.ROUNDED)


def render_help(command: Any, ctx: Any) -> str:
    """The French help page of ``command`` (plain text, at most :func:`width` columns)."""
    out = io.StringIO()
    console = Console(file=out, width=width(), color_system=None, highlight=False, emoji=False)
    console.print(Padding(Text(f"{UTILISATION} {usage(command, ctx)}"), (1, 1, 1, 1)))
    description, examples = split_help(command.help)
    for paragraph in description:
        console.print(Padding(Text(paragraph), (0, 1, 1, 1)))
    if examples:
        console.print(Padding(Text("Exemples :" if len(examples) > 1 else "Exemple :"), (0, 1)))
        for line in examples:
            console.print(Padding(Text(line), (0, 1, 0, 3)))
        console.print()
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    for title, kind in (("Arguments", "argument"), ("Options", "option")):
        rows = _param_rows([p for p in params if p.param_type_name == kind])
        if rows:
            required = any(r[0] for r in rows)
            console.print(_panel(title, rows if required else [r[1:] for r in rows]))
    if isinstance(command, TyperGroup):
        rows_c: list[tuple[str, ...]] = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                summary = split_help(sub.help)[0]
                rows_c.append((name, summary[0] if summary else ""))
        if rows_c:
            console.print(_panel("Commandes", rows_c))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def usage(command: Any, ctx: Any) -> str:
    """« lotsmarche lots [OPTIONS] [DEMANDE]... »: the command path, then its arguments."""
    pieces = [ctx.command_path, "[OPTIONS]"]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = param.metavar or param.name.upper()
            name += "..." if param.nargs != 1 else ""
            pieces.append(name if param.required else f"[{name}]")
    if isinstance(command, TyperGroup):
        pieces.append(SOUS_COMMANDE)
    return " ".join(pieces)
