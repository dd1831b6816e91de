"""Hostile or clumsy YAML (groupement.yaml, plan YAML, members list, catalogues): exit 2, French, located."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from lotsmarche.errors import CatalogueError, InputError
from lotsmarche.groupement import load_groupement
from lotsmarche.lotting.planfile import load_plan_file
from lotsmarche.resources import catalogues_dir
from lotsmarche.yamlsafe import YamlProblem, load_yaml, quote
from tests.cli._runner import run


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.cli._runner import exit_code

    folder = tmp_path_factory.mktemp("ex") / "ex"
    assert exit_code(["example", "--out", str(folder)]) == 0
    return folder


def _bomb(base: str, key: str) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        text += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    return text + base.replace(f"\n{key}:", f"\n{key}_orig:") + f"\n{key}: *i\n"


@pytest.mark.parametrize("key", ["nom", "membres", "clauses", "contacts"])
def test_alias_bomb_is_refused_at_once(
    example: Path, tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb((example / "groupement.yaml").read_text(encoding="utf-8"), key), encoding="utf-8")
    start = time.monotonic()
    code, _out, err = run(
        ["demand", "check", str(example / "demande.csv"), "--groupement", str(bomb)], capsys
    )
    assert time.monotonic() - start < 10
    assert code == 2
    assert "bomb.yaml" in err and "clé « b[1] » : les alias YAML" in err and "ancre de la ligne 1" in err
    assert len(err) < 2000


def test_impossible_date_in_groupement_is_located(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (example / "groupement.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("date_lancement:"))
    bad = tmp_path / "groupement.yaml"
    bad.write_text(text.replace(lines[number - 1], "date_lancement: 2026-02-30"), encoding="utf-8")
    code, _out, err = run(["demand", "check", str(example / "demande.csv"), "--groupement", str(bad)], capsys)
    assert code == 2, err
    assert f"groupement.yaml : ligne {number}, colonne 17, clé « date_lancement » : « 2026-02-30 »" in err
    assert "n'est pas une date du calendrier" in err


def test_impossible_date_in_plan_yaml_and_members_yaml(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("lots:\n  - intitule: X\n    familles: [poisson]\n    debut: 2026-13-01\n")
    with pytest.raises(InputError) as exc:
        load_plan_file(plan)
    assert "plan.yaml : ligne 4, colonne 12, clé « lots[1].debut » : « 2026-13-01 »" in exc.value.lines()[1]
    from lotsmarche.survey import _members_yaml

    members = tmp_path / "membres.yaml"
    members.write_text("membres:\n  - nom: A\n    depuis: 2026-02-29\n")
    with pytest.raises(InputError) as exc:
        _members_yaml(members)
    assert "membres.yaml : ligne 3, colonne 13, clé « membres[1].depuis »" in exc.value.lines()[1]


def test_impossible_date_in_a_catalogue(tmp_path: Path) -> None:
    from lotsmarche.catalogue import load_catalogue

    folder = tmp_path / "cat"
    shutil.copytree(catalogues_dir(), folder)
    path = folder / "parametres.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nextra_date: 2026-02-31\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(folder)
    assert any("parametres.yaml" in x and "2026-02-31" in x for x in exc.value.lines())


def test_deep_nesting_is_a_french_message(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, text in enumerate(
        [
            "a: " + "[" * 3000,
            "a: " + "[" * 500 + "]" * 500,
            "a:\n" + "".join("  " * d + "- \n" for d in range(1, 2000)),
        ]
    ):
        g = tmp_path / f"g{i}.yaml"
        g.write_text(text)
        code, _out, err = run(
            ["demand", "check", str(example / "demande.csv"), "--groupement", str(g)], capsys
        )
        assert code == 2, err
        assert f"g{i}.yaml" in err and "Erreur interne" not in err


def test_nan_and_inf_are_french(catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = tmp_path / "g.yaml"
    g.write_text("marge_maximum: .nan\ncout_gestion_par_lot: .inf\n")
    with pytest.raises(InputError) as exc:
        load_groupement(g, catalogue)
    text = "\n".join(exc.value.lines())
    assert "Input should" not in text and "nombre fini attendu" in text


def test_long_values_are_quoted_short(catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = tmp_path / "g.yaml"
    g.write_text("acheteur: " + "x" * 100_000 + "\nk_fournisseurs: " + "9" * 5000 + "x\n")
    with pytest.raises(InputError) as exc:
        load_groupement(g, catalogue)
    assert all(len(line) < 400 for line in exc.value.lines())
    assert quote("y" * 200).endswith("…") and len(quote("y" * 200)) == 80


def test_unknown_key_suggests_the_closest(catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = tmp_path / "g.yaml"
    g.write_text("durée:\n  periode_initiale_mois: 12\nmembres:\n  - nmo: A\n    nom: A\n")
    with pytest.raises(InputError) as exc:
        load_groupement(g, catalogue)
    text = "\n".join(exc.value.lines())
    assert "champ « durée » : champ inconnu (faute de frappe ?) ; vouliez-vous dire « duree » ?" in text
    assert (
        "champ « membres[1].nmo » : champ inconnu (faute de frappe ?) ; vouliez-vous dire « nom » ?" in text
    )


def test_yaml_tree_checks() -> None:
    assert load_yaml("a: 2026-01-02\nb: [1, {c: 2}]")[1] == {
        "a": __import__("datetime").date(2026, 1, 2),
        "b": [1, {"c": 2}],
    }
    assert load_yaml("") == (None, None)
    with pytest.raises(YamlProblem) as exc:
        load_yaml("a: &x 1\nb: *x\n")
    assert exc.value.key == "b"
    with pytest.raises(YamlProblem) as exc:
        load_yaml("a: [\n")
    assert exc.value.text().startswith("syntaxe YAML invalide (ligne 2, colonne 1)")
