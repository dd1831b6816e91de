"""The metrics of a lot plan (PRODUCT.md, "Comparison metrics"): ONE function for `lots` and `compare`.

Shares are Decimal fractions of the total of lot maxima (the value that decides the procedure), rounded half
up to 4 decimals (0.1234 = 12,34 %); the mean is rounded to 2 decimals. A lot is "servable by k" when at
least k suppliers of the sourcing can serve it (``Lot.nb_fournisseurs_capables``, from lotting/capacity.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from lotsmarche.models import LotPlan, ProcedureCode
from lotsmarche.money import eur, pct

SHARE = Decimal("0.0001")
SEVERITIES: tuple[str, ...] = ("erreur", "avertissement", "info")
PROCEDURE_ORDER: tuple[str, ...] = ("dispense", "mapa", "appel_offres")

# Keys the rules engine may use in ``plan.egalim`` for the projected shares (first one present wins).
EGALIM_KEYS: dict[str, tuple[str, ...]] = {
    "egalim": ("part_egalim", "egalim", "part_totale", "total"),
    "bio": ("part_bio", "bio"),
    "viande_poisson": ("part_viande_poisson", "viande_poisson", "part_viandes_poissons", "viandes_poissons"),
}


class PlanMetrics(BaseModel):
    """One strategy's row in the comparison (json field names are part of the documented output)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategie: str
    k: int
    nb_lots: int
    montant_total_estime_ht: Decimal
    montant_total_maximum_ht: Decimal
    procedure: ProcedureCode
    procedure_libelle: str
    procedures_lots: dict[str, int]  # procedure code -> number of lots, sorted by code
    nb_lots_derogation: int  # lots using the small-lot allowance (petit_lot or mini_lot)
    part_petits_lots: Decimal  # their share of the total of maxima
    part_petits_lots_max: Decimal  # the ceiling of the thresholds row (0.20)
    nb_lots_servables_k: int
    part_valeur_servable_k: Decimal
    fournisseurs_moyen: Decimal
    fournisseurs_min: int
    egalim_part: Decimal | None
    egalim_bio: Decimal | None
    egalim_viande_poisson: Decimal | None
    constats: dict[str, int]  # severity -> findings (plan and lots)
    constats_emballage: int  # EMB-* findings
    cout_gestion_par_lot: Decimal
    cout_administratif: Decimal


def _share(part: Decimal, total: Decimal) -> Decimal:
    if total == 0:
        return Decimal(0).quantize(SHARE)
    return (part / total).quantize(SHARE, rounding=ROUND_HALF_UP)


def _egalim_value(egalim: Mapping[str, Any], names: tuple[str, ...]) -> Decimal | None:
    for name in names:
        if name not in egalim or egalim[name] is None:
            continue
        raw = egalim[name]
        if isinstance(raw, Mapping):  # e.g. {"part": "0.42", "cible": "0.50"}
            raw = raw.get("part", raw.get("valeur"))
            if raw is None:
                continue
        value = Decimal(str(raw))
        if value > 1:  # given in percent
            value = value / 100
        return value.quantize(SHARE, rounding=ROUND_HALF_UP)
    return None


def plan_metrics(plan: LotPlan, k: int) -> PlanMetrics:
    """Every comparison metric of ``plan`` for "servable by at least ``k`` suppliers"."""
    lots = plan.lots
    total_max = sum((lot.montant_maximum_ht for lot in lots), Decimal(0))
    total_est = sum((lot.montant_estime_duree_ht for lot in lots), Decimal(0))
    procedures: dict[str, int] = {}
    for lot in lots:
        procedures[lot.procedure.code] = procedures.get(lot.procedure.code, 0) + 1
    derog = [lot for lot in lots if lot.procedure.derogation is not None]
    servable = [lot for lot in lots if lot.nb_fournisseurs_capables >= k]
    counts = [lot.nb_fournisseurs_capables for lot in lots]
    findings = list(plan.findings) + [f for lot in lots for f in lot.findings]
    constats = {sev: sum(1 for f in findings if f.severite == sev) for sev in SEVERITIES}
    cost = plan.groupement.cout_gestion_par_lot
    # docs/FINDINGS.md: the whole group's shares sit under "groupe"; older plans may have them at the top.
    groupe = plan.egalim.get("groupe")
    shares: Mapping[str, Any] = groupe if isinstance(groupe, Mapping) else plan.egalim
    mean = (Decimal(sum(counts)) / len(counts)).quantize(Decimal("0.01"), ROUND_HALF_UP) if counts else None
    return PlanMetrics(
        strategie=plan.strategie,
        k=k,
        nb_lots=len(lots),
        montant_total_estime_ht=total_est,
        montant_total_maximum_ht=total_max,
        procedure=plan.procedure.code,
        procedure_libelle=plan.procedure.libelle,
        procedures_lots=dict(sorted(procedures.items(), key=lambda kv: PROCEDURE_ORDER.index(kv[0]))),
        nb_lots_derogation=len(derog),
        part_petits_lots=_share(sum((lot.montant_maximum_ht for lot in derog), Decimal(0)), total_max),
        part_petits_lots_max=plan.seuils.part_max_petits_lots.montant,
        nb_lots_servables_k=len(servable),
        part_valeur_servable_k=_share(
            sum((lot.montant_maximum_ht for lot in servable), Decimal(0)), total_max
        ),
        fournisseurs_moyen=mean if mean is not None else Decimal("0.00"),
        fournisseurs_min=min(counts) if counts else 0,
        egalim_part=_egalim_value(shares, EGALIM_KEYS["egalim"]),
        egalim_bio=_egalim_value(shares, EGALIM_KEYS["bio"]),
        egalim_viande_poisson=_egalim_value(shares, EGALIM_KEYS["viande_poisson"]),
        constats=constats,
        constats_emballage=sum(1 for f in findings if f.code.startswith("EMB-")),
        cout_gestion_par_lot=cost,
        cout_administratif=cost * len(lots),
    )


