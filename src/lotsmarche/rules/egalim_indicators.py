"""EGALIM indicators (EGA-001 … EGA-003, EGA-008): one plan-level finding per indicator.

Each indicator (sustainable-and-quality 50 %, organic 20 %, meat-and-fish 60 % or 100 % for State canteens;
the targets are read from catalogues/parametres.yaml, never coded) gives ONE finding naming the group's
projected share and the members below target (worst first, at most ``LISTE_MAX`` names in the message; all
of them in ``plan.egalim["indicateurs"]``).

Severity: the legal rate is computed per restaurant over ALL the food purchases of the calendar year
(R230-30-1). When the plan buys every family of the catalogue that enters the indicator's base (every family
for the 50 % and 20 %; the meat-and-fish families for the 60 %), the projection stands for the members'
purchases: « avertissement ». Otherwise (e.g. a seafood-only group) the plan alone cannot decide: « info ».
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses.text import NBSP, fmt_number
from lotsmarche.models import Finding

# Catalogue codes (parametres.yaml) of the targets.
CIBLE_EGALIM = "egalim_part_durable"
CIBLE_BIO = "egalim_part_bio"
CIBLE_VIANDE_POISSON = "egalim_part_viande_poisson"
CIBLE_VIANDE_POISSON_ETAT = "egalim_part_viande_poisson_etat"
BASE_EGALIM = "Code rural et de la pêche maritime, art. L230-5-1 et R230-30-1"  # per-item findings
KEYS = (
    "montant_total_ht",
    "montant_egalim_ht",
    "montant_bio_ht",
    "montant_viande_poisson_ht",
    "montant_viande_poisson_egalim_ht",
)


def share(part: Decimal, total: Decimal) -> Decimal | None:
    """``part / total`` as a fraction rounded half up to 4 places; None when the base is zero."""
    if total == 0:
        return None
    return (part / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


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
    cible_etat: Decimal | None = None  # State canteens' target (meat and fish only)
    incertain: bool = False  # a target tagged U in the catalogue


# (code, key, numerator, denominator, head of message, short label, target code in parametres.yaml)
_SPECS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "EGA-001",
        "egalim",
        "montant_egalim_ht",
        "montant_total_ht",
        "Produits durables et de qualité",
        "durables et de qualité",
        CIBLE_EGALIM,
    ),
    (
        "EGA-002",
        "bio",
        "montant_bio_ht",
        "montant_total_ht",
        "Produits issus de l'agriculture biologique",
        "bio",
        CIBLE_BIO,
    ),
    (
        "EGA-003",
        "viande_poisson",
        "montant_viande_poisson_egalim_ht",
        "montant_viande_poisson_ht",
        "Viandes et produits de la pêche durables et de qualité",
        "viandes et poissons",
        CIBLE_VIANDE_POISSON,
    ),
)


def indicators(cat: Catalogue) -> tuple[Indicator, ...]:
    """The three indicators with their targets and legal bases from the catalogue."""
    out = []
    for code, key, part, total, libelle, court, cible in _SPECS:
        params = [cat.parametre(cible)]
        etat = None
        if key == "viande_poisson":
            params.append(cat.parametre(CIBLE_VIANDE_POISSON_ETAT))
            etat = cat.parametre_decimal(CIBLE_VIANDE_POISSON_ETAT)
        out.append(
            Indicator(
                code,
                key,
                part,
                total,
                libelle,
                court,
                cible=cat.parametre_decimal(cible),
                base_legale=params[0].base_legale,
                cible_etat=etat,
                incertain=any(p.confiance == "U" for p in params),
            )
        )
    return tuple(out)


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


def indicator(
    ind: Indicator, group: dict[str, Decimal], members: dict[str, Any], familles: list[str], cat: Catalogue
) -> tuple[dict[str, Any], Finding | None]:
    """The indicator's summary for ``plan.egalim`` and its one plan-level finding (None: all on target)."""

    def target_of(name: str) -> Decimal:  # the 60 % becomes 100 % for a State canteen
        return Decimal(members[name]["cible_viande_poisson"]) if ind.key == "viande_poisson" else ind.cible

    below: list[tuple[Decimal, str, Decimal, Decimal]] = []  # (exact share, name, part, total)
    based = [name for name, data in members.items() if data[ind.total] != 0]  # no purchase: not counted
    for name in based:
        part, total = members[name][ind.part], members[name][ind.total]
        # Compare exact amounts (not rounded shares): 499,99 € on 1 000 € is below 50 %.
        if part < target_of(name) * total:
            below.append((part / total, name, part, total))
    below.sort(key=lambda row: (row[0], row[1]))
    state_target = any(target_of(name) != ind.cible for name in based)
    missing = _missing_families(ind, familles, cat)
    summary: dict[str, Any] = {
        "code": ind.code,
        "cible": ind.cible,
        "part_groupe": share(group[ind.part], group[ind.total]),
        "perimetre_complet": not missing,
        "familles_absentes": missing,
        "nb_membres": len(based),
        "membres_sous_objectif": [
            {
                "membre": name,
                "part": ratio.quantize(Decimal("0.0001"), rounding=ROUND_DOWN),
                "cible": target_of(name),
            }
            for ratio, name, _, _ in below
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
    if state_target and ind.cible_etat is not None:
        cible += f", {_target_text(ind.cible_etat)} pour la restauration d'État"
    n = len(below)
    message = (
        f"{ind.libelle} (objectif {cible}) : part projetée du groupement "
        f"{_pct_vs(group[ind.part], group[ind.total], ind.cible)} ; {n} membre{'s' if n > 1 else ''} sur "
        f"{len(based)} sous l'objectif : {_compact(entries)}."
    )
    if missing:
        message += " " + _partial_scope(ind, familles, missing, cat)
        correction = (
            "Vérifiez pour chaque membre, sur l'ensemble de ses achats alimentaires de l'année (bilan "
            "ma-cantine), que ses autres achats compensent ; sinon exigez davantage de labels EGALIM "
            "(« ou équivalent ») dans les lots. Détail par membre : lots.json, clé « egalim »."
        )
    else:
        vp = ind.key == "viande_poisson"
        scope = "de viandes et de produits de la pêche" if vp else "d'achats alimentaires"
        message += (
            f" Le plan couvrant toutes les familles {scope}, ces membres n'atteindront pas l'objectif légal "
            "sauf achats faits hors de ce marché."
        )
        correction = (
            "Exigez davantage de labels EGALIM (« ou équivalent ») dans les lots. Détail par membre : "
            "lots.json, clé « egalim »."
        )
    finding = Finding(
        code=ind.code,
        severite="info" if missing else "avertissement",
        incertain=ind.incertain,
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


def scope_finding(familles: list[str], cat: Catalogue, group: dict[str, Decimal]) -> Finding:
    """EGA-008: the group's projection and what it covers."""
    inds = indicators(cat)
    parts = [
        f"{ind.court} {_pct_vs(group[ind.part], group[ind.total], ind.cible)}"
        for ind in inds
        if group[ind.total] != 0
    ]
    projection = f"Projection EGALIM du groupement ({f'{NBSP}; '.join(parts)})"
    if _missing_families(inds[0], familles, cat):
        message = (
            f"{projection} limitée aux familles de ce plan ({_names(familles, cat)}). Les taux légaux se "
            "calculent par restaurant et par année civile sur l'ensemble des achats alimentaires : ce plan "
            "n'en représente qu'une partie."
        )
    else:
        message = (
            f"{projection} ; le plan couvre toutes les familles d'achats alimentaires. Les taux légaux se "
            "calculent par restaurant et par année civile, achats faits hors de ce marché compris."
        )
    return Finding(
        code="EGA-008",
        severite="info",
        base_legale="Code rural et de la pêche maritime, art. R230-30-1",
        message=message,
        correction=None,
    )
