"""``manifest.json`` of a DCE folder: every file's path, size and SHA-256, and the lot plan's hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lotsmarche.models import LotPlan


def generator() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"lotsmarche {version('lotsmarche')}"
    except PackageNotFoundError:  # running from a bare source tree
        return "lotsmarche"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_sha256(plan: LotPlan) -> str:
    """SHA-256 of the plan as ``lots.json`` serialises it (the file the DCE was generated from)."""
    try:
        from lotsmarche.lotsjson import plan_to_json
    except ImportError:  # lotsjson not available yet: fall back on pydantic's canonical JSON
        text = plan.model_dump_json()
    else:
        text = plan_to_json(plan)
    return sha256(text.encode("utf-8"))


def manifest_bytes(
    plan: LotPlan, files: dict[str, bytes], brouillon: bool, plan_hash: str | None = None
) -> bytes:
    """Stable JSON (sorted keys and files, no timestamp) describing the generated files.

    ``plan_hash``: the plan's :func:`plan_sha256` when the caller has it already (it is computed once)."""
    data: dict[str, Any] = {
        "generateur": generator(),
        "plan_generateur": plan.generateur,
        "reference": plan.groupement.reference,
        "plan_sha256": plan_hash if plan_hash is not None else plan_sha256(plan),
        "brouillon": brouillon,
        "fichiers": [
            {"chemin": path, "taille": len(blob), "sha256": sha256(blob)}
            for path, blob in sorted(files.items())
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
