"""Delivery calendar of each lot: quantities per month, per product and per delivery site (issue 13).

Pure computation, no I/O: the canonical demand table and the lot plan give, for every lot, the quantities of
each product per month at each site, and the deliveries per week asked by each site. Everything is computed
on aggregates (lot × product × site × month mask), never line by line, with integers:

* a line's yearly quantity is spread evenly over the months of its mask (``mois``, bit 0 = January; 0 or
  4095 = every month), in the coarsest step that divides it — whole units when the quantity is whole, else
  tenths, hundredths or thousandths — and the remainder goes one step at a time to the first months of
  the mask, January first. The twelve months of a line therefore always sum exactly to its yearly quantity
  (integer thousandths of the catalogue unit, as the intake stores it);
* deliveries per week of a site are those the lot builder counts (``lotting.assemble``): the largest asked
  on its lines of the lot, one per week when none is given.

Without the demand (a DCE rendered from ``lots.json`` alone) :func:`calendars_from_plan` spreads each
site's yearly quantity of a product over the months the lot item asks; such a calendar is marked
``approche`` (the months of each site are those of the whole lot item).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from lotsmarche.models import Lot, LotPlan

MONTHS = 12
ALL_MONTHS = 4095
DEFAULT_DELIVERIES_PER_WEEK = 1.0  # as lotting.assemble: a line that gives none
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
_THOUSAND = Decimal(1000)
MOIS_COURTS: tuple[str, ...] = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def calendar_file(numero: int) -> str:
    """Path of the lot's calendar workbook inside the DCE folder."""
    return f"Annexes/Lot_{numero:02d}_calendrier.xlsx"


def calendar_title(numero: int) -> str:
    """Exact title of the lot's calendar: the CCTP annex heading (after « Annexe N — ») and the workbook's.

    It names the lot by its number only: a lot may be renamed after its clauses are written (web editor)."""
    return f"Calendrier d'approvisionnement du lot {numero}"


def annex_title(numero: int) -> str:
    """The CCTP annex heading the seasonality clause cites: « Annexe N — Calendrier d'approvisionnement… »."""
    return f"Annexe {numero} — {calendar_title(numero)}"


@dataclass(frozen=True)
class ProductMonths:
    """One product's quantities per month (January first), in its catalogue unit."""

    produit: str
    libelle: str
    unite: str  # catalogue unit code
    mois: tuple[Decimal, ...]  # 12 values

    @property
    def total(self) -> Decimal:
        return sum(self.mois, Decimal(0))


@dataclass(frozen=True)
class SiteCalendar:
    membre: str
    site: str
    code_postal: str
    territoire: str | None
    livraisons_par_semaine: Decimal | None  # None: unknown (calendar from the plan alone)
    mois_livres: tuple[int, ...]  # months (1..12) with at least one delivery
    produits: tuple[ProductMonths, ...]  # in the lot's item order

    def livraisons_mois(self) -> tuple[Decimal, ...]:
        """Deliveries expected each month: per week × 52/12 in the months delivered, rounded half up."""
        if self.livraisons_par_semaine is None:
            return tuple(Decimal(0) for _ in range(MONTHS))
        per_month = (self.livraisons_par_semaine * WEEKS_PER_MONTH).quantize(Decimal(1), ROUND_HALF_UP)
        return tuple(per_month if m + 1 in self.mois_livres else Decimal(0) for m in range(MONTHS))


@dataclass(frozen=True)
class LotCalendar:
    numero: int
    intitule: str
    produits: tuple[ProductMonths, ...]  # the lot's products, every site summed, in the lot's item order
    sites: tuple[SiteCalendar, ...]  # in the lot's site order
    approche: bool = False  # True: computed from the plan alone (months of the lot item for every site)

    @property
    def fichier(self) -> str:
        return calendar_file(self.numero)

    @property
    def titre(self) -> str:
        return calendar_title(self.numero)


def spread_milli(quantities: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(n, 12) int64 thousandths: each quantity spread over the months of its mask (see module docstring)."""
    q = np.asarray(quantities, dtype=np.int64)
    mask = np.asarray(masks, dtype=np.int64) & ALL_MONTHS
    mask = np.where(mask == 0, ALL_MONTHS, mask)
    bits = (mask[:, None] >> np.arange(MONTHS, dtype=np.int64)) & 1
    count = bits.sum(axis=1)
    step = np.ones_like(q)
    for grain in (10, 100, 1000):
        step = np.where(q % grain == 0, grain, step)
    units = q // step
    base = units // count
    rest = units - base * count
    rank = np.cumsum(bits, axis=1) - 1  # 0 for the first month of the mask, 1 for the next...
    extra = (rank < rest[:, None]).astype(np.int64)
    out: np.ndarray = bits * (base[:, None] + extra) * step[:, None]
    return out


def _milli_decimal(values: Sequence[int]) -> tuple[Decimal, ...]:
    return tuple(Decimal(int(v)) / _THOUSAND for v in values)


def lot_calendars(table: pd.DataFrame, plan: LotPlan) -> list[LotCalendar]:
    """Every lot's calendar from the canonical demand table (columns ``ligne``, ``membre``,
    ``site_livraison``, ``code_postal``, ``produit``, ``quantite_milli``, ``mois``,
    ``livraisons_par_semaine``) and the plan whose items list the table's lines (``LotItem.lignes``)."""
    lots = sorted(plan.lots, key=lambda x: x.numero)
    ids: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for index, lot in enumerate(lots):
        for item in lot.items:
            lines = np.asarray(item.lignes, dtype=np.int64)
            ids.append(lines)
            owners.append(np.full(len(lines), index, dtype=np.int64))
    if not ids:
        return [LotCalendar(lot.numero, lot.intitule, (), ()) for lot in lots]
    owner = pd.Series(np.concatenate(owners), index=np.concatenate(ids))
    owner = owner[~owner.index.duplicated(keep="first")]
    lot_of_line = owner.reindex(table["ligne"].to_numpy(dtype=np.int64)).to_numpy()
    keep = ~np.isnan(lot_of_line)
    weekly = table["livraisons_par_semaine"].to_numpy(dtype=np.float64)[keep]
    frame = pd.DataFrame(
        {
            "lot": lot_of_line[keep].astype(np.int64),
            "produit": table["produit"].to_numpy()[keep],
            "membre": table["membre"].to_numpy()[keep],
            "site": table["site_livraison"].to_numpy()[keep],
            "cp": table["code_postal"].to_numpy()[keep],
            "mois": table["mois"].to_numpy(dtype=np.int64)[keep],
            "q": table["quantite_milli"].to_numpy(dtype=np.int64)[keep],
            "livr": weekly,
        }
    )
    return _calendars(frame, lots, approche=False)


