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
import mmap
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from lotsmarche.intake import fastcsv
from lotsmarche.intake.coded import FORMULA_ERRORS, Coded

__all__ = [
    "FORMULA_ERRORS",
    "RawSource",
    "RawTable",
    "csv_table",
    "header_tables",
    "read_source",
    "sheet_table",
]


_HEADER_SCAN = 60  # rows examined to find the header (title rows, notes and blank rows above it)
_SEPARATORS = (";", ",", "\t")
_CSV_LINE = re.compile(r"line (\d+)")
_NOT_SPACE = re.compile(rb"\S")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters other than tab and line ends
# An encrypted Office file is a compound (CFB) file holding this stream (its name in UTF-16 LE).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_SAMPLE = 65536  # characters examined for control characters (binary files)
# The csv module refuses fields over 128 KiB, which would hide the header of a file holding one huge
# cell: the length of cells is checked (and reported with row and column) once the header is found.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class RawTable:
    """One sheet (or CSV file) once its header row is known.

    ``columns`` holds one factorised text column per header cell (trimmed, blank rows dropped);
    ``rows`` holds each row's number as a spreadsheet user sees it. ``data`` is the same as a DataFrame
    of str columns named ``0..n-1``, built on first use (small files: members, sourcing, survey sheets).
    """

    fichier: str
    feuille: str
    header_row: int
    headers: list[str]
    columns: list[Coded]
    rows: np.ndarray  # int64
    above: list[list[str]] = field(default_factory=list)  # rows above the header (titles, notes)
    overflow: list[int] = field(default_factory=list)  # rows with values right of the last header

    @cached_property
    def data(self) -> pd.DataFrame:
        if not self.columns:
            return pd.DataFrame(index=pd.RangeIndex(len(self.rows)))
        return pd.DataFrame({i: col.series() for i, col in enumerate(self.columns)})


@dataclass
class RawSource:
    """A file before its header is located: a CSV (its first lines, the rest is left on disk for the
    parser) or the sheets of a workbook as text grids."""

    fichier: str
    csv_path: Path | None = None
    csv_head: bytes = b""  # first lines of the CSV: header detection and encoding
    csv_encoding: str = "utf-8"
    csv_text: str | None = None  # UTF-16 files only: decoded in full (the C parser reads bytes)
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)  # hidden or very hidden sheets, not read

    @property
    def is_csv(self) -> bool:
        return self.csv_path is not None or self.csv_text is not None


HeaderTest = Callable[[list[str]], bool]
AddProblem = Callable[..., None]  # add(message, fichier=..., feuille=..., ligne=..., colonne=...)
NumberColumns = Callable[[list[str]], set[int]]  # header → positions of the number columns
_SAMPLE_ROWS = 10_000  # rows sampled to tell a column of mostly distinct numbers


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
        raw = _map(path)
    except FileNotFoundError:
        add("fichier introuvable", fichier=str(path))
        return None
    except IsADirectoryError:
        add("c'est un dossier, pas un fichier de données", fichier=str(path))
        return None
    except OSError as exc:
        add(f"lecture impossible ({exc.strerror or exc})", fichier=name)
        return None
    try:
        return _read_mapped(path, raw, add, sheet)
    finally:
        if isinstance(raw, mmap.mmap):
            raw.close()


def _read_mapped(path: Path, raw: bytes | mmap.mmap, add: AddProblem, sheet: str | None) -> RawSource | None:
    name = path.name
    if not _NOT_SPACE.search(raw):
        add("le fichier est vide", fichier=name)
        return None
    magic = bytes(raw[:4])
    if magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_workbook(path, bytes(raw), add, sheet)
    if magic.startswith(b"\xd0\xcf\x11\xe0") and raw.find(_ENCRYPTED) >= 0:
        add(
            "classeur protégé par un mot de passe : ouvrez-le dans le tableur, retirez le mot de passe "
            "(Fichier > Informations > Protéger le classeur > Chiffrer avec mot de passe, laissez vide), "
            "enregistrez, puis relancez",
            fichier=name,
        )
        return None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
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
    binary = (
        "fichier binaire ou encodage non reconnu : enregistrez-le en CSV (UTF-8 ou Windows-1252) ou en .xlsx"
    )
    source = RawSource(fichier=name)
    if magic.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            source.csv_text = bytes(raw).decode("utf-16")
        except UnicodeDecodeError:
            add(binary, fichier=name)
            return None
        if _garbled(source.csv_text[:_SAMPLE]):
            add(binary, fichier=name)
            return None
    else:
        # The body is left to the C parser (it decodes it strictly): only the first lines are decoded here.
        head = _head_bytes(raw)
        nul = raw.find(b"\x00")
        encoding = None if nul >= 0 else head_encoding(head)
        if nul >= 0 and _stray_nul(raw, head):
            line = (
                raw.count(b"\n", 0, nul) + 1 if isinstance(raw, bytes) else bytes(raw[:nul]).count(b"\n") + 1
            )
            add(
                "caractère nul (octet 0) : supprimez-le ou réenregistrez le fichier", fichier=name, ligne=line
            )
            return None
        if encoding is None:
            add(binary, fichier=name)
            return None
        source.csv_path, source.csv_head, source.csv_encoding = path, head, encoding
    if sheet is not None:
        add(
            f"l'option de feuille « {sheet} » ne s'applique pas à un fichier CSV (il n'a qu'une feuille)",
            fichier=name,
        )
        return None
    return source


