"""The supplier questionnaire (questionnaire.xlsx) the buyer sends before the tender; ``answers`` reads it.

Sheets: « Instructions » (what each column means, then the code lists the drop-downs use), « Fournisseur »
(identity and delivery conditions, one answer per row), « Produits » (one row per catalogue product, the
volume it can deliver each month in the product's unit, then free rows for other catalogue products),
« Zones » (delivery zones: the group's territories, EPCI and communes, or the catalogue's territories) and
« Labels » (labels and certifications held, with their expiry date; equivalents on free rows). The
structure is locked like the survey sheet: only the answer cells are unlocked. Same inputs, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.models import CONSERVATION_LIBELLES, Groupement, Product
from lotsmarche.sourcing.common import (
    CANDIDATURES,
    DAYS,
    FREQUENCIES,
    MONTHS,
    SUPPLIER_KINDS,
    date_fr,
)
from lotsmarche.xlsxutil import (
    bold,
    header_cell,
    non_negative_rule,
    protect_structure,
    put_text,
    workbook_bytes,
)

TITLE = "Questionnaire fournisseur : sourçage du groupement de commandes"
IDENTITY, PRODUCTS, ZONES, LABELS, INSTRUCTIONS = "Fournisseur", "Produits", "Zones", "Labels", "Instructions"
HEADER_ROW = 4  # header row of every answer sheet (title and help above it)
EXTRA_PRODUCTS, EXTRA_ZONES, EXTRA_LABELS = 30, 10, 5  # free rows for answers outside the lists
ALL_ZONES = "Toutes les zones"

PRODUCT_HEADERS = ("Code", "Libellé", "Famille", "Conservation", "Unité", *(m.capitalize() for m in MONTHS))
ZONE_HEADERS = ("Zone", "Nature", "Livrée (oui/non)")
LABEL_HEADERS = ("Code", "Libellé", "Détenu (oui/non)", "Date d'échéance", "N° de certificat", "Équivalent à")
IDENTITY_HEADERS = ("Question", "Réponse", "Aide")


@dataclass(frozen=True)
class Question:
    key: str  # Supplier field (``jour:lundi`` for a delivery day)
    libelle: str  # what column A shows, and how the reader finds the answer
    aide: str
    liste: str | None = None  # name of a code list of the Instructions sheet, or "oui_non"


QUESTIONS: tuple[Question, ...] = (
    Question("nom", "Nom ou raison sociale", "Obligatoire. Le nom sous lequel vous répondriez."),
    Question("siret", "SIRET", "14 chiffres, sans espace (annuaire-entreprises.data.gouv.fr)."),
    Question("type", "Type d'activité", "Choisissez dans la liste.", "types"),
    Question(
        "commune",
        "Commune de l'établissement",
        "Nom de la commune, ex. Boulogne-sur-Mer ou 62200 Boulogne-sur-Mer.",
    ),
    Question(
        "agrement_sanitaire",
        "Numéro d'agrément sanitaire",
        "Marque d'identification de l'établissement, ex. FR 62.160.001 CE (vide si dispensé).",
    ),
    Question(
        "circuit_court",
        "Vente directe ou un seul intermédiaire",
        "oui : au plus un intermédiaire.",
        "oui_non",
    ),
    Question(
        "livraison_reemployable",
        "Livraison en caisses réemployables",
        "oui : caisses consignées ou lavables, reprises à la livraison suivante.",
        "oui_non",
    ),
    *(Question(f"jour:{d}", f"Livraison possible le {d}", "oui ou non.", "oui_non") for d in DAYS),
    Question(
        "frequence_livraison", "Fréquence de livraison", "Livraisons par semaine possibles.", "frequences"
    ),
    Question("minimum_commande_ht", "Minimum de commande (€ HT)", "Montant par livraison ; vide si aucun."),
    Question(
        "capacite_annuelle_ht",
        "Capacité annuelle pour le groupement (€ HT)",
        "Facultatif : ce que vous pourriez livrer au groupement en un an, tous produits.",
    ),
    Question(
        "capacite_annuelle_kg",
        "Capacité annuelle pour le groupement (kg)",
        "Facultatif : la même capacité en kilogrammes, si vous la suivez ainsi.",
    ),
    Question(
        "candidature",
        "Candidature envisagée",
        "Seul, en groupement avec d'autres entreprises, ou l'un ou l'autre.",
        "candidatures",
    ),
)


def questionnaire_bytes(cat: Catalogue, familles: list[str] | None, groupement: Groupement | None) -> bytes:
    """The questionnaire workbook for ``familles`` (None: every family), zoned on ``groupement``."""
    from openpyxl import Workbook

    unknown = sorted(set(familles or []) - set(cat.familles))
    if unknown:
        raise InputError(
            "Famille inconnue",
            [
                Problem(f"famille « {f} » inconnue ; familles possibles : {', '.join(sorted(cat.familles))}")
                for f in unknown
            ],
        )
    products = sorted(
        (p for p in cat.produits.values() if not familles or p.famille in familles),
        key=lambda p: (p.famille, p.code),
    )
    wb = Workbook()
    ins = wb.active
    ins.title = INSTRUCTIONS
    lists = _instructions(ins, cat, groupement)
    _identity(wb.create_sheet(IDENTITY), lists, groupement)
    _products(wb.create_sheet(PRODUCTS), cat, products, lists)
    _zones(wb.create_sheet(ZONES), zone_rows(cat, groupement), lists)
    _labels(wb.create_sheet(LABELS), cat, lists)
    wb.active = 1  # opens on « Fournisseur »
    subject = f"Groupement : {groupement.nom}" if groupement is not None else ""
    return workbook_bytes(wb, TITLE, subject)


def zone_rows(cat: Catalogue, groupement: Groupement | None) -> list[tuple[str, str]]:
    """(zone, nature) rows of the « Zones » sheet: the group's territories, EPCI and communes when a
    groupement is given, else the territories of the catalogue's maps."""
    rows = [(ALL_ZONES, "toutes")]
    codes = sorted({m.insee for m in (groupement.membres if groupement else []) if m.insee})
    codes = [c for c in codes if c in cat.geo.rows]
    if not codes:
        return rows + [(t, "territoire") for t in cat.territoires_cartes()]
    geo = cat.geo
    territories = sorted({cat.territoire(c) for c in codes})
    epci = sorted({geo.epci[geo.rows[c].epci_siren] for c in codes if geo.rows[c].epci_siren in geo.epci})
    communes = sorted({cat.libelle_commune(c) for c in codes})
    return (
        rows
        + [(t, "territoire") for t in territories]
        + [(e, "EPCI") for e in epci if e not in territories]
        + [(c, "commune") for c in communes]
    )


