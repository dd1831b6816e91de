"""What every command shares: options, output formats, and the single place errors become messages."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lotsmarche.models import Finding

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


CataloguesOpt = Annotated[
    Path | None,
    typer.Option("--catalogues", help="Dossier de catalogues modifiés (par défaut : catalogues intégrés)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Format de sortie : table, json ou markdown.")]
GroupementOpt = Annotated[
    Path | None, typer.Option("--groupement", help="Fichier groupement.yaml (valeurs par défaut sinon).")
]
SourcingOpt = Annotated[
    Path | None,
    typer.Option("--sourcing", help="Sourçage fournisseurs CSV/XLSX (profils illustratifs intégrés sinon)."),
]


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


def findings_markdown(findings: list[Finding]) -> str:
    lines = ["| Gravité | Code | Lot | Message | Base légale | Correction |", "|---|---|---|---|---|---|"]
    for f in findings:
        lot = str(f.lot) if f.lot is not None else "plan"
        lines.append(
            f"| {f.severite} | {f.code} | {lot} | {md_cell(f.message)} | {md_cell(f.base_legale)} "
            f"| {md_cell(f.correction or '')} |"
        )
    return "\n".join(lines)


def md_cell(text: str) -> str:
    """Escape a value for a markdown table cell (data is never interpreted)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
