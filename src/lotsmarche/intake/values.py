"""Parsing of single cell values: numbers with French separators, postcodes, months, units.

Each parser takes one text and returns either a value or a French error message (a ``str`` starting
with an explanation). The reader applies them to the *distinct* values of a column only
(``pandas.factorize``), which keeps a million-line file fast without a per-row Python loop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from lotsmarche.text import fold

_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\t'")
_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
MAX_INT_DIGITS = 12


@dataclass(frozen=True)
class Fixed:
    """A non-negative decimal read exactly as ``units`` at the given scale (e.g. milli for 3 decimals)."""

    units: int


def parse_fixed(text: str, decimals: int, what: str) -> Fixed | str:
    """Exact decimal with at most ``decimals`` decimals → integer ``value × 10**decimals``.

    Accepts ``12``, ``12,5``, ``12.5``, ``1 234,5`` (space, NBSP or narrow NBSP), ``1.234,5`` (dot as
    thousands separator when a comma is the decimal mark) and ``1,234.5``. Returns a French message
    when the text is not such a number, is negative, or has too many decimals.
    """
    # Fast path for the plain forms ("12", "12,5", "12.5"): most cells of a real file, no regex.
    whole, mark, frac = text.partition(",") if "," in text else text.partition(".")
    if (
        whole.isascii()
        and whole.isdigit()
        and len(whole) <= MAX_INT_DIGITS
        and (not mark or (frac.isascii() and frac.isdigit() and len(frac) <= decimals))
    ):
        return Fixed(int(whole) * 10**decimals + (int(frac.ljust(decimals, "0")) if mark else 0))
    raw = text.strip()
    s = raw.translate(_SPACES)
    if "," in s and "." in s:
        # The last mark is the decimal one: 1.234,5 (French) or 1,234.5 (English).
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        if s.count(",") > 1:
            return f"{what} « {raw} » n'est pas un nombre"
        s = s.replace(",", ".")
    m = _NUMBER.fullmatch(s)
    if not m and any(ch.isdigit() and not ch.isascii() for ch in s):
        return (
            f"{what} « {raw} » : chiffres non latins (arabes orientaux, pleine chasse…), tapez-le avec 0 à 9"
        )
    if not m or not (m.group(2) or m.group(3)):
        return f"{what} « {raw} » n'est pas un nombre"
    sign, whole, frac = m.group(1), m.group(2) or "0", m.group(3) or ""
    if sign == "-" and (whole.strip("0") or frac.strip("0")):
        return f"{what} « {raw} » : valeur négative, une valeur positive est attendue"
    whole = whole.lstrip("0") or "0"
    if len(whole) > MAX_INT_DIGITS:
        return f"{what} « {raw} » : valeur démesurée"
    frac = frac.rstrip("0")
    if len(frac) > decimals:
        return f"{what} « {raw} » : plus de {decimals} décimales, arrondissez la valeur dans le fichier"
    return Fixed(int(whole) * 10**decimals + (int(frac.ljust(decimals, "0")) if frac else 0))


def parse_postcode(text: str) -> str | None:
    """5-digit French postcode from ``62200``, ``62 200`` or ``62200.0`` (numeric cell); None otherwise."""
    s = text.strip().translate(_SPACES)
    if s.endswith(".0"):
        s = s[:-2]
    if re.fullmatch(r"[0-9]{5}", s):
        return s
    return None


MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("janvier", "janv", "jan", "january"),
        ("fevrier", "fevr", "fev", "feb", "february"),
        ("mars", "mar", "march"),
        ("avril", "avr", "apr", "april"),
        ("mai", "may"),
        ("juin", "jun", "june"),
        ("juillet", "juil", "jul", "july"),
        ("aout", "aou", "aug", "august"),
        ("septembre", "sept", "sep", "september"),
        ("octobre", "oct", "october"),
        ("novembre", "nov", "november"),
        ("decembre", "dec", "december"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

ALL_YEAR = 4095
_ALL_YEAR_WORDS = {
    "toute l'annee",
    "toute annee",
    "toute l annee",
    "annee",
    "all year",
    "tous",
    "tout",
    "1-12",
}


def _month(token: str) -> int | None:
    t = token.strip().rstrip(".")
    if t.isdigit():
        n = int(t)
        return n if 1 <= n <= 12 else None
    return MONTHS.get(t)


def _bad_months(text: str) -> str:
    return f"mois « {text.strip()} » non reconnu (exemples acceptés : 1,2,3 ; janv-mars ; toute l'année)"


def parse_months(text: str) -> int | str:
    """Bit mask of months (bit 0 = January) or a French error message.

    Accepted: empty (all year), ``toute l'année``, month numbers ``1,2,3`` or ``1;2;3`` or ``1 2 3``,
    ranges ``1-3``, ``janv-mars``, ``octobre à mars`` (a range may wrap over the new year:
    ``nov-fév``), month names or abbreviations in French or English, any mix of these.
    """
    s = fold(text).replace("\u2013", "-").replace("\u2014", "-")
    if not s or s in _ALL_YEAR_WORDS:
        return ALL_YEAR
    s = re.sub(r"\s+(a|au|to)\s+", "-", s)
    s = re.sub(r"\s*-\s*", "-", s)
    mask = 0
    for chunk in re.split(r"[,;/+\s]+|\bet\b", s):
        part = chunk.strip()
        if not part:
            continue
        bounds = [b.strip() for b in part.split("-")]
        if len(bounds) == 1:
            m = _month(bounds[0])
            if m is None:
                return _bad_months(text)
            mask |= 1 << (m - 1)
        elif len(bounds) == 2:
            a, b = _month(bounds[0]), _month(bounds[1])
            if a is None or b is None:
                return _bad_months(text)
            m = a
            while True:
                mask |= 1 << (m - 1)
                if m == b:
                    break
                m = m % 12 + 1
        else:
            return (
                f"mois « {text.strip()} » non reconnu (exemples acceptés : 1,2,3 ; janv-mars ; toute l'année)"
            )
    return mask


def months_list(mask: int) -> list[int]:
    return [m for m in range(1, 13) if mask & (1 << (m - 1))]


# Unit spellings → canonical unit names. Product units are kg, piece, litre, colis (catalogue).
_UNIT_NAMES: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes", "kilogram", "kilograms"),
    "g": ("g", "gr", "grs", "gramme", "grammes", "gram", "grams"),
    "t": ("t", "tonne", "tonnes", "ton"),
    "piece": (
        "piece",
        "pieces",
        "pce",
        "pces",
        "pc",
        "pcs",
        "u",
        "un",
        "unite",
        "unites",
        "unit",
        "units",
        "p",
        "nb",
        "nombre",
    ),
    "litre": ("l", "litre", "litres", "liter", "liters", "lt", "lts"),
    "cl": ("cl", "centilitre", "centilitres"),
    "ml": ("ml", "millilitre", "millilitres"),
    "colis": ("colis", "carton", "cartons", "caisse", "caisses"),
    "barquette": ("barquette", "barquettes", "bq"),
    "boite": ("boite", "boites", "bte", "btes", "conserve", "conserves"),
    "douzaine": ("douzaine", "douzaines", "dz"),
    "sachet": ("sachet", "sachets"),
    "bouteille": ("bouteille", "bouteilles", "btl"),
    "pot": ("pot", "pots"),
}
UNIT_ALIASES: dict[str, str] = {alias: unit for unit, names in _UNIT_NAMES.items() for alias in names}

# Metric conversions into the base unit of the same dimension.
METRIC: dict[str, tuple[str, Decimal]] = {
    "g": ("kg", Decimal("0.001")),
    "t": ("kg", Decimal(1000)),
    "cl": ("litre", Decimal("0.01")),
    "ml": ("litre", Decimal("0.001")),
    "douzaine": ("piece", Decimal(12)),
}


def normalise_unit(text: str) -> str:
    """Canonical unit name of a spelling (``Kilogrammes`` → ``kg``); unknown spellings are folded."""
    key = fold(text).strip().rstrip(".").replace(" ", "")
    return UNIT_ALIASES.get(key, key)


def unit_factor(unit: str, product_unit: str, conversions: dict[str, Decimal]) -> Decimal | None:
    """How many product units one ``unit`` is worth, or None when they are incompatible."""
    target = normalise_unit(product_unit)
    conv = {normalise_unit(k): v for k, v in conversions.items()}
    if unit in ("", target):
        return Decimal(1)
    if unit in conv:
        return conv[unit]
    if unit in METRIC:
        base, factor = METRIC[unit]
        if base == target:
            return factor
        if base in conv:
            return factor * conv[base]
    # The product unit itself may be metric-derived of the given unit (kg asked in g, given in t...).
    for other, (base, factor) in METRIC.items():
        if other == target and base == unit:
            return 1 / factor
    return None


_CHUNK = 1 << 16  # texts per vectorised pass: bounds the character matrix to a few MiB


def parse_fixed_many(texts: Sequence[str] | np.ndarray, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised exact parse of the plain forms (digits with at most one ``,`` or ``.``).

    Returns ``(units, ok)``: ``units[i]`` is ``value × 10**decimals`` where ``ok[i]``; the other texts
    (spaces, thousands separators, signs, too many decimals, garbage) go through :func:`parse_fixed`.
    Digits are accumulated column by column over a character matrix (Horner's rule, integers only), a
    chunk of texts at a time: a million distinct values cost a few array passes, not a million calls.
    Texts whose only oddity is a digit-group space (``1 234,5``) are retried without their spaces.
    """
    n = len(texts)
    units = np.zeros(n, dtype="int64")
    ok = np.zeros(n, dtype=bool)
    for start in range(0, n, _CHUNK):
        chunk = list(texts[start : start + _CHUNK])
        u, k = _parse_plain(chunk, decimals)
        retry = np.flatnonzero(~k)
        if len(retry):
            squeezed = [chunk[i].translate(_SPACES) for i in retry]
            changed = [j for j, i in enumerate(retry) if squeezed[j] != chunk[i]]
            if changed:
                u2, k2 = _parse_plain([squeezed[j] for j in changed], decimals)
                u[retry[changed]], k[retry[changed]] = u2, k2
        units[start : start + len(chunk)], ok[start : start + len(chunk)] = u, k
    return units, ok


