"""Who in the sourcing can serve a lot: the one definition used by `capacite`, `optimal` and the metrics.

Sourcing is market research (R2111-1): it only sizes lots. Supplier location is never an award criterion;
zones here are the delivery zones a supplier says it can serve.

A supplier can serve a lot when it supplies the lot's family, conservations, species groups and products,
delivers to all its territories (and in returnable packaging when the lot asks for it), and its capacity
covers the lot's need:

- **Month-level volumes** (``Supplier.volumes_mensuels``, the questionnaire): for every product of the lot
  and every month the lot needs it (``LotNeed.mois``, see ``lotting.months`` for the even spreading of
  each demand line over its months, exact), the supplier's volume that month is at least the lot's need.
  A product it covers through its families or species groups but gives no volume line for has no volume:
  it cannot serve a lot needing it. Volumes are the supplier's total for the month, whatever the zones
  (one volume for all the territories it delivers), in the product's catalogue unit.
- **Yearly capacities** (``capacite_annuelle_ht`` in € HT, ``capacite_annuelle_kg``): the lot's yearly
  amount and weight must fit. When a supplier gives both monthly volumes and yearly capacities, *both*
  apply: each is a limit the supplier declared (a buyer reads « 2 t par mois, 15 t par an au plus » as two
  limits), neither replaces the other.
- A supplier **without** month-level volumes (the yearly-only CSV layout) has its yearly capacity spread
  evenly over the months the lot needs; compared with the lot's need spread the same way, a month is never
  the binding one, so the check is exactly the yearly one (plans sized from the CSV are unchanged). The
  plan says which profiles had only a yearly capacity (LOT-007, :func:`yearly_only_finding`).

Reasons are French, one per failing criterion, written for one supplier (« aucun volume de hareng fumé de
mars à octobre », « 120 kg de sole en juin pour 180 kg demandés »); ``capacite`` prefixes the supplier's
name (LOT-001 and the strategy's explanations), ``optimal`` too (OPT-002). :func:`servable_by` gives the same
answer as :func:`can_serve` for each supplier, with the month check vectorised over the suppliers
(numpy arrays supplier × product × month, built once per sourcing).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np

from lotsmarche.lotting.months import MONTH_UNIT, MonthData, ProductMonths, ceil_milli, months_fr
from lotsmarche.models import CONSERVATION_LIBELLES, CONSERVATIONS, Finding, Supplier
from lotsmarche.money import eur

GROUPE_LIBELLES: dict[str, str] = {
    "poissons_blancs": "poissons blancs",
    "poissons_plats": "poissons plats",
    "poissons_bleus": "poissons bleus",
    "cephalopodes": "céphalopodes",
    "coquillages": "coquillages",
    "crustaces": "crustacés",
    "produits_transformes": "produits transformés",
}


def _eur(value: Decimal) -> str:
    return eur(value)


def _kg(value: Decimal) -> str:
    from babel.numbers import format_decimal

    return f"{format_decimal(value, format='#,##0.###', locale='fr_FR')} kg"


@dataclass(frozen=True)
class LotNeed:
    """What a (candidate) lot asks of a supplier."""

    famille: str
    conservation: str
    regime: str
    groupes_especes: frozenset[str]  # empty for products without a species group
    produits: frozenset[str]
    territoires: frozenset[str]  # delivery territories ("" = unknown territory, servable only by "*")
    montant_annuel_ht: Decimal
    kg_annuel: Decimal | None = None
    conservations: frozenset[str] = frozenset()  # every conservation of a mixed lot (« famille »)
    mois: Mapping[str, ProductMonths] | None = None  # need per product and month; None: not known

    def all_conservations(self) -> list[str]:
        every = self.conservations | {self.conservation}
        return [c for c in CONSERVATIONS if c in every] + sorted(every - set(CONSERVATIONS))


def blocking_reasons(supplier: Supplier, need: LotNeed) -> list[str]:
    """Why ``supplier`` cannot serve ``need`` (French, empty list when it can)."""
    return _yearly_reasons(supplier, need) + month_reasons(supplier, need)


def _yearly_reasons(supplier: Supplier, need: LotNeed) -> list[str]:
    """Every criterion but the month-level volumes."""
    reasons: list[str] = []
    if need.famille not in supplier.familles:
        reasons.append(f"ne fournit pas la famille {need.famille}")
    if supplier.conservations is not None:
        missing_c = [c for c in need.all_conservations() if c not in supplier.conservations]
        if missing_c:
            labels = ", ".join(CONSERVATION_LIBELLES.get(c, c) for c in missing_c)
            reasons.append(f"ne fournit pas de produits {labels}")
    if supplier.groupes_especes is not None:
        missing = sorted(g for g in need.groupes_especes if g not in supplier.groupes_especes)
        if missing:
            reasons.append("ne fournit pas : " + ", ".join(GROUPE_LIBELLES.get(g, g) for g in missing))
    if supplier.produits is not None:
        missing = sorted(p for p in need.produits if p not in supplier.produits)
        if missing:
            reasons.append("ne propose pas les produits " + ", ".join(missing))
    if "*" not in supplier.zones:
        missing = sorted(t or "(territoire inconnu)" for t in need.territoires if t not in supplier.zones)
        if missing:
            reasons.append("ne livre pas : " + ", ".join(missing))
    if need.regime == "reemployable" and not supplier.livraison_reemployable:
        reasons.append("ne livre pas en emballages réemployables")
    if supplier.capacite_annuelle_ht is not None and supplier.capacite_annuelle_ht < need.montant_annuel_ht:
        reasons.append(
            f"capacité annuelle de {_eur(supplier.capacite_annuelle_ht)} HT inférieure au besoin de "
            f"{_eur(need.montant_annuel_ht)} HT"
        )
    if (
        supplier.capacite_annuelle_kg is not None
        and need.kg_annuel is not None
        and supplier.capacite_annuelle_kg < need.kg_annuel
    ):
        reasons.append(
            f"capacité annuelle de {_kg(supplier.capacite_annuelle_kg)} inférieure au besoin de "
            f"{_kg(need.kg_annuel)}"
        )
    return reasons


def can_serve(supplier: Supplier, need: LotNeed) -> bool:
    return not blocking_reasons(supplier, need)


def servable_by(need: LotNeed, suppliers: Iterable[Supplier]) -> list[str]:
    """Names of the suppliers able to serve ``need``, sorted (the month check vectorised over them)."""
    listed = list(suppliers)
    return sorted(s.nom for s, ok in zip(listed, capable(need, listed), strict=True) if ok)


def capable(need: LotNeed, suppliers: Sequence[Supplier]) -> list[bool]:
    """Per supplier, whether it can serve ``need``: :func:`can_serve` for each, vectorised over them."""
    return [bool(v) for v in sourcing_index(suppliers).able(need).tolist()]


_ALL = "*"


class SourcingIndex:
    """The sourcing as arrays over its suppliers, one per criterion value (built once per sourcing).

    Each criterion of :func:`_yearly_reasons` becomes a boolean array (supplier able on that value); yearly
    capacities stay Decimal (exact; no limit = infinity); month-level volumes are one integer array
    supplier × product × month. ``capable`` is then a few array operations whatever the number of suppliers.
    """

    def __init__(self, suppliers: Sequence[Supplier]) -> None:
        self.suppliers = list(suppliers)  # kept alive: the cache key is their ids
        n = len(self.suppliers)
        self.families = self._sets([s.familles for s in self.suppliers], n)
        self.conservations = self._sets([s.conservations for s in self.suppliers], n)
        self.groups = self._sets([s.groupes_especes for s in self.suppliers], n)
        self.products = self._sets([s.produits for s in self.suppliers], n)
        zones = [None if _ALL in s.zones else s.zones for s in self.suppliers]
        self.zones = self._sets(zones, n)
        self.reemployable = np.array([s.livraison_reemployable for s in self.suppliers], dtype=bool)
        # None: no limit (infinity); a capacity of 0 given in the file is a real limit
        self.cap_ht = _decimals([s.capacite_annuelle_ht for s in self.suppliers])
        self.cap_kg = _decimals([s.capacite_annuelle_kg for s in self.suppliers])
        self.monthly = np.array([s.volumes_mensuels is not None for s in self.suppliers], dtype=bool)
        self.volumes = _VolumeTable([s for s in self.suppliers if s.volumes_mensuels is not None])

    @staticmethod
    def _sets(values: Sequence[Sequence[str] | None], n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(able whatever the value: lists left empty = None, able per listed value)."""
        anything = np.array([v is None for v in values], dtype=bool)
        per: dict[str, np.ndarray] = {}
        for i, listed in enumerate(values):
            for value in listed or ():
                per.setdefault(value, anything.copy())[i] = True
        return anything, per

    @staticmethod
    def _all(
        criterion: tuple[np.ndarray, dict[str, np.ndarray]], wanted: Iterable[str], ok: np.ndarray
    ) -> None:
        anything, per = criterion
        for value in wanted:
            ok &= per.get(value, anything)

    def able(self, need: LotNeed) -> np.ndarray:
        """Per supplier (bool array), whether it can serve ``need``."""
        ok = self.families[1].get(need.famille, np.zeros(len(self.suppliers), dtype=bool)).copy()
        self._all(self.conservations, need.all_conservations(), ok)
        self._all(self.groups, need.groupes_especes, ok)
        self._all(self.products, need.produits, ok)
        self._all(self.zones, need.territoires, ok)
        if need.regime == "reemployable":
            ok &= self.reemployable
        self.capacities(ok, need.montant_annuel_ht, need.kg_annuel)
        if need.mois is not None:
            rows = ok[self.monthly]
            if rows.any():
                ok[self.monthly] = self.volumes.covers(need.mois, rows)
        return ok

    def capacities(self, ok: np.ndarray, montant: Decimal, kg: Decimal | None) -> None:
        """Yearly capacities (€ HT, kg): ``ok`` narrowed in place."""
        if ok.any():
            ok &= (self.cap_ht >= montant).astype(bool)
            if kg is not None:
                ok &= (self.cap_kg >= kg).astype(bool)


