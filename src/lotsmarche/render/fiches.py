"""One-page sheets for the sourced suppliers: what the group would buy from each of them, month by month.

The Pas-de-Calais food plan (objective 9.2) asks to give producers visibility on volumes so that they can
plan. For each supplier of the sourcing, a Word page (A4 landscape, printable as is) lists the lots it can
serve — whole lots it could bid for alone, and, in the other lots, the products it could supply within a
joint bid — with the quantities the group expects per month (the lots' delivery calendars) and, beside
them, the monthly volumes the supplier declared in its questionnaire. The lots it cannot serve are listed
with the reasons, so that a producer sees what to change (a delivery zone, reusable crates…).

Who can serve what is the lot builder's own answer (``Lot.fournisseurs_capables``) and, product by
product, ``lotting.capacity.blocking_reasons``. The sheets are market information (R2111-1): the same
figures are in the published CCTP annexes, and they commit neither the group nor the supplier.

Files: ``sourcing/Fiche_NN_<nom>.docx`` (NN: order in the sourcing file; the name transliterated to
letters, digits and ``_``, so any supplier name gives a portable file name). Bytes are reproducible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from io import BytesIO

from lotsmarche.calendrier import MOIS_COURTS, MONTHS, LotCalendar, ProductMonths
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.lotting.capacity import LotNeed, blocking_reasons
from lotsmarche.models import Lot, LotItem, LotPlan, Supplier, lot_conservations
from lotsmarche.render.typo import french
from lotsmarche.text import clean_text, date_fr

FOLDER = "sourcing"
TITLE = "Ce que le groupement achèterait chez vous, mois par mois"
_NAME_MAX = 60


def slug(name: str) -> str:
    """A portable file-name part for any name: accents transliterated, other characters → ``_``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    return text[:_NAME_MAX].rstrip("_") or "fournisseur"


def sheet_name(index: int, supplier: Supplier) -> str:
    """``sourcing/Fiche_NN_<nom>.docx``, ``index`` from 1 in the sourcing order: names never clash."""
    return f"{FOLDER}/Fiche_{index:02d}_{slug(supplier.nom)}.docx"


@dataclass(frozen=True)
class SupplierLine:
    """One product of one lot the supplier can serve: the group's need, the supplier's declared volumes."""

    lot: int
    seul: bool  # the supplier can serve the whole lot (may bid alone); False: this product, in a joint bid
    besoin: ProductMonths  # whole lot: every site; joint bid: the sites of the supplier's delivery zones
    volumes: tuple[Decimal, ...] | None  # the supplier's declared volumes per month, when it gave them


@dataclass(frozen=True)
class SupplierSheet:
    fournisseur: Supplier
    lignes: tuple[SupplierLine, ...]
    hors_portee: tuple[tuple[int, str], ...]  # (lot, why it cannot serve any product of it)


def lot_need(lot: Lot, cat: Catalogue, produits: Sequence[str] | None = None) -> LotNeed:
    """What ``lot`` (or only its ``produits``) asks of a supplier, as the lot builder states it."""
    from lotsmarche.lotting.lines import kg_of

    items = [it for it in lot.items if produits is None or it.produit in produits]
    groups = {g for it in items if (g := getattr(cat.produits.get(it.produit), "groupe_espece", None))}
    kg = [kg_of(cat, it.produit, it.quantite_annuelle) for it in items if it.produit in cat.produits]
    kg_total = sum(k or 0.0 for k in kg)
    territoires = {s.territoire or "" for it in items for s in it.repartition_sites}
    conservations = {cat.produits[it.produit].conservation for it in items if it.produit in cat.produits}
    return LotNeed(
        famille=lot.famille,
        conservation=lot.conservation if produits is None or not conservations else sorted(conservations)[0],
        conservations=frozenset(lot_conservations(lot) if produits is None else conservations),
        regime=lot.regime_emballage,
        groupes_especes=frozenset(groups),
        produits=frozenset(it.produit for it in items),
        territoires=frozenset(territoires),
        montant_annuel_ht=sum((it.montant_annuel_ht for it in items), Decimal(0)),
        kg_annuel=Decimal(str(round(kg_total, 3))) if kg_total > 0 else None,
    )


