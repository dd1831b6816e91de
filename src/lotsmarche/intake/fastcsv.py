"""Fast path of CSV intake: the body of a plain UTF-8 file read by pyarrow, straight into coded columns.

pyarrow's reader parses in parallel into Arrow string columns (no Python object per cell), and each
column is dictionary-encoded in C++ (codes + distinct values, in order of first appearance, as
``pandas.factorize`` gives them): only the distinct values ever become Python strings.

It is taken only when its result cannot differ from the exact path (pandas' C parser, see
:func:`lotsmarche.intake.tabular.csv_table`): a UTF-8 file (the caller checks the head; pyarrow checks
every byte of the body and fails on the first invalid one) without any double quote (so quoting, escaped
quotes and line breaks inside cells cannot arise) whose every row has exactly the header's number of cells
(a short, long or blank row makes pyarrow fail). Any failure returns None and the caller reads the file the
exact way, which words the problem for the user (row, column count, encoding).
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from lotsmarche.intake.coded import Coded

ENABLED = True  # tests turn it off to compare both paths


def _has_quote(path: Path) -> bool:
    with path.open("rb") as f:
        try:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as raw:
                return raw.find(b'"') >= 0
        except ValueError:  # empty file
            return False


def read_columns(path: Path, sep: str, skip: int, width: int) -> list[Coded] | None:
    """The ``width`` columns of the rows after the first ``skip`` lines, or None (exact path needed)."""
    if not ENABLED or width == 0 or _has_quote(path):
        return None
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names, encoding="utf8"),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                check_utf8=True,
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None
    columns = []
    for _ in range(width):  # each column's Arrow buffers are freed once it is coded
        columns.append(_coded(table.column(0)))
        table = table.remove_column(0)
    return columns


# What str.strip() removes (str.isspace) as an RE2 class: a test checks it is the same set of characters.
SPACE_CLASS = (
    r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_EDGE_SPACE = f"^{SPACE_CLASS}|{SPACE_CLASS}$"


def _coded(column: object) -> Coded:
    """Codes and distinct values of one column, every value trimmed as ``str.strip`` does.

    Only the values that start or end with a space (found in C++) are trimmed in Python; values that
    become equal are merged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    assert isinstance(column, pa.ChunkedArray)
    encoded = pc.dictionary_encode(column.combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
    dictionary = encoded.dictionary
    values = np.empty(len(dictionary), dtype=object)
    values[:] = dictionary.to_pylist()
    edged = np.flatnonzero(pc.match_substring_regex(dictionary, _EDGE_SPACE).to_numpy(zero_copy_only=False))
    if not len(edged):
        return Coded(codes, values)
    values[edged] = [str(values[i]).strip() for i in edged]
    return Coded.from_parts(codes, values)
