"""The CLI reference in markdown, generated from the commands (README section, kept in sync by a test)."""

from __future__ import annotations

from typing import Any

import typer

from lotsmarche.cli.aide import split_help

BEGIN = "<!-- reference-cli:debut -->"
END = "<!-- reference-cli:fin -->"


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found: list[tuple[list[str], Any]] = []
    sub = getattr(command, "commands", None)
    if sub:
        for name in sub:  # registration order: the order of the pipeline
            found.extend(_walk(sub[name], [*path, name]))
    else:
        found.append((path, command))
    return found


def _usage(path: list[str], command: Any) -> str:
    parts = ["lotsmarche", *path]
    for param in command.params:
        if param.param_type_name == "argument":
            name = param.metavar or param.name.upper()
            parts.append(f"[{name}...]" if param.nargs == -1 else name)
    parts.append("[OPTIONS]")
    return " ".join(parts)


def _option_line(param: Any) -> str:
    names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    help_text = (getattr(param, "help", None) or "").strip()
    if param.param_type_name == "argument":
        names = f"`{param.metavar or param.name.upper()}`"
        help_text = help_text or "argument"
    default = getattr(param, "default", None)
    if (
        param.param_type_name == "option"
        and not getattr(param, "is_flag", False)
        and default not in (None, (), [], "")
    ):
        value = getattr(default, "value", default)
        help_text += f" (défaut : `{value}`)"
    return f"| {names} | {help_text.replace('|', '/')} |"


def cli_reference() -> str:
    """Markdown of every command: usage, summary, arguments and options."""
    from lotsmarche.cli import app

    root = typer.main.get_command(app)
    lines: list[str] = []
    for path, command in _walk(root, []):
        lines += [f"#### `lotsmarche {' '.join(path)}`", ""]
        description, examples = split_help(command.help)
        lines += [*(f"{p}\n" for p in description)]
        lines += ["```", _usage(path, command), "```", ""]
        if examples:
            lines += ["Exemple :" if len(examples) == 1 else "Exemples :", "", "```", *examples, "```", ""]
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines += ["| argument / option | rôle |", "|---|---|"]
            lines += [_option_line(p) for p in params]
            lines.append("")
    lines.append("Options communes : `--debug` (avant la commande) affiche la trace complète d'une erreur.")
    return "\n".join(lines).rstrip() + "\n"


def readme_block() -> str:
    return f"{BEGIN}\n{cli_reference()}{END}"


def update_readme(path: str = "README.md") -> None:
    """Rewrite the CLI reference block of the README in place (maintainers' helper)."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:start] + readme_block() + text[end:], encoding="utf-8")
