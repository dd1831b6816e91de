"""The lot plan on disk: ``lots.json`` (JSON Schema in ``schemas/lots.schema.json``) and ``lots.xlsx``.

``lots.json`` is byte-stable: pydantic's JSON mode (Decimal and dates as strings), sorted keys, UTF-8, two
spaces, final newline. ``lots.xlsx`` is for people: one sheet per view, numbers as numbers with
French-friendly formats, every text written as literal text (a member named "=SOMME(...)" stays text), and
fixed workbook and zip dates so that two runs give the same bytes. Files are written to a temporary name in
the target folder and renamed, so a failure never leaves half a file; an existing file is only replaced
with ``force``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.models import (
    CONSERVATION_LIBELLES,
    REGIME_LIBELLES,
    SCHEMA_VERSION,
    LotPlan,
    lot_conservations,
)

SCHEMA_ID = "https://lotsmarche.example/schemas/lots.schema.json"
FIXED_DATE = datetime(2000, 1, 1, 0, 0, 0)
EURO_FORMAT = '#,##0.00 "€"'
QTY_FORMAT = "#,##0.###"
PCT_FORMAT = "0.00 %"
FORMULA_START = ("=", "+", "-", "@")


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def plan_to_json(plan: LotPlan) -> str:
    """The canonical text of lots.json."""
    data = plan.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def plan_from_json(text: str, source_name: str) -> LotPlan:
    """Read lots.json; InputError naming the file and the JSON path of each bad field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            "Fichier lots.json illisible",
            [
                Problem(
                    f"JSON invalide : {_json_reason(exc.msg)} (colonne {exc.colno}) ; un fichier lots.json "
                    "produit par « lotsmarche lots » est attendu",
                    fichier=source_name,
                    ligne=exc.lineno,
                )
            ],
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            "Fichier lots.json invalide", [Problem("un objet JSON est attendu", fichier=source_name)]
        )
    found = data.get("schema_version")
    if found != SCHEMA_VERSION:
        raise InputError(
            "Version de lots.json non prise en charge",
            [
                Problem(
                    f"schema_version vaut {json.dumps(found, ensure_ascii=False)} ; cette version de "
                    f"lotsmarche lit la version « {SCHEMA_VERSION} ». Régénérez le fichier avec "
                    "« lotsmarche lots ».",
                    fichier=source_name,
                    colonne="schema_version",
                )
            ],
        )
    try:
        return LotPlan.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(f"{_french_error(err)}", fichier=source_name, colonne=json_path(err["loc"]))
            for err in exc.errors()[:50]
        ]
        raise InputError("Fichier lots.json invalide", problems) from exc


_JSON_REASONS = {
    "Expecting value": "valeur attendue (ce fichier n'est peut-être pas du JSON : un CSV, un classeur ?)",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets droits attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Unterminated string starting at": "texte entre guillemets non fermé",
    "Invalid control character at": "caractère de contrôle interdit dans un texte",
    "Extra data": "données en trop après la fin du document",
    "Invalid \\escape": "séquence d'échappement « \\ » invalide",
    "Invalid \\uXXXX escape": "séquence « \\uXXXX » invalide",
}


def _json_reason(msg: str) -> str:
    """The French reason for a ``json.JSONDecodeError`` message."""
    for english, french in _JSON_REASONS.items():
        if msg.startswith(english):
            return french
    return "syntaxe incorrecte"