def _servable_part(
    supplier: Supplier, lot: Lot, item: LotItem, cal: LotCalendar, cat: Catalogue
) -> ProductMonths | None:
    """The quantities of ``item`` at the lot's sites in the supplier's delivery zones, when it could supply
    them within a joint bid (``blocking_reasons`` of that product and those zones is empty), else None."""
    zones = set(supplier.zones)
    sites = [
        (s, p)
        for s in cal.sites
        if "*" in zones or (s.territoire or "") in zones
        for p in s.produits
        if p.produit == item.produit
    ]
    if not sites or not item.quantite_annuelle:
        return None
    months = tuple(sum((p.mois[m] for _, p in sites), Decimal(0)) for m in range(MONTHS))
    share = sum(months, Decimal(0)) / item.quantite_annuelle
    need = lot_need(lot, cat, [item.produit])
    need = replace(
        need,
        territoires=frozenset(s.territoire or "" for s, _ in sites),
        montant_annuel_ht=(need.montant_annuel_ht * share).quantize(Decimal("0.01")),
        kg_annuel=None if need.kg_annuel is None else (need.kg_annuel * share).quantize(Decimal("0.001")),
    )
    if blocking_reasons(supplier, need):
        return None
    return ProductMonths(item.produit, item.libelle, item.unite, months)


def supplier_sheets(
    plan: LotPlan, calendriers: Sequence[LotCalendar], suppliers: Sequence[Supplier], cat: Catalogue
) -> list[SupplierSheet]:
    """The sheet of every supplier, in the sourcing order: its lines by lot, then product, in plan order."""
    by_lot = {c.numero: c for c in calendriers}
    lots = sorted(plan.lots, key=lambda x: x.numero)
    out: list[SupplierSheet] = []
    for supplier in suppliers:
        lines: list[SupplierLine] = []
        away: list[tuple[int, str]] = []
        for lot in lots:
            cal = by_lot.get(lot.numero)
            if cal is None or not lot.items:
                continue
            declared = supplier.volumes_mensuels or {}
            if supplier.nom in lot.fournisseurs_capables:  # the lot builder's own answer
                lines += [SupplierLine(lot.numero, True, p, declared.get(p.produit)) for p in cal.produits]
                continue
            partial = [
                SupplierLine(lot.numero, False, p, declared.get(p.produit))
                for item in lot.items
                if (p := _servable_part(supplier, lot, item, cal, cat)) is not None
            ]
            if not partial:
                reasons = blocking_reasons(supplier, lot_need(lot, cat)) or [
                    "ne remplit pas toutes les conditions"
                ]
                away.append((lot.numero, " ; ".join(reasons)))
            lines += partial
        out.append(SupplierSheet(supplier, tuple(lines), tuple(away)))
    return out


def _quantity(value: Decimal) -> str:
    from lotsmarche.clauses.text import fmt_number

    if not value:
        return ""
    exponent = value.normalize().as_tuple().exponent
    decimals = min(max(-exponent, 0), 3) if isinstance(exponent, int) else 0
    return fmt_number(value, decimals)


