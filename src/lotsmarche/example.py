"""The bundled Boulonnais example: copy its input files into a folder the user can edit.

The example (``examples/boulonnais/``) is the seafood buying group of the Pas-de-Calais food plan
(objective 9.1): ``groupement.yaml``, ``demande.csv``, the suppliers' filled questionnaires
(``fournisseurs/profil_a.xlsx`` … ``profil_l.xlsx``), their merge ``sourcing.csv`` and ``LISEZMOI.md``. The
files are derived by ``tools/build_example.py`` and ``tools/build_questionnaires.py``; this module only
ships them.

Writing is all-or-nothing: every file is first written into a temporary folder next to its final place,
then renamed. An existing file is never replaced unless ``force`` is true.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lotsmarche.atomic import temp_dir
from lotsmarche.errors import OutputExistsError, Problem, RenderError
from lotsmarche.resources import examples_dir

EXAMPLE_NAME = "boulonnais"
# The files of the example, in the order a user reads them. Listed explicitly so that a stray file in the
# source tree (editor backup, .DS_Store) is never shipped to users.
SUPPLIERS = "fournisseurs"  # folder of the suppliers' filled questionnaires (the default sourcing of `run`)
EXAMPLE_FILES: tuple[str, ...] = (
    "LISEZMOI.md",
    "groupement.yaml",
    "demande.csv",
    "sourcing.csv",
    *(f"{SUPPLIERS}/profil_{letter}.xlsx" for letter in "abcdefghijkl"),
)


def example_source_dir() -> Path:
    """Folder of the packaged example (inside the wheel, or at the top of a source checkout)."""
    try:
        folder = examples_dir() / EXAMPLE_NAME
    except FileNotFoundError as exc:
        raise RenderError(
            "Exemple intégré introuvable",
            [Problem("le dossier « examples » du paquet est absent : réinstallez lotsmarche.")],
        ) from exc
    missing = [name for name in EXAMPLE_FILES if not (folder / name).is_file()]
    if missing:
        raise RenderError(
            "Exemple intégré incomplet",
            [Problem(f"fichier absent de l'exemple intégré : {n}", fichier=str(folder)) for n in missing],
        )
    return folder


def write_example(out: Path, force: bool = False) -> list[Path]:
    """Write the example files into folder ``out`` (created if needed) and return their paths.

    Raises ``OutputExistsError`` when one of the files already exists and ``force`` is false (then nothing
    is written), ``RenderError`` when the folder cannot be written (then no file of the example is left
    half-written).
    """
    source = example_source_dir()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(
            "Le dossier de sortie existe déjà sous la forme d'un fichier",
            [Problem("choisissez un dossier (existant ou non) pour --out.", fichier=str(out))],
        )
    targets = [out / name for name in EXAMPLE_FILES]
    if not force:
        existing = [t for t in targets if t.exists()]
        if existing:
            raise OutputExistsError(
                "Des fichiers de l'exemple existent déjà dans le dossier de sortie",
                [
                    Problem("ce fichier existe déjà ; utilisez --force pour le remplacer.", fichier=str(t))
                    for t in existing
                ],
            )
    try:
        if out.is_dir():
            _write_into_existing(source, out)
        else:
            _write_new_folder(source, out)
    except OSError as exc:
        raise RenderError(
            "Impossible d'écrire l'exemple",
            [Problem(f"{exc.strerror or exc} : aucun fichier n'a été écrit.", fichier=str(out))],
        ) from exc
    return targets


def _write_new_folder(source: Path, out: Path) -> None:
    """Fill a temporary sibling folder, then rename it: the folder appears complete or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir(out.parent, out.name)
    try:
        for name in EXAMPLE_FILES:
            (tmp / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(source / name, tmp / name)
        (tmp / SUPPLIERS).chmod(0o755)
        # mkdtemp creates 0o700; the user's example folder gets the usual permissions of a folder.
        tmp.chmod(0o755)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_into_existing(source: Path, out: Path) -> None:
    """Copy every file into a temporary folder inside ``out``, then rename each into place."""
    tmp = temp_dir(out, "lotsmarche-exemple")
    try:
        for name in EXAMPLE_FILES:
            (tmp / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(source / name, tmp / name)
        (out / SUPPLIERS).mkdir(exist_ok=True)
        # All copies succeeded: the renames below are atomic and cannot fail for lack of space.
        for name in EXAMPLE_FILES:
            (tmp / name).replace(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
