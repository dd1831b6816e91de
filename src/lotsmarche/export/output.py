"""Writing the exports: a file or a whole folder appears complete under its final name, or not at all.

An existing output is never replaced without ``force`` (OutputExistsError naming it); a replaced folder is
swapped in one rename, so a reader never sees a mix of old and new files.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from lotsmarche.atomic import temp_dir, write_bytes
from lotsmarche.errors import OutputExistsError, Problem


def refuse_existing(out: Path, force: bool) -> None:
    if out.exists() and not force:
        what = "dossier" if out.is_dir() else "fichier"
        raise OutputExistsError(
            f"Le {what} de sortie existe déjà : {out}",
            [Problem("ajoutez --force pour le remplacer, ou choisissez un autre nom", fichier=str(out))],
        )


def write_file(out: Path, data: bytes, force: bool = False) -> Path:
    refuse_existing(out, force)
    if out.is_dir():
        raise OutputExistsError(
            f"Un dossier porte déjà ce nom : {out}",
            [Problem("choisissez un nom de fichier", fichier=str(out))],
        )
    write_bytes(out, data)
    return out


def write_folder(out: Path, files: dict[str, bytes], force: bool = False) -> list[Path]:
    """Write ``files`` (relative path -> bytes) as the folder ``out``, replacing it only with ``force``."""
    refuse_existing(out, force)
    out = Path(out)
    tmp = temp_dir(out.parent if str(out.parent) else Path(), out.name)
    try:
        for name, data in sorted(files.items()):
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in sorted(files)]


def _swap(tmp: Path, out: Path) -> None:
    if not out.exists():
        tmp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    if old.is_dir():
        shutil.rmtree(old)
    else:
        old.unlink()
