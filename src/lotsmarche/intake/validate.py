"""Validation of demand lines (text) into canonical typed columns, vectorised over distinct values.

Every column arrives factorised (:class:`~lotsmarche.intake.coded.Coded`): each check runs once per
distinct value, then the verdicts reach the rows through the codes. Values that depend on two columns
(site and member, product and unit, postcode and commune) are computed once per distinct *pair*. A problem
is built only for the rows that are actually wrong; all are reported, and a part with any problem yields
no lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.coded import Coded, pair_codes
from lotsmarche.intake.fields import (
    PRIX_UNITAIRE_MAX,
    avail_mask,
    deliveries,
    int_text,
    label,
    packaging,
    qty_max,
    qty_text,
    ref_e4,
    scale,
    suggest,
)
from lotsmarche.intake.layouts import LongPart, member_key
from lotsmarche.intake.members import SiteInfo
from lotsmarche.intake.places import commune_of_text, member_commune, resolve
from lotsmarche.intake.tabular import AddProblem
from lotsmarche.intake.values import (
    normalise_unit,
    parse_fixed,
    parse_fixed_many,
    parse_months,
    parse_postcode,
    postcode_error,
    unit_factor,
)
from lotsmarche.models import Commune

T = TypeVar("T")

PER_CHECK_LIMIT = 200  # rows reported per check and part (the headline gives the total)


@dataclass
class Context:
    cat: Catalogue
    add: AddProblem
    members: dict[str, str] = field(default_factory=dict)  # member key -> name as the group spells it
    sites: dict[str, SiteInfo] = field(default_factory=dict)  # member key -> survey/groupement site info


@dataclass
class Lines:
    """Validated lines of one part (or of all parts): text columns factorised, numbers as arrays."""

    text: dict[str, Coded]  # the canonical str columns
    numbers: dict[str, np.ndarray]  # the canonical int/float columns
    ambigu: np.ndarray  # bool: territory guessed for a postcode shared by several territories (DEM-007)

    def __len__(self) -> int:
        return len(self.ambigu)


Errors = dict[int, str]  # index of a distinct value -> French message


def _per_unique(column: Coded, fn: Callable[[str], tuple[T, str | None]]) -> tuple[list[T], Errors]:
    results: list[T] = []
    errors: Errors = {}
    for i, u in enumerate(column.values):
        value, error = fn(str(u))
        results.append(value)
        if error:
            errors[i] = error
    return results, errors


def _per_unique_number(
    column: Coded, decimals: int, fn: Callable[[str], tuple[int, str | None]]
) -> tuple[np.ndarray, Errors]:
    """Like _per_unique for exact numbers: plain forms vectorised, the rest (and zeros) through ``fn``."""
    units, ok = parse_fixed_many(column.values, decimals)
    errors: Errors = {}
    for i in np.flatnonzero(~ok | (units == 0)):
        units[i], error = fn(str(column.values[i]))
        if error:
            errors[int(i)] = error
    return units, errors


def _flags(size: int, errors: Errors) -> np.ndarray:
    bad = np.zeros(size, dtype=bool)
    bad[list(errors)] = True
    return bad


class _Part:
    """Validation state of one part: which rows are bad, and where to report."""

    def __init__(self, part: LongPart, ctx: Context) -> None:
        self.part = part
        self.ctx = ctx
        self.n = len(part)
        self.rows = part.rows
        self.bad = np.zeros(self.n, dtype=bool)

    def column(self, fieldname: str, row: int) -> str:
        if fieldname == "quantite" and self.part.survey:
            return str(self.part.colonne_source.values[self.part.colonne_source.codes[row]])
        return self.part.headers.get(fieldname, fieldname)

    def report(self, column: Coded, errors: Errors, fieldname: str) -> np.ndarray:
        """Report the rows whose value has an error; return that row mask."""
        if not errors:
            return np.zeros(self.n, dtype=bool)
        mask = column.rows_where(_flags(len(column.values), errors))
        self.report_mask(mask, lambda r: errors[int(column.codes[r])], fieldname)
        return mask

    def report_mask(self, mask: np.ndarray, message: Callable[[int], str], fieldname: str) -> None:
        if not mask.any():
            return
        self.bad |= mask
        # A cached formula error was already reported by the layout step: do not report it twice.
        cells = self.part.cols[fieldname]
        mask = mask & ~cells.formula_rows()
        for r in np.flatnonzero(mask)[:PER_CHECK_LIMIT]:
            self.ctx.add(
                message(int(r)),
                fichier=self.part.fichier,
                feuille=self.part.feuille or None,
                ligne=int(self.rows[r]),
                colonne=self.column(fieldname, int(r)),
            )


def validate_part(part: LongPart, ctx: Context) -> Lines | None:
    """Canonical columns (all but ``ligne``) for the lines of ``part``, or None if any line is wrong.

    Column by column, in this order (the order problems are reported in): members, sites, products,
    units, quantities, prices, communes and postcodes, places, months, labels, packagings, deliveries."""
    v = _Validation(part, ctx)
    v.members()
    v.sites()
    v.products()
    v.units()
    v.quantities()
    v.prices()
    v.postcodes()
    v.places()
    v.months()
    v.labels_and_packagings()
    v.deliveries()
    return None if v.bad.any() else v.lines()


class _Validation(_Part):
    """The columns of one part, validated one after the other; each step keeps what the next ones need."""

    def __init__(self, part: LongPart, ctx: Context) -> None:
        super().__init__(part, ctx)
        self.d = part.cols
        self.cat = ctx.cat
        for column in self.d.values():
            self.bad |= column.formula_rows()

    def members(self) -> None:
        """Trimmed, spelled as the group spells them (first spelling met otherwise: source order)."""
        m_col = self.d["membre"]
        names: list[str] = [""] * len(m_col.values)
        errors: Errors = {}
        for i in m_col.appearance_order().tolist():
            name = " ".join(str(m_col.values[i]).split())
            if name:
                names[i] = self.ctx.members.setdefault(member_key(name), name)
            else:
                errors[i] = "nom du membre manquant"
        self.report(m_col, errors, "membre")
        self.m_col, self.m_names = m_col, names
        self.membre = Coded.from_parts(m_col.codes, names)
        self.infos = [self.ctx.sites.get(member_key(x)) if x else None for x in names]

    def sites(self) -> None:
        """The cell, else the member's site (survey "Membres" sheet), else the member itself."""
        s_col, m_col = self.d["site_livraison"], self.m_col
        self.sm_codes, sm_keys = pair_codes(s_col.codes, m_col.codes, len(m_col.values))
        texts: list[str] = []
        self.own_site = np.zeros(len(sm_keys), dtype=bool)  # delivered to the member's own site
        for key in sm_keys.tolist():
            sc, mc = divmod(key, max(len(m_col.values), 1))
            cell, name, info = str(s_col.values[sc]), self.m_names[mc], self.infos[mc]
            texts.append(" ".join((cell or (info.site if info and info.site else "") or name).split()))
            self.own_site[len(texts) - 1] = not cell or member_key(cell) in (
                member_key(name),
                member_key(info.site) if info and info.site else None,
            )
        self.site = Coded.from_parts(self.sm_codes, texts)

    def products(self) -> None:
        """Exact code, or the same code in another case; suggestions otherwise."""
        cat = self.cat
        codes_by_upper = {c.upper(): c for c in cat.produits}

        def product(text: str) -> tuple[str, str | None]:
            t = text.strip()
            if not t:
                return "", "code produit manquant"
            if t in cat.produits:
                return t, None
            if t.upper() in codes_by_upper:
                return codes_by_upper[t.upper()], None
            return "", f"produit « {t} » inconnu du catalogue{suggest(t, cat)}"

        self.p_col = self.d["produit"]
        self.p_vals, errors = _per_unique(self.p_col, product)
        self.report(self.p_col, errors, "produit")
        self.produit = Coded.from_parts(self.p_col.codes, self.p_vals)
        self.p_ok = ~self.p_col.rows_where(_flags(len(self.p_vals), errors))

    def units(self) -> None:
        """Factor to the product unit, as an exact integer ratio, per distinct (product, unit)."""
        u_col = self.d["unite"]
        pu_codes, pu_keys = pair_codes(self.p_col.codes, u_col.codes, len(u_col.values))
        num = np.ones(len(pu_keys), dtype="int64")
        den = np.ones(len(pu_keys), dtype="int64")
        errors: Errors = {}
        for k, key in enumerate(pu_keys.tolist()):
            pc, uc = divmod(key, max(len(u_col.values), 1))
            code = self.p_vals[pc]
            if not code:
                continue
            prod = self.cat.produits[code]
            factor = unit_factor(normalise_unit(str(u_col.values[uc])), prod.unite, prod.conversions)
            if factor is None:
                accepted = ", ".join(sorted({prod.unite, *prod.conversions}))
                errors[k] = (
                    f"unité « {u_col.values[uc]} » incompatible avec le produit {code} "
                    f"(unités possibles : {accepted})"
                )
                continue
            num[k], den[k] = factor.as_integer_ratio()
        self.u_bad = self.report(Coded(pu_codes, np.arange(len(pu_keys))), errors, "unite")
        # Usually every line is in the product's own unit: then there is nothing to convert.
        self.unit = bool((num == 1).all() and (den == 1).all())
        self.row_num, self.row_den = (num[:1], den[:1]) if self.unit else (num[pu_codes], den[pu_codes])

    def quantities(self) -> None:
        """Exact thousandths, then converted to the product unit (half-up to the thousandth)."""
        cat, p_col, p_vals = self.cat, self.p_col, self.p_vals
        q_col = self.d["quantite"]
        q_units, errors = _per_unique_number(q_col, 3, _quantity)
        q_bad = self.report(q_col, errors, "quantite")
        raw = q_units[q_col.codes]
        milli = raw if self.unit else scale(raw, self.row_num, self.row_den)
        limit_of = np.asarray([qty_max(cat, x) for x in p_vals], dtype="int64")
        limits = limit_of[p_col.codes] if len(limit_of) else np.zeros(self.n, dtype="int64")
        too_big = self.p_ok & ~q_bad & ~self.u_bad & (milli > limits * 1000)

        def message(r: int) -> str:
            unite = cat.produits[p_vals[p_col.codes[r]]].unite
            return (
                f"quantité démesurée pour une seule ligne ({qty_text(int(milli[r]))} {unite}, "
                f"plafond {int_text(int(limits[r]))} {unite}) : vérifiez l'unité"
            )

        self.report_mask(too_big, message, "quantite")
        self.milli = milli

    def prices(self) -> None:
        """Optional unit prices: ten-thousandths of a euro per product unit (else the reference price)."""
        pr_col = self.d["prix_unitaire_ht"]
        pr_units, errors = _per_unique_number(pr_col, 4, _price)
        for i in np.flatnonzero(pr_units > PRIX_UNITAIRE_MAX * 10**4):
            errors[int(i)] = (
                f"prix unitaire « {pr_col.values[i]} » démesuré (plafond {int_text(PRIX_UNITAIRE_MAX)} € HT "
                "par unité) : vérifiez le séparateur décimal et que la cellule porte un prix unitaire, "
                "non un total"
            )
            pr_units[i] = -1
        self.report(pr_col, errors, "prix_unitaire_ht")
        e4_src = pr_units[pr_col.codes]
        self.given = e4_src > 0
        ref_of = np.asarray([ref_e4(self.cat, x) for x in self.p_vals], dtype="int64")
        ref = ref_of[self.p_col.codes] if len(ref_of) else np.zeros(self.n, dtype="int64")
        converted = e4_src if self.unit else scale(np.maximum(e4_src, 0), self.row_den, self.row_num)
        self.prix = np.where(self.given, converted, ref)

    def postcodes(self) -> None:
        """The line's commune (optional, name or INSEE code); its postcode: the cell, else the line's
        commune, else the member's site (survey sheet or groupement)."""
        c_col = self.d["commune"]
        self.c_vals, c_err = _per_unique(c_col, lambda t: commune_of_text(t, self.cat))
        self.c_bad = self.report(c_col, c_err, "commune")
        cp_col = self.d["code_postal"]
        cp_vals, cp_err = _per_unique(cp_col, _postcode)
        self.cp_bad = self.report(cp_col, cp_err, "code_postal")
        cp_cell = np.asarray([bool(x) for x in cp_vals], dtype=bool)[cp_col.codes]
        c_given = np.asarray([c is not None for c in self.c_vals], dtype=bool)[c_col.codes]
        self.from_member = ~cp_cell & ~c_given
        nv, nc = len(cp_vals), len(self.c_vals)
        codes = np.where(
            cp_cell, cp_col.codes, np.where(c_given, nv + c_col.codes, nv + nc + self.m_col.codes)
        )
        self.cp = cp = Coded.from_parts(
            codes,
            [
                *cp_vals,
                *[_postcode_of(c) for c in self.c_vals],
                *[(i.code_postal if i and i.code_postal else "") for i in self.infos],
            ],
        )
        cp_blank = np.asarray([not x for x in cp.values], dtype=bool)
        self.missing = cp.rows_where(cp_blank) & ~self.cp_bad & ~self.c_bad & ~self.membre.rows_equal("")
        membre = self.membre
        self.report_mask(
            self.missing,
            lambda r: (
                f"code postal manquant pour le membre « {membre.values[membre.codes[r]]} » : renseignez la "
                "colonne code postal, la feuille "
                "« Membres » de la feuille de recensement ou la commune du membre dans groupement.yaml"
            ),
            "code_postal",
        )

    def places(self) -> None:
        """Commune and territory, once per distinct (postcode, line commune, member commune if it applies)."""
        cat, m_col, c_col, nc = self.cat, self.m_col, self.d["commune"], len(self.c_vals)
        member_communes: list[Commune | None] = [
            member_commune(cat, i.commune, i.membre) if i and i.commune else None for i in self.infos
        ]
        applies = self.own_site[self.sm_codes] | self.from_member
        m_part = np.where(applies, m_col.codes + 1, 0)
        a_codes, a_keys = pair_codes(self.cp.codes, c_col.codes, nc)
        self.place_codes, place_keys = pair_codes(a_codes, m_part, len(m_col.values) + 1)
        places = []
        for key in place_keys.tolist():
            ak, mk = divmod(key, len(m_col.values) + 1)
            cpc, cc = divmod(int(a_keys[ak]), max(nc, 1))
            member = member_communes[mk - 1] if mk else None
            places.append(resolve(cat, str(self.cp.values[cpc]), self.c_vals[cc], member))
        errors = {k: p.error for k, p in enumerate(places) if p.error}
        rows = Coded(self.place_codes, np.arange(len(places))).rows_where(_flags(len(places), errors))
        self.report_mask(
            rows & ~self.c_bad & ~self.cp_bad & ~self.missing,
            lambda r: errors[int(self.place_codes[r])],
            "commune",
        )
        self.places_found = places

    def months(self) -> None:
        """Months asked; none given: the product's months of availability (never out of season)."""
        mo_col = self.d["mois"]
        mo_vals, errors = _per_unique(
            mo_col, lambda t: (r, None) if isinstance(r := parse_months(t), int) else (0, r)
        )
        self.report(mo_col, errors, "mois")
        mo_of = np.asarray(
            [x if t else -1 for x, t in zip(mo_vals, mo_col.values, strict=True)], dtype="int64"
        )
        avail_of = np.asarray([avail_mask(self.cat, x) for x in self.p_vals], dtype="int64")
        mois = mo_of[mo_col.codes] if len(mo_of) else np.full(self.n, -1, dtype="int64")
        if len(avail_of):
            mois = np.where(mois < 0, avail_of[self.p_col.codes], mois)
        self.mois = mois

    def labels_and_packagings(self) -> None:
        """Label asked (optional); packaging asked, else the product's default, per (packaging, product)."""
        la_col = self.d["label_requis"]
        la_vals, la_err = _per_unique(la_col, lambda t: label(t, self.cat))
        self.report(la_col, la_err, "label_requis")
        self.label_requis = Coded.from_parts(la_col.codes, la_vals)
        co_col = self.d["conditionnement"]
        co_vals, co_err = _per_unique(co_col, lambda t: packaging(t, self.cat))
        self.report(co_col, co_err, "conditionnement")
        pairs, keys = pair_codes(co_col.codes, self.p_col.codes, len(self.p_vals))
        texts = []
        for key in keys.tolist():
            cc, pc = divmod(key, max(len(self.p_vals), 1))
            code = self.p_vals[pc]
            texts.append(co_vals[cc] or (self.cat.produits[code].conditionnement_defaut if code else ""))
        self.conditionnement = Coded.from_parts(pairs, texts)

    def deliveries(self) -> None:
        li_col = self.d["livraisons_par_semaine"]
        li_vals, errors = _per_unique(li_col, deliveries)
        self.report(li_col, errors, "livraisons_par_semaine")
        li_of = np.asarray([x if x is not None else np.nan for x in li_vals], dtype="float64")
        self.livraisons = li_of[li_col.codes] if len(li_of) else np.full(self.n, np.nan)

    def lines(self) -> Lines:
        """The validated lines (called only when no row is bad)."""
        part, places = self.part, self.places_found
        place_of = Coded(self.place_codes, np.arange(len(places)))
        columns = {
            "fichier": Coded.constant(part.fichier, self.n),
            "feuille": Coded.constant(part.feuille, self.n),
            "colonne_source": part.colonne_source,
            "membre": self.membre,
            "site_livraison": self.site,
            "code_postal": self.cp,
            "commune_insee": Coded.from_parts(place_of.codes, [p.insee for p in places]),
            "territoire": Coded.from_parts(place_of.codes, [p.territoire for p in places]),
            "produit": self.produit,
            "prix_source": Coded(
                self.given.astype(np.intp), np.asarray(["catalogue", "demande"], dtype=object)
            ),
            "label_requis": self.label_requis,
            "conditionnement": self.conditionnement,
        }
        ambigu = np.asarray([p.ambigu for p in places], dtype=bool)
        return Lines(
            text={name: column.compact() for name, column in columns.items()},
            numbers={
                "ligne_source": np.asarray(self.rows, dtype="int64"),
                "quantite_milli": self.milli.astype("int64"),
                "prix_e4": self.prix.astype("int64"),
                "mois": self.mois.astype("int64"),
                "livraisons_par_semaine": self.livraisons,
            },
            ambigu=ambigu[self.place_codes] if places else np.zeros(self.n, dtype=bool),
        )


def _quantity(text: str) -> tuple[int, str | None]:
    if not text.strip():
        return 0, "quantité manquante"
    r = parse_fixed(text, 3, "quantité")
    if isinstance(r, str):
        return 0, r
    if r.units == 0:
        return 0, "quantité nulle : supprimez la ligne ou indiquez le besoin annuel"
    return r.units, None


def _price(text: str) -> tuple[int, str | None]:
    if not text.strip():
        return -1, None
    r = parse_fixed(text, 4, "prix unitaire")
    if isinstance(r, str):
        return -1, r
    if r.units == 0:
        return -1, "prix unitaire nul : laissez la cellule vide pour utiliser le prix de référence"
    return r.units, None


def _postcode(text: str) -> tuple[str, str | None]:
    if not text.strip():
        return "", None
    cp = parse_postcode(text)
    return (cp, None) if cp is not None else ("", postcode_error(text))


def _postcode_of(communes: tuple[Commune, ...] | None) -> str:
    """The postcode a line's commune cell gives when the line has none: the one its communes share."""
    if not communes:
        return ""
    shared = set(communes[0].codes_postaux).intersection(*(c.codes_postaux for c in communes[1:]))
    return min(shared) if shared else ""
