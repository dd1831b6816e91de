"""The survey sheet (recensement.xlsx) members fill in, which :func:`read_demand` reads back unchanged.

Sheet "Recensement": one row per catalogue product (locked informative columns) and one unlocked quantity
column per member; sheet "Instructions"; sheet "Membres" (member, kind, delivery site, postcode, commune)
that gives the reader the postcodes. The file is byte-identical for identical inputs (fixed zip dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.intake.members import SiteInfo
from lotsmarche.models import CONSERVATION_LIBELLES, MEMBER_KINDS, Product
from lotsmarche.xlsxutil import (
    EURO,
    FONT,
    bold,
    header_cell,
    non_negative_rule,
    protect_structure,
    put_text,
    workbook_bytes,
)

SHEET = "Recensement"
INFO_HEADERS = ("Code", "Libellé", "Famille", "Conservation", "Unité", "Prix de référence HT (€)", "CPV")
# The group's choices per product, after the member columns; read back as `label_requis` and
# `conditionnement` (intake/headers.py), for every member's line of the product.
CHOICE_HEADERS = ("Label requis", "Conditionnement")
HEADER_ROW = 3
TITLE = "Recensement des besoins annuels du groupement de commandes"

INSTRUCTIONS = (
    "Recensement des besoins alimentaires du groupement de commandes",
    "",
    "1. Feuille « Recensement » : une ligne par produit du catalogue, une colonne par membre.",
    "2. Dans la colonne de votre établissement, saisissez la quantité ANNUELLE dans l'unité de la colonne "
    "« Unité » (kg, pièce, litre...).",
    "3. Laissez la cellule vide (ou 0) pour un produit dont vous n'avez pas besoin.",
    "4. Nombres : virgule décimale acceptée, 3 décimales au plus. Aucune formule n'est nécessaire.",
    "5. Feuille « Membres » : vérifiez le type d'établissement, le site de livraison et son code postal "
    "(5 chiffres) ; ils servent à définir les zones de livraison des lots.",
    "6. Le nom en tête de colonne doit rester identique au nom de la feuille « Membres ».",
    "7. Ne modifiez pas les colonnes grisées (code, libellé, prix de référence) : elles proviennent du "
    "catalogue. Le prix de référence est indicatif ; il sert à estimer la valeur du besoin.",
    "8. Colonnes « Label requis » et « Conditionnement » (après les colonnes des membres), remplies par le "
    "coordonnateur : le label exigé pour le produit (vide : aucun) et son conditionnement (prérempli avec "
    "celui du catalogue ; par exemple bocal_verre ou bac_gastronorme_inox pour un yaourt servi à l'école). "
    "Ils valent pour tous les membres. Les codes possibles sont listés plus bas.",
    "9. Renvoyez le fichier au coordonnateur du groupement sans le renommer en .xls ni le convertir.",
    "",
    "Contrôle : « lotsmarche demand check recensement.xlsx » vérifie le fichier et liste chaque problème "
    "(feuille, ligne, colonne).",
)


def write_survey(
    cat: Catalogue,
    out: Path,
    familles: list[str] | None,
    membres: Sequence[str | SiteInfo] | None,
    force: bool = False,
) -> None:
    """Write the survey workbook to ``out`` (atomically; OutputExistsError if it exists without ``force``)."""
    if out.exists() and not force:
        raise OutputExistsError(
            "Le fichier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
        )
    unknown = sorted(set(familles or []) - set(cat.familles))
    if unknown:
        raise InputError(
            "Famille inconnue",
            [
                Problem(f"famille « {f} » inconnue ; familles possibles : {', '.join(sorted(cat.familles))}")
                for f in unknown
            ],
        )
    infos = [
        _with_postcode(m if isinstance(m, SiteInfo) else SiteInfo(membre=m), cat) for m in (membres or [])
    ]
    if not infos:
        infos = [SiteInfo(membre=f"Membre {i}") for i in (1, 2, 3)]
    names = [i.membre for i in infos]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError("Membres en double", [Problem(f"membre « {n} » présent deux fois") for n in dup])
    _atomic_write(out, _build(cat, familles, infos))


def _with_postcode(info: SiteInfo, cat: Catalogue) -> SiteInfo:
    """Fill the postcode from the commune (catalogue territories) when only the commune is known."""
    if info.code_postal or not info.commune:
        return info
    from lotsmarche.intake.places import member_commune

    commune = member_commune(cat, info.commune, info.membre)
    if commune is None or not commune.codes_postaux:
        return info
    label = cat.libelle_commune(commune.code_insee)  # written back unambiguously (« Saint-Denis (974) »)
    return SiteInfo(info.membre, info.type, info.site, commune.codes_postaux[0], label)


def _build(cat: Catalogue, familles: list[str] | None, infos: list[SiteInfo]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    products = sorted(
        (p for p in cat.produits.values() if not familles or p.famille in familles),
        key=lambda p: (p.famille, p.code),
    )
    ws = wb.active
    ws.title = SHEET
    _survey_sheet(ws, cat, products, infos)
    lists = _instructions_sheet(wb.create_sheet("Instructions"), cat)
    _choice_rules(ws, lists, len(infos), len(products))
    _members_sheet(wb.create_sheet("Membres"), infos)
    return workbook_bytes(wb, TITLE)


def _survey_sheet(ws: Any, cat: Catalogue, products: list[Product], infos: list[SiteInfo]) -> None:
    """Sheet « Recensement »: locked product columns, one unlocked quantity column per member, then the
    group's choices per product (label required, packaging), unlocked."""
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    first_member = len(INFO_HEADERS) + 1
    last_member = len(INFO_HEADERS) + len(infos)
    ws.cell(1, 1, TITLE).font = bold(size=14)
    ws.cell(
        2,
        1,
        "Quantités annuelles dans l'unité indiquée ; cellule vide = pas de besoin. "
        "Voir la feuille « Instructions ».",
    ).font = Font(name=FONT, italic=True)
    grey = PatternFill("solid", fgColor="E7E6E6")
    for j, title in enumerate([*INFO_HEADERS, *(i.membre for i in infos), *CHOICE_HEADERS], start=1):
        c = ws.cell(HEADER_ROW, j)
        header_cell(c, title)  # a member named "=..." stays text, never a formula
        if j <= len(INFO_HEADERS):
            c.fill = grey
    for r, p in enumerate(products, start=HEADER_ROW + 1):
        for j, value in enumerate(_info_values(cat, p), start=1):
            c = ws.cell(r, j)
            c.fill = grey
            if isinstance(value, str):
                put_text(c, value)
            else:
                c.value = value
                c.number_format = EURO
        for j in range(first_member, last_member + 1):
            c = ws.cell(r, j)
            c.protection = Protection(locked=False)
            c.number_format = "#,##0.###"
        for j, value in enumerate(("", p.conditionnement_defaut), start=last_member + 1):
            c = ws.cell(r, j)
            if value:
                put_text(c, value)
            c.protection = Protection(locked=False)
    if products:
        dv = non_negative_rule(
            "Quantité invalide", "Saisissez une quantité annuelle positive ou laissez la cellule vide."
        )
        last_row = HEADER_ROW + len(products)
        first, last = get_column_letter(first_member), get_column_letter(last_member)
        dv.add(f"{first}{HEADER_ROW + 1}:{last}{last_row}")
        ws.add_data_validation(dv)
    for j, width in enumerate((26, 42, 24, 18, 8, 14, 13), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for j in range(first_member, last_member + 1):
        ws.column_dimensions[get_column_letter(j)].width = 18
    for j, width in enumerate((16, 30), start=last_member + 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, first_member)
    protect_structure(ws)


def _info_values(cat: Catalogue, p: Product) -> list[Any]:
    return [
        p.code,
        p.libelle,
        cat.familles[p.famille].libelle if p.famille in cat.familles else p.famille,
        CONSERVATION_LIBELLES.get(p.conservation, p.conservation),
        p.unite,
        p.prix_reference_ht,
        p.cpv,
    ]


def _instructions_sheet(ins: Any, cat: Catalogue) -> list[str]:
    """Sheet « Instructions », then the codes each choice column accepts; returns their cell ranges."""
    for r, line in enumerate(INSTRUCTIONS, start=1):
        put_text(ins.cell(r, 1), line)
        if r == 1:
            ins.cell(r, 1).font = bold()
    ins.column_dimensions["A"].width = 120
    ins.column_dimensions["B"].width = 60
    ranges: list[str] = []
    row = len(INSTRUCTIONS) + 2
    labels = [(lab.code, lab.libelle) for lab in sorted(cat.labels.values(), key=lambda x: x.code)]
    packagings = [(pk.code, pk.libelle) for pk in sorted(cat.conditionnements.values(), key=lambda x: x.code)]
    for title, entries in zip(CHOICE_HEADERS, (labels, packagings), strict=True):
        put_text(ins.cell(row, 1), f"Codes possibles de la colonne « {title} »")
        ins.cell(row, 1).font = bold()
        first = row + 1
        for i, (code, libelle) in enumerate(entries, start=first):
            put_text(ins.cell(i, 1), code)
            put_text(ins.cell(i, 2), libelle)
        ranges.append(f"Instructions!$A${first}:$A${first + len(entries) - 1}")
        row = first + len(entries) + 1
    return ranges


def _choice_rules(ws: Any, ranges: list[str], members: int, products: int) -> None:
    """Drop-down lists of the label and packaging columns (codes listed on the Instructions sheet)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if not products:
        return
    last_row = HEADER_ROW + products
    for column, source in enumerate(ranges, start=len(INFO_HEADERS) + members + 1):
        rule = DataValidation(type="list", formula1=source, allow_blank=True)
        rule.errorTitle = "Code inconnu"
        rule.error = "Choisissez un code de la liste (feuille « Instructions »)."
        letter = get_column_letter(column)
        rule.add(f"{letter}{HEADER_ROW + 1}:{letter}{last_row}")
        ws.add_data_validation(rule)


def _members_sheet(mem: Any, infos: list[SiteInfo]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for j, title in enumerate(("Membre", "Type", "Site de livraison", "Code postal", "Commune"), start=1):
        header_cell(mem.cell(1, j), title)
    for r, info in enumerate(infos, start=2):
        row = (
            info.membre,
            info.type or "",
            info.site or info.membre,
            info.code_postal or "",
            info.commune or "",
        )
        for j, value in enumerate(row, start=1):
            c = mem.cell(r, j)
            put_text(c, value)
            c.number_format = "@"
    kinds = DataValidation(type="list", formula1='"' + ",".join(MEMBER_KINDS) + '"', allow_blank=True)
    kinds.add(f"B2:B{max(len(infos) + 1, 200)}")
    mem.add_data_validation(kinds)
    for j, width in enumerate((36, 16, 36, 12, 24), start=1):
        mem.column_dimensions[get_column_letter(j)].width = width
    mem.freeze_panes = "A2"


def _atomic_write(out: Path, data: bytes) -> None:
    from lotsmarche.atomic import write_bytes

    write_bytes(out, data)


def load_survey_members(path: Path) -> list[SiteInfo]:
    """Members for the survey from a CSV/XLSX (membre, type, site, code postal, commune) or a YAML file
    (a list of names or of mappings, or a groupement.yaml with ``membres``)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _members_yaml(path)
    from lotsmarche.intake.headers import MEMBERS_ALIASES, is_members_header, map_headers
    from lotsmarche.intake.tabular import RawTable, header_tables
    from lotsmarche.intake.values import parse_postcode, postcode_error

    problems: list[Problem] = []

    def add(message: str, **where: Any) -> None:
        problems.append(Problem(message, **where))

    tables = header_tables(path, is_members_header, add, "« membre » et « code postal » ou « type »")
    out: list[SiteInfo] = []
    for t in tables:
        cols = {f: pos for pos, f in map_headers(t.headers, MEMBERS_ALIASES).items()}
        for i in range(len(t.data)):

            def cell(f: str, i: int = i, t: RawTable = t, cols: dict[str, int] = cols) -> str:
                return str(t.data.iat[i, cols[f]]).strip() if f in cols else ""

            if not cell("membre"):
                continue
            cp = cell("code_postal")
            if cp and parse_postcode(cp) is None:
                add(
                    postcode_error(cp),
                    fichier=t.fichier,
                    feuille=t.feuille or None,
                    ligne=int(t.rows[i]),
                    colonne=t.headers[cols["code_postal"]],
                )
            out.append(
                SiteInfo(
                    membre=cell("membre"),
                    type=cell("type") or None,
                    site=cell("site_livraison") or None,
                    code_postal=parse_postcode(cp) if cp else None,
                    commune=cell("commune") or None,
                )
            )
    if problems:
        raise InputError("Fichier des membres invalide", problems)
    return out


def _members_yaml(path: Path) -> list[SiteInfo]:
    from lotsmarche.yamlsafe import YamlProblem, load_yaml

    try:
        _node, data = load_yaml(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            "Fichier des membres invalide", [Problem("fichier introuvable", fichier=str(path))]
        ) from None
    except (OSError, UnicodeDecodeError):
        raise InputError(
            "Fichier des membres invalide", [Problem("fichier YAML illisible", fichier=path.name)]
        ) from None
    except YamlProblem as exc:
        raise InputError("Fichier des membres invalide", [Problem(exc.text(), fichier=path.name)]) from None
    if isinstance(data, dict):
        data = data.get("membres", [])
    if not isinstance(data, list):
        raise InputError(
            "Fichier des membres invalide", [Problem("une liste de membres est attendue", fichier=path.name)]
        )
    out: list[SiteInfo] = []
    for i, item in enumerate(data, start=1):
        if isinstance(item, str):
            out.append(SiteInfo(membre=item.strip()))
        elif isinstance(item, dict) and (item.get("nom") or item.get("membre")):
            cp = item.get("code_postal")
            out.append(
                SiteInfo(
                    membre=str(item.get("nom") or item.get("membre")).strip(),
                    type=item.get("type"),
                    site=item.get("site") or item.get("site_livraison"),
                    code_postal=str(cp) if cp is not None else None,
                    commune=item.get("commune"),
                )
            )
        else:
            raise InputError(
                "Fichier des membres invalide",
                [Problem(f"membre n° {i} : un nom est attendu", fichier=path.name)],
            )
    return out


def make_survey(
    out: Path,
    *,
    familles: list[str] | None,
    membres_file: Path | None,
    groupement_file: Path | None,
    catalogues: Path | None,
    force: bool = False,
) -> Path:
    """What ``lotsmarche demand template`` does: members from ``membres_file``, else groupement.yaml."""
    from lotsmarche.atomic import check_apart
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement

    check_apart([out], [membres_file, groupement_file, catalogues])
    if out.exists() and not force:  # checked first: nothing is read or written in vain
        raise OutputExistsError(
            "Le fichier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
        )
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            "Nom de fichier invalide",
            [Problem("la feuille de recensement est un classeur : nom en .xlsx attendu", fichier=str(out))],
        )
    cat = load_catalogue(catalogues)
    infos: list[SiteInfo] = []
    if membres_file is not None:
        infos = load_survey_members(membres_file)
    elif groupement_file is not None:
        g = load_groupement(groupement_file, cat)
        from lotsmarche.intake.places import insee_ref

        infos = [
            SiteInfo(membre=m.nom, type=m.type, commune=insee_ref(m.insee) if m.insee else m.commune)
            for m in g.membres
        ]
    write_survey(cat, out, familles, infos, force=force)
    return out
