"""Main and secondary CPV codes of a lot, only ever codes of the official list (cat.cpv).

The CPV tree reads by significant digits: 03311500 (merlan) sits under 033115.., under 03311000 (poissons),
under 03310000, 03300000, 03000000. The main code of a lot is the most specific code of the official list
that is an ancestor of (or equal to) every item's code. When the items span two divisions (03 raw fish,
15 prepared fish) no common code exists: the family's own code from familles.yaml (e.g. 03310000-5
"Poissons, crustacés et produits aquatiques") names the lot, or failing that the code weighing most in value,
as for mixed contracts. Secondary codes are the other distinct item codes.
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


def lot_cpv(
    amounts: Mapping[str, Decimal], by_prefix: Mapping[str, str], family_cpv: str | None = None
) -> tuple[str, list[str]]:
    """(main, secondaries) for items whose CPV codes weigh ``amounts`` (code -> yearly amount).

    Without a common official ancestor, the family's own code (familles.yaml) names the lot when it is
    valid, else the code weighing most.
    """
    valid = {
        c: a
        for c, a in amounts.items()
        if c.split("-", maxsplit=1)[0] in by_prefix and by_prefix[c.split("-", maxsplit=1)[0]] == c
    }
    if not valid:
        raise ValueError("aucun code CPV valide parmi les articles du lot")
    main = common_ancestor(sorted(valid), by_prefix)
    if main is None and family_cpv is not None and family_cpv in by_prefix.values():
        main = family_cpv
    if main is None:
        main = sorted(valid.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return main, sorted(c for c in valid if c != main)
