"""``avis_de_marche.docx``: the content of the contract notice, lot by lot, ready to paste into the buyer
profile's form, each field with its eForms business term (BT-…) where one exists.

Built with python-docx (no template: it is a form transcript, not a contract document), then repacked with
our fixed document properties and zip dates, so the same plan gives the same bytes. The business terms and
their French names come from the eForms SDK 1.16 (OP-TED/eForms-SDK, CC BY 4.0, ``fields/fields.json`` and
``translations/business-term_fr.xml``); a term whose use for this value is our own reading of the SDK is
marked « à confirmer ». Fields with no business term (e.g. the accord-cadre's minimum) say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from typing import Any

from lotsmarche.models import Lot, LotPlan
from lotsmarche.render.context import LotCtx
from lotsmarche.render.filters import date_fr, montant
from lotsmarche.text import clean_text

NOTICE_NAME = "avis_de_marche.docx"
SOURCE = "eForms SDK 1.16 (OP-TED/eForms-SDK, licence CC BY 4.0)"
A_CONFIRMER = " [à confirmer]"


@dataclass(frozen=True)
class Champ:
    rubrique: str
    valeur: str
    bt: str  # "BT-21", "" when the notice has no business term for it
    incertain: bool = False

    @property
    def bt_texte(self) -> str:
        if not self.bt:
            return "—"
        return self.bt + (A_CONFIRMER if self.incertain else "")


PROCEDURES_EFORMS = {
    "appel_offres": "Ouverte (appel d'offres ouvert)",
    "mapa": "Procédure adaptée (hors directive : champ propre au profil d'acheteur)",
    "dispense": "Sans publicité ni mise en concurrence préalables (pas d'avis)",
}


def procedure_fields(plan: LotPlan) -> list[Champ]:
    g = plan.groupement
    deadline = plan.date_lancement + timedelta(days=g.delai_remise_jours)
    coordinator = g.coordonnateur or (g.membres[0].nom if g.membres else g.nom)
    siret = next((m.siret for m in g.membres if m.nom == coordinator and m.siret), None)
    lots_max = plan.lots_max_par_candidat or g.lots_max_par_candidat
    return [
        Champ("Acheteur (coordonnateur du groupement de commandes)", coordinator, "BT-500"),
        Champ("Numéro d'enregistrement de l'acheteur (SIRET)", siret or "à compléter", "BT-501"),
        Champ("Identifiant interne de la consultation", g.reference, "BT-22"),
        Champ("Titre de la consultation", g.objet, "BT-21"),
        Champ("Type de procédure", PROCEDURES_EFORMS[plan.procedure.code], "BT-105"),
        Champ("Base juridique", "Code de la commande publique ; " + plan.procedure.libelle, "BT-01", True),
        Champ(
            "Nombre maximal de lots pour lesquels un soumissionnaire peut présenter une offre",
            str(lots_max) if lots_max else "tous les lots",
            "BT-31",
        ),
        Champ("Soumission par voie électronique", "requise, sur le profil d'acheteur", "BT-17"),
        Champ("Langue de soumission des offres", "français", "BT-97"),
        Champ("Date limite de réception des offres", date_fr(deadline), "BT-131"),
        Champ("Date d'envoi de l'avis", "à la publication", "BT-05"),
    ]


def _duration_text(plan: LotPlan) -> tuple[str, str, str]:
    d = plan.groupement.duree
    initial = f"{d.periode_initiale_mois} mois à compter de la notification"
    renewals = str(d.reconductions)
    description = (
        f"reconduction tacite, {d.reconductions} fois {d.duree_reconduction_mois} mois ; durée totale "
        f"{plan.duree_mois} mois au plus"
        if d.reconductions
        else "pas de reconduction"
    )
    return initial, renewals, description


def lot_fields(plan: LotPlan, lot: Lot, ctx: LotCtx) -> list[Champ]:
    initial, renewals, renewal_text = _duration_text(plan)
    reserved = [c for c in lot.clauses if c.id.startswith("SOC-RES")]
    env_conditions = [c.titre for c in lot.clauses if c.condition_execution and c.type == "environnementale"]
    social_conditions = [
        c.titre for c in lot.clauses if c.condition_execution and c.type in ("sociale", "ethique")
    ]
    fields = [
        Champ("Identifiant du lot", f"LOT-{lot.numero:04d}", "BT-137"),
        Champ("Titre du lot", lot.intitule, "BT-21"),
        Champ(
            "Description du lot",
            f"{lot.intitule} ({ctx.conservation}) ; {len(lot.items)} produit(s) ; accord-cadre "
            "mono-attributaire exécuté par bons de commande",
            "BT-24",
        ),
        Champ("Nature principale du marché", "Fournitures", "BT-23"),
        Champ("Classification principale (CPV)", lot.cpv_principal, "BT-262"),
        Champ("Classifications complémentaires (CPV)", ", ".join(lot.cpv_secondaires) or "aucune", "BT-263"),
        Champ("Lieu d'exécution : pays", "France (FRA)", "BT-5141"),
        Champ("Lieu d'exécution : zones de livraison", ctx.territoires, "BT-727", True),
        Champ(
            "Lieu d'exécution : subdivision (NUTS)", "code NUTS du département des sites à saisir", "BT-5071"
        ),
        Champ("Valeur estimée hors TVA (sur toute la durée)", montant(lot.montant_estime_duree_ht), "BT-27"),
        Champ("Valeur maximale de l'accord-cadre hors TVA", montant(lot.montant_maximum_ht), "BT-271"),
        Champ(
            "Montant minimum de l'accord-cadre hors TVA",
            montant(lot.montant_minimum_ht) if lot.montant_minimum_ht is not None else "sans minimum",
            "",
        ),
        Champ("Recours à un accord-cadre", "accord-cadre, sans remise en concurrence", "BT-765"),
        Champ("Durée", initial, "BT-36"),
        Champ("Nombre maximum de reconductions", renewals, "BT-58"),
        Champ("Informations sur les reconductions", renewal_text, "BT-57"),
    ]
    for critere in lot.criteres:
        kind = "prix" if critere.code == "prix" else "qualité"
        fields.append(
            Champ(
                f"Critère d'attribution : {critere.libelle}",
                f"type : {kind} (BT-539) ; pondération : {critere.ponderation} % (BT-541, BT-5421)",
                "BT-734",
            )
        )
    fields += [
        Champ(
            "Conditions relatives à l'exécution du contrat",
            " ; ".join(env_conditions + social_conditions) or "aucune",
            "BT-70",
        ),
        Champ(
            "Méthode utilisée pour réduire l'incidence environnementale",
            "conditions d'exécution et critère environnementaux" if env_conditions else "aucune",
            "BT-774",
            True,
        ),
        Champ(
            "Objectif social promu",
            "insertion professionnelle (conditions d'exécution)" if social_conditions else "aucun",
            "BT-775",
            True,
        ),
        Champ(
            "Participation réservée",
            "; ".join(c.titre for c in reserved) if reserved else "non réservé",
            "BT-71",
        ),
        Champ("Procédure du lot", lot.procedure.libelle, "BT-105", True),
    ]
    return fields


def notice_docx(plan: LotPlan, lots: list[LotCtx], brouillon: bool = False) -> bytes:
    """The notice draft as deterministic .docx bytes."""
    import docx
    from docx.shared import Pt

    from lotsmarche.render.docx import repack_docx

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    header = document.sections[0].header.paragraphs[0]
    header.text = clean_text(f"{plan.groupement.reference} — Avis de marché (projet de saisie)")
    document.add_heading(clean_text(f"Avis de marché — {plan.groupement.objet}"), level=1)
    document.add_paragraph(
        "Contenu de l'avis de publicité, rubrique par rubrique, à reporter dans le formulaire du profil "
        "d'acheteur ou du service de publication. La colonne « eForms » donne le numéro du terme métier "
        f"(BT) de chaque rubrique selon le {SOURCE} ; « — » : pas de terme métier ; « à confirmer » : "
        "correspondance à vérifier dans le formulaire utilisé."
    )
    proto = _prototypes(document)
    _table(document, proto, "Procédure", procedure_fields(plan))
    by_number = {ctx.numero: ctx for ctx in lots}
    for lot in sorted(plan.lots, key=lambda x: x.numero):
        if lot.numero not in by_number:
            continue  # awarded outside the consultation (R2122-8): not in the notice
        fields = lot_fields(plan, lot, by_number[lot.numero])
        _table(document, proto, f"Lot {lot.numero} — {lot.intitule}", fields)
    buffer = BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if brouillon:
        data = _with_draft_mark(data)
    title = f"Avis de marché — {plan.groupement.reference}"
    return repack_docx(data, clean_text(title), clean_text(plan.groupement.objet))


def _with_draft_mark(data: bytes) -> bytes:
    """The draft line and the « PROJET » watermark in every header, as the other DCE documents have."""
    from lotsmarche.render.docx import _HDR_OPEN, _with_brouillon
    from lotsmarche.ziputil import read_zip, write_zip

    entries = read_zip(data)
    for name in [n for n in entries if n.startswith("word/header") and n.endswith(".xml")]:
        entries[name] = _HDR_OPEN.sub(_with_brouillon, entries[name].decode("utf-8"), count=1).encode("utf-8")
    return write_zip(entries)


_WIDTHS_CM = (6, 8.5, 2.5)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(frozen=True)
class _Prototypes:
    """Elements python-docx made once for the notice's tables, copied for every table: a level-2 heading
    without its run, a three-column « Table Grid » table with its bold title row, and a data row whose
    cells hold one run each. Copying gives the elements python-docx would make again (same XML), without
    its per-row style look-ups and grid computations."""

    heading: Any
    table: Any
    row: Any


def _prototypes(document: Any) -> _Prototypes:
    from copy import deepcopy

    from docx.shared import Cm

    heading = document.add_heading("x", level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Rubrique", "Valeur", "eForms"), strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    table.add_row()
    for index, row in enumerate(table.rows):
        for cell, width in zip(row.cells, _WIDTHS_CM, strict=True):
            cell.width = Cm(width)
            if index:
                cell.text = "x"
    body = document.element.body
    body.remove(heading._p)
    body.remove(table._tbl)
    row_el = table._tbl.findall(f"{_W}tr")[-1]
    table._tbl.remove(row_el)
    for run in heading._p.findall(f"{_W}r"):
        heading._p.remove(run)
    return _Prototypes(heading=deepcopy(heading._p), table=deepcopy(table._tbl), row=deepcopy(row_el))


def _fill(tc: Any, text: str) -> None:
    """``cell.text = text`` on a copied prototype cell: a plain text goes into its run's ``w:t`` (as
    python-docx writes it, ``xml:space`` kept for outer spaces); anything else through python-docx."""
    if text and not any(c in text for c in "\t\r\n"):
        t = tc.find(f"{_W}p/{_W}r/{_W}t")
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_SPACE, "preserve")
        return
    from docx.table import _Cell

    _Cell(tc, None).text = text  # type: ignore[arg-type]


def _table(document: Any, proto: _Prototypes, title: str, fields: list[Champ]) -> None:
    from copy import deepcopy

    from docx.text.paragraph import Paragraph

    body = document.element.body
    heading = deepcopy(proto.heading)
    Paragraph(heading, document._body).add_run(clean_text(title))  # as add_heading(title, level=2)
    table = deepcopy(proto.table)
    for champ in fields:
        row = deepcopy(proto.row)
        for tc, text in zip(
            row.findall(f"{_W}tc"), (champ.rubrique, champ.valeur, champ.bt_texte), strict=True
        ):
            _fill(tc, clean_text(text))
        table.append(row)
    end = body.find(f"{_W}sectPr")  # python-docx adds blocks before the section properties
    for element in (heading, table):
        if end is not None:
            end.addprevious(element)
        else:
            body.append(element)
