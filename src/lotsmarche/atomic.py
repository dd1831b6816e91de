"""Atomic outputs: a file or folder appears whole under its final name, or not at all.

Temporary files and folders are created next to the target (same file system, so the final rename is
atomic) and then given the permissions the user's umask asks for: ``mkstemp``/``mkdtemp`` create them
readable by their owner only, which would surprise a buyer sharing a DCE folder.

Their names are short whatever the target's (``.NAME40.PID.xxxxxxxx.tmp``: a 250-character output name
stays legal) and carry the id of the process that made them, so the next run removes those a killed
process left behind (:func:`clean_stale`) without touching a concurrent run's.

:func:`replace_dir` is the last step of every folder output: under a lock on the parent folder, it
refuses an output that appeared meanwhile (two runs started together without ``--force``), or swaps
the new folder with the old one in one step (``renameat2`` on Linux; elsewhere the old one is moved
aside and put back if the new one cannot take its name) and only then deletes the old one.
:func:`check_apart` refuses an output that is, or holds, one of the inputs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from lotsmarche.errors import InputError, OutputExistsError, Problem

_KEEP = 40  # characters of the target's name kept in a temporary name
_STALE = re.compile(r"^\.(?P<name>.*)\.(?P<pid>\d+)\.[^.]+\.(?:tmp|old)$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _prefix(name: str) -> str:
    return f".{name[:_KEEP]}.{os.getpid()}."


def write_bytes(out: Path, data: bytes, *, replace: bool = True) -> None:
    """Write ``data`` to ``out`` atomically (temporary file in the same folder, then rename).

    With ``replace`` false, the final step fails (:class:`OutputExistsError`) if ``out`` appeared
    meanwhile: the file is hard-linked under its name, which the system refuses for an existing name.
    """
    folder = out.parent if str(out.parent) else Path()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(out.name), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).chmod(0o666 & ~_umask())
        if replace:
            Path(tmp).replace(out)
            return
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise _exists(out) from None
        except OSError:  # no hard links on this file system: check, then rename
            if out.exists():
                raise _exists(out) from None
            Path(tmp).replace(out)
            return
        Path(tmp).unlink()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def temp_dir(parent: Path, name: str, suffix: str = ".tmp") -> Path:
    """A new hidden working folder beside ``parent/name``, with the usual permissions.

    Leftovers of killed runs beside the same target are removed first (:func:`clean_stale`).
    """
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent, name)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(name), suffix=suffix, dir=parent))
    tmp.chmod(0o777 & ~_umask())
    return tmp


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or cannot tell: keep its folder
    return True


def clean_stale(parent: Path, name: str) -> list[Path]:
    """Remove the temporary files and folders beside ``parent/name`` whose process no longer runs."""
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = _STALE.match(entry.name)
        if not found or found.group("name") != name[:_KEEP] or _alive(int(found.group("pid"))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (POSIX ``flock`` on the folder itself: no lock file to leave)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock, the existence check still runs just before the rename
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _exists(out: Path) -> OutputExistsError:
    return OutputExistsError(
        f"Le dossier de sortie existe déjà : {out}",
        [Problem("ajoutez --force pour le remplacer, ou choisissez un autre nom", fichier=str(out))],
    )


_NOREPLACE = 1  # renameat2 flags (Linux >= 3.15, glibc >= 2.28)
_EXCHANGE = 2


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``: True when done, False when the system does not offer it.

    With RENAME_EXCHANGE both names are swapped in one step (there is never a moment without ``dst``);
    with RENAME_NOREPLACE the rename fails if ``dst`` exists. Errors other than "not supported" raise.
    """
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if function(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(src), None, str(dst))


def replace_dir(tmp: Path, out: Path, *, force: bool) -> None:
    """Put the finished folder ``tmp`` in place of ``out``.

    Without ``force`` an ``out`` that exists now (it may have appeared since the run started) is an
    :class:`OutputExistsError` and ``tmp`` is left to the caller. With ``force`` the two folders are
    exchanged in one step where the system allows it (Linux), else the old ``out`` is renamed aside,
    ``tmp`` renamed in (the old one put back if that fails); the old one is deleted only then.
    """
    with _locked(out.parent):
        present = out.exists() or out.is_symlink()
        if present and not force:
            raise _exists(out)
        if not present:
            try:
                done = _rename2(tmp, out, _NOREPLACE)
            except FileExistsError:
                raise _exists(out) from None
            if not done:
                tmp.rename(out)
            return
        if _rename2(tmp, out, _EXCHANGE):
            old = tmp  # now holds the previous output
        else:
            old = Path(tempfile.mkdtemp(prefix=_prefix(out.name), suffix=".old", dir=out.parent))
            old.rmdir()
            out.rename(old)
            try:
                tmp.rename(out)
            except BaseException:
                old.rename(out)
                raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_apart(outputs: Iterable[Path], inputs: Iterable[Path | None]) -> None:
    """InputError (exit 2) when an output is an input, holds one, or holds the current folder.

    Replacing such an output with ``--force`` would delete the buyer's files: the README promises that
    inputs are never modified. Two outputs given the same name are refused too.
    """
    problems: list[Problem] = []
    resolved_out = [(o, o.resolve()) for o in outputs]
    seen: dict[Path, Path] = {}
    for given, real in resolved_out:
        if real in seen:
            problems.append(
                Problem(f"même fichier que la sortie {seen[real]} : choisissez deux noms", fichier=str(given))
            )
        seen.setdefault(real, given)
        if _inside(Path.cwd().resolve(), real):
            problems.append(
                Problem(
                    "cette sortie contient le dossier courant : choisissez un autre nom", fichier=str(given)
                )
            )
    for item in inputs:
        if item is None:
            continue
        real_in = item.resolve()
        for given, real in resolved_out:
            if _inside(real_in, real):
                problems.append(
                    Problem(
                        f"la sortie {given} contient le fichier d'entrée {item} (il serait écrasé) : "
                        "choisissez un autre nom de sortie",
                        fichier=str(given),
                    )
                )
    if problems:
        raise InputError("Sortie mal placée : rien n'a été écrit", problems)