def _parse_plain(texts: list[str], decimals: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(texts)
    limit = MAX_INT_DIGITS + decimals + 1
    width = max(map(len, texts), default=0)
    if width <= limit:
        # One row per character position (contiguous): each pass below handles a position of all texts.
        matrix = np.array(texts, dtype=f"U{max(width, 1)}").view(np.uint32).reshape(n, -1)
        chars = np.ascontiguousarray(matrix.T)
        lens = (chars != 0).sum(axis=0)  # cells never hold NUL characters: the rest is padding
        fits = lens > 0
    else:  # some text is too long to be a plain number: blank those out of the matrix
        lens = np.fromiter(map(len, texts), dtype="int64", count=n)
        fits = (lens > 0) & (lens <= limit)
        short = [t if f else "" for t, f in zip(texts, fits.tolist(), strict=True)]
        chars = np.ascontiguousarray(np.array(short, dtype=f"U{limit}").view(np.uint32).reshape(n, limit).T)
    acc = np.zeros(n, dtype="int64")
    n_digits = np.zeros(n, dtype="int64")
    n_frac = np.zeros(n, dtype="int64")
    n_marks = np.zeros(n, dtype="int64")
    after_mark = np.zeros(n, dtype=bool)
    for c in chars:
        d = c - np.uint32(48)  # wraps around below "0": one comparison tells a digit
        is_digit = d < 10
        is_mark = (c == 44) | (c == 46)  # "," or "."
        acc = np.where(is_digit, acc * 10 + d, acc)  # at most 17 digits: no int64 overflow
        n_digits += is_digit
        n_frac += is_digit & after_mark
        n_marks += is_mark
        after_mark |= is_mark
    ok = (
        fits
        & (n_digits + n_marks == lens)  # nothing but digits and one mark
        & (n_marks <= 1)
        & (n_digits > 0)
        & (n_frac <= decimals)
        & (n_digits - n_frac <= MAX_INT_DIGITS)
    )
    scale = 10 ** (decimals - np.clip(n_frac, 0, decimals))
    return np.where(ok, acc * scale, 0), ok


def postcode_error(text: str) -> str:
    """Why a postcode cell is rejected, in French (with the lost-leading-zero hint for 4 digits)."""
    raw = text.strip()
    message = f"code postal « {raw} » invalide : 5 chiffres attendus (ex. 62200)"
    digits = raw.translate(_SPACES)
    if digits.endswith(".0"):
        digits = digits[:-2]
    if re.fullmatch(r"\d{4}", digits):
        message += (
            " ; avec 4 chiffres, le zéro initial a peut-être été supprimé par le tableur (cellule au "
            "format nombre) : saisissez les 5 chiffres dans une colonne au format texte"
        )
    return message
