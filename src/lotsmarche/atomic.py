"""Atomic outputs: a file or folder appears whole under its final name, or not at all.

Temporary files and folders are created next to the target (same file system, so the final rename is
atomic) and then given the permissions the user's umask asks for: ``mkstemp``/``mkdtemp`` create them
readable by their owner only, which would surprise a buyer sharing a DCE folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` atomically (temporary file in the same folder, then rename)."""
    folder = out.parent if str(out.parent) else Path()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).chmod(0o666 & ~_umask())
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def temp_dir(parent: Path, name: str, suffix: str = ".tmp") -> Path:
    """A new hidden working folder beside ``parent/name``, with the usual permissions."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=suffix, dir=parent))
    tmp.chmod(0o777 & ~_umask())
    return tmp