def calendars_from_plan(plan: LotPlan) -> list[LotCalendar]:
    """Calendars from the plan alone: each site's yearly quantity of an item over the item's months."""
    lots = sorted(plan.lots, key=lambda x: x.numero)
    rows: dict[str, list[object]] = {k: [] for k in ("lot", "produit", "membre", "site", "cp", "mois", "q")}
    for index, lot in enumerate(lots):
        for item in lot.items:
            mask = sum(1 << (m - 1) for m in set(item.mois) if 1 <= m <= MONTHS)
            for s in item.repartition_sites:
                for key, value in zip(
                    rows,
                    (index, item.produit, s.membre, s.site, s.code_postal, mask, int(s.quantite * _THOUSAND)),
                    strict=True,
                ):
                    rows[key].append(value)
    frame = pd.DataFrame(rows).astype({"lot": np.int64, "mois": np.int64, "q": np.int64})
    frame["livr"] = np.nan
    return _calendars(frame, lots, approche=True)


def _calendars(frame: pd.DataFrame, lots: list[Lot], *, approche: bool) -> list[LotCalendar]:
    keys = ["lot", "produit", "membre", "site", "cp"]
    by_mask = frame.groupby([*keys, "mois"], sort=True, observed=True)["q"].sum().reset_index()
    spread = spread_milli(by_mask["q"].to_numpy(), by_mask["mois"].to_numpy())
    months = pd.DataFrame(spread, columns=[f"m{i}" for i in range(MONTHS)])
    months[keys] = by_mask[keys]
    per_site = months.groupby(keys, sort=True, observed=True).sum()
    site_keys = ["lot", "membre", "site", "cp"]
    masks = frame["mois"].to_numpy(dtype=np.int64) & ALL_MONTHS
    masks = np.where(masks == 0, ALL_MONTHS, masks)
    bits = pd.DataFrame((masks[:, None] >> np.arange(MONTHS, dtype=np.int64)) & 1)
    bits[site_keys] = frame[site_keys]
    union = bits.groupby(site_keys, sort=True, observed=True).max()
    sites = pd.DataFrame(
        {"mois": union.to_numpy(dtype=np.int64) @ (1 << np.arange(MONTHS, dtype=np.int64))}, index=union.index
    )
    sites["livr"] = frame.groupby(site_keys, sort=True, observed=True)["livr"].max()
    cells: dict[tuple[int, str, str, str, str], tuple[Decimal, ...]] = {
        (int(k[0]), str(k[1]), str(k[2]), str(k[3]), str(k[4])): _milli_decimal(v)
        for k, v in zip(per_site.index.tolist(), per_site.to_numpy(dtype=np.int64).tolist(), strict=True)
    }
    site_info: dict[tuple[int, str, str, str], tuple[int, float]] = {
        (int(k[0]), str(k[1]), str(k[2]), str(k[3])): (int(mask), float(livr))
        for k, mask, livr in zip(
            sites.index.tolist(), sites["mois"].tolist(), sites["livr"].tolist(), strict=True
        )
    }
    zero = tuple(Decimal(0) for _ in range(MONTHS))
    out: list[LotCalendar] = []
    for index, lot in enumerate(lots):
        site_cals: list[SiteCalendar] = []
        totals: dict[str, list[Decimal]] = {item.produit: [Decimal(0)] * MONTHS for item in lot.items}
        for s in lot.sites:
            info = site_info.get((index, s.membre, s.site, s.code_postal))
            if info is None:
                continue
            mask, livr = info
            produits: list[ProductMonths] = []
            for item in lot.items:
                values = cells.get((index, item.produit, s.membre, s.site, s.code_postal))
                if values is None:
                    continue
                produits.append(ProductMonths(item.produit, item.libelle, item.unite, values))
                acc = totals[item.produit]
                for m in range(MONTHS):
                    acc[m] += values[m]
            weekly: Decimal | None
            if approche:
                weekly = None
            else:
                weekly = Decimal(repr(DEFAULT_DELIVERIES_PER_WEEK if np.isnan(livr) else livr))
                weekly = weekly.quantize(Decimal(1)) if weekly == weekly.to_integral_value() else weekly
            site_cals.append(
                SiteCalendar(
                    membre=s.membre,
                    site=s.site,
                    code_postal=s.code_postal,
                    territoire=s.territoire,
                    livraisons_par_semaine=weekly,
                    mois_livres=tuple(m + 1 for m in range(MONTHS) if mask >> m & 1),
                    produits=tuple(produits),
                )
            )
        recap = tuple(
            ProductMonths(item.produit, item.libelle, item.unite, tuple(totals[item.produit]) or zero)
            for item in lot.items
        )
        out.append(LotCalendar(lot.numero, lot.intitule, recap, tuple(site_cals), approche=approche))
    return out
