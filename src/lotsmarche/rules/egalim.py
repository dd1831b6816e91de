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
     "membres": {nom: {same keys + "cible_viande_poisson"}}}
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses.text import NBSP, fmt_number
from lotsmarche.models import Finding, Label, LotItem, LotPlan
from lotsmarche.rules.packaging import add_months

CIBLE_EGALIM = Decimal("0.50")
CIBLE_BIO = Decimal("0.20")
CIBLE_VIANDE_POISSON = Decimal("0.60")
CIBLE_VIANDE_POISSON_ETAT = Decimal("1.00")
BASE_EGALIM = "Code rural et de la pêche maritime, art. L230-5-1 et R230-30-1"
BASE_60 = (
    "Code rural et de la pêche maritime, art. L230-5-1 (loi n° 2021-1104, art. 257 : viandes et "
    "produits de la pêche)"
)
KEYS = (
    "montant_total_ht",
    "montant_egalim_ht",
    "montant_bio_ht",
    "montant_viande_poisson_ht",
    "montant_viande_poisson_egalim_ht",
)


def _share(part: Decimal, total: Decimal) -> Decimal | None:
    if total == 0:
        return None
    return (part / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _pct(share: Decimal, decimals: int = 1) -> str:
    return f"{fmt_number(share * 100, decimals)}{NBSP}%"


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
            counted = counted_label(item, labels, fam_mac, sauvage, launch)
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
            "part_egalim": _share(acc["montant_egalim_ht"], acc["montant_total_ht"]),
            "part_bio": _share(acc["montant_bio_ht"], acc["montant_total_ht"]),
            "part_viande_poisson": _share(
                acc["montant_viande_poisson_egalim_ht"], acc["montant_viande_poisson_ht"]
            ),
        }

    etat = {m.nom for m in plan.groupement.membres if m.restauration_etat}
    result_members: dict[str, Any] = {}
    for name in sorted(members):
        data = shares(members[name])
        data["cible_viande_poisson"] = CIBLE_VIANDE_POISSON_ETAT if name in etat else CIBLE_VIANDE_POISSON
        result_members[name] = data
        findings.extend(_member_findings(name, data))
    familles = sorted({lot.famille for lot in plan.lots})
    groupe = shares(group)
    result: dict[str, Any] = {
        "date_reference": launch,
        "perimetre": familles,
        "cibles": {"egalim": CIBLE_EGALIM, "bio": CIBLE_BIO, "viande_poisson": CIBLE_VIANDE_POISSON},
        "groupe": groupe,
        "membres": result_members,
    }
    if plan.lots:
        findings.append(_scope_finding(familles, cat, groupe))
    return result, findings


def _member_findings(name: str, data: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    scope = "sur le périmètre de ce plan (les taux réels portent sur tous les achats alimentaires de l'année)"
    # Compare exact amounts (not the rounded shares): 499,99 € on 1 000 € is below 50 %.
    checks = [
        ("EGA-001", "montant_egalim_ht", "montant_total_ht", CIBLE_EGALIM, "produits durables et de qualité"),
        ("EGA-002", "montant_bio_ht", "montant_total_ht", CIBLE_BIO, "produits biologiques"),
        (
            "EGA-003",
            "montant_viande_poisson_egalim_ht",
            "montant_viande_poisson_ht",
            data["cible_viande_poisson"],
            "viandes et produits de la pêche durables et de qualité",
        ),
    ]
    for code, part_key, total_key, target, what in checks:
        part, total = data[part_key], data[total_key]
        if total == 0 or part >= target * total:
            continue
        share = (part / total).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        base = BASE_60 if code == "EGA-003" else BASE_EGALIM
        out.append(
            Finding(
                code=code,
                severite="avertissement",
                membre=name,
                base_legale=base,
                message=f"Membre « {name} » : part projetée de {what} de {_pct(share, 2)}, "
                f"sous l'objectif de {_pct(target)}, {scope}.",
                correction="Exigez davantage de labels EGALIM (« ou équivalent ») dans les lots, ou vérifiez "
                "que les "
                "autres achats du membre compensent.",
            )
        )
    return out


def _scope_finding(familles: list[str], cat: Catalogue, groupe: dict[str, Any]) -> Finding:
    names = ", ".join(cat.familles[f].libelle if f in cat.familles else f for f in familles)
    parts = []
    for key, label in (
        ("part_egalim", "durables et de qualité"),
        ("part_bio", "bio"),
        ("part_viande_poisson", "viandes et poissons"),
    ):
        if groupe[key] is not None:
            parts.append(f"{label} {_pct(groupe[key])}")
    return Finding(
        code="EGA-008",
        severite="info",
        base_legale="Code rural et de la pêche maritime, art. R230-30-1",
        message=f"Projection EGALIM du groupement ({(NBSP + '; ').join(parts)}) limitée aux familles de "
        f"ce plan ({names}). "
        "Les taux légaux se calculent par restaurant et par année civile sur l'ensemble des achats "
        "alimentaires : ce plan n'en représente qu'une partie.",
        correction=None,
    )
