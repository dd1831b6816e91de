"""Low-level reading of buyers' files (CSV or XLSX) into raw string grids, whatever their quirks.

This is the only place of intake that touches the disk. It never interprets values: every cell comes
back as the exact text the user typed (numbers typed in a spreadsheet come back as plain decimal text),
so formulas such as ``=SUM(A1)`` or template syntax are kept literally. Unreadable files become
:class:`~lotsmarche.errors.Problem` entries, never exceptions, so that every file can be reported at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# Values a spreadsheet caches for a formula that failed: always a bad input.
FORMULA_ERRORS = frozenset(
    {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)

_HEADER_SCAN = 60  # rows examined to find the header (title rows, notes and blank rows above it)
_SEPARATORS = (";", ",", "\t")
_CSV_LINE = re.compile(r"line (\d+)")


@dataclass
class RawTable:
    """One sheet (or CSV file) once its header row is known.

    ``data`` has one str column per header cell (positional names ``0..n-1``) and one row per
    non-blank line below the header; ``rows`` holds each row's number as a spreadsheet user sees it.
    """

    fichier: str
    feuille: str
    header_row: int
    headers: list[str]
    data: pd.DataFrame
    rows: pd.Series
    above: list[list[str]] = field(default_factory=list)  # rows above the header (titles, notes)


@dataclass
class RawSource:
    """A file read as text grids before the header is located: CSV text or the sheets of a workbook."""

    fichier: str
    csv_text: str | None = None
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)


HeaderTest = Callable[[list[str]], bool]
AddProblem = Callable[..., None]  # add(message, fichier=..., feuille=..., ligne=..., colonne=...)


def cell_text(value: object) -> str:
    """Text of a spreadsheet cell as typed: no exponent, no float noise, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # 9 decimals absorb binary noise (0.1 + 0.2) without inventing digits a user typed.
        text = f"{value:.9f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_source(path: Path, add: AddProblem, sheet: str | None = None) -> RawSource | None:
    """Read ``path`` into a :class:`RawSource`; on failure add a French problem and return None."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        add("fichier introuvable", fichier=str(path))
        return None
    except IsADirectoryError:
        add("c'est un dossier, pas un fichier de données", fichier=str(path))
        return None
    except OSError as exc:
        add(f"lecture impossible ({exc.strerror or exc})", fichier=name)
        return None
    if not raw.strip():
        add("le fichier est vide", fichier=name)
        return None
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_workbook(path, raw, add, sheet)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        add(
            "format Excel 97-2003 (.xls) non pris en charge : enregistrez le classeur au format .xlsx ou CSV",
            fichier=name,
        )
        return None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        add(
            "ce fichier n'est pas un classeur Excel .xlsx valide (fichier tronqué ou d'un autre format)",
            fichier=name,
        )
        return None
    text = _decode(raw)
    if text is None:
        add(
            "fichier binaire ou encodage non reconnu : enregistrez-le en CSV (UTF-8 ou Windows-1252) "
            "ou en .xlsx",
            fichier=name,
        )
        return None
    if sheet is not None:
        add(
            f"l'option de feuille « {sheet} » ne s'applique pas à un fichier CSV (il n'a qu'une feuille)",
            fichier=name,
        )
        return None
    return RawSource(fichier=name, csv_text=text)


def _decode(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) strictly, UTF-16 with a BOM, else Windows-1252; None for binary data."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        if b"\x00" in raw:
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                return None
    # Control characters other than tab and line ends do not occur in a real export.
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if bad > max(2, len(sample) // 1000):
        return None
    return text


def _read_workbook(path: Path, raw: bytes, add: AddProblem, sheet: str | None) -> RawSource | None:
    import openpyxl

    name = path.name
    unreadable = "classeur illisible : fichier tronqué, endommagé ou qui n'est pas un classeur Excel .xlsx"
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, KeyError) on damaged files: all mean the same
        add(unreadable, fichier=name)
        return None
    source = RawSource(fichier=name)
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            listed = ", ".join(f"« {n} »" for n in names)
            add(f"la feuille « {sheet} » n'existe pas ; feuilles du classeur : {listed}", fichier=name)
            return None
        for title in names:
            ws = wb[title]
            ws.reset_dimensions()  # some producers write a wrong <dimension>: read every row present
            grid: list[list[str]] = []
            for values in ws.iter_rows(values_only=True):
                grid.append([cell_text(v) for v in values])
            source.sheets[title] = grid
    except Exception:  # a truncated XML part fails lazily, while rows are iterated
        add(unreadable, fichier=name)
        return None
    finally:
        wb.close()
    return source


def find_header(rows: list[list[str]], is_header: HeaderTest) -> int | None:
    """Index of the first row (among the first rows) that ``is_header`` accepts."""
    for i, row in enumerate(rows[:_HEADER_SCAN]):
        if any(c.strip() for c in row) and is_header(row):
            return i
    return None


def _sniff_csv(text: str, is_header: HeaderTest) -> tuple[str, int] | None:
    """Separator and 0-based line index of the header: the separator that reveals a header row wins."""
    head_lines = _head_lines(text, _HEADER_SCAN)
    best: tuple[str, int] | None = None
    for sep in _SEPARATORS:
        try:
            rows = list(csv.reader(head_lines, delimiter=sep))
        except csv.Error:
            continue
        found = find_header(rows, is_header)
        if found is not None and (best is None or found < best[1]):
            best = (sep, found)
    return best


def _head_lines(text: str, count: int) -> list[str]:
    """The first ``count`` physical lines, cut from a prefix (never a copy of a million-line text)."""
    end = 0
    for _ in range(count):
        nl = text.find("\n", end)
        if nl < 0:
            end = len(text)
            break
        end = nl + 1
    return [line.rstrip("\r\n") for line in io.StringIO(text[:end], newline=None)][:count]


def csv_table(source: RawSource, is_header: HeaderTest, add: AddProblem, expected: str) -> RawTable | None:
    """Locate the header of a CSV source, then read the body with pandas (all cells as text)."""
    assert source.csv_text is not None
    text = source.csv_text
    found = _sniff_csv(text, is_header)
    if found is None:
        add(f"aucune ligne d'en-tête reconnue ; colonnes attendues : {expected}", fichier=source.fichier)
        return None
    sep, header_idx = found
    lines = _head_lines(text, header_idx + 1)
    above = [list(r) for r in csv.reader(lines[:header_idx], delimiter=sep)]
    headers = next(csv.reader([lines[header_idx]], delimiter=sep))
    try:
        data = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=list(range(len(headers))),
            skiprows=header_idx + 1,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        match = _CSV_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        add(
            f"nombre de colonnes supérieur à celui de l'en-tête ({len(headers)}) : vérifiez le séparateur "
            "et les guillemets",
            fichier=source.fichier,
            ligne=line,
        )
        return None
    except (ValueError, csv.Error):
        add("fichier CSV illisible (guillemets non fermés ?)", fichier=source.fichier)
        return None
    data = data.fillna("")
    rows = pd.Series(range(header_idx + 2, header_idx + 2 + len(data)), dtype="int64")
    return _drop_blank(
        RawTable(source.fichier, "", header_idx + 1, [h.strip() for h in headers], data, rows, above)
    )


def sheet_table(fichier: str, feuille: str, grid: list[list[str]], is_header: HeaderTest) -> RawTable | None:
    """Locate the header of one sheet's grid; None if no header row is recognised."""
    header_idx = find_header(grid, is_header)
    if header_idx is None:
        return None
    headers = [h.strip() for h in grid[header_idx]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    body = [(row + [""] * width)[:width] for row in grid[header_idx + 1 :]]
    # Cells beyond the last header are data without a column: report them rather than drop them.
    data = (
        pd.DataFrame(body, columns=list(range(width)), dtype=str)
        if body
        else pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    )
    rows = pd.Series(range(header_idx + 2, header_idx + 2 + len(body)), dtype="int64")
    table = RawTable(fichier, feuille, header_idx + 1, headers, data, rows, grid[:header_idx])
    table.data.attrs["overflow"] = [
        (header_idx + 2 + i)
        for i, row in enumerate(grid[header_idx + 1 :])
        if any(c.strip() for c in row[width:])
    ]
    return _drop_blank(table)


def _drop_blank(table: RawTable) -> RawTable:
    """Trim every cell and drop blank rows (layout, not data: they are never counted as lines).

    Trimming works on the distinct values of each column: a million-line column has few of them.
    """
    if table.data.empty:
        return table
    attrs = dict(table.data.attrs)
    cols: dict[int, pd.Series] = {}
    keep = np.zeros(len(table.data), dtype=bool)
    for name in table.data.columns:
        col = table.data[name]
        codes, uniques = pd.factorize(col)
        raw = [str(u) for u in uniques.tolist()]
        stripped = [u.strip() for u in raw]
        if stripped != raw:
            col = pd.Series(np.asarray(stripped, dtype=object)[codes], dtype=str)
        keep |= np.asarray(stripped, dtype=object)[codes] != "" if stripped else keep
        cols[int(name)] = col
    data = pd.DataFrame(cols)
    table.data = data.loc[keep].reset_index(drop=True) if not keep.all() else data
    table.data.attrs.update(attrs)
    table.rows = table.rows.loc[keep].reset_index(drop=True)
    return table
