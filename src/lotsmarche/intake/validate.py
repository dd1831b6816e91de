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


def validate_part(part: LongPart, ctx: Context) -> Lines | None:  # noqa: C901, PLR0915
    """Canonical columns (all but ``ligne``) for the lines of ``part``, or None if any line is wrong."""
    v = _Part(part, ctx)
    d = part.cols
    for column in d.values():
        v.bad |= column.formula_rows()
    cat = ctx.cat

    # Members: trimmed, spelled as the group spells them (first spelling met otherwise: source order).
    m_col = d["membre"]
    m_names: list[str] = [""] * len(m_col.values)
    m_err: Errors = {}
    for i in m_col.appearance_order().tolist():
        name = " ".join(str(m_col.values[i]).split())
        if name:
            m_names[i] = ctx.members.setdefault(member_key(name), name)
        else:
            m_err[i] = "nom du membre manquant"
    v.report(m_col, m_err, "membre")
    membre = Coded.from_parts(m_col.codes, m_names)
    infos = [ctx.sites.get(member_key(x)) if x else None for x in m_names]

    # Sites: the cell, else the member's site (survey "Membres" sheet), else the member itself.
    s_col = d["site_livraison"]
    sm_codes, sm_keys = pair_codes(s_col.codes, m_col.codes, len(m_col.values))
    site_texts: list[str] = []
    own_site = np.zeros(len(sm_keys), dtype=bool)  # delivered to the member's own site
    for key in sm_keys.tolist():
        sc, mc = divmod(key, max(len(m_col.values), 1))
        cell, name, info = str(s_col.values[sc]), m_names[mc], infos[mc]
        text = " ".join((cell or (info.site if info and info.site else "") or name).split())
        site_texts.append(text)
        own_site[len(site_texts) - 1] = not cell or member_key(cell) in (
            member_key(name),
            member_key(info.site) if info and info.site else None,
        )
    site = Coded.from_parts(sm_codes, site_texts)

    # Products: exact code, or the same code in another case; suggestions otherwise.
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

    p_col = d["produit"]
    p_vals, p_err = _per_unique(p_col, product)
    v.report(p_col, p_err, "produit")
    produit = Coded.from_parts(p_col.codes, p_vals)
    p_ok = ~p_col.rows_where(_flags(len(p_vals), p_err))

    # Units → factor to the product unit, as an exact integer ratio, per distinct (product, unit).
    u_col = d["unite"]
    pu_codes, pu_keys = pair_codes(p_col.codes, u_col.codes, len(u_col.values))
    num = np.ones(len(pu_keys), dtype="int64")
    den = np.ones(len(pu_keys), dtype="int64")
    pu_err: Errors = {}
    for k, key in enumerate(pu_keys.tolist()):
        pc, uc = divmod(key, max(len(u_col.values), 1))
        code = p_vals[pc]
        if not code:
            continue
        prod = cat.produits[code]
        factor = unit_factor(normalise_unit(str(u_col.values[uc])), prod.unite, prod.conversions)
        if factor is None:
            accepted = ", ".join(sorted({prod.unite, *prod.conversions}))
            pu_err[k] = (
                f"unité « {u_col.values[uc]} » incompatible avec le produit {code} "
                f"(unités possibles : {accepted})"
            )
            continue
        num[k], den[k] = factor.as_integer_ratio()
    pu = Coded(pu_codes, np.arange(len(pu_keys)))
    u_bad = v.report(pu, pu_err, "unite")
    # Usually every line is in the product's own unit: then there is nothing to convert.
    unit = bool((num == 1).all() and (den == 1).all())
    row_num, row_den = (num[:1], den[:1]) if unit else (num[pu_codes], den[pu_codes])

    # Quantities: exact thousandths, then converted to the product unit (half-up to the thousandth).
    def quantity(text: str) -> tuple[int, str | None]:
        if not text.strip():
            return 0, "quantité manquante"
        r = parse_fixed(text, 3, "quantité")
        if isinstance(r, str):
            return 0, r
        if r.units == 0:
            return 0, "quantité nulle : supprimez la ligne ou indiquez le besoin annuel"
        return r.units, None

    q_col = d["quantite"]
    q_units, q_err = _per_unique_number(q_col, 3, quantity)
    q_bad = v.report(q_col, q_err, "quantite")
    milli = q_units[q_col.codes] if unit else scale(q_units[q_col.codes], row_num, row_den)
    limit_of = np.asarray([qty_max(cat, x) for x in p_vals], dtype="int64")
    limits = limit_of[p_col.codes] if len(limit_of) else np.zeros(v.n, dtype="int64")
    too_big = p_ok & ~q_bad & ~u_bad & (milli > limits * 1000)
    v.report_mask(
        too_big,
        lambda r: (
            f"quantité démesurée pour une seule ligne ({qty_text(int(milli[r]))} "
            f"{cat.produits[p_vals[p_col.codes[r]]].unite}, plafond {int_text(int(limits[r]))} "
            f"{cat.produits[p_vals[p_col.codes[r]]].unite}) : vérifiez l'unité"
        ),
        "quantite",
    )

    # Unit prices (optional): ten-thousandths of a euro per product unit.
    def price(text: str) -> tuple[int, str | None]:
        if not text.strip():
            return -1, None
        r = parse_fixed(text, 4, "prix unitaire")
        if isinstance(r, str):
            return -1, r
        if r.units == 0:
            return -1, "prix unitaire nul : laissez la cellule vide pour utiliser le prix de référence"
        return r.units, None

    pr_col = d["prix_unitaire_ht"]
    pr_units, pr_err = _per_unique_number(pr_col, 4, price)
    for i in np.flatnonzero(pr_units > PRIX_UNITAIRE_MAX * 10**4):
        pr_err[int(i)] = (
            f"prix unitaire « {pr_col.values[i]} » démesuré (plafond {int_text(PRIX_UNITAIRE_MAX)} € HT par "
            "unité) : vérifiez le séparateur décimal et que la cellule porte un prix unitaire, non un total"
        )
        pr_units[i] = -1
    v.report(pr_col, pr_err, "prix_unitaire_ht")
    e4_src = pr_units[pr_col.codes]
    given = e4_src > 0
    ref_of = np.asarray([ref_e4(cat, x) for x in p_vals], dtype="int64")
    ref = ref_of[p_col.codes] if len(ref_of) else np.zeros(v.n, dtype="int64")
    prix = np.where(given, e4_src if unit else scale(np.maximum(e4_src, 0), row_den, row_num), ref)

    # Communes named on the line (optional column): name or INSEE code.
    c_col = d["commune"]
    c_vals, c_err = _per_unique(c_col, lambda t: commune_of_text(t, cat))
    c_bad = v.report(c_col, c_err, "commune")

    # Postcodes: the cell, else the line's commune, else the member's site (survey sheet or groupement).
    def postcode(text: str) -> tuple[str, str | None]:
        if not text.strip():
            return "", None
        cp = parse_postcode(text)
        return (cp, None) if cp is not None else ("", postcode_error(text))

    cp_col = d["code_postal"]
    cp_vals, cp_err = _per_unique(cp_col, postcode)
    cp_bad = v.report(cp_col, cp_err, "code_postal")
    cp_cell = np.asarray([bool(x) for x in cp_vals], dtype=bool)[cp_col.codes]
    c_given = np.asarray([c is not None for c in c_vals], dtype=bool)[c_col.codes]
    from_member = ~cp_cell & ~c_given
    nv, nc = len(cp_vals), len(c_vals)
    cp = Coded.from_parts(
        np.where(cp_cell, cp_col.codes, np.where(c_given, nv + c_col.codes, nv + nc + m_col.codes)),
        [
            *cp_vals,
            *[_postcode_of(c) for c in c_vals],
            *[(i.code_postal if i and i.code_postal else "") for i in infos],
        ],
    )
    cp_blank = np.asarray([not x for x in cp.values], dtype=bool)
    missing = cp.rows_where(cp_blank) & ~cp_bad & ~c_bad & ~membre.rows_equal("")
    v.report_mask(
        missing,
        lambda r: (
            f"code postal manquant pour le membre « {membre.values[membre.codes[r]]} » : renseignez la "
            "colonne code postal, la feuille "
            "« Membres » de la feuille de recensement ou la commune du membre dans groupement.yaml"
        ),
        "code_postal",
    )

    # Commune and territory, once per distinct (postcode, line commune, member commune if it applies).
    member_communes: list[Commune | None] = [
        member_commune(cat, i.commune, i.membre) if i and i.commune else None for i in infos
    ]
    applies = own_site[sm_codes] | from_member
    m_part = np.where(applies, m_col.codes + 1, 0)
    a_codes, a_keys = pair_codes(cp.codes, c_col.codes, nc)
    place_codes, place_keys = pair_codes(a_codes, m_part, len(m_col.values) + 1)
    places = []
    for key in place_keys.tolist():
        ak, mk = divmod(key, len(m_col.values) + 1)
        cpc, cc = divmod(int(a_keys[ak]), max(nc, 1))
        places.append(resolve(cat, str(cp.values[cpc]), c_vals[cc], member_communes[mk - 1] if mk else None))
    place_err = {k: p.error for k, p in enumerate(places) if p.error}
    v.report_mask(
        Coded(place_codes, np.arange(len(places))).rows_where(_flags(len(places), place_err))
        & ~c_bad
        & ~cp_bad
        & ~missing,
        lambda r: place_err[int(place_codes[r])],
        "commune",
    )

    mo_col = d["mois"]
    mo_vals, mo_err = _per_unique(
        mo_col, lambda t: (r, None) if isinstance(r := parse_months(t), int) else (0, r)
    )
    v.report(mo_col, mo_err, "mois")
    # No months given: the product's months of availability (asking out of season is never implied).
    mo_of = np.asarray([x if t else -1 for x, t in zip(mo_vals, mo_col.values, strict=True)], dtype="int64")
    avail_of = np.asarray([avail_mask(cat, x) for x in p_vals], dtype="int64")
    mois = mo_of[mo_col.codes] if len(mo_of) else np.full(v.n, -1, dtype="int64")
    if len(avail_of):
        mois = np.where(mois < 0, avail_of[p_col.codes], mois)

    la_col = d["label_requis"]
    la_vals, la_err = _per_unique(la_col, lambda t: label(t, cat))
    v.report(la_col, la_err, "label_requis")

    co_col = d["conditionnement"]
    co_vals, co_err = _per_unique(co_col, lambda t: packaging(t, cat))
    v.report(co_col, co_err, "conditionnement")
    # No packaging asked: the product's default one, per distinct (packaging, product).
    cp_pair, cp_keys = pair_codes(co_col.codes, p_col.codes, len(p_vals))
    cond_texts = []
    for key in cp_keys.tolist():
        cc, pc = divmod(key, max(len(p_vals), 1))
        code = p_vals[pc]
        cond_texts.append(co_vals[cc] or (cat.produits[code].conditionnement_defaut if code else ""))

    li_col = d["livraisons_par_semaine"]
    li_vals, li_err = _per_unique(li_col, deliveries)
    v.report(li_col, li_err, "livraisons_par_semaine")
    li_of = np.asarray([x if x is not None else np.nan for x in li_vals], dtype="float64")

    if v.bad.any():
        return None
    place_of = Coded(place_codes, np.arange(len(places)))
    columns = {
        "fichier": Coded.constant(part.fichier, v.n),
        "feuille": Coded.constant(part.feuille, v.n),
        "colonne_source": part.colonne_source,
        "membre": membre,
        "site_livraison": site,
        "code_postal": cp,
        "commune_insee": Coded.from_parts(place_of.codes, [p.insee for p in places]),
        "territoire": Coded.from_parts(place_of.codes, [p.territoire for p in places]),
        "produit": produit,
        "prix_source": Coded(given.astype(np.intp), np.asarray(["catalogue", "demande"], dtype=object)),
        "label_requis": Coded.from_parts(la_col.codes, la_vals),
        "conditionnement": Coded.from_parts(cp_pair, cond_texts),
    }
    return Lines(
        text={name: column.compact() for name, column in columns.items()},
        numbers={
            "ligne_source": np.asarray(v.rows, dtype="int64"),
            "quantite_milli": milli.astype("int64"),
            "prix_e4": prix.astype("int64"),
            "mois": mois.astype("int64"),
            "livraisons_par_semaine": li_of[li_col.codes] if len(li_of) else np.full(v.n, np.nan),
        },
        ambigu=np.asarray([p.ambigu for p in places], dtype=bool)[place_codes]
        if places
        else np.zeros(v.n, dtype=bool),
    )


def _postcode_of(communes: tuple[Commune, ...] | None) -> str:
    """The postcode a line's commune cell gives when the line has none: the one its communes share."""
    if not communes:
        return ""
    shared = set(communes[0].codes_postaux).intersection(*(c.codes_postaux for c in communes[1:]))
    return min(shared) if shared else ""