# --------------------------------------------------------------------------------------------
# Columns of the comparison: what each shows and which value is best
# --------------------------------------------------------------------------------------------

Kind = Literal["int", "money", "share", "decimal", "text"]


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    entete: str  # French header
    kind: Kind
    best: Literal["min", "max"] | None  # None: no "best" (a fact, not a goal)


COLUMNS: tuple[Column, ...] = (
    Column(key="nb_lots", entete="Lots", kind="int", best="min"),
    Column(key="montant_total_maximum_ht", entete="Valeur totale maximale (€ HT)", kind="money", best=None),
    Column(key="procedure_libelle", entete="Procédure d'ensemble", kind="text", best=None),
    Column(key="procedures", entete="Procédures des lots", kind="text", best=None),
    Column(key="part_petits_lots", entete="Part en petits lots", kind="share", best=None),
    Column(key="nb_lots_servables_k", entete="Lots servables par ≥ k", kind="int", best="max"),
    Column(key="part_valeur_servable_k", entete="Valeur servable par ≥ k", kind="share", best="max"),
    Column(key="fournisseurs_moyen", entete="Fournisseurs par lot (moyenne)", kind="decimal", best="max"),
    Column(key="fournisseurs_min", entete="Fournisseurs par lot (minimum)", kind="int", best="max"),
    Column(key="egalim_part", entete="EGALIM projetée", kind="share", best="max"),
    Column(key="egalim_bio", entete="dont bio", kind="share", best="max"),
    Column(key="egalim_viande_poisson", entete="EGALIM viandes et poissons", kind="share", best="max"),
    Column(key="erreurs", entete="Erreurs", kind="int", best="min"),
    Column(key="avertissements", entete="Avertissements", kind="int", best="min"),
    Column(key="constats_emballage", entete="Constats emballage", kind="int", best="min"),
    Column(key="cout_administratif", entete="Coût de gestion estimé (€)", kind="money", best="min"),
)

PROCEDURE_SHORT = {"dispense": "sans publicité", "mapa": "MAPA", "appel_offres": "appel d'offres"}


def column_value(m: PlanMetrics, key: str) -> Any:
    """The raw value of column ``key`` for one row (Decimal, int, str or None)."""
    if key == "erreurs":
        return m.constats.get("erreur", 0)
    if key == "avertissements":
        return m.constats.get("avertissement", 0)
    if key == "procedures":
        return ", ".join(f"{PROCEDURE_SHORT.get(code, code)} : {n}" for code, n in m.procedures_lots.items())
    return getattr(m, key)


def indicator_lines(plan: LotPlan) -> list[str]:
    """The comparison metrics of this plan in French sentences (`lots` shows them; `compare` tabulates the
    same :func:`plan_metrics`)."""
    k = plan.groupement.k_fournisseurs
    m = plan_metrics(plan, k)
    egalim = (
        "non calculée"
        if m.egalim_part is None
        else f"{pct(m.egalim_part)} de produits durables et de qualité"
        + (f", dont {pct(m.egalim_bio)} de bio" if m.egalim_bio is not None else "")
        + (
            f" ; viandes et produits de la pêche : {pct(m.egalim_viande_poisson)}"
            if m.egalim_viande_poisson is not None
            else ""
        )
    )
    suppliers = f"{k} fournisseur{'s' if k > 1 else ''}"
    lots = f"{m.nb_lots} lot{'s' if m.nb_lots > 1 else ''}"
    return [
        f"Lots servables par au moins {suppliers} du sourçage : {m.nb_lots_servables_k} sur {m.nb_lots}, "
        f"soit {pct(m.part_valeur_servable_k)} de la valeur maximale totale.",
        f"Fournisseurs capables par lot : {fr_decimal(m.fournisseurs_moyen)} en moyenne, "
        f"{m.fournisseurs_min} au minimum.",
        f"Lots relevant de la dérogation des petits lots (art. R2123-1 2° et R2122-8) : "
        f"{m.nb_lots_derogation}, soit {pct(m.part_petits_lots)} de la valeur maximale totale "
        f"(plafond {pct(m.part_petits_lots_max)}).",
        f"Coût de gestion estimé : {eur(m.cout_administratif)} ({lots} à {eur(m.cout_gestion_par_lot)}).",
        f"EGALIM projetée : {egalim}.",
    ]


def fr_decimal(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")
