"""Validation of demand lines (text) into canonical typed columns, vectorised over distinct values.

Every check runs on the distinct values of a column (``pandas.factorize``), then the verdicts are
broadcast to the rows: a million-line file costs a few hash passes, and a problem is built only for
the rows that are actually wrong. All problems are reported; a part with any problem yields no lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.intake.layouts import LongPart, member_key
from lotsmarche.intake.members import SiteInfo
from lotsmarche.intake.tabular import FORMULA_ERRORS, AddProblem
from lotsmarche.intake.values import (
    Fixed,
    normalise_unit,
    parse_fixed,
    parse_fixed_many,
    parse_months,
    parse_postcode,
    unit_factor,
)
from lotsmarche.text import fold

T = TypeVar("T")

# Largest quantity accepted on one line, per product unit: beyond, it is almost surely a unit mistake.
QUANTITE_MAX: dict[str, int] = {"kg": 1_000_000, "litre": 1_000_000, "piece": 10_000_000, "colis": 200_000}
QUANTITE_MAX_DEFAULT = 1_000_000
LIVRAISONS_MAX = 14  # deliveries per week (twice a day, every day)
PER_CHECK_LIMIT = 200
_TEXT_FIELDS = (
    "membre",
    "site_livraison",
    "code_postal",
    "produit",
    "quantite",
    "unite",
    "prix_unitaire_ht",
    "mois",
    "label_requis",
    "conditionnement",
    "livraisons_par_semaine",
)  # rows reported per check and part (the headline gives the total)


@dataclass
class Context:
    cat: Catalogue
    add: AddProblem
    members: dict[str, str] = field(default_factory=dict)  # member key -> name as the group spells it
    sites: dict[str, SiteInfo] = field(default_factory=dict)  # member key -> survey/groupement site info


def _per_unique(
    values: pd.Series, fn: Callable[[str], tuple[T | None, str | None]]
) -> tuple[np.ndarray, list[T | None], list[str | None]]:
    codes, uniques = pd.factorize(values, sort=False)
    results: list[T | None] = []
    errors: list[str | None] = []
    for u in uniques.tolist():
        value, error = fn(str(u))
        results.append(value)
        errors.append(error)
    return np.asarray(codes), results, errors


def _per_unique_number(
    values: pd.Series, decimals: int, fn: Callable[[str], tuple[int | None, str | None]]
) -> tuple[np.ndarray, list[int | None], list[str | None]]:
    """Like _per_unique for exact numbers: plain forms vectorised, the rest (and zeros) through ``fn``."""
    codes, uniques = pd.factorize(values, sort=False)
    texts = [str(u) for u in uniques.tolist()]
    units, ok = parse_fixed_many(texts, decimals)
    results: list[int | None] = units.tolist()
    errors: list[str | None] = [None] * len(texts)
    for i in np.flatnonzero(~ok | (units == 0)):
        results[i], errors[i] = fn(texts[i])
    return np.asarray(codes), results, errors


def _lookup(codes: np.ndarray, table: list[Any], dtype: Any) -> np.ndarray:
    arr = np.asarray(table, dtype=dtype) if table else np.zeros(0, dtype=dtype)
    return arr[codes] if len(arr) else np.zeros(len(codes), dtype=dtype)


class _Part:
    """Validation state of one part: which rows are bad, and where to report."""

    def __init__(self, part: LongPart, ctx: Context) -> None:
        self.part = part
        self.ctx = ctx
        self.n = len(part.data)
        self.rows = part.data["ligne_source"].to_numpy(dtype="int64")
        self.bad = np.zeros(self.n, dtype=bool)

    def column(self, fieldname: str, row: int) -> str:
        if fieldname == "quantite" and self.part.survey:
            return str(self.part.data["colonne_source"].iat[row])
        return self.part.headers.get(fieldname, fieldname)

    def report(
        self, codes: np.ndarray, errors: list[str | None], fieldname: str, only: np.ndarray | None = None
    ) -> None:
        bad_u = [i for i, e in enumerate(errors) if e]
        if not bad_u:
            return
        mask = np.isin(codes, bad_u)
        if only is not None:
            mask &= only
        self.report_mask(mask, lambda r: str(errors[codes[r]]), fieldname)

    def report_mask(self, mask: np.ndarray, message: Callable[[int], str], fieldname: str) -> None:
        if not mask.any():
            return
        self.bad |= mask
        # A cached formula error was already reported by the layout step: do not report it twice.
        mask = mask & ~self.part.data[fieldname].isin(FORMULA_ERRORS).to_numpy()
        for r in np.flatnonzero(mask)[:PER_CHECK_LIMIT]:
            self.ctx.add(
                message(int(r)),
                fichier=self.part.fichier,
                feuille=self.part.feuille or None,
                ligne=int(self.rows[r]),
                colonne=self.column(fieldname, int(r)),
            )


def validate_part(part: LongPart, ctx: Context) -> pd.DataFrame | None:
    """Canonical columns (all but ``ligne``) for the lines of ``part``, or None if any line is wrong."""
    v = _Part(part, ctx)
    d = part.data
    v.bad |= d[list(_TEXT_FIELDS)].isin(FORMULA_ERRORS).any(axis=1).to_numpy()
    cat = ctx.cat

    # Members: trimmed, spelled as the group spells them (first spelling met otherwise).
    def member(text: str) -> tuple[str | None, str | None]:
        name = " ".join(text.split())
        if not name:
            return None, "nom du membre manquant"
        return ctx.members.setdefault(member_key(name), name), None

    m_codes, m_names, m_err = _per_unique(d["membre"], member)
    v.report(m_codes, m_err, "membre")
    membre = _lookup(m_codes, [x or "" for x in m_names], object)
    infos = [ctx.sites.get(member_key(x)) if x else None for x in m_names]

    site_text = d["site_livraison"].to_numpy(dtype=object)
    info_site = _lookup(m_codes, [(i.site if i and i.site else "") for i in infos], object)
    site = np.where(site_text != "", site_text, np.where(info_site != "", info_site, membre))
    s_codes, s_uniques = pd.factorize(site)
    site = _lookup(np.asarray(s_codes), [" ".join(str(x).split()) for x in s_uniques], object)

    # Products: exact code, or the same code in another case; suggestions otherwise.
    codes_by_upper = {c.upper(): c for c in cat.produits}

    def product(text: str) -> tuple[str | None, str | None]:
        t = text.strip()
        if not t:
            return None, "code produit manquant"
        if t in cat.produits:
            return t, None
        if t.upper() in codes_by_upper:
            return codes_by_upper[t.upper()], None
        return None, f"produit « {t} » inconnu du catalogue{_suggest(t, cat)}"

    p_codes, p_vals, p_err = _per_unique(d["produit"], product)
    v.report(p_codes, p_err, "produit")
    produit = _lookup(p_codes, [x or "" for x in p_vals], object)
    p_ok = produit != ""

    # Units → factor to the product unit, as an exact integer ratio.
    u_codes, u_uniques = pd.factorize(d["unite"])
    unit_norm = [normalise_unit(str(u)) for u in u_uniques]
    pair = np.asarray(p_codes, dtype="int64") * max(len(u_uniques), 1) + np.asarray(u_codes, dtype="int64")
    pair_codes, pair_uniques = pd.factorize(pair)
    num = np.ones(len(pair_uniques), dtype="int64")
    den = np.ones(len(pair_uniques), dtype="int64")
    pair_err: list[str | None] = []
    for k, key in enumerate(pair_uniques):
        pc, uc = divmod(int(key), max(len(u_uniques), 1))
        code = p_vals[pc] if pc >= 0 else None
        if code is None or uc < 0:
            pair_err.append(None)
            continue
        prod = cat.produits[code]
        factor = unit_factor(unit_norm[uc], prod.unite, prod.conversions)
        if factor is None:
            accepted = ", ".join(sorted({prod.unite, *prod.conversions}))
            pair_err.append(
                f"unité « {u_uniques[uc]} » incompatible avec le produit {code} "
                f"(unités possibles : {accepted})"
            )
            continue
        n_, d_ = factor.as_integer_ratio()
        num[k], den[k] = n_, d_
        pair_err.append(None)
    pair_codes = np.asarray(pair_codes)
    v.report(pair_codes, pair_err, "unite")
    row_num, row_den = num[pair_codes], den[pair_codes]

    # Quantities: exact thousandths, then converted to the product unit (half-up to the thousandth).
    def quantity(text: str) -> tuple[int | None, str | None]:
        if not text.strip():
            return None, "quantité manquante"
        r = parse_fixed(text, 3, "quantité")
        if isinstance(r, str):
            return None, r
        if r.units == 0:
            return None, "quantité nulle : supprimez la ligne ou indiquez le besoin annuel"
        return r.units, None

    q_codes, q_vals, q_err = _per_unique_number(d["quantite"], 3, quantity)
    v.report(q_codes, q_err, "quantite")
    milli_src = _lookup(q_codes, [x or 0 for x in q_vals], "int64")
    milli = _scale(milli_src, row_num, row_den)
    limits = _lookup(p_codes, [_qty_max(cat, x) for x in p_vals], "int64")
    q_ok = ~np.isin(q_codes, [i for i, e in enumerate(q_err) if e])
    u_ok = ~np.isin(pair_codes, [i for i, e in enumerate(pair_err) if e])
    too_big = p_ok & q_ok & u_ok & (milli > limits * 1000)
    v.report_mask(
        too_big,
        lambda r: (
            f"quantité démesurée pour une seule ligne ({_qty_text(int(milli[r]))} "
            f"{cat.produits[str(produit[r])].unite}, plafond {_int_text(int(limits[r]))} "
            f"{cat.produits[str(produit[r])].unite}) : vérifiez l'unité"
        ),
        "quantite",
    )

    # Unit prices (optional): ten-thousandths of a euro per product unit.
    def price(text: str) -> tuple[int | None, str | None]:
        if not text.strip():
            return -1, None
        r = parse_fixed(text, 4, "prix unitaire")
        if isinstance(r, str):
            return None, r
        if r.units == 0:
            return None, "prix unitaire nul : laissez la cellule vide pour utiliser le prix de référence"
        return r.units, None

    pr_codes, pr_vals, pr_err = _per_unique_number(d["prix_unitaire_ht"], 4, price)
    v.report(pr_codes, pr_err, "prix_unitaire_ht")
    e4_src = _lookup(pr_codes, [x if x is not None else -1 for x in pr_vals], "int64")
    given = e4_src > 0
    ref = _lookup(p_codes, [_ref_e4(cat, x) for x in p_vals], "int64")
    prix = np.where(given, _scale(np.maximum(e4_src, 0), row_den, row_num), ref)

    # Postcodes: the cell, else the member's site (survey "Membres" sheet or groupement commune).
    def postcode(text: str) -> tuple[str | None, str | None]:
        if not text.strip():
            return "", None
        cp = parse_postcode(text)
        if cp is None:
            return None, f"code postal « {text.strip()} » invalide : 5 chiffres attendus (ex. 62200)"
        return cp, None

    cp_codes, cp_vals, cp_err = _per_unique(d["code_postal"], postcode)
    v.report(cp_codes, cp_err, "code_postal")
    cp = _lookup(cp_codes, [x or "" for x in cp_vals], object)
    fallback = _lookup(m_codes, [(i.code_postal if i and i.code_postal else "") for i in infos], object)
    cp = np.where(cp != "", cp, fallback)
    missing = (cp == "") & ~np.isin(cp_codes, [i for i, e in enumerate(cp_err) if e]) & (membre != "")
    v.report_mask(
        missing,
        lambda r: (
            f"code postal manquant pour le membre « {membre[r]} » : renseignez la colonne code "
            "postal, la feuille "
            "« Membres » de la feuille de recensement ou la commune du membre dans groupement.yaml"
        ),
        "code_postal",
    )

    mo_codes, mo_vals, mo_err = _per_unique(
        d["mois"], lambda t: (r, None) if isinstance(r := parse_months(t), int) else (None, r)
    )
    v.report(mo_codes, mo_err, "mois")
    mois = _lookup(mo_codes, [x or 0 for x in mo_vals], "int64")
    # No months given: the product's months of availability (asking out of season is never implied).
    avail = _lookup(p_codes, [_avail_mask(cat, x) for x in p_vals], "int64")
    mois = np.where(d["mois"].to_numpy(dtype=object) == "", avail, mois)

    la_codes, la_vals, la_err = _per_unique(d["label_requis"], lambda t: _label(t, cat))
    v.report(la_codes, la_err, "label_requis")
    label = _lookup(la_codes, [x or "" for x in la_vals], object)

    co_codes, co_vals, co_err = _per_unique(d["conditionnement"], lambda t: _packaging(t, cat))
    v.report(co_codes, co_err, "conditionnement")
    cond = _lookup(co_codes, [x or "" for x in co_vals], object)
    default_cond = _lookup(
        p_codes, [cat.produits[x].conditionnement_defaut if x else "" for x in p_vals], object
    )
    cond = np.where(cond != "", cond, default_cond)

    li_codes, li_vals, li_err = _per_unique(d["livraisons_par_semaine"], _deliveries)
    v.report(li_codes, li_err, "livraisons_par_semaine")
    livraisons = _lookup(li_codes, [x if x is not None else np.nan for x in li_vals], "float64")

    if v.bad.any():
        return None
    insee_of = {c: (cat.codes_postaux.get(c) or [""])[0] for c in pd.unique(cp)}
    terr_of = {c: (cat.territoire_du_code_postal(c) or "") for c in insee_of}
    cp_s = pd.Series(cp, dtype=str)
    return pd.DataFrame(
        {
            "fichier": pd.Series([part.fichier] * v.n, dtype=str),
            "feuille": pd.Series([part.feuille] * v.n, dtype=str),
            "ligne_source": pd.Series(v.rows, dtype="int64"),
            "colonne_source": d["colonne_source"].astype(str).reset_index(drop=True),
            "membre": pd.Series(membre, dtype=str),
            "site_livraison": pd.Series(site, dtype=str),
            "code_postal": cp_s,
            "commune_insee": cp_s.map(insee_of).astype(str),
            "territoire": cp_s.map(terr_of).astype(str),
            "produit": pd.Series(produit, dtype=str),
            "quantite_milli": pd.Series(milli, dtype="int64"),
            "prix_e4": pd.Series(prix, dtype="int64"),
            "prix_source": pd.Series(np.where(given, "demande", "catalogue"), dtype=str),
            "mois": pd.Series(mois, dtype="int64"),
            "label_requis": pd.Series(label, dtype=str),
            "conditionnement": pd.Series(cond, dtype=str),
            "livraisons_par_semaine": pd.Series(livraisons, dtype="float64"),
        }
    )


def _scale(values: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """round_half_up(values × num / den) in exact integer arithmetic (object ints if int64 could overflow)."""
    if not len(values):
        return values.astype("int64")
    if int(values.max(initial=0)) * int(num.max(initial=1)) * 2 < 2**62:
        return np.asarray((values * num * 2 + den) // (den * 2), dtype="int64")
    out = [(int(a) * int(b) * 2 + int(c)) // (int(c) * 2) for a, b, c in zip(values, num, den, strict=True)]
    return np.asarray([min(x, 2**62) for x in out], dtype="int64")


def _qty_max(cat: Catalogue, code: str | None) -> int:
    if not code:
        return QUANTITE_MAX_DEFAULT
    return QUANTITE_MAX.get(cat.produits[code].unite, QUANTITE_MAX_DEFAULT)


def _qty_text(milli: int) -> str:
    whole, frac = divmod(milli, 1000)
    return _int_text(whole) + (("," + f"{frac:03d}".rstrip("0")) if frac else "")


def _avail_mask(cat: Catalogue, code: str | None) -> int:
    if not code:
        return 4095
    return sum(1 << (m - 1) for m in cat.produits[code].mois_disponibles)


def _int_text(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _ref_e4(cat: Catalogue, code: str | None) -> int:
    if not code:
        return 0
    value = cat.produits[code].prix_reference_ht * 10000
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _suggest(text: str, cat: Catalogue) -> str:
    upper = text.upper()
    found = difflib.get_close_matches(upper, list(cat.produits), n=3, cutoff=0.6)
    by_label = {fold(p.libelle): p.code for p in cat.produits.values()}
    for lab in difflib.get_close_matches(fold(text), list(by_label), n=3, cutoff=0.7):
        if by_label[lab] not in found:
            found.append(by_label[lab])
    if not found:
        return " (voir « lotsmarche catalogue show produits »)"
    return " ; codes proches : " + ", ".join(sorted(found)[:5])


def _label(text: str, cat: Catalogue) -> tuple[str | None, str | None]:
    t = text.strip()
    if not t:
        return "", None
    key = fold(t).replace(" ", "_").replace("-", "_").upper()
    for code, lab in cat.labels.items():
        if key == code.upper() or fold(t) == fold(lab.libelle):
            return code, None
    return None, f"label « {t} » inconnu ; labels possibles : {', '.join(sorted(cat.labels))}"


def _packaging(text: str, cat: Catalogue) -> tuple[str | None, str | None]:
    t = text.strip()
    if not t:
        return "", None
    key = fold(t).replace(" ", "_").replace("-", "_")
    for code, pack in cat.conditionnements.items():
        if key == fold(code) or fold(t) == fold(pack.libelle):
            return code, None
    return (
        None,
        f"conditionnement « {t} » inconnu ; codes possibles : {', '.join(sorted(cat.conditionnements))}",
    )


def _deliveries(text: str) -> tuple[float | None, str | None]:
    if not text.strip():
        return None, None
    r = parse_fixed(text, 2, "nombre de livraisons par semaine")
    if isinstance(r, str):
        return None, r
    if isinstance(r, Fixed) and (r.units == 0 or r.units > LIVRAISONS_MAX * 100):
        return None, (
            f"nombre de livraisons par semaine « {text.strip()} » hors limites "
            f"(entre 0 exclu et {LIVRAISONS_MAX})"
        )
    return r.units / 100, None
