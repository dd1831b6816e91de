"""OCDS 1.1 release package of a lot plan: the tender release, with lots and sustainability.

Pure function :func:`ocds_package` (plan, optional CPV labels) -> dict. Deterministic: every identifier is
derived from the consultation reference and the lot numbers, every date from the plan (launch date,
submission deadline = launch + ``delai_remise_jours``); nothing depends on the day it runs.

Shape: ``tender.lots`` (lots extension): value = the lot's maximum over the whole duration, minimumValue
when the accord-cadre has a minimum, contractPeriod.durationInDays = the whole duration with renewals
(months × 365.25 / 12, rounded), the renewal described in the lot's description and in ``hasRenewal`` /
``renewal`` (fields of the OCDS renewals extension, not validated here); per lot the award criteria
(``awardCriteria`` « ratedCriteria » and ``awardCriteriaDetails``: the lots extension lets a lot repeat a
tender field to override it) and the sustainability extension's ``hasSustainability`` / ``sustainability``
derived from the lot's clauses and criteria (:data:`GOALS`). ``tender.items``: one per lot item, CPV
classification (8 digits), quantity, unit with the estimated unit price, ``relatedLot``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lotsmarche.export.decp import json_number
from lotsmarche.models import Clause, ClauseSelection, Lot, LotPlan

OCDS_VERSION = "1.1"
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_sustainability_extension/master/"
    "extension.json",
)
DEFAULT_PREFIX = "ocds-lotsmarche"  # replace by the publisher's prefix registered with the OCP
SIRET_SCHEME = "FR-SIRET"  # org-id.guide code for the SIRENE establishment number [à confirmer]

# Sustainability goal (sustainabilityGoal codelist) of a clause, by clause-id prefix (longest first).
GOALS: dict[str, str] = {
    "ENV-EMB-01": "environmental.resourceReuse",
    "ENV-EMB-06": "environmental.resourceReuse",
    "ENV-EMB-04": "environmental.pollutionPrevention",
    "ENV-EMB-05": "environmental.pollutionPrevention",
    "ENV-EMB": "environmental.wasteReduction",
    "ENV-GAS": "environmental.wasteReduction",
    "ENV-TRA": "environmental.carbonEmissionsReduction",
    "ENV-SAI": "environmental.carbonEmissionsReduction",
    "ENV-PEC": "environmental.biodiversityProtectionRestoration",
    "RC-CRI-03": "environmental",
    "ETH-PEC": "social.humanRightsInSupplyChains",
    "ETH-REM": "economic",
    "SOC-INS": "social.disadvantagedEmploymentOpportunities",
    "SOC-RES": "social.disadvantagedEmploymentOpportunities",
    "ECO-CAN": "social.smeInclusion",
}


def goal_of(clause_id: str) -> str | None:
    for prefix in sorted(GOALS, key=len, reverse=True):
        if clause_id.startswith(prefix):
            return GOALS[prefix]
    return None


def strategy_of(clause: ClauseSelection | Clause) -> str:
    """How a clause pursues its goal (sustainabilityStrategy codelist)."""
    if clause.id.startswith("SOC-RES"):
        return "reservedParticipation"
    if clause.id.startswith("ECO-CAN"):
        return "selectionCriteria"
    if clause.id.startswith("RC-CRI"):
        return "awardCriteria"
    if clause.condition_execution or "CCAP" in clause.destinations:
        return "contractPerformanceConditions"
    return "technicalSpecifications"


def lot_sustainability(lot: Lot) -> list[dict[str, Any]]:
    """One entry per goal: the strategies of the lot's clauses (and environmental criteria) serving it."""
    by_goal: dict[str, tuple[set[str], list[str]]] = {}
    for clause in lot.clauses:
        goal = goal_of(clause.id)
        if goal is None:
            continue
        strategies, titles = by_goal.setdefault(goal, (set(), []))
        strategies.add(strategy_of(clause))
        titles.append(clause.titre)
    env_criteria = [c for c in lot.criteres if c.environnemental]
    if env_criteria:
        strategies, titles = by_goal.setdefault("environmental", (set(), []))
        strategies.add("awardCriteria")
        titles.extend(f"critère « {c.libelle} » ({c.ponderation} %)" for c in env_criteria)
    return [
        {
            "goal": goal,
            "strategies": sorted(strategies),
            "description": " ; ".join(dict.fromkeys(titles)),
        }
        for goal, (strategies, titles) in sorted(by_goal.items())
    ]


