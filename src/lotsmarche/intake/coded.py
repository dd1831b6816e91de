"""Columns of text held as integer codes into their distinct values (the factorised form intake works on).

A million-line demand has few distinct members, products or postcodes: every check and every mapping is
done once per distinct value, then broadcast to the rows through the codes (``numpy.take``). Sorting and
grouping use the codes too, never the strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

IntArray = np.ndarray[Any, np.dtype[np.intp]]

# Values a spreadsheet caches for a formula that failed: always a bad input.
FORMULA_ERRORS = frozenset(
    {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)


def _object_array(values: Sequence[str] | np.ndarray) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values) if not isinstance(values, np.ndarray) else values
    return arr


@dataclass(frozen=True)
class Coded:
    """``values[codes[i]]`` is the text of row ``i``. ``values`` may hold values no row uses.

    Values are distinct, except in an *identity* coding (``codes`` = 0..n-1) of a column of mostly
    distinct numbers, where hashing every cell would cost more than it saves; such a column is only
    parsed, never grouped or sorted.
    """

    codes: IntArray
    values: np.ndarray  # object array of str
    distinct: bool = True  # False for an identity coding
    # Masks over ``values`` computed once and shared by the row selections (``take``) of this column.
    _memo: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def of(cls, texts: Sequence[str] | np.ndarray | pd.Series) -> Coded:
        """Factorise row texts (order of first appearance)."""
        if isinstance(texts, pd.Series):
            arr = texts.to_numpy(dtype=object)
        elif isinstance(texts, np.ndarray) and texts.dtype == object:
            arr = texts
        else:
            arr = _object_array(texts)
        codes, uniques = pd.factorize(arr)
        return cls(np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object))

    @classmethod
    def identity(cls, texts: np.ndarray) -> Coded:
        return cls(np.arange(len(texts), dtype=np.intp), texts, distinct=False)

    @classmethod
    def constant(cls, text: str, n: int) -> Coded:
        return cls(np.zeros(n, dtype=np.intp), _object_array([text]))

    @classmethod
    def from_parts(cls, codes: np.ndarray, values: Sequence[str] | np.ndarray) -> Coded:
        """Codes into possibly repeated values: repeated values are merged (first one kept)."""
        vals = _object_array(values)
        if len(vals) == 0:
            return cls(np.asarray(codes, dtype=np.intp), vals)
        new, uniques = pd.factorize(vals)
        remap = np.asarray(new, dtype=np.intp)
        return cls(remap[np.asarray(codes, dtype=np.intp)], _object_array(np.asarray(uniques, dtype=object)))

    def map(self, fn: Callable[[str], str]) -> Coded:
        """Apply ``fn`` to each distinct value (merging values that become equal)."""
        mapped = [fn(str(v)) for v in self.values]
        if all(a == b for a, b in zip(mapped, self.values, strict=True)):
            return self
        return Coded.from_parts(self.codes, mapped)

    def take(self, index: np.ndarray) -> Coded:
        """Rows selected by an integer or boolean index."""
        return Coded(self.codes[index], self.values, self.distinct, self._memo)

    def compact(self) -> Coded:
        """The same column with 32-bit codes (half the memory and faster row selections)."""
        if self.codes.dtype == np.int32 or len(self.values) >= 2**31:
            return self
        return Coded(self.codes.astype(np.int32), self.values, self.distinct, self._memo)

    def formula_errors(self) -> np.ndarray:
        """Mask over ``values``: the cached results of failed formulas (``#N/A``, ``#DIV/0!``...)."""
        if "formula" not in self._memo:
            values = pd.Series(self.values, dtype=object, copy=False)
            self._memo["formula"] = values.isin(sorted(FORMULA_ERRORS)).to_numpy(dtype=bool)
        return self._memo["formula"]

    def formula_rows(self) -> np.ndarray:
        """Row mask of the cells holding a failed formula's cached result."""
        return self.rows_where(self.formula_errors())

    def texts(self) -> np.ndarray:
        """Object array of the row texts."""
        return self.values[self.codes] if len(self.values) else np.full(len(self.codes), "", dtype=object)

    def series(self) -> pd.Series:
        """A ``str`` Series of the row texts, built by taking from the distinct values (no per-row check)."""
        distinct = pd.Series(self.values if len(self.values) else _object_array([""]), dtype=str).array
        return pd.Series(distinct.take(self.codes), copy=False)

    def used(self) -> np.ndarray:
        """Boolean mask over ``values``: used by at least one row."""
        mask = np.zeros(len(self.values), dtype=bool)
        mask[self.codes] = True
        return mask

    def appearance_order(self) -> IntArray:
        """Indices of the values in the order rows first use them (unused values last)."""
        used = pd.unique(self.codes)
        unused = np.flatnonzero(~self.used())
        return np.concatenate([np.asarray(used, dtype=np.intp), unused.astype(np.intp)])

    def rows_equal(self, text: str) -> np.ndarray:
        """Boolean row mask of the rows whose text is ``text``."""
        return self.rows_where(self.values == text)

    def rows_where(self, bad: np.ndarray) -> np.ndarray:
        """Boolean row mask of the rows whose value is flagged in ``bad`` (a mask over ``values``)."""
        if not bad.any():
            return np.zeros(len(self.codes), dtype=bool)
        return np.asarray(bad, dtype=bool)[self.codes]


def concat(columns: Sequence[Coded]) -> Coded:
    """Rows of several coded columns, one after the other, over the union of their values."""
    if len(columns) == 1:
        return columns[0]
    offsets = np.cumsum([0, *(len(c.values) for c in columns)])[:-1]
    codes = np.concatenate([c.codes + off for c, off in zip(columns, offsets, strict=True)])
    values = np.concatenate([c.values for c in columns]) if columns else _object_array([])
    return Coded.from_parts(codes, values)


def sort_order(columns: Sequence[Coded]) -> IntArray:
    """Stable order of the rows by the texts of ``columns`` (first column first), on integer ranks."""
    keys = [sort_ranks(c)[c.codes] for c in columns]
    sizes = [max(len(c.values), 1) for c in columns]
    if float(np.prod(sizes, dtype=np.float64)) < 2.0**62:
        combined = np.zeros(len(columns[0]), dtype=np.int64)
        for key, size in zip(keys, sizes, strict=True):
            combined = combined * size + key
        if bool((combined[1:] >= combined[:-1]).all()):  # already in order (a sorted export)
            return np.arange(len(combined), dtype=np.intp)
        return np.argsort(combined, kind="stable")
    return np.lexsort(keys[::-1])


def sort_ranks(column: Coded) -> IntArray:
    """Rank of each value in string order (Python comparison), for sorting rows by integer keys."""
    order = sorted(range(len(column.values)), key=lambda i: str(column.values[i]))
    ranks = np.empty(len(column.values), dtype=np.intp)
    ranks[np.asarray(order, dtype=np.intp)] = np.arange(len(order), dtype=np.intp)
    return ranks


def pair_codes(a: np.ndarray, b: np.ndarray, b_size: int) -> tuple[IntArray, IntArray]:
    """Factorise pairs of codes: ``(codes, keys)`` where ``keys = a * b_size + b`` of each distinct pair."""
    b_size = max(b_size, 1)
    key = a.astype(np.int64) * b_size + b.astype(np.int64)
    span = (int(key.max()) + 1) if len(key) else 0
    if span <= max(4 * len(key), 1 << 16):
        # Few possible pairs: a lookup table instead of a hash table (keys come out sorted).
        present = np.zeros(span, dtype=bool)
        present[key] = True
        keys = np.flatnonzero(present)
        lookup = np.zeros(span, dtype=np.intp)
        lookup[keys] = np.arange(len(keys), dtype=np.intp)
        return lookup[key], keys.astype(np.intp)
    codes, uniques = pd.factorize(key)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=np.intp)
