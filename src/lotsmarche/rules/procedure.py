"""Procedure, allotment, framework-agreement, Climate-law and price-revision checks.

Codes: SEU (thresholds and procedure), ALL (allotment, R2113-1), AC (accord-cadre), CLI (loi Climat et
résilience: criteria and execution conditions from the date of catalogues/parametres.yaml), PRX (price
revision, R2112-14). Comparisons follow the texts: formal procedure at or above the EU threshold; small lots
strictly below their threshold; small-lot allowance at most 20 % of the total. Legal values (Climate-law
date, maximum duration, revision duration) are read from the catalogue (``parametres.yaml``), never coded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses.context import formal_threshold, is_formal, total_maximum
from lotsmarche.clauses.text import NBSP, fmt_euros, fmt_number
from lotsmarche.models import Finding, LegalParameter, LotPlan, ThresholdRow, ThresholdValue
from lotsmarche.text import date_fr, duree_fr

CLIMAT = "loi_climat_criteres_environnementaux"
DUREE_MAX = "duree_max_accord_cadre_mois"
REVISION = "revision_duree_min_mois"
JUSTIFICATION_MIN = 80  # characters: a motivation must state facts and law (CE 11 août 2009, n° 319949)
BASE_SOCIAL = "Code de la commande publique, art. L2112-2-1 (loi n° 2021-1104, art. 35 ; décret n° 2022-767)"


def _u(*values: ThresholdValue | LegalParameter) -> bool:
    return any(v.confiance == "U" for v in values)


def _seu(plan: LotPlan, row: ThresholdRow, launch: date) -> list[Finding]:
    out: list[Finding] = []
    total = total_maximum(plan)
    seuil = formal_threshold(plan, row)
    formal = total >= seuil
    if launch != plan.date_lancement:
        out.append(
            Finding(
                code="SEU-004",
                severite="info",
                base_legale="Code de la commande publique, art. R2121-1",
                message="Contrôle effectué comme si la consultation était lancée le "
                f"{launch.strftime('%d/%m/%Y')} "
                f"(plan calculé pour le {plan.date_lancement.strftime('%d/%m/%Y')}) ; seuils « {row.id} ».",
                correction=None,
            )
        )
    plan_formal = plan.procedure.code == "appel_offres"
    if formal != plan_formal:
        attendu = "une procédure formalisée" if formal else "une procédure adaptée"
        out.append(
            Finding(
                code="SEU-001",
                severite="erreur",
                incertain=_u(row.formalise_local, row.formalise_central),
                base_legale="Code de la commande publique, art. L2124-1, R2121-1 et R2124-1",
                message=f"Le total des maxima des lots ({fmt_euros(total)}) comparé au seuil européen de "
                f"{fmt_euros(seuil)} appelle {attendu}, alors que le plan indique « {plan.procedure.libelle} "
                "».",
                correction="Relancez « lotsmarche lots » avec la bonne date de lancement pour recalculer les "
                "procédures.",
            )
        )
    if plan.procedure.code == "dispense" and total >= row.dispense.montant:
        out.append(
            Finding(
                code="SEU-006",
                severite="erreur",
                incertain=_u(row.dispense),
                base_legale=row.dispense.base_legale,
                message="Le plan est passé sans publicité ni mise en concurrence alors que le total des "
                "maxima "
                f"({fmt_euros(total)}) n'est pas inférieur au seuil de dispense de "
                f"{fmt_euros(row.dispense.montant)}.",
                correction="Relancez « lotsmarche lots » pour recalculer la procédure.",
            )
        )
    derog_total = Decimal(0)
    for lot in plan.lots:
        d = lot.procedure.derogation
        if d is None:
            continue
        derog_total += lot.montant_maximum_ht
        limit = row.petit_lot if d == "petit_lot" else row.mini_lot
        if lot.montant_maximum_ht >= limit.montant:
            out.append(
                Finding(
                    code="SEU-002",
                    severite="erreur",
                    lot=lot.numero,
                    incertain=_u(limit),
                    base_legale=limit.base_legale,
                    message=f"Le lot {lot.numero} utilise la dérogation « {d.replace('_', ' ')} » "
                    f"alors que son maximum ({fmt_euros(lot.montant_maximum_ht)}) n'est pas inférieur à "
                    f"{fmt_euros(limit.montant)}.",
                    correction="Retirez la dérogation : le lot suit la procédure de l'ensemble.",
                )
            )
        if d == "petit_lot" and not formal:
            out.append(
                Finding(
                    code="SEU-005",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale="Code de la commande publique, art. R2123-1, 2°",
                    message=f"Le lot {lot.numero} utilise la dérogation des petits lots, réservée aux "
                    "marchés dont le "
                    "total atteint le seuil de procédure formalisée.",
                    correction="Retirez la dérogation : le lot suit la procédure adaptée de l'ensemble.",
                )
            )
    if total > 0 and derog_total > 0:
        share = derog_total / total
        cap = row.part_max_petits_lots.montant
        if share > cap:
            out.append(
                Finding(
                    code="SEU-003",
                    severite="erreur",
                    incertain=_u(row.part_max_petits_lots),
                    base_legale=row.part_max_petits_lots.base_legale,
                    message="Les lots passés par dérogation représentent "
                    f"{fmt_number(share * 100, 2)}{NBSP}% du total "
                    f"des maxima ({fmt_euros(derog_total)} sur {fmt_euros(total)}), au-delà de "
                    f"{fmt_number(cap * 100, 0)}{NBSP}%.",
                    correction="Retirez la dérogation des plus gros lots jusqu'à repasser sous le plafond.",
                )
            )
    return out


def _all(plan: LotPlan) -> list[Finding]:
    out: list[Finding] = []
    non_alloti = not plan.allotissement or plan.strategie == "sans_allotissement"
    if non_alloti:
        text = (plan.justification_non_allotissement or "").strip()
        if not text:
            out.append(
                Finding(
                    code="ALL-001",
                    severite="erreur",
                    base_legale="Code de la commande publique, art. L2113-10 et L2113-11",
                    message="Le marché n'est pas alloti et aucune motivation n'est donnée : l'allotissement "
                    "est la règle.",
                    correction="Allotissez, ou motivez le non-allotissement en droit et en fait (option "
                    "--sans-allotissement « motivation »).",
                )
            )
        elif len(text) < JUSTIFICATION_MIN:
            out.append(
                Finding(
                    code="ALL-002",
                    severite="avertissement",
                    base_legale="Code de la commande publique, art. L2113-11",
                    message=f"La motivation du non-allotissement est très brève ({len(text)} caractères) : "
                    "une motivation "
                    "générale est censurée par le juge (CE, 11 août 2009, Nantes Métropole, n° 319949).",
                    correction="Énoncez les considérations de droit (L2113-11, 1° ou 2°) et de fait propres "
                    "à ce marché.",
                )
            )
    elif len(plan.lots) >= 2:
        out.append(
            Finding(
                code="ALL-003",
                severite="info",
                base_legale="Code de la commande publique, art. R2113-1",
                message=f"Consultation en {len(plan.lots)} lots : le règlement de la consultation indique "
                "que l'on peut "
                "répondre à un, plusieurs ou tous les lots (clause RC-LOT-01).",
                correction=None,
            )
        )
    limit = plan.lots_max_par_candidat
    if limit is not None:
        if limit < 1:
            out.append(
                Finding(
                    code="ALL-004",
                    severite="erreur",
                    base_legale="Code de la commande publique, art. R2113-1",
                    message=f"Le nombre maximal de lots par candidat ({limit}) doit être au moins égal à 1.",
                    correction="Corrigez lots_max_par_candidat dans groupement.yaml.",
                )
            )
        elif limit >= len(plan.lots):
            out.append(
                Finding(
                    code="ALL-005",
                    severite="avertissement",
                    base_legale="Code de la commande publique, art. R2113-1",
                    message=f"La limite de {limit} lots par candidat n'a pas d'effet : la consultation "
                    "compte "
                    f"{len(plan.lots)} lots.",
                    correction="Supprimez la limite ou abaissez-la.",
                )
            )
        # The tie rule required by R2113-1 is clause RC-LOT-02 (decreasing order of lot value, the only rule
        # validated by the Conseil d'État); its removal is caught as a mandatory-clause removal (CLA-002).
        if not any(c.id == "RC-LOT-02" for lot in plan.lots for c in lot.clauses) and plan.lots:
            out.append(
                Finding(
                    code="ALL-006",
                    severite="erreur",
                    base_legale="Code de la commande publique, art. R2113-1",
                    message="Le nombre de lots par candidat est limité mais le règlement de la consultation "
                    "ne contient "
                    "pas la règle d'attribution applicable lorsqu'un candidat arrive en tête sur trop de "
                    "lots.",
                    correction="Conservez la clause RC-LOT-02 (ordre décroissant du montant des lots).",
                )
            )
    return out


def _ac(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    duree_max = cat.parametre(DUREE_MAX)
    base = "Code de la commande publique, art. R2162-4"
    for lot in plan.lots:
        if lot.montant_maximum_ht <= 0:
            out.append(
                Finding(
                    code="AC-001",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale=base,
                    message=f"Le lot {lot.numero} n'a pas de montant maximum : il est obligatoire depuis le "
                    "1er janvier 2022 (CE, 28 janvier 2022, n° 456418).",
                    correction="Fixez le maximum (estimation sur la durée × (1 + marge)).",
                )
            )
        elif lot.montant_maximum_ht < lot.montant_estime_duree_ht:
            out.append(
                Finding(
                    code="AC-002",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale=base,
                    message=f"Le maximum du lot {lot.numero} ({fmt_euros(lot.montant_maximum_ht)}) est "
                    f"inférieur à son estimation sur la durée ({fmt_euros(lot.montant_estime_duree_ht)}) : "
                    "l'accord-cadre serait épuisé avant son terme.",
                    correction="Relevez le maximum au moins au niveau de l'estimation.",
                )
            )
        if lot.montant_minimum_ht is not None and lot.montant_minimum_ht > lot.montant_maximum_ht:
            out.append(
                Finding(
                    code="AC-003",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale=base,
                    message=f"Le minimum du lot {lot.numero} dépasse son maximum.",
                    correction="Abaissez le minimum (part_minimum) ou relevez le maximum.",
                )
            )
    max_mois = cat.parametre_int(DUREE_MAX)
    if plan.duree_mois > max_mois:
        out.append(
            Finding(
                code="AC-004",
                severite="erreur",
                incertain=_u(duree_max),
                base_legale=duree_max.base_legale,
                message=f"La durée de l'accord-cadre ({plan.duree_mois} mois, reconductions comprises) "
                f"dépasse {duree_fr(max_mois)}.",
                correction="Réduisez la période initiale ou le nombre de reconductions.",
            )
        )
    return out


def _climat(plan: LotPlan, cat: Catalogue, launch: date, formal: bool) -> list[Finding]:
    out: list[Finding] = []
    param = cat.parametre(CLIMAT)
    climat_date = cat.parametre_date(CLIMAT)
    depuis = f"obligatoire pour les consultations lancées à compter du {date_fr(climat_date)}."
    base_climat = param.base_legale
    climat_u = _u(param)
    exception = (plan.groupement.exception_condition_sociale or "").strip()
    for lot in plan.lots:
        env_crit = any(c.environnemental and c.ponderation > 0 for c in lot.criteres)
        env_cond = any(c.condition_execution and c.type == "environnementale" for c in lot.clauses)
        soc_cond = any(c.condition_execution and c.type == "sociale" for c in lot.clauses)
        if launch >= climat_date:
            if not env_crit:
                out.append(
                    Finding(
                        code="CLI-001",
                        severite="erreur",
                        lot=lot.numero,
                        incertain=climat_u,
                        base_legale=base_climat,
                        message=f"Le lot {lot.numero} n'a aucun critère d'attribution environnemental, "
                        + depuis,
                        correction="Rétablissez le critère « performances en matière de protection de "
                        "l'environnement » (pondération de 10 à 30 %).",
                    )
                )
            if not env_cond:
                out.append(
                    Finding(
                        code="CLI-002",
                        severite="erreur",
                        lot=lot.numero,
                        incertain=climat_u,
                        base_legale=base_climat,
                        message=f"Le lot {lot.numero} n'a aucune condition d'exécution environnementale, "
                        + depuis,
                        correction="Conservez au moins une clause environnementale d'exécution (par exemple "
                        "ENV-EMB-03 ou ENV-TRA-01).",
                    )
                )
            if formal and not soc_cond and not exception:
                out.append(
                    Finding(
                        code="CLI-003",
                        severite="erreur",
                        lot=lot.numero,
                        base_legale=BASE_SOCIAL,
                        incertain=True,
                        message=f"Le lot {lot.numero} n'a aucune condition d'exécution sociale alors que le "
                        "marché atteint le seuil européen (texte de l'article L2112-2-1 pour les "
                        "marchés : valeur à confirmer).",
                        correction="Conservez une clause sociale (SOC-INS-01 ou SOC-INS-02) ou consignez le "
                        "motif d'exception dans groupement.yaml (exception_condition_sociale).",
                    )
                )
        elif not env_crit or not env_cond:
            out.append(
                Finding(
                    code="CLI-005",
                    severite="info",
                    lot=lot.numero,
                    incertain=climat_u,
                    base_legale=base_climat,
                    message=f"Le lot {lot.numero} n'a pas de critère ou de condition d'exécution "
                    "environnementale ; ils seront obligatoires pour les consultations lancées à "
                    f"compter du {date_fr(climat_date)}.",
                    correction="Ajoutez-les dès maintenant.",
                )
            )
    if launch >= climat_date and formal and exception:
        out.append(
            Finding(
                code="CLI-004",
                severite="info",
                base_legale=BASE_SOCIAL,
                incertain=True,
                message="Aucune condition d'exécution sociale n'est exigée au motif consigné : « "
                f"{exception} ». Ce motif doit figurer au rapport de présentation (exceptions de "
                "l'article L2112-2-1 : valeur à confirmer).",
                correction=None,
            )
        )
    return out


def _prx(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    # Food supplies are raw-material-heavy and their prices follow commodity markets: every food lot of a
    # contract longer than the catalogue's duration (R2112-14) needs a revision clause on an official index.
    out: list[Finding] = []
    param = cat.parametre(REVISION)
    min_mois = cat.parametre_int(REVISION)
    if plan.duree_mois <= min_mois:
        return out
    for lot in plan.lots:
        if not lot.indice_revision:
            out.append(
                Finding(
                    code="PRX-001",
                    severite="erreur",
                    lot=lot.numero,
                    incertain=_u(param),
                    base_legale=param.base_legale,
                    message=f"Le lot {lot.numero} ({lot.famille}) dure plus de {min_mois} mois sans indice "
                    "officiel "
                    "de révision des prix : la clause de révision doit citer au moins un indice.",
                    correction="Indiquez un indice INSEE pour la famille dans familles.yaml ou dans le plan.",
                )
            )
        fitting = cat.indice_pour(lot.famille, lot.conservation)
        if fitting is not None and lot.indice_revision and lot.indice_revision != fitting.indice:
            out.append(
                Finding(
                    code="PRX-004",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale="Code de la commande publique, art. R2112-14",
                    message=f"L'indice de révision du lot {lot.numero} ({lot.indice_revision}) ne représente "
                    f"pas ses fournitures ({lot.famille}, {lot.conservation}) : le catalogue retient la "
                    f"série {fitting.indice} ({fitting.justification})",
                    correction="Utilisez l'indice de indices_revision.yaml, ou modifiez ce catalogue en "
                    "justifiant le choix.",
                )
            )
        if not any(c.id.startswith("ECO-REV-") for c in lot.clauses):
            out.append(
                Finding(
                    code="PRX-002",
                    severite="erreur",
                    lot=lot.numero,
                    base_legale="Code de la commande publique, art. R2112-14",
                    message=f"Le lot {lot.numero} n'a pas de clause de révision des prix.",
                    correction="Ne retirez pas les clauses ECO-REV-01 / ECO-REV-02.",
                )
            )
    indices = sorted({lot.indice_revision for lot in plan.lots if lot.indice_revision})
    if indices:
        out.append(
            Finding(
                code="PRX-003",
                severite="info",
                incertain=True,
                base_legale="Code de la commande publique, art. R2112-14",
                message="Identifiants de séries INSEE utilisés pour la révision : "
                + ", ".join(indices)
                + " (valeur à confirmer sur le site de l'INSEE avant publication, base et "
                "coefficient de raccordement compris).",
                correction=None,
            )
        )
    return out


def check_procedure(plan: LotPlan, cat: Catalogue, row: ThresholdRow, launch: date) -> list[Finding]:
    formal = is_formal(plan, row)
    return [
        *_seu(plan, row, launch),
        *_all(plan),
        *_ac(plan, cat),
        *_climat(plan, cat, launch, formal),
        *_prx(plan, cat),
    ]