class CellCapability:
    """:meth:`SourcingIndex.able` for sets of cells (``lotting.lines``), for strategies that try many.

    Every criterion but the capacities holds for a set of cells exactly when it holds for each cell (the
    family and conservation are the set's, the species groups, products and territories its union, the
    returnable packaging asked when one cell asks it), so it is one AND over a cell × supplier matrix made
    once; the yearly capacities are checked on the set's amount and weight, and the month volumes on its
    needs summed per product (``lotting.months``) — the same rule, the same answers, far fewer operations.
    """

    def __init__(self, index: SourcingIndex, needs: Sequence[LotNeed], months: MonthData | None) -> None:
        self.index = index
        self.static = np.array([index.able(n) for n in needs], dtype=bool).reshape(len(needs), -1)
        self.months = months
        column = index.volumes.column
        self.columns = None if months is None else np.array([column.get(c, -1) for c in months.codes])

    def able(self, positions: Sequence[int], montant: Decimal, kg: Decimal | None) -> np.ndarray:
        pos = np.asarray(positions, dtype=np.int64)
        ok = np.asarray(self.static[pos].all(axis=0), dtype=bool)
        self.index.capacities(ok, montant, kg)
        monthly = self.index.monthly
        if self.months is None or self.columns is None or not (rows := ok[monthly]).any():
            return ok
        present, inverse = np.unique(self.months.product[pos], return_inverse=True)
        sums = np.zeros((len(present), 12), dtype=self.months.needs.dtype)
        np.add.at(sums, inverse, self.months.needs[pos])
        asked = sums.any(axis=1)
        ok[monthly] = self.index.volumes.covers_rows(self.columns[present[asked]], sums[asked], rows)
        return ok


