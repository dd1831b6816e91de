"""The note of the lots taken out of the consultation (groupement.yaml « petits_lots: hors_consultation »).

Lots awarded without publicity or competition (R2122-8) must never sit inside an advertised consultation:
they are in none of the published pieces (RC, CCAP, CCTP, AE, BPU/DQE). This note, for the buyer's own file,
lists them with their needs, the conditions of the allowance (each lot under the R2122-8 amount, and the
R2123-1 2° conditions: under 80 000 € HT, together at most 20 % of the value of all lots) and the advice to
ask several quotes. It is written *beside* the DCE folder, never in it, so that publishing the DCE folder
never publishes it. Bytes are reproducible (python-docx, then the zip rewritten with fixed dates).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from docx import Document

from lotsmarche.clauses.text import NBSP, fmt_euros, fmt_number
from lotsmarche.models import Lot, LotPlan
from lotsmarche.render.docx import BROUILLON, repack_docx
from lotsmarche.render.filters import mois_fr
from lotsmarche.text import date_fr

NOTE_NAME = "Note_lots_hors_consultation.docx"
TITLE = "Note : lots attribués hors de la consultation"


def _typo(text: str) -> str:
    """No-break spaces before the French high punctuation (« : » after a no-break space, « ; » after a
    narrow one)."""
    return text.replace(" :", f"{NBSP}:").replace(" ;", "\u202f;")


def lots_hors_consultation(plan: LotPlan) -> list[Lot]:
    """Lots of the plan awarded outside the consultation (R2122-8), by number."""
    return sorted((lot for lot in plan.lots if lot.procedure.hors_consultation), key=lambda x: x.numero)


def _quantite(value: Decimal) -> str:
    text = fmt_number(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def render_note(plan: LotPlan, brouillon: bool = False) -> bytes | None:
    """The note as .docx bytes, or None when no lot is taken out of the consultation."""
    lots = lots_hors_consultation(plan)
    if not lots:
        return None
    row = plan.seuils
    g = plan.groupement
    total = plan.montant_total_maximum_ht
    used = sum((lot.montant_maximum_ht for lot in lots), Decimal(0))
    part = used * 100 / total if total else Decimal(0)
    doc = Document()
    header = doc.sections[0].header.paragraphs[0]
    header.text = _typo(f"{g.reference} — {TITLE}")
    if brouillon:
        header.add_run(f"\n{BROUILLON}").bold = True
    doc.add_heading(_typo(TITLE), level=1)
    doc.add_paragraph(
        _typo(
            f"Groupement : {g.nom}. Consultation de référence : {g.reference}, lancée le "
            f"{date_fr(plan.date_lancement)} ({plan.procedure.libelle.lower()})."
        )
    )
    doc.add_paragraph(
        _typo(
            "Document interne de l'acheteur, qui ne fait pas partie des pièces de la consultation et "
            "n'est pas publié. Les lots ci-dessous ne figurent ni dans l'avis, ni dans le règlement de la "
            "consultation, ni dans les autres pièces : chacun fait l'objet d'un marché distinct, passé sans "
            "publicité ni mise en concurrence préalables (Code de la commande publique, art. R2122-8)."
        )
    )
    doc.add_heading("Conditions de la dérogation", level=2)
    for text in (
        f"Le montant maximum de chaque lot est inférieur à {fmt_euros(row.mini_lot.montant)} "
        f"({row.mini_lot.base_legale}).",
        f"Chaque lot remplit les conditions du 2° de l'article R2123-1 : montant inférieur à "
        f"{fmt_euros(row.petit_lot.montant)}, et montant cumulé des lots ainsi dispensés au plus égal à "
        f"{fmt_number(row.part_max_petits_lots.montant * 100, 0)}{NBSP}% de la valeur totale de tous les "
        f"lots. Ici : {fmt_euros(used)} sur {fmt_euros(total)}, soit {fmt_number(part, 2)}{NBSP}%.",
        "La valeur totale qui décide de la procédure reste celle de tous les lots, ceux-ci compris "
        "(art. R2121-1 et R2121-8) : retirer ces lots de la consultation ne change pas la procédure des "
        "autres.",
    ):
        doc.add_paragraph(_typo(text), style="List Bullet")
    doc.add_heading("Comment attribuer ces lots", level=2)
    for text in (
        "Demandez plusieurs devis écrits (trois si possible) sur la base du besoin décrit ci-dessous, aux "
        "mêmes conditions pour tous, et conservez la trace de leur comparaison.",
        "L'acheteur veille à choisir une offre pertinente, à faire une bonne utilisation des deniers publics "
        "et à ne pas contracter systématiquement avec un même opérateur économique lorsqu'il existe une "
        "pluralité d'offres susceptibles de répondre au besoin (art. R2122-8).",
        "Les spécifications restent neutres (aucune origine ni procédé imposé sans la mention « ou "
        "équivalent », art. R2111-7) et les conditions d'exécution environnementales s'appliquent "
        "(art. L2112-2).",
    ):
        doc.add_paragraph(_typo(text), style="List Bullet")
    for lot in lots:
        doc.add_heading(_typo(f"Lot {lot.numero} : {lot.intitule}"), level=2)
        doc.add_paragraph(
            _typo(
                f"Montant maximum sur la durée ({plan.duree_mois} mois) : "
                f"{fmt_euros(lot.montant_maximum_ht)} ; "
                f"estimation annuelle : {fmt_euros(lot.montant_annuel_ht)}. Mois d'approvisionnement : "
                f"{mois_fr(lot.mois_approvisionnement)}. Membres : {', '.join(lot.membres)}."
            )
        )
        fournisseurs = ", ".join(lot.fournisseurs_capables) or "aucun fournisseur identifié"
        doc.add_paragraph(_typo(f"Fournisseurs du sourçage capables de servir ce lot : {fournisseurs}."))
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Produit", "Unité", "Quantité annuelle"), strict=True):
            cell.text = text
        for item in lot.items:
            cells = table.add_row().cells
            cells[0].text = item.libelle
            cells[1].text = item.unite
            cells[2].text = _quantite(item.quantite_annuelle)
    buffer = BytesIO()
    doc.save(buffer)
    return repack_docx(buffer.getvalue(), TITLE, g.reference)
