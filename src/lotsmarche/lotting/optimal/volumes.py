"""Month-level volumes in strategy ``optimal``: the lots of the programme checked as whole lots.

The programme (``programme.py``) knows, per atom (one product to one territory in one packaging), which
suppliers can serve it, month-level volumes included (``capacity.capable`` on the atom's own need), and sums
yearly capacities over the atoms of a lot. A monthly volume is a supplier's total for a product, whatever
the zone: a lot joining several atoms of one product (two territories, two packagings) needs their sum each
month, which the programme does not add up. Every lot it returns is therefore checked here with the one
definition of ``capacity.py`` on the lot's whole need; a lot fewer than k suppliers can then serve is split
first-fit (largest atoms first, each joining the first part that k suppliers still serve, otherwise starting
a new one; an atom alone is always served: the programme certified it). The programme's lower bound stays a
proven bound (the check only removes plans), so the plan states its proven gap (OPT-004).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from lotsmarche.lotting.capacite import Columns, make_part
from lotsmarche.lotting.capacity import capable
from lotsmarche.lotting.months import MonthData, month_data
from lotsmarche.lotting.optimal.programme import OptimalResult
from lotsmarche.models import Finding, Supplier

NEEDED = ("famille", "conservation", "regime", "groupe_espece", "produit", "territoire", "montant_e7", "kg")


class _Checker:
    def __init__(self, frame: pd.DataFrame, suppliers: Sequence[Supplier]) -> None:
        self.cols: Columns = {c: frame[c].tolist() for c in NEEDED}
        self.months: MonthData | None = month_data(frame)
        self.suppliers = list(suppliers)
        self.values = [int(v) for v in self.cols["montant_e7"]]

    def able(self, positions: Sequence[int]) -> tuple[int, ...]:
        need = make_part(self.cols, positions, months=self.months).need()
        return tuple(i for i, ok in enumerate(capable(need, self.suppliers)) if ok)

    def split(self, lot: Sequence[int], k: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """First-fit parts of ``lot`` each served by k suppliers, with k of them as certificate."""
        parts: list[list[int]] = []
        for atom in sorted(lot, key=lambda a: (-self.values[a], a)):
            for part in parts:
                if len(self.able([*part, atom])) >= k:
                    part.append(atom)
                    break
            else:
                parts.append([atom])
        out = []
        for part in parts:
            atoms = tuple(sorted(part))
            out.append((atoms, self.able(atoms)[:k]))
        return out


def check_volumes(
    result: OptimalResult, frame: pd.DataFrame, suppliers: Sequence[Supplier], k: int
) -> tuple[OptimalResult, int]:
    """``result`` with every certified lot served by k suppliers on its whole need; how many were split."""
    if all(s.volumes_mensuels is None for s in suppliers) or month_data(frame) is None:
        return result, 0
    checker = _Checker(frame, suppliers)
    lots: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    split = 0
    for lot, cert in zip(result.lots, result.certificats, strict=True):
        if not cert or all(suppliers[s].volumes_mensuels is None for s in cert):
            lots.append((lot, cert))  # blocked residual, or certified on yearly capacities only: exact
            continue
        able = checker.able(lot)
        if len(able) >= k:
            lots.append((lot, cert if set(cert) <= set(able) else able[:k]))
            continue
        split += 1
        lots.extend(checker.split(lot, k))
    if not split:
        return result, 0
    lots.sort()
    return (
        replace(
            result,
            lots=tuple(lot for lot, _ in lots),
            servables=tuple(bool(cert) for _, cert in lots),
            certificats=tuple(cert for _, cert in lots),
            nb_lots=len(lots),
        ),
        split,
    )


def volumes_finding(result: OptimalResult, split: int, base_legale: str) -> Finding:
    """OPT-004: lots split on month-level volumes; the best plan and its proven gap."""
    gap = f"{result.ecart * 100:.2f}".replace(".", ",")
    plural = "s" if split > 1 else ""
    return Finding(
        code="OPT-004",
        severite="avertissement",
        message=(
            f"Volumes mensuels du sourçage : {split} lot{plural} de la solution du programme, qui "
            f"réunissai{'en' if split > 1 else ''}t plusieurs territoires ou conditionnements d'un même "
            "produit au-delà des volumes mensuels de leurs fournisseurs, "
            f"{'ont' if split > 1 else 'a'} été scindé{plural} : plan de {result.nb_lots} lots, au moins "
            f"{result.borne} lots sont nécessaires (écart prouvé {gap} %)."
        ),
        base_legale=base_legale,
        correction=(
            "Vérifier les volumes mensuels déclarés au questionnaire, ou élargir le sourçage pour les mois "
            "et produits en cause (raisons de capacité de chaque lot)."
        ),
    )
