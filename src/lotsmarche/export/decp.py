"""DECP v2.0.3 (données essentielles de la commande publique): one ``marche`` record per lot.

Pure functions: :func:`decp_lots` builds the records of a plan from what is known at launch, completed by
the award file (:mod:`lotsmarche.export.attribution`) when given. A field that neither the plan nor the
award file gives is *listed as missing*, never invented: a record is « complet » only when every field the
schema requires, and the origin shares of food supplies, are known — then it is validated against the
shipped schema (``schemas/decp/schema_decp_v2.0.3.json``).

What comes from the plan: the coordinator's SIRET (``acheteur``), nature « Marché », the object, the lot's
main CPV (without its check digit, as the schema recommends), the lot's procedure, the place of execution
(the department of every delivery site, else France), the duration reconductions included (``dureeMois``),
the lot's maximum (``montant``, an accord-cadre's estimated maximum), unit prices (``formePrix``), prices
revisable when the lot has a revision clause (``typesPrix``), techniques « Accord-cadre », execution
« Bons de commande », the CCAG, and the social and environmental considerations of the lot's clauses and
criteria. What the award file gives: holder(s), notification and publication dates, offers received,
advance, operators' grouping, subcontracting, origin shares (EU, France), and optionally the amount, the
buyer's SIRET and the record id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from lotsmarche.models import Lot, LotPlan
from lotsmarche.text import fold

PROCEDURES_DECP: dict[str, str] = {
    "appel_offres": "Appel d'offres ouvert",
    "mapa": "Procédure adaptée",
    "dispense": "Marché passé sans publicité ni mise en concurrence préalable",
}
ORIGINES = ("origineUE", "origineFrance")  # required by the decree for food supplies (not by the schema)

# Field -> where the value comes from, in French (for the list of missing fields).
SOURCES: dict[str, str] = {
    "id": "identifiant du marché (colonne « identifiant » du fichier d'attribution)",
    "acheteur": "SIRET de l'acheteur : « siret » du coordonnateur dans groupement.yaml, ou colonne "
    "« acheteur_siret » du fichier d'attribution",
    "ccag": "CCAG de référence : champ « ccag » de groupement.yaml (CCAG-FCS reconnu)",
    "offresRecues": "nombre d'offres reçues (colonne « offres_recues »)",
    "attributionAvance": "avance attribuée au titulaire, oui ou non (colonne « avance »)",
    "typeGroupementOperateurs": "groupement d'opérateurs du titulaire : Conjoint, Solidaire ou Pas de "
    "groupement (colonne « groupement_operateurs »)",
    "sousTraitanceDeclaree": "sous-traitance déclarée à la notification, oui ou non (colonne "
    "« sous_traitance »)",
    "dateNotification": "date de notification du marché (colonne « date_notification »)",
    "datePublicationDonnees": "date de publication des données essentielles (colonne « date_publication »)",
    "titulaires": "identifiant du ou des titulaires (colonne « titulaire_siret »)",
    "origineUE": "part des produits issus de l'Union européenne, obligatoire pour les denrées "
    "alimentaires (colonne « origine_ue »)",
    "origineFrance": "part des produits français, obligatoire pour les denrées alimentaires (colonne "
    "« origine_france »)",
}


@dataclass(frozen=True)
class Attribution:
    """The award of one lot, as read from the award file (None: not given)."""

    lot: int
    ligne: int = 0  # row of the award file (0: built in code)
    titulaires: tuple[tuple[str, str], ...] = ()  # (typeIdentifiant, id)
    date_notification: date | None = None
    date_publication: date | None = None
    offres_recues: int | None = None
    montant: Decimal | None = None
    avance: bool | None = None
    taux_avance: Decimal | None = None
    groupement_operateurs: str | None = None
    sous_traitance: bool | None = None
    origine_ue: Decimal | None = None
    origine_france: Decimal | None = None
    acheteur_siret: str | None = None
    identifiant: str | None = None


@dataclass(frozen=True)
class DecpLot:
    numero: int
    intitule: str
    record: dict[str, Any]
    manquants: list[str]  # DECP field names not known yet, in the schema's order
    erreurs: list[str] = field(default_factory=list)  # schema errors of a complete record

    @property
    def complet(self) -> bool:
        return not self.manquants and not self.erreurs


def record_id(reference: str, numero: int) -> str:
    """Up to 16 characters (schema limit): the reference's letters and digits, « L », the lot number."""
    suffix = f"L{numero:02d}"
    base = re.sub(r"[^A-Za-z0-9]", "", reference)
    return base[: 16 - len(suffix)] + suffix


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an integer when whole, else the shortest float (2 decimals round-trip)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _ccag(text: str) -> str | None:
    folded = fold(text)
    if "fcs" in folded or "fournitures courantes" in folded:
        return "Fournitures courantes et services"
    if "pas de ccag" in folded or folded in ("aucun", "sans"):
        return "Pas de CCAG"
    return None


