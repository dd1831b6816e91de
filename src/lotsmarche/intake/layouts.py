"""Turn a located table into demand lines of text, whatever its layout (long, survey, one file per member).

The result of every layout is a :class:`LongPart`: the columns of the long layout, all as text, with the
row and the column each value came from, so that validation can name the exact cell of a problem.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lotsmarche.intake.coded import Coded
from lotsmarche.intake.headers import (
    DEMAND_ALIASES,
    EXPECTED_DEMAND,
    MEMBERS_ALIASES,
    SURVEY_INFO,
    duplicate_headers,
    field_of,
    header_hint,
    header_key,
    is_demand_header,
    is_long_header,
    is_members_header,
    map_headers,
)
from lotsmarche.intake.members import SiteInfo
from lotsmarche.intake.tabular import AddProblem, RawSource, RawTable, csv_table, sheet_table
from lotsmarche.intake.values import parse_postcode, postcode_error
from lotsmarche.text import fold

VALUE_FIELDS = (
    "membre",
    "site_livraison",
    "code_postal",
    "commune",
    "produit",
    "quantite",
    "unite",
    "prix_unitaire_ht",
    "mois",
    "label_requis",
    "conditionnement",
    "livraisons_par_semaine",
)
NUMBER_FIELDS = ("quantite", "prix_unitaire_ht")
_INFO_SHEETS = {"instructions", "notice", "aide", "mode d'emploi", "lisez-moi", "readme"}
_MEMBER_SHEETS = {"membres", "members", "sites", "sites de livraison"}
_ZERO = re.compile(r"[+-]?0*(?:[.,]0*)?")
_MEMBER_CELL = re.compile(r"^\s*(membre|etablissement|member)\s*:?\s*(.*)$")


@dataclass
class LongPart:
    """Demand lines of one table, as text. ``headers`` names the source column of each field."""

    fichier: str
    feuille: str
    cols: dict[str, Coded]  # every VALUE_FIELDS entry ("" when the table has no such column)
    rows: np.ndarray  # ligne_source (int64): the row as the user sees it
    colonne_source: Coded  # survey layout: the member column of the quantity; else ""
    headers: dict[str, str]
    survey: bool = False  # survey layout: the quantity column is the member column (colonne_source)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Extracted:
    parts: list[LongPart] = field(default_factory=list)
    sites: list[tuple[SiteInfo, str, str, int]] = field(default_factory=list)  # info, fichier, feuille, row
    ignored_sheets: list[tuple[str, str]] = field(default_factory=list)  # (fichier, feuille)
    hidden_sheets: list[tuple[str, str]] = field(default_factory=list)  # (fichier, feuille) not read


def extract(source: RawSource, add: AddProblem, sheet: str | None, out: Extracted) -> None:
    """Find the demand tables (and the "Membres" sheet) of one source and append them to ``out``."""
    if source.is_csv:
        table = csv_table(source, is_demand_header, add, EXPECTED_DEMAND, _number_columns, hint=header_hint)
        if table is not None:
            _table_to_part(table, add, out)
        return
    found = False
    out.hidden_sheets.extend((source.fichier, title) for title in source.hidden)
    for title, grid in source.sheets.items():
        key = fold(title)
        if key in _MEMBER_SHEETS:
            _read_members_sheet(source.fichier, title, grid, add, out)
            continue
        if sheet is not None and title != sheet:
            continue
        if sheet is None and key in _INFO_SHEETS:
            continue
        table = sheet_table(source.fichier, title, grid, is_demand_header)
        if table is None:
            if sheet is not None:
                add(
                    f"aucune ligne d'en-tête reconnue ; colonnes attendues : {EXPECTED_DEMAND}",
                    fichier=source.fichier,
                    feuille=title,
                )
            elif any(c.strip() for row in grid for c in row):
                out.ignored_sheets.append((source.fichier, title))
            continue
        found = True
        _table_to_part(table, add, out)
    if not found and sheet is None:
        said = next((h for grid in source.sheets.values() if (h := header_hint(grid))), "")
        add(
            "aucune feuille ne contient de ligne d'en-tête reconnue ; colonnes attendues : "
            f"{EXPECTED_DEMAND}{said}",
            fichier=source.fichier,
        )


def _number_columns(headers: list[str]) -> set[int]:
    """Quantity and price columns of a long-layout header (candidates for an uncoded column)."""
    if not is_long_header(headers):
        return set()
    return {pos for pos, f in map_headers(headers, DEMAND_ALIASES).items() if f in NUMBER_FIELDS}


MAX_CELL = 2000  # characters of one cell: names, codes and labels are far shorter


def _common_checks(table: RawTable, aliases: dict[str, frozenset[str]], add: AddProblem) -> bool:
    ok = True
    for pos, text in duplicate_headers(table.headers, aliases):
        add(
            f"en-tête en double : la colonne « {text} » apparaît plusieurs fois (colonne n° {pos + 1})",
            fichier=table.fichier,
            feuille=table.feuille or None,
            ligne=table.header_row,
            colonne=text,
        )
        ok = False
    for row in table.overflow:
        add(
            "valeur(s) à droite de la dernière colonne d'en-tête : ajoutez un en-tête ou supprimez-les",
            fichier=table.fichier,
            feuille=table.feuille or None,
            ligne=row,
        )
        ok = False
    for pos, column in enumerate(table.columns):
        long_rows = column.rows_where(
            np.fromiter(map(len, column.values), "int64", len(column.values)) > MAX_CELL
        )
        for i in np.flatnonzero(long_rows)[:50]:
            add(
                f"cellule de {len(column.values[column.codes[i]])} caractères ({MAX_CELL} au plus) : "
                "un texte collé par erreur ?",
                fichier=table.fichier,
                feuille=table.feuille or None,
                ligne=int(table.rows[i]),
                colonne=table.headers[pos],
            )
            ok = False
        flagged = column.formula_rows()
        for i in np.flatnonzero(flagged)[:50]:
            value = column.values[column.codes[i]]
            add(
                f"erreur de formule « {value!s} » : corrigez la cellule dans le classeur",
                fichier=table.fichier,
                feuille=table.feuille or None,
                ligne=int(table.rows[i]),
                colonne=table.headers[pos],
            )
    return ok


def _table_to_part(table: RawTable, add: AddProblem, out: Extracted) -> None:
    if is_long_header(table.headers):
        if _common_checks(table, DEMAND_ALIASES, add):
            out.parts.append(_long_part(table))
        return
    if _common_checks(table, DEMAND_ALIASES | SURVEY_INFO, add):
        part = _survey_part(table, add)
        if part is not None:
            out.parts.append(part)


def _long_part(table: RawTable) -> LongPart:
    mapping = map_headers(table.headers, DEMAND_ALIASES)
    n = len(table.rows)
    cols: dict[str, Coded] = {}
    headers: dict[str, str] = {}
    by_field = {f: pos for pos, f in mapping.items()}
    for f in VALUE_FIELDS:
        if f in by_field:
            cols[f] = table.columns[by_field[f]]
            headers[f] = table.headers[by_field[f]]
        else:
            cols[f] = Coded.constant("", n)
            headers[f] = f
    return LongPart(table.fichier, table.feuille, cols, table.rows, Coded.constant("", n), headers)


def _survey_part(table: RawTable, add: AddProblem) -> LongPart | None:
    """Survey layout: one row per product, one quantity column per member (or one ``quantite`` column)."""
    where = {"fichier": table.fichier, "feuille": table.feuille or None}
    fields = {
        pos: field_of(h, DEMAND_ALIASES) or field_of(h, SURVEY_INFO) for pos, h in enumerate(table.headers)
    }
    by_field: dict[str, int] = {}
    for pos, f in fields.items():
        if f is not None and f not in by_field:
            by_field[f] = pos
    member_cols: list[tuple[int, str]] = []
    for pos, h in enumerate(table.headers):
        if fields[pos] is not None:
            continue
        if not h.strip():
            if (table.data[pos] != "").any():
                add(
                    "colonne sans en-tête contenant des valeurs : indiquez le nom du membre dans l'en-tête",
                    ligne=table.header_row,
                    colonne=f"n° {pos + 1}",
                    **where,
                )
            continue
        member_cols.append((pos, h.strip()))
    if "quantite" in by_field:
        if member_cols:
            names = ", ".join(f"« {h} »" for _, h in member_cols)
            add(
                f"colonne « {table.headers[by_field['quantite']]} » et colonnes de membres "
                f"({names}) à la fois : "
                "une feuille par membre a une seule colonne de quantités",
                ligne=table.header_row,
                **where,
            )
            return None
        member_cols = [(by_field["quantite"], _single_member_name(table))]
    if not member_cols:
        add(
            "aucune colonne de quantités : ajoutez une colonne par membre (nom du membre en en-tête)",
            ligne=table.header_row,
            **where,
        )
        return None
    pieces: list[pd.DataFrame] = []
    headers = {f: table.headers[pos] for f, pos in by_field.items() if f in VALUE_FIELDS}
    for pos, member in member_cols:
        values = table.data[pos]
        keep = ~values.str.fullmatch(_ZERO.pattern).fillna(False).to_numpy() & (values != "").to_numpy()
        if not keep.any():
            continue
        piece = pd.DataFrame(
            {
                f: (table.data.loc[keep, by_field[f]] if f in by_field and f in VALUE_FIELDS else "")
                for f in VALUE_FIELDS
            }
        )
        piece["quantite"] = values[keep]
        piece["membre"] = member
        piece["ligne_source"] = table.rows[keep]
        piece["colonne_source"] = table.headers[pos]
        pieces.append(piece)
    if pieces:
        data = pd.concat(pieces, ignore_index=True)
    else:
        data = pd.DataFrame({f: pd.Series([], dtype=str) for f in VALUE_FIELDS})
        data["ligne_source"] = pd.Series([], dtype="int64")
        data["colonne_source"] = pd.Series([], dtype=str)
    for f in VALUE_FIELDS:
        headers.setdefault(f, f)
    return LongPart(
        table.fichier,
        table.feuille,
        {f: Coded.of(data[f].astype(str)) for f in VALUE_FIELDS},
        data["ligne_source"].to_numpy(dtype="int64"),
        Coded.of(data["colonne_source"].astype(str)),
        headers,
        survey=True,
    )


def _single_member_name(table: RawTable) -> str:
    """Member of a one-member file: a "Membre : X" cell above the header, else the file name."""
    for row in table.above:
        cells = [c.strip() for c in row if c.strip()]
        for i, cell in enumerate(cells):
            m = _MEMBER_CELL.match(fold(cell))
            if m:
                if m.group(2):
                    return cell.split(":", 1)[1].strip() if ":" in cell else cell[len(m.group(1)) :].strip()
                if i + 1 < len(cells):
                    return cells[i + 1]
    stem = table.fichier.rsplit(".", 1)[0]
    return stem.replace("_", " ").strip()


def _read_members_sheet(
    fichier: str, title: str, grid: list[list[str]], add: AddProblem, out: Extracted
) -> None:
    table = sheet_table(fichier, title, grid, is_members_header)
    if table is None:
        return
    mapping = {f: pos for pos, f in map_headers(table.headers, MEMBERS_ALIASES).items()}
    for i in range(len(table.data)):
        row = int(table.rows[i])

        def cell(name: str, i: int = i) -> str:
            return str(table.data.iat[i, mapping[name]]).strip() if name in mapping else ""

        membre = cell("membre")
        if not membre:
            continue
        cp_text = cell("code_postal")
        cp = parse_postcode(cp_text) if cp_text else None
        if cp_text and cp is None:
            add(
                postcode_error(cp_text),
                fichier=fichier,
                feuille=title,
                ligne=row,
                colonne=table.headers[mapping["code_postal"]],
            )
        info = SiteInfo(
            membre=membre,
            type=cell("type") or None,
            site=cell("site_livraison") or None,
            code_postal=cp,
            commune=cell("commune") or None,
        )
        out.sites.append((info, fichier, title, row))


@functools.lru_cache(maxsize=1 << 16)
def member_key(name: str) -> str:
    """Comparison key of a member or site name (case, accents, spaces and punctuation ignored)."""
    return header_key(name)
