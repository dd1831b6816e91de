"""On-disk cache of the validated catalogue (and of the communes table), so each command skips the YAML.

Every command loads the catalogue: parsing and validating the YAML files costs a few tenths of a second,
more than a small ``demand check`` itself. The validated result is therefore pickled once into the user's
cache folder and read back by the next processes.

Where: ``$LOTSMARCHE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/lotsmarche``, else
``~/.cache/lotsmarche``. ``LOTSMARCHE_CACHE_DIR=off`` (or an empty value) turns the cache off. One file
per catalogue folder (its name is a hash of the folder's path) holds a key and the pickled catalogue.

Key: the package version, the Python and pydantic versions, the source of the modules that define or
build the catalogue (so an edited model is never fed objects pickled by the old one, even when the version
number did not change), the folder's path and the SHA-256 of every catalogue file. Anything else — a
different key (stale), an unreadable or truncated file, an object of the wrong shape — is ignored and the
catalogue is validated again, then the file is rewritten (atomically: temporary file, then rename).

Trust: unpickling runs code chosen by whoever wrote the file, so a file is read only from a folder the
current user owns and nobody else can write to (no group/other write bit), and only if the file itself is
owned by the user and not writable by others; the folder is created with mode 0700. The cache is never
read from the package folder or any shared location: another user, or a downloaded catalogue folder,
cannot plant a pickle. Writing is best effort: a read-only or full disk only costs the validation.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar, cast

T = TypeVar("T")

_MAGIC = b"lotsmarche-cache-1"
# Modules whose code decides what a cached object is: models, loader, cross-checks, communes table.
_SOURCES = (
    "models.py",
    "errors.py",
    "yamlsafe.py",
    "catalogue/model.py",
    "catalogue/loader.py",
    "catalogue/crosscheck.py",
    "catalogue/cpv.py",
    "catalogue/communes.py",
    "catalogue/cache.py",
)


def cache_dir() -> Path | None:
    """The cache folder (not created), or None when the cache is turned off."""
    env = os.environ.get("LOTSMARCHE_CACHE_DIR")
    if env is not None:
        return None if env.strip() in ("", "off", "0", "non") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "lotsmarche"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # pydantic has imported it already

    try:
        return version("lotsmarche")
    except PackageNotFoundError:  # a source tree never installed: the sources below still tell
        return "0.0.0"


def _code_key() -> bytes:
    digest = hashlib.sha256(_MAGIC)
    digest.update(f"{_version()}|{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
    try:
        import pydantic

        digest.update(str(pydantic.VERSION).encode())
    except ImportError:  # pragma: no cover - pydantic is a dependency
        pass
    package = Path(__file__).resolve().parent.parent
    for name in _SOURCES:
        try:
            digest.update(name.encode() + b"\0" + (package / name).read_bytes())
        except OSError:
            digest.update(name.encode() + b"\0missing")
    return digest.digest()


def files_key(kind: str, folder: Path, files: Iterable[Path]) -> str:
    """Key of a cached object: the code, the folder and the content of each file (absent files too)."""
    digest = hashlib.sha256(_code_key())
    digest.update(f"{kind}|{folder}".encode())
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"absent")
    return digest.hexdigest()


def _safe_dir(folder: Path) -> bool:
    """A folder of ours that no one else can write to (so no one else can have put a file there)."""
    try:
        st = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _slot(kind: str, folder: Path) -> Path | None:
    base = cache_dir()
    if base is None:
        return None
    name = hashlib.sha256(str(folder).encode()).hexdigest()[:24]
    return base / f"{kind}-{name}.pickle"


def _read(path: Path, key: str) -> object | None:
    if not _safe_dir(path.parent):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        paused = gc.isenabled()
        gc.disable()  # tens of thousands of small objects: the collector would run dozens of times
        try:
            magic, stored_key, payload = cast(
                "tuple[object, object, object]", pickle.load(fh)
            )  # trusted: our own file (see the docstring)
        except Exception:  # a truncated or foreign file: any unpickling error means "not cached"
            return None
        finally:
            if paused:
                gc.enable()
    if magic != _MAGIC or stored_key != key:
        return None  # stale: other files, other code
    return payload


def _write(path: Path, key: str, payload: object) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _safe_dir(path.parent):
            return
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((_MAGIC, key, payload), fh, protocol=pickle.HIGHEST_PROTOCOL)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # best effort: the next process validates again


def cached(
    kind: str, folder: Path, files: Iterable[Path], build: Callable[[], T], check: Callable[[object], bool]
) -> T:
    """``build()``'s result, from the cache when its key matches, else built and stored.

    ``check`` tells whether an object read back has the expected shape (else it is rebuilt)."""
    slot = _slot(kind, folder)
    if slot is None:
        return build()
    key = files_key(kind, folder, files)
    found = _read(slot, key)
    if found is not None and check(found):
        return found  # type: ignore[return-value]
    value = build()
    _write(slot, key, value)
    return value
