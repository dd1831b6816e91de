"""Every command's help is French, has an example and reads in 80 columns (new commands included)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer

from lotsmarche import __version__
from lotsmarche.cli import app
from tests.cli._runner import run

ENGLISH = (
    "Usage",
    "Show this message",
    "[default",
    "[required]",
    "Commands",
    "COMMAND ",
    "[ARGS]",
    "<path>",
    "<str>",
    "<bool>",
    "<int>",
    "<float>",
    "list[",
)


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found += _walk(sub, [*path, name])
    return found


COMMANDS = _walk(typer.main.get_command(app), [])


def _help(path: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run([*path, "--help"], capsys)
    assert code == 0, err
    return out


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "lotsmarche" for p, _ in COMMANDS]
)
def test_help_frame_is_french_with_an_example_in_80_columns(
    path: list[str], command: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _help(path, capsys, monkeypatch)
    name = " ".join(path) or "lotsmarche"
    assert "Utilisation :" in out, name
    assert "╭─ Options" in out, name
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())
    assert "--help Afficher cette aide et" in flat, name
    for word in ENGLISH:
        assert word not in out, f"{name} : « {word} » dans l'aide"
    assert re.search(r"^ Exemples? :$", out, re.M), f"{name} : aucun exemple dans l'aide"
    examples = re.findall(r"^   (lotsmarche .*)$", out, re.M)
    assert examples, name
    if path:
        assert all(e.startswith(f"lotsmarche {path[0]}") or "--help" in e for e in examples[:1]), name
    too_long = [line for line in out.splitlines() if len(line) > 80]
    assert not too_long, f"{name} : lignes de plus de 80 colonnes : {too_long}"
    if getattr(command, "params", None) and any(p.param_type_name == "argument" for p in command.params):
        assert "╭─ Arguments" in out, name


@pytest.mark.parametrize(("path", "command"), COMMANDS[1:], ids=[" ".join(p) for p, _ in COMMANDS[1:]])
def test_summaries_start_with_an_infinitive(path: list[str], command: Any) -> None:
    summary = (command.help or "").strip().split()[0].rstrip(",.:;")
    assert re.fullmatch(r"\w+(er|ir|re)", summary), f"{' '.join(path)} : « {summary} » n'est pas un infinitif"


def test_the_demand_argument_has_one_name_everywhere() -> None:
    named = {}
    for path, command in COMMANDS:
        for param in getattr(command, "params", []):
            if param.param_type_name == "argument" and param.name == "demand":
                named[" ".join(path)] = param.metavar
    assert set(named) >= {"run", "lots", "compare", "demand check"}
    assert set(named.values()) == {"DEMANDE"}, named


def test_defaults_required_and_types_are_shown_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _help(["lots"], capsys, monkeypatch)
    assert "Utilisation : lotsmarche lots [OPTIONS] [DEMANDE...]" in out
    assert re.search(r"\* +--out +CHEMIN +Fichier lots.json à écrire\.", out)
    assert "[requis]" in out
    assert "[défaut :" in out and "table]" in out
    assert re.search(r"--date-lancement +AAAA-MM-JJ", out)
    assert re.search(r"--duree-mois +ENTIER", out)
    assert re.search(r"--time-limit +NOMBRE", out)
    # a flag takes no value: no type shown
    assert re.search(r"--force {3,}Remplacer", out)
    root = _help([], capsys, monkeypatch)
    assert "Utilisation : lotsmarche [OPTIONS] COMMANDE [ARGUMENTS]..." in root
    assert "╭─ Commandes" in root


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert (code, out.strip()) == (0, f"lotsmarche {__version__}")


def test_no_argument_shows_the_french_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["demand"], capsys)
    assert code == 2
    assert "Utilisation : lotsmarche demand" in out + err
