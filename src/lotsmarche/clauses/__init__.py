"""SPASER clause library: deterministic, explained selection of clauses and award criteria per lot.

For each lot, in clause-id order, a clause is selected when every condition of ``Clause.conditions`` holds
on the lot (family, conservation, packaging regime, member kinds, species, lot maximum, launch date,
procedure, allotment) and it is not an option; options are selected only when ``groupement.clauses.ajouter``
asks for them. ``groupement.clauses.retirer`` removes clauses (removing a mandatory one is an error), and
``ajouter``/``retirer`` accept ``ID@n`` to target lot n only. ``ClauseSelection.motif`` says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from lotsmarche.calendrier import annex_title, calendar_file
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses.context import (
    LotContext,
    conditions_reasons,
    is_formal,
    lot_context,
)
from lotsmarche.clauses.criteria import CriteriaChoice, choose, resolve_sets
from lotsmarche.clauses.text import criteria_sentence, fmt_euros, fmt_number, substitute
from lotsmarche.models import (
    CONSERVATION_LIBELLES,
    REGIME_LIBELLES,
    Clause,
    ClauseSelection,
    Finding,
    Lot,
    LotPlan,
)

__all__ = ["lot_values", "select_clauses", "select_with_findings"]

BASE_CLAUSES = "Code de la commande publique, art. L2112-2 et R2112-1 (documents contractuels)"

# Placeholders that carry names chosen by the buyer (titles, group name...). They are linted on their own
# (lot titles with their own rule), so clause-text lint leaves them out: see rules.lint.
IDENTITY_KEYS = (
    "intitule",
    "groupement",
    "reference",
    "objet",
    "criteres",
    "justification_non_allotissement",
)


def _parse_targets(entries: Iterable[str]) -> dict[str, set[int] | None]:
    """``["ENV-1", "SOC-2@3"]`` → ``{"ENV-1": None, "SOC-2": {3}}`` (None: every lot)."""
    out: dict[str, set[int] | None] = {}
    for raw in entries:
        ident, _, lot = raw.partition("@")
        ident = ident.strip()
        if lot.strip().isdigit():
            current = out.get(ident, set())
            if current is not None:
                current.add(int(lot))
                out[ident] = current
        else:
            out[ident] = None
    return out


def _targets(targets: dict[str, set[int] | None], ident: str, numero: int) -> bool:
    if ident not in targets:
        return False
    lots = targets[ident]
    return lots is None or numero in lots


def lot_values(plan: LotPlan, lot: Lot, cat: Catalogue, launch: date, criteres: list[Any]) -> dict[str, Any]:
    """Lot context a clause text may use, already formatted in French."""
    fam = cat.familles.get(lot.famille)
    g = plan.groupement
    duree = g.duree
    if duree.reconductions:
        duree_texte = (
            f"{duree.periode_initiale_mois} mois, reconductible {duree.reconductions} fois "
            f"{duree.duree_reconduction_mois} mois, soit {plan.duree_mois} mois au plus"
        )
    else:
        duree_texte = f"{plan.duree_mois} mois, sans reconduction"
    minimum = lot.montant_minimum_ht
    fitting = cat.indice_pour(lot.famille, lot.conservation)
    fixe = fitting.partie_fixe if fitting is not None else Decimal("0.15")
    periodicite = (
        fitting.periodicite
        if fitting is not None
        else ("mensuelle" if lot.conservation == "frais" else "trimestrielle")
    )
    return {
        "numero": lot.numero,
        "intitule": lot.intitule,
        # the lot's delivery calendar: CCTP annex and DCE workbook (seasonality clause)
        "calendrier_annexe": annex_title(lot.numero),
        "calendrier_fichier": calendar_file(lot.numero),
        "famille": fam.libelle if fam else lot.famille,
        "conservation": CONSERVATION_LIBELLES.get(lot.conservation, lot.conservation),
        "regime": REGIME_LIBELLES.get(lot.regime_emballage, lot.regime_emballage),
        "montant_maximum": fmt_euros(lot.montant_maximum_ht),
        "montant_estime": fmt_euros(lot.montant_estime_duree_ht),
        "mention_minimum": (
            f"d'un montant minimum de {fmt_euros(minimum)}" if minimum is not None else "sans montant minimum"
        ),
        "duree_mois": plan.duree_mois,
        "duree_texte": duree_texte,
        "indice_revision": lot.indice_revision or "[indice à définir]",
        "indice_libelle": lot.indice_libelle or "[libellé de l'indice à définir]",
        "periodicite_indice": periodicite,
        "partie_fixe": fmt_number(fixe),
        "partie_variable": fmt_number(Decimal(1) - fixe),
        "groupement": g.nom,
        "reference": g.reference,
        "objet": g.objet,
        "ccag": g.ccag,
        "nb_lots": len(plan.lots),
        "lots_max_par_candidat": plan.lots_max_par_candidat,
        "date_lancement": launch,
        "criteres": criteria_sentence(criteres),
        "justification_non_allotissement": plan.justification_non_allotissement or "[motivation à rédiger]",
        # the family's vocabulary (familles.yaml): no « pêcheur » in a dairy lot
        "producteur": fam.producteur if fam else "le producteur",
        "producteurs": fam.producteurs if fam else "producteurs",
    }


def _worded(criteres: list[Any], lot: Lot, cat: Catalogue) -> list[Any]:
    """Award criteria with the family's vocabulary in their sub-criteria ({producteur}, {producteurs})."""
    fam = cat.familles.get(lot.famille)
    words = {
        "producteur": fam.producteur if fam else "le producteur",
        "producteurs": fam.producteurs if fam else "producteurs",
    }
    return [
        c.model_copy(update={"sous_criteres": [substitute(t, words)[0] for t in c.sous_criteres]})
        for c in criteres
    ]