def _cell_text(cell: object, text: str, *, bold: bool = False, size: float = 8, right: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = paragraph.add_run(french(clean_text(text)))
    run.bold = bold
    run.font.size = Pt(size)
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def render_sheet(plan: LotPlan, sheet: SupplierSheet, cat: Catalogue) -> bytes:
    """The supplier's one-page sheet as reproducible .docx bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    from lotsmarche.render.docx import repack_docx

    g = plan.groupement
    s = sheet.fournisseur
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.0)
    section.top_margin = section.bottom_margin = Cm(0.8)
    section.header_distance = Cm(0.4)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(9)
    header = section.header.paragraphs[0]
    header.text = french(clean_text(f"{g.nom} — {g.reference} — fiche de sourçage"))
    doc.add_heading(french(TITLE), level=1)
    doc.add_paragraph(french(clean_text(s.nom))).runs[0].bold = True
    doc.add_paragraph(
        french(
            clean_text(
                f"Le groupement de commandes « {g.nom} » prépare la consultation {g.reference} ({g.objet}), "
                f"dont le lancement est prévu le {date_fr(plan.date_lancement)}. Voici, d'après le "
                "recensement des besoins de ses membres, les quantités qu'il prévoit d'acheter chaque mois "
                "dans les lots et les produits que vos réponses au sourçage vous permettent de fournir. "
                "Cette fiche vous informe pour préparer vos productions : elle n'engage ni le groupement ni "
                "vous et ne préjuge pas de l'attribution, qui se fera après mise en concurrence. Les mêmes "
                "quantités figurent dans les annexes du CCTP publiées avec la consultation."
            )
        )
    )
    if sheet.lignes:
        _table(doc, sheet, cat)
        joint = any(not line.seul for line in sheet.lignes)
        note = (
            "« Seul » : vous pouvez répondre seul à l'ensemble du lot. « En groupement » : vous pouvez "
            "fournir ce produit aux sites de vos zones de livraison (quantités indiquées), mais pas tout le "
            "lot ; vous pouvez répondre avec d'autres entreprises (groupement momentané) ou comme "
            "sous-traitant."
            if joint
            else "« Seul » : vous pouvez répondre seul à l'ensemble du lot."
        )
        if s.volumes_mensuels is not None:
            note += " « Vos volumes » : les volumes mensuels que vous avez déclarés dans le questionnaire."
        doc.add_paragraph(french(note)).runs[0].font.size = Pt(8)
    else:
        doc.add_paragraph(
            french(
                "D'après vos réponses, aucun lot ni produit de la consultation ne vous correspond à ce jour."
            )
        )
    if sheet.hors_portee:
        doc.add_paragraph(french("Lots que vous ne pouvez pas servir aujourd'hui, et pourquoi :")).runs[
            0
        ].bold = True
        for numero, why in sheet.hors_portee:
            lot = next(x for x in plan.lots if x.numero == numero)
            para = doc.add_paragraph(
                french(clean_text(f"Lot {numero} ({lot.intitule}) : {why}.")), style="List Bullet"
            )
            para.paragraph_format.space_after = Pt(0)
            for run in para.runs:
                run.font.size = Pt(8)
    contact = next((c for c in g.contacts if c.courriel or c.telephone), None)
    if contact is not None:
        reach = " — ".join(x for x in (contact.courriel, contact.telephone) if x)
        doc.add_paragraph(french(clean_text(f"Contact : {contact.nom} ({contact.role}), {reach}.")))
    buffer = BytesIO()
    doc.save(buffer)
    return repack_docx(buffer.getvalue(), f"{TITLE} — {clean_text(s.nom)}", g.reference)


def _table(doc: object, sheet: SupplierSheet, cat: Catalogue) -> None:
    from docx.shared import Cm

    declared = sheet.fournisseur.volumes_mensuels is not None
    headers = ["Lot", "Produit", "Données", "Unité", *(m.capitalize() for m in MOIS_COURTS), "Total"]
    widths = [2.2, 5.0, 2.1, 1.2, *[1.3] * MONTHS, 1.6]
    rows: list[tuple[list[str], bool]] = []
    for line in sheet.lignes:
        p = line.besoin
        lot = f"{line.lot} ({'seul' if line.seul else 'en groupement'})"
        unite = cat.unite(p.unite, p.total)
        rows.append(([lot, p.libelle, "Besoin", unite, *map(_quantity, p.mois), _quantity(p.total)], True))
        if declared:
            if line.volumes is None:
                rows.append((["", "", "Vos volumes", unite, *[""] * MONTHS, "non déclaré"], False))
            else:
                total = sum(line.volumes, Decimal(0))
                rows.append(
                    (["", "", "Vos volumes", unite, *map(_quantity, line.volumes), _quantity(total)], False)
                )
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))  # type: ignore[attr-defined]
    table.style = doc.styles["Table Grid"]  # type: ignore[attr-defined]
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True, size=7.5)
    for row, (cells, need) in zip(table.rows[1:], rows, strict=True):
        for i, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            _cell_text(cell, text, bold=need and i >= 4 + MONTHS, right=i >= 4, size=7.5)
        row.height = Cm(0.4)


def render_sheets(
    plan: LotPlan, calendriers: Sequence[LotCalendar], suppliers: Sequence[Supplier], cat: Catalogue
) -> dict[str, bytes]:
    """Every supplier's sheet: relative path (``sourcing/Fiche_NN_<nom>.docx``) → bytes."""
    sheets = supplier_sheets(plan, calendriers, suppliers, cat)
    return {
        sheet_name(i, sheet.fournisseur): render_sheet(plan, sheet, cat)
        for i, sheet in enumerate(sheets, start=1)
    }