def json_path(loc: tuple[int | str, ...]) -> str:
    """``('lots', 2, 'items', 0, 'quantite_annuelle')`` -> ``lots[2].items[0].quantite_annuelle``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(racine)"


def _french_error(err: Any) -> str:
    kind = str(err.get("type", ""))
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return "champ inconnu"
    if kind.startswith("decimal"):
        return "montant ou quantité décimal attendu"
    if kind.startswith("int"):
        return "nombre entier attendu"
    if kind.startswith("date"):
        return "date AAAA-MM-JJ attendue"
    if kind == "literal_error":
        return "valeur non autorisée"
    if kind.startswith(("string", "str")):
        return "texte attendu"
    if kind.startswith(("list", "dict", "model")):
        return "structure incorrecte"
    return "valeur invalide"


DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _schema_generator() -> type[Any]:
    from pydantic.json_schema import GenerateJsonSchema

    class DecimalStrings(GenerateJsonSchema):
        """Decimals are written as plain decimal strings: say so with our own pattern, the same whatever
        the pydantic version (their generated pattern changed between 2.13 and 2.14)."""

        def decimal_schema(self, schema: Any) -> dict[str, Any]:
            return {"type": "string", "pattern": DECIMAL_PATTERN}

    return DecimalStrings


def lots_json_schema() -> dict[str, Any]:
    """JSON Schema of lots.json, as committed in ``schemas/lots.schema.json``."""
    schema = LotPlan.model_json_schema(mode="serialization", schema_generator=_schema_generator())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = f"lotsmarche — plan d'allotissement (lots.json), version {SCHEMA_VERSION}"
    schema["description"] = (
        "Plan d'allotissement produit par « lotsmarche lots » : groupement, date de lancement, durée, "
        "ligne de seuils appliquée, lots (articles, répartition par membre et par site, montants annuels, "
        "estimés sur la durée, minimum et maximum de l'accord-cadre à bons de commande, procédure et motifs, "
        "fournisseurs du sourçage capables de servir chaque lot), totaux, procédure d'ensemble et part des "
        "lots dérogatoires. Montants HT en euros, écrits comme des chaînes décimales (« 1234.50 ») ; dates "
        "AAAA-MM-JJ."
    )
    return schema


def schema_text() -> str:
    return json.dumps(lots_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _text(cell: Any, value: str) -> None:
    """Literal text, never a formula, whatever its first character (as ``xlsxutil.put_text``)."""
    from lotsmarche.xlsxutil import put_text

    put_text(cell, value)


def _put(ws: Any, row: int, col: int, value: object, fmt: str | None = None) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, str):
        _text(cell, value)
        return
    cell.value = value
    if fmt:
        cell.number_format = fmt


def _sheet(
    wb: Any, title: str, headers: list[tuple[str, int]], rows: list[list[tuple[object, str | None]]]
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    for c, (name, width) in enumerate(headers, start=1):
        _put(ws, 1, c, name)
        ws.cell(row=1, column=c).font = bold
        ws.cell(row=1, column=c).alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=2):
        for c, (value, fmt) in enumerate(row, start=1):
            _put(ws, r, c, value, fmt)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _amount(v: Decimal | None) -> tuple[object, str | None]:
    return (v, EURO_FORMAT) if v is not None else (None, None)


def lots_workbook_bytes(plan: LotPlan) -> bytes:
    """lots.xlsx content, deterministic (fixed document dates and zip entry dates)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    lots_rows: list[list[tuple[object, str | None]]] = []
    for lot in plan.lots:
        lots_rows.append(
            [
                (lot.numero, None),
                (lot.intitule, None),
                (lot.famille, None),
                (", ".join(CONSERVATION_LIBELLES.get(c, c) for c in lot_conservations(lot)), None),
                (REGIME_LIBELLES.get(lot.regime_emballage, lot.regime_emballage), None),
                (", ".join(lot.territoires), None),
                (lot.cpv_principal, None),
                _amount(lot.montant_annuel_ht),
                _amount(lot.montant_estime_duree_ht),
                _amount(lot.montant_minimum_ht),
                _amount(lot.montant_maximum_ht),
                (lot.procedure.libelle, None),
                (lot.nb_fournisseurs_capables, None),
                (", ".join(lot.fournisseurs_capables), None),
            ]
        )
    lots_rows.append(
        [
            (None, None),
            ("Total", None),
            *[(None, None)] * 5,
            _amount(plan.montant_total_annuel_ht),
            _amount(plan.montant_total_estime_ht),
            (None, None),
            _amount(plan.montant_total_maximum_ht),
            (plan.procedure.libelle, None),
            (None, None),
            (None, None),
        ]
    )
    _sheet(
        wb,
        "Lots",
        [
            ("N°", 6),
            ("Intitulé", 48),
            ("Famille", 20),
            ("Conservation", 16),
            ("Régime d'emballage", 36),
            ("Territoires", 24),
            ("CPV principal", 13),
            ("Montant annuel HT", 16),
            (f"Montant estimé sur {plan.duree_mois} mois HT", 18),
            ("Minimum HT", 15),
            ("Maximum HT", 16),
            ("Procédure", 36),
            ("Fournisseurs capables", 12),
            ("Noms des fournisseurs capables", 50),
        ],
        lots_rows,
    )
    item_rows: list[list[tuple[object, str | None]]] = []
    share_rows: list[list[tuple[object, str | None]]] = []
    for lot in plan.lots:
        for it in lot.items:
            item_rows.append(
                [
                    (lot.numero, None),
                    (it.produit, None),
                    (it.libelle, None),
                    (it.unite, None),
                    (it.quantite_annuelle, QTY_FORMAT),
                    _amount(it.prix_unitaire_ht),
                    _amount(it.montant_annuel_ht),
                    (it.tva, "0.0"),
                    (it.cpv, None),
                    (it.conditionnement, None),
                    (", ".join(it.labels_requis), None),
                    (" ".join(str(m) for m in it.mois), None),
                    (len(it.lignes), None),
                ]
            )
            for rm in it.repartition_membres:
                share_rows.append(
                    [
                        (lot.numero, None),
                        (it.produit, None),
                        (it.libelle, None),
                        (rm.membre, None),
                        (rm.quantite, QTY_FORMAT),
                        (it.unite, None),
                        _amount(rm.montant_annuel_ht),
                    ]
                )
    _sheet(
        wb,
        "Articles",
        [
            ("Lot", 6),
            ("Produit", 26),
            ("Libellé", 44),
            ("Unité", 7),
            ("Quantité annuelle", 14),
            ("Prix unitaire HT", 14),
            ("Montant annuel HT", 16),
            ("TVA %", 7),
            ("CPV", 13),
            ("Conditionnement", 22),
            ("Labels requis", 18),
            ("Mois", 24),
            ("Lignes de la demande", 10),
        ],
        item_rows,
    )
    _sheet(
        wb,
        "Répartition",
        [
            ("Lot", 6),
            ("Produit", 26),
            ("Libellé", 44),
            ("Membre", 40),
            ("Quantité annuelle", 14),
            ("Unité", 7),
            ("Montant annuel HT", 16),
        ],
        share_rows,
    )
    _summary(wb, plan)
    wb.properties.creator = "lotsmarche"
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.properties.lastModifiedBy = "lotsmarche"
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue())