def clause_params(clause: Clause, plan: LotPlan) -> dict[str, Any]:
    """The clause's parameters with the buyer's overrides (groupement.clauses.parametres) applied."""
    params = dict(clause.parametres)
    params.update(plan.groupement.clauses.parametres.get(clause.id, {}))
    return params


def _motif(reasons: list[str], forced: bool, option: bool) -> str:
    if reasons:
        text = "Retenue car : " + " ; ".join(reasons)
    else:
        text = "Retenue pour tous les lots (clause sans condition)"
    if forced and option:
        text += " ; option demandée dans groupement.yaml (clauses.ajouter)"
    elif forced:
        text += " ; demandée dans groupement.yaml (clauses.ajouter)"
    return text + "."


def _select_lot(  # noqa: PLR0917
    plan: LotPlan, lot: Lot, ctx: LotContext, cat: Catalogue, choice: CriteriaChoice | None, launch: date
) -> tuple[list[ClauseSelection], set[str], list[str]]:
    """Clauses of one lot; also the forced ids that applied and the unresolved placeholders seen."""
    ov = plan.groupement.clauses
    add, remove = _parse_targets(ov.ajouter), _parse_targets(ov.retirer)
    values = lot_values(plan, lot, cat, launch, choice.criteres if choice else [])
    selected: list[ClauseSelection] = []
    applied: set[str] = set()
    missing: list[str] = []
    for clause in sorted(cat.clauses, key=lambda c: c.id):
        forced = _targets(add, clause.id, lot.numero)
        if clause.conditions.option and not forced:
            continue
        if _targets(remove, clause.id, lot.numero):
            continue
        reasons = conditions_reasons(clause.conditions, ctx, cat)
        if reasons is None:
            continue
        if forced:
            applied.add(clause.id)
        texte, unresolved = substitute(clause.texte, {**values, **clause_params(clause, plan)})
        missing.extend(f"{clause.id}:{name}" for name in unresolved)
        selected.append(
            ClauseSelection(
                id=clause.id,
                titre=substitute(clause.titre, values)[0],
                type=clause.type,
                destinations=list(clause.destinations),
                base_legale=clause.base_legale,
                texte=texte,
                motif=_motif(reasons, forced, clause.conditions.option),
                condition_execution=clause.condition_execution,
                incertain=clause.incertain,
            )
        )
    return selected, applied, missing