def _place(lot: Lot) -> dict[str, str]:
    """The department of every delivery site when they share one, else France (ISO country code)."""
    departments = {
        s.code_postal[:3] if s.code_postal.startswith("97") else s.code_postal[:2] for s in lot.sites
    }
    if len(departments) == 1:
        (dep,) = departments
        if dep == "20":  # Corsica: the postcode does not tell 2A from 2B
            return {"code": "FR", "typeCode": "Code pays"}
        return {"code": dep, "typeCode": "Code département"}
    return {"code": "FR", "typeCode": "Code pays"}


def considerations(lot: Lot) -> tuple[list[str], list[str]]:
    """DECP social and environmental considerations of a lot, from its clauses and criteria."""
    sociales: list[str] = []
    if any(c.type in ("sociale", "ethique") and c.condition_execution for c in lot.clauses):
        sociales.append("Clause sociale")
    if any(c.id.startswith("SOC-RES") for c in lot.clauses):
        sociales.append("Marché réservé")
    env: list[str] = []
    if any(c.type == "environnementale" and c.condition_execution for c in lot.clauses):
        env.append("Clause environnementale")
    if any(c.environnemental for c in lot.criteres):
        env.append("Critère environnemental")
    return (
        sociales or ["Pas de considération sociale"],
        env or ["Pas de considération environnementale"],
    )


def _revisable(lot: Lot) -> bool:
    return any(c.id.startswith("ECO-REV") for c in lot.clauses)


def _buyer_siret(plan: LotPlan) -> str | None:
    g = plan.groupement
    for m in g.membres:
        if m.nom == g.coordonnateur and m.siret:
            return m.siret
    return None