def _title(ws: Any, title: str, help_text: str) -> None:
    from openpyxl.styles import Font

    from lotsmarche.xlsxutil import FONT

    put_text(ws.cell(1, 1), title)
    ws.cell(1, 1).font = bold(size=14)
    put_text(ws.cell(2, 1), help_text)
    ws.cell(2, 1).font = Font(name=FONT, italic=True)


def _grey() -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor="E7E6E6")


def _unlock(cell: Any, number_format: str | None = None) -> None:
    from openpyxl.styles import Protection

    cell.protection = Protection(locked=False)
    if number_format:
        cell.number_format = number_format


def _rule(ws: Any, source: str, ranges: str, error: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type="list", formula1=source, allow_blank=True)
    rule.errorTitle = "Valeur hors liste"
    rule.error = error
    rule.add(ranges)
    ws.add_data_validation(rule)


def _identity(ws: Any, lists: dict[str, str], groupement: Groupement | None) -> None:
    help_text = "Une réponse par ligne, colonne « Réponse ». Voir la feuille « Instructions »."
    if groupement is not None:
        help_text = (
            f"Groupement : {groupement.nom} · lancement envisagé de la consultation le "
            f"{date_fr(groupement.date_lancement)}. " + help_text
        )
    _title(ws, TITLE, help_text)
    for j, title in enumerate(IDENTITY_HEADERS, start=1):
        header_cell(ws.cell(HEADER_ROW, j), title)
    for r, q in enumerate(QUESTIONS, start=HEADER_ROW + 1):
        put_text(ws.cell(r, 1), q.libelle)
        ws.cell(r, 1).fill = _grey()
        if q.key == "nom":
            ws.cell(r, 1).font = bold()
        _unlock(ws.cell(r, 2), "@" if q.key in ("siret", "commune", "agrement_sanitaire") else None)
        put_text(ws.cell(r, 3), q.aide)
        if q.liste == "oui_non":
            _rule(ws, '"oui,non"', f"B{r}", "Répondez oui ou non.")
        elif q.liste:
            _rule(
                ws, lists[q.liste], f"B{r}", "Choisissez une valeur de la liste (feuille « Instructions »)."
            )
    for letter, width in (("A", 44), ("B", 44), ("C", 80)):
        ws.column_dimensions[letter].width = width
    protect_structure(ws)


