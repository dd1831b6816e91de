"""Validated lines of every part → one canonical order → the canonical demand table (see the package)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lotsmarche.intake.coded import concat, sort_order
from lotsmarche.intake.model import CANONICAL_COLUMNS
from lotsmarche.intake.validate import Lines


def canonical_lines(parts: list[Lines]) -> Lines:
    """All parts in one, ordered by membre, site, produit (string order), then source order."""
    text = {name: concat([p.text[name] for p in parts]) for name in parts[0].text}
    numbers = {name: np.concatenate([p.numbers[name] for p in parts]) for name in parts[0].numbers}
    ambigu = np.concatenate([p.ambigu for p in parts])
    # Sort on integer ranks of the distinct values, never on the strings; the sort is stable, so equal
    # keys keep the source order (files in the order given, then rows).
    order = sort_order([text[c] for c in ("membre", "site_livraison", "produit")])
    if bool((order[1:] > order[:-1]).all()):
        return Lines(text=text, numbers=numbers, ambigu=ambigu)
    return Lines(
        text={name: column.take(order) for name, column in text.items()},
        numbers={name: values[order] for name, values in numbers.items()},
        ambigu=ambigu[order],
    )


def lines_frame(lines: Lines) -> pd.DataFrame:
    """The canonical table: ``ligne`` 1..n, then the columns in the documented order and dtypes."""
    n = len(lines)
    columns: dict[str, pd.Series] = {"ligne": pd.Series(np.arange(1, n + 1, dtype="int64"))}
    for name in CANONICAL_COLUMNS[1:]:
        if name in lines.text:
            columns[name] = lines.text[name].series()
        else:
            values = lines.numbers[name]
            columns[name] = pd.Series(values, dtype=values.dtype)
    return pd.DataFrame(columns, copy=False)
