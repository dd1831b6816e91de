"""Procedure, allotment, framework-agreement, dates, Climate-law and price-revision checks.

Codes: SEU (thresholds and procedure of each lot), ALL (allotment, R2113-1), AC (accord-cadre), DAT (launch
date and time limits), CLI (loi Climat et résilience: criteria and execution conditions from the date of
catalogues/parametres.yaml), PRX (price revision, R2112-14). Comparisons follow the texts: formal procedure
at or above the EU threshold; small lots strictly below their threshold; small-lot allowance at most 20 % of
the total. Legal values (Climate-law date, maximum duration, revision duration, minimum time limits) are read
from the catalogue (``parametres.yaml``), never coded. Every code's message is in :data:`RULES`; the checks
below only decide when a code applies and with which values.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses.context import formal_threshold, is_formal, total_maximum
from lotsmarche.clauses.text import NBSP, fmt_euros, fmt_number
from lotsmarche.models import Finding, LegalParameter, Lot, LotPlan, ThresholdRow, ThresholdValue
from lotsmarche.rules.table import Rule, emit
from lotsmarche.text import date_fr, duree_fr
from lotsmarche.valuation import articles_for

CLIMAT = "loi_climat_criteres_environnementaux"
DUREE_MAX = "duree_max_accord_cadre_mois"
REVISION = "revision_duree_min_mois"
DELAI_AO = "delai_min_appel_offres_ouvert_jours"
DELAI_AO_REDUIT = "delai_min_appel_offres_reduit_jours"
DELAI_MAPA = "delai_min_procedure_adaptee_jours"
JUSTIFICATION_MIN = 80  # characters: a motivation must state facts and law (CE 11 août 2009, n° 319949)
CCP = "Code de la commande publique, art. "
BASE_SOCIAL = CCP + "L2112-2-1 (loi n° 2021-1104, art. 35 ; décret n° 2022-767)"
RELANCER = "Relancez « lotsmarche lots » pour recalculer les procédures des lots."

RULES: dict[str, Rule] = {
    "SEU-001": Rule(
        "erreur",
        "Le total des maxima des lots ({total}) comparé au seuil européen de {seuil} appelle {attendu}, "
        "alors que le plan indique « {libelle} ».",
        CCP + "L2124-1, R2121-1 et R2124-1",
        "Relancez « lotsmarche lots » avec la bonne date de lancement pour recalculer les procédures.",
    ),
    "SEU-002": Rule(
        "erreur",
        "Le lot {lot} utilise la dérogation « {derogation} » alors que son maximum ({maximum}) n'est pas "
        "inférieur à {limite}.",
        correction="Retirez la dérogation : le lot suit la procédure de l'ensemble.",
    ),
    "SEU-003": Rule(
        "erreur",
        "Les lots passés par dérogation représentent {part}{nbsp}% du total des maxima ({derog} sur "
        "{total}), au-delà de {cap}{nbsp}%.",
        correction="Retirez la dérogation des plus gros lots jusqu'à repasser sous le plafond.",
    ),
    "SEU-004": Rule(
        "info",
        "Contrôle effectué comme si la consultation était lancée le {controle} (plan calculé pour le "
        "{lancement}) ; seuils « {ligne} ».",
        CCP + "R2121-1",
    ),
    "SEU-005": Rule(
        "erreur",
        "Le lot {lot} utilise la dérogation des petits lots, réservée aux marchés dont le total atteint le "
        "seuil de procédure formalisée.",
        CCP + "R2123-1, 2°",
        "Retirez la dérogation : le lot suit la procédure adaptée de l'ensemble.",
    ),
    "SEU-006": Rule(
        "erreur",
        "Le plan est passé sans publicité ni mise en concurrence alors que le total des maxima ({total}) "
        "n'est pas inférieur au seuil de dispense de {seuil}.",
        correction="Relancez « lotsmarche lots » pour recalculer la procédure.",
    ),
    "SEU-007": Rule(
        "erreur",
        "Le lot {lot} est passé sans publicité ni mise en concurrence préalables (art. R2122-8) alors qu'il "
        "figure dans une consultation publiée ({procedure}) : un lot dispensé de publicité ne peut pas "
        "figurer dans l'avis, le règlement de la consultation ni l'acte d'engagement.",
        CCP + "R2122-8 et R2123-1, 2°",
        "Choisissez dans groupement.yaml « petits_lots: mapa » (petit lot en procédure adaptée dans le même "
        "avis) ou « petits_lots: hors_consultation » (lot retiré de la consultation, note séparée), puis "
        "relancez « lotsmarche lots ».",
    ),
    "SEU-008": Rule(
        "erreur",
        "Le lot {lot} utilise la dérogation « {derogation} » alors que groupement.yaml indique "
        "« petits_lots: {usage} » ({attendu}).",
        CCP + "R2122-8 et R2123-1, 2°",
        RELANCER,
    ),
    "SEU-009": Rule(
        "erreur",
        "Le lot {lot} cite les articles « {cites} » alors que sa procédure ({libelle}) appelle "
        "« {attendus} » : les pièces doivent citer les seuls articles de la procédure du lot.",
        CCP + "R2122-8, R2123-1, R2123-5 et R2124-2",
        RELANCER,
    ),
    "ALL-001": Rule(
        "erreur",
        "Le marché n'est pas alloti et aucune motivation n'est donnée : l'allotissement est la règle.",
        CCP + "L2113-10 et L2113-11",
        "Allotissez, ou motivez le non-allotissement en droit et en fait (option --sans-allotissement "
        "« motivation »).",
    ),
    "ALL-002": Rule(
        "avertissement",
        "La motivation du non-allotissement est très brève ({longueur} caractères) : une motivation générale "
        "est censurée par le juge (CE, 11 août 2009, Nantes Métropole, n° 319949).",
        CCP + "L2113-11",
        "Énoncez les considérations de droit (L2113-11, 1° ou 2°) et de fait propres à ce marché.",
    ),
    "ALL-003": Rule(
        "info",
        "Consultation en {nb} lots : le règlement de la consultation indique que l'on peut répondre à un, "
        "plusieurs ou tous les lots (clause RC-LOT-01).",
        CCP + "R2113-1",
    ),
    "ALL-004": Rule(
        "erreur",
        "Le nombre maximal de lots par candidat ({limite}) doit être au moins égal à 1.",
        CCP + "R2113-1",
        "Corrigez lots_max_par_candidat dans groupement.yaml.",
    ),
    "ALL-005": Rule(
        "avertissement",
        "La limite de {limite} lots par candidat n'a pas d'effet : la consultation compte {nb} lots.",
        CCP + "R2113-1",
        "Supprimez la limite ou abaissez-la.",
    ),
    "ALL-006": Rule(
        "erreur",
        "Le nombre de lots par candidat est limité mais le règlement de la consultation ne contient pas la "
        "règle d'attribution applicable lorsqu'un candidat arrive en tête sur trop de lots.",
        CCP + "R2113-1",
        "Conservez la clause RC-LOT-02 (ordre décroissant du montant des lots).",
    ),
    "AC-001": Rule(
        "erreur",
        "Le lot {lot} n'a pas de montant maximum : il est obligatoire depuis le 1er janvier 2022 (CE, 28 "
        "janvier 2022, n° 456418).",
        CCP + "R2162-4",
        "Fixez le maximum (estimation sur la durée × (1 + marge)).",
    ),
    "AC-002": Rule(
        "erreur",
        "Le maximum du lot {lot} ({maximum}) est inférieur à son estimation sur la durée ({estime}) : "
        "l'accord-cadre serait épuisé avant son terme.",
        CCP + "R2162-4",
        "Relevez le maximum au moins au niveau de l'estimation.",
    ),
    "AC-003": Rule(
        "erreur",
        "Le minimum du lot {lot} dépasse son maximum.",
        CCP + "R2162-4",
        "Abaissez le minimum (part_minimum) ou relevez le maximum.",
    ),
    "AC-004": Rule(
        "erreur",
        "La durée de l'accord-cadre ({mois} mois, reconductions comprises) dépasse {maximum}.",
        correction="Réduisez la période initiale ou le nombre de reconductions.",
    ),
    "DAT-001": Rule(
        "erreur",
        "La date de lancement de la consultation ({lancement}) est déjà passée (contrôle du {aujourdhui}) : "
        "seuils, loi Climat, règles d'emballage et délais seraient appréciés à une date fausse.",
        CCP + "R2121-1 (valeur estimée au moment de l'envoi de l'avis) et R2161-2",
        "Indiquez dans groupement.yaml (date_lancement) la date prévue d'envoi de l'avis, puis relancez.",
    ),
    "DAT-002": Rule(
        "erreur",
        "Le délai de remise des offres ({delai} jours, date limite le {limite}) est inférieur au minimum de "
        "{minimum} jours {cas}.",
        correction="{correction}",
    ),
    "DAT-003": Rule(
        "info",
        "Délai réduit de remise des offres ({delai} jours, minimum {minimum} jours) au motif consigné : "
        "« {motif} ». Ce motif doit figurer dans l'avis et au dossier de la procédure.",
    ),
    "CLI-001": Rule(
        "erreur",
        "Le lot {lot} n'a aucun critère d'attribution environnemental, {depuis}",
        correction="Rétablissez le critère « performances en matière de protection de l'environnement » "
        "(pondération de 10 à 30 %).",
    ),
    "CLI-002": Rule(
        "erreur",
        "Le lot {lot} n'a aucune condition d'exécution environnementale, {depuis}",
        correction="Conservez au moins une clause environnementale d'exécution (par exemple ENV-EMB-03 ou "
        "ENV-TRA-01).",
    ),
    "CLI-003": Rule(
        "erreur",
        "Le lot {lot} n'a aucune condition d'exécution sociale alors que le marché atteint le seuil européen "
        "(texte de l'article L2112-2-1 pour les marchés : valeur à confirmer).",
        BASE_SOCIAL,
        "Conservez une clause sociale (SOC-INS-01 ou SOC-INS-02) ou consignez le motif d'exception dans "
        "groupement.yaml (exception_condition_sociale).",
    ),
    "CLI-004": Rule(
        "info",
        "Aucune condition d'exécution sociale n'est exigée au motif consigné : « {exception} ». Ce motif "
        "doit figurer au rapport de présentation (exceptions de l'article L2112-2-1 : valeur à confirmer).",
        BASE_SOCIAL,
    ),
    "CLI-005": Rule(
        "info",
        "Le lot {lot} n'a pas de critère ou de condition d'exécution environnementale ; ils seront "
        "obligatoires pour les consultations lancées à compter du {date}.",
        correction="Ajoutez-les dès maintenant.",
    ),
    "PRX-001": Rule(
        "erreur",
        "Le lot {lot} ({famille}) dure plus de {mois} mois sans indice officiel de révision des prix : la "
        "clause de révision doit citer au moins un indice.",
        correction="Indiquez un indice INSEE pour la famille dans familles.yaml ou dans le plan.",
    ),
    "PRX-002": Rule(
        "erreur",
        "Le lot {lot} n'a pas de clause de révision des prix.",
        CCP + "R2112-14",
        "Ne retirez pas les clauses ECO-REV-01 / ECO-REV-02.",
    ),
    "PRX-003": Rule(
        "info",
        "Identifiants de séries INSEE utilisés pour la révision : {indices} (valeur à confirmer sur le site "
        "de l'INSEE avant publication, base et coefficient de raccordement compris).",
        CCP + "R2112-14",
    ),
}


def _u(*values: ThresholdValue | LegalParameter) -> bool:
    return any(v.confiance == "U" for v in values)


def _fr(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# SEU: the procedure of the whole and of each lot
# ---------------------------------------------------------------------------------------------


def _seu(plan: LotPlan, row: ThresholdRow, launch: date) -> list[Finding]:
    out: list[Finding] = []
    total = total_maximum(plan)
    seuil = formal_threshold(plan, row)
    formal = total >= seuil
    if launch != plan.date_lancement:
        out.append(
            emit(RULES, "SEU-004", controle=_fr(launch), lancement=_fr(plan.date_lancement), ligne=row.id)
        )
    if formal != (plan.procedure.code == "appel_offres"):
        out.append(
            emit(
                RULES,
                "SEU-001",
                incertain=_u(row.formalise_local, row.formalise_central),
                total=fmt_euros(total),
                seuil=fmt_euros(seuil),
                attendu="une procédure formalisée" if formal else "une procédure adaptée",
                libelle=plan.procedure.libelle,
            )
        )
    if plan.procedure.code == "dispense" and total >= row.dispense.montant:
        out.append(
            emit(
                RULES,
                "SEU-006",
                base=row.dispense.base_legale,
                incertain=_u(row.dispense),
                total=fmt_euros(total),
                seuil=fmt_euros(row.dispense.montant),
            )
        )
    for lot in plan.lots:
        out.extend(_seu_lot(plan, lot, row, formal))
    out.extend(_seu_cap(plan, row, total))
    return out


def _seu_lot(plan: LotPlan, lot: Lot, row: ThresholdRow, formal: bool) -> list[Finding]:
    """The allowance a lot uses: under its threshold, the buyer's choice, never unpublished in a notice."""
    out: list[Finding] = []
    proc = lot.procedure
    d = proc.derogation
    if d is not None:
        limit = row.petit_lot if d == "petit_lot" else row.mini_lot
        if lot.montant_maximum_ht >= limit.montant:
            out.append(
                emit(
                    RULES,
                    "SEU-002",
                    lot=lot.numero,
                    base=limit.base_legale,
                    incertain=_u(limit),
                    derogation=d.replace("_", " "),
                    maximum=fmt_euros(lot.montant_maximum_ht),
                    limite=fmt_euros(limit.montant),
                )
            )
        if d == "petit_lot" and not formal:
            out.append(emit(RULES, "SEU-005", lot=lot.numero))
        attendu = {"petit_lot": "mapa", "mini_lot": "hors_consultation"}[d]
        usage = plan.groupement.petits_lots
        if usage != attendu:
            out.append(
                emit(
                    RULES,
                    "SEU-008",
                    lot=lot.numero,
                    derogation=d.replace("_", " "),
                    usage=usage,
                    attendu=f"cette dérogation suppose « petits_lots: {attendu} »",
                )
            )
    if proc.code == "dispense" and plan.procedure.code != "dispense" and not proc.hors_consultation:
        out.append(emit(RULES, "SEU-007", lot=lot.numero, procedure=plan.procedure.libelle.lower()))
    expected = articles_for(proc.code, d)
    if list(proc.articles) != expected:
        out.append(
            emit(
                RULES,
                "SEU-009",
                lot=lot.numero,
                cites=", ".join(proc.articles) or "aucun",
                libelle=proc.libelle,
                attendus=", ".join(expected),
            )
        )
    return out


