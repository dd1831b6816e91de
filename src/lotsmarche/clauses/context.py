"""What a clause condition can look at, for one lot, and whether a clause's conditions hold.

Selection must be explainable to a lawyer: ``conditions_reasons`` returns the French sentence fragments
that justify a clause (one per condition that holds) or ``None`` as soon as one condition fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import (
    CONSERVATION_LIBELLES,
    CONSERVATIONS,
    REGIME_LIBELLES,
    ClauseConditions,
    Lot,
    LotPlan,
    Member,
    ThresholdRow,
    lot_conservations,
)

KIND_LABELS: dict[str, str] = {
    "college": "collège",
    "lycee": "lycée",
    "ecole": "école",
    "creche": "crèche",
    "universite": "université",
    "esms": "ESMS",
    "ehpad": "EHPAD",
    "hopital": "hôpital",
    "commune": "commune",
    "administration": "administration",
}


@dataclass(frozen=True)
class LotContext:
    """The facts about one lot (and its plan) that clause conditions test."""

    numero: int
    famille: str
    conservation: str  # main conservation
    regime: str
    groupes_especes: frozenset[str]
    types_membres: frozenset[str]
    montant_maximum: Decimal
    date_lancement: date
    procedure_formalisee: bool
    nb_lots: int
    allotissement: bool
    limitation_lots: bool
    conservations: frozenset[str] = frozenset()  # every conservation of the lot (several with « famille »)


def members_by_name(plan: LotPlan) -> dict[str, Member]:
    return {m.nom: m for m in plan.groupement.membres}


def formal_threshold(plan: LotPlan, row: ThresholdRow) -> Decimal:
    """The EU threshold that applies to this buyer (R2124-1; central, local or utility)."""
    acheteur = plan.groupement.acheteur
    if acheteur == "central":
        return row.formalise_central.montant
    if acheteur == "entite_adjudicatrice":
        return row.formalise_entite_adjudicatrice.montant
    return row.formalise_local.montant


def total_maximum(plan: LotPlan) -> Decimal:
    """Total of the lots' maxima: the value that decides the procedure (R2121-1, R2121-8)."""
    return sum((lot.montant_maximum_ht for lot in plan.lots), Decimal(0))


def is_formal(plan: LotPlan, row: ThresholdRow) -> bool:
    """Formal procedure when the total is equal to or above the EU threshold (L2124-1)."""
    return total_maximum(plan) >= formal_threshold(plan, row)


def lot_context(plan: LotPlan, lot: Lot, cat: Catalogue, launch: date, formal: bool) -> LotContext:
    members = members_by_name(plan)
    kinds = frozenset(members[name].type for name in lot.membres if name in members)
    groups: set[str] = set()
    if lot.groupe_espece:
        groups.add(lot.groupe_espece)
    for item in lot.items:
        product = cat.produits.get(item.produit)
        if product is not None and product.groupe_espece:
            groups.add(product.groupe_espece)
    return LotContext(
        numero=lot.numero,
        famille=lot.famille,
        conservation=lot.conservation,
        regime=lot.regime_emballage,
        groupes_especes=frozenset(groups),
        types_membres=kinds,
        montant_maximum=lot.montant_maximum_ht,
        date_lancement=launch,
        procedure_formalisee=formal,
        nb_lots=len(plan.lots),
        allotissement=plan.allotissement,
        limitation_lots=plan.lots_max_par_candidat is not None,
        conservations=frozenset(lot_conservations(lot)),
    )


def _fr_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _fr_amount(value: Decimal) -> str:
    from lotsmarche.clauses.text import fmt_euros

    return fmt_euros(value)


def conditions_reasons(cond: ClauseConditions, ctx: LotContext, cat: Catalogue) -> list[str] | None:  # noqa: C901, PLR0912
    """French reasons for which every condition of ``cond`` holds on ``ctx``; ``None`` if one fails.

    The option flag is not tested here: options are a matter of the buyer's request, not of the lot.
    """
    reasons: list[str] = []
    if cond.familles is not None:
        if ctx.famille not in cond.familles:
            return None
        fam = cat.familles.get(ctx.famille)
        reasons.append(f"famille « {fam.libelle if fam else ctx.famille} »")
    if cond.conservations is not None:
        # a lot of several conservations (« famille ») takes the clauses of each of them
        hits = [c for c in CONSERVATIONS if c in (ctx.conservations or {ctx.conservation})]
        hits = [c for c in hits if c in cond.conservations]
        if not hits:
            return None
        reasons.append("produits " + ", ".join(CONSERVATION_LIBELLES.get(c, c) for c in hits))
    if cond.regimes is not None:
        if ctx.regime not in cond.regimes:
            return None
        reasons.append(f"régime d'emballage « {REGIME_LIBELLES.get(ctx.regime, ctx.regime)} »")
    if cond.types_membres is not None:
        kinds = sorted(ctx.types_membres & set(cond.types_membres))
        if not kinds:
            return None
        reasons.append("membres concernés : " + ", ".join(KIND_LABELS[k] for k in kinds))
    if cond.groupes_especes is not None:
        groups = sorted(ctx.groupes_especes & set(cond.groupes_especes))
        if not groups:
            return None
        reasons.append("espèces : " + ", ".join(g.replace("_", " ") for g in groups))
    if cond.montant_min is not None:
        if ctx.montant_maximum < cond.montant_min:
            return None
        reasons.append(f"montant maximum du lot supérieur ou égal à {_fr_amount(cond.montant_min)}")
    if cond.montant_max is not None:
        if ctx.montant_maximum >= cond.montant_max:
            return None
        reasons.append(f"montant maximum du lot inférieur à {_fr_amount(cond.montant_max)}")
    if cond.lancement_du is not None:
        if ctx.date_lancement < cond.lancement_du:
            return None
        reasons.append(f"consultation lancée à compter du {_fr_date(cond.lancement_du)}")
    if cond.lancement_au is not None:
        if ctx.date_lancement > cond.lancement_au:
            return None
        reasons.append(f"consultation lancée au plus tard le {_fr_date(cond.lancement_au)}")
    if cond.procedure_formalisee is not None:
        if ctx.procedure_formalisee != cond.procedure_formalisee:
            return None
        reasons.append(
            "procédure formalisée (montant total au moins égal au seuil européen)"
            if cond.procedure_formalisee
            else "procédure adaptée (montant total inférieur au seuil européen)"
        )
    if cond.nb_lots_min is not None:
        if ctx.nb_lots < cond.nb_lots_min:
            return None
        reasons.append(f"consultation en {ctx.nb_lots} lots")
    if cond.allotissement is not None:
        if ctx.allotissement != cond.allotissement:
            return None
        reasons.append("marché alloti" if cond.allotissement else "marché non alloti")
    if cond.limitation_lots is not None:
        if ctx.limitation_lots != cond.limitation_lots:
            return None
        reasons.append(
            "nombre de lots par candidat limité"
            if cond.limitation_lots
            else "aucune limitation du nombre de lots"
        )
    return reasons
