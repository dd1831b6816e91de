"""The README's CLI reference is generated from the commands and must stay in sync; every command has help."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from lotsmarche.cli import app
from lotsmarche.cli.reference import BEGIN, END, readme_block

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, object]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            found += [(f"{name} {n}", c) for n, c in sub.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.skipif(not README.is_file(), reason="README absent (installed package only)")
def test_readme_cli_reference_is_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == readme_block(), (
        "La référence des commandes du README n'est plus à jour : "
        "python -c 'from lotsmarche.cli.reference import update_readme; update_readme()'"
    )


def test_every_command_and_option_has_french_help() -> None:
    names = [n for n, _ in _commands()]
    for expected in (
        "run",
        "example",
        "lots",
        "compare",
        "check",
        "dce",
        "demand check",
        "demand template",
        "catalogue list",
        "catalogue show",
        "catalogue check",
    ):
        assert expected in names
    for name, command in _commands():
        assert (command.help or "").strip(), f"commande sans aide : {name}"  # type: ignore[attr-defined]
        for param in command.params:  # type: ignore[attr-defined]
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"option sans aide : {name} {param.opts}"
