"""Month-level need of the demand: each line's annual quantity spread evenly over the months it asks.

The rule (one definition, used by every strategy through ``capacity.py``): a demand line asking ``q``
thousandths of its product's catalogue unit over the ``n`` months of its mask (``mois``; 4095 = all year)
needs exactly ``q / n`` in each of those months and nothing in the others. No rounding happens: needs are
integers in :data:`MONTH_UNIT` ths of a thousandth, ``27 720 = lcm(1, …, 12)``, so every line's share
``q × 27 720 / n`` is a whole number, sums over lines, cells or lots are exact, and the result does not
depend on how the demand was aggregated beforehand (per line, per cell, per product × site × month mask).
A line of 1 200 kg over 10 months needs 120 kg in each; 1 000 kg over 3 months needs 333,333… kg in each,
which a supplier offering 333,333 kg that month does not cover (333,333 < 333,333…). Shown to users,
a month's need is rounded *up* to the thousandth (333,334 kg): never below what the demand asks, and a
volume given to the thousandth is short exactly when it is below the figure shown.

The need of every cell (product × packaging × territory, ``lotting.lines``) per month is computed once,
vectorised over the lines (one group-by on cell × month mask, then a 4 096 × 12 share table); a lot's need
per product and month is the sum of its cells' rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lotsmarche.text import MOIS_FR, de_mois, month_runs

MONTH_UNIT = 27_720  # lcm(1..12): a 1/n share of any integer quantity is an integer in these units
MONTH_COLUMNS: tuple[str, ...] = tuple(f"besoin_m{m:02d}" for m in range(1, 13))
_SAFE = 1 << 62


def _share_table() -> np.ndarray:
    """SHARE[mask, m] = MONTH_UNIT / (months in mask) when month m (0 = January) is in mask, else 0."""
    masks = np.arange(4096, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(12, dtype=np.int64)[None, :]) & 1
    count = bits.sum(axis=1)
    per = np.where(count > 0, MONTH_UNIT // np.maximum(count, 1), 0)
    return bits * per[:, None]


SHARES = _share_table()


def cell_month_needs(cell_of_line: np.ndarray, mois: np.ndarray, qty: np.ndarray, n_cells: int) -> np.ndarray:
    """Need of each cell per month, in MONTH_UNIT ths of a thousandth: an (n_cells, 12) array.

    int64 when no sum can overflow (always in practice), exact Python integers (object array) beyond.
    """
    masks = np.asarray(mois, dtype=np.int64) & 4095
    key = np.asarray(cell_of_line, dtype=np.int64) * 4096 + masks
    sums = pd.Series(np.asarray(qty, dtype=np.int64)).groupby(key, sort=True).sum()
    keys = sums.index.to_numpy(dtype=np.int64)
    cell, mask, q = keys // 4096, keys % 4096, sums.to_numpy(dtype=np.int64)
    out = np.zeros((n_cells, 12), dtype=np.int64)
    if not len(q):
        return out
    bound = int(np.abs(q).max()) * MONTH_UNIT * len(q)
    if bound >= _SAFE:  # pragma: no cover - beyond 10^14 thousandths in one cell
        out = out.astype(object)
        q = q.astype(object)
    np.add.at(out, cell, q[:, None] * SHARES[mask].astype(out.dtype))
    return out


def ceil_milli(need: int) -> int:
    """A month's need in thousandths, rounded up (what users are shown)."""
    return -(-int(need) // MONTH_UNIT)


@dataclass(frozen=True)
class ProductMonths:
    """What a lot needs of one product, month by month (the unit is the product's catalogue unit)."""

    libelle: str  # catalogue label, e.g. « Hareng fumé, filets »
    unite: str  # unit label users read, singular (« kg », « pièce »)
    unite_pluriel: str  # plural (« kg », « pièces »)
    besoins: tuple[int, ...]  # 12 needs (January..December) in MONTH_UNIT ths of a thousandth

    def plus(self, other: ProductMonths) -> ProductMonths:
        total = tuple(a + b for a, b in zip(self.besoins, other.besoins, strict=True))
        return ProductMonths(self.libelle, self.unite, self.unite_pluriel, total)


def merge_months(a: Mapping[str, ProductMonths], b: Mapping[str, ProductMonths]) -> dict[str, ProductMonths]:
    out = dict(a)
    for code, pm in b.items():
        out[code] = out[code].plus(pm) if code in out else pm
    return out


@dataclass(frozen=True)
class MonthData:
    """The month needs of a cells table (``lotting.lines``): per cell, its product and 12 month needs."""

    codes: list[str]  # distinct product codes, sorted
    labels: list[tuple[str, str, str]]  # per code: libellé, unit, unit plural
    product: np.ndarray  # per cell: index in ``codes``
    needs: np.ndarray  # per cell: 12 needs in MONTH_UNIT ths of a thousandth

    def of(self, positions: Sequence[int]) -> dict[str, ProductMonths]:
        """Per product of the cells at ``positions``: their summed month needs."""
        pos = np.asarray(positions, dtype=np.int64)
        if not len(pos):
            return {}
        present, inverse = np.unique(self.product[pos], return_inverse=True)
        sums = np.zeros((len(present), 12), dtype=self.needs.dtype)
        np.add.at(sums, inverse, self.needs[pos])
        out: dict[str, ProductMonths] = {}
        for row, p in zip(sums.tolist(), present.tolist(), strict=True):
            libelle, unite, pluriel = self.labels[p]
            out[self.codes[p]] = ProductMonths(libelle, unite, pluriel, tuple(row))
        return out


LABEL_COLUMNS = ("libelle", "unite_libelle", "unite_pluriel")


def month_data(cells: pd.DataFrame) -> MonthData | None:
    """The month needs carried by a cells table (``lotting.lines.prepare``), None when it has none."""
    if not all(c in cells.columns for c in (*MONTH_COLUMNS, *LABEL_COLUMNS)):
        return None
    frame = cells.reset_index(drop=True)
    product, uniques = pd.factorize(frame["produit"].astype(str), sort=True)
    first = pd.Series(np.arange(len(frame))).groupby(product).min().tolist()
    texts = [frame[c].astype(str).tolist() for c in LABEL_COLUMNS]
    return MonthData(
        codes=[str(c) for c in uniques],
        labels=[(texts[0][i], texts[1][i], texts[2][i]) for i in first],
        product=product.astype(np.int64),
        needs=frame[list(MONTH_COLUMNS)].to_numpy(),
    )


def months_fr(months: Sequence[int]) -> str:
    """« en juin », « de mars à octobre », « de novembre à février », « en janvier et de mars à mai »."""
    parts = [
        f"en {MOIS_FR[a - 1]}" if a == b else f"{de_mois(a)} à {MOIS_FR[b - 1]}"
        for a, b in month_runs(months)
    ]
    if parts == ["de janvier à décembre"]:
        return "toute l'année"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