def _products(ws: Any, cat: Catalogue, products: list[Product], lists: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter

    _title(
        ws,
        "Volumes disponibles par mois",
        "Pour chaque produit que vous proposez : le volume que vous pourriez livrer au groupement chaque "
        "mois, dans l'unité de la colonne « Unité ». Ligne vide : produit non proposé ; mois vide : 0.",
    )
    for j, title in enumerate(PRODUCT_HEADERS, start=1):
        header_cell(ws.cell(HEADER_ROW, j), title)
    first_month = 6
    r = HEADER_ROW
    for r, p in enumerate(products, start=HEADER_ROW + 1):
        info = (
            p.code,
            p.libelle,
            cat.familles[p.famille].libelle if p.famille in cat.familles else p.famille,
            CONSERVATION_LIBELLES.get(p.conservation, p.conservation),
            cat.unite(p.unite),
        )
        for j, value in enumerate(info, start=1):
            put_text(ws.cell(r, j), value)
            ws.cell(r, j).fill = _grey()
        for j in range(first_month, first_month + 12):
            _unlock(ws.cell(r, j), "#,##0.###")
    last_listed = r
    for r in range(last_listed + 1, last_listed + 1 + EXTRA_PRODUCTS):
        put_text(ws.cell(r, 2), "Autre produit du catalogue : code en colonne A")
        for j in (1, *range(first_month, first_month + 12)):
            _unlock(ws.cell(r, j), "#,##0.###" if j >= first_month else "@")
    last = last_listed + EXTRA_PRODUCTS
    _rule(
        ws,
        lists["produits"],
        f"A{last_listed + 1}:A{last}",
        "Choisissez un code produit du catalogue (feuille « Instructions »).",
    )
    dv = non_negative_rule("Volume invalide", "Saisissez un volume positif ou laissez la cellule vide.")
    dv.add(f"{get_column_letter(first_month)}{HEADER_ROW + 1}:{get_column_letter(first_month + 11)}{last}")
    ws.add_data_validation(dv)
    for j, width in enumerate((27, 42, 22, 16, 8), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for j in range(first_month, first_month + 12):
        ws.column_dimensions[get_column_letter(j)].width = 11
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, first_month)
    protect_structure(ws)


def _zones(ws: Any, rows: list[tuple[str, str]], lists: dict[str, str]) -> None:
    del lists
    _title(
        ws,
        "Zones de livraison",
        "Répondez oui pour chaque zone que vous livrez. Lignes libres : un territoire, un EPCI, un "
        "département ou une commune. Le sourçage ne sert qu'à calibrer les lots, jamais à choisir une offre.",
    )
    for j, title in enumerate(ZONE_HEADERS, start=1):
        header_cell(ws.cell(HEADER_ROW, j), title)
    r = HEADER_ROW
    for r, (zone, nature) in enumerate(rows, start=HEADER_ROW + 1):
        for j, value in enumerate((zone, nature), start=1):
            put_text(ws.cell(r, j), value)
            ws.cell(r, j).fill = _grey()
        _unlock(ws.cell(r, 3))
    last = r + EXTRA_ZONES
    for extra in range(r + 1, last + 1):
        _unlock(ws.cell(extra, 1), "@")
        put_text(ws.cell(extra, 2), "autre")
        _unlock(ws.cell(extra, 3))
    _rule(ws, '"oui,non"', f"C{HEADER_ROW + 1}:C{last}", "Répondez oui ou non.")
    for letter, width in (("A", 60), ("B", 14), ("C", 16)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    protect_structure(ws)


def _labels(ws: Any, cat: Catalogue, lists: dict[str, str]) -> None:
    _title(
        ws,
        "Labels et certifications",
        "Pour chaque label détenu : oui, la date d'échéance du certificat (JJ/MM/AAAA) et son numéro. "
        "Label équivalent : son nom sur une ligne libre et le label qu'il équivaut (liste).",
    )
    for j, title in enumerate(LABEL_HEADERS, start=1):
        header_cell(ws.cell(HEADER_ROW, j), title)
    r = HEADER_ROW
    for r, label in enumerate(sorted(cat.labels.values(), key=lambda x: x.code), start=HEADER_ROW + 1):
        for j, value in enumerate((label.code, label.libelle), start=1):
            put_text(ws.cell(r, j), value)
            ws.cell(r, j).fill = _grey()
        for j in (3, 4, 5):
            _unlock(ws.cell(r, j), "DD/MM/YYYY" if j == 4 else "@")
        ws.cell(r, 6).fill = _grey()
    last_listed = r
    last = r + EXTRA_LABELS
    for extra in range(last_listed + 1, last + 1):
        put_text(ws.cell(extra, 2), "Label équivalent : son nom en colonne A")
        for j in (1, 3, 4, 5, 6):
            _unlock(ws.cell(extra, j), "DD/MM/YYYY" if j == 4 else "@")
    _rule(ws, '"oui,non"', f"C{HEADER_ROW + 1}:C{last}", "Répondez oui ou non.")
    _rule(
        ws, lists["labels"], f"F{last_listed + 1}:F{last}", "Choisissez un code de label (« Instructions »)."
    )
    for letter, width in (("A", 28), ("B", 56), ("C", 14), ("D", 14), ("E", 24), ("F", 18)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    protect_structure(ws)


INSTRUCTION_LINES = (
    TITLE,
    "",
    "Ce questionnaire prépare une consultation publique (sourçage, art. R2111-1 du Code de la commande "
    "publique). Vos réponses servent seulement à calibrer les lots pour que des entreprises comme la vôtre "
    "puissent y répondre ; elles ne vous engagent pas et ne servent jamais à choisir une offre.",
    "",
    "Feuille « Fournisseur » : une réponse par ligne dans la colonne « Réponse ».",
    "- Nom ou raison sociale (obligatoire) ; SIRET à 14 chiffres ; type d'activité (liste) ; commune de "
    "l'établissement (nom, précédé du code postal en cas d'homonymie) ; numéro d'agrément sanitaire "
    "(vide si vous en êtes dispensé).",
    "- Vente directe ou un seul intermédiaire, livraison en caisses réemployables : oui ou non.",
    "- Jours de livraison : oui pour chaque jour possible ; fréquence de livraison (liste).",
    "- Minimum de commande en euros hors taxes par livraison ; capacités annuelles facultatives.",
    "- Candidature envisagée : seul, en groupement avec d'autres entreprises, ou l'un ou l'autre.",
    "",
    "Feuille « Produits » : une ligne par produit du catalogue du groupement.",
    "- Colonnes « Janvier » à « Décembre » : le volume que vous pourriez livrer au groupement ce mois-là, "
    "dans l'unité de la colonne « Unité » (kg, pièce, litre…). Saisissez 0 hors saison.",
    "- Une ligne laissée entièrement vide : vous ne proposez pas ce produit. Un mois laissé vide sur une "
    "ligne remplie compte pour 0 (le contrôle le signale).",
    "- Nombres : virgule décimale et espaces entre les milliers acceptés (1 200,5) ; 3 décimales au plus.",
    "- Lignes libres en bas : un autre produit du catalogue, par son code (liste plus bas).",
    "",
    "Feuille « Zones » : oui pour chaque zone que vous livrez (« Toutes les zones » pour l'ensemble). Les "
    "lots sont découpés par territoire : une commune ne compte que si vous livrez toutes les communes du "
    "groupement de son territoire.",
    "",
    "Feuille « Labels » : oui pour chaque label ou certification détenu, la date d'échéance du certificat et "
    "son numéro. Un certificat échu à la date de lancement de la consultation n'est pas compté. Label "
    "équivalent (par exemple un écolabel de pêche durable étranger) : son nom sur une ligne libre, et en "
    "colonne « Équivalent à » le code du label qu'il équivaut ; l'acheteur appréciera l'équivalence.",
    "",
    "Renvoyez le fichier au coordonnateur du groupement sans le renommer ni le convertir. Contrôle : "
    "« lotsmarche sourcing check questionnaire.xlsx » liste chaque problème (feuille, ligne, colonne).",
)


def _instructions(ins: Any, cat: Catalogue, groupement: Groupement | None) -> dict[str, str]:
    """Sheet « Instructions », then the code lists of the drop-downs; returns their cell ranges by name."""
    lines = list(INSTRUCTION_LINES)
    if groupement is not None:
        lines.insert(1, f"Groupement : {groupement.nom}")
    for r, line in enumerate(lines, start=1):
        put_text(ins.cell(r, 1), line)
        if r == 1:
            ins.cell(r, 1).font = bold(size=14)
    ins.column_dimensions["A"].width = 110
    ins.column_dimensions["B"].width = 60
    ins.column_dimensions["C"].width = 10
    blocks: list[tuple[str, str, list[tuple[str, ...]]]] = [
        ("types", "Types d'activité", [(label, code) for code, label in SUPPLIER_KINDS.items()]),
        ("candidatures", "Candidature", [(label, code) for code, label in CANDIDATURES.items()]),
        ("frequences", "Fréquences de livraison", [(f,) for f in FREQUENCIES]),
        (
            "produits",
            "Codes produits du catalogue",
            [
                (p.code, p.libelle, cat.unite(p.unite))
                for p in sorted(cat.produits.values(), key=lambda p: p.code)
            ],
        ),
        (
            "labels",
            "Codes des labels (ma-cantine)",
            [(x.code, x.libelle) for x in sorted(cat.labels.values(), key=lambda x: x.code)],
        ),
    ]
    ranges: dict[str, str] = {}
    row = len(lines) + 2
    for name, title, entries in blocks:
        put_text(ins.cell(row, 1), title)
        ins.cell(row, 1).font = bold()
        first = row + 1
        for i, entry in enumerate(entries, start=first):
            for j, value in enumerate(entry, start=1):
                put_text(ins.cell(i, j), value)
        ranges[name] = f"Instructions!$A${first}:$A${first + len(entries) - 1}"
        row = first + len(entries) + 1
    protect_structure(ins)
    return ranges


def write_questionnaire(
    cat: Catalogue,
    out: Path,
    familles: list[str] | None = None,
    groupement: Groupement | None = None,
    force: bool = False,
) -> None:
    """Write the questionnaire to ``out`` atomically (OutputExistsError if it exists without ``force``)."""
    from lotsmarche.atomic import write_bytes

    if out.exists() and not force:
        raise OutputExistsError(
            "Le fichier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
        )
    write_bytes(out, questionnaire_bytes(cat, familles, groupement))


def make_questionnaire(
    out: Path,
    *,
    familles: list[str] | None,
    groupement_file: Path | None,
    catalogues: Path | None,
    force: bool = False,
) -> Path:
    """What ``lotsmarche sourcing template`` does: catalogue and groupement loaded, questionnaire written."""
    from lotsmarche.atomic import check_apart
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement

    check_apart([out], [groupement_file, catalogues])
    if out.exists() and not force:  # checked first: nothing is read in vain
        raise OutputExistsError(
            "Le fichier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
        )
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            "Nom de fichier invalide",
            [Problem("le questionnaire est un classeur : nom en .xlsx attendu", fichier=str(out))],
        )
    cat = load_catalogue(catalogues)
    groupement = load_groupement(groupement_file, cat) if groupement_file is not None else None
    write_questionnaire(cat, out, familles, groupement, force=force)
    return out
