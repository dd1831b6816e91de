"""EGALIM projection (EGA-xxx): shares of the annual value that the contract guarantees, per member and group.

What counts is what the contract guarantees: each item's ``labels_requis``. As in ma-cantine, one label
counts per product: the eligible label of lowest ``Label.priorite``. A label is eligible when it is an
EGALIM label (or a buyer-assessed equivalent such as MSC for « Pêche durable »), allowed for the product's
family, not organic on a wild-caught product, and still valid.

Validity date: the launch date. The consultation fixes what is required; a label whose validity ends before
the launch (HVE level 2 after 31/12/2026) is not counted. When it ends during the contract, it is still
counted for the projection of the first year but a warning says it will stop counting (EGA-006).

Shape of ``plan.egalim`` (Decimal amounts, shares as Decimal fractions rounded to 4 places, None when the
base is zero)::

    {"date_reference": date, "perimetre": [famille codes], "cibles": {"egalim", "bio", "viande_poisson"},
     "groupe": {montant_total_ht, montant_egalim_ht, montant_bio_ht, montant_viande_poisson_ht,
                montant_viande_poisson_egalim_ht, part_egalim, part_bio, part_viande_poisson},
     "membres": {nom: {same keys + "cible_viande_poisson"}},
     "indicateurs": {"egalim" | "bio" | "viande_poisson": {code, cible, part_groupe, perimetre_complet,
                     familles_absentes, nb_membres, membres_sous_objectif: [{membre, part, cible}]}}}

Findings: per item EGA-004 … EGA-007 and EGA-009 (here); per plan one finding per indicator EGA-001 …
EGA-003 and the scope EGA-008 (``rules.egalim_indicators``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, Label, LotItem, LotPlan
from lotsmarche.rules.egalim_indicators import (
    BASE_EGALIM,
    CIBLE_BIO,
    CIBLE_EGALIM,
    CIBLE_VIANDE_POISSON,
    CIBLE_VIANDE_POISSON_ETAT,
    KEYS,
    indicator,
    indicators,
    scope_finding,
    share,
)
from lotsmarche.rules.packaging import add_months


def counted_label(
    item: LotItem, labels: list[Label], famille_macantine: str | None, sauvage: bool, launch: date
) -> Label | None:
    """The one label that counts for ``item`` (lowest priority number among the eligible ones)."""
    eligible = []
    for lab in labels:
        if not (lab.egalim or lab.equivalent_a):
            continue
        if famille_macantine is not None:
            if lab.familles_autorisees is not None and famille_macantine not in lab.familles_autorisees:
                continue
            if famille_macantine in lab.familles_exclues:
                continue
        if lab.bio and sauvage:
            continue
        if lab.valide_jusqu_au is not None and launch > lab.valide_jusqu_au:
            continue
        eligible.append(lab)
    return min(eligible, key=lambda lab: (lab.priorite, lab.code)) if eligible else None


def required_label(item: LotItem, lot_famille: str, cat: Catalogue, launch: date) -> Label | None:
    """THE label an item's documents require (CCTP row and BPU line, « ou équivalent ») and the projection
    counts: one source of truth, so the projection never counts what the documents do not require.

    Among the item's ``labels_requis``, the eligible one of lowest priority (:func:`counted_label`): several
    labels asked for one line by different members cannot all be required of one product line.
    """
    product = cat.produits.get(item.produit)
    famille = cat.familles.get(product.famille if product else lot_famille)
    labels = [cat.labels[c] for c in item.labels_requis if c in cat.labels]
    return counted_label(
        item,
        labels,
        famille.famille_macantine if famille else None,
        bool(product and product.sauvage),
        launch,
    )


def label_requirement(label: Label, cat: Catalogue) -> str:
    """The requirement the documents print: « Agriculture biologique ou équivalent »; a label that only
    counts as a buyer-assessed equivalent (MSC) is required as the label it stands for."""
    if label.equivalent_a and label.equivalent_a in cat.labels:
        target = cat.labels[label.equivalent_a].libelle
        return f"{target} ou équivalent (un {label.code} peut être admis comme équivalent sur justificatifs)"
    return f"{label.libelle} ou équivalent"


def _item_findings(  # noqa: PLR0917
    plan: LotPlan,
    lot_num: int,
    item: LotItem,
    labels: list[Label],
    fam_mac: str | None,
    sauvage: bool,
    launch: date,
    unknown: list[str],
) -> list[Finding]:
    out: list[Finding] = []
    what = f"Lot {lot_num}, produit « {item.libelle} » ({item.produit})"
    for code in unknown:
        out.append(
            Finding(
                code="EGA-009",
                severite="avertissement",
                lot=lot_num,
                base_legale=BASE_EGALIM,
                message=f"{what} : le label exigé « {code} » est inconnu du catalogue ; il n'est pas compté.",
                correction="Utilisez un code de labels.yaml (codes ma-cantine).",
            )
        )
    for lab in labels:
        if lab.bio and sauvage:
            out.append(
                Finding(
                    code="EGA-005",
                    severite="erreur",
                    lot=lot_num,
                    base_legale="Règlement (UE) 2018/848 ; " + BASE_EGALIM,
                    message=f"{what} : l'agriculture biologique est exigée sur un poisson sauvage, qui ne "
                    "peut pas être "
                    "certifié bio (seule l'aquaculture peut l'être). Aucune offre ne pourra respecter cette "
                    "exigence.",
                    correction="Retirez l'exigence bio ; exigez plutôt l'écolabel « Pêche durable » ou "
                    "équivalent.",
                )
            )
        if fam_mac is not None and (
            (lab.familles_autorisees is not None and fam_mac not in lab.familles_autorisees)
            or fam_mac in lab.familles_exclues
        ):
            out.append(
                Finding(
                    code="EGA-007",
                    severite="erreur",
                    lot=lot_num,
                    base_legale=lab.base_legale,
                    message=f"{what} : le label « {lab.libelle} » ne peut pas être porté par un produit de "
                    "cette famille ; "
                    "l'exigence est impossible à satisfaire et ne compte pas.",
                    correction="Retirez ce label de l'exigence ou choisissez un label admis pour la famille.",
                )
            )
        if lab.valide_jusqu_au is not None:
            end = add_months(launch, plan.duree_mois)
            limit = lab.valide_jusqu_au.strftime("%d/%m/%Y")
            if launch > lab.valide_jusqu_au:
                msg = (
                    f"{what} : « {lab.libelle} » ne compte plus dans les taux EGALIM depuis le {limit} ; "
                    "il n'est pas compté."
                )
            elif end > lab.valide_jusqu_au:
                msg = (
                    f"{what} : « {lab.libelle} » ne comptera plus dans les taux EGALIM après le {limit}, "
                    "pendant l'exécution de l'accord-cadre ; il est compté dans la projection de la première "
                    "année."
                )
            else:
                continue
            out.append(
                Finding(
                    code="EGA-006",
                    severite="avertissement",
                    lot=lot_num,
                    base_legale=lab.base_legale,
                    message=msg,
                    correction="Exigez la certification de niveau supérieur (HVE) ou un autre signe de "
                    "qualité.",
                )
            )
    requis_egalim = any(lab.egalim for lab in labels)
    for lab in labels:
        if lab.equivalent_a and not requis_egalim:
            out.append(
                Finding(
                    code="EGA-004",
                    severite="avertissement",
                    lot=lot_num,
                    base_legale=lab.base_legale,
                    message=f"{what} : « {lab.libelle} » est exigé seul. Ce n'est pas un label EGALIM : il "
                    "ne compte comme "
                    f"équivalent de « {lab.equivalent_a} » que si l'acheteur l'admet, sous sa "
                    "responsabilité, sur "
                    "justificatifs du fournisseur.",
                    correction=f"Exigez « {lab.equivalent_a} » ou équivalent, et documentez l'équivalence "
                    "retenue.",
                )
            )
    return out


def _add(target: dict[str, Decimal], amount: Decimal, counted: Label | None, vp: bool) -> None:
    target["montant_total_ht"] += amount
    if counted is not None:
        target["montant_egalim_ht"] += amount
        if counted.bio:
            target["montant_bio_ht"] += amount
    if vp:
        target["montant_viande_poisson_ht"] += amount
        if counted is not None:
            target["montant_viande_poisson_egalim_ht"] += amount


def project(plan: LotPlan, cat: Catalogue, launch: date) -> tuple[dict[str, Any], list[Finding]]:
    """The EGALIM projection of the plan and its findings."""
    zero = Decimal(0)
    members: dict[str, dict[str, Decimal]] = {}
    group = dict.fromkeys(KEYS, zero)
    findings: list[Finding] = []
    for lot in plan.lots:
        for item in lot.items:
            product = cat.produits.get(item.produit)
            famille = cat.familles.get(product.famille if product else lot.famille)
            fam_mac = famille.famille_macantine if famille else None
            vp = bool(famille and famille.viande_poisson)
            sauvage = bool(product and product.sauvage)
            labels = [cat.labels[c] for c in item.labels_requis if c in cat.labels]
            unknown = [c for c in item.labels_requis if c not in cat.labels]
            findings.extend(_item_findings(plan, lot.numero, item, labels, fam_mac, sauvage, launch, unknown))
            counted = required_label(item, lot.famille, cat, launch)
            # The group adds the DQE lines (item amounts) so that it reconciles with the plan to the cent;
            # members add their own share of each line.
            targets = [(group, item.montant_annuel_ht)] + [
                (members.setdefault(rep.membre, dict.fromkeys(KEYS, zero)), rep.montant_annuel_ht)
                for rep in item.repartition_membres
            ]
            for target, amount in targets:
                _add(target, amount, counted, vp)

    def shares(acc: dict[str, Decimal]) -> dict[str, Any]:
        return {
            **acc,
            "part_egalim": share(acc["montant_egalim_ht"], acc["montant_total_ht"]),
            "part_bio": share(acc["montant_bio_ht"], acc["montant_total_ht"]),
            "part_viande_poisson": share(
                acc["montant_viande_poisson_egalim_ht"], acc["montant_viande_poisson_ht"]
            ),
        }

    etat = {m.nom for m in plan.groupement.membres if m.restauration_etat}
    cible_vp = cat.parametre_decimal(CIBLE_VIANDE_POISSON)
    cible_vp_etat = cat.parametre_decimal(CIBLE_VIANDE_POISSON_ETAT)
    result_members: dict[str, Any] = {}
    for name in sorted(members):
        data = shares(members[name])
        data["cible_viande_poisson"] = cible_vp_etat if name in etat else cible_vp
        result_members[name] = data
    familles = sorted({lot.famille for lot in plan.lots})
    groupe = shares(group)
    indicateurs: dict[str, Any] = {}
    for ind in indicators(cat):
        summary, finding = indicator(ind, group, result_members, familles, cat)
        indicateurs[ind.key] = summary
        if finding is not None:
            findings.append(finding)
    result: dict[str, Any] = {
        "date_reference": launch,
        "perimetre": familles,
        "cibles": {
            "egalim": cat.parametre_decimal(CIBLE_EGALIM),
            "bio": cat.parametre_decimal(CIBLE_BIO),
            "viande_poisson": cible_vp,
        },
        "groupe": groupe,
        "membres": result_members,
        "indicateurs": indicateurs,
    }
    if plan.lots:
        findings.append(scope_finding(familles, cat, group))
    return result, findings