def _days(months: int) -> int:
    return int((Decimal(months) * Decimal("365.25") / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _datetime(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": json_number(amount), "currency": "EUR"}


def _party_id(name: str, siret: str | None) -> str:
    return (
        f"{SIRET_SCHEME}-{siret}"
        if siret
        else "lotsmarche-" + "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")
    )


def criteria_text(lot: Lot) -> str:
    return " ; ".join(f"{c.libelle} : {c.ponderation} %" for c in lot.criteres)


def _lot(plan: LotPlan, lot: Lot) -> dict[str, Any]:
    d = plan.groupement.duree
    renewal = (
        f"Accord-cadre à bons de commande de {d.periode_initiale_mois} mois, reconductible tacitement "
        f"{d.reconductions} fois {d.duree_reconduction_mois} mois (durée totale : {plan.duree_mois} mois)."
        if d.reconductions
        else f"Accord-cadre à bons de commande de {d.periode_initiale_mois} mois, sans reconduction."
    )
    description = (
        f"{lot.intitule}. {renewal} Procédure : {lot.procedure.libelle}. Livraisons : "
        f"{', '.join(lot.territoires)}."
    )
    out: dict[str, Any] = {
        "id": str(lot.numero),
        "title": lot.intitule,
        "description": description,
        "status": "active",
        "value": _money(lot.montant_maximum_ht),
    }
    if lot.montant_minimum_ht is not None:
        out["minimumValue"] = _money(lot.montant_minimum_ht)
    out["contractPeriod"] = {"durationInDays": _days(plan.duree_mois)}
    out["hasRenewal"] = d.reconductions > 0
    if d.reconductions:
        out["renewal"] = {
            "description": renewal,
            "maximumRenewals": d.reconductions,
            "period": {"durationInDays": _days(d.duree_reconduction_mois)},
        }
    if lot.cpv_secondaires:
        out["additionalClassifications"] = [
            {"scheme": "CPV", "id": code.split("-")[0]} for code in lot.cpv_secondaires
        ]
    out["mainProcurementCategory"] = "goods"
    if lot.criteres:
        out["awardCriteria"] = "ratedCriteria"
        out["awardCriteriaDetails"] = criteria_text(lot)
    sustainability = lot_sustainability(lot)
    out["hasSustainability"] = bool(sustainability)
    if sustainability:
        out["sustainability"] = sustainability
    return out


def ocds_package(
    plan: LotPlan, cpv_labels: dict[str, str] | None = None, prefix: str = DEFAULT_PREFIX
) -> dict[str, Any]:
    """The OCDS 1.1 release package of ``plan`` (one « tender » release)."""
    g = plan.groupement
    labels = cpv_labels or {}
    launch = plan.date_lancement
    deadline = launch + timedelta(days=g.delai_remise_jours)
    sirets = {m.nom: m.siret for m in g.membres}
    coordinator = g.coordonnateur or (g.membres[0].nom if g.membres else g.nom)
    buyer = {"id": _party_id(coordinator, sirets.get(coordinator)), "name": coordinator}
    parties: list[dict[str, Any]] = []
    for name in [coordinator, *sorted(m.nom for m in g.membres if m.nom != coordinator)]:
        party: dict[str, Any] = {"id": _party_id(name, sirets.get(name)), "name": name}
        if sirets.get(name):
            party["identifier"] = {"scheme": SIRET_SCHEME, "id": sirets[name], "legalName": name}
        party["roles"] = ["buyer", "procuringEntity"] if name == coordinator else ["buyer"]
        if name == coordinator and g.adresse:
            party["address"] = {"streetAddress": g.adresse, "countryName": "France"}
        parties.append(party)
    # Lots awarded outside the consultation (R2122-8) are not part of the advertised tender.
    published = [
        lot for lot in sorted(plan.lots, key=lambda x: x.numero) if not lot.procedure.hors_consultation
    ]
    items: list[dict[str, Any]] = []
    for lot in published:
        for item in lot.items:
            classification: dict[str, Any] = {"scheme": "CPV", "id": item.cpv.split("-")[0]}
            if item.cpv in labels:
                classification["description"] = labels[item.cpv]
            items.append(
                {
                    "id": f"{lot.numero}-{item.produit}",
                    "description": item.libelle,
                    "classification": classification,
                    "quantity": json_number(item.quantite_annuelle),
                    "unit": {"name": item.unite, "value": _money(item.prix_unitaire_ht)},
                    "relatedLot": str(lot.numero),
                }
            )
    lots = [_lot(plan, lot) for lot in published]
    method = {"appel_offres": "open", "mapa": "open", "dispense": "limited"}[plan.procedure.code]
    tender: dict[str, Any] = {
        "id": g.reference,
        "title": g.objet,
        "description": f"{g.nom} : {g.forme}, {len(published)} lot(s), {g.ccag}.",
        "status": "active",
        "procuringEntity": buyer,
        "items": items,
        "value": _money(sum((lot.montant_maximum_ht for lot in published), Decimal(0))),
        "procurementMethod": method,
        "procurementMethodDetails": plan.procedure.libelle,
        "mainProcurementCategory": "goods",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": " | ".join(f"Lot {lot.numero} : {criteria_text(lot)}" for lot in published),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": (
            "Dépôt des offres par voie électronique sur le profil d'acheteur, lot par lot."
        ),
        "tenderPeriod": {"startDate": _datetime(launch), "endDate": _datetime(deadline)},
        "contractPeriod": {"durationInDays": _days(plan.duree_mois)},
        "hasSustainability": any(lot.get("hasSustainability") for lot in lots),
        "lots": lots,
    }
    if plan.lots_max_par_candidat:
        tender["lotDetails"] = {"maximumLotsBidPerSupplier": plan.lots_max_par_candidat}
    release = {
        "ocid": f"{prefix}-{g.reference}",
        "id": f"{g.reference}-avis-{launch.isoformat()}",
        "date": _datetime(launch),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "fr",
        "parties": parties,
        "buyer": buyer,
        "tender": tender,
    }
    return {
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": _datetime(launch),
        "publisher": {"name": coordinator},
        "releases": [release],
    }


def package_text(package: dict[str, Any]) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"
