"""The built-in catalogues and Word templates, copied into a folder for a buyer to edit.

``write_builtins(out)`` writes ``out/catalogues/`` (every YAML and CSV file the loader reads),
``out/templates/`` (the five .docx templates) and ``out/LISEZMOI.md`` (how to use them:
``--catalogues out/catalogues``, ``--templates out/templates``, and the two checks). The folder appears
whole or not at all: it is filled beside its final place, then renamed. An existing folder is replaced only
with ``force``, and only if it holds nothing but a previous export (so that ``--force`` on a wrong path never
deletes a user's files); the old export survives any failure of the replacement.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lotsmarche.atomic import temp_dir
from lotsmarche.errors import OutputExistsError, Problem, RenderError
from lotsmarche.resources import catalogues_dir, templates_dir

CATALOGUE_SUFFIXES = (".yaml", ".csv")
TEMPLATE_SUFFIXES = (".docx",)
README = "LISEZMOI.md"
TOP_LEVEL = frozenset({README, "catalogues", "templates"})


def builtin_files() -> list[tuple[str, Path]]:
    """(relative target path, source file) of every built-in data file a buyer may edit, sorted."""
    files: list[tuple[str, Path]] = []
    for folder, source, suffixes in (
        ("catalogues", catalogues_dir(), CATALOGUE_SUFFIXES),
        ("templates", templates_dir(), TEMPLATE_SUFFIXES),
    ):
        files += [
            (f"{folder}/{path.name}", path)
            for path in sorted(source.iterdir())
            if path.is_file() and path.suffix in suffixes
        ]
    return files


def readme_text(files: list[str]) -> str:
    """The LISEZMOI.md of an export: what each folder is for and the commands that use and check it."""
    listing = "\n".join(f"- `{name}`" for name in files)
    return (
        "# Catalogues et modèles de lotsmarche, à modifier\n\n"
        "Ce dossier contient une copie des catalogues de référence (produits, conditionnements, labels, "
        "seuils, clauses, règles…) et des modèles Word du DCE intégrés à lotsmarche. Modifiez-les, puis "
        "indiquez-les aux commandes :\n\n"
        "```\n"
        "lotsmarche catalogue check --catalogues catalogues\n"
        "lotsmarche dce --check-templates --templates templates\n"
        "lotsmarche run recensement.xlsx --catalogues catalogues --templates templates --out dce\n"
        "```\n\n"
        "Chaque fichier YAML commence par `version` (date de vérification des données) et `sources` ; "
        "gardez-les à jour quand vous modifiez une valeur. Un modèle Word absent du dossier `templates` "
        "est remplacé par le modèle intégré.\n\n"
        f"Fichiers :\n\n{listing}\n"
    )


def _is_previous_export(folder: Path) -> bool:
    return all(child.name in TOP_LEVEL for child in folder.iterdir())


def _check_target(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputExistsError(
            "La sortie existe déjà sous la forme d'un fichier",
            [Problem("choisissez un dossier (qui n'existe pas encore) pour --out.", fichier=str(out))],
        )
    if not any(out.iterdir()):
        return
    if not force:
        raise OutputExistsError(
            "Le dossier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer, ou choisissez un autre dossier.", fichier=str(out))],
        )
    if not _is_previous_export(out):
        raise OutputExistsError(
            "Le dossier de sortie contient d'autres fichiers qu'un export de lotsmarche",
            [
                Problem(
                    "--force ne remplace qu'un dossier écrit par « lotsmarche catalogue export » "
                    "(LISEZMOI.md, catalogues/, templates/) : choisissez un autre dossier.",
                    fichier=str(out),
                )
            ],
        )


def write_builtins(out: Path, force: bool = False) -> list[Path]:
    """Write the built-in catalogues and templates into the new folder ``out``; return the files written."""
    out = Path(out)
    _check_target(out, force)
    files = builtin_files()
    names = [name for name, _ in files]
    try:
        tmp = temp_dir(out.parent if str(out.parent) else Path(), out.name)
    except OSError as exc:
        raise RenderError(
            "Impossible d'écrire l'export",
            [Problem(f"{exc.strerror or exc} : aucun fichier n'a été écrit.", fichier=str(out))],
        ) from exc
    try:
        for name, source in files:
            (tmp / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(source, tmp / name)
        (tmp / README).write_text(readme_text(names), encoding="utf-8")
        _swap(tmp, out)
    except OSError as exc:
        raise RenderError(
            "Impossible d'écrire l'export",
            [Problem(f"{exc.strerror or exc} : le dossier n'a pas été modifié.", fichier=str(out))],
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out / README, *(out / name for name in names)]


def _swap(tmp: Path, out: Path) -> None:
    """Put the filled ``tmp`` in place of ``out``; an old ``out`` is moved aside, and back on failure."""
    if not out.exists():
        tmp.rename(out)
        return
    aside = temp_dir(out.parent if str(out.parent) else Path(), out.name, suffix=".ancien")
    aside.rmdir()
    out.rename(aside)
    try:
        tmp.rename(out)
    except BaseException:
        aside.rename(out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
