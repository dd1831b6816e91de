"""Access to the data shipped inside the package (catalogues, templates, examples, schemas).

In the wheel they live under ``lotsmarche/<name>`` (hatch force-include); in a source checkout they sit at
the top of the repository, where lawyers and buyers find them. Both are handled here and only here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_ROOT_NAMES = ("catalogues", "templates", "examples", "schemas")


def data_dir(name: str) -> Path:
    """Folder of packaged data ``name`` (one of catalogues, templates, examples, schemas)."""
    if name not in _ROOT_NAMES:
        raise ValueError(name)
    packaged = Path(str(resources.files("lotsmarche"))) / name
    if packaged.is_dir():
        return packaged
    # Source checkout (editable install or tests run from the tree): src/lotsmarche/../../<name>
    source = Path(__file__).resolve().parent.parent.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"données du paquet introuvables : {name}")


def catalogues_dir() -> Path:
    return data_dir("catalogues")


def templates_dir() -> Path:
    return data_dir("templates")


def examples_dir() -> Path:
    return data_dir("examples")


def schemas_dir() -> Path:
    return data_dir("schemas")
