"""CPV 2008 codes (Regulation (EC) No 213/2008): format, check digit and validation against the official list.

The ninth digit of a CPV code "serves to verify the previous digits"; the regulation does not publish the
formula. Measured on the official list of 9,454 codes, 8,922 of them follow one rule: the weighted sum of the
eight digits with weights 3, 7, 1, 3, 7, 1, 3, 7, modulo 10. The 532 others are almost all in whole subtrees
that the 2008 revision moved (e.g. fish, 0331-0332, formerly division 05; 09[1-3], 421, 722-728), whose check
digits do not follow the rule. So the official list is authoritative: a code is valid when it is in the list;
the rule only serves to explain a mistyped code that is not in the list.
"""

from __future__ import annotations

import re

CPV_FORMAT = re.compile(r"^(\d{8})-(\d)$")
WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def cpv_check_digit(eight_digits: str) -> int:
    """Check digit given by the weighted rule (weights 3-7-1, modulo 10) for an 8-digit code."""
    if not re.fullmatch(r"\d{8}", eight_digits):
        raise ValueError(f"8 chiffres attendus : {eight_digits!r}")
    return sum(int(d) * w for d, w in zip(eight_digits, WEIGHTS, strict=True)) % 10


def cpv_format_ok(code: str) -> bool:
    """True when ``code`` is written ``12345678-9``."""
    return CPV_FORMAT.match(code) is not None


def cpv_follows_rule(code: str) -> bool:
    """True when the code is well formed and its ninth digit is the one the weighted rule gives."""
    m = CPV_FORMAT.match(code)
    return m is not None and cpv_check_digit(m.group(1)) == int(m.group(2))


def cpv_problem(code: str, official: dict[str, str]) -> str | None:
    """Why ``code`` is not a valid CPV code (French), or None when it is in the official list."""
    m = CPV_FORMAT.match(code)
    if m is None:
        return (
            f"code CPV mal formé ({code!r}) : 8 chiffres, un tiret et le chiffre de contrôle (ex. 03311500-7)"
        )
    if code in official:
        return None
    prefix = m.group(1) + "-"
    same = [c for c in (prefix + str(d) for d in range(10)) if c in official]
    if same:
        return f"chiffre de contrôle erroné ({code}) : le code officiel est {same[0]} « {official[same[0]]} »"
    if not cpv_follows_rule(code):
        return f"code CPV inconnu de la nomenclature officielle et chiffre de contrôle invalide ({code})"
    return f"code CPV inconnu de la nomenclature officielle ({code})"