def _override_findings(plan: LotPlan, cat: Catalogue, applied: set[str]) -> list[Finding]:
    """CLA findings about groupement.clauses (unknown ids, mandatory removals, options applying nowhere)."""
    ov = plan.groupement.clauses
    by_id = {c.id: c for c in cat.clauses}
    out: list[Finding] = []

    def unknown(field: str, ident: str) -> None:
        out.append(
            Finding(
                code="CLA-003",
                severite="erreur",
                message=f"groupement.yaml, clauses.{field} : la clause « {ident} » n'existe pas dans la "
                "bibliothèque.",
                base_legale=BASE_CLAUSES,
                correction="Corrigez l'identifiant (voir « lotsmarche catalogue show clauses »).",
            )
        )

    for field, targets in (("ajouter", _parse_targets(ov.ajouter)), ("retirer", _parse_targets(ov.retirer))):
        for ident in sorted(targets):
            if ident not in by_id:
                unknown(field, ident)
    for ident in sorted(ov.parametres):
        if ident not in by_id:
            unknown("parametres", ident)
            continue
        defaults = by_id[ident].parametres
        for name, value in sorted(ov.parametres[ident].items()):
            if name not in defaults:
                out.append(
                    Finding(
                        code="CLA-009",
                        severite="avertissement",
                        message=(
                            f"groupement.yaml, clauses.parametres.{ident}.{name} : la clause n'a pas de "
                            f"paramètre « {name} » ; la valeur est ignorée."
                        ),
                        base_legale=BASE_CLAUSES,
                        correction=f"Paramètres de la clause : {', '.join(sorted(defaults)) or 'aucun'}.",
                    )
                )
            elif type(value) is not type(defaults[name]) and not (
                isinstance(value, int | float) and isinstance(defaults[name], int | float)
            ):
                out.append(
                    Finding(
                        code="CLA-011",
                        severite="erreur",
                        message=(
                            f"groupement.yaml, clauses.parametres.{ident}.{name} : valeur « {value} » d'un "
                            "type "
                            f"inattendu (attendu comme « {defaults[name]} »)."
                        ),
                        base_legale=BASE_CLAUSES,
                        correction="Donnez une valeur du même type que la valeur par défaut.",
                    )
                )
    for ident, lots in sorted(_parse_targets(ov.retirer).items()):
        clause = by_id.get(ident)
        if clause is not None and clause.obligatoire:
            where = (
                "de tous les lots" if lots is None else "du lot " + ", ".join(str(n) for n in sorted(lots))
            )
            out.append(
                Finding(
                    code="CLA-002",
                    severite="erreur",
                    message=(
                        f"La clause obligatoire « {clause.titre} » ({ident}) est retirée {where} par "
                        "groupement.yaml (clauses.retirer)."
                    ),
                    base_legale=clause.base_legale,
                    lot=next(iter(lots)) if lots is not None and len(lots) == 1 else None,
                    correction=f"Retirez « {ident} » de clauses.retirer : cette mention est exigée par les "
                    "textes.",
                )
            )
    for ident in sorted(_parse_targets(ov.ajouter)):
        if ident in by_id and ident not in applied:
            out.append(
                Finding(
                    code="CLA-010",
                    severite="avertissement",
                    message=(
                        f"La clause « {by_id[ident].titre} » ({ident}) demandée dans groupement.yaml ne "
                        "s'applique "
                        "à aucun lot : ses conditions ne sont remplies par aucun lot visé."
                    ),
                    base_legale=by_id[ident].base_legale,
                    correction="Vérifiez les conditions de la clause ou le numéro de lot indiqué après « @ ».",  # noqa: E501
                )
            )
    return out


def select_with_findings(
    plan: LotPlan, cat: Catalogue, date_lancement: date | None = None
) -> tuple[LotPlan, list[Finding]]:
    """Fill ``lot.clauses`` and ``lot.criteres`` of every lot; return the plan and the CLA findings."""
    launch = date_lancement or plan.date_lancement
    row = cat.seuils_pour(launch) if date_lancement is not None else plan.seuils
    formal = is_formal(plan, row)
    resolved, findings = resolve_sets(cat, plan.groupement)
    lots: list[Lot] = []
    applied: set[str] = set()
    missing: list[str] = []
    for lot in plan.lots:
        choice = choose(lot.conservation, cat, resolved)
        ctx = lot_context(plan, lot, cat, launch, formal)
        clauses, forced, unresolved = _select_lot(plan, lot, ctx, cat, choice, launch)
        applied |= forced
        missing.extend(u for u in unresolved if u not in missing)
        lots.append(
            lot.model_copy(
                update={"clauses": clauses, "criteres": _worded(choice.criteres, lot, cat) if choice else []}
            )
        )
        if choice is None:
            findings.append(
                Finding(
                    code="CLA-006",
                    severite="erreur",
                    message=f"Aucun jeu de critères d'attribution ne convient au lot {lot.numero} "
                    f"({lot.conservation}).",
                    base_legale="Code de la commande publique, art. R2152-7",
                    lot=lot.numero,
                    correction="Ajoutez un jeu « defaut » dans criteres.yaml.",
                )
            )
    findings.extend(_override_findings(plan, cat, applied))
    for item in missing:
        ident, _, name = item.partition(":")
        findings.append(
            Finding(
                code="CLA-008",
                severite="erreur",
                message=f"Le texte de la clause {ident} contient l'emplacement « {{{name}}} » qui n'a pas de "
                "valeur.",
                base_legale=BASE_CLAUSES,
                correction=f"Ajoutez le paramètre « {name} » à la clause dans clauses.yaml ou dans "
                "groupement.yaml.",
            )
        )
    return plan.model_copy(update={"lots": lots}), findings


def select_clauses(plan: LotPlan, cat: Catalogue, date_lancement: date | None = None) -> LotPlan:
    """Clauses and criteria per lot (findings of the selection are returned by ``select_with_findings``)."""
    return select_with_findings(plan, cat, date_lancement)[0]
