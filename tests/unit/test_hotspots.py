"""The code hot spots of review/code.md, issue 11 part 6: one euro formatter, one problem collector, the
library reads lots.json, the solver time limit is a parameter."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import lotsmarche
from lotsmarche.errors import InputError, ProblemCollector
from lotsmarche.lotsjson import plan_to_json, read_plan
from lotsmarche.money import eur, pct

PACKAGE = Path(lotsmarche.__file__).resolve().parent


def test_one_euro_formatter() -> None:
    assert eur(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert eur(Decimal("216000"), ht=True) == "216\u202f000,00\u00a0€ HT"
    assert eur(Decimal("40000"), whole=True) == "40\u202f000\u00a0€"
    assert eur(Decimal("12.5"), whole=True) == "12,50\u00a0€"
    assert eur(Decimal("0.2235"), exact=True) == "0,2235\u00a0€"
    assert pct(Decimal("0.125")) == "12,5\u00a0%"


def test_no_module_formats_euros_on_its_own() -> None:
    """babel's format_currency is called in money.py only (the 8 copies of code.md are gone)."""
    callers = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "format_currency" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["money.py"]


def test_one_problem_collector_sorted_bounded_with_the_rest_counted() -> None:
    problems = ProblemCollector(limit=3)
    for row in (9, 2, 5, 7):
        problems.add(f"ligne {row} fausse", fichier="b.csv", ligne=row)
    problems.add("en-tête", fichier="a.csv", ligne=1)
    assert problems.total == 5 and len(problems.problems) == 3
    with pytest.raises(InputError) as info:
        problems.raise_if_any("Demande invalide", order={"a.csv": 0, "b.csv": 1}, shown=2)
    lines = [p.render() for p in info.value.problems]
    assert lines == [
        "b.csv, ligne 2 : ligne 2 fausse",
        "b.csv, ligne 5 : ligne 5 fausse",
        "… et 3 autre(s) problème(s) du même genre",
    ]
    ProblemCollector().raise_if_any("rien")  # nothing collected: nothing raised


def test_intake_has_no_collector_of_its_own() -> None:
    tree = ast.parse((PACKAGE / "intake" / "reader.py").read_text(encoding="utf-8"))
    assert not [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and "roblem" in n.name]


def test_read_plan_names_the_file_in_french(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_plan(tmp_path / "absent.json")
    assert "fichier introuvable" in info.value.lines()[1]
    binary = tmp_path / "lots.json"
    binary.write_bytes(b"\xff\xfe\x00PK")
    with pytest.raises(InputError) as info:
        read_plan(binary)
    assert "UTF-8" in info.value.lines()[1] and "lots.json" in info.value.lines()[1]


def test_read_plan_reads_back_what_was_written(tmp_path: Path) -> None:
    from tests.unit._plan_factory import make_plan

    plan = make_plan()
    path = tmp_path / "lots.json"
    path.write_text(plan_to_json(plan), encoding="utf-8")
    assert read_plan(path) == plan


def test_cli_modules_hold_no_business_wording() -> None:
    """The metrics sentences and the reading of lots.json live in the library, not in cli/."""
    for name in ("lots.py", "dce.py", "check.py"):
        text = (PACKAGE / "cli" / name).read_text(encoding="utf-8")
        assert "def indicator_lines" not in text and "read_text(" not in text, name
        assert "ContextVar" not in text and "time_limit(" not in text, name


def test_the_solver_time_limit_is_a_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    from lotsmarche.lotting import optimal
    from lotsmarche.pipeline import plan_lots

    seen: list[float] = []
    real = optimal.solve_partition

    def spy(instance, k, time_limit=60.0):  # type: ignore[no-untyped-def]
        seen.append(time_limit)
        return real(instance, k, time_limit)

    monkeypatch.setattr(optimal, "solve_partition", spy)
    plan_lots([], strategy="optimal", time_limit=7.5)
    assert seen and set(seen) == {7.5}
