"""Validated lines of every part → one canonical order → the canonical demand table (see the package)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lotsmarche.intake.coded import Coded, concat, sort_order
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
            columns[name] = pd.Series(categorical(lines.text[name]), copy=False)
        else:
            values = lines.numbers[name]
            columns[name] = pd.Series(values, dtype=values.dtype)
    return pd.DataFrame(columns, copy=False)


def categorical(column: Coded) -> pd.Categorical[str]:
    """A text column as a pandas categorical: the values rows use, in string order, and small integer codes.

    Sorting or grouping it gives the order of the strings (the categories are sorted); it hashes like the
    same column of ``str`` (``pandas.util.hash_pandas_object``), so the demand's fingerprint is unchanged.
    """
    if not column.distinct:
        column = Coded.of(column.texts())
    used = np.flatnonzero(column.used())
    texts = [str(column.values[i]) for i in used]
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.zeros(len(column.values), dtype=np.int64)
    rank[used[np.asarray(order, dtype=np.intp)]] = np.arange(len(order), dtype=np.int64)
    categories = pd.Index([texts[i] for i in order], dtype=str)
    return pd.Categorical.from_codes(rank[column.codes], categories=categories, validate=False)