def launch_record(plan: LotPlan, lot: Lot) -> dict[str, Any]:
    """What the plan tells of the lot's DECP record (no award data)."""
    g = plan.groupement
    sociales, env = considerations(lot)
    objet = f"Lot n° {lot.numero} : {lot.intitule} — {g.objet}"
    record: dict[str, Any] = {
        "id": record_id(g.reference, lot.numero),
        "nature": "Marché",
        "objet": objet[:1000],
        "codeCPV": lot.cpv_principal.split("-")[0],
        "techniques": {"technique": ["Accord-cadre"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "marcheInnovant": False,
        "procedure": PROCEDURES_DECP[lot.procedure.code],
        "lieuExecution": _place(lot),
        "dureeMois": plan.duree_mois,
        "montant": json_number(lot.montant_maximum_ht),
        "typesPrix": {"typePrix": ["Définitif révisable" if _revisable(lot) else "Définitif ferme"]},
        "formePrix": "Unitaire",
        "considerationsSociales": {"considerationSociale": sociales},
        "considerationsEnvironnementales": {"considerationEnvironnementale": env},
    }
    siret = _buyer_siret(plan)
    if siret:
        record["acheteur"] = {"id": siret}
    ccag = _ccag(g.ccag)
    if ccag:
        record["ccag"] = ccag
    return record


def _complete(record: dict[str, Any], award: Attribution) -> None:
    if award.identifiant:
        record["id"] = award.identifiant
    if award.acheteur_siret:
        record["acheteur"] = {"id": award.acheteur_siret}
    if award.titulaires:
        record["titulaires"] = [{"titulaire": {"typeIdentifiant": t, "id": i}} for t, i in award.titulaires]
    if award.date_notification is not None:
        record["dateNotification"] = award.date_notification.isoformat()
    if award.date_publication is not None:
        record["datePublicationDonnees"] = award.date_publication.isoformat()
    if award.offres_recues is not None:
        record["offresRecues"] = award.offres_recues
    if award.montant is not None:
        record["montant"] = json_number(award.montant)
    if award.avance is not None:
        record["attributionAvance"] = award.avance
        if award.avance:
            record["tauxAvance"] = json_number(award.taux_avance or Decimal(0))
    if award.groupement_operateurs is not None:
        record["typeGroupementOperateurs"] = award.groupement_operateurs
    if award.sous_traitance is not None:
        record["sousTraitanceDeclaree"] = award.sous_traitance
    if award.origine_ue is not None:
        record["origineUE"] = json_number(award.origine_ue)
    if award.origine_france is not None:
        record["origineFrance"] = json_number(award.origine_france)


def decp_lots(plan: LotPlan, attributions: dict[int, Attribution] | None = None) -> list[DecpLot]:
    """One DECP record per lot of ``plan``, completed by ``attributions`` (by lot number) when given."""
    from lotsmarche.export.schemas import decp_required_fields, validate_decp_record

    required = [*decp_required_fields(), *ORIGINES]
    out: list[DecpLot] = []
    for lot in sorted(plan.lots, key=lambda x: x.numero):
        record = launch_record(plan, lot)
        award = (attributions or {}).get(lot.numero)
        if award is not None:
            _complete(record, award)
        ordered = {k: record[k] for k in required if k in record}
        ordered.update({k: v for k, v in record.items() if k not in ordered})
        missing = [k for k in required if k not in ordered]
        errors = [] if missing else validate_decp_record(ordered)
        out.append(DecpLot(lot.numero, lot.intitule, ordered, missing, errors))
    return out


def decp_document(lots: list[DecpLot]) -> dict[str, Any]:
    """The DECP document of the records: ``{"marches": {"marche": [...]}}``."""
    return {"marches": {"marche": [lot.record for lot in lots]}}


def document_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def missing_report(plan: LotPlan, lots: list[DecpLot]) -> str:
    """French markdown: the fields each lot still lacks, and where each one comes from."""
    lines = [
        f"# Données essentielles (DECP v2.0.3) — {plan.groupement.reference}",
        "",
        "Champs encore inconnus, lot par lot. Ils ne sont jamais inventés : renseignez-les dans le fichier "
        "d'attribution (« lotsmarche export decp lots.json --attribution attribution.csv --out DECP »).",
        "",
    ]
    for lot in lots:
        lines.append(f"## Lot {lot.numero} — {lot.intitule}")
        lines.append("")
        if lot.complet:
            lines += ["Complet et conforme au schéma.", ""]
            continue
        lines += [f"- `{name}` : {SOURCES.get(name, 'champ obligatoire')}" for name in lot.manquants]
        lines += [f"- erreur de schéma : {e}" for e in lot.erreurs]
        lines.append("")
    return "\n".join(lines)


DECP_FILE = "decp.json"
PREFILLED_FILE = "decp_prerempli.json"
MISSING_FILE = "champs_manquants.md"


def decp_files(plan: LotPlan, lots: list[DecpLot]) -> dict[str, bytes]:
    """The files of the DECP folder: ``decp.json`` when every record is complete and valid, else
    ``decp_prerempli.json`` (the known fields only: not yet publishable); ``champs_manquants.md`` always."""
    from lotsmarche.export.schemas import validate_decp_document

    document = decp_document(lots)
    complete = all(lot.complet for lot in lots) and not validate_decp_document(document)
    name = DECP_FILE if complete else PREFILLED_FILE
    return {
        name: document_text(document).encode("utf-8"),
        MISSING_FILE: missing_report(plan, lots).encode("utf-8"),
    }
