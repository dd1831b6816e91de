"""Writing the exports: a file or a whole folder appears complete under its final name, or not at all.

An existing output is never replaced without ``force`` (OutputExistsError naming it); a replaced folder is
swapped in one step (:func:`lotsmarche.atomic.replace_dir`), so a reader never sees a mix of old and new
files. An output that is, or holds, one of the inputs is refused (:func:`lotsmarche.atomic.check_apart`):
replacing it would delete the user's file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from lotsmarche.atomic import check_apart, replace_dir, temp_dir, write_bytes
from lotsmarche.errors import OutputExistsError, Problem


def refuse_existing(out: Path, force: bool, inputs: Iterable[Path | None] = ()) -> None:
    check_apart([out], inputs)
    if out.exists() and not force:
        what = "dossier" if out.is_dir() else "fichier"
        raise OutputExistsError(
            f"Le {what} de sortie existe déjà : {out}",
            [Problem("ajoutez --force pour le remplacer, ou choisissez un autre nom", fichier=str(out))],
        )


def write_file(out: Path, data: bytes, force: bool = False, inputs: Iterable[Path | None] = ()) -> Path:
    refuse_existing(out, force, inputs)
    if out.is_dir():
        raise OutputExistsError(
            f"Un dossier porte déjà ce nom : {out}",
            [Problem("choisissez un nom de fichier", fichier=str(out))],
        )
    write_bytes(out, data, replace=force)
    return out


def write_folder(
    out: Path, files: dict[str, bytes], force: bool = False, inputs: Iterable[Path | None] = ()
) -> list[Path]:
    """Write ``files`` (relative path -> bytes) as the folder ``out``, replacing it only with ``force``."""
    inputs = list(inputs)
    refuse_existing(out, force, inputs)
    out = Path(out)
    tmp = temp_dir(out.parent if str(out.parent) else Path(), out.name)
    try:
        for name, data in sorted(files.items()):
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        replace_dir(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in sorted(files)]
