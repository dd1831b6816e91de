"""Placeholder substitution for clause texts, and the French number formats they print.

Clause texts come from an editable catalogue and buyer overrides: they are data, never code. A plain regex
replaces ``{name}`` by a value; there is no attribute access, no format spec, no template engine, so a text
containing ``{{ }}``, ``{% %}`` or ``{0.__class__}`` is printed literally instead of executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from lotsmarche.models import Critere

PLACEHOLDER = re.compile(r"\{(\w+)\}")
NBSP = "\u00a0"


def fmt_number(value: Decimal | int, decimals: int = 2) -> str:
    """French number: narrow no-break thousands separator and decimal comma (« 12 345,67 »)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale="fr_FR"))


def fmt_euros(value: Decimal) -> str:
    """« 12 345,67 € HT » with no-break spaces, as the DCE prints amounts."""
    return f"{fmt_number(value)}{NBSP}€{NBSP}HT"


def fmt_value(value: Any) -> str:
    """Printable French form of a parameter value."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return fmt_number(value, 2 if value != value.to_integral_value() else 0)
    if isinstance(value, float):  # YAML floats (e.g. a temperature): print with a comma, never compute with
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text.replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value)
    return str(value)


def placeholders(text: str) -> list[str]:
    """Names of the placeholders of ``text``, in order of first appearance, without duplicates."""
    seen: list[str] = []
    for name in PLACEHOLDER.findall(text):
        if name not in seen:
            seen.append(name)
    return seen


def substitute(text: str, values: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Replace each ``{name}`` found in ``values``; return the text and the names left unresolved."""
    missing: list[str] = []

    def _one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values and values[name] is not None:
            return fmt_value(values[name])
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return PLACEHOLDER.sub(_one, text), missing


def criteria_sentence(criteres: list[Critere]) -> str:
    """« prix (40 %) ; qualité technique (25 %) ; … » for the RC."""
    return " ; ".join(f"{c.libelle} ({c.ponderation}{NBSP}%)" for c in criteres if c.ponderation > 0)
