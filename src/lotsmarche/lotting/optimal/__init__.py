"""Strategy ``optimal``: the fewest homogeneous lots each servable by at least k suppliers of the sourcing.

The exact integer programme lives in :mod:`lotsmarche.lotting.optimal.programme` (``solve_partition`` on an
abstract :class:`Instance`, testable and benchmarkable alone). This module turns the demand cells (product ×
packaging × delivery territory, see ``lotting.lines``) into atoms, runs it, and reports as plan-level
findings: OPT-001 optimum proven, OPT-002 demand no k suppliers can serve (product, zone, who lacks what),
OPT-003 time limit reached (best plan and proven gap), OPT-004 lots split on month-level volumes once
whole (``optimal.volumes``: the programme checks them atom by atom). ``STRATEGY`` is what the registry
loads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lotsmarche.lotting.capacity import LotNeed, blocking_reasons, capable
from lotsmarche.lotting.months import ProductMonths, month_data
from lotsmarche.lotting.optimal.programme import (
    Atom,
    Instance,
    OptimalResult,
    lot_is_servable,
    solve_partition,
)
from lotsmarche.lotting.optimal.volumes import check_volumes, volumes_finding
from lotsmarche.models import Finding, Supplier
from lotsmarche.money import eur

if TYPE_CHECKING:
    import pandas as pd

    from lotsmarche.catalogue.model import Catalogue
    from lotsmarche.lotting.strategies import Group, StrategyContext

__all__ = [
    "STRATEGY",
    "Atom",
    "Instance",
    "OptimalResult",
    "OptimalStrategy",
    "blocked_findings",
    "instance_from_cells",
    "lot_is_servable",
    "result_findings",
    "solve_partition",
    "time_limit",
]

AMOUNT_SCALE = 10_000_000  # cells' montant_e7 is in 1e-7 € (lotting.lines)


# The time limit reaches the strategy as ``StrategyContext.time_limit`` (build_plan's parameter); the
# ``time_limit`` context manager below only sets the default for code that builds plans without it.
DEFAULT_TIME_LIMIT = 60.0
_TIME_LIMIT: ContextVar[float] = ContextVar("optimal_time_limit", default=DEFAULT_TIME_LIMIT)
BASE_LEGALE = "Code de la commande publique, art. L2113-10 (allotissement) et R2111-1 (sourçage)"


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Run the enclosed plan building with this solver time limit (None: the default)."""
    token = _TIME_LIMIT.set(DEFAULT_TIME_LIMIT if seconds is None else float(seconds))
    try:
        yield
    finally:
        _TIME_LIMIT.reset(token)


def _records(cells: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in cells.reset_index(drop=True).to_dict("records")]


def _need(
    row: dict[str, Any], montant: Decimal, kg: Decimal | None, mois: dict[str, ProductMonths] | None = None
) -> LotNeed:
    return LotNeed(
        famille=str(row["famille"]),
        conservation=str(row["conservation"]),
        regime=str(row["regime"]),
        groupes_especes=frozenset({str(row["groupe_espece"])}) if row["groupe_espece"] else frozenset(),
        produits=frozenset({str(row["produit"])}),
        territoires=frozenset({str(row["territoire"])}),
        montant_annuel_ht=montant,
        kg_annuel=kg,
        mois=mois,
    )


