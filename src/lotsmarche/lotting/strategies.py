"""Lotting strategies: how the demand's cells are split into groups, each group becoming one lot.

A strategy receives the cells table (one row per product × packaging × delivery territory, see
``lotting.lines``) and returns groups of cell positions. Every strategy keys on the homogeneity class
(famille, conservation, contact: whether the line is delivered in plastic containers used for cooking,
reheating or serving) first, so no lot ever mixes fresh with frozen, or such containers with other
packaging, and every cell lands in exactly one group; the builder checks both again. Other packaging regimes
share lots: the lot takes the most demanding one (``lotting.lines.lot_regime``).

Adding a strategy: implement :class:`Strategy` and add it to :data:`STRATEGY_REGISTRY`. The exact one
(``optimal``) lives in ``lotting/optimal.py``, imported only when used; that module exposes ``STRATEGY``, an
object following the same protocol (``split`` returning ``list[Group]``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, LottingError, Problem
from lotsmarche.models import Groupement, Supplier

HOMOGENEITY = ("famille", "conservation", "contact")
# « famille »: one lot per family; conservations share it (delivery conditions per conservation), plastic
# containers for cooking, reheating or serving still never share a lot with other packaging.
FAMILY_ONLY = ("famille", "contact")
MIXED_CONSERVATION_STRATEGIES: frozenset[str] = frozenset({"famille"})


@dataclass(frozen=True)
class Group:
    """Cells that form one lot, with what the title should say about how they were chosen."""

    cells: tuple[int, ...]  # positions in the cells table
    territoire: str | None = None  # split by delivery territory: the title names it
    elabore: bool | None = None  # split by degree of processing (raw / élaboré)
    groupe_espece: str | None = None  # split by species group
    intitule: str | None = None  # explicit title (buyer's plan)
    partie: str | None = None  # extra label making the title unique (capacite's product split)


@dataclass(frozen=True)
class StrategyContext:
    groupement: Groupement
    suppliers: Sequence[Supplier]
    k: int = 2
    notes: list[str] = field(default_factory=list)  # strategies may leave explanations here


class Strategy(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def libelle(self) -> str:
        """French label shown to buyers."""
        ...

    @property
    def description(self) -> str:
        """One French sentence."""
        ...

    def split(self, cells: pd.DataFrame, cat: Catalogue, context: StrategyContext) -> list[Group]:
        """Partition the rows of ``cells`` (positions 0..n-1) into groups."""
        ...


def groups_by(
    cells: pd.DataFrame, columns: Sequence[str]
) -> list[tuple[tuple[object, ...], tuple[int, ...]]]:
    """(key values, cell positions) for each distinct combination of ``columns``, in key order."""
    frame = cells.reset_index(drop=True)
    out: list[tuple[tuple[object, ...], tuple[int, ...]]] = []
    for key, positions in frame.groupby(list(columns), sort=True).indices.items():
        values = cast("tuple[object, ...]", key if isinstance(key, tuple) else (key,))
        out.append((values, tuple(int(p) for p in positions)))
    out.sort(key=lambda kv: tuple(str(v) for v in kv[0]))
    return out


@dataclass(frozen=True)
class KeyStrategy:
    """A strategy that simply groups cells on some columns on top of the homogeneity class."""

    name: str
    libelle: str
    description: str
    extra: tuple[str, ...] = ()
    base: tuple[str, ...] = HOMOGENEITY

    def split(self, cells: pd.DataFrame, cat: Catalogue, context: StrategyContext) -> list[Group]:
        groups: list[Group] = []
        for key, positions in groups_by(cells, self.base + self.extra):
            values = dict(zip(self.base + self.extra, key, strict=True))
            groups.append(
                Group(
                    cells=positions,
                    territoire=str(values["territoire"]) if "territoire" in values else None,
                    elabore=bool(values["elabore"]) if "elabore" in values else None,
                    groupe_espece=(str(values["groupe_espece"]) or None)
                    if "groupe_espece" in values
                    else None,
                )
            )
        return groups


@dataclass(frozen=True)
class LazyStrategy:
    """A strategy whose code is imported on first use (the integer programme pulls in highspy)."""

    name: str
    libelle: str
    description: str
    module: str

    def load(self) -> Strategy:
        try:
            mod = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            if exc.name != self.module:
                raise
            raise LottingError(
                f"Stratégie non disponible : « {self.name} »",
                [Problem(f"le module de la stratégie « {self.name} » n'est pas installé dans cette version")],
            ) from exc
        strategy = getattr(mod, "STRATEGY", None)
        if strategy is None:
            raise LottingError(
                f"Stratégie non disponible : « {self.name} »",
                [Problem(f"le module {self.module} ne fournit pas encore la stratégie")],
            )
        return strategy  # type: ignore[no-any-return]

    def split(self, cells: pd.DataFrame, cat: Catalogue, context: StrategyContext) -> list[Group]:
        return self.load().split(cells, cat, context)


def _registry() -> dict[str, Strategy]:
    from lotsmarche.lotting.capacite import CapaciteStrategy

    strategies: list[Strategy] = [
        KeyStrategy(
            "famille",
            "Par famille",
            "Un lot par famille de produits, toutes conservations comprises (conditions de livraison "
            "propres à chaque conservation), scindé seulement quand des contenants plastiques de cuisson, "
            "de réchauffe ou de service sont demandés.",
            base=FAMILY_ONLY,
        ),
        KeyStrategy(
            "famille-conservation",
            "Par famille, conservation et degré d'élaboration",
            "Un lot par famille, mode de conservation et degré d'élaboration (produits bruts ou élaborés : "
            "panés, fumés, salés, marinés, conserves, plats).",
            extra=("elabore",),
        ),
        KeyStrategy(
            "espece",
            "Par groupe d'espèces",
            "Pour les produits de la mer, un lot par groupe d'espèces (poissons blancs, plats, bleus, "
            "céphalopodes, coquillages, crustacés, produits transformés) ; les autres familles par famille.",
            extra=("groupe_espece",),
        ),
        KeyStrategy(
            "territoire",
            "Par famille et territoire de livraison",
            "Un lot par famille et par territoire de livraison des sites, pour des tournées de taille "
            "adaptée aux fournisseurs proches.",
            extra=("territoire",),
        ),
        CapaciteStrategy(),
        LazyStrategy(
            "optimal",
            "Optimale (programme linéaire en nombres entiers)",
            "Le plus petit nombre de lots que chacun au moins k fournisseurs du sourçage peuvent servir, "
            "calculé exactement.",
            "lotsmarche.lotting.optimal",
        ),
    ]
    return {s.name: s for s in strategies}


STRATEGY_REGISTRY: dict[str, Strategy] = _registry()


def get_strategy(name: str) -> Strategy:
    """The registered strategy ``name``; InputError listing the known ones otherwise."""
    strategy = STRATEGY_REGISTRY.get(name)
    if strategy is None:
        known = ", ".join(sorted(STRATEGY_REGISTRY))
        raise InputError(
            f"Stratégie d'allotissement inconnue : « {name} »",
            [Problem(f"stratégies disponibles : {known} (ou --plan PLAN.yaml pour vos propres règles)")],
        )
    return strategy
