"""The third-party schemas shipped under ``schemas/`` (``schemas/SOURCES.md``), loaded and applied offline.

* DECP v2.0.3 (JSON Schema draft 7): one validator for a whole ``{"marches": {"marche": [...]}}`` document,
  and one for a single record (the ``marche`` definition, references resolved inside the same document).
* OCDS 1.1: the release schema with the lots and sustainability extensions applied as JSON Merge Patches
  (RFC 7386, :func:`merge_patch`), then the release-package schema whose ``releases`` items point at it.
* ma-cantine: the purchase-import Table Schema (frictionless), read as data by :mod:`lotsmarche.macantine`.

Errors come back as plain French strings naming the JSON path: callers turn them into problems.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from lotsmarche.resources import schemas_dir

DECP_SCHEMA = "decp/schema_decp_v2.0.3.json"
OCDS_RELEASE = "ocds/release-schema.json"
OCDS_PACKAGE = "ocds/release-package-schema.json"
OCDS_EXTENSIONS = (
    "ocds/lots-extension-release-schema.json",
    "ocds/sustainability-extension-release-schema.json",
)
MACANTINE_ACHATS = "macantine/achats_siret.json"


def schema_path(name: str) -> Path:
    return schemas_dir() / name


@lru_cache(maxsize=8)
def _load(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the shipped schema ``name`` (relative to ``schemas/``)."""
    data = json.loads(_load(name))
    assert isinstance(data, dict)
    return data


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: ``patch`` applied to ``target`` (neither is modified).

    An object patch merges key by key, a ``null`` value removes the key, anything else replaces the target.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result: dict[str, Any] = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def ocds_release_schema() -> dict[str, Any]:
    """The OCDS 1.1 release schema with the lots and sustainability extensions merged in."""
    schema: dict[str, Any] = load_schema(OCDS_RELEASE)
    for name in OCDS_EXTENSIONS:
        schema = merge_patch(schema, load_schema(name))
    return schema


def _path(error: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".") or "(racine)"


def _messages(errors: Any) -> list[str]:
    found = sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{_path(e)} : {e.message}" for e in found]


@lru_cache(maxsize=1)
def _ocds_validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = ocds_release_schema()
    package = load_schema(OCDS_PACKAGE)
    registry: Registry[Any] = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def validate_ocds_package(package: dict[str, Any]) -> list[str]:
    """Problems of an OCDS release package against the shipped schemas (empty list: valid)."""
    return _messages(_ocds_validator().iter_errors(package))


@lru_cache(maxsize=1)
def _decp_validators() -> tuple[Any, Any]:
    import jsonschema

    schema = load_schema(DECP_SCHEMA)
    whole = jsonschema.Draft7Validator(schema)
    # One record: a reference to the "marche" definition, the definitions kept for "#/definitions/..." refs.
    one = jsonschema.Draft7Validator({"$ref": "#/definitions/marche", "definitions": schema["definitions"]})
    return whole, one


def validate_decp_document(document: dict[str, Any]) -> list[str]:
    """Problems of a whole DECP document ``{"marches": {"marche": [...]}}`` (empty list: valid)."""
    return _messages(_decp_validators()[0].iter_errors(document))


def validate_decp_record(record: dict[str, Any]) -> list[str]:
    """Problems of one DECP ``marche`` record (empty list: valid)."""
    return _messages(_decp_validators()[1].iter_errors(record))


def decp_required_fields() -> list[str]:
    """The fields the DECP schema requires of a ``marche`` record, in the schema's order."""
    required = load_schema(DECP_SCHEMA)["definitions"]["marche"]["required"]
    return [str(f) for f in required]
