"""Lotting: turn the canonical demand into a priced lot plan (strategies, buyer's plan, non-allotment).

``build_plan`` is pure (it reads only the optional plan YAML): lines → cells → groups (a strategy, the
buyer's rules, or one lot without allotment) → lots with items, breakdowns, CPV and suppliers able to serve →
valuation over the duration and the procedure of the whole and of each lot. Clauses and compliance
findings are added later by ``lotsmarche.rules``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.model import Demand
from lotsmarche.lotting.assemble import LotDraft, build_drafts
from lotsmarche.lotting.capacite import capacity_reasons, merge_proposal
from lotsmarche.lotting.capacity import yearly_only_finding
from lotsmarche.lotting.lines import AMOUNT_SCALE, PreparedDemand, prepare
from lotsmarche.lotting.naming import name_drafts, sort_drafts
from lotsmarche.lotting.planfile import load_plan_file, resolve
from lotsmarche.lotting.strategies import (
    STRATEGY_REGISTRY,
    Group,
    LazyStrategy,
    Strategy,
    StrategyContext,
    get_strategy,
)
from lotsmarche.models import CONSERVATION_LIBELLES, Finding, Groupement, Lot, LotPlan, ProcedureLot, Supplier
from lotsmarche.money import round_cents
from lotsmarche.valuation import PROCEDURE_LIBELLES, eur, procedures_for_lots, value_lot

__all__ = ["STRATEGY_REGISTRY", "Group", "Strategy", "StrategyContext", "build_plan", "get_strategy"]


def generator() -> str:
    try:
        return f"lotsmarche {version('lotsmarche')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "lotsmarche"


def build_plan(  # noqa: PLR0917 - the documented contract takes the options positionally too
    demand: Demand,
    cat: Catalogue,
    groupement: Groupement,
    suppliers: list[Supplier],
    strategy: str = "capacite",
    plan_file: Path | None = None,
    sans_allotissement: str | None = None,
    lots_max_par_candidat: int | None = None,
    date_lancement: date | None = None,
    duree_mois: int | None = None,
    *,
    time_limit: float | None = None,
) -> LotPlan:
    """Split the demand into lots and value them (see the module docstring). ``time_limit``: seconds
    for the solver of strategy ``optimal`` (its default when None)."""
    launch = date_lancement or groupement.date_lancement
    months = groupement.duree.total_mois if duree_mois is None else duree_mois
    _check_options(groupement, cat, months, lots_max_par_candidat)
    row = cat.seuils_pour(launch)  # InputError when no row covers the date
    limit = groupement.lots_max_par_candidat if lots_max_par_candidat is None else lots_max_par_candidat
    prepared = prepare(demand, cat)
    context = StrategyContext(
        groupement=groupement, suppliers=suppliers, k=groupement.k_fournisseurs, time_limit=time_limit
    )
    findings: list[Finding] = []
    justification: str | None = None
    if sans_allotissement is not None:
        if plan_file is not None:
            raise InputError(
                "Options incompatibles",
                [Problem("--sans-allotissement et --plan ne peuvent pas être utilisés ensemble")],
            )
        justification = _non_allotment(prepared, sans_allotissement)
        groups = [Group(cells=tuple(range(prepared.nb_cells)))]
        strategie = "sans_allotissement"
        findings.append(
            Finding(
                code="LOT-004",
                severite="info",
                message="Marché non alloti ; la motivation donnée est reprise dans le règlement de la "
                f"consultation : « {justification} »",
                base_legale="Code de la commande publique, art. L2113-11, R2113-2 et R2113-3",
            )
        )
    elif plan_file is not None:
        groups, plan_findings = _groups_from_plan(plan_file, prepared, cat, context)
        findings.extend(plan_findings)
        strategie = f"plan:{plan_file.name}"
    else:
        chosen = get_strategy(strategy)
        groups = chosen.split(prepared.cells, cat, context)
        findings.extend(_strategy_findings(chosen))
        strategie = strategy
    drafts = build_drafts(prepared, groups, cat, suppliers, strategie)
    name_drafts(drafts, prepared, cat)
    drafts = sort_drafts(drafts, cat)
    lots, lot_findings = _value(drafts, groupement, months, suppliers, context.k)
    maxima = {lot.numero: lot.montant_maximum_ht for lot in lots}
    outcome = procedures_for_lots(maxima, row, groupement.acheteur, groupement.petits_lots)
    lots = [lot.model_copy(update={"procedure": outcome.lots[lot.numero]}) for lot in lots]
    findings.extend(outcome.findings)
    findings.extend(lot_findings)
    gap = _rounding_finding(prepared, lots)
    if gap is not None:
        findings.append(gap)
    if limit is not None:
        findings.append(_limit_finding(limit, len(lots)))
    yearly = yearly_only_finding(suppliers)
    if yearly is not None:
        findings.append(yearly)
    return LotPlan(
        generateur=generator(),
        groupement=groupement,
        strategie=strategie,
        date_lancement=launch,
        duree_mois=months,
        seuils=row,
        allotissement=justification is None,
        justification_non_allotissement=justification,
        lots_max_par_candidat=limit,
        lots=lots,
        montant_total_annuel_ht=sum((lot.montant_annuel_ht for lot in lots), Decimal(0)),
        montant_total_estime_ht=sum((lot.montant_estime_duree_ht for lot in lots), Decimal(0)),
        montant_total_maximum_ht=sum((lot.montant_maximum_ht for lot in lots), Decimal(0)),
        procedure=outcome.globale,
        part_derogations=outcome.part_derogations,
        lignes_demande=len(demand.table),
        empreinte_demande=demand.empreinte,
        findings=findings,
    )


def _check_options(groupement: Groupement, cat: Catalogue, months: int, limit: int | None) -> None:
    problems: list[Problem] = []
    # The maximum duration of an accord-cadre (L2125-1) is catalogue data (parametres.yaml).
    max_mois = cat.parametre_int("duree_max_accord_cadre_mois")
    if months < 1 or months > max_mois:
        base = cat.parametre("duree_max_accord_cadre_mois").base_legale
        problems.append(
            Problem(
                f"durée de {months} mois impossible : un accord-cadre dure de 1 à {max_mois} mois"
                f"{_years(max_mois)} reconductions comprises ({base})",
                colonne="--duree-mois",
            )
        )
    if limit is not None and limit < 1:
        problems.append(Problem("le nombre maximum de lots par candidat doit être au moins 1 (art. R2113-1)"))
    part = groupement.part_minimum
    if part is not None and (part < 0 or part > 1 + groupement.marge_maximum):
        problems.append(
            Problem(
                f"part_minimum ({part}) doit être comprise entre 0 et 1 + marge_maximum : le minimum d'un "
                "accord-cadre ne peut dépasser son maximum (art. R2162-4)",
                fichier="groupement.yaml",
            )
        )
    if problems:
        raise InputError("Options d'allotissement invalides", problems)


def _non_allotment(prepared: PreparedDemand, justification: str) -> str:
    text = " ".join(justification.split())
    if not text:
        raise InputError(
            "Non-allotissement sans motivation",
            [
                Problem(
                    "--justification est obligatoire : la décision de ne pas allotir doit être motivée en "
                    "énonçant les considérations de droit et de fait (art. L2113-11)"
                )
            ],
        )
    classes = prepared.cells[["famille", "conservation", "contact"]].drop_duplicates()
    if len(classes) > 1:
        listed = "; ".join(
            f"{r.famille}, {CONSERVATION_LIBELLES.get(str(r.conservation), '')}"
            + (", contenants plastiques de service" if r.contact else "")
            for r in classes.sort_values(["famille", "conservation", "contact"]).itertuples()
        )
        raise InputError(
            "Non-allotissement impossible pour cette demande",
            [
                Problem(
                    f"la demande couvre {len(classes)} ensembles qui ne peuvent pas former un seul lot "
                    f"({listed}) : "
                    "un lot ne mélange jamais produits frais et surgelés, ni contenants plastiques de "
                    "cuisson, de réchauffe ou de service et autres emballages. "
                    "Allotissez (--strategy) ou limitez la demande à un seul ensemble homogène"
                )
            ],
        )
    return text


def _groups_from_plan(
    plan_file: Path, prepared: PreparedDemand, cat: Catalogue, context: StrategyContext
) -> tuple[list[Group], list[Finding]]:
    plan = load_plan_file(plan_file)
    resolved = resolve(plan, prepared.cells, cat, plan_file.name)
    groups = list(resolved.groups)
    findings: list[Finding] = []
    if resolved.unmatched:
        sub = prepared.cells.iloc[resolved.unmatched].reset_index(drop=True)
        for g in get_strategy("famille-conservation").split(sub, cat, context):
            groups.append(Group(cells=tuple(resolved.unmatched[i] for i in g.cells), elabore=g.elabore))
        products = sorted(set(sub["produit"].tolist()))
        shown = ", ".join(products[:20]) + (" …" if len(products) > 20 else "")
        lines = int(sub["nb_lignes"].sum())
        findings.append(
            Finding(
                code="LOT-002",
                severite="avertissement",
                message=f"{lines} ligne(s) de la demande ne correspondent à aucune règle de {plan_file.name} "
                f"(produits : {shown}) ; elles sont placées dans des lots supplémentaires par famille et "
                "conservation.",
                base_legale="Code de la commande publique, art. L2113-10",
                correction="Complétez le plan pour que chaque produit de la demande relève d'une règle.",
            )
        )
    for i in resolved.empty_rules:
        findings.append(
            Finding(
                code="LOT-005",
                severite="avertissement",
                message=f"La règle {i} de {plan_file.name} (« {plan.lots[i - 1].intitule} ») ne correspond à "
                "aucune ligne de la demande : aucun lot n'est créé pour elle.",
                base_legale="Code de la commande publique, art. L2113-10",
                correction="Vérifiez les critères de la règle ou retirez-la.",
            )
        )
    return groups, findings


def _value(
    drafts: list[LotDraft],
    groupement: Groupement,
    months: int,
    suppliers: list[Supplier],
    k: int,
) -> tuple[list[Lot], list[Finding]]:
    placeholder = ProcedureLot(
        code="mapa", libelle=PROCEDURE_LIBELLES["mapa"], publicite="adaptee", motifs=[]
    )
    lots: list[Lot] = []
    findings: list[Finding] = []
    for numero, d in enumerate(drafts, start=1):
        value = value_lot(d.annuel, months, groupement.marge_maximum, groupement.part_minimum)
        lots.append(
            Lot(
                numero=numero,
                intitule=d.intitule,
                famille=d.famille,
                conservation=d.conservation,
                conservations=d.conservations,
                regime_emballage=d.regime,
                groupe_espece=d.groupe_espece,
                territoires=d.territoires,
                cpv_principal=d.cpv_principal,
                cpv_secondaires=d.cpv_secondaires,
                items=d.items,
                sites=d.sites,
                membres=d.membres,
                mois_approvisionnement=d.mois,
                livraisons_annuelles=d.livraisons,
                montant_annuel_ht=value.annuel,
                montant_estime_duree_ht=value.estime,
                montant_minimum_ht=value.minimum,
                montant_maximum_ht=value.maximum,
                procedure=placeholder,
                fournisseurs_capables=d.fournisseurs,
                nb_fournisseurs_capables=len(d.fournisseurs),
                indice_revision=d.indice,
                indice_libelle=d.indice_libelle,
            )
        )
    thin = {numero for numero, d in enumerate(drafts, start=1) if len(d.fournisseurs) < k}
    for numero in sorted(thin):
        d = drafts[numero - 1]
        lots[numero - 1] = lots[numero - 1].model_copy(
            update={
                "raisons_capacite": capacity_reasons(d.need, suppliers),
                "fusion_proposee": merge_proposal(numero, drafts, suppliers, k),
            }
        )
    return lots, findings


def _strategy_findings(strategy: Strategy) -> list[Finding]:
    """Plan-level findings a strategy leaves about its last split (``optimal``: OPT-001/002/003).

    Read right after ``split`` so that every caller of ``build_plan`` (lots, compare, run) carries them.
    """
    loaded = strategy.load() if isinstance(strategy, LazyStrategy) else strategy
    found = getattr(loaded, "last_findings", None)
    return [f for f in found if isinstance(f, Finding)] if isinstance(found, list) else []


def _rounding_finding(prepared: PreparedDemand, lots: list[Lot]) -> Finding | None:
    """Say how far the priced items are from the demand's own amounts when a product has several prices.

    A product has one estimated unit price in the whole plan (the quantity-weighted mean of all its lines'
    prices, to the cent) so that quantity × price is its DQE line in whatever lot it lands; when its lines
    were priced differently, the items' amounts differ from the exact sum of the lines. Buyers see the total
    gap here (it is the same for every strategy but for the per-item rounding to the cent).
    """
    count = sum(1 for p in prepared.prix.values() if p.nb_prix > 1)
    items_e7 = sum(int(it.montant_annuel_ht.scaleb(2)) for lot in lots for it in lot.items) * (
        AMOUNT_SCALE // 100
    )
    exact_e7 = sum(int(v) for v in prepared.column("montant_e7"))
    gap = Decimal(items_e7 - exact_e7) / AMOUNT_SCALE
    if count == 0 or round_cents(gap) == 0:
        return None
    return Finding(
        code="LOT-006",
        severite="info",
        message=f"{count} produit(s) de la demande sont demandés à des prix unitaires différents selon les "
        "lignes : le prix estimé de chaque produit, le même dans tous les lots, est la moyenne de ses prix "
        "pondérée par les quantités de toute la demande, arrondie au centime. Écart entre le montant annuel "
        "des lots et la somme exacte des lignes de la demande : "
        f"{'+' if gap > 0 else '−'}{eur(abs(round_cents(gap)))}.",
        base_legale="Code de la commande publique, art. R2121-1 (valeur estimée du besoin)",
        correction="Harmonisez les prix unitaires de la demande pour un même produit si l'écart importe.",
    )


def _limit_finding(limit: int, nb_lots: int) -> Finding:
    message = (
        f"Un même candidat ne pourra se voir attribuer plus de {limit} lot(s) ; le règlement de la "
        "consultation doit indiquer cette limite et la règle de départage appliquée si un candidat arrive "
        "en tête sur davantage de lots (par exemple l'ordre décroissant d'importance des lots)."
    )
    if limit >= nb_lots:
        message += f" Avec {nb_lots} lot(s), cette limite n'a pas d'effet."
    return Finding(
        code="LOT-003",
        severite="info",
        message=message,
        base_legale="Code de la commande publique, art. L2113-10 et R2113-1",
    )


def _years(mois: int) -> str:
    """« (4 ans), » after a whole number of years, « , » otherwise (the message stays one sentence)."""
    if mois % 12 == 0:
        n = mois // 12
        return f" ({n} an{'s' if n > 1 else ''}),"
    return ","
