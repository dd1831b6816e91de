"""Small CSV/XLSX reader for the files a buyer or a holder sends back (award file, purchase statement).

Every cell comes back as text (numbers typed in a spreadsheet as plain decimal text, dates as
``AAAA-MM-JJ``), with its place: file, sheet, 1-based row as the user sees it, column title. Column titles
are matched folded (case, accents, spaces and hyphens ignored). Unreadable files raise one
:class:`InputError` naming the file; values are interpreted by the callers, which report bad cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lotsmarche.errors import InputError, Problem
from lotsmarche.text import fold

_HEADER_SCAN = 30


def column_key(title: str) -> str:
    """« Date de l'achat » -> ``date_de_l_achat``; ``prix_ht`` stays ``prix_ht``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(title)).strip("_")


@dataclass(frozen=True)
class Row:
    ligne: int  # 1-based row number in the file or sheet
    cells: dict[str, str]  # column key -> text ("" when empty)


@dataclass(frozen=True)
class Table:
    fichier: str
    feuille: str | None
    colonnes: dict[str, str]  # column key -> title as written in the file
    rows: list[Row]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return "" if math.isnan(value) else format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _grid_table(fichier: str, feuille: str | None, grid: list[list[str]], expected: set[str]) -> Table | None:
    for index, row in enumerate(grid[:_HEADER_SCAN]):
        keys = [column_key(c) for c in row]
        if len(expected & set(keys)) >= min(2, len(expected)):
            colonnes = {k: t for k, t in zip(keys, row, strict=True) if k}
            rows: list[Row] = []
            for number, values in enumerate(grid[index + 1 :], start=index + 2):
                cells = {k: (values[i] if i < len(values) else "") for i, k in enumerate(keys) if k}
                if any(v for v in cells.values()):
                    rows.append(Row(number, cells))
            return Table(fichier, feuille, colonnes, rows)
    return None


def read_table(path: Path, expected: set[str], sheet: str | None = None) -> Table:
    """The first table of ``path`` whose header row holds at least two of the ``expected`` column keys.

    XLSX: the sheet ``sheet`` if given, else the first sheet that has such a header. CSV: UTF-8 (with or
    without BOM) or Windows-1252, separator ``;``, ``,`` or tab.
    """
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("Fichier illisible", [Problem(exc.strerror or str(exc), fichier=name)]) from exc
    if raw[:2] == b"PK":
        return _read_xlsx(name, raw, expected, sheet)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise InputError("Fichier illisible", [Problem("encodage non reconnu", fichier=name)])
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    table = _grid_table(name, None, grid, expected)
    if table is None:
        raise InputError(
            "En-tête introuvable",
            [Problem(f"colonnes attendues : {', '.join(sorted(expected))}", fichier=name, ligne=1)],
        )
    return table


def _read_xlsx(name: str, raw: bytes, expected: set[str], sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            "Classeur illisible", [Problem(f"fichier XLSX invalide ({type(exc).__name__})", fichier=name)]
        ) from exc
    try:
        names = [sheet] if sheet is not None else list(wb.sheetnames)
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(
                "Feuille introuvable",
                [Problem(f"feuilles présentes : {', '.join(wb.sheetnames)}", fichier=name, feuille=sheet)],
            )
        for title in names:
            grid = [[_cell_text(v) for v in row] for row in wb[title].iter_rows(values_only=True)]
            table = _grid_table(name, title, grid, expected)
            if table is not None:
                return table
    finally:
        wb.close()
    raise InputError(
        "En-tête introuvable",
        [Problem(f"aucune feuille n'a les colonnes attendues : {', '.join(sorted(expected))}", fichier=name)],
    )


# ---------------------------------------------------------------------------------------------
# Values (None: empty cell; a str: the French reason the text is not valid)
# ---------------------------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | str:
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return f"nombre attendu (lu : « {text} »)"
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above is a valid Decimal
        return f"nombre attendu (lu : « {text} »)"


def parse_share(text: str) -> Decimal | str:
    """« 62 % », « 62% », « 0,62 » or « 0.62 » -> Decimal('0.62'); between 0 and 1."""
    percent = text.strip().endswith("%")
    value = parse_decimal(text.strip().rstrip("%").strip())
    if isinstance(value, str):
        return f"part attendue, en pourcentage (« 62 % ») ou en fraction (« 0,62 ») (lu : « {text} »)"
    if percent:
        value = value / 100
    if not Decimal(0) <= value <= Decimal(1):
        return f"part attendue entre 0 et 100 % (lu : « {text} »)"
    return value


def parse_date(text: str) -> dt.date | str:
    """« 2027-01-15 » or « 15/01/2027 »."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    if found:
        parts = [int(g) for g in found.groups()]
        year, month, day = parts if len(found.group(1)) == 4 else parts[::-1]
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    return f"date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA (lu : « {text} »)"


def parse_bool(text: str) -> bool | str:
    folded = fold(text)
    if folded in ("oui", "o", "x", "vrai", "true", "1"):
        return True
    if folded in ("non", "n", "faux", "false", "0"):
        return False
    return f"« oui » ou « non » attendu (lu : « {text} »)"