def _seu_cap(plan: LotPlan, row: ThresholdRow, total: Decimal) -> list[Finding]:
    derog = sum((lot.montant_maximum_ht for lot in plan.lots if lot.procedure.derogation), Decimal(0))
    if total <= 0 or derog <= 0:
        return []
    share = derog / total
    cap = row.part_max_petits_lots.montant
    if share <= cap:
        return []
    return [
        emit(
            RULES,
            "SEU-003",
            base=row.part_max_petits_lots.base_legale,
            incertain=_u(row.part_max_petits_lots),
            part=fmt_number(share * 100, 2),
            nbsp=NBSP,
            derog=fmt_euros(derog),
            total=fmt_euros(total),
            cap=fmt_number(cap * 100, 0),
        )
    ]


# ---------------------------------------------------------------------------------------------
# ALL: allotment (L2113-10, L2113-11, R2113-1)
# ---------------------------------------------------------------------------------------------


def _all(plan: LotPlan) -> list[Finding]:
    out: list[Finding] = []
    if not plan.allotissement or plan.strategie == "sans_allotissement":
        text = (plan.justification_non_allotissement or "").strip()
        if not text:
            out.append(emit(RULES, "ALL-001"))
        elif len(text) < JUSTIFICATION_MIN:
            out.append(emit(RULES, "ALL-002", longueur=len(text)))
    elif len(plan.lots) >= 2:
        out.append(emit(RULES, "ALL-003", nb=len(plan.lots)))
    limit = plan.lots_max_par_candidat
    if limit is None:
        return out
    if limit < 1:
        out.append(emit(RULES, "ALL-004", limite=limit))
    elif limit >= len(plan.lots):
        out.append(emit(RULES, "ALL-005", limite=limit, nb=len(plan.lots)))
    # The tie rule required by R2113-1 is clause RC-LOT-02 (decreasing order of lot value, the only rule
    # validated by the Conseil d'État); its removal is caught as a mandatory-clause removal (CLA-002).
    if plan.lots and not any(c.id == "RC-LOT-02" for lot in plan.lots for c in lot.clauses):
        out.append(emit(RULES, "ALL-006"))
    return out


