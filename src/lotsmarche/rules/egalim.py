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

from dataclasses import dataclass
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
    familles = sorted({lot.famille for lot in plan.lots})
    groupe = shares(group)
    indicateurs: dict[str, Any] = {}
    for ind in INDICATORS:
        summary, finding = _indicator(ind, group, result_members, familles, cat)
        indicateurs[ind.key] = summary
        if finding is not None:
            findings.append(finding)
    result: dict[str, Any] = {
        "date_reference": launch,
        "perimetre": familles,
        "cibles": {"egalim": CIBLE_EGALIM, "bio": CIBLE_BIO, "viande_poisson": CIBLE_VIANDE_POISSON},
        # The group's shares again at the top level: the comparison (compare.metrics) reads them there.
        "part_egalim": groupe["part_egalim"],
        "part_bio": groupe["part_bio"],
        "part_viande_poisson": groupe["part_viande_poisson"],
        "groupe": groupe,
        "membres": result_members,
        "indicateurs": indicateurs,
    }
    if plan.lots:
        findings.append(_scope_finding(familles, cat, group))
    return result, findings


# --------------------------------------------------------------------------------------------
# One plan-level finding per indicator (EGA-001 … EGA-003)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    key: str  # key in plan.egalim["cibles"] and ["indicateurs"]
    part: str  # numerator amount key
    total: str  # denominator amount key
    libelle: str  # head of the message
    court: str  # short label for EGA-008
    cible: Decimal
    base_legale: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("EGA-001", "egalim", "montant_egalim_ht", "montant_total_ht",
              "Produits durables et de qualité", "durables et de qualité", CIBLE_EGALIM, BASE_EGALIM),
    Indicator("EGA-002", "bio", "montant_bio_ht", "montant_total_ht",
              "Produits issus de l'agriculture biologique", "bio", CIBLE_BIO, BASE_EGALIM),
    Indicator("EGA-003", "viande_poisson", "montant_viande_poisson_egalim_ht", "montant_viande_poisson_ht",
              "Viandes et produits de la pêche durables et de qualité", "viandes et poissons",
              CIBLE_VIANDE_POISSON, BASE_60),
)
LISTE_MAX = 8  # members named in a message; beyond, « et N autres » (the full list is in plan.egalim)


def _pct_vs(part: Decimal, total: Decimal, target: Decimal) -> str:
    """« 8,2 % »: one decimal, rounded half up, except that a share below ``target`` is never shown at or
    above it (49,99 % is printed « 49,9 % », not « 50,0 % »)."""
    pct = part * 100 / total
    shown = pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if part < target * total and shown >= target * 100:
        shown = pct.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return f"{fmt_number(shown, 1)}{NBSP}%"


def _target_text(target: Decimal) -> str:
    return f"{fmt_number(target * 100, 0)}{NBSP}%"


def _missing_families(ind: Indicator, familles: list[str], cat: Catalogue) -> list[str]:
    """Families of the catalogue that the indicator's base includes and the plan does not buy."""
    return sorted(
        f.code
        for f in cat.familles.values()
        if (ind.key != "viande_poisson" or f.viande_poisson) and f.code not in familles
    )


def _names(codes: list[str], cat: Catalogue) -> str:
    return ", ".join(cat.familles[c].libelle if c in cat.familles else c for c in codes)


def _compact(entries: list[str]) -> str:
    if len(entries) <= LISTE_MAX + 1:  # « et 1 autre » would save nothing
        return ", ".join(entries)
    return ", ".join(entries[:LISTE_MAX]) + f" et {len(entries) - LISTE_MAX} autres"


