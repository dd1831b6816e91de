"""What every command shares: options, output formats, and the single place errors become messages."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from lotsmarche.text import md_cell as md_cell  # noqa: PLC0414 - explicit re-export, commands import it here

if TYPE_CHECKING:  # pydantic models load with the command that needs them
    from lotsmarche.models import Finding

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


DemandeArg = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="DEMANDE",
        help="Fichiers de demande CSV/XLSX, un ou plusieurs "
        "(sans fichier : l'exemple intégré du Boulonnais).",
    ),
]
CataloguesOpt = Annotated[
    Path | None,
    typer.Option("--catalogues", help="Dossier de catalogues modifiés (par défaut : catalogues intégrés)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Format de sortie : table, json ou markdown.")]
GroupementOpt = Annotated[
    Path | None, typer.Option("--groupement", help="Fichier groupement.yaml (valeurs par défaut sinon).")
]
SourcingOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--sourcing",
        help="Sourçage fournisseurs : questionnaires remplis (.xlsx), tableau CSV/XLSX ou dossier de "
        "questionnaires ; répétable (profils illustratifs intégrés sinon).",
    ),
]


def today() -> date:
    """Today's date, which the commands pass to the library (a launch date in the past is an error).

    The one place the CLI reads the clock: tests replace it with a fixed date.
    """
    return date.today()


def echo_json(data: Any) -> None:
    """Stable JSON on stdout: sorted keys, UTF-8, Decimal and dates as strings."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


SEVERITY_STYLE = {"erreur": "bold red", "avertissement": "yellow", "info": "cyan"}
SEVERITY_LABEL = {"erreur": "ERREUR", "avertissement": "AVERTISSEMENT", "info": "INFO"}


def finding_line(f: Finding) -> str:
    where = f"lot {f.lot}" if f.lot is not None else "plan"
    text = f"{SEVERITY_LABEL[f.severite]} {f.code} ({where}) : {f.message} [{f.base_legale}]"
    if f.correction:
        text += f" → {f.correction}"
    return text


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    """Number of findings of each severity, keyed erreur, avertissement, info (in that order)."""
    return {s: sum(1 for f in findings if f.severite == s) for s in SEVERITY_LABEL}


def counts_text(counts: dict[str, int]) -> str:
    """« 1 erreur(s), 2 avertissement(s), 0 information(s) » from :func:`severity_counts`."""
    return (
        f"{counts['erreur']} erreur(s), {counts['avertissement']} avertissement(s), "
        f"{counts['info']} information(s)"
    )


def exit_if_errors(counts: dict[str, int]) -> None:
    """Exit code 1 when a check found an error: scripts and CI can stop on it."""
    if counts["erreur"]:
        # SystemExit, not typer.Exit: cli.main() runs click with standalone_mode=False, which turns
        # typer.Exit into a return value that main() then drops (exit code 0).
        raise SystemExit(1)


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table; every cell is escaped (data is shown, never interpreted)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def findings_markdown(findings: list[Finding]) -> str:
    headers = ["Gravité", "Code", "Lot", "Message", "Base légale", "Correction"]
    rows = [
        [
            f.severite,
            f.code,
            "plan" if f.lot is None else str(f.lot),
            f.message,
            f.base_legale,
            f.correction or "",
        ]
        for f in findings
    ]
    return markdown_table(headers, rows)
