"""Uploaded files: size limit, allowed kinds checked on their content, zip bombs and unsafe names refused.

An upload is kept under a generated name; its original name is only shown (never used as a path).
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lotsmarche.errors import InputError, Problem

# kind -> extensions accepted
KINDS = {
    "demande": (".csv", ".xlsx"),
    "sourcing": (".csv", ".xlsx"),
    "groupement": (".yaml", ".yml"),
}
CONTENT_TYPES = {
    ".csv": {
        "text/csv",
        "text/plain",
        "application/csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
    },
    ".xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "application/octet-stream",
    },
    ".yaml": {
        "application/x-yaml",
        "application/yaml",
        "text/yaml",
        "text/x-yaml",
        "text/plain",
        "application/octet-stream",
    },
    ".yml": {
        "application/x-yaml",
        "application/yaml",
        "text/yaml",
        "text/x-yaml",
        "text/plain",
        "application/octet-stream",
    },
}
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # an xlsx that unpacks beyond this is refused
MAX_RATIO = 200  # compression ratio beyond which an entry is a bomb
_SAFE = re.compile(r"[^A-Za-z0-9._ ()\-àâäçéèêëîïôöùûüÿœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒ]")


@dataclass(frozen=True)
class Upload:
    original: str  # cleaned display name
    suffix: str
    data: bytes


def display_name(name: str) -> str:
    """The name to show: last path component only, unusual characters replaced."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    return _SAFE.sub("_", base)[:200] or "fichier"


def check_upload(name: str, content_type: str | None, data: bytes, kind: str, limit: int) -> Upload:
    """Refuse what must not be stored (InputError, French): too big, unsafe name, wrong type, zip bomb."""
    shown = display_name(name)
    if len(data) > limit:
        raise InputError(
            "Fichier trop volumineux",
            [Problem(f"{len(data)} octets ; la limite est de {limit} octets", fichier=shown)],
        )
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name or ".." in name:
        raise InputError(
            "Nom de fichier refusé",
            [
                Problem(
                    "le nom ne doit contenir ni chemin (/, \\, ..) ni commencer par un point", fichier=shown
                )
            ],
        )
    suffix = Path(shown).suffix.lower()
    allowed = KINDS[kind]
    if suffix not in allowed:
        raise InputError(
            "Type de fichier refusé",
            [Problem(f"extension « {suffix or 'aucune'} » ; attendu : {', '.join(allowed)}", fichier=shown)],
        )
    ctype = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    if ctype not in CONTENT_TYPES[suffix]:
        raise InputError(
            "Type de fichier refusé", [Problem(f"type « {ctype} » incompatible avec {suffix}", fichier=shown)]
        )
    if suffix == ".xlsx":
        _check_zip(data, shown)
    elif data[:4] == b"PK\x03\x04" or b"\x00" in data[:4096]:
        raise InputError(
            "Type de fichier refusé",
            [Problem("contenu binaire : un fichier texte est attendu", fichier=shown)],
        )
    return Upload(original=shown, suffix=suffix, data=data)


def _check_zip(data: bytes, shown: str) -> None:
    if data[:4] != b"PK\x03\x04":
        raise InputError("Type de fichier refusé", [Problem("ce n'est pas un classeur .xlsx", fichier=shown)])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            "Type de fichier refusé", [Problem("classeur .xlsx illisible", fichier=shown)]
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InputError("Fichier refusé", [Problem("trop d'éléments dans le classeur", fichier=shown)])
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename.startswith("/") or ".." in info.filename.split("/"):
            raise InputError("Fichier refusé", [Problem("chemin interdit dans le classeur", fichier=shown)])
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                "Fichier refusé",
                [Problem("taux de compression anormal (bombe de décompression)", fichier=shown)],
            )
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            "Fichier refusé", [Problem("le classeur décompressé dépasse la taille autorisée", fichier=shown)]
        )
    if "[Content_Types].xml" not in {i.filename for i in infos}:
        raise InputError("Type de fichier refusé", [Problem("ce n'est pas un classeur .xlsx", fichier=shown)])


def generated_name(suffix: str) -> str:
    return secrets.token_hex(12) + suffix
