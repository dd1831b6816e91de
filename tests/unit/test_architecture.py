"""docs/ARCHITECTURE.md stays true: every module listed, no import cycle, no import of the CLI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import lotsmarche
from lotsmarche.lotting.strategies import STRATEGY_REGISTRY, LazyStrategy

PACKAGE = Path(lotsmarche.__file__).resolve().parent
# The document sits in the repository beside the tests (the package itself may be installed elsewhere).
DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


# Packaged data (the wheel force-includes these folders; templates/ holds its builder scripts): not code.
_DATA_FOLDERS = {"catalogues", "templates", "examples", "schemas"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in _DATA_FOLDERS:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(name: str, path: Path) -> set[str]:
    """Every lotsmarche module ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {_resolve(a.name) for a in node.names if a.name.startswith("lotsmarche")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent) + (f".{base}" if base else "")
            if base.startswith("lotsmarche"):
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    out.add(full if full in MODULES else _resolve(base))
    out.discard(name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# Cycles known and listed as debt in docs/ARCHITECTURE.md (« Import debt »); any other one fails.
KNOWN_CYCLES = [
    # the routes import request helpers from web/app.py, which registers the routes inside create_app
    {"lotsmarche.web.app", "lotsmarche.web.routes.api", "lotsmarche.web.routes.auth"}
    | {"lotsmarche.web.routes.consultations", "lotsmarche.web.routes.membre"},
    # verify_dce runs the published-text controls, which reuse verify's readers
    {"lotsmarche.render.verify", "lotsmarche.render.checks_texts"},
]


def test_no_import_cycle_even_through_function_level_imports() -> None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    new = [c for c in _cycles(graph) if not any(set(c) <= known for known in KNOWN_CYCLES)]
    assert new == []


def test_the_library_never_imports_the_cli() -> None:
    offenders = [
        name
        for name, path in MODULES.items()
        if not name.startswith("lotsmarche.cli") and name != "lotsmarche.__main__"
        if any(m.startswith("lotsmarche.cli") for m in _imports(name, path))
    ]
    assert offenders == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.skipif(not DOC.is_file(), reason="docs absent (installed package only)")
def test_every_module_is_listed_in_the_architecture_document() -> None:
    text = DOC.read_text(encoding="utf-8")
    layout = text[text.index("## Layout") :]
    layout = layout[: layout.index("\n## ", 1)]
    missing = [
        rel
        for path in MODULES.values()
        if not re.search(
            rf"(^|[\s,]){re.escape(rel := path.relative_to(PACKAGE).as_posix())}([\s,]|$)", layout, re.M
        )
    ]
    assert not missing, f"modules absents de docs/ARCHITECTURE.md (section Layout) : {missing}"
    block = layout[layout.index("src/lotsmarche/") : layout.index("\ncatalogues/")]
    listed = set(re.findall(r"(?:^|[\s,])((?:[a-z_]+/)*[a-z_]+\.py)(?=[\s,]|$)", block, re.M))
    gone = sorted(p for p in listed if not (PACKAGE / p).is_file())
    assert not gone, f"docs/ARCHITECTURE.md cite des modules qui n'existent plus : {gone}"


def test_strategies_loaded_by_name_are_the_ones_registered() -> None:
    lazy = {n: s for n, s in STRATEGY_REGISTRY.items() if isinstance(s, LazyStrategy)}
    assert {"capacite", "optimal"} <= set(lazy)
    for name, strategy in lazy.items():
        assert strategy.load().name == name
    capacite = lazy["capacite"].load()
    assert (capacite.libelle, capacite.description) == (
        lazy["capacite"].libelle,
        lazy["capacite"].description,
    )