def _decimals(values: Sequence[Decimal | None]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [Decimal("Infinity") if v is None else v for v in values]
    return out


_INDEXES: dict[tuple[int, ...], SourcingIndex] = {}


def sourcing_index(suppliers: Sequence[Supplier]) -> SourcingIndex:
    """The index of this sourcing, built once (a few kept: strategies ask again and again)."""
    key = tuple(map(id, suppliers))
    found = _INDEXES.get(key)
    if found is None or any(map(operator.is_not, found.suppliers, suppliers)):
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        found = _INDEXES[key] = SourcingIndex(suppliers)
    return found


# --------------------------------------------------------------------------------------------
# Month-level volumes
# --------------------------------------------------------------------------------------------

_SAFE = 1 << 62  # below this, int64 comparisons are exact
MAX_PRODUCTS_SHOWN = 3  # month reasons name at most this many products, then count the others


def _units(volume: Decimal) -> int:
    """A monthly volume in MONTH_UNIT ths of a thousandth, rounded down (exact for the comparison)."""
    return int((volume * 1000 * MONTH_UNIT).to_integral_value(rounding=ROUND_FLOOR))


def month_reasons(supplier: Supplier, need: LotNeed) -> list[str]:
    """The products and months ``supplier``'s volumes do not cover (none without month-level volumes)."""
    volumes = supplier.volumes_mensuels
    if volumes is None or need.mois is None:
        return []
    texts: list[str] = []
    for code in sorted(need.mois):
        pm = need.mois[code]
        given = volumes.get(code)
        none: list[int] = []
        short: dict[tuple[Decimal, int], list[int]] = {}
        for m, asked in enumerate(pm.besoins):
            if asked <= 0:
                continue
            volume = given[m] if given is not None else Decimal(0)
            if volume <= 0:
                none.append(m + 1)
            elif _units(volume) < asked:
                short.setdefault((volume, ceil_milli(asked)), []).append(m + 1)
        if none:
            texts.append(f"aucun volume {_de(pm.libelle)} {months_fr(none)}")
        for (volume, asked_milli), months in sorted(short.items(), key=lambda kv: kv[1][0]):
            texts.append(
                f"{_quantity(volume, pm)} {_de(pm.libelle)} {months_fr(months)} pour "
                f"{_quantity(Decimal(asked_milli) / 1000, pm)} {_asked(pm, asked_milli, len(months) > 1)}"
            )
    if len(texts) > MAX_PRODUCTS_SHOWN:
        rest = len(texts) - MAX_PRODUCTS_SHOWN
        texts = [*texts[:MAX_PRODUCTS_SHOWN], f"et {rest} autre{'s' if rest > 1 else ''} manque(s) de volume"]
    return texts


def _de(libelle: str) -> str:
    """« de hareng fumé », « d'eau minérale », « d'huîtres » (the label inside a sentence)."""
    word = libelle[:1].lower() + libelle[1:] if libelle[1:2].islower() else libelle
    elide = word[:1].lower() in "aeiouyéèêàâîôûœ" or word.lower().startswith(("hui", "herb", "huî"))
    return f"d'{word}" if elide else f"de {word}"


def _quantity(value: Decimal, pm: ProductMonths) -> str:
    from babel.numbers import format_decimal

    unit = pm.unite_pluriel if value >= 2 else pm.unite
    return f"{format_decimal(value, format='#,##0.###', locale='fr_FR')} {unit}"


def _asked(pm: ProductMonths, asked_milli: int, per_month: bool) -> str:
    feminine = pm.unite.startswith("pièce")
    plural = "s" if asked_milli >= 2000 else ""
    return ("demandée" if feminine else "demandé") + plural + (" par mois" if per_month else "")


class _VolumeTable:
    """Volumes of some suppliers as one int array supplier × product × month (MONTH_UNIT units)."""

    def __init__(self, suppliers: Sequence[Supplier]) -> None:
        codes = sorted({c for s in suppliers for c in (s.volumes_mensuels or {})})
        self.column = {c: i for i, c in enumerate(codes)}
        rows = [
            [[_units(v) for v in (s.volumes_mensuels or {}).get(c, ())] or [0] * 12 for c in codes]
            for s in suppliers
        ]
        biggest = max((v for r in rows for p in r for v in p), default=0)
        dtype: type = np.int64 if biggest < _SAFE else object
        self.table: np.ndarray = np.asarray(rows, dtype=dtype).reshape(len(suppliers), len(codes), 12)

    def covers(self, mois: Mapping[str, ProductMonths], rows: np.ndarray) -> np.ndarray:
        """Per supplier of the table, whether its volumes cover every (product, month) need of ``mois``;
        only the ``rows`` (bool array) are examined, the others stay False."""
        wanted = {c: pm.besoins for c, pm in mois.items() if any(pm.besoins)}
        if any(c not in self.column for c in wanted):
            return np.zeros_like(rows)  # a product nobody gives a volume for: no one covers it
        if not wanted:
            return rows.copy()
        columns = np.array([self.column[c] for c in wanted], dtype=np.int64)
        return self.covers_rows(columns, np.array(list(wanted.values()), dtype=object), rows)

    def covers_rows(self, columns: np.ndarray, asked: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """As :meth:`covers`, the needs given as table columns (-1: no one's) and a product × month array."""
        if (columns < 0).any():
            return np.zeros_like(rows)
        table = self.table[rows][:, columns, :]
        if asked.size and int(asked.max()) >= _SAFE:  # pragma: no cover - beyond int64
            table = table.astype(object)
        else:
            asked = asked.astype(np.int64)
        out = np.zeros_like(rows)
        out[rows] = np.asarray((table >= asked[None, :, :]).all(axis=(1, 2)), dtype=bool)
        return out


def yearly_only_finding(suppliers: Sequence[Supplier]) -> Finding | None:
    """LOT-007 (info, once per plan): the profiles whose capacity is only yearly, spread evenly."""
    names = [s.nom for s in suppliers if s.volumes_mensuels is None]
    if not names:
        return None
    many = len(names) > 1
    return Finding(
        code="LOT-007",
        severite="info",
        message=(
            f"Capacité seulement annuelle pour {len(names)} fournisseur{'s' if many else ''} du sourçage "
            f"({', '.join(f'« {n} »' for n in names)}) : sans volumes mois par mois, "
            f"{'leur' if many else 'sa'} capacité annuelle est répartie également sur les mois où chaque "
            "lot est demandé, ce qui revient à ne contrôler que la capacité de l'année ; un fournisseur "
            "saisonnier peut ainsi être compté capable toute l'année."
        ),
        base_legale="Code de la commande publique, art. R2111-1 (sourçage : études et échanges préalables)",
        correction=(
            "Recueillir auprès de ces fournisseurs leurs volumes disponibles par produit et par mois "
            "(questionnaire fournisseur)."
        ),
    )