def _indicator(
    ind: Indicator, group: dict[str, Decimal], members: dict[str, Any], familles: list[str], cat: Catalogue
) -> tuple[dict[str, Any], Finding | None]:
    """The indicator's summary for ``plan.egalim`` and its one plan-level finding (None: all on target)."""
    below: list[tuple[Decimal, str, Decimal, Decimal]] = []  # (exact share, name, part, total)
    based = 0
    state_target = False
    for name, data in members.items():
        total = data[ind.total]
        if total == 0:  # nothing bought in the indicator's base: not counted
            continue
        based += 1
        target = data["cible_viande_poisson"] if ind.key == "viande_poisson" else ind.cible
        state_target = state_target or target != ind.cible
        # Compare exact amounts (not rounded shares): 499,99 € on 1 000 € is below 50 %.
        if data[ind.part] < target * total:
            below.append((data[ind.part] / total, name, data[ind.part], total))
    below.sort(key=lambda row: (row[0], row[1]))
    missing = _missing_families(ind, familles, cat)

    def target_of(name: str) -> Decimal:
        return members[name]["cible_viande_poisson"] if ind.key == "viande_poisson" else ind.cible

    summary: dict[str, Any] = {
        "code": ind.code,
        "cible": ind.cible,
        "part_groupe": _share(group[ind.part], group[ind.total]),
        "perimetre_complet": not missing,
        "familles_absentes": missing,
        "nb_membres": based,
        "membres_sous_objectif": [
            {
                "membre": name,
                "part": share.quantize(Decimal("0.0001"), rounding=ROUND_DOWN),
                "cible": target_of(name),
            }
            for share, name, _, _ in below
        ],
    }
    if not below:
        return summary, None
    entries = []
    for _, name, part, total in below:
        target = target_of(name)
        extra = f" (objectif {_target_text(target)})" if target != ind.cible else ""
        entries.append(f"{name} {_pct_vs(part, total, target)}{extra}")
    cible = _target_text(ind.cible)
    if state_target:
        cible += f", {_target_text(CIBLE_VIANDE_POISSON_ETAT)} pour la restauration d'État"
    n = len(below)
    message = (
        f"{ind.libelle} (objectif {cible}) : part projetée du groupement "
        f"{_pct_vs(group[ind.part], group[ind.total], ind.cible)} ; {n} membre{'s' if n > 1 else ''} sur "
        f"{based} sous l'objectif : {_compact(entries)}."
    )
    if missing:
        message += " " + _partial_scope(ind, familles, missing, cat)
        correction = (
            "Vérifiez pour chaque membre, sur l'ensemble de ses achats alimentaires de l'année (bilan "
            "ma-cantine), que ses autres achats compensent ; sinon exigez davantage de labels EGALIM "
            "(« ou équivalent ») dans les lots. Détail par membre : lots.json, clé « egalim »."
        )
    else:
        message += (
            " Le plan couvrant toutes les familles d'achats alimentaires, ces membres n'atteindront pas "
            "l'objectif légal sauf achats faits hors de ce marché."
        )
        correction = (
            "Exigez davantage de labels EGALIM (« ou équivalent ») dans les lots. Détail par membre : "
            "lots.json, clé « egalim »."
        )
    finding = Finding(
        code=ind.code,
        severite="info" if missing else "avertissement",
        base_legale=ind.base_legale,
        message=message,
        correction=correction,
    )
    return summary, finding


def _partial_scope(ind: Indicator, familles: list[str], missing: list[str], cat: Catalogue) -> str:
    if ind.key == "viande_poisson":
        what = (
            "Ce plan ne couvre pas toutes les viandes et tous les produits de la pêche achetés par les "
            f"membres (familles absentes : {_names(missing, cat)})"
        )
        base = "l'ensemble de ces achats"
    else:
        what = (
            "Ce plan ne couvre qu'une partie des achats alimentaires des membres (familles du plan : "
            f"{_names(familles, cat)})"
        )
        base = "l'ensemble des achats alimentaires"
    return (
        f"{what} : le taux légal se calcule par restaurant et par année civile sur {base} "
        "(art. R230-30-1), ce plan seul ne permet donc pas de conclure."
    )


def _scope_finding(familles: list[str], cat: Catalogue, group: dict[str, Decimal]) -> Finding:
    parts = [
        f"{ind.court} {_pct_vs(group[ind.part], group[ind.total], ind.cible)}"
        for ind in INDICATORS
        if group[ind.total] != 0
    ]
    return Finding(
        code="EGA-008",
        severite="info",
        base_legale="Code rural et de la pêche maritime, art. R230-30-1",
        message=f"Projection EGALIM du groupement ({' ; '.join(parts)}) limitée aux familles de "
        f"ce plan ({_names(familles, cat)}). "
        "Les taux légaux se calculent par restaurant et par année civile sur l'ensemble des achats "
        "alimentaires : ce plan n'en représente qu'une partie.",
        correction=None,
    )
