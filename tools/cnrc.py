"""INSEE index series of a CNRC nomenclature code, read from the shared CNRC referential (generators only)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

CNRC_CSV = Path("/work/shared/data/cnrc/referentiel_indicateurs_prix_denrees_2022.csv")


@functools.cache
def _table() -> dict[str, str]:
    with CNRC_CSV.open(encoding="utf-8") as fh:
        return {
            row["code_produit"]: row["code_insee_indice"]
            for row in csv.DictReader(fh)
            if row["code_insee_indice"].isdigit() and len(row["code_insee_indice"]) == 9
        }


def index_of(cnrc_code: str | None) -> str | None:
    """The 9-digit INSEE series the CNRC sheet proposes, or None (no sheet, or no index given)."""
    if cnrc_code is None:
        return None
    if cnrc_code not in _table() and cnrc_code.split("-")[0] not in {c.split("-")[0] for c in _table()}:
        raise SystemExit(f"code CNRC inconnu : {cnrc_code}")
    return _table().get(cnrc_code)
