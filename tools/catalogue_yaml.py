"""Shared helpers of the catalogue generators: stable YAML output (Decimal as plain numbers, dates bare).

The generators in this folder write ``catalogues/produits_*.yaml`` from compact tables. The YAML they write
is the reference: edit the tables and re-run (``python tools/build_produits_mer.py``), or edit the YAML by
hand and stop using the generator; the loader validates either way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VERSION = "2026-11-28"
PRICE_DATE = date(2026, 11, 1)
ESTIMATE_SOURCE = "estimation lotsmarche (ordre de grandeur 2026)"
TRANSFORMED = "produit transformé ou surgelé : disponible toute l'année"
GRID_SOURCE = "RULES.md §15.5, grille de saisonnalité Boulogne / Manche Est – mer du Nord sud"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # repeated dates must stay readable, not &id001 anchors
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Codes made of digits (INSEE series, postcodes) are quoted so that nobody reads them as numbers.
    style = '"' if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    short = all(isinstance(v, int | Decimal) or (isinstance(v, str) and len(v) < 40) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    flow = bool(value) and all(isinstance(v, Decimal) for v in value.values())  # conversions: {colis: 5}
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)


def months_of(grid: str) -> list[int]:
    """Months marked H (best) or o (available) in a 12-cell grid; '.' (scarce) and 'x' (closed) excluded."""
    cells = grid.split()
    if len(cells) != 12 or any(c not in "Ho.x" for c in cells):
        raise ValueError(grid)
    return [i + 1 for i, c in enumerate(cells) if c in ("H", "o")]


def write(name: str, sources: list[str], entries: list[dict[str, Any]], comment: str = "") -> Path:
    codes = [e["code"] for e in entries]
    if len(codes) != len(set(codes)):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise SystemExit(f"codes en double : {dup}")
    body = yaml.dump(
        {"version": VERSION, "sources": sources, "entries": entries},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=120,
        default_flow_style=False,
    )
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    path = ROOT / "catalogues" / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(head + body, encoding="utf-8")
    tmp.replace(path)
    return path