def _summary(wb: Any, plan: LotPlan) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet("Synthèse")
    rows: list[tuple[str, object, str | None]] = [
        ("Groupement", plan.groupement.nom, None),
        ("Référence", plan.groupement.reference, None),
        ("Stratégie d'allotissement", plan.strategie, None),
        ("Date de lancement", plan.date_lancement.isoformat(), None),
        ("Durée totale (mois)", plan.duree_mois, None),
        ("Ligne de seuils appliquée", plan.seuils.id, None),
        ("Nombre de lots", len(plan.lots), None),
        ("Montant total annuel HT", plan.montant_total_annuel_ht, EURO_FORMAT),
        ("Montant total estimé sur la durée HT", plan.montant_total_estime_ht, EURO_FORMAT),
        ("Montant total maximum HT", plan.montant_total_maximum_ht, EURO_FORMAT),
        ("Procédure d'ensemble", plan.procedure.libelle, None),
        ("Seuil européen appliqué HT", plan.procedure.seuil_applique, EURO_FORMAT),
        ("Part des lots dérogatoires", plan.part_derogations, PCT_FORMAT),
        ("Lots par candidat (maximum)", plan.lots_max_par_candidat, None),
        ("Motivation du non-allotissement", plan.justification_non_allotissement, None),
        ("Lignes de la demande", plan.lignes_demande, None),
    ]
    for r, (label, value, fmt) in enumerate(rows, start=1):
        _put(ws, r, 1, label)
        ws.cell(row=r, column=1).font = Font(bold=True)
        _put(ws, r, 2, value, fmt)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed dates: openpyxl stamps ``modified`` with the time of saving and zip
    entries carry the time of day, both of which would make two runs differ."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def write_lots_xlsx(plan: LotPlan, out: Path) -> None:
    """Write lots.xlsx atomically (replaces an existing file: callers check ``force`` first)."""
    _atomic_write(out, lots_workbook_bytes(plan))


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def check_outputs(paths: list[Path], force: bool) -> None:
    """OutputExistsError listing the outputs that exist, unless ``force``."""
    if force:
        return
    existing = [p for p in paths if p.exists()]
    if existing:
        raise OutputExistsError(
            "Fichier de sortie déjà présent",
            [
                Problem("le fichier existe déjà ; ajoutez --force pour le remplacer", fichier=str(p))
                for p in existing
            ],
        )


def _atomic_write(out: Path, data: bytes, replace: bool = True) -> None:
    from lotsmarche.atomic import write_bytes

    write_bytes(out, data, replace=replace)


def save_plan(plan: LotPlan, out_json: Path, out_xlsx: Path | None = None, force: bool = False) -> list[Path]:
    """Write lots.json (and lots.xlsx): both are prepared in memory first, then each renamed into place."""
    targets = [out_json] + ([out_xlsx] if out_xlsx is not None else [])
    check_outputs(targets, force)
    payloads = [plan_to_json(plan).encode("utf-8")]
    if out_xlsx is not None:
        payloads.append(lots_workbook_bytes(plan))
    for path, data in zip(targets, payloads, strict=True):
        _atomic_write(path, data, replace=force)  # without force, a file that appeared meanwhile stays
    return targets