def _stray_nul(raw: bytes | mmap.mmap, head: bytes) -> bool:
    """A text file with a few NUL bytes (a paste gone wrong), not a binary or UTF-16 file without BOM."""
    sample = bytes(raw[:_SAMPLE])
    return sample.count(b"\x00") <= 2 and head_encoding(head.replace(b"\x00", b"")) is not None


def _map(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, memory-mapped: a million-line CSV is scanned, never copied, before parsing."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _head_bytes(raw: bytes | mmap.mmap) -> bytes:
    """The first lines of a CSV: at least ``_HEADER_SCAN`` lines and the sample the encoding test reads."""
    end = 0
    for _ in range(_HEADER_SCAN):
        nl = raw.find(b"\n", end)
        if nl < 0:
            return bytes(raw[:])
        end = nl + 1
    if end < _SAMPLE:
        nl = raw.find(b"\n", _SAMPLE)
        end = len(raw) if nl < 0 else nl + 1
    return bytes(raw[:end])


def _decode_head(head: bytes, encoding: str) -> str | None:
    try:
        return head.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        return None


def head_encoding(head: bytes, candidates: tuple[str, ...] = ("utf-8", "cp1252")) -> str | None:
    """UTF-8 (with or without BOM) strictly, else Windows-1252; None for binary data."""
    for encoding in candidates:
        text = _decode_head(head, encoding)
        if text is not None:
            return None if _garbled(text[:_SAMPLE]) else encoding
    return None


def _garbled(sample: str) -> bool:
    """Control characters other than tab and line ends do not occur in a real export."""
    bad = len(_CONTROL.findall(sample))
    return bad > max(2, len(sample) // 1000)


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
            # A hidden sheet (an old copy, a helper list) is not what the buyer sees: reading it would
            # count its rows unseen. It is skipped and named (warning DEM-008), unless asked for by name.
            if getattr(ws, "sheet_state", "visible") != "visible" and title != sheet:
                source.hidden.append(title)
                continue
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


def csv_table(
    source: RawSource,
    is_header: HeaderTest,
    add: AddProblem,
    expected: str,
    numbers: NumberColumns | None = None,
    *,
    hint: Callable[[list[list[str]]], str] | None = None,
) -> RawTable | None:
    """Locate the header of a CSV source, then read the body with pandas' C parser (all cells as text).

    ``numbers`` tells, from the header, which columns hold numbers (quantities, prices): when nearly
    all their values differ they are kept uncoded (see :class:`~lotsmarche.intake.coded.Coded`).

    The body is decoded by the parser; a UTF-8 head followed by a body that is not UTF-8 means the file
    is Windows-1252 throughout: it is then read again as such, header detection included.
    """
    encodings = [source.csv_encoding] + (["cp1252"] if source.csv_encoding == "utf-8" else [])
    for encoding in encodings:
        if source.csv_text is not None:
            head_text: str | None = source.csv_text[: _text_head_end(source.csv_text)]
        elif head_encoding(source.csv_head, (encoding,)) is None:
            break
        else:
            head_text = _decode_head(source.csv_head, encoding)
        assert head_text is not None
        found = _sniff_csv(head_text, is_header)
        if found is None:
            said = _csv_hint(head_text, hint) if hint else ""
            add(
                f"aucune ligne d'en-tête reconnue ; colonnes attendues : {expected}{said}",
                fichier=source.fichier,
            )
            return None
        try:
            return _read_body(source, head_text, found, encoding, add, numbers=numbers)
        except UnicodeDecodeError:
            continue
    add(
        "fichier binaire ou encodage non reconnu : enregistrez-le en CSV (UTF-8 ou Windows-1252) ou en .xlsx",
        fichier=source.fichier,
    )
    return None


def _csv_hint(head_text: str, hint: Callable[[list[list[str]]], str]) -> str:
    """What ``hint`` says of the first lines, split with the first separator that gives it something."""
    lines = _head_lines(head_text, _HEADER_SCAN)
    for sep in _SEPARATORS:
        try:
            said = hint(list(csv.reader(lines, delimiter=sep)))
        except csv.Error:
            continue
        if said:
            return said
    return ""


def _text_head_end(text: str) -> int:
    end = 0
    for _ in range(_HEADER_SCAN):
        nl = text.find("\n", end)
        if nl < 0:
            return len(text)
        end = nl + 1
    return end


def _read_body(
    source: RawSource,
    head_text: str,
    found: tuple[str, int],
    encoding: str,
    add: AddProblem,
    *,
    numbers: NumberColumns | None,
) -> RawTable | None:
    sep, header_idx = found
    lines = _head_lines(head_text, header_idx + 1)
    above = [list(r) for r in csv.reader(lines[:header_idx], delimiter=sep)]
    headers = next(csv.reader([lines[header_idx]], delimiter=sep))
    width = len(headers)
    too_wide = (
        f"nombre de colonnes supérieur à celui de l'en-tête ({width}) : "
        "vérifiez le séparateur et les guillemets"
    )
    fast = (
        fastcsv.read_columns(source.csv_path, sep, header_idx + 1, width)
        if source.csv_path is not None and encoding == "utf-8"
        else None
    )
    if fast is not None:  # trimmed already
        return _clean(_located(source, header_idx, headers, fast, above), trimmed=True)
    if source.csv_text is not None:
        body: Path | io.StringIO = io.StringIO(source.csv_text)
    else:
        assert source.csv_path is not None
        body = source.csv_path
    try:
        data = pd.read_csv(
            body,
            sep=sep,
            header=None,
            names=list(range(width)),
            skiprows=header_idx + 1,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding=encoding if source.csv_text is None else None,
            encoding_errors="strict",
        )
    except pd.errors.ParserError as exc:
        match = _CSV_LINE.search(str(exc))
        add(too_wide, fichier=source.fichier, ligne=int(match.group(1)) if match else None)
        return None
    except (ValueError, csv.Error) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise
        add("fichier CSV illisible (guillemets non fermés ?)", fichier=source.fichier)
        return None
    if not isinstance(data.index, pd.RangeIndex):
        # pandas turns the extra cells of the FIRST data row into an index instead of failing.
        add(too_wide, fichier=source.fichier, ligne=header_idx + 2)
        return None
    plain = numbers([h.strip() for h in headers]) if numbers else set()
    columns = [_text_column(data[i].to_numpy(dtype=object), i in plain) for i in range(width)]
    del data
    return _clean(_located(source, header_idx, headers, columns, above))


def _located(
    source: RawSource, header_idx: int, headers: list[str], columns: list[Coded], above: list[list[str]]
) -> RawTable:
    rows = np.arange(header_idx + 2, header_idx + 2 + len(columns[0]) if columns else 0, dtype="int64")
    return RawTable(source.fichier, "", header_idx + 1, [h.strip() for h in headers], columns, rows, above)


def _text_column(values: np.ndarray, number: bool) -> Coded:
    """Factorise one parsed column; missing cells (short rows) are empty text."""
    sample = values[:_SAMPLE_ROWS]
    if number and len(values) > 4 * _SAMPLE_ROWS and len(pd.unique(sample)) > _SAMPLE_ROWS // 2:
        column = Coded.identity(values)
    else:
        column = Coded.of(values)
    if pd.isna(column.values).any():
        column = Coded.from_parts(column.codes, [v if isinstance(v, str) else "" for v in column.values])
    return column


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
    columns = [Coded.of([row[i] for row in body]) for i in range(width)]
    rows = np.arange(header_idx + 2, header_idx + 2 + len(body), dtype="int64")
    # Cells beyond the last header are data without a column: report them rather than drop them.
    overflow = [
        (header_idx + 2 + i)
        for i, row in enumerate(grid[header_idx + 1 :])
        if any(c.strip() for c in row[width:])
    ]
    table = RawTable(fichier, feuille, header_idx + 1, headers, columns, rows, grid[:header_idx], overflow)
    return _clean(table)


def header_tables(path: Path, is_header: HeaderTest, add: AddProblem, expected: str) -> list[RawTable]:
    """The table of a CSV file, or of each sheet of a workbook, under a header ``is_header`` recognises.

    For the side files (sourcing, members): problems go to ``add``, including a workbook in which no sheet
    has such a header (``expected`` names the columns looked for)."""
    source = read_source(path, add)
    if source is None:
        return []
    if source.is_csv:
        table = csv_table(source, is_header, add, expected)
        return [table] if table else []
    tables = [
        t
        for title, grid in source.sheets.items()
        if (t := sheet_table(source.fichier, title, grid, is_header))
    ]
    if not tables:
        add(
            f"aucune feuille avec une ligne d'en-tête reconnue ; colonnes attendues : {expected}",
            fichier=source.fichier,
        )
    return tables


def _clean(table: RawTable, *, trimmed: bool = False) -> RawTable:
    """Trim every cell (unless ``trimmed``) and drop blank rows (layout, not data: they are never
    counted as lines).

    Both work on the distinct values of each column, then reach the rows through the codes.
    """
    if not len(table.rows):
        return table
    keep = np.zeros(len(table.rows), dtype=bool)
    columns = []
    for raw in table.columns:
        column = raw
        if not trimmed:
            stripped = np.empty(len(raw.values), dtype=object)
            stripped[:] = [v.strip() for v in raw.values]
            if (stripped != raw.values).any():
                column = Coded.from_parts(raw.codes, stripped) if raw.distinct else Coded.identity(stripped)
        keep |= (column.values != "")[column.codes]
        columns.append(column)
    table.columns = columns if keep.all() else [c.take(keep) for c in columns]
    if not keep.all():
        table.rows = table.rows[keep]
    return table
