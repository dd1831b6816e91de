"""The lot plan on disk: ``lots.json`` (JSON Schema in ``schemas/lots.schema.json``) and ``lots.xlsx``.

``lots.json`` is byte-stable: pydantic's JSON mode (Decimal and dates as strings), sorted keys, UTF-8, two
spaces, final newline. ``lots.xlsx`` is built by :mod:`lotsmarche.lotsxlsx`. Files are written to a
temporary name in the target folder and renamed, so a failure never leaves half a file; an existing file
is only replaced with ``force``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lotsmarche.atomic import write_bytes
from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.lotsxlsx import lots_workbook_bytes, write_lots_xlsx
from lotsmarche.models import SCHEMA_VERSION, LotPlan

__all__ = [
    "check_outputs",
    "lots_json_schema",
    "lots_workbook_bytes",
    "plan_from_json",
    "plan_to_json",
    "read_plan",
    "save_plan",
    "schema_text",
    "write_lots_xlsx",
]

SCHEMA_ID = "https://lotsmarche.example/schemas/lots.schema.json"


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def plan_to_json(plan: LotPlan) -> str:
    """The canonical text of lots.json."""
    data = plan.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def plan_from_json(text: str, source_name: str) -> LotPlan:
    """Read lots.json; InputError naming the file and the JSON path of each bad field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            "Fichier lots.json illisible",
            [
                Problem(
                    f"JSON invalide : {_json_reason(exc.msg)} (colonne {exc.colno}) ; un fichier lots.json "
                    "produit par « lotsmarche lots » est attendu",
                    fichier=source_name,
                    ligne=exc.lineno,
                )
            ],
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            "Fichier lots.json invalide", [Problem("un objet JSON est attendu", fichier=source_name)]
        )
    found = data.get("schema_version")
    if found != SCHEMA_VERSION:
        raise InputError(
            "Version de lots.json non prise en charge",
            [
                Problem(
                    f"schema_version vaut {json.dumps(found, ensure_ascii=False)} ; cette version de "
                    f"lotsmarche lit la version « {SCHEMA_VERSION} ». Régénérez le fichier avec "
                    "« lotsmarche lots ».",
                    fichier=source_name,
                    colonne="schema_version",
                )
            ],
        )
    try:
        return LotPlan.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(f"{_french_error(err)}", fichier=source_name, colonne=json_path(err["loc"]))
            for err in exc.errors()[:50]
        ]
        raise InputError("Fichier lots.json invalide", problems) from exc


def read_plan(path: Path) -> LotPlan:
    """The lot plan of file ``path`` (lots.json); InputError naming the file when unreadable or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem("fichier introuvable", fichier=str(path))
        raise InputError("Plan de lots illisible", [problem]) from None
    except IsADirectoryError:
        problem = Problem("c'est un dossier : indiquez le fichier lots.json", fichier=str(path))
        raise InputError("Plan de lots illisible", [problem]) from None
    except (OSError, UnicodeDecodeError):
        message = (
            "fichier illisible : un fichier lots.json (texte UTF-8) produit par « lotsmarche lots » "
            "est attendu"
        )
        raise InputError("Plan de lots illisible", [Problem(message, fichier=str(path))]) from None
    return plan_from_json(text, path.name)


_JSON_REASONS = {
    "Expecting value": "valeur attendue (ce fichier n'est peut-être pas du JSON : un CSV, un classeur ?)",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets droits attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Unterminated string starting at": "texte entre guillemets non fermé",
    "Invalid control character at": "caractère de contrôle interdit dans un texte",
    "Extra data": "données en trop après la fin du document",
    "Invalid \\escape": "séquence d'échappement « \\ » invalide",
    "Invalid \\uXXXX escape": "séquence « \\uXXXX » invalide",
}


def _json_reason(msg: str) -> str:
    """The French reason for a ``json.JSONDecodeError`` message."""
    for english, french in _JSON_REASONS.items():
        if msg.startswith(english):
            return french
    return "syntaxe incorrecte"


def json_path(loc: tuple[int | str, ...]) -> str:
    """``('lots', 2, 'items', 0, 'quantite_annuelle')`` -> ``lots[2].items[0].quantite_annuelle``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(racine)"


def _french_error(err: Any) -> str:
    kind = str(err.get("type", ""))
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return "champ inconnu"
    if kind.startswith("decimal"):
        return "montant ou quantité décimal attendu"
    if kind.startswith("int"):
        return "nombre entier attendu"
    if kind.startswith("date"):
        return "date AAAA-MM-JJ attendue"
    if kind == "literal_error":
        return "valeur non autorisée"
    if kind.startswith(("string", "str")):
        return "texte attendu"
    if kind.startswith(("list", "dict", "model")):
        return "structure incorrecte"
    return "valeur invalide"


DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _schema_generator() -> type[Any]:
    from pydantic.json_schema import GenerateJsonSchema

    class DecimalStrings(GenerateJsonSchema):
        """Decimals are written as plain decimal strings: say so with our own pattern, the same whatever
        the pydantic version (their generated pattern changed between 2.13 and 2.14)."""

        def decimal_schema(self, schema: Any) -> dict[str, Any]:
            return {"type": "string", "pattern": DECIMAL_PATTERN}

    return DecimalStrings


def lots_json_schema() -> dict[str, Any]:
    """JSON Schema of lots.json, as committed in ``schemas/lots.schema.json``."""
    schema = LotPlan.model_json_schema(mode="serialization", schema_generator=_schema_generator())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = f"lotsmarche — plan d'allotissement (lots.json), version {SCHEMA_VERSION}"
    schema["description"] = (
        "Plan d'allotissement produit par « lotsmarche lots » : groupement, date de lancement, durée, "
        "ligne de seuils appliquée, lots (articles, répartition par membre et par site, montants annuels, "
        "estimés sur la durée, minimum et maximum de l'accord-cadre à bons de commande, procédure et motifs, "
        "fournisseurs du sourçage capables de servir chaque lot), totaux, procédure d'ensemble et part des "
        "lots dérogatoires. Montants HT en euros, écrits comme des chaînes décimales (« 1234.50 ») ; dates "
        "AAAA-MM-JJ."
    )
    return schema


def schema_text() -> str:
    return json.dumps(lots_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def check_outputs(paths: list[Path], force: bool) -> None:
    """OutputExistsError listing the outputs that exist, unless ``force``."""
    if force:
        return
    existing = [p for p in paths if p.exists()]
    if existing:
        raise OutputExistsError(
            "Fichier de sortie déjà présent",
            [
                Problem("le fichier existe déjà ; ajoutez --force pour le remplacer", fichier=str(p))
                for p in existing
            ],
        )


def save_plan(plan: LotPlan, out_json: Path, out_xlsx: Path | None = None, force: bool = False) -> list[Path]:
    """Write lots.json (and lots.xlsx): both are prepared in memory first, then each renamed into place."""
    targets = [out_json] + ([out_xlsx] if out_xlsx is not None else [])
    check_outputs(targets, force)
    payloads = [plan_to_json(plan).encode("utf-8")]
    if out_xlsx is not None:
        payloads.append(lots_workbook_bytes(plan))
    for path, data in zip(targets, payloads, strict=True):
        write_bytes(path, data, replace=force)  # without force, a file that appeared meanwhile stays
    return targets