def instance_from_cells(cells: pd.DataFrame, suppliers: Sequence[Supplier]) -> Instance:
    """One atom per cell (product × packaging × territory); compatibility from capacity.py, yearly capacity
    aside (the programme sums it over the atoms of a lot), the cell's month volumes included."""
    atoms: list[Atom] = []
    months = month_data(cells)
    for pos, row in enumerate(_records(cells)):
        need = _need(row, Decimal(0), None, months.of([pos]) if months is not None else None)
        able = frozenset(s for s, ok in enumerate(capable(need, suppliers)) if ok)
        kg = float(row["kg"])
        atoms.append(
            Atom(
                cle=f"{row['produit']} @ {row['territoire'] or '?'} ({row['conditionnement']})",
                # lots mix non-contact regimes (lotting.lines): an atom's own regime already limits its
                # suppliers, so a lot's certifying suppliers serve its most demanding regime
                classe=f"{row['famille']}|{row['conservation']}|{'contact' if row['contact'] else 'autre'}",
                valeur=-(-int(row["montant_e7"]) // 100_000),  # 1e-7 € → cents, rounded up
                fournisseurs=able,
                kg=math.ceil(kg * 1000) if kg > 0 else 0,
            )
        )
    # Capacities rounded down: the programme never counts on capacity a supplier does not have.
    caps = tuple(
        None if s.capacite_annuelle_ht is None else int(s.capacite_annuelle_ht * 100) for s in suppliers
    )
    caps_kg = tuple(
        None if s.capacite_annuelle_kg is None else int(s.capacite_annuelle_kg * 1000) for s in suppliers
    )
    return Instance(tuple(atoms), caps, caps_kg)


def _euros(value: Decimal) -> str:
    return eur(value, ht=True)


def blocked_findings(
    cells: pd.DataFrame,
    suppliers: Sequence[Supplier],
    k: int,
    blocked: Iterable[int],
    cat: Catalogue | None = None,
) -> list[Finding]:
    """One warning per blocked cell: which product and zone, who comes closest and what they lack."""
    rows = _records(cells)
    months = month_data(cells)
    out: list[Finding] = []
    for pos in blocked:
        row = rows[pos]
        produit, kg = str(row["produit"]), float(row["kg"])
        montant = Decimal(int(row["montant_e7"])) / AMOUNT_SCALE
        need = _need(
            row, montant, Decimal(str(round(kg, 3))) if kg > 0 else None, months.of([pos]) if months else None
        )
        reasons = sorted(
            ((blocking_reasons(s, need), s.nom) for s in suppliers if need.famille in s.familles),
            key=lambda rn: (len(rn[0]), rn[1]),
        )
        able = [name for r, name in reasons if not r]
        libelle = cat.produits[produit].libelle if cat and produit in cat.produits else produit
        cond = str(row["conditionnement"])
        emballage = cat.conditionnements[cond].libelle if cat and cond in cat.conditionnements else cond
        lacks = []
        for r, name in [rn for rn in reasons if rn[0]][:4]:
            sup = next(s for s in suppliers if s.nom == name)
            text = f"{name} : " + " ; ".join(r)
            if len(r) == 1 and sup.capacite_annuelle_ht is not None and sup.capacite_annuelle_ht < montant:
                text += f" (manque {_euros(montant - sup.capacite_annuelle_ht)})"
            lacks.append(text)
        n_able = len(able)
        message = (
            f"« {libelle} » ({produit}) livré en « {emballage} », territoire "
            f"{row['territoire'] or 'non déterminé'}, "
            f"{_euros(montant)} par an : {n_able} fournisseur{'s' if n_able > 1 else ''} du sourçage "
            f"{'peuvent' if n_able > 1 else 'peut'} le servir, {k} requis"
            + (f" ({', '.join(able)})" if able else "")
            + (
                ". Blocages : " + " | ".join(lacks)
                if lacks
                else ". Aucun fournisseur du sourçage ne livre cette famille"
            )
            + "."
        )
        out.append(
            Finding(
                code="OPT-002",
                severite="avertissement",
                message=message,
                base_legale=BASE_LEGALE,
                correction=(
                    "Élargir le sourçage (autres fournisseurs, zones de livraison, capacité, emballages "
                    "réemployables) ; à défaut ce besoin reste dans un lot moins ouvert à la concurrence."
                ),
            )
        )
    return out


def result_findings(result: OptimalResult, k: int) -> list[Finding]:
    """Solver status and proven gap as plan-level findings (no wall-clock time: lots.json stays stable)."""
    good = sum(result.servables)
    if result.statut == "optimal":
        return [
            Finding(
                code="OPT-001",
                severite="info",
                message=(
                    f"Allotissement optimal prouvé : {good} lot{'s' if good > 1 else ''} servable"
                    f"{'s' if good > 1 else ''} par au moins {k} fournisseurs du sourçage, "
                    "le minimum possible "
                    "(écart 0 %)"
                    + (
                        f", plus {result.nb_lots - good} lot{'s' if result.nb_lots - good > 1 else ''} "
                        "regroupant la demande qu'aucun ensemble de k fournisseurs ne peut servir"
                        if result.nb_lots > good
                        else ""
                    )
                    + "."
                ),
                base_legale=BASE_LEGALE,
            )
        ]
    gap = f"{result.ecart * 100:.2f}".replace(".", ",")
    return [
        Finding(
            code="OPT-003",
            severite="avertissement",
            message=(
                f"Limite de temps atteinte : meilleur plan trouvé en {result.nb_lots} lots, au moins "
                f"{result.borne} lots sont nécessaires (écart prouvé {gap} %)."
            ),
            base_legale=BASE_LEGALE,
            correction="Relancer avec une limite de temps plus longue (--time-limit) pour prouver l'optimum.",
        )
    ]


class OptimalStrategy:
    """Strategy ``optimal`` (lotting.strategies Protocol): the exact minimum number of k-servable lots."""

    name = "optimal"
    libelle = "Optimale (programme linéaire en nombres entiers)"
    description = (
        "Le plus petit nombre de lots homogènes que chacun au moins k fournisseurs du sourçage peuvent "
        "servir (produits, zones, capacité, emballages réemployables), calculé exactement avec HiGHS."
    )

    def __init__(self) -> None:
        self.last_result: OptimalResult | None = None
        self.last_findings: list[Finding] = []

    def split(self, cells: pd.DataFrame, cat: Catalogue, context: StrategyContext) -> list[Group]:
        from lotsmarche.lotting.strategies import Group

        frame = cells.reset_index(drop=True)
        limit = getattr(context, "time_limit", None) or _TIME_LIMIT.get()
        result = solve_partition(instance_from_cells(frame, context.suppliers), context.k, limit)
        result, split = check_volumes(result, frame, context.suppliers, context.k)
        findings = result_findings(result, context.k)
        if split:  # the optimum is no longer proven: the gap is stated instead (OPT-004)
            findings = [f for f in findings if f.code != "OPT-001"]
            findings.insert(0, volumes_finding(result, split, BASE_LEGALE))
        findings += blocked_findings(frame, context.suppliers, context.k, result.bloques, cat)
        self.last_result, self.last_findings = result, findings
        context.notes.extend(f.message for f in findings)
        groups: list[Group] = []
        for lot in result.lots:
            rows = frame.iloc[list(lot)]
            classe = frame[
                (frame["famille"] == rows.iloc[0]["famille"])
                & (frame["conservation"] == rows.iloc[0]["conservation"])
                & (frame["contact"] == rows.iloc[0]["contact"])
            ]
            terr = sorted(set(rows["territoire"].tolist()))
            grp = sorted({g for g in rows["groupe_espece"].tolist() if g})
            groups.append(
                Group(
                    cells=tuple(lot),
                    territoire=terr[0] if len(terr) == 1 and classe["territoire"].nunique() > 1 else None,
                    groupe_espece=grp[0] if len(grp) == 1 and classe["groupe_espece"].nunique() > 1 else None,
                )
            )
        return groups


STRATEGY = OptimalStrategy()
