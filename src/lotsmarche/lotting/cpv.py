"""Main and secondary CPV codes of a lot, only ever codes of the official list (cat.cpv).

The CPV tree reads by significant digits: 03311500 (merlan) sits under 033115.., under 03311000 (poissons),
under 03310000, 03300000, 03000000. The main code of a lot is derived from its products:

1. the most specific code of the official list that is an ancestor of (or equal to) every item's code,
   when it is at least at class level (4 significant digits: 03310000-5, 15220000-6);
2. otherwise the products of one class weigh at least half of the lot (as for mixed contracts, the main
   object decides): the most specific common code of that class. A frozen lot of fish portions, fish
   sticks and seafood is "15220000-6 Poisson, filets de poisson et autre chair de poisson congelés", not
   the generic group "15200000-0 Poisson préparé et conserves de poisson" that only their common ancestor
   gives;
3. otherwise the family's own code from familles.yaml (e.g. 03310000-5 "Poissons, crustacés et produits
   aquatiques"), failing that the code weighing most in value.

Secondary codes are the other distinct item codes. Every code returned is in the official list.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal


def significant(code: str) -> str:
    """Significant digits of a CPV code: the 8 digits without trailing zeros (at least the division)."""
    digits = code.split("-", maxsplit=1)[0]
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def index_by_prefix(official: Mapping[str, str]) -> dict[str, str]:
    """8-digit prefix -> full official code with its check digit."""
    return {code.split("-", maxsplit=1)[0]: code for code in official}


def common_ancestor(codes: list[str], by_prefix: Mapping[str, str]) -> str | None:
    """Most specific official code that is an ancestor of every code, or None across divisions."""
    if not codes:
        return None
    sig = [significant(c) for c in codes]
    prefix = sig[0]
    for s in sig[1:]:
        n = 0
        while n < min(len(prefix), len(s)) and prefix[n] == s[n]:
            n += 1
        prefix = prefix[:n]
    while len(prefix) >= 2:
        candidate = by_prefix.get(prefix.ljust(8, "0"))
        if candidate is not None:
            return candidate
        prefix = prefix[:-1]
    return None


CLASS_DIGITS = 4  # CPV "class" level: XXXX0000


def _class_code(codes: list[str], amounts: Mapping[str, Decimal], by_prefix: Mapping[str, str]) -> str | None:
    """Rule 2 of the module docstring: the common code of the class weighing at least half of the lot."""
    by_class: dict[str, list[str]] = {}
    for code in codes:
        by_class.setdefault(code[:CLASS_DIGITS], []).append(code)
    total = sum((amounts[c] for c in codes), Decimal(0))
    weights = sorted(
        ((sum((amounts[c] for c in members), Decimal(0)), cls) for cls, members in by_class.items()),
        key=lambda t: (-t[0], t[1]),
    )
    weight, cls = weights[0]
    if total <= 0 or weight * 2 < total:
        return None
    ancestor = common_ancestor(sorted(by_class[cls]), by_prefix)
    if ancestor is not None and len(significant(ancestor)) >= CLASS_DIGITS:
        return ancestor
    return sorted(by_class[cls], key=lambda c: (-amounts[c], c))[0]


def lot_cpv(
    amounts: Mapping[str, Decimal], by_prefix: Mapping[str, str], family_cpv: str | None = None
) -> tuple[str, list[str]]:
    """(main, secondaries) for items whose CPV codes weigh ``amounts`` (code -> yearly amount).

    The rules are those of the module docstring: common ancestor at class level, else the common code of
    the class weighing at least half, else the family's own code (familles.yaml), else the code weighing
    most.
    """
    valid = {
        c: a
        for c, a in amounts.items()
        if c.split("-", maxsplit=1)[0] in by_prefix and by_prefix[c.split("-", maxsplit=1)[0]] == c
    }
    if not valid:
        raise ValueError("aucun code CPV valide parmi les articles du lot")
    main = common_ancestor(sorted(valid), by_prefix)
    if main is not None and len(significant(main)) < CLASS_DIGITS:
        main = None
    if main is None:
        main = _class_code(sorted(valid), valid, by_prefix)
    if main is None and family_cpv is not None and family_cpv in by_prefix.values():
        main = family_cpv
    if main is None:
        main = sorted(valid.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return main, sorted(c for c in valid if c != main)
