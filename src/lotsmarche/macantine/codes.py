"""ma-cantine codes: families, EGALIM characteristics and the purchase-import Table Schema.

The codes are read from the shipped Table Schema (``schemas/macantine/achats_siret.json``): the enumeration
of ``famille_produits`` and of ``categories_egalim`` (``doc_enum``), so lotsmarche follows ma-cantine's file
rather than a copy of its lists. A catalogue label maps to its own code, or to ``Label.code_macantine``
(e.g. HVE level 2 → ``HVE``); labels that ma-cantine does not know as EGALIM (MSC, FRANCE…) map to nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.export.schemas import MACANTINE_ACHATS, load_schema

FAMILLES_FIELD = "famille_produits"
CATEGORIES_FIELD = "categories_egalim"


@lru_cache(maxsize=1)
def achats_schema() -> dict[str, Any]:
    """The ma-cantine purchase-import Table Schema (import by SIRET)."""
    return load_schema(MACANTINE_ACHATS)


def schema_field(name: str) -> dict[str, Any]:
    for entry in achats_schema()["fields"]:
        if entry["name"] == name:
            return dict(entry)
    raise KeyError(name)


def field_names() -> list[str]:
    """The import columns, in the schema's order."""
    return [str(f["name"]) for f in achats_schema()["fields"]]


def familles() -> tuple[str, ...]:
    return tuple(schema_field(FAMILLES_FIELD)["doc_enum"])


def caracteristiques() -> tuple[str, ...]:
    """The EGALIM characteristics ma-cantine's import accepts (BIO, LABEL_ROUGE, … PERFORMANCE)."""
    return tuple(schema_field(CATEGORIES_FIELD)["doc_enum"])


def label_code(label: str, cat: Catalogue) -> str | None:
    """The ma-cantine characteristic of a catalogue label code, or None when ma-cantine has none."""
    entry = cat.labels.get(label)
    code = (entry.code_macantine or entry.code) if entry is not None else label
    return code if code in caracteristiques() else None


def item_caracteristiques(labels: list[str], cat: Catalogue) -> list[str]:
    """The ma-cantine EGALIM characteristics of the labels a line requires, sorted, without duplicates."""
    return sorted({c for c in (label_code(lab, cat) for lab in labels) if c is not None})


def validate_import_row(row: dict[str, str]) -> list[tuple[str, str]]:
    """Problems of one import row against the Table Schema: (column, French message) pairs.

    Implements what the schema uses: ``constraints.required``, ``constraints.pattern`` (the whole value),
    and the types ``date`` (with its ``format``), ``number``, ``boolean`` (``trueValues``/``falseValues``),
    ``string`` and ``any``. Columns absent from the schema are reported too.
    """
    import re
    from datetime import datetime

    problems: list[tuple[str, str]] = []
    fields = {f["name"]: f for f in achats_schema()["fields"]}
    for name in row:
        if name not in fields:
            problems.append((name, "colonne absente du schéma d'import ma-cantine"))
    for name, spec in fields.items():
        value = row.get(name, "")
        constraints = spec.get("constraints", {})
        if value == "":
            if constraints.get("required"):
                problems.append((name, "valeur obligatoire manquante"))
            continue
        pattern = constraints.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            problems.append((name, f"valeur non admise par ma-cantine (lu : « {value} »)"))
        kind = spec.get("type")
        if kind == "date":
            fmt = spec.get("format", "%Y-%m-%d")
            try:
                datetime.strptime(value, fmt if fmt != "default" else "%Y-%m-%d")
            except ValueError:
                problems.append((name, f"date au format {fmt} attendue (lu : « {value} »)"))
        elif kind == "number":
            if not re.fullmatch(r"-?\d+(\.\d+)?", value):
                problems.append((name, f"nombre avec un point décimal attendu (lu : « {value} »)"))
        elif kind == "boolean" and value not in [*spec.get("trueValues", []), *spec.get("falseValues", [])]:
            problems.append((name, f"valeur booléenne non reconnue (lu : « {value} »)"))
    return problems
