"""Packaging rules (EMB-xxx): the dated rules of regles_emballage.yaml, evaluated per lot and member.

A rule concerns a lot through its packaging regime, the packaging codes of its items, or polystyrene; it is
in force when the launch date lies in [du, au]. Rules naming member kinds are evaluated member by member
(one finding per member concerned); communes are sorted by population (member's own figure, else the
territories catalogue). Engine codes: EMB-010 unknown population, EMB-011 mixed regimes in a lot,
EMB-012 unknown packaging code, EMB-013 member not declared in groupement.yaml.
"""

from __future__ import annotations

from datetime import date, timedelta

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import REGIME_LIBELLES, Finding, Lot, LotPlan, Member, PackagingRule


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` months (day clipped to 28: an order of magnitude for the contract's end)."""
    year, month = divmod(d.month - 1 + months, 12)
    return date(d.year + year, month + 1, min(d.day, 28))


def member_population(member: Member, cat: Catalogue) -> int | None:
    if member.population is not None:
        return member.population
    commune = cat.commune_du_membre(member)
    return commune.population if commune is not None else None


def _rule_concerns(rule: PackagingRule, lot: Lot, cat: Catalogue) -> bool:
    if rule.regimes and lot.regime_emballage in rule.regimes:
        return True
    codes = {item.conditionnement for item in lot.items}
    if rule.conditionnements and codes & set(rule.conditionnements):
        return True
    if rule.polystyrene:
        return any(cat.conditionnements[c].polystyrene for c in codes if c in cat.conditionnements)
    return False


def _in_force(rule: PackagingRule, launch: date) -> bool:
    return rule.du <= launch and (rule.au is None or launch <= rule.au)


def _population_ok(rule: PackagingRule, population: int) -> bool:
    if rule.population_min is not None and population < rule.population_min:
        return False
    return not (rule.population_max is not None and population >= rule.population_max)


def _later_rule_note(rule: PackagingRule, plan: LotPlan, launch: date) -> str:
    """When a dated rule expires during the contract, say the stricter one will apply during execution."""
    if rule.au is None:
        return ""
    end = add_months(launch, plan.duree_mois)
    if end > rule.au:
        nxt = rule.au + timedelta(days=1)
        return (
            f" L'accord-cadre pouvant s'exécuter jusqu'au {end.strftime('%d/%m/%Y')}, la règle plus stricte "
            f"applicable à compter du {nxt.strftime('%d/%m/%Y')} devra être respectée dès cette date."
        )
    return ""


def _finding(
    rule: PackagingRule, lot: Lot, note: str, membre: str | None, incertain: bool = False
) -> Finding:
    who = f" (membre « {membre} »)" if membre else ""
    return Finding(
        code=rule.code,
        severite=rule.severite,
        message=f"Lot {lot.numero}{who} : {rule.message}{note}",
        base_legale=rule.base_legale,
        lot=lot.numero,
        correction=rule.correction,
        membre=membre,
        incertain=rule.incertain or incertain,
    )


def _structure_findings(lot: Lot, plan: LotPlan, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    mixed: set[str] = set()
    for item in lot.items:
        pack = cat.conditionnements.get(item.conditionnement)
        if pack is None:
            out.append(
                Finding(
                    code="EMB-012",
                    severite="avertissement",
                    message=(
                        f"Lot {lot.numero} : le conditionnement « {item.conditionnement} » du produit "
                        f"{item.produit} est inconnu du catalogue ; son régime d'emballage n'a pas pu être "
                        "vérifié."
                    ),
                    base_legale="Code de l'environnement, art. L541-15-10 III et D541-338",
                    lot=lot.numero,
                    correction="Utilisez un code de conditionnements.yaml.",
                )
            )
        elif pack.regime != lot.regime_emballage:
            mixed.add(f"{item.produit} ({item.conditionnement} : {REGIME_LIBELLES[pack.regime]})")
    if mixed:
        out.append(
            Finding(
                code="EMB-011",
                severite="erreur",
                message=(
                    f"Le lot {lot.numero} mélange des régimes d'emballage : il est déclaré en "
                    f"« {REGIME_LIBELLES[lot.regime_emballage]} » mais contient "
                    + ", ".join(sorted(mixed))
                    + "."
                ),
                base_legale="Code de l'environnement, art. L541-15-10 III (règles différentes selon le "
                "contenant)",
                lot=lot.numero,
                correction="Relancez l'allotissement : un lot ne doit contenir qu'un seul régime.",
            )
        )
    return out


def check_packaging(plan: LotPlan, cat: Catalogue, launch: date) -> list[Finding]:
    members = {m.nom: m for m in plan.groupement.membres}
    out: list[Finding] = []
    for lot in plan.lots:
        out.extend(_structure_findings(lot, plan, cat))
        for name in sorted(n for n in lot.membres if n not in members):
            out.append(
                Finding(
                    code="EMB-013",
                    severite="avertissement",
                    message=(
                        f"Lot {lot.numero} : le membre « {name} » n'est pas déclaré dans groupement.yaml ; "
                        "les "
                        "règles d'emballage qui dépendent du type d'établissement n'ont pas pu être "
                        "vérifiées."
                    ),
                    base_legale="Code de l'environnement, art. L541-15-10 III",
                    lot=lot.numero,
                    membre=name,
                    correction="Déclarez ce membre (nom et type) dans groupement.yaml.",
                )
            )
        for rule in sorted(cat.regles_emballage, key=lambda r: r.code):
            if not _in_force(rule, launch) or not _rule_concerns(rule, lot, cat):
                continue
            note = _later_rule_note(rule, plan, launch)
            if rule.types_membres is None:
                out.append(_finding(rule, lot, note, None))
                continue
            for name in sorted(lot.membres):
                member = members.get(name)
                if member is None or member.type not in rule.types_membres:
                    continue
                if rule.population_min is None and rule.population_max is None:
                    out.append(_finding(rule, lot, note, name))
                    continue
                population = member_population(member, cat)
                if population is None:
                    # Unknown size: apply the rule binding large communes (the prudent reading), say so.
                    if rule.population_min is not None:
                        out.append(
                            _finding(
                                rule,
                                lot,
                                note + " (population inconnue : règle la plus stricte "
                                "appliquée par prudence)",
                                name,
                                incertain=True,
                            )
                        )
                    elif rule.population_max is not None and rule.severite == "info":
                        out.append(_population_unknown(lot, name))
                    continue
                if _population_ok(rule, population):
                    out.append(_finding(rule, lot, note, name))
    return out


def _population_unknown(lot: Lot, name: str) -> Finding:
    return Finding(
        code="EMB-010",
        severite="avertissement",
        message=(
            f"Lot {lot.numero} : la population de la commune membre « {name} » est inconnue ; l'échéance de "
            "l'interdiction des contenants plastiques, qui dépend de la population de la commune (règles "
            "datées de regles_emballage.yaml), ne peut pas être déterminée."
        ),
        base_legale="Code de l'environnement, art. L541-15-10 III",
        lot=lot.numero,
        membre=name,
        correction="Renseignez « population » ou « commune » pour ce membre dans groupement.yaml.",
        incertain=True,
    )