# ---------------------------------------------------------------------------------------------
# AC: accord-cadre (R2162-4, L2125-1)
# ---------------------------------------------------------------------------------------------


def _ac(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    for lot in plan.lots:
        if lot.montant_maximum_ht <= 0:
            out.append(emit(RULES, "AC-001", lot=lot.numero))
        elif lot.montant_maximum_ht < lot.montant_estime_duree_ht:
            out.append(
                emit(
                    RULES,
                    "AC-002",
                    lot=lot.numero,
                    maximum=fmt_euros(lot.montant_maximum_ht),
                    estime=fmt_euros(lot.montant_estime_duree_ht),
                )
            )
        if lot.montant_minimum_ht is not None and lot.montant_minimum_ht > lot.montant_maximum_ht:
            out.append(emit(RULES, "AC-003", lot=lot.numero))
    duree_max = cat.parametre(DUREE_MAX)
    max_mois = cat.parametre_int(DUREE_MAX)
    if plan.duree_mois > max_mois:
        out.append(
            emit(
                RULES,
                "AC-004",
                base=duree_max.base_legale,
                incertain=_u(duree_max),
                mois=plan.duree_mois,
                maximum=duree_fr(max_mois),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# DAT: launch date and time limit for tenders
# ---------------------------------------------------------------------------------------------


def _dat(plan: LotPlan, cat: Catalogue, launch: date, today: date | None) -> list[Finding]:
    out: list[Finding] = []
    if today is not None and launch < today:
        out.append(emit(RULES, "DAT-001", lancement=date_fr(launch), aujourdhui=date_fr(today)))
    code = plan.procedure.code
    if code == "dispense":
        return out
    g = plan.groupement
    motif = (g.delai_reduit_motif or "").strip()
    if code == "appel_offres":
        key = DELAI_AO_REDUIT if motif else DELAI_AO
        cas = "de l'appel d'offres ouvert" + (" en délai réduit" if motif else "")
        correction = "Portez delai_remise_jours à au moins {minimum} jours dans groupement.yaml" + (
            "."
            if motif
            else ", ou consignez le motif d'un délai réduit (delai_reduit_motif : avis de préinformation ou "
            "urgence dûment justifiée, art. R2161-3)."
        )
    else:
        key = DELAI_MAPA
        cas = "retenu pour un délai raisonnable en procédure adaptée (valeur à confirmer)"
        correction = "Portez delai_remise_jours à au moins {minimum} jours dans groupement.yaml."
    param = cat.parametre(key)
    minimum = cat.parametre_int(key)
    delai = g.delai_remise_jours
    if delai < minimum:
        out.append(
            emit(
                RULES,
                "DAT-002",
                base=param.base_legale,
                incertain=_u(param),
                delai=delai,
                limite=date_fr(launch + timedelta(days=delai)),
                minimum=minimum,
                cas=cas,
                correction=correction.format(minimum=minimum),
            )
        )
    elif motif and code == "appel_offres":
        out.append(emit(RULES, "DAT-003", base=param.base_legale, delai=delai, minimum=minimum, motif=motif))
    return out


# ---------------------------------------------------------------------------------------------
# CLI: loi Climat et résilience (L2152-7, L2112-2, L2112-2-1)
# ---------------------------------------------------------------------------------------------


def _climat(plan: LotPlan, cat: Catalogue, launch: date, formal: bool) -> list[Finding]:
    param = cat.parametre(CLIMAT)
    climat_date = cat.parametre_date(CLIMAT)
    exception = (plan.groupement.exception_condition_sociale or "").strip()
    u = _u(param)
    if launch < climat_date:
        return [
            emit(
                RULES,
                "CLI-005",
                lot=lot.numero,
                base=param.base_legale,
                incertain=u,
                date=date_fr(climat_date),
            )
            for lot in plan.lots
            if not (_env_criterion(lot) and _condition(lot, "environnementale"))
        ]
    depuis = f"obligatoire pour les consultations lancées à compter du {date_fr(climat_date)}."
    out: list[Finding] = []
    for lot in plan.lots:
        if not _env_criterion(lot):
            out.append(
                emit(RULES, "CLI-001", lot=lot.numero, base=param.base_legale, incertain=u, depuis=depuis)
            )
        if not _condition(lot, "environnementale"):
            out.append(
                emit(RULES, "CLI-002", lot=lot.numero, base=param.base_legale, incertain=u, depuis=depuis)
            )
        if formal and not exception and not _condition(lot, "sociale"):
            out.append(emit(RULES, "CLI-003", lot=lot.numero, incertain=True))
    if formal and exception:
        out.append(emit(RULES, "CLI-004", incertain=True, exception=exception))
    return out


def _env_criterion(lot: Lot) -> bool:
    return any(c.environnemental and c.ponderation > 0 for c in lot.criteres)


def _condition(lot: Lot, kind: str) -> bool:
    return any(c.condition_execution and c.type == kind for c in lot.clauses)


# ---------------------------------------------------------------------------------------------
# PRX: price revision (R2112-14)
# ---------------------------------------------------------------------------------------------


def _prx(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    # Food supplies are raw-material-heavy and their prices follow commodity markets: every food lot of a
    # contract longer than the catalogue's duration (R2112-14) needs a revision clause on an official index.
    param = cat.parametre(REVISION)
    min_mois = cat.parametre_int(REVISION)
    if plan.duree_mois <= min_mois:
        return []
    out: list[Finding] = []
    for lot in plan.lots:
        if not lot.indice_revision:
            out.append(
                emit(
                    RULES,
                    "PRX-001",
                    lot=lot.numero,
                    base=param.base_legale,
                    incertain=_u(param),
                    famille=lot.famille,
                    mois=min_mois,
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
            out.append(emit(RULES, "PRX-002", lot=lot.numero))
    indices = sorted({lot.indice_revision for lot in plan.lots if lot.indice_revision})
    if indices:
        out.append(emit(RULES, "PRX-003", incertain=True, indices=", ".join(indices)))
    return out


def check_procedure(
    plan: LotPlan, cat: Catalogue, row: ThresholdRow, launch: date, today: date | None = None
) -> list[Finding]:
    """Every SEU, ALL, AC, DAT, CLI and PRX finding of ``plan`` launched on ``launch`` (thresholds ``row``).

    ``today`` makes a launch date in the past an error (DAT-001); None skips that check.
    """
    formal = is_formal(plan, row)
    return [
        *_seu(plan, row, launch),
        *_all(plan),
        *_ac(plan, cat),
        *_dat(plan, cat, launch, today),
        *_climat(plan, cat, launch, formal),
        *_prx(plan, cat),
    ]
